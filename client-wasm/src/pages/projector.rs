//! The big screen: join code and QR, timer, prompt, the live idea wall and ranked results.
//! No controls, large type, high contrast: it must read from the back of the room.

use crate::api;
use crate::components::chrome::{ConnBadge, Loading};
use crate::components::ideas::IdeaCard;
use crate::components::question::Question;
use crate::components::results::results_chart;
use crate::components::timer::TimerView;
use crate::components::turnout::turnout_line;
use crate::hooks::{use_cafe_page, Viewer};
use crate::i18n::use_t;
use crate::pages::CafeProps;
use cafe_shared::{Phase, Timer};
use yew::prelude::*;

#[function_component(ProjectorPage)]
pub fn projector_page(p: &CafeProps) -> Html {
    let t = use_t();
    let page = match use_cafe_page(&p.id, Viewer::Projector) {
        Ok(page) => page,
        Err(waiting) => return waiting,
    };
    let c = page.session.client.borrow();
    let state = &c.state;
    let Some(info) = state.info.as_ref() else {
        return html! { <Loading /> };
    };
    let code = info.code.display();
    let join_url = format!("{}/j/{}", api::origin(), info.code.as_str());
    // The newest vote whose results everybody may see takes over the wall.
    let shown_vote = state
        .votes
        .values()
        .rev()
        .find(|v| v.results_visible_to_all() && v.dots_cast > 0 || v.revealed)
        .map(|v| v.id);
    let ideas: Vec<_> = state.ideas.values().rev().take(60).collect();
    let question = Question::of(state);
    let present = state.active_people().filter(|p| p.online).count();
    html! {
        <main class="projector" id="projector">
            <aside class="proj-side">
                <p class="proj-brand">{ t.t("app.name") }</p>
                <h1 class="proj-title">{ info.title.clone() }</h1>
                <p class="proj-label">{ t.t("projector.join_at") }</p>
                <p class="proj-url">{ join_url }</p>
                <p class="proj-code" id="projector-code" aria-label={t.t("share.code")}>{ code }</p>
                <img class="proj-qr" src={api::qr_url(&p.id)} alt={t.t("share.qr_alt")} />
                <p class="proj-count">{ t.f("projector.people", &[("n", &present)]) }</p>
                <ConnBadge status={c.status} pending={0} />
            </aside>
            <section class="proj-main">
                <div class="proj-head">
                    <span class={classes!("phase-pill", "phase-big", format!("phase-{}", state.phase.as_str()))}>{ t.phase(state.phase) }</span>
                    if state.timer != Timer::Idle { <TimerView timer={state.timer} clock_offset={c.clock_offset} big=true /> }
                    // "N of M have voted" while a vote is open (the vote's own component).
                    if let Some(v) = state.open_votes().last().filter(|_| state.phase == Phase::Vote) {
                        <div class="proj-turnout" id="projector-turnout">{ turnout_line(t, state, v) }</div>
                    }
                </div>
                if !question.is_empty() {
                    <section class="proj-question" id="question" aria-label={t.t("question.cafe")}>{ question.lines(t) }</section>
                }
                if let Some(v) = shown_vote {
                    <h2 class="proj-section">{ t.t("results.title") }</h2>
                    <div id="projector-results">{ results_chart(t, state, v, true, 8) }</div>
                } else {
                    <ul class="wall wall-big" id="projector-ideas" aria-live="polite">
                        { for ideas.iter().map(|i| html! {
                            <IdeaCard key={i.id.0} text={i.text.clone()} tint={(i.id.0 % 5) as u8} />
                        }) }
                    </ul>
                    if ideas.is_empty() { <p class="proj-empty">{ t.t("projector.waiting") }</p> }
                }
            </section>
        </main>
    }
}

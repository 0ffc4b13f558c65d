//! The facilitator's console: phases, timer, tables and rounds, people and presence, the
//! raised-hand queue, moderation, votes and exports. Laptop first, but usable on a tablet.

use crate::api;
use crate::components::chrome::{NoticeBar, TopBar};
use crate::hooks::{use_cafe_page, Viewer};
use crate::i18n::{use_t, T};
use crate::pages::new_cafe::export_links;
use crate::pages::{CafeProps, Ctx};
use crate::session::now_ms;
use cafe_shared::{BoardId, CafeState};
use yew::prelude::*;

mod edit_cafe;
mod moderation;
mod people;
mod phase;
mod remove_people;
mod tables;
mod vote;
use crate::components::question::Question;
use edit_cafe::QuestionCard;
use moderation::moderation_card;
use people::{hands_card, people_card};
use phase::{phase_card, TimerCan, TimerCard};
use remove_people::{remove_rows, RemovePeopleCard};
use tables::{table_rows, TablesCard};
use vote::{vote_card, votes_card};

#[function_component(ConsolePage)]
pub fn console_page(p: &CafeProps) -> Html {
    let t = use_t();
    let page = use_cafe_page(&p.id, Viewer::Person);
    let mod_board = use_state(|| None::<BoardId>);
    let page = match page {
        Ok(page) => page,
        Err(waiting) => return waiting,
    };
    let session = &page.session;
    let c = session.client.borrow();
    let state = &c.state;
    let ctx = Ctx {
        t,
        session: session.clone(),
        me: c.me,
    };
    let title = state
        .info
        .as_ref()
        .map(|i| i.title.clone())
        .unwrap_or_default();
    let dismiss = {
        let s = session.clone();
        Callback::from(move |_| s.dismiss_notice())
    };
    // The console is for those who may change the phase: facilitators, also in a closed café
    // (which only they can reopen).
    if !ctx.allowed(|me| state.may_set_phase(me)) {
        return html! {
            <main class="page center">
                <div class="card narrow">
                    <h1>{ t.t("console.not_facilitator") }</h1>
                    <a class="btn btn-primary" href={format!("/c/{}", p.id)}>{ t.t("nav.board") }</a>
                </div>
            </main>
        };
    }
    let board = (*mod_board).or(state.plenary);
    let id = p.id.to_string();
    let code = state
        .info
        .as_ref()
        .map(|i| i.code.display())
        .unwrap_or_default();
    page.provide(html! {
        <>
        <TopBar title={title} subtitle={Some(AttrValue::from(t.t("nav.console")))} phase={Some(state.phase)}
            timer={state.timer} clock_offset={c.clock_offset} status={Some(c.status)}
            pending={c.outbox.unanswered_count()} />
        <main class="page console">
            <NoticeBar notice={c.notice.clone()} on_close={dismiss} />
            <div class="console-grid">
                <QuestionCard info={state.info.clone()} question={Question::of(state)}
                    can_edit={ctx.allowed(|me| state.may_update_cafe(me))}
                    can_change_anonymity={ctx.allowed(|me| state.may_change_anonymity(me))}
                    unanswered={c.outbox.unanswered().map(|e| e.id.clone()).collect::<Vec<_>>()}
                    rejected={c.rejected.clone()} />
                { phase_card(&ctx, state) }
                <TimerCard timer={state.timer} can={TimerCan::new(&ctx, state, c.server_now(now_ms()))} />
                { people_card(&ctx, state) }
                if ctx.allowed(|me| state.may_facilitate(me)) {
                    <RemovePeopleCard rows={remove_rows(&ctx, state)} now={c.server_now(now_ms())} />
                }
                { hands_card(&ctx, state) }
                <TablesCard tables={table_rows(&ctx, state)} rounds={state.rounds.len()}
                    can_create={ctx.allowed(|me| state.may_facilitate(me))}
                    round_refused={ctx.may(|me| state.may_start_round(me)).err().map(|r| r.code)} />
                { moderation_card(&ctx, state, board, mod_board.clone()) }
                { vote_card(&ctx, state) }
                { votes_card(&ctx, state) }
                <section class="card share-card" aria-labelledby="share-title">
                    <h2 id="share-title">{ t.t("console.share") }</h2>
                    <p class="label">{ t.t("share.code") }</p>
                    <p class="join-code small" id="console-code">{ code }</p>
                    <img class="qr" src={api::qr_url(&id)} alt={t.t("share.qr_alt")} width="140" height="140" />
                    <div class="link-grid">
                        if let Some(pt) = page.creds.as_ref().and_then(|c| c.projector_token.as_ref()) {
                            <a id="projector-link" class="btn" target="_blank" rel="noopener" href={format!("/c/{id}/projector#token={pt}")}>{ t.t("nav.projector") }</a>
                        }
                        <a class="btn" href={format!("/c/{id}")}>{ t.t("nav.board") }</a>
                        <a class="btn" href={format!("/c/{id}/scribe")}>{ t.t("nav.scribe") }</a>
                    </div>
                    if let Some(creds) = &page.creds { { export_links(t, &id, &creds.token) } }
                </section>
            </div>
        </main>
        </>
    })
}

/// Plenary first, then every table's board.
fn board_choices(t: T, state: &CafeState) -> Vec<(BoardId, String)> {
    let mut v = Vec::new();
    if let Some(p) = state.plenary {
        v.push((p, t.t("board.plenary").to_string()));
    }
    v.extend(state.tables.values().map(|tb| (tb.board, tb.name.clone())));
    v
}

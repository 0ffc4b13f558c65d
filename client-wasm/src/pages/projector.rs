//! The big screen: one screen per phase, one board at a time, readable from the back of a
//! hall. No controls: the facilitator chooses the board from the console (`set_projector`);
//! a presentation clicker's arrow keys turn pages. Everything is sized in viewport units so a
//! 1366×768 laptop, a 1080p projector and a 4K screen show the same picture, and no text is
//! smaller than 2.6vh (28 px at 1080p). Lists that do not fit turn pages by themselves
//! ([`FitPages`]): nothing is cut off, nothing needs scrolling.

use crate::api;
use crate::components::chrome::{ConnBadge, Loading};
use crate::components::pages_of::{FitPages, TURN_SECS};
use crate::components::question::Question;
use crate::components::results::{item_label, vote_name};
use crate::components::timer::TimerView;
use crate::components::turnout::turnout_line;
use crate::hooks::{use_cafe_page, Viewer};
use crate::i18n::{use_t, T};
use crate::pages::CafeProps;
use cafe_shared::{BoardId, CafeState, Idea, Phase, Timer, Vote, VoteId, VoteStatus};
use yew::prelude::*;

/// The wall shows the newest notes up to this many (a thousand would take an hour to page
/// through; the console lists them all).
const WALL_MAX: usize = 120;

#[function_component(ProjectorPage)]
pub fn projector_page(p: &CafeProps) -> Html {
    let t = use_t();
    let nudge = use_clicker();
    let turn_secs = use_memo((), |()| turn_secs_from_hash());
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
    let question = Question::of(state);
    let present = state.active_people().filter(|p| p.online).count();
    let board = state.projected_board();
    let fit = Fit {
        nudge,
        turn_secs: *turn_secs,
    };

    if state.phase == Phase::Lobby {
        return html! {
            <main class="projector proj-lobby" id="projector" data-phase="lobby">
                <img class="proj-qr" id="projector-qr" src={api::qr_url(&p.id)} alt={t.t("share.qr_alt")} />
                <section class="proj-join">
                    <h1 class="proj-title" dir="auto">{ info.title.clone() }</h1>
                    if !question.is_empty() {
                        <section class="proj-question" id="question" aria-label={t.t("question.cafe")}>{ question.lines(t) }</section>
                    }
                    <p class="proj-label">{ t.t("projector.join_at") }</p>
                    <p class="proj-url" id="projector-url">{ join_url }</p>
                    <p class="proj-label">{ t.t("projector.or_code") }</p>
                    <p class="proj-code" id="projector-code" aria-label={t.t("share.code")}>{ code }</p>
                    <p class="proj-count" id="projector-count">{ t.p("projector.people", present as u64, &[]) }</p>
                    <ConnBadge status={c.status} pending={0} />
                </section>
            </main>
        };
    }

    let closed = state.phase == Phase::Closed;
    // The round's clock belongs to the phases that are timed; closed never counts down.
    let timed = matches!(state.phase, Phase::Ideate | Phase::Group | Phase::Vote);
    let body = match state.phase {
        Phase::Lobby | Phase::Ideate => wall(t, state, board, &fit),
        Phase::Group => themes(t, state, board, &fit),
        // A live vote (or one revealed while still open) shows its standings; a hidden one
        // what is on the ballot; between votes, the themes.
        Phase::Vote => match (open_vote(state), shown_vote(state)) {
            (Some(v), _) if v.results_visible_to_all() => html! {
                <>{ progress(t, state, v) }{ results(t, state, v.id, &fit) }</>
            },
            (Some(v), _) => ballot(t, state, v, &fit),
            (None, Some(v)) => results(t, state, v, &fit),
            (None, None) => themes(t, state, board, &fit),
        },
        Phase::Results => match shown_vote(state) {
            Some(v) => results(t, state, v, &fit),
            None => {
                html! { <p class="proj-empty" id="projector-empty">{ t.t("projector.results_soon") }</p> }
            }
        },
        Phase::Closed => html! {
            <>
            <p class="proj-thanks" id="projector-thanks">{ t.t("projector.thanks") }</p>
            if let Some(v) = shown_vote(state) { { results(t, state, v, &fit) } }
            </>
        },
    };
    html! {
        <main class={classes!("projector", format!("proj-{}", state.phase.as_str()))} id="projector"
            data-phase={state.phase.as_str()} data-board={board.map(|b| b.0.to_string())}>
            <header class="proj-top">
                <div class="proj-lead">
                    if question.is_empty() {
                        <h1 class="proj-title" dir="auto">{ info.title.clone() }</h1>
                    } else {
                        <h1 class="sr-only">{ info.title.clone() }</h1>
                        <section class="proj-question" id="question" aria-label={t.t("question.cafe")}>{ question.lines(t) }</section>
                    }
                </div>
                <div class="proj-status">
                    <span class={classes!("phase-pill", "phase-big", format!("phase-{}", state.phase.as_str()))}>{ t.phase(state.phase) }</span>
                    if let Some(b) = board { <span class="proj-board" id="projector-board" dir="auto">{ board_name(t, state, b) }</span> }
                    if timed && state.timer != Timer::Idle {
                        <TimerView timer={state.timer} clock_offset={c.clock_offset} big=true />
                    }
                    // "N of M have voted" while a vote is open (the vote's own component).
                    if let Some(v) = state.open_votes().last().filter(|_| state.phase == Phase::Vote) {
                        <span class="proj-turnout" id="projector-turnout">{ turnout_line(t, state, v) }</span>
                    }
                </div>
            </header>
            // Not a live region: read aloud, a wall of a big café would never stop talking.
            <section class="proj-body">{ body }</section>
            <footer class="proj-foot">
                if closed {
                    <span class="proj-foot-title" dir="auto">{ info.title.clone() }</span>
                } else {
                    <span>{ t.t("projector.join_at") }{ " " }<strong class="proj-foot-url">{ join_url }</strong></span>
                    <strong class="proj-foot-code" id="projector-code">{ code }</strong>
                    <span id="projector-count">{ t.p("projector.people", present as u64, &[]) }</span>
                }
                <ConnBadge status={c.status} pending={0} />
            </footer>
        </main>
    }
}

/// How the page's lists turn.
struct Fit {
    nudge: i64,
    turn_secs: u32,
}

/// The plenary is "Plenary"; a table's board is the table's name.
fn board_name(t: T, state: &CafeState, board: BoardId) -> String {
    state
        .boards
        .get(&board)
        .and_then(|b| b.table)
        .and_then(|tb| state.tables.get(&tb))
        .map_or_else(|| t.t("board.plenary").to_string(), |tb| tb.name.clone())
}

fn note(i: &Idea) -> Html {
    html! {
        <li class={classes!("note", "proj-note", format!("tint-{}", i.id.0 % 5))}>
            <p class="note-text" dir="auto">{ i.text.clone() }</p>
        </li>
    }
}

fn board_ideas(state: &CafeState, board: Option<BoardId>) -> Vec<&Idea> {
    state
        .ideas
        .values()
        .filter(|i| Some(i.board) == board && !i.hidden)
        .collect()
}

/// Ideate: the board's notes, newest first.
fn wall(t: T, state: &CafeState, board: Option<BoardId>, fit: &Fit) -> Html {
    let ideas = board_ideas(state, board);
    if ideas.is_empty() {
        return html! { <p class="proj-empty" id="projector-empty">{ t.t("projector.waiting") }</p> };
    }
    let more = ideas.len().saturating_sub(WALL_MAX);
    html! {
        <>
        <FitPages id="projector-ideas" class="flow-notes" nudge={fit.nudge} turn_secs={fit.turn_secs}>
            { for ideas.iter().rev().take(WALL_MAX).map(|i| note(i)) }
        </FitPages>
        if more > 0 { <p class="proj-more">{ t.p("projector.newest", ideas.len() as u64, &[("shown", &WALL_MAX)]) }</p> }
        </>
    }
}

/// Group: each theme under its title, then the notes not in a theme yet.
fn themes(t: T, state: &CafeState, board: Option<BoardId>, fit: &Fit) -> Html {
    let ideas = board_ideas(state, board);
    let clusters: Vec<_> = state
        .clusters
        .values()
        .filter(|c| Some(c.board) == board)
        .collect();
    if clusters.is_empty() {
        return wall(t, state, board, fit);
    }
    let loose: Vec<_> = ideas.iter().filter(|i| i.cluster.is_none()).collect();
    html! {
        <FitPages id="projector-themes" class="flow-notes" nudge={fit.nudge} turn_secs={fit.turn_secs}>
            { for clusters.iter().map(|c| {
                let notes: Vec<_> = ideas.iter().filter(|i| i.cluster == Some(c.id)).collect();
                html! {
                    <>
                    <li class="theme-head">
                        <span class="theme-title" dir="auto">{ c.title.clone() }</span>
                        <span class="theme-count">{ notes.len() }</span>
                    </li>
                    { for notes.iter().map(|i| note(i)) }
                    </>
                }
            }) }
            if !loose.is_empty() {
                <>
                <li class="theme-head theme-loose">
                    <span class="theme-title">{ t.t("projector.not_grouped") }</span>
                    <span class="theme-count">{ loose.len() }</span>
                </li>
                { for loose.iter().map(|i| note(i)) }
                </>
            }
        </FitPages>
    }
}

/// The open vote, newest first.
fn open_vote(state: &CafeState) -> Option<&Vote> {
    state
        .votes
        .values()
        .rev()
        .find(|v| v.status == VoteStatus::Open)
}

/// The newest vote whose results everybody may see.
fn shown_vote(state: &CafeState) -> Option<VoteId> {
    state
        .votes
        .values()
        .rev()
        .find(|v| v.revealed || v.results_visible_to_all() && v.dots_cast > 0)
        .map(|v| v.id)
}

/// Vote: what is on the ballot, and how far the room has got.
fn ballot(t: T, state: &CafeState, v: &Vote, fit: &Fit) -> Html {
    html! {
        <>
        { progress(t, state, v) }
        <FitPages id="projector-ballot" class="flow-ballot" ordered=true nudge={fit.nudge} turn_secs={fit.turn_secs}>
            { for v.items.iter().map(|item| html! {
                <li key={*item} class="ballot-card" dir="auto">{ item_label(state, v.target, *item) }</li>
            }) }
        </FitPages>
        </>
    }
}

/// How far the room has got with a vote.
fn progress(t: T, state: &CafeState, v: &Vote) -> Html {
    html! {
        <p class="proj-progress" id="projector-progress">
            <bdi class="vote-name">{ vote_name(t, state, v) }</bdi>{ " · " }
            { t.p("projector.ballot", u64::from(v.budget), &[("items", &v.items.len())]) }
            { " · " }<strong>{ t.p("results.dots", u64::from(v.dots_cast), &[]) }</strong>
        </p>
    }
}

/// Results: every ranked row, paged when they do not fit.
fn results(t: T, state: &CafeState, vote: VoteId, fit: &Fit) -> Html {
    let Some(v) = state.votes.get(&vote) else {
        return html! {};
    };
    let ranking = state.ranking(vote);
    let max = ranking.iter().map(|r| r.dots).max().unwrap_or(0).max(1);
    html! {
        <>
        <h2 class="proj-section">{ t.t("results.title") }{ " · " }<bdi>{ vote_name(t, state, v) }</bdi></h2>
        <div id="projector-results" class="proj-results">
            <FitPages id="projector-ranking" class="flow-results results results-big" ordered=true nudge={fit.nudge} turn_secs={fit.turn_secs}>
                { for ranking.iter().map(|r| {
                    // Whole percents: float formatting would pull ~10 KB of code into the bundle.
                    let pct = u64::from(r.dots) * 100 / u64::from(max);
                    html! {
                        <li key={r.item} class="result-row">
                            <span class="result-rank">{ r.rank }</span>
                            <div class="result-body">
                                <span class="result-label" dir="auto">{ item_label(state, v.target, r.item) }</span>
                                <div class="result-bar-track" aria-hidden="true">
                                    <div class="result-bar" style={format!("width:{pct}%")}></div>
                                </div>
                            </div>
                            <span class="result-dots">{ t.p("results.dots", u64::from(r.dots), &[]) }</span>
                        </li>
                    }
                }) }
            </FitPages>
        </div>
        </>
    }
}

/// `#token=…&turn=5`: seconds per page (a room that wants it faster; tests).
fn turn_secs_from_hash() -> u32 {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
        .trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("turn="))
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|s| (1..=600).contains(s))
        .unwrap_or(TURN_SECS)
}

/// Pages turned by hand: a presentation clicker sends the arrow and page keys.
#[hook]
fn use_clicker() -> i64 {
    // A counter the listener can add to (a state handle captured once would keep reading the
    // value it was created with), and a re-render after each step.
    let steps = use_mut_ref(|| 0i64);
    let redraw = use_force_update();
    {
        let steps = steps.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                gloo_events::EventListener::new(&doc, "keydown", move |e| {
                    let Some(k) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) else {
                        return;
                    };
                    let step = match k.key().as_str() {
                        "ArrowRight" | "ArrowDown" | "PageDown" | " " => 1,
                        "ArrowLeft" | "ArrowUp" | "PageUp" => -1,
                        _ => return,
                    };
                    *steps.borrow_mut() += step;
                    redraw.force_update();
                })
            });
            move || drop(listener)
        });
    }
    let n = *steps.borrow();
    n
}

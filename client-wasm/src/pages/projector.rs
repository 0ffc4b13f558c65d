//! The big screen: one screen per phase, one board at a time, readable from the back of a
//! hall. No controls: the facilitator chooses the board from the console (`set_projector`);
//! a presentation clicker's arrow keys turn pages. Everything is sized in viewport units so a
//! 1366×768 laptop, a 1080p projector and a 4K screen show the same picture, and no text is
//! smaller than 2.6vh (28 px at 1080p). Lists that do not fit turn pages by themselves
//! ([`FitPages`]): nothing is cut off, nothing needs scrolling.

use crate::api;
use crate::components::actions::{owner_label, status_label};
use crate::components::chrome::{ConnBadge, Loading};
use crate::components::pages_of::{FitPages, TURN_SECS};
use crate::components::question::Question;
use crate::components::results::{item_label, result_row, vote_name};
use crate::components::timer::TimerView;
use crate::components::timer_cue::TimerCue;
use crate::components::turnout::turnout_line;
use crate::hooks::{use_cafe_page, Viewer};
use crate::i18n::{use_t, T};
use crate::pages::CafeProps;
use cafe_shared::limits::WORD_CLOUD_MAX;
use cafe_shared::words::{is_cjk, word_counts};
use cafe_shared::{
    BoardId, CafeState, Idea, Phase, ProjectorView, Reaction, ReactionCounts, Timer, Vote, VoteId,
    VoteStatus,
};
use gloo_timers::callback::Timeout;
use std::borrow::Cow;
use std::collections::VecDeque;
use wasm_bindgen::JsCast;
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
    let floats = html! {
        <Floats frames={c.reactions.frames} added={c.reactions.added.clone()} />
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
                { floats }
            </main>
        };
    }

    let closed = state.phase == Phase::Closed;
    // The round's clock belongs to the phases that are timed; closed never counts down.
    let timed = matches!(state.phase, Phase::Ideate | Phase::Group | Phase::Vote);
    let body = match state.phase {
        // The facilitator's choice, in every phase after the lobby (which shows how to join).
        _ if state.projector_view == ProjectorView::WordCloud => word_cloud(t, state, board),
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
        Phase::Results => with_actions(
            t,
            state,
            &fit,
            match shown_vote(state) {
                Some(v) => results(t, state, v, &fit),
                None => {
                    html! { <p class="proj-empty" id="projector-empty">{ t.t("projector.results_soon") }</p> }
                }
            },
        ),
        Phase::Closed => html! {
            <>
            <p class="proj-thanks" id="projector-thanks">{ t.t("projector.thanks") }</p>
            { with_actions(t, state, &fit, match shown_vote(state) {
                Some(v) => results(t, state, v, &fit),
                None => html! {},
            }) }
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
                if timed { <TimerCue timer={state.timer} clock_offset={c.clock_offset} /> }
                <ConnBadge status={c.status} pending={0} />
            </footer>
            { floats }
        </main>
    }
}

/// Word sizes in tenths of a vh: the least frequent word at 2.6vh (28 px at 1080p, the
/// projector's smallest text), the most frequent at 13vh. Integers: float formatting would
/// pull ~10 KB of code into the bundle.
const CLOUD_MIN: u32 = 26;
const CLOUD_MAX: u32 = 130;

fn cloud_size(count: u32, lo: u32, hi: u32) -> u32 {
    if hi <= lo {
        return 60;
    }
    CLOUD_MIN + (CLOUD_MAX - CLOUD_MIN) * (count.saturating_sub(lo)) / (hi - lo)
}

/// Chinese (and Japanese) are written without spaces between words: the browser's own word
/// segmenter (`Intl.Segmenter`, ICU's dictionary, in every current browser) spaces them out
/// before the shared counter splits at spaces, so "电子废物回收" counts 电子, 废物 and 回收
/// and no dictionary ships in the bundle. Without a segmenter the text goes as it is (a
/// run of Han characters is then one word). `segmenter` is made on the first note that
/// needs it and kept for the rest of the render: a wall of Chinese notes asks for one.
fn spaced_words<'a>(
    text: &'a str,
    segmenter: &mut Option<Option<js_sys::Intl::Segmenter>>,
) -> Cow<'a, str> {
    if !text.chars().any(is_cjk) {
        return Cow::Borrowed(text);
    }
    let Some(segmenter) = segmenter.get_or_insert_with(word_segmenter) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() * 2);
    for part in js_sys::Array::from(&segmenter.segment(text)).iter() {
        let part: js_sys::Intl::SegmentData = part.unchecked_into();
        out.push_str(&String::from(part.segment()));
        out.push(' ');
    }
    Cow::Owned(out)
}

/// The browser's Chinese word segmenter, if it has one.
fn word_segmenter() -> Option<js_sys::Intl::Segmenter> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    if !js_sys::Reflect::has(&intl, &"Segmenter".into()).unwrap_or(false) {
        return None;
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"granularity".into(), &"word".into());
    Some(js_sys::Intl::Segmenter::new(
        &js_sys::Array::of1(&"zh".into()),
        &options,
    ))
}

/// The board's notes as a word cloud: each word sized by how many notes use it. A plain
/// wrapping row, the most frequent word in the middle and the rest alternately around it,
/// so nothing overlaps and each word reads in its own direction (`dir="auto"`).
fn word_cloud(t: T, state: &CafeState, board: Option<BoardId>) -> Html {
    let ideas = board_ideas(state, board);
    let mut segmenter = None;
    let spaced: Vec<Cow<'_, str>> = ideas
        .iter()
        .map(|i| spaced_words(&i.text, &mut segmenter))
        .collect();
    let words = word_counts(spaced.iter().map(|s| s.as_ref()), WORD_CLOUD_MAX);
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return html! { <p class="proj-empty" id="projector-empty">{ t.t("projector.waiting") }</p> };
    };
    let (hi, lo) = (first.count, last.count);
    let mut arranged = VecDeque::with_capacity(words.len());
    for (rank, w) in words.iter().enumerate() {
        if rank % 2 == 0 {
            arranged.push_back((rank, w));
        } else {
            arranged.push_front((rank, w));
        }
    }
    html! {
        <>
        <h2 class="sr-only">{ t.t("projector.word_cloud") }</h2>
        <ul class="word-cloud" id="projector-cloud">
            { for arranged.into_iter().map(|(rank, w)| {
                let size = cloud_size(w.count, lo, hi);
                html! {
                    <li class={classes!("cloud-word", format!("cloud-{}", rank % 5))} dir="auto"
                        data-count={w.count.to_string()} data-rank={rank.to_string()}
                        style={format!("font-size:{}.{}vh", size / 10, size % 10)}>{ w.word.clone() }</li>
                }
            }) }
        </ul>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct FloatsProps {
    /// How many `reactions` frames have arrived: a new one is what to float.
    frames: u64,
    added: ReactionCounts,
}

/// One emoji on its way up.
struct Float {
    id: u64,
    reaction: Reaction,
    left: u32,
    born: f64,
}

#[derive(Default)]
struct Floating {
    seen: u64,
    next: u64,
    items: Vec<Float>,
    prune: Option<Timeout>,
}

/// How long an emoji floats (the CSS animation's length, plus a little).
const FLOAT_MS: u32 = 4_200;
/// At most this many at once, and per kind per frame: a hall's applause is a flurry, not a
/// white-out.
const FLOATS_MAX: usize = 40;
const FLOATS_PER_KIND: u32 = 8;

/// Reactions floating up the screen, decorative (hidden from screen readers; the
/// facilitators' console counts them).
#[function_component(Floats)]
fn floats(p: &FloatsProps) -> Html {
    let live = use_mut_ref(Floating::default);
    let redraw = use_force_update();
    {
        let mut f = live.borrow_mut();
        if f.seen != p.frames {
            f.seen = p.frames;
            let now = js_sys::Date::now();
            f.items.retain(|x| now - x.born < f64::from(FLOAT_MS));
            for (r, n) in &p.added {
                for _ in 0..(*n).min(FLOATS_PER_KIND) {
                    if f.items.len() >= FLOATS_MAX {
                        break;
                    }
                    let id = f.next;
                    f.next += 1;
                    let left = 4 + (js_sys::Math::random() * 88.0) as u32;
                    f.items.push(Float {
                        id,
                        reaction: *r,
                        left,
                        born: now,
                    });
                }
            }
            let (live, redraw) = (live.clone(), redraw.clone());
            f.prune = Some(Timeout::new(FLOAT_MS, move || {
                let now = js_sys::Date::now();
                live.borrow_mut()
                    .items
                    .retain(|x| now - x.born < f64::from(FLOAT_MS));
                redraw.force_update();
            }));
        }
    }
    let f = live.borrow();
    html! {
        <div class="proj-floats" aria-hidden="true">
            { for f.items.iter().map(|x| html! {
                <span key={x.id} class="proj-float" data-reaction={x.reaction.as_str()}
                    style={format!("left:{}%", x.left)}>{ x.reaction.emoji() }</span>
            }) }
        </div>
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
        .map(Box::as_ref)
        .filter(|i| Some(i.board) == board && i.public())
        .collect()
}

/// Ideate: the board's notes, newest first.
fn wall(t: T, state: &CafeState, board: Option<BoardId>, fit: &Fit) -> Html {
    let ideas = board_ideas(state, board);
    // The projector is public: during private writing it holds none of the new notes, so it
    // says why the wall does not grow.
    let private = board
        .and_then(|b| state.boards.get(&b))
        .is_some_and(|b| b.private);
    if ideas.is_empty() {
        let text = if private {
            t.t("projector.private")
        } else {
            t.t("projector.waiting")
        };
        return html! { <p class="proj-empty" id="projector-empty">{ text }</p> };
    }
    let more = ideas.len().saturating_sub(WALL_MAX);
    html! {
        <>
        <FitPages id="projector-ideas" class="flow-notes" nudge={fit.nudge} turn_secs={fit.turn_secs}>
            { for ideas.iter().rev().take(WALL_MAX).map(|i| note(i)) }
        </FitPages>
        if more > 0 { <p class="proj-more">{ t.p("projector.newest", ideas.len() as u64, &[("shown", &WALL_MAX)]) }</p> }
        if private { <p class="proj-more" id="projector-private">{ t.t("projector.private") }</p> }
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
        .map(Box::as_ref)
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
                { for ranking.iter().map(|r| result_row(t, state, v, r, max)) }
            </FitPages>
        </div>
        </>
    }
}

/// The results beside the café's actions once it has some (both halves turn pages on
/// their own); the results alone until then.
fn with_actions(t: T, state: &CafeState, fit: &Fit, results: Html) -> Html {
    if state.actions.is_empty() {
        return results;
    }
    html! {
        <div class="proj-split">
            <div class="proj-half">{ results }</div>
            <div class="proj-half">
                <h2 class="proj-section">{ t.t("actions.next") }</h2>
                <div class="proj-results" id="projector-actions-box">
                    <FitPages id="projector-actions" class="flow-results proj-actions" nudge={fit.nudge} turn_secs={fit.turn_secs}>
                        { for state.actions.values().map(|a| html! {
                            <li key={a.id.0} class={classes!("proj-action", format!("action-{}", a.status.as_str()))}>
                                <span class="proj-action-text" dir="auto">{ a.text.clone() }</span>
                                <span class="proj-action-meta">
                                    if let Some(o) = owner_label(state, a) { <span dir="auto">{ o }</span> }
                                    if let Some(d) = &a.due { <span>{ t.f("actions.due_on", &[("date", d)]) }</span> }
                                    <span class={classes!("proj-action-status", format!("status-{}", a.status.as_str()))}>{ status_label(t, a.status) }</span>
                                </span>
                            </li>
                        }) }
                    </FitPages>
                </div>
            </div>
        </div>
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

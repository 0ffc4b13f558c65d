//! The participant's board, one screen per phase, phone first: the lobby's welcome; the
//! round's question, timer, composer and ideas while ideating; the themes while grouping;
//! the ballot with "N of M have voted" while voting; the ranked results and the actions
//! made of them; and, once closed, a thank-you with what the café chose and what happens
//! next (only an action's owner may still set where it stands).

use crate::client_state::ConnStatus;
use crate::components::actions::actions_list;
use crate::components::chrome::{Loading, NoticeBar, TopBar};
use crate::components::composer::{Compose, IdeaComposer};
use crate::components::floor_banner::floor_banner;
use crate::components::form::event_value;
use crate::components::host_banner::{facilitator_banner, host_banner};
use crate::components::ideas::{provenance_text, IdeaCard};
use crate::components::new_cluster::NewCluster;
use crate::components::question::Question;
use crate::components::reactions::reaction_bar;
use crate::components::results::{item_label, results_chart, vote_name};
use crate::components::timer_cue::TimerCue;
use crate::components::turnout::turnout_line;
use crate::hooks::{use_cafe_page, use_send, Viewer};
use crate::i18n::{use_lang, use_t, T};
use crate::pages::{person_name, CafeProps, Ctx};
use crate::session::now_ms;
use cafe_shared::{
    next_reaction_at, BoardId, CafeState, ClusterId, Command, IdeaId, Phase, Vote, VoteStatus,
};
use yew::prelude::*;

#[function_component(BoardPage)]
pub fn board_page(p: &CafeProps) -> Html {
    let t = use_t();
    let lang = use_lang();
    let page = use_cafe_page(&p.id, Viewer::Person);
    let chosen = use_state(|| None::<BoardId>);
    let heard = use_mut_ref(Heard::default);
    // The café's language is the board's until the person picks one (app.rs).
    let cafe_lang = page.as_ref().ok().and_then(|pg| {
        pg.session
            .client
            .borrow()
            .state
            .info
            .as_ref()
            .map(|i| i.language)
    });
    use_effect_with(cafe_lang, move |l| {
        if let Some(l) = *l {
            lang.cafe.emit(l);
        }
    });
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
    let me = c.me.and_then(|m| state.people.get(&m));
    let my_table =
        c.me.and_then(|m| state.table_of(m))
            .and_then(|tb| state.tables.get(&tb));
    let plenary = state.plenary;
    // Where to write and read while ideating and grouping: what I chose, else the table I
    // sit at, else the plenary. (Voting and results are café-wide: they ignore it.)
    let board = (*chosen).or(my_table.map(|tb| tb.board)).or(plenary);
    let Some(board) = board else {
        return html! { <Loading /> };
    };
    let title = state
        .info
        .as_ref()
        .map(|i| i.title.clone())
        .unwrap_or_default();
    // Name and table, each isolated: either may be written in the other direction.
    let subtitle = me.map(|m| {
        html! {
            <>
            <bdi>{ m.name.clone() }</bdi>
            if let Some(tb) = my_table { { " · " }<bdi>{ tb.name.clone() }</bdi> }
            </>
        }
    });
    let dismiss = {
        let s = session.clone();
        Callback::from(move |_| s.dismiss_notice())
    };

    let tabs = match (my_table, plenary) {
        (Some(tb), Some(pl)) => {
            let tab = |id: BoardId, label: String| {
                let chosen = chosen.clone();
                let onclick = Callback::from(move |_| chosen.set(Some(id)));
                html! {
                    <button class={classes!("tab", (board == id).then_some("tab-on"))}
                        aria-pressed={(board == id).to_string()} {onclick}>{ label }</button>
                }
            };
            html! {
                <nav class="tabs" aria-label={t.t("board.boards")}>
                    { tab(tb.board, tb.name.clone()) }
                    { tab(pl, t.t("board.plenary").to_string()) }
                </nav>
            }
        }
        _ => html! {},
    };
    let phase = state.phase;
    // Each phase its own screen: what is happening now, and only what one can do in it.
    let screen = match phase {
        Phase::Lobby => html! {},
        Phase::Ideate | Phase::Group => {
            let refused = ctx
                .may(|me| state.may_post(me, board))
                .err()
                .map(|r| r.code);
            // Said before one writes: who will read it, and when.
            let private = state.boards.get(&board).is_some_and(|b| b.private);
            html! {
                <>
                { tabs }
                if private {
                    <p class="private-banner" id="private-banner" role="status">{ t.t("board.private_writing") }</p>
                }
                // Grouping is reading and sorting: the box shows only to those who may
                // still write (a table's host, a facilitator).
                if phase == Phase::Ideate || refused.is_none() {
                    <IdeaComposer target={Compose::Post { board }} class={classes!("composer", "card")}
                        input_id="idea-input" submit_id="post-idea" label={t.t("board.your_idea")}
                        placeholder={t.t("board.idea_placeholder")} closed={refused} />
                }
                { idea_wall(&ctx, state, board, &c.outbox.pending_ideas(), c.status != ConnStatus::Connected) }
                if plenary.is_some_and(|pl| pl != board) { { plenary_themes(t, state) } }
                </>
            }
        }
        Phase::Vote => vote_screen(&ctx, state),
        Phase::Results => results_screen(&ctx, state),
        Phase::Closed => closed_screen(&ctx, state),
    };
    // Where to sit matters before and during the table rounds, not for the café-wide vote.
    let table_name = matches!(phase, Phase::Lobby | Phase::Ideate | Phase::Group)
        .then(|| my_table.map(|tb| tb.name.clone()))
        .flatten();

    let said = heard
        .borrow_mut()
        .hear(t, state, c.me, phase, c.floor.is_some());
    page.provide(html! {
        <>
        <TopBar title={title} subtitle={subtitle} phase={Some(phase)}
            timer={state.timer} clock_offset={c.clock_offset} status={Some(c.status)}
            pending={c.outbox.unanswered_count()} />
        <main class="page board-page" id="board" data-phase={phase.as_str()}>
            <NoticeBar notice={c.notice.clone()} on_close={dismiss} />
            { floor_banner(t, session, c.floor.is_some()) }
            { host_banner(t, &p.id, state, c.me) }
            { facilitator_banner(t, &p.id, state, c.me) }
            { prompt_card(t, state, table_name) }
            // The ballot and the results come first on a phone; hand and ready follow them.
            if matches!(phase, Phase::Lobby | Phase::Ideate | Phase::Group) { { hand_and_ready(&ctx, state) } }
            { screen }
            if matches!(phase, Phase::Vote | Phase::Results) { { hand_and_ready(&ctx, state) } }
            // The timed phases: whether this phone beeps when time is up.
            if matches!(phase, Phase::Lobby | Phase::Ideate | Phase::Group | Phase::Vote) {
                <div class="cue-row"><TimerCue timer={state.timer} clock_offset={c.clock_offset} /></div>
            }
            if ctx.allowed(|me| state.may_react(me)) {
                { reaction_bar(t, session, next_reaction_at(&c.my_reactions, now_ms()).is_some(), c.reaction_refused) }
            }
            // The one place the board speaks up for screen readers: what changed for me.
            <p class="sr-only" id="announcer" role="status" aria-live="polite">{ said }</p>
        </main>
        </>
    })
}

/// What the board last said to screen readers, and what it had seen then. The wall, the
/// ballot and the counters are not live regions: in a café of hundreds they would talk
/// all the time. Only my note arriving, the phase changing, my dots left after a cast and
/// being given the floor are said, politely, in one region.
#[derive(Default)]
struct Heard {
    phase: Option<Phase>,
    mine: usize,
    left: Option<u32>,
    called: bool,
    said: String,
    /// Flips so that the same words said twice are still a change the reader announces.
    again: bool,
}

impl Heard {
    fn hear(
        &mut self,
        t: T,
        state: &CafeState,
        me: Option<cafe_shared::PersonId>,
        phase: Phase,
        called: bool,
    ) -> String {
        let mine = me.map_or(0, |m| {
            state.ideas.values().filter(|i| i.author == Some(m)).count()
        });
        let left = me.and_then(|m| state.open_votes().last().map(|v| v.remaining_for(m)));
        let mut said = None;
        if let Some(before) = self.phase {
            if before != phase {
                said = Some(t.f("live.phase", &[("phase", &t.phase(phase))]));
            } else if mine > self.mine {
                said = Some(t.t("live.note_arrived").to_string());
            } else if let (Some(a), Some(b)) = (self.left, left) {
                if a != b {
                    said = Some(t.p("board.dots_left", u64::from(b), &[]));
                }
            }
            if called && !self.called {
                said = Some(t.t("floor.title").to_string());
            }
        }
        (self.phase, self.mine, self.left, self.called) = (Some(phase), mine, left, called);
        if let Some(s) = said {
            self.again = !self.again;
            self.said = if self.again { s } else { format!("{s}\u{a0}") };
        }
        self.said.clone()
    }
}

/// The café's question (and the round's, while ideating), my table, and what to do now.
fn prompt_card(t: T, state: &CafeState, table: Option<String>) -> Html {
    let round = state
        .current_round()
        .filter(|_| matches!(state.phase, Phase::Lobby | Phase::Ideate));
    let hint = match state.phase {
        Phase::Lobby => t.t("board.lobby_hint"),
        Phase::Ideate => t.t("board.ideate_hint"),
        Phase::Group => t.t("board.group_hint"),
        Phase::Vote => t.t("board.vote_hint"),
        Phase::Results => t.t("board.results_hint"),
        Phase::Closed => t.t("board.closed_hint"),
    };
    let question = Question::of(state);
    html! {
        <section class="prompt" id="question" aria-label={t.t("question.cafe")}>
            { question.lines(t) }
            if let Some(r) = round.filter(|r| r.prompt.is_empty()) {
                <p class="q-label">{ t.f("board.round", &[("n", &r.number)]) }</p>
            }
            if let Some(name) = table {
                <p class="prompt-table">{ t.h("board.your_table", &[("name", &name)]) }</p>
            }
            // Closed: the thank-you card below says it.
            if state.phase != Phase::Closed { <p class="prompt-hint" id="phase-now">{ hint }</p> }
        </section>
    }
}

fn hand_and_ready(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let Some(me) = ctx.me.and_then(|m| state.people.get(&m)) else {
        return html! {};
    };
    if !ctx.allowed(|me| state.may_raise_hand(me)) {
        return html! {};
    }
    let raised = state.hands.contains(&me.id);
    let send = ctx.send();
    let hand = {
        let send = send.clone();
        // Built at the click rather than cloned: no `Command::clone` in the bundle.
        Callback::from(move |_| {
            send.emit(if raised {
                Command::LowerHand
            } else {
                Command::RaiseHand
            })
        })
    };
    let ready = {
        let r = !me.ready;
        Callback::from(move |_| send.emit(Command::SetReady { ready: r }))
    };
    let position = state.hands.iter().position(|h| *h == me.id);
    html! {
        <div class="action-row">
            <button id="hand" class={classes!("btn", raised.then_some("btn-on"))} aria-pressed={raised.to_string()} onclick={hand}>
                { if raised { t.t("board.lower_hand") } else { t.t("board.raise_hand") } }
            </button>
            <button id="ready" class={classes!("btn", me.ready.then_some("btn-on"))} aria-pressed={me.ready.to_string()} onclick={ready}>
                { if me.ready { t.t("board.ready_on") } else { t.t("board.ready") } }
            </button>
            if let Some(pos) = position {
                <span class="muted">{ t.f("board.hand_position", &[("n", &(pos + 1))]) }</span>
            }
        </div>
    }
}

/// The vote phase: the open ballot at once, with "N of M have voted"; or, if the
/// facilitator opened none, that one is coming.
fn vote_screen(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let open: Vec<&Vote> = state.open_votes().collect();
    if open.is_empty() {
        // Closed early (or revealed) by the facilitator while still in this phase: say so,
        // with the results once revealed; with no vote yet, that one is coming.
        let latest = state.votes.values().next_back();
        return html! {
            <section class="card vote-panel" id="vote" aria-labelledby="vote-title">
                <h2 id="vote-title">{ if latest.is_some_and(|v| v.revealed) { t.t("results.title") } else { t.t("vote.title") } }</h2>
                if let Some(v) = latest {
                    if v.revealed {
                        { results_chart(t, state, v.id, false, usize::MAX) }
                    } else {
                        <p class="muted">{ t.t("vote.waiting_reveal") }</p>
                    }
                } else {
                    <p class="muted" id="vote-preparing">{ t.t("vote.preparing") }</p>
                }
            </section>
        };
    }
    html! {
        // Newest first; ids stay unique when, rarely, several boards vote apart.
        { for open.into_iter().rev().enumerate().map(|(n, vote)| {
            let (id, title) = if n == 0 { ("vote".to_string(), "vote-title".to_string()) }
                else { (format!("vote-{}", vote.id), format!("vote-title-{}", vote.id)) };
            html! {
            <section class="card vote-panel" id={id} aria-labelledby={title.clone()}>
                <h2 id={title}>{ t.t("vote.title") }</h2>
                <p class="vote-name" dir="auto">{ vote_name(t, state, vote) }</p>
                { turnout_line(t, state, vote) }
                if ctx.allowed(|me| state.may_vote(me, vote.id)) { { ballot(ctx, state, vote) } }
                // A live vote's totals reach everyone's view as they change (view.rs).
                if !vote.totals.is_empty() {
                    { results_chart(t, state, vote.id, false, usize::MAX) }
                }
            </section>
        }}) }
    }
}

/// The latest vote everybody may see the results of.
fn shown_results(state: &CafeState) -> Option<&Vote> {
    state
        .votes
        .values()
        .rev()
        .map(Box::as_ref)
        .find(|v| v.status == VoteStatus::Closed && v.revealed)
}

/// The results phase: the ranked results, nothing to vote on, and the actions as the
/// facilitators make them.
fn results_screen(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    html! {
        <>
        <section class="card vote-panel" id="results" aria-labelledby="results-title">
            <h2 id="results-title">{ t.t("results.title") }</h2>
            if let Some(v) = shown_results(state) {
                <p class="vote-name" dir="auto">{ vote_name(t, state, v) }</p>
                { turnout_line(t, state, v) }
                { results_chart(t, state, v.id, false, usize::MAX) }
            } else {
                <p class="muted">{ t.t("results.none") }</p>
            }
        </section>
        { actions_list(ctx, state) }
        </>
    }
}

/// The closed café: a thank-you, what it chose and what happens next. Nothing invites
/// action but an action's owner saying where it stands.
fn closed_screen(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    html! {
        <>
        <section class="card closed-view" id="closed" aria-labelledby="closed-title">
            <h2 id="closed-title">{ t.t("closed.thanks") }</h2>
            <p>{ t.t("closed.body") }</p>
        </section>
        if let Some(v) = shown_results(state) {
            <section class="card vote-panel" id="results" aria-labelledby="results-title">
                <h2 id="results-title">{ t.t("closed.results") }</h2>
                { results_chart(t, state, v.id, false, usize::MAX) }
            </section>
        }
        { actions_list(ctx, state) }
        </>
    }
}

fn ballot(ctx: &Ctx, state: &CafeState, vote: &Vote) -> Html {
    let t = ctx.t;
    let Some(me) = ctx.me else {
        return html! {};
    };
    let left = vote.remaining_for(me);
    let send = ctx.send();
    html! {
        <>
        <p class="dots-left" id="dots-left">
            <strong>{ t.p("board.dots_left", u64::from(left), &[]) }</strong>
            { " · " }{ t.f("vote.of_budget", &[("n", &vote.budget)]) }
            { " · " }{ t.f("vote.cap", &[("n", &vote.per_item_cap)]) }
        </p>
        <p class="muted small">{ if left == 0 { t.t("vote.all_cast") } else { t.t("vote.how") } }</p>
        <ul class="ballot">
            { for vote.items.iter().map(|item| {
                let mine = vote.dots_on(me, *item);
                let cast = Command::CastDot { vote: vote.id, item: *item };
                let retract = Command::RetractDot { vote: vote.id, item: *item };
                let can_cast = state.may_cast_dot(me, vote.id, *item).is_ok();
                let can_retract = state.may_retract_dot(me, vote.id, *item).is_ok();
                let label = item_label(state, vote.target, *item);
                let (s1, s2) = (send.clone(), send.clone());
                html! {
                    <li class="ballot-item">
                        <span class="ballot-label" dir="auto">{ label.clone() }</span>
                        // Words for screen readers, circles for the eye (a plain span may
                        // not carry an aria-label: axe's aria-prohibited-attr).
                        <span class="ballot-dots">
                            <span class="sr-only">{ t.f("vote.my_dots", &[("n", &mine)]) }</span>
                            { for (0..vote.per_item_cap).map(|i| html! {
                                <span class={classes!("dot", (i < mine).then_some("dot-on"))} aria-hidden="true"></span>
                            }) }
                        </span>
                        <button class="btn btn-round" disabled={!can_retract}
                            aria-label={t.f("vote.remove_dot", &[("item", &label)])}
                            onclick={Callback::from(move |_| s1.emit(retract.clone()))}>{ "−" }</button>
                        <button class="btn btn-round btn-primary cast-dot" disabled={!can_cast}
                            aria-label={t.f("vote.add_dot", &[("item", &label)])}
                            onclick={Callback::from(move |_| s2.emit(cast.clone()))}>{ "+" }</button>
                    </li>
                }
            }) }
        </ul>
        </>
    }
}

fn idea_wall(
    ctx: &Ctx,
    state: &CafeState,
    board: BoardId,
    pending: &[crate::outbox::PendingIdea],
    offline: bool,
) -> Html {
    let t = ctx.t;
    let ideas: Vec<_> = state.ideas.values().filter(|i| i.board == board).collect();
    let clusters: Vec<_> = state
        .clusters
        .values()
        .map(Box::as_ref)
        .filter(|c| c.board == board)
        .collect();
    let grouping = state.phase == Phase::Group || !clusters.is_empty();
    let pend: Vec<_> = pending.iter().filter(|p| p.board == board).collect();
    let card = |i: &cafe_shared::Idea| {
        html! { <IdeaItem key={i.id.0} idea={i.clone()}
        author={person_name(state, i.author)} mine={i.author.is_some() && i.author == ctx.me}
        can_edit={ctx.allowed(|me| state.may_edit_idea(me, i.id))}
        can_delete={ctx.allowed(|me| state.may_delete_idea(me, i.id))}
        can_harvest={ctx.allowed(|me| state.may_harvest(me, i.id))}
        harvested={state.harvest_copy_of(i.id).is_some()}
        from={i.provenance.as_ref().map(|p| AttrValue::from(provenance_text(t, p)))}
        clusters={move_targets(ctx, state, i, &clusters)} /> }
    };
    // My notes not on the board yet take the place they will have once there (newest first
    // on the wall, last among the unsorted while grouping), so nothing jumps when they land.
    let pending_card = |p: &&crate::outbox::PendingIdea| {
        html! { <IdeaCard key={p.id.clone()} text={p.text.clone()} pending=true {offline} mine=true tint={0} /> }
    };
    // Mine waiting to be sent count: they are on my board, just not the room's yet.
    let count = ideas.len() + pend.len();
    // Said once above the notes, so a note's own "waiting" badge is not a surprise.
    let waiting = ideas
        .iter()
        .any(|i| i.awaiting_approval() && i.author.is_some() && i.author == ctx.me);
    html! {
        <section class="wall-section" aria-labelledby="wall-title">
            <div class="section-head">
                <h2 id="wall-title">{ t.t("board.ideas") }</h2>
                <span class="muted" id="idea-count">{ t.p("board.count", count as u64, &[]) }</span>
            </div>
            if waiting {
                <p class="muted" id="moderated-hint">{ t.t("board.moderated_hint") }</p>
            }
            if ctx.allowed(|me| state.may_create_cluster(me, board)) {
                <NewCluster board={board} input_id="cluster-title" />
            }
            if grouping {
                { for clusters.iter().map(|cl| html! {
                    <div class="cluster" key={cl.id.0}>
                        <h3 class="cluster-title" dir="auto">{ cl.title.clone() }</h3>
                        <ul class="wall">
                            { for ideas.iter().filter(|i| i.cluster == Some(cl.id)).map(|i| card(i)) }
                        </ul>
                    </div>
                }) }
                <div class="cluster cluster-loose">
                    if !clusters.is_empty() { <h3 class="cluster-title">{ t.t("cluster.unsorted") }</h3> }
                    <ul class="wall" id="ideas">
                        { for ideas.iter().filter(|i| i.cluster.is_none()).map(|i| card(i)) }
                        { for pend.iter().map(pending_card) }
                    </ul>
                </div>
            } else {
                <ul class="wall" id="ideas">
                    { for pend.iter().rev().map(pending_card) }
                    { for ideas.iter().rev().map(|i| card(i)) }
                </ul>
            }
            if count == 0 && pend.is_empty() { <p class="empty">{ t.t("board.no_ideas") }</p> }
        </section>
    }
}

/// The plenary's themes with their notes, read-only, under a table's board: what the whole
/// room is converging on, without switching tabs.
fn plenary_themes(t: T, state: &CafeState) -> Html {
    let Some(plenary) = state.plenary else {
        return html! {};
    };
    let themes: Vec<_> = state
        .clusters
        .values()
        .filter(|c| c.board == plenary)
        .collect();
    if themes.is_empty() {
        return html! {};
    }
    html! {
        <section class="card plenary-themes" id="plenary-themes" aria-labelledby="plenary-themes-title">
            <h2 id="plenary-themes-title">{ t.t("board.plenary_themes") }</h2>
            { for themes.iter().map(|c| {
                let notes: Vec<_> = state.ideas.values().filter(|i| i.cluster == Some(c.id)).collect();
                html! {
                    <div class="plenary-theme" key={c.id.0}>
                        <h3 class="cluster-title" dir="auto">{ c.title.clone() }
                            <span class="muted theme-size">{ format!(" ({})", notes.len()) }</span></h3>
                        <ul class="plenary-theme-notes">
                            { for notes.iter().map(|i| html! { <li dir="auto">{ i.text.clone() }</li> }) }
                        </ul>
                    </div>
                }
            }) }
        </section>
    }
}

/// The clusters an idea may move to (its own included, so the picker shows where it is);
/// none while it may not move at all, which hides the picker.
fn move_targets(
    ctx: &Ctx,
    state: &CafeState,
    idea: &cafe_shared::Idea,
    clusters: &[&cafe_shared::Cluster],
) -> Vec<(ClusterId, String)> {
    if clusters.is_empty() || !ctx.allowed(|me| state.may_move_idea(me, idea.id, None)) {
        return Vec::new();
    }
    clusters
        .iter()
        .filter(|c| {
            idea.cluster == Some(c.id)
                || ctx.allowed(|me| state.may_move_idea(me, idea.id, Some(c.id)))
        })
        .map(|c| (c.id, c.title.clone()))
        .collect()
}

#[derive(Properties, PartialEq)]
struct IdeaItemProps {
    idea: cafe_shared::Idea,
    author: Option<String>,
    mine: bool,
    can_edit: bool,
    can_delete: bool,
    /// The table's host (or a facilitator) may send this note to the plenary.
    #[prop_or_default]
    can_harvest: bool,
    /// A copy of this table note is on the plenary.
    #[prop_or_default]
    harvested: bool,
    /// Where a harvested plenary note came from.
    #[prop_or_default]
    from: Option<AttrValue>,
    /// Clusters the idea may move to (empty: no grouping controls).
    clusters: Vec<(ClusterId, String)>,
}

#[function_component(IdeaItem)]
fn idea_item(p: &IdeaItemProps) -> Html {
    let t = use_t();
    let send = use_send();
    let editing = use_state(|| false);
    let id: IdeaId = p.idea.id;
    if *editing {
        let done = {
            let editing = editing.clone();
            Callback::from(move |()| editing.set(false))
        };
        let target = Compose::Edit {
            idea: id,
            category: p.idea.category.clone(),
        };
        return html! {
            <li class="note note-editing">
                <IdeaComposer {target} input_id={format!("edit-{id}")} label={t.t("idea.edit")} label_hidden=true
                    initial={p.idea.text.clone()} on_done={done} />
            </li>
        };
    }
    let tint = (p.idea.id.0 % 5) as u8;
    let edit = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(true))
    };
    let delete = {
        let send = send.clone();
        Callback::from(move |_| send.emit(Command::DeleteIdea { idea: id }))
    };
    let harvest = {
        let send = send.clone();
        Callback::from(move |_| send.emit(Command::HarvestIdeas { ideas: vec![id] }))
    };
    let move_to = Callback::from(move |e: Event| {
        let cluster = event_value(&e).parse::<u64>().ok().map(ClusterId);
        send.emit(Command::MoveIdea { idea: id, cluster });
    });
    let show_actions = (p.mine && (p.can_edit || p.can_delete))
        || !p.clusters.is_empty()
        || p.can_harvest
        || p.harvested;
    let author = p.author.clone().map(AttrValue::from);
    let from = p.from.clone();
    if !show_actions {
        return html! { <IdeaCard text={p.idea.text.clone()} {author} {from} hidden={p.idea.hidden} rejected={p.idea.rejected} private={p.idea.private} mine={p.mine} {tint} /> };
    }
    html! {
        <IdeaCard text={p.idea.text.clone()} {author} {from} hidden={p.idea.hidden} rejected={p.idea.rejected} private={p.idea.private} mine={p.mine} {tint}>
            if p.can_harvest {
                <button class="btn btn-small harvest-one" onclick={harvest}>{ t.t("harvest.send_one") }</button>
            } else if p.harvested {
                <span class="badge badge-harvested">{ t.t("harvest.done") }</span>
            }
            if p.mine && p.can_edit { <button class="btn btn-small btn-ghost" onclick={edit}>{ t.t("idea.edit") }</button> }
            if p.mine && p.can_delete { <button class="btn btn-small btn-ghost" onclick={delete}>{ t.t("idea.delete") }</button> }
            if !p.clusters.is_empty() {
                <label class="move">
                    <span class="sr-only">{ t.t("cluster.move") }</span>
                    <select class="input input-small" onchange={move_to} aria-label={t.t("cluster.move")}>
                        <option value="" selected={p.idea.cluster.is_none()}>{ t.t("cluster.none") }</option>
                        { for p.clusters.iter().map(|(cid, title)| html! {
                            <option value={cid.0.to_string()} selected={p.idea.cluster == Some(*cid)} dir="auto">{ title.clone() }</option>
                        }) }
                    </select>
                </label>
            }
        </IdeaCard>
    }
}

//! The facilitator's console: phases, timer, tables and rounds, people and presence, the
//! raised-hand queue, moderation, themes, votes and exports. Laptop first, but usable on a
//! tablet.

use crate::api;
use crate::components::chrome::{NoticeBar, TopBar};
use crate::components::exports::export_links;
use crate::hooks::{use_cafe_page, Viewer};
use crate::i18n::{use_t, T};
use crate::pages::{CafeProps, Ctx};
use crate::session::now_ms;
use cafe_shared::{BoardId, CafeState, Command, Phase, ProjectorView, ReactionCounts};
use yew::prelude::*;

mod actions;
mod device_link;
mod edit_cafe;
mod harvest;
mod moderation;
mod people;
mod phase;
mod queue;
mod remove_people;
mod tables;
mod themes;
mod vote;
use crate::components::question::Question;
use actions::{action_rows, owners, top_results, ActionsCard};
use device_link::DeviceLink;
use edit_cafe::QuestionCard;
use harvest::{harvest_tables, HarvestCard};
use moderation::moderation_card;
use people::{hands_card, people_card};
use phase::{phase_card, TimerCan, TimerCard};
use queue::queue_card;
use remove_people::{remove_rows, RemovePeopleCard};
use tables::{movable, table_rows, unseated, TablesCard};
use themes::{themes_props, ThemesCard};
use vote::{vote_card, votes_card};

#[function_component(ConsolePage)]
pub fn console_page(p: &CafeProps) -> Html {
    let t = use_t();
    let page = use_cafe_page(&p.id, Viewer::Person);
    let mod_board = use_state(|| None::<BoardId>);
    let theme_board = use_state(|| None::<BoardId>);
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
    let can_facilitate = ctx.allowed(|me| state.may_facilitate(me));
    // Every card, in the order they read when nothing is more urgent. `arrange` then lifts
    // what this phase needs to the top; the rest stays on the page below, never hidden.
    let cards: Vec<(Card, Html)> = vec![
        (Card::Phase, phase_card(&ctx, state)),
        (Card::Queue, queue_card(&ctx, state)),
        (
            Card::Question,
            html! {
                <QuestionCard info={state.info.clone()} question={Question::of(state)}
                    can_edit={ctx.allowed(|me| state.may_update_cafe(me))}
                    can_change_anonymity={ctx.allowed(|me| state.may_change_anonymity(me))}
                    unanswered={c.outbox.unanswered().map(|e| e.id.clone()).collect::<Vec<_>>()}
                    rejected={c.rejected.clone()} />
            },
        ),
        (
            Card::Timer,
            html! {
                <TimerCard timer={state.timer} can={TimerCan::new(&ctx, state, c.server_now(now_ms()))} />
            },
        ),
        (
            Card::Share,
            html! {
                <section class="card share-card" aria-labelledby="share-title">
                    <h2 id="share-title">{ t.t("console.share") }</h2>
                    <p class="label">{ t.t("share.code") }</p>
                    <p class="join-code small" id="console-code">{ code }</p>
                    <img class="qr" src={api::qr_url(&id)} alt={t.t("share.qr_alt")} width="140" height="140" />
                    <div class="link-grid">
                        <a class="btn" href={format!("/c/{id}")}>{ t.t("nav.board") }</a>
                        <a class="btn" href={format!("/c/{id}/scribe")}>{ t.t("nav.scribe") }</a>
                    </div>
                    if ctx.allowed(|me| state.may_manage_links(me)) {
                        <a id="access-links" class="btn btn-block" href={format!("/c/{id}/links")}>{ t.t("console.access_links") }</a>
                    }
                    if let Some(creds) = &page.creds {
                        <DeviceLink cafe={id.clone()} token={creds.token.clone()}
                            projector_token={creds.projector_token.clone().map(AttrValue::from)} />
                    }
                </section>
            },
        ),
        (Card::People, people_card(&ctx, state)),
        (Card::Hands, hands_card(&ctx, state)),
        (
            Card::Tables,
            html! {
                <TablesCard tables={table_rows(&ctx, state)} unseated={unseated(state)} movable={movable(&ctx, state)} rounds={state.rounds.len()}
                    can_create={can_facilitate}
                    round_refused={ctx.may(|me| state.may_start_round(me)).err().map(|r| r.code)} />
            },
        ),
        (
            Card::Ideas,
            moderation_card(&ctx, state, board, mod_board.clone()),
        ),
        (
            Card::Themes,
            match (*theme_board).or(state.plenary) {
                Some(b) => {
                    let pick = theme_board.clone();
                    let on_board = Callback::from(move |b| pick.set(Some(b)));
                    let props = themes_props(&ctx, state, b, board_choices(t, state), on_board);
                    html! { <ThemesCard ..props /> }
                }
                None => html! {},
            },
        ),
        (
            Card::Harvest,
            html! { <HarvestCard tables={harvest_tables(&ctx, state)} /> },
        ),
        (
            Card::Projector,
            projector_card(
                &ctx,
                state,
                &c.reactions.totals,
                page.creds
                    .as_ref()
                    .and_then(|c| c.projector_token.as_deref()),
                &id,
            ),
        ),
        (
            Card::Actions,
            html! {
                <ActionsCard top={top_results(&ctx, state)} rows={action_rows(&ctx, state)} owners={owners(state)}
                    can_create={ctx.allowed(|me| state.may_create_action(me))} />
            },
        ),
        (Card::NewVote, vote_card(&ctx, state)),
        (Card::Votes, votes_card(&ctx, state)),
        (
            Card::Exports,
            match &page.creds {
                Some(creds) => html! {
                    <section class="card" aria-labelledby="exports-title">
                        <h2 id="exports-title">{ t.t("console.exports") }</h2>
                        { export_links(t, &id, &creds.token) }
                    </section>
                },
                None => html! {},
            },
        ),
        (
            Card::RemovePeople,
            if can_facilitate {
                html! { <RemovePeopleCard rows={remove_rows(&ctx, state)} now={c.server_now(now_ms())} /> }
            } else {
                html! {}
            },
        ),
    ];
    let waiting = !state.awaiting_approval().is_empty();
    let (now, rest) = arrange(state.phase, waiting, cards);
    page.provide(html! {
        <>
        <TopBar title={title} subtitle={Some(Html::from(t.t("nav.console")))} phase={Some(state.phase)}
            timer={state.timer} clock_offset={c.clock_offset} status={Some(c.status)}
            pending={c.outbox.unanswered_count()} />
        <main class="page console">
            <NoticeBar notice={c.notice.clone()} on_close={dismiss} />
            // One keyed list, so a card that moves up or down with the phase keeps what the
            // facilitator was typing in it.
            <div class="console-grid" id="console-cards">
                { for slots(t, state.phase, now, rest) }
            </div>
        </main>
        </>
    })
}

/// The console's cards. New cards get a name here, a line in `cards` above and, where a
/// phase needs them first, a place in [`first_in`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Card {
    Phase,
    Queue,
    Question,
    Timer,
    Share,
    People,
    Hands,
    Tables,
    Ideas,
    Themes,
    Harvest,
    Projector,
    NewVote,
    Votes,
    Actions,
    Exports,
    RemovePeople,
}

impl Card {
    fn name(self) -> &'static str {
        match self {
            Card::Phase => "phase",
            Card::Queue => "queue",
            Card::Question => "question",
            Card::Timer => "timer",
            Card::Share => "share",
            Card::People => "people",
            Card::Hands => "hands",
            Card::Tables => "tables",
            Card::Ideas => "ideas",
            Card::Themes => "themes",
            Card::Harvest => "harvest",
            Card::Projector => "projector",
            Card::NewVote => "new-vote",
            Card::Votes => "votes",
            Card::Actions => "actions",
            Card::Exports => "exports",
            Card::RemovePeople => "remove-people",
        }
    }
}

/// What the facilitator reaches for in each phase, most urgent first. The phase card leads
/// always: moving on is the one thing every phase needs. Ideas waiting for approval come
/// right after it, whatever the phase: their authors are waiting.
fn first_in(phase: Phase, waiting: bool) -> Vec<Card> {
    let mut cards = by_phase(phase).to_vec();
    if waiting {
        cards.insert(1, Card::Queue);
    }
    cards
}

fn by_phase(phase: Phase) -> &'static [Card] {
    match phase {
        Phase::Lobby => &[
            Card::Phase,
            Card::Share,
            Card::People,
            Card::Question,
            Card::Projector,
        ],
        Phase::Ideate => &[
            Card::Phase,
            Card::Timer,
            Card::Tables,
            Card::Hands,
            Card::Ideas,
        ],
        Phase::Group => &[
            Card::Phase,
            Card::Themes,
            Card::Harvest,
            Card::Ideas,
            Card::NewVote,
            Card::Projector,
        ],
        Phase::Vote => &[
            Card::Phase,
            Card::NewVote,
            Card::Votes,
            Card::Projector,
            Card::Timer,
        ],
        Phase::Results => &[
            Card::Phase,
            Card::Actions,
            Card::Votes,
            Card::Exports,
            Card::Projector,
        ],
        Phase::Closed => &[Card::Phase, Card::Actions, Card::Votes, Card::Exports],
    }
}

/// Cards with what shows them.
type Cards<C> = Vec<(Card, C)>;

/// Splits the cards into this phase's (in its order) and the rest (in theirs).
fn arrange<C>(phase: Phase, waiting: bool, cards: Cards<C>) -> (Cards<C>, Cards<C>) {
    let first = first_in(phase, waiting);
    let (mut now, rest): (Vec<_>, Vec<_>) = cards.into_iter().partition(|(c, _)| first.contains(c));
    now.sort_by_key(|(c, _)| first.iter().position(|f| f == c));
    (now, rest)
}

/// The cards in one keyed list (a card that moves up or down with the phase keeps what
/// the facilitator was typing in it), each in a box the grid sees through
/// (`display: contents`) and named for tests, under a heading for each band.
fn slots(t: T, phase: Phase, now: Vec<(Card, Html)>, rest: Vec<(Card, Html)>) -> Vec<Html> {
    let slot = |when: &'static str| {
        move |(card, html): (Card, Html)| {
            html! {
                <div key={card.name()} class="console-slot" data-card={card.name()} data-when={when}>{ html }</div>
            }
        }
    };
    let mut out = vec![html! {
        <h2 key="band-now" class="console-band" id="console-now-title">{ t.f("console.now", &[("phase", &t.phase(phase))]) }</h2>
    }];
    out.extend(now.into_iter().map(slot("now")));
    out.push(html! {
        <h2 key="band-later" class="console-band" id="console-later-title">{ t.t("console.more") }</h2>
    });
    out.extend(rest.into_iter().map(slot("later")));
    out
}

/// What the projector shows, switched from here so nobody touches the projector's laptop.
fn projector_card(
    ctx: &Ctx,
    state: &CafeState,
    reactions: &ReactionCounts,
    token: Option<&str>,
    id: &str,
) -> Html {
    let t = ctx.t;
    let shown = state.projected_board();
    let view = state.projector_view;
    let send = ctx.send();
    let can = shown.is_some_and(|b| ctx.allowed(|me| state.may_set_projector(me, b)));
    let on_change = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(b) = crate::components::form::event_value(&e).parse::<u64>() {
                send.emit(Command::SetProjector {
                    board: BoardId(b),
                    view,
                });
            }
        })
    };
    let on_view = Callback::from(move |e: Event| {
        let v = ProjectorView::from_wire(&crate::components::form::event_value(&e));
        if let (Some(board), Some(view)) = (shown, v) {
            send.emit(Command::SetProjector { board, view });
        }
    });
    html! {
        <section class="card" aria-labelledby="projector-title">
            <h2 id="projector-title">{ t.t("console.projector") }</h2>
            <label class="label" for="projector-board-choice">{ t.t("console.projector_board") }</label>
            <select id="projector-board-choice" class="input" disabled={!can} onchange={on_change}>
                { for board_choices(t, state).into_iter().map(|(b, name)| html! {
                    <option value={b.0.to_string()} selected={Some(b) == shown}>{ name }</option>
                }) }
            </select>
            <label class="label" for="projector-view-choice">{ t.t("console.projector_view") }</label>
            <select id="projector-view-choice" class="input" disabled={!can} onchange={on_view}>
                { for ProjectorView::ALL.into_iter().map(|v| html! {
                    <option value={v.as_str()} selected={v == view}>{ t.t(&format!("projector_view.{}", v.as_str())) }</option>
                }) }
            </select>
            <p class="muted small">{ t.t("console.projector_hint") }</p>
            // The server's counts since it loaded the café, as of the last reaction this
            // console heard: reactions are not stored, so a console opened later starts blank.
            <p class="reaction-counts" id="console-reactions" aria-live="polite">
                <span class="label">{ t.t("console.reactions") }</span>
                if reactions.is_empty() {
                    <span class="muted">{ t.t("console.no_reactions") }</span>
                }
                { for reactions.iter().map(|(r, n)| html! {
                    <span class="reaction-count" role="img" data-reaction={r.as_str()}
                        aria-label={t.f("console.reaction_count", &[("what", &t.t(&format!("reaction.{}", r.as_str()))), ("n", n)])}>
                        { r.emoji() }{ " " }{ n }
                    </span>
                }) }
            </p>
            if let Some(pt) = token {
                <a id="projector-link" class="btn" target="_blank" rel="noopener" href={format!("/c/{id}/projector#token={pt}")}>{ t.t("nav.projector") }</a>
            }
        </section>
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const ALL: [Card; 17] = [
        Card::Phase,
        Card::Queue,
        Card::Question,
        Card::Timer,
        Card::Share,
        Card::People,
        Card::Hands,
        Card::Tables,
        Card::Ideas,
        Card::Themes,
        Card::Harvest,
        Card::Projector,
        Card::NewVote,
        Card::Votes,
        Card::Actions,
        Card::Exports,
        Card::RemovePeople,
    ];

    #[test]
    fn every_phase_lifts_its_cards_and_hides_none() {
        for phase in [
            Phase::Lobby,
            Phase::Ideate,
            Phase::Group,
            Phase::Vote,
            Phase::Results,
            Phase::Closed,
        ] {
            for waiting in [false, true] {
                let (now, rest) = arrange(phase, waiting, ALL.iter().map(|c| (*c, ())).collect());
                let now: Vec<Card> = now.into_iter().map(|(c, ())| c).collect();
                assert_eq!(now, first_in(phase, waiting), "{phase:?}: in its own order");
                assert_eq!(now[0], Card::Phase, "{phase:?}: moving on leads");
                assert_eq!(
                    now.contains(&Card::Queue),
                    waiting,
                    "{phase:?}: the queue when waiting"
                );
                if waiting {
                    assert_eq!(now[1], Card::Queue, "{phase:?}: waiting ideas come next");
                }
                let mut seen: Vec<&str> = now
                    .iter()
                    .chain(rest.iter().map(|(c, ())| c))
                    .map(|c| c.name())
                    .collect();
                seen.sort_unstable();
                let mut all: Vec<&str> = ALL.iter().map(|c| c.name()).collect();
                all.sort_unstable();
                assert_eq!(seen, all, "{phase:?}: every card once");
            }
        }
        let (now, _) = arrange(Phase::Lobby, false, ALL.iter().map(|c| (*c, ())).collect());
        assert_eq!(now[1].0, Card::Share);
    }
}

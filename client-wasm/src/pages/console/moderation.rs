//! The idea list of one board, with moderation.

use super::board_choices;
use crate::components::composer::{Compose, IdeaComposer};
use crate::components::form::event_value;
use crate::components::ideas::{provenance_text, IdeaCard};
use crate::components::paged::PagedList;
use crate::pages::{person_name, Ctx};
use cafe_shared::{BoardId, CafeState, Command, Idea};
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn moderation_card(
    ctx: &Ctx,
    state: &CafeState,
    board: Option<BoardId>,
    choose: UseStateHandle<Option<BoardId>>,
) -> Html {
    let t = ctx.t;
    let Some(board) = board else {
        return html! {};
    };
    let send = ctx.send();
    let lock_send = send.clone();
    let locked = state.boards.get(&board).is_some_and(|b| b.locked);
    let lock = {
        let send = lock_send;
        Callback::from(move |_| {
            send.emit(Command::LockBoard {
                board,
                locked: !locked,
            })
        })
    };
    let on_board = Callback::from(move |e: Event| {
        if let Ok(id) = event_value(&e).parse::<u64>() {
            choose.set(Some(BoardId(id)));
        }
    });
    // Newest first; only the page shown is rendered (a café may hold a thousand ideas).
    let ideas: Rc<Vec<Idea>> = Rc::new(
        state
            .ideas
            .values()
            .rev()
            .filter(|i| i.board == board)
            .map(|b| (**b).clone())
            .collect(),
    );
    let search = Rc::new(
        ideas
            .iter()
            .map(|i| {
                let who = person_name(state, i.author).unwrap_or_default();
                format!("{} {who}", i.text)
            })
            .collect::<Vec<_>>(),
    );
    let render = {
        let ideas = ideas.clone();
        // What each row may do is decided now, against the state this render shows.
        let can_moderate: Vec<bool> = ideas
            .iter()
            .map(|i| {
                if i.hidden {
                    ctx.allowed(|me| state.may_approve_ideas(me, &[i.id]))
                } else {
                    ctx.allowed(|me| state.may_reject_idea(me, i.id))
                }
            })
            .collect();
        let authors: Vec<Option<AttrValue>> = ideas
            .iter()
            .map(|i| person_name(state, i.author).map(AttrValue::from))
            .collect();
        // Where a harvested note came from (table, round, place), shown under it.
        let froms: Vec<Option<AttrValue>> = ideas
            .iter()
            .map(|i| {
                i.provenance
                    .as_ref()
                    .map(|p| AttrValue::from(provenance_text(t, p)))
            })
            .collect();
        Callback::from(move |n: usize| {
            let Some(i) = ideas.get(n) else {
                return html! {};
            };
            // A hidden idea (waiting, or rejected earlier) can be approved; a shown one taken
            // down, which its author then sees as "not approved".
            let (idea, hidden) = (i.id, i.hidden);
            let send = send.clone();
            html! {
                <IdeaCard key={i.id.0} text={i.text.clone()} author={authors.get(n).cloned().flatten()} hidden={i.hidden}
                    rejected={i.rejected} private={i.private} tint={(i.id.0 % 5) as u8}
                    from={froms.get(n).cloned().flatten()}>
                    if can_moderate.get(n).copied().unwrap_or(false) {
                        <button class="btn btn-small btn-ghost hide-idea" onclick={Callback::from(move |_| send.emit(if hidden {
                            Command::ApproveIdeas { ideas: vec![idea] }
                        } else {
                            Command::RejectIdea { idea }
                        }))}>
                            { if i.hidden { t.t("console.approve") } else { t.t("console.hide") } }
                        </button>
                    }
                </IdeaCard>
            }
        })
    };
    html! {
        <section class="card card-wide" aria-labelledby="mod-title">
            <div class="section-head">
                <h2 id="mod-title">{ t.t("console.ideas") }</h2>
                <span class="muted">{ t.p("board.count", ideas.len() as u64, &[]) }</span>
            </div>
            <div class="inline-form">
                <label class="sr-only" for="mod-board">{ t.t("console.board") }</label>
                <select id="mod-board" class="input" onchange={on_board}>
                    { for board_choices(t, state).into_iter().map(|(id, name)| html! {
                        <option value={id.0.to_string()} selected={id == board}>{ name }</option>
                    }) }
                </select>
                <button id="lock-board" class={classes!("btn", locked.then_some("btn-on"))} aria-pressed={locked.to_string()}
                    disabled={!ctx.allowed(|me| state.may_manage_board(me, board))} onclick={lock}>
                    { if locked { t.t("console.unlock") } else { t.t("console.lock") } }
                </button>
            </div>
            { private_writing(ctx, state, board) }
            <IdeaComposer target={Compose::Post { board }} class="inline-form" rows={0}
                input_id="fac-idea" label={t.t("board.your_idea")} label_hidden=true
                placeholder={t.t("board.idea_placeholder")}
                closed={ctx.may(|me| state.may_post(me, board)).err().map(|r| r.code)} />
            <PagedList id="console-ideas" class={classes!("wall", "wall-compact")} label={t.t("console.search_ideas")}
                search={search} render={render} />
        </section>
    }
}

/// Private writing on the chosen board (or every board, for a round at all tables), and
/// the reveal, with how many ideas wait for it.
fn private_writing(ctx: &Ctx, state: &CafeState, board: BoardId) -> Html {
    let t = ctx.t;
    let send = ctx.send();
    let set = |boards: Vec<BoardId>, private: bool| {
        let send = send.clone();
        Callback::from(move |_| {
            send.emit(Command::SetPrivateWriting {
                boards: boards.clone(),
                private,
            })
        })
    };
    let private = state.boards.get(&board).is_some_and(|b| b.private);
    let all: Vec<BoardId> = state.boards.keys().copied().collect();
    let on = state.private_boards();
    let can = |boards: &[BoardId]| ctx.allowed(|me| state.may_set_private_writing(me, boards));
    html! {
        <div class="private-row" id="private-writing">
            if private {
                <span class="badge badge-private" id="private-count">
                    { t.f("console.private_on", &[("n", &state.unrevealed_on(board))]) }
                </span>
                <button id="reveal-ideas" class="btn btn-primary" disabled={!can(&[board])} onclick={set(vec![board], false)}>
                    { t.t("console.reveal_ideas") }
                </button>
            } else {
                <button id="private-start" class="btn" disabled={!can(&[board])} onclick={set(vec![board], true)}
                    title={t.t("console.private_hint")}>
                    { t.t("console.private_start") }
                </button>
                if all.len() > 1 && on.len() < all.len() {
                    <button id="private-all" class="btn btn-ghost" disabled={!can(&all)} onclick={set(all.clone(), true)}>
                        { t.t("console.private_all") }
                    </button>
                }
            }
            if on.len() > 1 {
                <button id="reveal-all" class="btn" disabled={!can(&on)} onclick={set(on.clone(), false)}>
                    { t.t("console.reveal_ideas_all") }
                </button>
            }
            <span class="muted small">{ t.t("console.private_hint") }</span>
        </div>
    }
}

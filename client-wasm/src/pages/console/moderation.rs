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
            .cloned()
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
        let can_hide: Vec<bool> = ideas
            .iter()
            .map(|i| ctx.allowed(|me| state.may_hide_idea(me, i.id)))
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
            let hide = Command::HideIdea {
                idea: i.id,
                hidden: !i.hidden,
            };
            let send = send.clone();
            html! {
                <IdeaCard key={i.id.0} text={i.text.clone()} author={authors.get(n).cloned().flatten()} hidden={i.hidden} tint={(i.id.0 % 5) as u8}
                    from={froms.get(n).cloned().flatten()}>
                    if can_hide.get(n).copied().unwrap_or(false) {
                        <button class="btn btn-small btn-ghost hide-idea" onclick={Callback::from(move |_| send.emit(hide.clone()))}>
                            { if i.hidden { t.t("console.show") } else { t.t("console.hide") } }
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
            <IdeaComposer target={Compose::Post { board }} class="inline-form" rows={0}
                input_id="fac-idea" label={t.t("board.your_idea")} label_hidden=true
                placeholder={t.t("board.idea_placeholder")}
                closed={ctx.may(|me| state.may_post(me, board)).err().map(|r| r.code)} />
            <PagedList id="console-ideas" class={classes!("wall", "wall-compact")} label={t.t("console.search_ideas")}
                search={search} render={render} />
        </section>
    }
}

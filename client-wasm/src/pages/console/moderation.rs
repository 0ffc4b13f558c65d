//! The idea list of one board, with moderation.

use super::board_choices;
use crate::components::composer::{Compose, IdeaComposer};
use crate::components::form::event_value;
use crate::components::ideas::{provenance_text, IdeaCard};
use crate::pages::{person_name, Ctx};
use cafe_shared::{BoardId, CafeState, Command};
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
    let locked = state.boards.get(&board).is_some_and(|b| b.locked);
    let lock = {
        let send = send.clone();
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
    let ideas: Vec<_> = state.ideas.values().filter(|i| i.board == board).collect();
    html! {
        <section class="card card-wide" aria-labelledby="mod-title">
            <div class="section-head">
                <h2 id="mod-title">{ t.t("console.ideas") }</h2>
                <span class="muted">{ t.f("board.count", &[("n", &ideas.len())]) }</span>
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
            <ul class="wall wall-compact" id="console-ideas">
                { for ideas.iter().rev().map(|i| {
                    let hide = Command::HideIdea { idea: i.id, hidden: !i.hidden };
                    let send = send.clone();
                    let can_hide = ctx.allowed(|me| state.may_hide_idea(me, i.id));
                    html! {
                        <IdeaCard key={i.id.0} text={i.text.clone()} author={person_name(state, i.author).map(AttrValue::from)} hidden={i.hidden} tint={(i.id.0 % 5) as u8}
                            from={i.provenance.as_ref().map(|p| AttrValue::from(provenance_text(t, p)))}>
                            if can_hide {
                                <button class="btn btn-small btn-ghost hide-idea" onclick={Callback::from(move |_| send.emit(hide.clone()))}>
                                    { if i.hidden { t.t("console.show") } else { t.t("console.hide") } }
                                </button>
                            }
                        </IdeaCard>
                    }
                }) }
            </ul>
        </section>
    }
}

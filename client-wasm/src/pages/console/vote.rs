//! Open a vote on a board, and the votes held so far.

use crate::components::form::{event_value, input_value};
use crate::components::results::results_chart;
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::Ctx;
use cafe_shared::{BoardId, CafeState, Command, ErrorCode, VoteStatus, VoteTarget, VoteVisibility};
use yew::prelude::*;

/// The boards on which the server would refuse to open a vote now, and why.
pub(super) fn vote_refusals(ctx: &Ctx, state: &CafeState) -> Vec<(BoardId, ErrorCode)> {
    state
        .boards
        .keys()
        .filter_map(|b| {
            let why = ctx.may(|me| state.may_open_vote(me, *b)).err()?;
            Some((*b, why.code))
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub(super) struct VoteProps {
    pub(super) boards: Vec<(BoardId, String)>,
    pub(super) refused: Vec<(BoardId, ErrorCode)>,
    pub(super) default_budget: u32,
    pub(super) default_cap: u32,
}

#[function_component(VoteCard)]
pub(super) fn vote_card(p: &VoteProps) -> Html {
    let t = use_t();
    let send = use_send();
    let board = use_state(|| None::<BoardId>);
    let target = use_state(|| VoteTarget::Ideas);
    let budget = use_state(|| p.default_budget.to_string());
    let cap = use_state(|| p.default_cap.to_string());
    let live = use_state(|| false);
    let chosen = (*board).or(p.boards.first().map(|b| b.0));
    let refused = p
        .refused
        .iter()
        .find(|(b, _)| Some(*b) == chosen)
        .map(|(_, code)| *code);
    let open = {
        let (target, budget, cap, live) =
            (target.clone(), budget.clone(), cap.clone(), live.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(board) = chosen else { return };
            send.emit(Command::OpenVote {
                board,
                target: *target,
                budget: budget.trim().parse().unwrap_or(5),
                per_item_cap: cap.trim().parse().unwrap_or(3),
                visibility: if *live {
                    VoteVisibility::Live
                } else {
                    VoteVisibility::Hidden
                },
            });
        })
    };
    let text = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(input_value(&e)))
    };
    let on_board = {
        let board = board.clone();
        Callback::from(move |e: Event| board.set(event_value(&e).parse::<u64>().ok().map(BoardId)))
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| {
            target.set(VoteTarget::from_wire(&event_value(&e)).unwrap_or(VoteTarget::Ideas))
        })
    };
    let on_vis = {
        let live = live.clone();
        Callback::from(move |e: Event| {
            live.set(VoteVisibility::from_wire(&event_value(&e)) == Some(VoteVisibility::Live))
        })
    };
    html! {
        <section class="card" aria-labelledby="vote-settings-title">
            <h2 id="vote-settings-title">{ t.t("console.vote") }</h2>
            if refused == Some(ErrorCode::NotAllowedInPhase) {
                <p class="muted small">{ t.t("console.vote_phase_hint") }</p>
            } else if let Some(code) = refused {
                <p class="muted small">{ t.error(code) }</p>
            }
            <form class="stack" onsubmit={open}>
                <label class="field">
                    <span>{ t.t("console.board") }</span>
                    <select id="vote-board" class="input" onchange={on_board}>
                        { for p.boards.iter().map(|(id, name)| html! { <option value={id.0.to_string()} selected={Some(*id) == chosen}>{ name.clone() }</option> }) }
                    </select>
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>{ t.t("console.vote_on") }</span>
                        <select id="vote-target" class="input" onchange={on_target}>
                            <option value={VoteTarget::Ideas.as_str()} selected={*target == VoteTarget::Ideas}>{ t.t("console.vote_ideas") }</option>
                            <option value={VoteTarget::Clusters.as_str()} selected={*target == VoteTarget::Clusters}>{ t.t("console.vote_clusters") }</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{ t.t("console.visibility") }</span>
                        <select id="vote-visibility" class="input" onchange={on_vis}>
                            <option value={VoteVisibility::Hidden.as_str()} selected={!*live}>{ t.t("console.hidden") }</option>
                            <option value={VoteVisibility::Live.as_str()} selected={*live}>{ t.t("console.live") }</option>
                        </select>
                    </label>
                </div>
                <div class="field-row">
                    <label class="field">
                        <span>{ t.t("console.budget") }</span>
                        <input id="vote-budget" class="input input-num" type="number" min="1" max="20" value={(*budget).clone()} oninput={text(&budget)} />
                    </label>
                    <label class="field">
                        <span>{ t.t("console.cap") }</span>
                        <input id="vote-cap" class="input input-num" type="number" min="1" max="20" value={(*cap).clone()} oninput={text(&cap)} />
                    </label>
                </div>
                <button id="open-vote" class="btn btn-primary" type="submit" disabled={refused.is_some() || chosen.is_none()}>{ t.t("console.open_vote") }</button>
            </form>
        </section>
    }
}

pub(super) fn votes_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    if state.votes.is_empty() {
        return html! {};
    }
    let send = ctx.send();
    html! {
        <section class="card card-wide" aria-labelledby="votes-title">
            <h2 id="votes-title">{ t.t("console.votes") }</h2>
            { for state.votes.values().rev().map(|v| {
                let board_name = state.board_table(v.board).map(|tb| tb.name.clone()).unwrap_or_else(|| t.t("board.plenary").to_string());
                let (s1, s2) = (send.clone(), send.clone());
                let vid = v.id;
                let can_manage = ctx.allowed(|me| state.may_manage_vote(me, vid));
                html! {
                    <div class="vote-block">
                        <p>
                            <strong>{ board_name }</strong>{ " · " }
                            { if v.status == VoteStatus::Open { t.t("console.vote_open") } else { t.t("console.vote_closed") } }
                            { " · " }{ t.f("console.dots_cast", &[("n", &v.dots_cast)]) }
                            if v.revealed { { " · " }{ t.t("console.revealed") } }
                        </p>
                        <div class="button-row">
                            if v.status == VoteStatus::Open && can_manage {
                                <button class="btn close-vote" onclick={Callback::from(move |_| s1.emit(Command::CloseVote { vote: vid }))}>{ t.t("console.close_vote") }</button>
                            }
                            if !v.revealed && can_manage {
                                <button id="reveal-vote" class="btn btn-primary" onclick={Callback::from(move |_| s2.emit(Command::RevealVote { vote: vid }))}>{ t.t("console.reveal") }</button>
                            }
                        </div>
                        { results_chart(t, state, vid, false, 10) }
                    </div>
                }
            }) }
        </section>
    }
}

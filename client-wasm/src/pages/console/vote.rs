//! The vote: prepared here (café state, so every facilitator's console shows the same one),
//! opened by moving to the Vote phase, closed and revealed by moving to Results. Then the
//! votes held so far.

use super::board_choices;
use crate::components::form::event_value;
use crate::components::results::{results_chart, vote_name, vote_name_of};
use crate::components::turnout::turnout_line;
use crate::i18n::T;
use crate::pages::Ctx;
use cafe_shared::{
    BoardId, CafeState, Command, ErrorCode, Phase, VoteDraft, VoteScope, VoteStatus, VoteTarget,
    VoteVisibility,
};
use yew::prelude::*;

/// What a vote is on, in words: "Plenary", "Table 1, Table 2", "All boards".
pub(super) fn boards_label(t: T, state: &CafeState, boards: &[BoardId]) -> String {
    if boards.len() > 1 && boards.len() == state.boards.len() {
        return t.t("console.scope_all").to_string();
    }
    board_choices(t, state)
        .into_iter()
        .filter(|(b, _)| boards.contains(b))
        .map(|(_, name)| name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The prepared vote and what the next phase change will do with it.
pub(super) fn vote_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let send = ctx.send();
    let draft = state.vote_draft();
    let can_edit = ctx.allowed(|me| state.may_set_vote_draft(me));
    // Every control sends the whole draft with its one change: the server keeps the truth.
    let set = {
        let (send, draft) = (send.clone(), draft.clone());
        move |change: fn(&mut VoteDraft, String)| {
            let (send, draft) = (send.clone(), draft.clone());
            Callback::from(move |e: Event| {
                let mut d = draft.clone();
                change(&mut d, event_value(&e));
                if d != draft {
                    send.emit(Command::SetVoteDraft { draft: d });
                }
            })
        }
    };
    let on_scope = set(|d, v| {
        d.scope = match v.as_str() {
            "all" => VoteScope::All,
            "boards" => match &d.scope {
                VoteScope::Boards { .. } => d.scope.clone(),
                _ => VoteScope::Boards { boards: Vec::new() },
            },
            _ => VoteScope::Plenary,
        }
    });
    let on_target = set(|d, v| d.target = VoteTarget::from_wire(&v).unwrap_or(VoteTarget::Ideas));
    let on_vis =
        set(|d, v| d.visibility = VoteVisibility::from_wire(&v).unwrap_or(VoteVisibility::Hidden));
    let on_budget = set(|d, v| d.budget = v.trim().parse().unwrap_or(d.budget));
    let on_cap = set(|d, v| d.per_item_cap = v.trim().parse().unwrap_or(d.per_item_cap));
    // Blank is no title: the vote is then named by its boards.
    let on_title = set(|d, v| d.title = Some(v.trim().to_string()).filter(|s| !s.is_empty()));
    let scope_kind = match &draft.scope {
        VoteScope::Plenary => "plenary",
        VoteScope::Boards { .. } => "boards",
        VoteScope::All => "all",
    };
    let selected: Vec<BoardId> = match &draft.scope {
        VoteScope::Boards { boards } => boards.clone(),
        _ => Vec::new(),
    };
    let boards = state.scope_boards(&draft.scope);
    let open_here = boards.iter().find_map(|b| state.open_vote_on(*b));
    let status = if state.phase == Phase::Vote {
        match open_here.or_else(|| state.open_votes().last()) {
            Some(_) => t.t("console.vote_results_hint"),
            None => t.t("console.vote_none_open"),
        }
    } else if open_here.is_some() {
        t.t("console.vote_resumes")
    } else {
        match state.vote_draft_problem().map(|r| r.code) {
            None => t.t("console.vote_draft_hint"),
            Some(ErrorCode::Conflict) => t.t("console.vote_nothing"),
            Some(code) => t.error(code),
        }
    };
    // "Open vote" is for a vote in the vote phase besides the one it opened; greyed out
    // while one is open on these boards, with the server's own reason.
    let open_refused = ctx
        .may(|me| state.may_open_vote(me, &draft.scope))
        .err()
        .map(|r| r.code);
    let open = {
        let (send, d) = (send.clone(), draft.clone());
        Callback::from(move |_: MouseEvent| {
            send.emit(Command::OpenVote {
                scope: d.scope.clone(),
                target: d.target,
                budget: d.budget,
                per_item_cap: d.per_item_cap,
                visibility: d.visibility,
                title: d.title.clone(),
            })
        })
    };
    let radio = |kind: &'static str, label: &'static str| {
        html! {
            <label class="check">
                <input type="radio" name="vote-scope" id={format!("vote-scope-{kind}")} value={kind}
                    checked={scope_kind == kind} disabled={!can_edit} onchange={on_scope.clone()} />
                <span>{ label }</span>
            </label>
        }
    };
    html! {
        <section class="card" id="vote-card" aria-labelledby="vote-settings-title">
            <h2 id="vote-settings-title">{ t.t("console.vote") }</h2>
            if let Some(v) = state.open_votes().last().filter(|_| state.phase == Phase::Vote) {
                <p class="vote-now"><strong>{ t.t("console.vote_is_open") }</strong>{ " · " }<bdi>{ vote_name(t, state, v) }</bdi></p>
                { turnout_line(t, state, v) }
            }
            <p class="muted small" id="vote-draft-status">{ status }</p>
            if open_here.is_some() || state.open_votes().next().is_some() {
                <h3 class="vote-next">{ t.t("console.vote_next") }</h3>
            }
            <label class="field">
                <span>{ t.t("console.vote_title") }</span>
                <input id="vote-title-input" class="input" dir="auto" value={draft.title.clone().unwrap_or_default()}
                    placeholder={vote_name_of(t, state, None, &boards)}
                    maxlength={cafe_shared::limits::VOTE_TITLE_MAX.to_string()} disabled={!can_edit} onchange={on_title} />
            </label>
            <fieldset class="field vote-scope">
                <legend>{ t.t("console.vote_scope") }</legend>
                { radio("plenary", t.t("board.plenary")) }
                { radio("all", t.t("console.scope_all")) }
                { radio("boards", t.t("console.scope_boards")) }
                if scope_kind == "boards" {
                    <div class="vote-boards">
                        { for board_choices(t, state).into_iter().map(|(id, name)| {
                            let on = selected.contains(&id);
                            let (send, d) = (send.clone(), draft.clone());
                            let mut next = selected.clone();
                            if on { next.retain(|b| *b != id) } else { next.push(id) }
                            let toggle = Callback::from(move |_: Event| {
                                let mut d = d.clone();
                                d.scope = VoteScope::Boards { boards: next.clone() };
                                send.emit(Command::SetVoteDraft { draft: d });
                            });
                            html! {
                                <label class="check">
                                    <input type="checkbox" class="vote-board" data-board={id.0.to_string()}
                                        checked={on} disabled={!can_edit} onchange={toggle} />
                                    <span>{ name }</span>
                                </label>
                            }
                        }) }
                    </div>
                }
            </fieldset>
            <div class="field-row">
                <label class="field">
                    <span>{ t.t("console.vote_on") }</span>
                    <select id="vote-target" class="input" disabled={!can_edit} onchange={on_target}>
                        <option value={VoteTarget::Ideas.as_str()} selected={draft.target == VoteTarget::Ideas}>{ t.t("console.vote_ideas") }</option>
                        <option value={VoteTarget::Clusters.as_str()} selected={draft.target == VoteTarget::Clusters}>{ t.t("console.vote_clusters") }</option>
                    </select>
                </label>
                <label class="field">
                    <span>{ t.t("console.visibility") }</span>
                    <select id="vote-visibility" class="input" disabled={!can_edit} onchange={on_vis}>
                        <option value={VoteVisibility::Hidden.as_str()} selected={draft.visibility == VoteVisibility::Hidden}>{ t.t("console.hidden") }</option>
                        <option value={VoteVisibility::Live.as_str()} selected={draft.visibility == VoteVisibility::Live}>{ t.t("console.live") }</option>
                    </select>
                </label>
            </div>
            <div class="field-row">
                <label class="field">
                    <span>{ t.t("console.budget") }</span>
                    <input id="vote-budget" class="input input-num" type="number" min="1" max="20"
                        value={draft.budget.to_string()} disabled={!can_edit} onchange={on_budget} />
                </label>
                <label class="field">
                    <span>{ t.t("console.cap") }</span>
                    <input id="vote-cap" class="input input-num" type="number" min="1" max="20"
                        value={draft.per_item_cap.to_string()} disabled={!can_edit} onchange={on_cap} />
                </label>
            </div>
            if state.phase == Phase::Vote {
                <button id="open-vote" class="btn" disabled={open_refused.is_some()} onclick={open}>{ t.t("console.open_vote") }</button>
                if let Some(code) = open_refused {
                    <p class="muted small" id="open-vote-why">{
                        if code == ErrorCode::Conflict { t.t("console.vote_open_first").to_string() } else { t.error(code).to_string() }
                    }</p>
                }
            }
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
                let (s1, s2) = (send.clone(), send.clone());
                let vid = v.id;
                let can_manage = ctx.allowed(|me| state.may_manage_vote(me, vid));
                html! {
                    <div class="vote-block">
                        <p>
                            <strong class="vote-name" dir="auto">{ vote_name(t, state, v) }</strong>{ " · " }
                            if v.title.is_some() { <bdi>{ boards_label(t, state, &v.boards) }</bdi>{ " · " } }
                            { if v.status == VoteStatus::Open { t.t("console.vote_open") } else { t.t("console.vote_closed") } }
                            { " · " }{ t.p("console.dots_cast", u64::from(v.dots_cast), &[]) }
                            if v.revealed { { " · " }{ t.t("console.revealed") } }
                        </p>
                        if v.status == VoteStatus::Open { { turnout_line(t, state, v) } }
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

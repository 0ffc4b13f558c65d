//! The moderation queue: ideas waiting for a facilitator's approval, oldest first, with
//! approve and reject for each and "approve all" in one command.

use super::board_choices;
use crate::pages::{person_name, Ctx};
use cafe_shared::{CafeState, Command, IdeaId};
use yew::prelude::*;

/// How many waiting ideas the card lists; "approve all" still covers every one of them.
const SHOWN: usize = 50;

pub(super) fn queue_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let queue = state.awaiting_approval();
    if queue.is_empty() {
        return html! {};
    }
    let send = ctx.send();
    // Exactly the ids shown in the count: an idea posted after this render is not
    // approved unseen (the next render lists it).
    let all = {
        let send = send.clone();
        let ideas = queue.clone();
        Callback::from(move |_| {
            send.emit(Command::ApproveIdeas {
                ideas: ideas.clone(),
            })
        })
    };
    let can_all = ctx.allowed(|me| state.may_approve_ideas(me, &queue));
    let boards = board_choices(t, state);
    let board_name = |i: &cafe_shared::Idea| {
        boards
            .iter()
            .find(|(b, _)| *b == i.board)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let row = |id: &IdeaId| {
        let Some(i) = state.ideas.get(id) else {
            return html! {};
        };
        let id = *id;
        let approve = {
            let send = send.clone();
            Callback::from(move |_| send.emit(Command::ApproveIdeas { ideas: vec![id] }))
        };
        let reject = {
            let send = send.clone();
            Callback::from(move |_| send.emit(Command::RejectIdea { idea: id }))
        };
        let mut meta = board_name(i);
        if let Some(who) = person_name(state, i.author) {
            meta = format!("{who} · {meta}");
        }
        html! {
            <li key={id.0} class="queue-item" data-idea={id.0.to_string()}>
                <p class="queue-text">{ i.text.clone() }<span class="queue-meta">{ meta }</span></p>
                <span class="queue-actions">
                    <button class="btn btn-small btn-primary approve-idea"
                        disabled={!ctx.allowed(|me| state.may_approve_ideas(me, &[id]))} onclick={approve}>
                        { t.t("console.approve") }
                    </button>
                    <button class="btn btn-small reject-idea"
                        disabled={!ctx.allowed(|me| state.may_reject_idea(me, id))} onclick={reject}>
                        { t.t("console.reject") }
                    </button>
                </span>
            </li>
        }
    };
    let more = queue.len().saturating_sub(SHOWN);
    html! {
        <section class="card card-wide" id="queue" aria-labelledby="queue-title">
            <div class="section-head">
                <h2 id="queue-title">{ t.t("console.queue") }</h2>
                <button id="approve-all" class="btn btn-primary" disabled={!can_all} onclick={all}>
                    { t.f("console.approve_all", &[("n", &queue.len())]) }
                </button>
            </div>
            <ul class="queue-list" aria-live="polite">
                { for queue.iter().take(SHOWN).map(row) }
            </ul>
            if more > 0 {
                <p class="muted">{ t.f("console.queue_more", &[("n", &more)]) }</p>
            }
        </section>
    }
}

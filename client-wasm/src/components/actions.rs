//! The café's actions as everybody sees them: what happens next, who owns it, by when, and
//! where it stands. On the phone's results and closed screens; the person who owns an action
//! sets its status here (the console's card is the facilitators' full editor).

use crate::components::form::event_value;
use crate::i18n::T;
use crate::pages::Ctx;
use cafe_shared::{Action, ActionStatus, CafeState, Command};
use yew::prelude::*;

/// Who owns an action, readable: the person's name, else the free-text owner.
pub fn owner_label(state: &CafeState, a: &Action) -> Option<String> {
    match a.owner.and_then(|p| state.people.get(&p)) {
        Some(p) => Some(p.name.clone()),
        None => (!a.owner_name.is_empty()).then(|| a.owner_name.clone()),
    }
}

pub fn status_label(t: T, s: ActionStatus) -> &'static str {
    t.t(&format!("action_status.{}", s.as_str()))
}

/// A status picker: every status, the current one chosen.
pub fn status_select(
    t: T,
    id: String,
    label: String,
    status: ActionStatus,
    on_change: Callback<Event>,
) -> Html {
    html! {
        <select {id} class="input input-small action-status" aria-label={label} onchange={on_change}>
            { for ActionStatus::ALL.iter().map(|s| html! {
                <option value={s.as_str()} selected={*s == status}>{ status_label(t, *s) }</option>
            }) }
        </select>
    }
}

/// The list, read-only but for the statuses `me` may set (`may_set_action_status`).
pub fn actions_list(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    if state.actions.is_empty() {
        return html! {};
    }
    let send = ctx.send();
    html! {
        <section class="card actions-panel" id="actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{ t.t("actions.next") }</h2>
            <ul class="action-list">
                { for state.actions.values().map(|a| {
                    let id = a.id;
                    let mine = a.owner.is_some() && a.owner == ctx.me;
                    let can_status = ctx.allowed(|me| state.may_set_action_status(me, id));
                    let send = send.clone();
                    let on_status = Callback::from(move |e: Event| {
                        if let Some(status) = ActionStatus::from_wire(&event_value(&e)) {
                            send.emit(Command::SetActionStatus { action: id, status });
                        }
                    });
                    html! {
                        <li key={id.0} class={classes!("action-item", format!("action-{}", a.status.as_str()), mine.then_some("action-mine"))}
                            data-action={id.0.to_string()}>
                            <p class="action-text" dir="auto">{ a.text.clone() }</p>
                            <p class="action-meta">
                                if let Some(o) = owner_label(state, a) {
                                    <span class="action-owner" dir="auto">{ o }</span>
                                } else {
                                    <span class="action-owner muted">{ t.t("actions.owner_nobody") }</span>
                                }
                                if mine { <span class="badge">{ t.t("actions.yours") }</span> }
                                if let Some(d) = &a.due {
                                    <span class="action-due">{ t.f("actions.due_on", &[("date", d)]) }</span>
                                }
                                if can_status {
                                    { status_select(t, format!("action-status-{id}"), t.t("actions.status").to_string(), a.status, on_status) }
                                } else {
                                    <span class={classes!("badge", "action-badge", format!("badge-{}", a.status.as_str()))}>{ status_label(t, a.status) }</span>
                                }
                            </p>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

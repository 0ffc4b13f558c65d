//! The actions card: after the results, the top items become actions with an owner (a person
//! of the café or any name), a due date and a status, edited in place. In the results and
//! closed phases (`may_create_action`); the rows stay editable after closing, when the
//! follow-up happens.

use crate::components::actions::{status_label, status_select};
use crate::components::form::event_value;
use crate::components::results::item_label;
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::Ctx;
use cafe_shared::limits::{ACTION_OWNER_MAX, ACTION_TEXT_MAX};
use cafe_shared::{
    Action, ActionId, ActionStatus, CafeState, Command, ItemId, PersonId, VoteStatus,
};
use yew::prelude::*;

/// Results offered as actions: the top of the latest revealed vote.
const TOP: usize = 5;

/// One top result: its item, what it says, its dots, whether an action was made of it
/// already and whether one may be (`may_create_action_from`).
#[derive(Clone, PartialEq)]
pub(super) struct TopResult {
    item: ItemId,
    label: String,
    dots: u32,
    made: bool,
    can_make: bool,
}

#[derive(Clone, PartialEq)]
pub(super) struct Row {
    action: Action,
    can_edit: bool,
    can_status: bool,
    source: Option<String>,
}

pub(super) fn top_results(ctx: &Ctx, state: &CafeState) -> Vec<TopResult> {
    let Some(v) = state
        .votes
        .values()
        .rev()
        .find(|v| v.status == VoteStatus::Closed && v.revealed)
    else {
        return Vec::new();
    };
    state
        .ranking(v.id)
        .into_iter()
        .take(TOP)
        .map(|r| TopResult {
            item: r.item,
            label: item_label(state, v.target, r.item),
            dots: r.dots,
            made: state.actions.values().any(|a| a.source == Some(r.item)),
            can_make: ctx.allowed(|me| state.may_create_action_from(me, r.item)),
        })
        .collect()
}

pub(super) fn action_rows(ctx: &Ctx, state: &CafeState) -> Vec<Row> {
    state
        .actions
        .values()
        .map(|a| Row {
            action: (**a).clone(),
            can_edit: ctx.allowed(|me| state.may_edit_action(me, a.id)),
            can_status: ctx.allowed(|me| state.may_set_action_status(me, a.id)),
            source: a.source.map(|item| {
                // Ideas and themes share one id counter: the item is one or the other.
                let as_idea = item_label(state, cafe_shared::VoteTarget::Ideas, item);
                if state.ideas.contains_key(&cafe_shared::IdeaId(item)) {
                    as_idea
                } else {
                    item_label(state, cafe_shared::VoteTarget::Clusters, item)
                }
            }),
        })
        .collect()
}

/// Active people who can own an action, by name; with an owner who has left, so the
/// picker still shows who owns it.
pub(super) fn owners(state: &CafeState) -> Vec<(PersonId, String)> {
    let mut v: Vec<(PersonId, String)> = state
        .active_people()
        .map(|p| (p.id, p.name.clone()))
        .collect();
    for a in state.actions.values() {
        if let Some(p) = a.owner.and_then(|o| state.people.get(&o)) {
            if p.removed && !v.iter().any(|(id, _)| *id == p.id) {
                v.push((p.id, p.name.clone()));
            }
        }
    }
    v.sort_by_key(|(_, name)| name.to_lowercase());
    v
}

#[derive(Properties, PartialEq)]
pub(super) struct ActionsCardProps {
    pub top: Vec<TopResult>,
    pub rows: Vec<Row>,
    pub owners: Vec<(PersonId, String)>,
    /// `may_create_action`: the card's forms show only then.
    pub can_create: bool,
}

#[function_component(ActionsCard)]
pub(super) fn actions_card(p: &ActionsCardProps) -> Html {
    let t = use_t();
    let send = use_send();
    let draft = use_state(String::new);
    if !p.can_create && p.rows.is_empty() {
        return html! {};
    }
    let add = {
        let (draft, send) = (draft.clone(), send.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = draft.trim().to_string();
            if !text.is_empty() {
                send.emit(Command::CreateAction {
                    text,
                    owner: None,
                    owner_name: String::new(),
                    due: None,
                    source: None,
                });
                draft.set(String::new());
            }
        })
    };
    let on_draft = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(event_value(&e)))
    };
    html! {
        <section class="card card-wide actions-card" id="actions-card" aria-labelledby="actions-card-title">
            <h2 id="actions-card-title">{ t.t("actions.title") }</h2>
            if p.can_create {
                <p class="muted small">{ t.t("actions.hint") }</p>
                if !p.top.is_empty() {
                    <h3 class="label">{ t.t("actions.top") }</h3>
                    <ol class="top-results" id="top-results">
                        { for p.top.iter().map(|r| {
                            let send = send.clone();
                            // The result's words as the action's first draft, within an
                            // action's length (an idea may be longer).
                            let text: String = r.label.chars().take(ACTION_TEXT_MAX).collect();
                            let item = r.item;
                            let make = Callback::from(move |_| send.emit(Command::CreateAction {
                                text: text.clone(),
                                owner: None,
                                owner_name: String::new(),
                                due: None,
                                source: Some(item),
                            }));
                            html! {
                                <li class="top-result" key={r.item}>
                                    <span class="top-label" dir="auto">{ r.label.clone() }</span>
                                    <span class="muted small">{ t.p("results.dots", u64::from(r.dots), &[]) }</span>
                                    if r.made {
                                        <span class="badge badge-harvested">{ t.t("actions.made") }</span>
                                    } else if r.can_make {
                                        <button class="btn btn-small make-action" onclick={make}
                                            aria-label={format!("{}: {}", t.t("actions.make"), r.label)}>{ t.t("actions.make") }</button>
                                    }
                                </li>
                            }
                        }) }
                    </ol>
                }
                <form class="inline-form" onsubmit={add}>
                    <label class="sr-only" for="new-action">{ t.t("actions.new") }</label>
                    <input id="new-action" class="input" dir="auto" value={(*draft).clone()} oninput={on_draft}
                        placeholder={t.t("actions.new")} maxlength={ACTION_TEXT_MAX.to_string()} />
                    <button class="btn" type="submit" id="add-action">{ t.t("actions.add") }</button>
                </form>
            }
            if p.rows.is_empty() {
                <p class="muted" id="no-actions">{ t.t("actions.none") }</p>
            } else {
                <ul class="action-rows" id="action-rows">
                    { for p.rows.iter().map(|r| html! {
                        <ActionRow key={r.action.id.0} row={r.clone()} owners={p.owners.clone()} />
                    }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    row: Row,
    owners: Vec<(PersonId, String)>,
}

/// What the owner picker says: nobody, a person, or a name typed in.
const NOBODY: &str = "";
const OTHER: &str = "other";

/// One action, edited in place: each field is sent when it changes (`edit_action` carries
/// all of text, owner and due date, the others as they are).
#[function_component(ActionRow)]
fn action_row(p: &RowProps) -> Html {
    let t = use_t();
    let send = use_send();
    let a = &p.row.action;
    let id: ActionId = a.id;
    // Typing a name: shown for a named owner, or once "someone else" is picked.
    let naming = use_state(|| !a.owner_name.is_empty());
    let edit = {
        let a = a.clone();
        let send = send.clone();
        move |f: &dyn Fn(&mut Command)| {
            let mut cmd = Command::EditAction {
                action: a.id,
                text: a.text.clone(),
                owner: a.owner,
                owner_name: a.owner_name.clone(),
                due: a.due.clone(),
            };
            f(&mut cmd);
            send.emit(cmd);
        }
    };
    let on_text = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let v = event_value(&e);
            if !v.trim().is_empty() {
                edit(&|c| {
                    if let Command::EditAction { text, .. } = c {
                        text.clone_from(&v);
                    }
                });
            }
        })
    };
    let on_owner = {
        let (edit, naming) = (edit.clone(), naming.clone());
        Callback::from(move |e: Event| {
            let v = event_value(&e);
            if v == OTHER {
                naming.set(true);
                return;
            }
            naming.set(false);
            let person = v.parse::<u64>().ok().map(PersonId);
            edit(&|c| {
                if let Command::EditAction {
                    owner, owner_name, ..
                } = c
                {
                    *owner = person;
                    owner_name.clear();
                }
            });
        })
    };
    let on_name = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let v = event_value(&e);
            edit(&|c| {
                if let Command::EditAction {
                    owner, owner_name, ..
                } = c
                {
                    *owner = None;
                    owner_name.clone_from(&v);
                }
            });
        })
    };
    let on_due = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let v = event_value(&e);
            edit(&|c| {
                if let Command::EditAction { due, .. } = c {
                    *due = (!v.is_empty()).then(|| v.clone());
                }
            });
        })
    };
    let on_status = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Some(status) = ActionStatus::from_wire(&event_value(&e)) {
                send.emit(Command::SetActionStatus { action: id, status });
            }
        })
    };
    let delete = Callback::from(move |_| send.emit(Command::DeleteAction { action: id }));
    let chosen = match a.owner {
        Some(o) => o.0.to_string(),
        None if *naming => OTHER.to_string(),
        None => NOBODY.to_string(),
    };
    let can = p.row.can_edit;
    html! {
        <li class={classes!("action-edit", format!("action-{}", a.status.as_str()))} data-action={id.0.to_string()}>
            <label class="field action-field-text">
                <span class="sr-only">{ t.t("actions.text") }</span>
                <input id={format!("action-text-{id}")} class="input" dir="auto" value={a.text.clone()} disabled={!can}
                    onchange={on_text} maxlength={ACTION_TEXT_MAX.to_string()} aria-label={t.t("actions.text")} />
            </label>
            if let Some(src) = &p.row.source {
                <p class="muted small action-source" dir="auto">{ t.f("actions.from", &[("what", src)]) }</p>
            }
            <div class="field-row action-fields">
                <label class="field">
                    <span>{ t.t("actions.owner") }</span>
                    <select id={format!("action-owner-{id}")} class="input" disabled={!can} onchange={on_owner}>
                        <option value={NOBODY} selected={chosen == NOBODY}>{ t.t("actions.owner_nobody") }</option>
                        { for p.owners.iter().map(|(pid, name)| html! {
                            <option value={pid.0.to_string()} selected={chosen == pid.0.to_string()}>{ name.clone() }</option>
                        }) }
                        <option value={OTHER} selected={chosen == OTHER}>{ t.t("actions.owner_other") }</option>
                    </select>
                </label>
                if chosen == OTHER {
                    <label class="field">
                        <span>{ t.t("actions.owner_name") }</span>
                        <input id={format!("action-owner-name-{id}")} class="input" dir="auto" value={a.owner_name.clone()}
                            disabled={!can} onchange={on_name} maxlength={ACTION_OWNER_MAX.to_string()} />
                    </label>
                }
                <label class="field">
                    <span>{ t.t("actions.due") }</span>
                    <input id={format!("action-due-{id}")} class="input" type="date" value={a.due.clone().unwrap_or_default()}
                        disabled={!can} onchange={on_due} />
                </label>
                <label class="field">
                    <span>{ t.t("actions.status") }</span>
                    if p.row.can_status {
                        { status_select(t, format!("action-status-{id}"), t.t("actions.status").to_string(), a.status, on_status) }
                    } else {
                        <span class="badge">{ status_label(t, a.status) }</span>
                    }
                </label>
            </div>
            if can {
                <button class="btn btn-small btn-ghost delete-action" onclick={delete}
                    aria-label={format!("{}: {}", t.t("actions.delete"), a.text)}>{ t.t("actions.delete") }</button>
            }
        </li>
    }
}

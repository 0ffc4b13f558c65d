//! Remove many people at once (a leaked code filled the café with strangers).

use crate::components::form::input_value;
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::{minutes_to_secs, Ctx};
use cafe_shared::{CafeState, Command, Location, Millis, PersonId};
use std::collections::BTreeSet;
use yew::prelude::*;

/// One person the facilitator may remove (the shared rule decides who), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RemoveRow {
    pub(super) id: PersonId,
    pub(super) name: String,
    pub(super) location: Location,
    pub(super) joined_at: Millis,
}

pub(super) fn remove_rows(ctx: &Ctx, state: &CafeState) -> Vec<RemoveRow> {
    let mut rows: Vec<RemoveRow> = state
        .active_people()
        .filter(|p| ctx.allowed(|me| state.may_remove_person(me, p.id)))
        .map(|p| RemoveRow {
            id: p.id,
            name: p.name.clone(),
            location: p.location,
            joined_at: p.joined_at,
        })
        .collect();
    rows.sort_by(|a, b| b.joined_at.cmp(&a.joined_at).then(b.id.cmp(&a.id)));
    rows
}

#[derive(Properties, PartialEq)]
pub(super) struct RemoveProps {
    pub(super) rows: Vec<RemoveRow>,
    /// Server time, to say how long ago people joined.
    pub(super) now: Millis,
}

/// Remove many at once: tick people, or everyone who joined in the last N minutes, then
/// confirm the count. Sends one `remove_people`, which the server takes all or nothing.
#[function_component(RemovePeopleCard)]
pub(super) fn remove_people_card(p: &RemoveProps) -> Html {
    let t = use_t();
    let send = use_send();
    let selected = use_state(BTreeSet::<PersonId>::new);
    let minutes = use_state(|| "10".to_string());
    let confirming = use_state(|| false);
    // Only those still removable count: someone removed meanwhile drops out of the choice.
    let chosen: Vec<PersonId> = p
        .rows
        .iter()
        .filter(|r| selected.contains(&r.id))
        .map(|r| r.id)
        .collect();
    let n = chosen.len();
    let select_recent = {
        let (selected, minutes, confirming) =
            (selected.clone(), minutes.clone(), confirming.clone());
        let since = p.now - i64::from(minutes_to_secs(&minutes)) * 1000;
        let recent: BTreeSet<PersonId> = p
            .rows
            .iter()
            .filter(|r| r.joined_at >= since)
            .map(|r| r.id)
            .collect();
        Callback::from(move |_| {
            selected.set(recent.clone());
            confirming.set(false);
        })
    };
    let clear = {
        let (selected, confirming) = (selected.clone(), confirming.clone());
        Callback::from(move |_| {
            selected.set(BTreeSet::new());
            confirming.set(false);
        })
    };
    let on_minutes = {
        let minutes = minutes.clone();
        Callback::from(move |e: InputEvent| minutes.set(input_value(&e)))
    };
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(true))
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let confirm = {
        let (selected, confirming, chosen) = (selected.clone(), confirming.clone(), chosen.clone());
        Callback::from(move |_| {
            send.emit(Command::RemovePeople {
                people: chosen.clone(),
            });
            selected.set(BTreeSet::new());
            confirming.set(false);
        })
    };
    html! {
        <section class="card" aria-labelledby="remove-title">
            <h2 id="remove-title">{ t.t("console.remove_people") }</h2>
            if p.rows.is_empty() {
                <p class="muted">{ t.t("console.nobody_to_remove") }</p>
            } else {
                <div class="inline-form recent-row">
                    <label class="field field-inline">
                        <span>{ t.t("console.recent_minutes") }</span>
                        <input id="recent-minutes" class="input input-num" type="number" min="1" step="1"
                            value={(*minutes).clone()} oninput={on_minutes} />
                    </label>
                    <button id="select-recent" class="btn" onclick={select_recent}>{ t.t("console.select_recent") }</button>
                    <button class="btn btn-ghost" onclick={clear} disabled={n == 0}>{ t.t("console.clear_selection") }</button>
                </div>
                <ul class="people" id="remove-list">
                    { for p.rows.iter().map(|r| {
                        let id = r.id;
                        let on = selected.contains(&id);
                        let (selected, confirming) = (selected.clone(), confirming.clone());
                        let toggle = Callback::from(move |_: Event| {
                            let mut next = (*selected).clone();
                            if !next.remove(&id) {
                                next.insert(id);
                            }
                            selected.set(next);
                            confirming.set(false);
                        });
                        let ago = (p.now - r.joined_at).max(0) / 60_000;
                        html! {
                            <li class="person" key={id.0}>
                                <label class="pick">
                                    <input type="checkbox" class="remove-pick" checked={on} onchange={toggle} />
                                    <bdi class="person-name">{ r.name.clone() }</bdi>
                                </label>
                                <span class="muted small">{ t.location(r.location) }{ " · " }{ t.p("console.joined_ago", ago as u64, &[]) }</span>
                            </li>
                        }
                    }) }
                </ul>
                if *confirming && n > 0 {
                    <div class="confirm" role="alertdialog" aria-labelledby="confirm-remove-text">
                        <p id="confirm-remove-text">{ t.p("console.confirm_remove", n as u64, &[]) }</p>
                        <div class="button-row">
                            <button id="confirm-remove" class="btn btn-danger" onclick={confirm}>{ t.f("console.confirm_yes", &[("n", &n)]) }</button>
                            <button class="btn btn-ghost" onclick={cancel}>{ t.t("action.cancel") }</button>
                        </div>
                    </div>
                } else {
                    <button id="remove-selected" class="btn" disabled={n == 0} onclick={ask}>
                        { t.f("console.remove_selected", &[("n", &n)]) }
                    </button>
                }
            }
        </section>
    }
}

//! Tables and rounds: create tables, seat hosts, shuffle, start a round.

use crate::components::form::{event_value, input_value};
use crate::hooks::use_send;
use crate::i18n::{use_t, T};
use crate::pages::{minutes_to_secs, Ctx};
use cafe_shared::limits::{ROUND_PROMPT_MAX, TABLE_NAME_MAX};
use cafe_shared::{
    Assignment, CafeState, Command, ErrorCode, Location, PersonId, TableId, TableKind,
};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TableRow {
    pub(super) id: TableId,
    pub(super) name: String,
    pub(super) kind: TableKind,
    pub(super) host: Option<PersonId>,
    /// People counted on paper (`set_table_headcount`), not the people seated below.
    pub(super) headcount: u32,
    /// Who the server would accept as this table's host.
    pub(super) candidates: Vec<(PersonId, String)>,
    /// Who sits here this round, the host first.
    pub(super) seated: Vec<Seat>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Seat {
    pub(super) id: PersonId,
    pub(super) name: String,
    pub(super) location: Location,
    pub(super) online: bool,
    pub(super) host: bool,
}

/// Someone the facilitator may move now, and to which tables (the shared rule decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Movable {
    pub(super) id: PersonId,
    pub(super) name: String,
    pub(super) at: Option<TableId>,
    pub(super) targets: Vec<TableId>,
}

pub(super) fn table_rows(ctx: &Ctx, state: &CafeState) -> Vec<TableRow> {
    state
        .tables
        .values()
        .map(|tb| {
            let mut seated: Vec<Seat> = state
                .active_people()
                .filter(|p| state.table_of(p.id) == Some(tb.id))
                .map(|p| Seat {
                    id: p.id,
                    name: p.name.clone(),
                    location: p.location,
                    online: p.online,
                    host: tb.host == Some(p.id),
                })
                .collect();
            seated.sort_by_key(|s| !s.host);
            TableRow {
                id: tb.id,
                name: tb.name.clone(),
                kind: tb.kind,
                host: tb.host,
                headcount: tb.headcount,
                candidates: state
                    .active_people()
                    .filter(|p| ctx.allowed(|me| state.may_set_table_host(me, tb.id, Some(p.id))))
                    .map(|p| (p.id, p.name.clone()))
                    .collect(),
                seated,
            }
        })
        .collect()
}

/// Participants at no table this round (joined after the shuffle, or no table fits them).
pub(super) fn unseated(state: &CafeState) -> Vec<Seat> {
    if state.rounds.is_empty() {
        return Vec::new();
    }
    state
        .active_people()
        .filter(|p| !p.role.is_facilitator() && state.table_of(p.id).is_none())
        .map(|p| Seat {
            id: p.id,
            name: p.name.clone(),
            location: p.location,
            online: p.online,
            host: false,
        })
        .collect()
}

pub(super) fn movable(ctx: &Ctx, state: &CafeState) -> Vec<Movable> {
    state
        .active_people()
        .filter_map(|p| {
            let at = state.table_of(p.id);
            let targets: Vec<TableId> = state
                .tables
                .keys()
                .filter(|tb| Some(**tb) != at)
                .filter(|tb| ctx.allowed(|me| state.may_assign_table(me, p.id, **tb)))
                .copied()
                .collect();
            (!targets.is_empty()).then(|| Movable {
                id: p.id,
                name: p.name.clone(),
                at,
                targets,
            })
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub(super) struct TablesProps {
    pub(super) tables: Vec<TableRow>,
    pub(super) unseated: Vec<Seat>,
    pub(super) movable: Vec<Movable>,
    pub(super) rounds: usize,
    pub(super) can_create: bool,
    /// Why the server would refuse to start a round now, if it would.
    pub(super) round_refused: Option<ErrorCode>,
}

#[function_component(TablesCard)]
pub(super) fn tables_card(p: &TablesProps) -> Html {
    let t = use_t();
    let name = use_state(String::new);
    let kind = use_state(|| TableKind::InRoom);
    let prompt = use_state(String::new);
    let minutes = use_state(|| "20".to_string());
    let shuffle = use_state(|| true);
    let send = use_send();
    let create = {
        let (name, kind, send) = (name.clone(), kind.clone(), send.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !name.trim().is_empty() {
                send.emit(Command::CreateTable {
                    name: name.trim().to_string(),
                    kind: *kind,
                });
                name.set(String::new());
            }
        })
    };
    let start_round = {
        let (prompt, minutes, shuffle, send) = (
            prompt.clone(),
            minutes.clone(),
            shuffle.clone(),
            send.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let secs = minutes_to_secs(&minutes);
            send.emit(Command::StartRound {
                prompt: prompt.trim().to_string(),
                duration_secs: secs,
                assignment: if *shuffle {
                    Assignment::Shuffle
                } else {
                    Assignment::Keep
                },
            });
        })
    };
    let text = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(input_value(&e)))
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            kind.set(TableKind::from_wire(&event_value(&e)).unwrap_or(TableKind::InRoom))
        })
    };
    let on_assign = {
        let shuffle = shuffle.clone();
        Callback::from(move |e: Event| shuffle.set(event_value(&e) == "shuffle"))
    };
    html! {
        <section class="card card-wide" aria-labelledby="tables-title">
            <h2 id="tables-title">{ t.t("console.tables") }</h2>
            <form class="inline-form" onsubmit={create}>
                <label class="sr-only" for="table-name">{ t.t("console.table_name") }</label>
                <input id="table-name" class="input" placeholder={t.t("console.table_name")} value={(*name).clone()}
                    oninput={text(&name)} maxlength={TABLE_NAME_MAX.to_string()} />
                <label class="sr-only" for="table-kind">{ t.t("console.table_kind") }</label>
                <select id="table-kind" class="input" onchange={on_kind}>
                    { for TableKind::ALL.into_iter().map(|k| html! {
                        <option value={k.as_str()} selected={*kind == k}>{ t.table_kind(k) }</option>
                    }) }
                </select>
                <button id="create-table" class="btn" type="submit" disabled={!p.can_create}>{ t.t("console.add_table") }</button>
            </form>
            if !p.tables.is_empty() {
                <table class="data">
                    <thead><tr>
                        <th scope="col">{ t.t("console.table_name") }</th>
                        <th scope="col">{ t.t("console.host") }</th>
                        <th scope="col">{ t.t("seat.who") }</th>
                        <th scope="col">{ t.t("seat.paper_headcount") }</th>
                    </tr></thead>
                    <tbody>
                    { for p.tables.iter().map(|row| {
                        let tid = row.id;
                        let on_host = send.reform(move |e: Event| {
                            let person = event_value(&e).parse::<u64>().ok().map(PersonId);
                            Command::SetTableHost { table: tid, person }
                        });
                        html! {
                            <tr id={format!("table-row-{}", row.id.0)}>
                                <td><bdi>{ row.name.clone() }</bdi><span class="muted small">{ " · " }{ t.table_kind(row.kind) }</span></td>
                                <td>
                                    <select class="input input-small" onchange={on_host} aria-label={t.f("console.host_for", &[("name", &row.name)])}>
                                        <option value="" selected={row.host.is_none()}>{ t.t("console.no_host") }</option>
                                        { for row.candidates.iter().map(|(pid, pname)| html! {
                                            <option value={pid.0.to_string()} selected={row.host == Some(*pid)}>{ pname.clone() }</option>
                                        }) }
                                    </select>
                                </td>
                                <td class="seated-cell">{ seat_list(t, &row.seated, &format!("seated-{}", row.id.0)) }</td>
                                <td class="num">{ row.headcount }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
                <p class="muted small">{ t.t("seat.headcount_help") }</p>
                if !p.unseated.is_empty() {
                    <div class="unseated">
                        <h3 class="small-head">{ t.f("seat.unseated", &[("n", &p.unseated.len())]) }</h3>
                        { seat_list(t, &p.unseated, "unseated") }
                    </div>
                }
                if p.rounds > 0 {
                    <MoveForm movable={p.movable.clone()} tables={p.tables.iter().map(|r| (r.id, r.name.clone())).collect::<Vec<_>>()} />
                }
            }
            <form class="round-form" onsubmit={start_round}>
                <h3>{ t.f("console.next_round", &[("n", &(p.rounds + 1))]) }</h3>
                <label class="field">
                    <span>{ t.t("console.prompt") }</span>
                    <input id="round-prompt" class="input" value={(*prompt).clone()} oninput={text(&prompt)} maxlength={ROUND_PROMPT_MAX.to_string()} />
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>{ t.t("console.minutes") }</span>
                        <input id="round-minutes" class="input input-num" type="number" min="0" step="1" value={(*minutes).clone()} oninput={text(&minutes)} />
                    </label>
                    <label class="field">
                        <span>{ t.t("console.seating") }</span>
                        <select id="round-seating" class="input" onchange={on_assign}>
                            <option value="shuffle" selected={*shuffle}>{ t.t("console.shuffle") }</option>
                            <option value="keep" selected={!*shuffle}>{ t.t("console.keep") }</option>
                        </select>
                    </label>
                </div>
                <button id="start-round" class="btn btn-primary" type="submit" disabled={p.round_refused.is_some()}>{ t.t("console.start_round") }</button>
                if p.tables.is_empty() {
                    <p class="muted small">{ t.t("console.need_tables") }</p>
                } else if let Some(code) = p.round_refused {
                    <p class="muted small">{ t.error(code) }</p>
                }
            </form>
        </section>
    }
}

/// Names with their place (in the room or remote) and whether they are online; the host
/// marked. Hosts are told on their board; here the facilitator sees who sits where.
fn seat_list(t: T, seats: &[Seat], id: &str) -> Html {
    if seats.is_empty() {
        return html! { <span id={id.to_string()} class="muted small">{ t.t("seat.nobody") }</span> };
    }
    html! {
        <ul class="seats" id={id.to_string()}>
            { for seats.iter().map(|s| html! {
                <li class={classes!("seat", s.host.then_some("seat-host"))} key={s.id.0}>
                    <span role="img" class={classes!("presence", s.online.then_some("presence-on"))}
                        aria-label={if s.online { t.t("console.online") } else { t.t("console.away") }}></span>
                    <bdi class="seat-name">{ s.name.clone() }</bdi>
                    <span class={classes!("seat-loc", (s.location == Location::Remote).then_some("seat-remote"))}>{ t.location(s.location) }</span>
                    if s.host { <span class="badge badge-ok">{ t.t("console.host") }</span> }
                </li>
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct MoveProps {
    movable: Vec<Movable>,
    tables: Vec<(TableId, String)>,
}

/// Move one person to another table for the rest of this round (`assign_table`). Only
/// people and tables the shared rule allows are offered: hosts stay with their table, and
/// a remote person only goes to a virtual table.
#[function_component(MoveForm)]
fn move_form(p: &MoveProps) -> Html {
    let t = use_t();
    let send = use_send();
    let who = use_state(|| None::<PersonId>);
    let to = use_state(|| None::<TableId>);
    // Forget a choice the café no longer allows (the person left, the table filled a host).
    let person = (*who).and_then(|id| p.movable.iter().find(|m| m.id == id));
    let target = (*to).filter(|tb| person.is_some_and(|m| m.targets.contains(tb)));
    let name_of = |id: TableId| {
        p.tables
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let on_who = {
        let (who, to) = (who.clone(), to.clone());
        Callback::from(move |e: Event| {
            who.set(event_value(&e).parse::<u64>().ok().map(PersonId));
            to.set(None);
        })
    };
    let on_to = {
        let to = to.clone();
        Callback::from(move |e: Event| to.set(event_value(&e).parse::<u64>().ok().map(TableId)))
    };
    let onsubmit = {
        let (who, to) = (who.clone(), to.clone());
        let chosen = person.map(|m| m.id).zip(target);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some((person, table)) = chosen {
                send.emit(Command::AssignTable { person, table });
                who.set(None);
                to.set(None);
            }
        })
    };
    if p.movable.is_empty() {
        return html! {};
    }
    html! {
        <form class="inline-form move-form" {onsubmit} aria-labelledby="move-title">
            <h3 id="move-title" class="small-head">{ t.t("seat.move_title") }</h3>
            <label class="sr-only" for="move-who">{ t.t("seat.move_who") }</label>
            <select id="move-who" class="input" onchange={on_who}>
                <option value="" selected={person.is_none()}>{ t.t("seat.move_who") }</option>
                { for p.movable.iter().map(|m| {
                    let at = m.at.map(name_of).unwrap_or_else(|| t.t("seat.no_table").to_string());
                    html! {
                        <option value={m.id.0.to_string()} selected={person.is_some_and(|x| x.id == m.id)}>
                            { format!("{} ({at})", m.name) }
                        </option>
                    }
                }) }
            </select>
            <label class="sr-only" for="move-to">{ t.t("seat.move_to") }</label>
            <select id="move-to" class="input" onchange={on_to} disabled={person.is_none()}>
                <option value="" selected={target.is_none()}>{ t.t("seat.move_to") }</option>
                { for person.iter().flat_map(|m| m.targets.iter()).map(|tb| html! {
                    <option value={tb.0.to_string()} selected={target == Some(*tb)}>{ name_of(*tb) }</option>
                }) }
            </select>
            <button id="move-person" class="btn" type="submit" disabled={target.is_none()}>{ t.t("seat.move") }</button>
        </form>
    }
}

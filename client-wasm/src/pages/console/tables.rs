//! Tables and rounds: create tables, seat hosts, shuffle, start a round.

use crate::components::form::{event_value, input_value};
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::{minutes_to_secs, Ctx};
use cafe_shared::limits::{ROUND_PROMPT_MAX, TABLE_NAME_MAX};
use cafe_shared::{Assignment, CafeState, Command, ErrorCode, PersonId, TableId, TableKind};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TableRow {
    pub(super) id: TableId,
    pub(super) name: String,
    pub(super) kind: TableKind,
    pub(super) host: Option<PersonId>,
    pub(super) headcount: u32,
    /// Who the server would accept as this table's host.
    pub(super) candidates: Vec<(PersonId, String)>,
}

pub(super) fn table_rows(ctx: &Ctx, state: &CafeState) -> Vec<TableRow> {
    state
        .tables
        .values()
        .map(|tb| TableRow {
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
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub(super) struct TablesProps {
    pub(super) tables: Vec<TableRow>,
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
                        <th scope="col">{ t.t("scribe.headcount") }</th>
                    </tr></thead>
                    <tbody>
                    { for p.tables.iter().map(|row| {
                        let tid = row.id;
                        let on_host = send.reform(move |e: Event| {
                            let person = event_value(&e).parse::<u64>().ok().map(PersonId);
                            Command::SetTableHost { table: tid, person }
                        });
                        html! {
                            <tr>
                                <td>{ row.name.clone() }<span class="muted small">{ " · " }{ t.table_kind(row.kind) }</span></td>
                                <td>
                                    <select class="input input-small" onchange={on_host} aria-label={t.f("console.host_for", &[("name", &row.name)])}>
                                        <option value="" selected={row.host.is_none()}>{ t.t("console.no_host") }</option>
                                        { for row.candidates.iter().map(|(pid, pname)| html! {
                                            <option value={pid.0.to_string()} selected={row.host == Some(*pid)}>{ pname.clone() }</option>
                                        }) }
                                    </select>
                                </td>
                                <td>{ row.headcount }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
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

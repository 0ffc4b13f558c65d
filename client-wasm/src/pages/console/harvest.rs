//! The harvest: sending the tables' notes to the plenary, where the whole room sees them
//! and can vote on them. Per table: its notes best first (`harvest_ranking`), a selection,
//! "top N" and whole themes, each sent in one command; the harvested ones stay listed,
//! marked, so the facilitator sees what the plenary already holds.

use crate::components::form::{event_value, input_value};
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::{person_name, Ctx};
use cafe_shared::{CafeState, ClusterId, Command, ErrorCode, IdeaId, TableId};
use std::collections::BTreeSet;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HarvestNote {
    id: IdeaId,
    text: String,
    /// Author (where the café shows authors), place, dots: what a facilitator weighs.
    author: Option<String>,
    remote: bool,
    dots: Option<u32>,
    /// On the plenary already.
    harvested: bool,
    /// The server would accept harvesting it now.
    can: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HarvestTheme {
    id: ClusterId,
    title: String,
    notes: usize,
    /// Why the server would refuse to harvest the theme now, if it would.
    refused: Option<ErrorCode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HarvestTable {
    id: TableId,
    name: String,
    /// Harvestable notes best first, then the ones on the plenary already.
    notes: Vec<HarvestNote>,
    themes: Vec<HarvestTheme>,
}

/// Every table whose notes I may harvest (a facilitator: all; a host: their own).
pub(super) fn harvest_tables(ctx: &Ctx, state: &CafeState) -> Vec<HarvestTable> {
    let latest_totals = |board| {
        state
            .votes
            .values()
            .rev()
            .find(|v| v.boards.contains(&board))
            .map(|v| v.totals.clone())
    };
    state
        .tables
        .values()
        .filter_map(|tb| {
            let ranked = state.harvest_ranking(tb.board);
            let totals = latest_totals(tb.board);
            let note = |id: IdeaId| {
                let i = state.ideas.get(&id)?;
                let harvested = state.harvest_copy_of(id).is_some();
                Some(HarvestNote {
                    id,
                    text: i.text.clone(),
                    author: (!i.scribed).then(|| person_name(state, i.author)).flatten(),
                    remote: i.origin == cafe_shared::Location::Remote,
                    dots: totals.as_ref().and_then(|t| t.get(&id.0).copied()),
                    harvested,
                    can: !harvested && ctx.allowed(|me| state.may_harvest(me, id)),
                })
            };
            let mut notes: Vec<HarvestNote> = ranked.iter().filter_map(|id| note(*id)).collect();
            notes.extend(
                state
                    .ideas
                    .values()
                    .filter(|i| i.board == tb.board && state.harvest_copy_of(i.id).is_some())
                    .filter_map(|i| note(i.id)),
            );
            let themes: Vec<HarvestTheme> = state
                .clusters
                .values()
                .filter(|c| c.board == tb.board)
                .map(|c| HarvestTheme {
                    id: c.id,
                    title: c.title.clone(),
                    notes: state
                        .ideas
                        .values()
                        .filter(|i| i.cluster == Some(c.id) && i.public())
                        .count(),
                    refused: ctx
                        .may(|me| state.may_harvest_cluster(me, c.id))
                        .err()
                        .map(|r| r.code),
                })
                .collect();
            // Only tables I may harvest from: some note I may send, or a facilitator (who
            // sees every table, empty ones included, so the card's table list is stable).
            let mine = ctx.allowed(|me| state.may_facilitate(me))
                || notes.iter().any(|n| n.can)
                || themes.iter().any(|t| t.refused.is_none());
            mine.then(|| HarvestTable {
                id: tb.id,
                name: tb.name.clone(),
                notes,
                themes,
            })
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub(super) struct HarvestProps {
    pub(super) tables: Vec<HarvestTable>,
}

/// What the last action sent, to confirm it once the copies are on the plenary.
#[derive(Clone, PartialEq)]
enum Sent {
    Notes { table: String, ideas: Vec<IdeaId> },
    Theme { table: String, title: String },
}

#[function_component(HarvestCard)]
pub(super) fn harvest_card(p: &HarvestProps) -> Html {
    let t = use_t();
    let send = use_send();
    let chosen = use_state(|| None::<TableId>);
    let selected = use_state(BTreeSet::<IdeaId>::new);
    let top = use_state(|| "3".to_string());
    let sent = use_state(|| None::<Sent>);
    let Some(table) = (*chosen)
        .and_then(|id| p.tables.iter().find(|tb| tb.id == id))
        .or_else(|| p.tables.first())
    else {
        return html! {};
    };
    let on_table = {
        let (chosen, selected) = (chosen.clone(), selected.clone());
        Callback::from(move |e: Event| {
            if let Ok(id) = event_value(&e).parse::<u64>() {
                chosen.set(Some(TableId(id)));
                selected.set(BTreeSet::new());
            }
        })
    };
    let sendable: Vec<IdeaId> = table.notes.iter().filter(|n| n.can).map(|n| n.id).collect();
    // Selections of notes harvested meanwhile (by the host, say) drop out by themselves.
    let chosen_ids: Vec<IdeaId> = sendable
        .iter()
        .copied()
        .filter(|id| selected.contains(id))
        .collect();
    let top_n = top.trim().parse::<usize>().unwrap_or(0).min(sendable.len());
    let harvest = |ideas: Vec<IdeaId>| {
        let (send, sent, selected, name) = (
            send.clone(),
            sent.clone(),
            selected.clone(),
            table.name.clone(),
        );
        Callback::from(move |_| {
            if ideas.is_empty() {
                return;
            }
            send.emit(Command::HarvestIdeas {
                ideas: ideas.clone(),
            });
            sent.set(Some(Sent::Notes {
                table: name.clone(),
                ideas: ideas.clone(),
            }));
            selected.set(BTreeSet::new());
        })
    };
    let send_selected = harvest(chosen_ids.clone());
    let send_top = harvest(sendable.iter().copied().take(top_n).collect());
    let on_top = {
        let top = top.clone();
        Callback::from(move |e: InputEvent| top.set(input_value(&e)))
    };
    let feedback = match &*sent {
        None => None,
        Some(Sent::Notes { table: name, ideas }) => {
            let arrived = p
                .tables
                .iter()
                .flat_map(|tb| tb.notes.iter())
                .filter(|n| n.harvested && ideas.contains(&n.id))
                .count();
            Some(if arrived == ideas.len() {
                t.p("harvest.sent", arrived as u64, &[("table", name)])
            } else {
                t.p("harvest.sending", ideas.len() as u64, &[])
            })
        }
        Some(Sent::Theme { table: name, title }) => {
            Some(t.f("harvest.sent_theme", &[("theme", title), ("table", name)]))
        }
    };
    let on_plenary = table.notes.iter().filter(|n| n.harvested).count();
    html! {
        <section class="card card-wide harvest-card" id="harvest-card" aria-labelledby="harvest-title">
            <div class="section-head">
                <h2 id="harvest-title">{ t.t("harvest.title") }</h2>
                <span class="muted" id="harvest-count">{ t.f("harvest.on_plenary", &[("n", &on_plenary)]) }</span>
            </div>
            <p class="muted small">{ t.t("harvest.help") }</p>
            <div class="inline-form">
                <label for="harvest-table">{ t.t("harvest.table") }</label>
                <select id="harvest-table" class="input" onchange={on_table}>
                    { for p.tables.iter().map(|tb| {
                        let left = tb.notes.iter().filter(|n| n.can).count();
                        html! {
                            <option value={tb.id.0.to_string()} selected={tb.id == table.id}>
                                { t.f("harvest.table_option", &[("name", &tb.name), ("n", &left)]) }
                            </option>
                        }
                    }) }
                </select>
                <label for="harvest-top">{ t.t("harvest.top_label") }</label>
                <input id="harvest-top" class="input input-num" type="number" min="1" step="1"
                    value={(*top).clone()} oninput={on_top} />
                <button id="harvest-top-send" class="btn" disabled={top_n == 0} onclick={send_top}>
                    { t.f("harvest.send_top", &[("n", &top_n)]) }
                </button>
            </div>
            if !table.themes.is_empty() {
                <ul class="harvest-themes" aria-label={t.t("harvest.themes")}>
                    { for table.themes.iter().map(|th| {
                        let (send, sent, cluster, name, title) = (
                            send.clone(), sent.clone(), th.id, table.name.clone(), th.title.clone(),
                        );
                        let onclick = Callback::from(move |_| {
                            send.emit(Command::HarvestCluster { cluster });
                            sent.set(Some(Sent::Theme { table: name.clone(), title: title.clone() }));
                        });
                        html! {
                            <li>
                                <span class="harvest-theme-title" dir="auto">{ th.title.clone() }</span>
                                <span class="muted small">{ " · " }{ t.p("board.count", th.notes as u64, &[]) }</span>
                                <button class="btn btn-small harvest-theme" disabled={th.refused.is_some()} {onclick}
                                    aria-label={t.f("harvest.send_theme_named", &[("theme", &th.title)])}>
                                    { t.t("harvest.send_theme") }
                                </button>
                                if let Some(code) = th.refused {
                                    <span class="muted small">{ t.error(code) }</span>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
            if table.notes.is_empty() {
                <p class="muted" id="harvest-empty">{ t.t("harvest.no_notes") }</p>
            } else {
                <ul class="harvest-list" id="harvest-notes">
                    { for table.notes.iter().map(|n| {
                        let id = n.id;
                        let selected = selected.clone();
                        let on_check = Callback::from(move |_| {
                            let mut s = (*selected).clone();
                            if !s.remove(&id) {
                                s.insert(id);
                            }
                            selected.set(s);
                        });
                        let input_id = format!("harvest-{id}");
                        let mut meta: Vec<String> = Vec::new();
                        if let Some(a) = &n.author { meta.push(a.clone()); }
                        meta.push(t.location(if n.remote { cafe_shared::Location::Remote } else { cafe_shared::Location::Room }).to_string());
                        if let Some(d) = n.dots { meta.push(t.p("harvest.dots", u64::from(d), &[])); }
                        html! {
                            <li key={id.0} class={classes!("harvest-note", n.harvested.then_some("harvest-done"))}>
                                <input type="checkbox" id={input_id.clone()} checked={chosen_ids.contains(&id)}
                                    disabled={!n.can} onchange={on_check} />
                                <label for={input_id}>
                                    <span class="harvest-text" dir="auto">{ n.text.clone() }</span>
                                    <span class="muted small">{ meta.join(" · ") }</span>
                                </label>
                                if n.harvested {
                                    <span class="badge badge-harvested">{ t.t("harvest.done") }</span>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
            <div class="inline-form">
                <button id="harvest-send" class="btn btn-primary" disabled={chosen_ids.is_empty()} onclick={send_selected}>
                    if chosen_ids.is_empty() {
                        { t.t("harvest.tick_first") }
                    } else {
                        { t.f("harvest.send_selected", &[("n", &chosen_ids.len())]) }
                    }
                </button>
            </div>
            <p class="muted" id="harvest-feedback" role="status" aria-live="polite">
                { feedback.unwrap_or_default() }
            </p>
        </section>
    }
}

//! The facilitator's console: phases, timer, tables and rounds, people and presence, the
//! raised-hand queue, moderation, votes and exports. Laptop first, but usable on a tablet.

use crate::api;
use crate::components::chrome::{NoticeBar, TopBar};
use crate::components::composer::{Compose, IdeaComposer};
use crate::components::form::{event_value, input_value};
use crate::components::ideas::IdeaCard;
use crate::components::results::results_chart;
use crate::hooks::{use_cafe_page, use_send, Viewer};
use crate::i18n::{use_t, T};
use crate::pages::new_cafe::export_links;
use crate::pages::{minutes_to_secs, person_name, CafeProps, Ctx};
use crate::session::now_ms;
use cafe_shared::limits::{ROUND_PROMPT_MAX, TABLE_NAME_MAX};
use cafe_shared::{
    Assignment, BoardId, CafeState, Command, ErrorCode, Location, Millis, PersonId, Phase, TableId,
    TableKind, Timer, VoteStatus, VoteTarget, VoteVisibility,
};
use std::collections::BTreeSet;
use yew::prelude::*;

mod edit_cafe;
use crate::components::question::Question;
use edit_cafe::QuestionCard;

#[function_component(ConsolePage)]
pub fn console_page(p: &CafeProps) -> Html {
    let t = use_t();
    let page = use_cafe_page(&p.id, Viewer::Person);
    let mod_board = use_state(|| None::<BoardId>);
    let page = match page {
        Ok(page) => page,
        Err(waiting) => return waiting,
    };
    let session = &page.session;
    let c = session.client.borrow();
    let state = &c.state;
    let ctx = Ctx {
        t,
        session: session.clone(),
        me: c.me,
    };
    let title = state
        .info
        .as_ref()
        .map(|i| i.title.clone())
        .unwrap_or_default();
    let dismiss = {
        let s = session.clone();
        Callback::from(move |_| s.dismiss_notice())
    };
    // The console is for those who may change the phase: facilitators, also in a closed café
    // (which only they can reopen).
    if !ctx.allowed(|me| state.may_set_phase(me)) {
        return html! {
            <main class="page center">
                <div class="card narrow">
                    <h1>{ t.t("console.not_facilitator") }</h1>
                    <a class="btn btn-primary" href={format!("/c/{}", p.id)}>{ t.t("nav.board") }</a>
                </div>
            </main>
        };
    }
    let board = (*mod_board).or(state.plenary);
    let id = p.id.to_string();
    let code = state
        .info
        .as_ref()
        .map(|i| i.code.display())
        .unwrap_or_default();
    page.provide(html! {
        <>
        <TopBar title={title} subtitle={Some(AttrValue::from(t.t("nav.console")))} phase={Some(state.phase)}
            timer={state.timer} clock_offset={c.clock_offset} status={Some(c.status)}
            pending={c.outbox.unanswered_count()} />
        <main class="page console">
            <NoticeBar notice={c.notice.clone()} on_close={dismiss} />
            <div class="console-grid">
                <QuestionCard info={state.info.clone()} question={Question::of(state)}
                    can_edit={ctx.allowed(|me| state.may_update_cafe(me))}
                    can_change_anonymity={ctx.allowed(|me| state.may_change_anonymity(me))}
                    unanswered={c.outbox.unanswered().map(|e| e.id.clone()).collect::<Vec<_>>()}
                    rejected={c.rejected.clone()} />
                { phase_card(&ctx, state) }
                <TimerCard timer={state.timer} can={TimerCan::new(&ctx, state, c.server_now(now_ms()))} />
                { people_card(&ctx, state) }
                if ctx.allowed(|me| state.may_facilitate(me)) {
                    <RemovePeopleCard rows={remove_rows(&ctx, state)} now={c.server_now(now_ms())} />
                }
                { hands_card(&ctx, state) }
                <TablesCard tables={table_rows(&ctx, state)} rounds={state.rounds.len()}
                    can_create={ctx.allowed(|me| state.may_facilitate(me))}
                    round_refused={ctx.may(|me| state.may_start_round(me)).err().map(|r| r.code)} />
                { moderation_card(&ctx, state, board, mod_board.clone()) }
                <VoteCard boards={board_choices(t, state)} refused={vote_refusals(&ctx, state)}
                    default_budget={state.settings().default_budget} default_cap={state.settings().default_per_item_cap} />
                { votes_card(&ctx, state) }
                <section class="card share-card" aria-labelledby="share-title">
                    <h2 id="share-title">{ t.t("console.share") }</h2>
                    <p class="label">{ t.t("share.code") }</p>
                    <p class="join-code small" id="console-code">{ code }</p>
                    <img class="qr" src={api::qr_url(&id)} alt={t.t("share.qr_alt")} width="140" height="140" />
                    <div class="link-grid">
                        if let Some(pt) = page.creds.as_ref().and_then(|c| c.projector_token.as_ref()) {
                            <a id="projector-link" class="btn" target="_blank" rel="noopener" href={format!("/c/{id}/projector#token={pt}")}>{ t.t("nav.projector") }</a>
                        }
                        <a class="btn" href={format!("/c/{id}")}>{ t.t("nav.board") }</a>
                        <a class="btn" href={format!("/c/{id}/scribe")}>{ t.t("nav.scribe") }</a>
                    </div>
                    if let Some(creds) = &page.creds { { export_links(t, &id, &creds.token) } }
                </section>
            </div>
        </main>
        </>
    })
}

/// Plenary first, then every table's board.
fn board_choices(t: T, state: &CafeState) -> Vec<(BoardId, String)> {
    let mut v = Vec::new();
    if let Some(p) = state.plenary {
        v.push((p, t.t("board.plenary").to_string()));
    }
    v.extend(state.tables.values().map(|tb| (tb.board, tb.name.clone())));
    v
}

fn phase_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let send = ctx.send();
    html! {
        <section class="card" aria-labelledby="phase-title">
            <h2 id="phase-title">{ t.t("console.phase") }</h2>
            <div class="phase-steps" role="group" aria-label={t.t("console.phase")}>
                { for Phase::ALL.iter().map(|ph| {
                    let on = *ph == state.phase;
                    let send = send.clone();
                    let ph = *ph;
                    html! {
                        <button id={format!("phase-{}", ph.as_str())}
                            class={classes!("step", on.then_some("step-on"))} aria-pressed={on.to_string()}
                            onclick={Callback::from(move |_| send.emit(Command::SetPhase { phase: ph }))}>
                            { t.phase(ph) }
                        </button>
                    }
                }) }
            </div>
            <p class="muted">{ t.f("console.ready_count", &[
                ("n", &state.active_people().filter(|p| p.ready).count()),
                ("total", &state.active_people().filter(|p| !p.role.is_facilitator()).count()),
            ]) }</p>
        </section>
    }
}

/// Which timer buttons the server would accept now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimerCan {
    start: bool,
    pause: bool,
    resume: bool,
    extend: bool,
}

impl TimerCan {
    fn new(ctx: &Ctx, state: &CafeState, now: Millis) -> Self {
        Self {
            start: ctx.allowed(|me| state.may_facilitate(me)),
            pause: ctx.allowed(|me| state.may_pause_timer(me, now)),
            resume: ctx.allowed(|me| state.may_resume_timer(me)),
            extend: ctx.allowed(|me| state.may_extend_timer(me)),
        }
    }
}

#[derive(Properties, PartialEq)]
struct TimerCardProps {
    timer: Timer,
    can: TimerCan,
}

#[function_component(TimerCard)]
fn timer_card(p: &TimerCardProps) -> Html {
    let t = use_t();
    let minutes = use_state(|| "5".to_string());
    let sender = use_send();
    let send = move |c: Command| sender.reform(move |_: MouseEvent| c.clone());
    let secs = minutes_to_secs(&minutes);
    let oninput = {
        let minutes = minutes.clone();
        Callback::from(move |e: InputEvent| minutes.set(input_value(&e)))
    };
    let can = p.can;
    html! {
        <section class="card" aria-labelledby="timer-title">
            <h2 id="timer-title">{ t.t("console.timer") }</h2>
            <div class="inline-form">
                <label class="field field-inline">
                    <span>{ t.t("console.minutes") }</span>
                    <input id="timer-minutes" class="input input-num" type="number" min="0.1" step="0.5" value={(*minutes).clone()} {oninput} />
                </label>
                <button id="timer-start" class="btn btn-primary" disabled={!can.start} onclick={send(Command::StartTimer { duration_secs: secs })}>{ t.t("timer.start") }</button>
            </div>
            <div class="button-row">
                if can.pause { <button id="timer-pause" class="btn" onclick={send(Command::PauseTimer)}>{ t.t("timer.pause") }</button> }
                if can.resume { <button id="timer-resume" class="btn" onclick={send(Command::ResumeTimer)}>{ t.t("timer.resume") }</button> }
                // Stopping an idle timer changes nothing, so Stop goes with Extend.
                if can.extend {
                    <button id="timer-extend" class="btn" onclick={send(Command::ExtendTimer { secs: 60 })}>{ t.t("timer.extend") }</button>
                    <button id="timer-stop" class="btn btn-ghost" onclick={send(Command::StopTimer)}>{ t.t("timer.stop") }</button>
                }
            </div>
        </section>
    }
}

fn people_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let people: Vec<_> = state.active_people().collect();
    let online = people.iter().filter(|p| p.online).count();
    let room = people
        .iter()
        .filter(|p| p.location == Location::Room)
        .count();
    let remote = people.len() - room;
    let send = ctx.send();
    html! {
        <section class="card" aria-labelledby="people-title">
            <h2 id="people-title">{ t.t("console.people") }</h2>
            { joining_row(ctx, state) }
            <p class="stats">
                <span><strong id="count-online">{ online }</strong>{ " " }{ t.t("console.online") }</span>
                <span><strong id="count-room">{ room }</strong>{ " " }{ t.location(Location::Room) }</span>
                <span><strong id="count-remote">{ remote }</strong>{ " " }{ t.location(Location::Remote) }</span>
            </p>
            <ul class="people" id="people">
                { for people.iter().map(|p| {
                    let remove = Command::RemovePerson { person: p.id };
                    let can_remove = ctx.allowed(|me| state.may_remove_person(me, p.id));
                    let send = send.clone();
                    let name = p.name.clone();
                    html! {
                        <li class="person">
                            <span role="img" class={classes!("presence", p.online.then_some("presence-on"))}
                                aria-label={if p.online { t.t("console.online") } else { t.t("console.away") }}></span>
                            <span class="person-name">{ p.name.clone() }</span>
                            <span class="muted small">{ t.role(p.role) }{ " · " }{ t.location(p.location) }</span>
                            if p.ready { <span class="badge badge-ok">{ t.t("board.ready_on") }</span> }
                            if can_remove {
                                <button class="btn btn-small btn-ghost" aria-label={t.f("console.remove_who", &[("name", &name)])}
                                    onclick={Callback::from(move |_| send.emit(remove.clone()))}>{ t.t("console.remove") }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

/// Whether newcomers may join, how many people are in, and the switch (issue 10: a leaked
/// code must not let strangers fill the café).
fn joining_row(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let open = state.joining_open;
    let send = ctx.send();
    html! {
        <div class="joining">
            <p>
                <strong>{ t.t("console.joining") }</strong>{ " " }
                <span id="joining-state" class={classes!("badge", "joining-state", if open { "badge-ok" } else { "badge-pending" })}>
                    { if open { t.t("console.joining_open") } else { t.t("console.joining_closed") } }
                </span>
            </p>
            <p class="muted" id="people-count">{ t.f("console.people_count", &[("n", &state.active_people().count())]) }</p>
            if ctx.allowed(|me| state.may_set_joining(me)) {
                <button id="joining-toggle" class={classes!("btn", (!open).then_some("btn-on"))} aria-pressed={(!open).to_string()}
                    onclick={Callback::from(move |_| send.emit(Command::SetJoining { open: !open }))}>
                    { if open { t.t("console.close_joining") } else { t.t("console.open_joining") } }
                </button>
            }
        </div>
    }
}

/// One person the facilitator may remove (the shared rule decides who), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RemoveRow {
    id: PersonId,
    name: String,
    location: Location,
    joined_at: Millis,
}

fn remove_rows(ctx: &Ctx, state: &CafeState) -> Vec<RemoveRow> {
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
struct RemoveProps {
    rows: Vec<RemoveRow>,
    /// Server time, to say how long ago people joined.
    now: Millis,
}

/// Remove many at once: tick people, or everyone who joined in the last N minutes, then
/// confirm the count. Sends one `remove_people`, which the server takes all or nothing.
#[function_component(RemovePeopleCard)]
fn remove_people_card(p: &RemoveProps) -> Html {
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
                                    <span class="person-name">{ r.name.clone() }</span>
                                </label>
                                <span class="muted small">{ t.location(r.location) }{ " · " }{ t.f("console.joined_ago", &[("n", &ago)]) }</span>
                            </li>
                        }
                    }) }
                </ul>
                if *confirming && n > 0 {
                    <div class="confirm" role="alertdialog" aria-labelledby="confirm-remove-text">
                        <p id="confirm-remove-text">{ t.f("console.confirm_remove", &[("n", &n)]) }</p>
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

fn hands_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let send = ctx.send();
    html! {
        <section class="card" aria-labelledby="hands-title">
            <h2 id="hands-title">{ t.t("console.hands") }</h2>
            if state.hands.is_empty() {
                <p class="muted">{ t.t("console.no_hands") }</p>
            } else {
                <ol class="hands" id="hands">
                    { for state.hands.iter().map(|h| html! { <li>{ person_name(state, Some(*h)).unwrap_or_default() }</li> }) }
                </ol>
            }
            if ctx.allowed(|me| state.may_call_next_hand(me)) {
                <button id="call-next" class="btn btn-primary" onclick={Callback::from(move |_| send.emit(Command::CallNextHand))}>{ t.t("console.call_next") }</button>
            }
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TableRow {
    id: TableId,
    name: String,
    kind: TableKind,
    host: Option<PersonId>,
    headcount: u32,
    /// Who the server would accept as this table's host.
    candidates: Vec<(PersonId, String)>,
}

fn table_rows(ctx: &Ctx, state: &CafeState) -> Vec<TableRow> {
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
struct TablesProps {
    tables: Vec<TableRow>,
    rounds: usize,
    can_create: bool,
    /// Why the server would refuse to start a round now, if it would.
    round_refused: Option<ErrorCode>,
}

#[function_component(TablesCard)]
fn tables_card(p: &TablesProps) -> Html {
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

fn moderation_card(
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
                        <IdeaCard key={i.id.0} text={i.text.clone()} author={person_name(state, i.author).map(AttrValue::from)} hidden={i.hidden} tint={(i.id.0 % 5) as u8}>
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

/// The boards on which the server would refuse to open a vote now, and why.
fn vote_refusals(ctx: &Ctx, state: &CafeState) -> Vec<(BoardId, ErrorCode)> {
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
struct VoteProps {
    boards: Vec<(BoardId, String)>,
    refused: Vec<(BoardId, ErrorCode)>,
    default_budget: u32,
    default_cap: u32,
}

#[function_component(VoteCard)]
fn vote_card(p: &VoteProps) -> Html {
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

fn votes_card(ctx: &Ctx, state: &CafeState) -> Html {
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

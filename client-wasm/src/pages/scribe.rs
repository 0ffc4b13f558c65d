//! Scribe view: a table host types in a paper table's ideas quickly (Enter posts, focus
//! stays) and enters its dot tally after a paper vote.

use crate::components::chrome::{Loading, NotJoined, NoticeBar, TopBar};
use crate::components::ideas::IdeaCard;
use crate::components::results::item_label;
use crate::hooks::use_session;
use crate::i18n::use_t;
use crate::pages::board::CafeProps;
use crate::pages::{counter, event_value, input_value};
use crate::session::Session;
use crate::storage;
use cafe_shared::limits::{IDEA_TEXT_MAX, TABLE_HEADCOUNT_MAX};
use cafe_shared::{BoardId, Command, ItemCount, ItemId, TableId, VoteId, VoteStatus};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

#[function_component(ScribePage)]
pub fn scribe_page(p: &CafeProps) -> Html {
    let t = use_t();
    let creds = use_memo(p.id.clone(), |id| storage::credentials(id));
    let token = (*creds).as_ref().map(|c| c.token.clone());
    let session = use_session(p.id.to_string(), "me", token);
    let picked = use_state(|| None::<TableId>);
    if creds.is_none() {
        return html! { <NotJoined /> };
    }
    let Some(session) = session else {
        return html! { <Loading /> };
    };
    let c = session.client.borrow();
    if !c.loaded {
        return html! { <Loading /> };
    }
    let state = &c.state;
    let fac = c.is_facilitator();
    // Hosts scribe for their own table; facilitators may pick any.
    let own =
        c.me.and_then(|m| state.tables.values().find(|tb| tb.host == Some(m)));
    let table = (*picked)
        .and_then(|id| state.tables.get(&id))
        .or(own)
        .or_else(|| {
            if fac {
                state.tables.values().next()
            } else {
                None
            }
        });
    let title = state
        .info
        .as_ref()
        .map(|i| i.title.clone())
        .unwrap_or_default();
    let dismiss = {
        let s = session.clone();
        Callback::from(move |_| s.dismiss_notice())
    };
    let top = html! {
        <TopBar title={title} subtitle={Some(AttrValue::from(t.t("nav.scribe")))} phase={Some(state.phase)}
            timer={state.timer} clock_offset={c.clock_offset} status={Some(c.status)} pending={c.outbox.unanswered_count()} />
    };
    let Some(table) = table else {
        return html! { <>{ top }<main class="page"><div class="card"><p>{ t.t("scribe.no_table") }</p></div></main></> };
    };
    let picker = if fac {
        let picked = picked.clone();
        let onchange = Callback::from(move |e: Event| {
            picked.set(event_value(&e).parse::<u64>().ok().map(TableId))
        });
        html! {
            <label class="field">
                <span>{ t.t("scribe.table") }</span>
                <select id="scribe-table" class="input" {onchange}>
                    { for state.tables.values().map(|tb| html! { <option value={tb.id.0.to_string()} selected={tb.id == table.id}>{ tb.name.clone() }</option> }) }
                </select>
            </label>
        }
    } else {
        html! { <p class="prompt-table">{ t.f("board.your_table", &[("name", &table.name)]) }</p> }
    };
    let ideas: Vec<_> = state
        .ideas
        .values()
        .filter(|i| i.board == table.board)
        .collect();
    let vote = state.votes.values().rev().find(|v| {
        v.status == VoteStatus::Open && (v.board == table.board || Some(v.board) == state.plenary)
    });
    // The table's host or a facilitator enters the tally; the server checks the rest.
    let can_tally = vote.is_some() && (fac || (c.me.is_some() && table.host == c.me));
    html! {
        <>
        { top }
        <main class="page scribe">
            <NoticeBar notice={c.notice.clone()} on_close={dismiss} />
            <section class="card">
                { picker }
                <Headcount ctx_session={session.clone()} table={table.id} current={table.headcount} />
            </section>
            <QuickEntry ctx_session={session.clone()} board={table.board} />
            if let (Some(v), true) = (vote, can_tally) {
                <Tally ctx_session={session.clone()} vote={v.id} table={table.id}
                    items={v.items.iter().map(|i| (*i, item_label(state, v.target, *i))).collect::<Vec<_>>()}
                    current={v.tallies.get(&table.id).cloned().unwrap_or_default()} />
            }
            <section class="wall-section">
                <div class="section-head">
                    <h2>{ t.t("board.ideas") }</h2>
                    <span class="muted">{ t.f("board.count", &[("n", &ideas.len())]) }</span>
                </div>
                <ul class="wall wall-compact" id="scribe-ideas">
                    { for c.outbox.pending_ideas().iter().filter(|p| p.board == table.board).map(|p| html! { <IdeaCard key={p.id.clone()} text={p.text.clone()} pending=true /> }) }
                    { for ideas.iter().rev().map(|i| html! { <IdeaCard key={i.id.0} text={i.text.clone()} tint={(i.id.0 % 5) as u8} /> }) }
                </ul>
            </section>
        </main>
        </>
    }
}

#[derive(Properties)]
struct HeadcountProps {
    ctx_session: Rc<Session>,
    table: TableId,
    current: u32,
}
impl PartialEq for HeadcountProps {
    fn eq(&self, o: &Self) -> bool {
        self.table == o.table && self.current == o.current
    }
}

#[function_component(Headcount)]
fn headcount(p: &HeadcountProps) -> Html {
    let t = use_t();
    let value = use_state(|| p.current.to_string());
    let onsubmit = {
        let (value, s, table) = (value.clone(), p.ctx_session.clone(), p.table);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(n) = value.trim().parse::<u32>() {
                s.send(Command::SetTableHeadcount {
                    table,
                    headcount: n,
                });
            }
        })
    };
    let oninput = {
        let value = value.clone();
        Callback::from(move |e: InputEvent| value.set(input_value(&e)))
    };
    html! {
        <form class="inline-form" {onsubmit}>
            <label class="field field-inline">
                <span>{ t.t("scribe.headcount") }</span>
                <input id="headcount" class="input input-num" type="number" min="0" max={TABLE_HEADCOUNT_MAX.to_string()} value={(*value).clone()} {oninput} />
            </label>
            <button class="btn" type="submit">{ t.t("action.save") }</button>
            <span class="muted small">{ t.f("scribe.current", &[("n", &p.current)]) }</span>
        </form>
    }
}

#[derive(Properties)]
struct QuickProps {
    ctx_session: Rc<Session>,
    board: BoardId,
}
impl PartialEq for QuickProps {
    fn eq(&self, o: &Self) -> bool {
        self.board == o.board
    }
}

/// Enter posts and clears; Shift+Enter adds a line. The box keeps focus so a scribe can
/// type a stack of paper notes without touching the mouse.
#[function_component(QuickEntry)]
fn quick_entry(p: &QuickProps) -> Html {
    let t = use_t();
    let text = use_state(String::new);
    let post = {
        let (text, s, board) = (text.clone(), p.ctx_session.clone(), p.board);
        move || {
            let v = text.trim().to_string();
            if !v.is_empty() && v.chars().count() <= IDEA_TEXT_MAX {
                s.send(Command::PostIdea {
                    board,
                    text: v,
                    category: None,
                });
                text.set(String::new());
            }
        }
    };
    let onkeydown = {
        let post = post.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() {
                e.prevent_default();
                post();
            }
        })
    };
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        post();
    });
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(input_value(&e)))
    };
    html! {
        <form class="card composer" {onsubmit}>
            <label for="scribe-input" class="composer-label">{ t.t("scribe.entry") }</label>
            <textarea id="scribe-input" class="input" rows="2" value={(*text).clone()} {oninput} {onkeydown}
                placeholder={t.t("scribe.entry_hint")} />
            <div class="composer-foot">
                { counter(text.trim().chars().count(), IDEA_TEXT_MAX) }
                <button class="btn btn-primary" type="submit">{ t.t("board.post") }</button>
            </div>
        </form>
    }
}

#[derive(Properties)]
struct TallyProps {
    ctx_session: Rc<Session>,
    vote: VoteId,
    table: TableId,
    items: Vec<(ItemId, String)>,
    current: BTreeMap<ItemId, u32>,
}
impl PartialEq for TallyProps {
    fn eq(&self, o: &Self) -> bool {
        self.vote == o.vote
            && self.table == o.table
            && self.items == o.items
            && self.current == o.current
    }
}

#[function_component(Tally)]
fn tally(p: &TallyProps) -> Html {
    let t = use_t();
    let counts = use_state(|| p.current.clone());
    let onsubmit = {
        let (counts, s, vote, table) = (counts.clone(), p.ctx_session.clone(), p.vote, p.table);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let list = counts
                .iter()
                .map(|(item, dots)| ItemCount {
                    item: *item,
                    dots: *dots,
                })
                .collect();
            s.send(Command::EnterTally {
                vote,
                table,
                counts: list,
            });
        })
    };
    let total: u32 = counts.values().sum();
    html! {
        <form class="card" {onsubmit} aria-labelledby="tally-title">
            <h2 id="tally-title">{ t.t("scribe.tally") }</h2>
            <p class="muted small">{ t.f("scribe.tally_total", &[("n", &total)]) }</p>
            <ul class="tally">
                { for p.items.iter().map(|(item, label)| {
                    let item = *item;
                    let counts = counts.clone();
                    let value = counts.get(&item).copied().unwrap_or(0);
                    let oninput = Callback::from(move |e: InputEvent| {
                        let mut m = (*counts).clone();
                        m.insert(item, input_value(&e).trim().parse().unwrap_or(0));
                        counts.set(m);
                    });
                    html! {
                        <li class="tally-row">
                            <label for={format!("tally-{item}")}>{ label.clone() }</label>
                            <input id={format!("tally-{item}")} class="input input-num" type="number" min="0" value={value.to_string()} {oninput} />
                        </li>
                    }
                }) }
            </ul>
            <button class="btn btn-primary" type="submit">{ t.t("scribe.save_tally") }</button>
        </form>
    }
}

//! Scribe view: a table host types in a paper table's ideas quickly (Enter posts, focus
//! stays) and enters its dot tally after a paper vote.

use crate::components::chrome::{NoticeBar, TopBar};
use crate::components::composer::{Compose, IdeaComposer};
use crate::components::form::{event_value, input_value};
use crate::components::ideas::IdeaCard;
use crate::components::results::item_label;
use crate::hooks::{use_cafe_page, use_send, Viewer};
use crate::i18n::use_t;
use crate::pages::{CafeProps, Ctx};
use cafe_shared::limits::TABLE_HEADCOUNT_MAX;
use cafe_shared::{Command, ItemCount, ItemId, TableId, VoteId};
use std::collections::BTreeMap;
use yew::prelude::*;

#[function_component(ScribePage)]
pub fn scribe_page(p: &CafeProps) -> Html {
    let t = use_t();
    let page = use_cafe_page(&p.id, Viewer::Person);
    let picked = use_state(|| None::<TableId>);
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
    let fac = c.is_facilitator();
    // Which table to show: hosts scribe for their own table; facilitators may pick any.
    // What may be done there is asked of the shared rules below.
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
        <TopBar title={title} subtitle={Some(Html::from(t.t("nav.scribe")))} phase={Some(state.phase)}
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
        html! { <p class="prompt-table">{ t.h("board.your_table", &[("name", &table.name)]) }</p> }
    };
    let ideas: Vec<_> = state
        .ideas
        .values()
        .filter(|i| i.board == table.board)
        .collect();
    // A paper table's dots count in a vote on its own board or on the plenary.
    let vote = state.votes.values().rev().find(|v| {
        (v.boards.contains(&table.board) || state.plenary.is_some_and(|p| v.boards.contains(&p)))
            && ctx.allowed(|me| state.may_enter_tally(me, v.id, table.id))
    });
    page.provide(html! {
        <>
        { top }
        <main class="page scribe">
            <NoticeBar notice={c.notice.clone()} on_close={dismiss} />
            <section class="card">
                { picker }
                if ctx.allowed(|me| state.may_set_headcount(me, table.id)) {
                    <Headcount table={table.id} current={table.headcount} />
                }
            </section>
            <IdeaComposer target={Compose::Post { board: table.board }} class={classes!("card", "composer")}
                input_id="scribe-input" label={t.t("scribe.entry")} placeholder={t.t("scribe.entry_hint")}
                rows={2} enter_sends=true
                closed={ctx.may(|me| state.may_post(me, table.board)).err().map(|r| r.code)} />
            if let Some(v) = vote {
                <Tally vote={v.id} table={table.id}
                    items={v.items.iter().map(|i| (*i, item_label(state, v.target, *i))).collect::<Vec<_>>()}
                    current={v.tallies.get(&table.id).cloned().unwrap_or_default()} />
            }
            <section class="wall-section">
                <div class="section-head">
                    <h2>{ t.t("board.ideas") }</h2>
                    <span class="muted">{ t.p("board.count", ideas.len() as u64, &[]) }</span>
                </div>
                <ul class="wall wall-compact" id="scribe-ideas">
                    { for c.outbox.pending_ideas().iter().filter(|p| p.board == table.board).map(|p| html! { <IdeaCard key={p.id.clone()} text={p.text.clone()} pending=true /> }) }
                    { for ideas.iter().rev().map(|i| html! { <IdeaCard key={i.id.0} text={i.text.clone()} tint={(i.id.0 % 5) as u8} /> }) }
                </ul>
            </section>
        </main>
        </>
    })
}

#[derive(Properties, PartialEq)]
struct HeadcountProps {
    table: TableId,
    current: u32,
}

#[function_component(Headcount)]
fn headcount(p: &HeadcountProps) -> Html {
    let t = use_t();
    let send = use_send();
    let value = use_state(|| p.current.to_string());
    let onsubmit = {
        let (value, table) = (value.clone(), p.table);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(n) = value.trim().parse::<u32>() {
                send.emit(Command::SetTableHeadcount {
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

#[derive(Properties, PartialEq)]
struct TallyProps {
    vote: VoteId,
    table: TableId,
    items: Vec<(ItemId, String)>,
    current: BTreeMap<ItemId, u32>,
}

#[function_component(Tally)]
fn tally(p: &TallyProps) -> Html {
    let t = use_t();
    let send = use_send();
    let counts = use_state(|| p.current.clone());
    let onsubmit = {
        let (counts, vote, table) = (counts.clone(), p.vote, p.table);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let list = counts
                .iter()
                .map(|(item, dots)| ItemCount {
                    item: *item,
                    dots: *dots,
                })
                .collect();
            send.emit(Command::EnterTally {
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
            <p class="muted small">{ t.p("scribe.tally_total", u64::from(total), &[]) }</p>
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
                            <label for={format!("tally-{item}")} dir="auto">{ label.clone() }</label>
                            <input id={format!("tally-{item}")} class="input input-num" type="number" min="0" value={value.to_string()} {oninput} />
                        </li>
                    }
                }) }
            </ul>
            <button class="btn btn-primary" type="submit">{ t.t("scribe.save_tally") }</button>
        </form>
    }
}

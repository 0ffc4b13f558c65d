//! Who is here: presence by place, joining open or closed, and the raised-hand queue.

use crate::components::confirm::ConfirmButton;
use crate::components::paged::PagedList;
use crate::pages::{person_name, Ctx};
use cafe_shared::{CafeState, Command, Location, Person, Role};
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn people_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let people: Vec<_> = state.active_people().collect();
    let online = people.iter().filter(|p| p.online).count();
    let room = people
        .iter()
        .filter(|p| p.location == Location::Room)
        .count();
    let remote = people.len() - room;
    let search = Rc::new(
        people
            .iter()
            .map(|p| format!("{} {} {}", p.name, t.role(p.role), t.location(p.location)))
            .collect::<Vec<_>>(),
    );
    // Only the page shown is rendered (a café may seat hundreds); what each row may do is
    // decided now, against the state this render shows.
    // A co-facilitator runs the café from their own device: the organiser makes someone
    // who joined one (and back), and their board then links them to the console.
    let rows: Rc<Vec<(Person, bool, Option<Role>)>> = Rc::new(
        people
            .iter()
            .map(|p| {
                let other = match p.role {
                    Role::Organiser => None,
                    Role::Facilitator => Some(Role::Participant),
                    Role::Host | Role::Participant => Some(Role::Facilitator),
                };
                (
                    Person::clone(p),
                    ctx.allowed(|me| state.may_remove_person(me, p.id)),
                    other.filter(|r| ctx.allowed(|me| state.may_set_role(me, p.id, *r))),
                )
            })
            .collect(),
    );
    let send = ctx.send();
    let render = Callback::from(move |n: usize| {
        let Some((p, can_remove, role_to)) = rows.get(n) else {
            return html! {};
        };
        let remove = Command::RemovePerson { person: p.id };
        let name = p.name.clone();
        let on_role = role_to.map(|role| {
            let (send, person) = (send.clone(), p.id);
            Callback::from(move |_| send.emit(Command::SetRole { person, role }))
        });
        let send = send.clone();
        let on_remove = Callback::from(move |()| send.emit(remove.clone()));
        let role_label = |role: Role| {
            if role == Role::Facilitator {
                ("console.make_facilitator", "console.make_facilitator_who")
            } else {
                ("console.make_participant", "console.make_participant_who")
            }
        };
        html! {
            // Three columns (presence, who, Remove): the button keeps its place at the end
            // of the row however long the name, and only "who" wraps.
            <li class="person person-row" key={p.id.0}>
                <span role="img" class={classes!("presence", p.online.then_some("presence-on"))}
                    aria-label={if p.online { t.t("console.online") } else { t.t("console.away") }}></span>
                <span class="person-main">
                    <bdi class="person-name">{ p.name.clone() }</bdi>
                    <span class="muted small">{ t.role(p.role) }{ " · " }{ t.location(p.location) }</span>
                    if p.ready { <span class="badge badge-ok">{ t.t("board.ready_on") }</span> }
                    // Under the role it changes, so Remove keeps its place at the row's end.
                    if let (Some(role), Some(on_role)) = (role_to, on_role) {
                        <button id={format!("role-{}", p.id.0)} class="btn btn-small role-toggle" data-role={role.as_str()} onclick={on_role}
                            aria-label={t.f(role_label(*role).1, &[("name", &name)])}>
                            { t.t(role_label(*role).0) }
                        </button>
                    }
                </span>
                if *can_remove {
                    // Removing shuts the person out at once: asked first (issue 11).
                    <ConfirmButton id={format!("remove-{}", p.id.0)} class={classes!("btn", "btn-small", "btn-ghost")}
                        label={t.t("console.remove")} aria_label={Some(AttrValue::from(t.f("console.remove_who", &[("name", &name)])))}
                        question={t.h("confirm.remove_person", &[("name", &name)])}
                        yes={t.h("console.remove_who", &[("name", &name)])} on_confirm={on_remove} />
                }
            </li>
        }
    });
    html! {
        <section class="card" aria-labelledby="people-title">
            <h2 id="people-title">{ t.t("console.people") }</h2>
            { joining_row(ctx, state) }
            <p class="stats">
                <span><strong id="count-online">{ online }</strong>{ " " }{ t.t("console.online") }</span>
                <span><strong id="count-room">{ room }</strong>{ " " }{ t.location(Location::Room) }</span>
                <span><strong id="count-remote">{ remote }</strong>{ " " }{ t.location(Location::Remote) }</span>
            </p>
            <PagedList id="people" class="people" scrolls={Some(AttrValue::from(t.t("console.people")))} label={t.t("console.search_people")} search={search} render={render} />
        </section>
    }
}

/// Whether newcomers may join, how many people are in, and the switch (issue 10: a leaked
/// code must not let strangers fill the café).
pub(super) fn joining_row(ctx: &Ctx, state: &CafeState) -> Html {
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
            <p class="muted" id="people-count">{ t.p("console.people_count", state.active_people().count() as u64, &[]) }</p>
            if ctx.allowed(|me| state.may_set_joining(me)) {
                <button id="joining-toggle" class={classes!("btn", (!open).then_some("btn-on"))} aria-pressed={(!open).to_string()}
                    onclick={Callback::from(move |_| send.emit(Command::SetJoining { open: !open }))}>
                    { if open { t.t("console.close_joining") } else { t.t("console.open_joining") } }
                </button>
            }
        </div>
    }
}

pub(super) fn hands_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let send = ctx.send();
    html! {
        <section class="card" aria-labelledby="hands-title">
            <h2 id="hands-title">{ t.t("console.hands") }</h2>
            if state.hands.is_empty() {
                <p class="muted">{ t.t("console.no_hands") }</p>
            } else {
                <ol class="hands" id="hands">
                    { for state.hands.iter().map(|h| html! { <li dir="auto">{ person_name(state, Some(*h)).unwrap_or_default() }</li> }) }
                </ol>
            }
            if ctx.allowed(|me| state.may_call_next_hand(me)) {
                <button id="call-next" class="btn btn-primary" onclick={Callback::from(move |_| send.emit(Command::CallNextHand))}>{ t.t("console.call_next") }</button>
            }
        </section>
    }
}

//! "You host Table 3": a table's host learns it on their own board, with the way to the
//! scribe view where they type in the table's notes and its paper headcount and tally. A
//! co-facilitator (made one in the console) likewise learns it, with the way to the console.

use crate::i18n::T;
use cafe_shared::{CafeState, PersonId, Phase, Role};
use yew::prelude::*;

pub fn host_banner(t: T, cafe: &str, state: &CafeState, me: Option<PersonId>) -> Html {
    // A closed café invites no more work.
    if state.phase == Phase::Closed {
        return html! {};
    }
    let Some(table) = me.and_then(|m| state.tables.values().find(|tb| tb.host == Some(m))) else {
        return html! {};
    };
    html! {
        <section class="host-banner" id="host-banner" aria-labelledby="host-banner-title">
            <p id="host-banner-title" class="host-banner-title">{ t.h("host.you_host", &[("name", &table.name)]) }</p>
            <p class="host-banner-help">{ t.t("host.help") }</p>
            // A page load: the scribe view is in the full app, not the participant build.
            <a id="scribe-link" class="btn btn-primary" href={format!("/c/{cafe}/scribe")}>{ t.t("host.open_scribe") }</a>
        </section>
    }
}

/// "You help run this café": shown to a co-facilitator on their board (the organiser made
/// them one in the console's people list), with the way to the console. The organiser
/// started from the console, so it is not shown to them.
pub fn facilitator_banner(t: T, cafe: &str, state: &CafeState, me: Option<PersonId>) -> Html {
    let Some(person) = me.and_then(|m| state.people.get(&m)) else {
        return html! {};
    };
    if person.role != Role::Facilitator || state.may_set_phase(person.id).is_err() {
        return html! {};
    }
    html! {
        <section class="host-banner" id="facilitator-banner" aria-labelledby="facilitator-banner-title">
            <p id="facilitator-banner-title" class="host-banner-title">{ t.t("facilitator.you_help") }</p>
            <p class="host-banner-help">{ t.t("facilitator.help") }</p>
            // A page load: the console is its own build.
            <a id="console-link" class="btn btn-primary" href={format!("/c/{cafe}/console")}>{ t.t("facilitator.open_console") }</a>
        </section>
    }
}

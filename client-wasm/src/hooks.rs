//! Hooks that tie a [`Session`] to a component's lifetime.

use crate::route::{use_nav, Route};
use crate::session::{now_ms, Session};
use crate::storage;
use gloo_timers::callback::Interval;
use std::rc::Rc;
use yew::prelude::*;

/// Opens the café's live connection while the page is shown and re-renders on every change.
/// `scope` is "me" for a person, "projector" for the big screen.
#[hook]
pub fn use_session(
    cafe: String,
    scope: &'static str,
    token: Option<String>,
) -> Option<Rc<Session>> {
    let force = use_force_update();
    let nav = use_nav();
    let holder = use_state(|| None::<Rc<Session>>);
    {
        let holder = holder.clone();
        use_effect_with((cafe, token), move |(cafe, token)| {
            let session = token.clone().map(|tok| {
                let f = force.clone();
                let cafe_for_leave = cafe.clone();
                Session::start(
                    cafe,
                    scope,
                    tok,
                    move || f.force_update(),
                    move |msg| {
                        // The token is dead (removed, expired): forget everything about it.
                        storage::remove(&storage::creds_key(&cafe_for_leave));
                        storage::remove(&storage::state_key(&cafe_for_leave, scope));
                        storage::remove(&storage::outbox_key(&cafe_for_leave, scope));
                        storage::set_flash(&msg);
                        nav.go.emit(Route::Landing);
                    },
                )
            });
            holder.set(session.clone());
            move || {
                if let Some(s) = session {
                    s.stop();
                }
            }
        });
    }
    (*holder).clone()
}

/// Browser time, refreshed every `every_ms` while `active`; drives countdowns.
#[hook]
pub fn use_clock(active: bool, every_ms: u32) -> i64 {
    let now = use_state(now_ms);
    {
        let now = now.clone();
        use_effect_with(active, move |active| {
            let interval = active.then(|| Interval::new(every_ms, move || now.set(now_ms())));
            move || drop(interval)
        });
    }
    *now
}

//! Hooks that tie a [`Session`] to a component's lifetime, and the start-up every café page
//! shares.

use crate::components::chrome::{Loading, NotJoined};
use crate::i18n::use_t;
use crate::route::{use_nav, Route};
use crate::session::{now_ms, Session};
use crate::storage::{self, Credentials};
use cafe_shared::Command;
use gloo_timers::callback::Interval;
use std::rc::Rc;
use yew::prelude::*;

/// Who is looking at a café page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// A person who joined or created the café (credentials in localStorage).
    Person,
    /// The big screen, with the projector token from the URL fragment.
    Projector,
}

/// A café page that can be shown: its live session (also given to every component below
/// through a `ContextProvider<Rc<Session>>`, see [`CafePage::provide`]).
pub struct CafePage {
    pub session: Rc<Session>,
    /// What this browser keeps for the café; `None` on the projector.
    pub creds: Option<Credentials>,
}

impl CafePage {
    /// Puts the session in context for the page's components ([`use_send`]).
    pub fn provide(&self, content: Html) -> Html {
        html! {
            <ContextProvider<Rc<Session>> context={self.session.clone()}>
                { content }
            </ContextProvider<Rc<Session>>>
        }
    }
}

/// The start of every café page: finds the token, opens the live connection, and waits for
/// the first snapshot. `Err` holds what to show meanwhile (not joined, no projector token,
/// loading). Call it before the page's other hooks' results are used, and return the `Err`
/// only after all of the page's hooks have run.
#[hook]
pub fn use_cafe_page(cafe: &AttrValue, viewer: Viewer) -> Result<CafePage, Html> {
    let t = use_t();
    let found = use_memo((cafe.clone(), viewer), |(id, viewer)| match viewer {
        Viewer::Person => {
            // Only the console makes sign-in links, and they open the console.
            #[cfg(feature = "console")]
            let creds = link_credentials(id).or_else(|| storage::credentials(id));
            #[cfg(not(feature = "console"))]
            let creds = storage::credentials(id);
            let token = creds.as_ref().map(|c| c.token.clone());
            (creds, token)
        }
        Viewer::Projector => (None, projector_token(id)),
    });
    let (creds, token) = (*found).clone();
    let scope = match viewer {
        Viewer::Person => "me",
        Viewer::Projector => "projector",
    };
    let session = use_session(cafe.to_string(), scope, token.clone());
    if token.is_none() {
        return Err(match viewer {
            Viewer::Person => html! { <NotJoined /> },
            Viewer::Projector => html! {
                <main class="page center"><div class="card narrow"><h1>{ t.t("projector.no_token") }</h1></div></main>
            },
        });
    }
    let Some(session) = session else {
        return Err(html! { <Loading /> });
    };
    if !session.client.borrow().loaded {
        return Err(html! { <Loading /> });
    }
    Ok(CafePage { session, creds })
}

/// Sends a command on the page's session (from the context [`CafePage::provide`] sets up).
#[hook]
pub fn use_send() -> Callback<Command> {
    let session = use_context::<Rc<Session>>();
    Callback::from(move |c: Command| {
        if let Some(s) = &session {
            s.send(c);
        }
    })
}

/// The projector token arrives in the URL fragment (never sent to servers or logs) and is
/// kept so a reload of the projector tab keeps working.
fn projector_token(cafe: &str) -> Option<String> {
    match fragment_value("token") {
        Some(tok) => {
            storage::set_raw(&storage::projector_key(cafe), &tok);
            Some(tok)
        }
        None => storage::get_raw(&storage::projector_key(cafe)),
    }
}

/// A value of the URL fragment (`#token=…&turn=5`).
fn fragment_value(key: &str) -> Option<String> {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// A sign-in link ("Open this console on another device", `#token=…`): the token becomes
/// this browser's credentials for the café. A different person this browser held there is
/// forgotten first, with their copy of the café (their view, which may show what the new
/// person may not see). The fragment is cleared so the key does not stay in the address bar.
#[cfg(feature = "console")]
fn link_credentials(cafe: &str) -> Option<Credentials> {
    let token = fragment_value("token")?;
    let projector_token = fragment_value("projector");
    if let Some(w) = web_sys::window() {
        let l = w.location();
        let url = format!(
            "{}{}",
            l.pathname().unwrap_or_default(),
            l.search().unwrap_or_default()
        );
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
    let held = storage::credentials(cafe);
    if let Some(c) = held.filter(|c| c.token == token) {
        return Some(c);
    }
    storage::forget_person(cafe);
    let creds = Credentials {
        token,
        name: String::new(),
        projector_token,
        code_display: None,
    };
    storage::set(&storage::creds_key(cafe), &creds);
    Some(creds)
}

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

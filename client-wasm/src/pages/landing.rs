//! Landing: join a café with its code (or a /j/{code} link), name, room or remote, language.

use crate::api;
use crate::components::chrome::LangPicker;
use crate::components::form::{event_value, input_value};
use crate::i18n::{use_lang, use_t};
use crate::route::{use_nav, Route};
use crate::storage::{self, Credentials};
use cafe_shared::limits::DISPLAY_NAME_MAX;
use cafe_shared::{ErrorCode, JoinCode, Location};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What a person typed into the server-rendered join form (`#prejoin`, see the server's
/// join_page.rs) before the app arrived, carried over into the app's form.
#[derive(Default)]
struct Prefill {
    name: Option<String>,
    location: Option<Location>,
    error: Option<String>,
    /// The café of the link, whose credentials this phone may already hold.
    cafe: Option<String>,
}

thread_local! {
    static PREFILL: RefCell<Option<Prefill>> = const { RefCell::new(None) };
}

/// Called once before the app first renders. If the server-rendered form is posting a join
/// right now, waits for it to settle (its script moves the address to the board on success
/// and fires `cafe-prejoin`), so the person is never joined twice. Then keeps what was typed
/// for [`Landing`] and removes the form: the app's own page replaces it.
pub async fn take_over_prejoin() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = doc.get_element_by_id("prejoin") else {
        return;
    };
    if root.has_attribute("data-busy") {
        let settled = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                gloo_events::EventListener::once(&w, "cafe-prejoin", move |_| {
                    let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
                })
                .forget();
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(settled).await;
    }
    let input = |selector: &str| {
        doc.query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
    };
    let error = doc
        .get_element_by_id("prejoin-error")
        .filter(|e| !e.has_attribute("hidden"))
        .and_then(|e| e.text_content())
        .filter(|t| !t.is_empty());
    let prefill = Prefill {
        name: input("#prejoin-name").filter(|n| !n.is_empty()),
        location: input("#prejoin input[name=loc]:checked").and_then(|l| Location::from_wire(&l)),
        error,
        cafe: doc
            .get_element_by_id("prejoin-form")
            .and_then(|f| f.get_attribute("data-cafe")),
    };
    PREFILL.with(|p| *p.borrow_mut() = Some(prefill));
    root.remove();
}

#[derive(Properties, PartialEq)]
pub struct LandingProps {
    pub code: Option<String>,
}

#[function_component(Landing)]
pub fn landing(p: &LandingProps) -> Html {
    let t = use_t();
    let nav = use_nav();
    let code = use_state(|| {
        p.code
            .as_deref()
            .and_then(|c| JoinCode::parse(c).ok())
            .map(|c| c.display())
            .unwrap_or_default()
    });
    let prefill = use_state(|| PREFILL.with(|p| p.borrow_mut().take()).unwrap_or_default());
    let name = use_state(|| prefill.name.clone().unwrap_or_default());
    let location = use_state(|| prefill.location.unwrap_or(Location::Room));
    let busy = use_state(|| false);
    // Someone this phone already joined the link's café as (a second scan of the QR): offered
    // to go on as them, or to forget them and join anew. Never a second person silently.
    let known = use_state(|| {
        prefill
            .cafe
            .clone()
            .and_then(|id| storage::credentials(&id).map(|c| (id, c.name)))
    });
    // Whether the café of a shared link (/j/{code}) has closed joining: said before anyone
    // types a name. A typed code is not looked up (a typo would count as a guess); its join
    // answers `joining_closed` instead, which sets this too.
    let closed = use_state(|| false);
    let lang = use_lang();
    {
        let (closed, known) = (closed.clone(), known.clone());
        let cafe_lang = lang.cafe.clone();
        let link_code = p.code.as_deref().and_then(|c| JoinCode::parse(c).ok());
        use_effect_with(link_code, move |code| {
            if let Some(code) = code.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(info) = api::lookup(code.as_str()).await {
                        // A join link speaks the café's language unless the person chose one.
                        cafe_lang.emit(info.language);
                        closed.set(!info.joining_open);
                        if let Some(c) = storage::credentials(&info.cafe_id) {
                            known.set(Some((info.cafe_id, c.name)));
                        }
                    }
                });
            }
        });
    }
    // A message left by a page that was shut out (removed, token expired): the localized
    // reason first, the server's words after it. Or what the server-rendered form said.
    let error = use_state(|| {
        if let Some(e) = &prefill.error {
            return Some(e.clone());
        }
        storage::take_flash().map(|m| {
            let reason = t.t("err.unauthorized");
            if m.is_empty() {
                reason.to_string()
            } else {
                format!("{reason} ({m})")
            }
        })
    });

    let onsubmit = {
        let nav = nav.clone();
        let (code, name, location, busy, error, closed) = (
            code.clone(),
            name.clone(),
            location.clone(),
            busy.clone(),
            error.clone(),
            closed.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let parsed = match JoinCode::parse(&code) {
                Ok(c) => c,
                Err(_) => {
                    error.set(Some(t.t("landing.bad_code").to_string()));
                    return;
                }
            };
            let who = name.trim().to_string();
            if who.is_empty() {
                error.set(Some(t.t("landing.need_name").to_string()));
                return;
            }
            busy.set(true);
            let (busy, error, nav, loc, closed) = (
                busy.clone(),
                error.clone(),
                nav.clone(),
                *location,
                closed.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::join(parsed.as_str(), &who, loc).await {
                    Ok(j) => {
                        storage::set(
                            &storage::creds_key(&j.cafe_id),
                            &Credentials {
                                token: j.token,
                                name: who,
                                projector_token: None,
                                code_display: Some(parsed.display()),
                            },
                        );
                        nav.go.emit(Route::Board { id: j.cafe_id });
                    }
                    Err(e) if e.code() == Some(ErrorCode::JoiningClosed) => {
                        busy.set(false);
                        error.set(None);
                        closed.set(true);
                    }
                    Err(e) => {
                        busy.set(false);
                        // The same words as the server-rendered form (prejoin.js).
                        let msg = match e.code() {
                            Some(ErrorCode::NotFound) => t.t("landing.no_cafe").to_string(),
                            Some(code @ ErrorCode::RateLimited) => t.error(code).to_string(),
                            Some(ErrorCode::Conflict) => t.t("join.name_taken").to_string(),
                            Some(ErrorCode::LimitReached) => t.t("join.full").to_string(),
                            Some(ErrorCode::NotAllowedInPhase) => t.t("join.closed").to_string(),
                            None => t.t("err.network").to_string(),
                            Some(code) => {
                                format!("{} ({})", t.t("landing.join_failed"), t.error(code))
                            }
                        };
                        error.set(Some(msg));
                    }
                }
            });
        })
    };

    let on_code = {
        let (code, closed) = (code.clone(), closed.clone());
        // Another code is another café: whatever was said of the last one no longer holds.
        Callback::from(move |e: InputEvent| {
            code.set(input_value(&e).to_uppercase());
            closed.set(false);
        })
    };
    let on_name = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(input_value(&e)))
    };
    let on_loc = {
        let location = location.clone();
        Callback::from(move |e: Event| {
            location.set(Location::from_wire(&event_value(&e)).unwrap_or_default())
        })
    };

    let to_new = {
        let nav = nav.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            nav.go.emit(Route::New);
        })
    };

    let hero = html! {
        <section class="hero">
            <div class="hero-top">
                <span class="brand-mark" aria-hidden="true">{ "☕" }</span>
                <LangPicker />
            </div>
            <h1>{ t.t("app.name") }</h1>
            <p class="lead">{ t.t("landing.tagline") }</p>
        </section>
    };
    if let Some((id, who)) = (*known).clone() {
        let go = {
            let (nav, id) = (nav.clone(), id.clone());
            Callback::from(move |_| nav.go.emit(Route::Board { id: id.clone() }))
        };
        let not_you = {
            let known = known.clone();
            Callback::from(move |_| {
                storage::forget_person(&id);
                known.set(None);
            })
        };
        let (title, cont) = if who.is_empty() {
            (
                t.t("welcome.back_plain").to_string(),
                t.t("welcome.continue_plain").to_string(),
            )
        } else {
            (
                t.f("welcome.back", &[("name", &who)]),
                t.f("welcome.continue", &[("name", &who)]),
            )
        };
        return html! {
            <main class="page landing">
                { hero }
                <section class="card join-card" id="welcome-back" aria-labelledby="welcome-title">
                    <h2 id="welcome-title" dir="auto">{ title }</h2>
                    <p>{ t.t("welcome.help") }</p>
                    <button id="continue" class="btn btn-primary btn-block" onclick={go}>{ cont }</button>
                    <button id="not-you" class="btn btn-ghost btn-block" onclick={not_you}>{ t.t("welcome.not_you") }</button>
                </section>
            </main>
        };
    }
    html! {
        <main class="page landing">
            { hero }
            <form class="card join-card" {onsubmit} aria-labelledby="join-title">
                <h2 id="join-title">{ t.t("landing.join_title") }</h2>
                if *closed {
                    <p id="joining-closed" class="form-error" role="alert">{ t.t("landing.joining_closed") }</p>
                } else if let Some(err) = &*error {
                    <p class="form-error" role="alert">{ err.clone() }</p>
                }
                <label class="field">
                    <span>{ t.t("landing.code") }</span>
                    <input id="code" class="input input-code" value={(*code).clone()} oninput={on_code}
                        autocomplete="off" autocapitalize="characters" spellcheck="false"
                        inputmode="text" placeholder="K7M-Q2P" maxlength="11" required=true />
                </label>
                <label class="field">
                    <span>{ t.t("landing.name") }</span>
                    <input id="name" class="input" value={(*name).clone()} oninput={on_name}
                        autocomplete="nickname" maxlength={DISPLAY_NAME_MAX.to_string()} required=true />
                </label>
                <fieldset class="field segmented">
                    <legend>{ t.t("landing.where") }</legend>
                    { for Location::ALL.into_iter().map(|l| html! {
                        <label class="seg">
                            <input type="radio" name="loc" value={l.as_str()} checked={*location == l} onchange={on_loc.clone()} />
                            <span>{ t.location(l) }</span>
                        </label>
                    }) }
                </fieldset>
                <button id="join" class="btn btn-primary btn-block" type="submit" disabled={*busy || *closed}>
                    { if *busy { t.t("landing.joining") } else { t.t("landing.join") } }
                </button>
            </form>
            <p class="organiser-link">
                { t.t("landing.organiser") }{ " " }
                <a href="/new" class="link" onclick={to_new}>{ t.t("landing.create") }</a>
            </p>
        </main>
    }
}

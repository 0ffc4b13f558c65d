//! The root: routes, and the language every page speaks.

use crate::i18n::{self, LangCtx};
use crate::pages::{
    board::BoardPage, console::ConsolePage, landing::Landing, new_cafe::NewCafe,
    projector::ProjectorPage, scribe::ScribePage,
};
use crate::storage;
use cafe_shared::Language;
use yew::prelude::*;

/// The app's screens. Parsed from the path by hand: a router crate cost ~25 KB of gzip for
/// seven fixed routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Landing,
    Join { code: String },
    New,
    Board { id: String },
    Console { id: String },
    Projector { id: String },
    Scribe { id: String },
}

impl Route {
    pub fn parse(path: &str) -> Route {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let s = |v: &str| v.to_string();
        match parts.as_slice() {
            ["j", code] => Route::Join { code: s(code) },
            ["new"] => Route::New,
            ["c", id] => Route::Board { id: s(id) },
            ["c", id, "console"] => Route::Console { id: s(id) },
            ["c", id, "projector"] => Route::Projector { id: s(id) },
            ["c", id, "scribe"] => Route::Scribe { id: s(id) },
            _ => Route::Landing,
        }
    }

    pub fn path(&self) -> String {
        match self {
            Route::Landing => "/".into(),
            Route::Join { code } => format!("/j/{code}"),
            Route::New => "/new".into(),
            Route::Board { id } => format!("/c/{id}"),
            Route::Console { id } => format!("/c/{id}/console"),
            Route::Projector { id } => format!("/c/{id}/projector"),
            Route::Scribe { id } => format!("/c/{id}/scribe"),
        }
    }
}

/// Navigation without a page load.
#[derive(Clone, PartialEq)]
pub struct Nav {
    pub go: Callback<Route>,
}

#[hook]
pub fn use_nav() -> Nav {
    use_context::<Nav>().unwrap_or(Nav {
        go: Callback::from(|r: Route| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&r.path());
            }
        }),
    })
}

fn current_route() -> Route {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .map(|p| Route::parse(&p))
        .unwrap_or(Route::Landing)
}

fn switch(route: Route) -> Html {
    match route {
        Route::Landing => html! { <Landing code={None::<String>} /> },
        Route::Join { code } => html! { <Landing code={Some(code)} /> },
        Route::New => html! { <NewCafe /> },
        Route::Board { id } => html! { <BoardPage {id} /> },
        Route::Console { id } => html! { <ConsolePage {id} /> },
        Route::Projector { id } => html! { <ProjectorPage {id} /> },
        Route::Scribe { id } => html! { <ScribePage {id} /> },
    }
}

/// The stored choice, else the browser's language, else English.
pub fn initial_language() -> Language {
    if let Some(l) = storage::get_raw(storage::LANG_KEY).and_then(|c| Language::from_code(&c)) {
        return l;
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|c| Language::from_code(&c))
        .unwrap_or_default()
}

/// Arabic is written right to left: the whole document flips at once, not just the text.
/// `lang` names what the page is written in, so it follows once the table has arrived.
fn apply_to_document(lang: Language, ready: bool) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let shown = if ready { lang } else { Language::En };
        let _ = root.set_attribute("lang", shown.code());
        let _ = root.set_attribute("dir", if lang.is_rtl() { "rtl" } else { "ltr" });
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(initial_language);
    // Bumped when a fetched language table arrives, so everything renders again.
    let arrived = use_state(|| 0u32);
    let ready = i18n::is_loaded(*lang);
    use_effect_with((*lang, ready), |(l, r)| apply_to_document(*l, *r));
    {
        let arrived = arrived.clone();
        use_effect_with(*lang, move |l| {
            let l = *l;
            if !i18n::is_loaded(l) {
                wasm_bindgen_futures::spawn_local(async move {
                    if i18n::load(l).await {
                        arrived.set(*arrived + 1);
                    }
                });
            }
        });
    }
    let set = {
        let lang = lang.clone();
        Callback::from(move |l: Language| {
            storage::set_raw(storage::LANG_KEY, l.code());
            lang.set(l);
        })
    };
    let ctx = LangCtx {
        lang: *lang,
        ready,
        set,
    };
    let route = use_state(current_route);
    {
        // Back and forward buttons.
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "popstate", move |_| route.set(current_route()))
            });
            move || drop(listener)
        });
    }
    let nav = {
        let route = route.clone();
        Nav {
            go: Callback::from(move |r: Route| {
                if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ =
                        h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&r.path()));
                }
                route.set(r);
            }),
        }
    };
    html! {
        <ContextProvider<LangCtx> context={ctx}>
            <ContextProvider<Nav> context={nav}>
                { switch((*route).clone()) }
            </ContextProvider<Nav>>
        </ContextProvider<LangCtx>>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn routes_round_trip() {
        for r in [
            Route::Landing,
            Route::Join {
                code: "K7MQ2P".into(),
            },
            Route::New,
            Route::Board { id: "abc".into() },
            Route::Console { id: "abc".into() },
            Route::Projector { id: "abc".into() },
            Route::Scribe { id: "abc".into() },
        ] {
            assert_eq!(Route::parse(&r.path()), r);
        }
        assert_eq!(Route::parse("/c/abc/"), Route::Board { id: "abc".into() });
        assert_eq!(Route::parse("/nowhere/at/all"), Route::Landing);
    }
}

//! The root: routes, and the language every page speaks.

use crate::i18n::{self, LangCtx};
#[cfg(feature = "create")]
use crate::pages::access::{KeyPage, LinksPage};
#[cfg(feature = "console")]
use crate::pages::console::ConsolePage;
#[cfg(feature = "create")]
use crate::pages::new_cafe::NewCafe;
#[cfg(feature = "projector")]
use crate::pages::projector::ProjectorPage;
#[cfg(feature = "scribe")]
use crate::pages::scribe::ScribePage;
#[cfg(feature = "participant")]
use crate::pages::{board::BoardPage, landing::Landing};
#[cfg(not(feature = "full"))]
use crate::route::reload_page;
use crate::route::{current_route, load_page, Nav, Route};
use crate::storage;
use cafe_shared::Language;
use yew::prelude::*;

fn switch(route: Route) -> Html {
    match route {
        #[cfg(feature = "participant")]
        Route::Landing => html! { <Landing code={None::<String>} /> },
        #[cfg(feature = "participant")]
        Route::Join { code } => html! { <Landing code={Some(code)} /> },
        #[cfg(feature = "participant")]
        Route::Board { id } => html! { <BoardPage {id} /> },
        #[cfg(feature = "create")]
        Route::New => html! { <NewCafe /> },
        #[cfg(feature = "create")]
        Route::Links { id } => html! { <LinksPage {id} /> },
        #[cfg(feature = "create")]
        Route::Key { id } => html! { <KeyPage {id} /> },
        #[cfg(feature = "console")]
        Route::Console { id } => html! { <ConsolePage {id} /> },
        #[cfg(feature = "projector")]
        Route::Projector { id } => html! { <ProjectorPage {id} /> },
        #[cfg(feature = "scribe")]
        Route::Scribe { id } => html! { <ScribePage {id} /> },
        // A build on another build's screen (the back button into one, an old bookmark
        // served from a cache): the server answers the address with the build that has it.
        #[cfg(not(feature = "full"))]
        _ => {
            reload_page();
            html! {}
        }
    }
}

/// The stored choice, else the browser's language, else English. (A café page then
/// switches to the café's language unless the person chose one: `LangCtx::cafe`.)
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
    let cafe = {
        let lang = lang.clone();
        Callback::from(move |l: Language| {
            if storage::get_raw(storage::LANG_KEY).is_none() && *lang != l {
                lang.set(l);
            }
        })
    };
    let ctx = LangCtx {
        lang: *lang,
        ready,
        set,
        cafe,
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
                if !r.in_this_build() {
                    load_page(&r);
                    return;
                }
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

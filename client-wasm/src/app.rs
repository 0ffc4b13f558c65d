//! The root: routes, and the language every page speaks.

use crate::i18n::LangCtx;
use crate::pages::{
    board::BoardPage, console::ConsolePage, landing::Landing, new_cafe::NewCafe,
    projector::ProjectorPage, scribe::ScribePage,
};
use crate::storage;
use cafe_shared::Language;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Landing,
    #[at("/j/:code")]
    Join { code: String },
    #[at("/new")]
    New,
    #[at("/c/:id")]
    Board { id: String },
    #[at("/c/:id/console")]
    Console { id: String },
    #[at("/c/:id/projector")]
    Projector { id: String },
    #[at("/c/:id/scribe")]
    Scribe { id: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Landing | Route::NotFound => html! { <Landing code={None::<String>} /> },
        Route::Join { code } => html! { <Landing code={Some(code)} /> },
        Route::New => html! { <NewCafe /> },
        Route::Board { id } => html! { <BoardPage {id} /> },
        Route::Console { id } => html! { <ConsolePage {id} /> },
        Route::Projector { id } => html! { <ProjectorPage {id} /> },
        Route::Scribe { id } => html! { <ScribePage {id} /> },
    }
}

/// The stored choice, else the browser's language, else English.
fn initial_language() -> Language {
    if let Some(l) = storage::get_raw(storage::LANG_KEY).and_then(|c| Language::from_code(&c)) {
        return l;
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|c| Language::from_code(&c))
        .unwrap_or_default()
}

/// Arabic is written right to left: the whole document flips, not just the text.
fn apply_to_document(lang: Language) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", if lang.is_rtl() { "rtl" } else { "ltr" });
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(initial_language);
    use_effect_with(*lang, |l| apply_to_document(*l));
    let set = {
        let lang = lang.clone();
        Callback::from(move |l: Language| {
            storage::set_raw(storage::LANG_KEY, l.code());
            lang.set(l);
        })
    };
    let ctx = LangCtx { lang: *lang, set };
    html! {
        <ContextProvider<LangCtx> context={ctx}>
            <BrowserRouter>
                <Switch<Route> render={switch} />
            </BrowserRouter>
        </ContextProvider<LangCtx>>
    }
}

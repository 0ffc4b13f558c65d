//! Where the app is: the screens, parsed from the path, and navigation without a page load.
//! Its own module so that pages and hooks can navigate without depending on the root
//! component that renders them.

use cafe_shared::screens::Bundle;
use yew::prelude::*;

/// The app's screens. Parsed from the path by hand: a router crate cost ~25 KB of gzip for
/// seven fixed routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Landing,
    Join {
        code: String,
    },
    New,
    Board {
        id: String,
    },
    Console {
        id: String,
    },
    Projector {
        id: String,
    },
    Scribe {
        id: String,
    },
    /// The organiser's access links.
    Links {
        id: String,
    },
    /// Opening an access link (its key in the fragment).
    Key {
        id: String,
    },
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
            ["c", id, "links"] => Route::Links { id: s(id) },
            ["c", id, "key"] => Route::Key { id: s(id) },
            _ => Route::Landing,
        }
    }

    /// The build of the app that has this screen: what the server sends for its address
    /// (`Bundle::for_path`; a test checks the two agree). Written per route rather than by
    /// parsing `path()` again: the participant build pays for every byte.
    pub fn bundle(&self) -> Bundle {
        match self {
            Route::Landing | Route::Join { .. } | Route::Board { .. } => Bundle::Participant,
            Route::New | Route::Links { .. } | Route::Key { .. } => Bundle::Create,
            Route::Console { .. } => Bundle::Console,
            Route::Projector { .. } => Bundle::Projector,
            Route::Scribe { .. } => Bundle::Scribe,
        }
    }

    /// Whether this build of the app has the screen.
    pub fn in_this_build(&self) -> bool {
        match self.bundle() {
            Bundle::Participant => cfg!(feature = "participant"),
            Bundle::Create => cfg!(feature = "create"),
            Bundle::Console => cfg!(feature = "console"),
            Bundle::Projector => cfg!(feature = "projector"),
            Bundle::Scribe => cfg!(feature = "scribe"),
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
            Route::Links { id } => format!("/c/{id}/links"),
            Route::Key { id } => format!("/c/{id}/key"),
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
        go: Callback::from(|r: Route| load_page(&r)),
    })
}

/// Navigation with a page load: the server sends the build of the app that has `route`.
pub fn load_page(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(&route.path());
    }
}

/// Loads this address again from the server, which answers a staff screen's address with
/// the full app. For the participant build finding itself on such an address (the back
/// button into one, an address typed into a tab that had the participant app); the whole
/// URL is kept, so a projector's `#token=` survives.
pub fn reload_page() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

pub fn current_route() -> Route {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .map(|p| Route::parse(&p))
        .unwrap_or(Route::Landing)
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
            assert_eq!(r.bundle(), Bundle::for_path(&r.path()), "{}", r.path());
        }
        assert_eq!(Route::parse("/c/abc/"), Route::Board { id: "abc".into() });
        assert_eq!(Route::parse("/nowhere/at/all"), Route::Landing);
    }
}

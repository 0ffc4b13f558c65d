//! # cafe-client: the Innovation Café web app
//!
//! A Yew app compiled to WebAssembly and served by the café server.
//!
//! - [`client_state`]: the browser's copy of the café (same `CafeState::apply` as the
//!   server), the resume point, and the reducer for server frames. Pure, unit-tested.
//! - [`outbox`]: commands waiting for an answer, persisted so nothing typed is lost.
//! - [`session`]: the WebSocket, reconnects, pings and persistence around a `ClientState`.
//! - [`api`]: the HTTP calls (create, join).
//! - [`i18n`]: the six UN languages (English built in, the rest fetched when chosen); no
//!   UI string lives anywhere else.
//! - [`app`], [`route`], [`pages`], [`components`]: the screens and how to move between them.

pub mod api;
pub mod app;
pub mod client_state;
pub mod components;
pub mod hooks;
pub mod i18n;
pub mod json;
pub mod outbox;
pub mod pages;
pub mod route;
pub mod session;
pub mod storage;

/// Entry point called by the wasm-bindgen glue once the module is loaded.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // A remembered language other than English is fetched before the first render, so the
    // page does not flash English first (if the fetch fails, English it is).
    wasm_bindgen_futures::spawn_local(async {
        i18n::load(app::initial_language()).await;
        // A join link's server-rendered form hands over (and may finish a join) first.
        #[cfg(feature = "participant")]
        pages::landing::take_over_prejoin().await;
        yew::Renderer::<app::App>::new().render();
    });
}

// wasm-bindgen-test runs the unit tests in headless Chrome, like the app itself.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

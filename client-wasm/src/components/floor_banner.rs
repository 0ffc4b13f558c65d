//! "You have the floor": the person the facilitator called (`hand_called`) sees it, feels it
//! (a vibration where the phone can, started by the session when the call arrives) and
//! hears it (the board's one polite live region says "You have the floor", see
//! `pages/board.rs`), until they dismiss it.
//!
//! Plain functions rather than a component with its own hooks: this is in the participant
//! build, whose first load has a byte budget.

use crate::i18n::T;
use crate::session::Session;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// `called`: whether a call for me is showing (`ClientState::floor`).
pub fn floor_banner(t: T, session: &Rc<Session>, called: bool) -> Html {
    let dismiss = {
        let s = session.clone();
        Callback::from(move |_| s.dismiss_floor())
    };
    html! {
        <div class="floor-live">
            if called {
                <section class="floor-banner" id="floor-banner" aria-labelledby="floor-title">
                    <div>
                        <p id="floor-title" class="floor-title">{ t.t("floor.title") }</p>
                        <p class="floor-help">{ t.t("floor.help") }</p>
                    </div>
                    <button id="floor-dismiss" class="btn" onclick={dismiss}>{ t.t("floor.ok") }</button>
                </section>
            }
        </div>
    }
}

/// A short buzz, where the browser has `navigator.vibrate` (not iOS Safari, not desktops);
/// elsewhere the banner alone tells.
pub fn vibrate() {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    if js_sys::Reflect::has(&nav, &JsValue::from_str("vibrate")).unwrap_or(false) {
        let _ = nav.vibrate_with_duration(400);
    }
}

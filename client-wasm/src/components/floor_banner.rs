//! "You have the floor": the person the facilitator called (`hand_called`) sees it, feels it
//! (a vibration where the phone can) and hears it (an assertive live region holding only
//! this banner, so the rest of the board stays quiet for screen readers), until they
//! dismiss it.

use crate::i18n::use_t;
use wasm_bindgen::JsValue;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FloorProps {
    /// The seq of the latest call for me (`ClientState::floor`).
    pub called: Option<u64>,
}

#[function_component(FloorBanner)]
pub fn floor_banner(p: &FloorProps) -> Html {
    let t = use_t();
    let dismissed = use_state(|| None::<u64>);
    use_effect_with(p.called, |called| {
        if called.is_some() {
            vibrate();
        }
    });
    let show = p.called.is_some() && *dismissed != p.called;
    let dismiss = {
        let (dismissed, called) = (dismissed.clone(), p.called);
        Callback::from(move |_| dismissed.set(called))
    };
    // The region stays in the page so that what appears inside it is announced.
    html! {
        <div class="floor-live" aria-live="assertive" aria-atomic="true">
            if show {
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

/// A short double buzz, where the browser has `navigator.vibrate` (not iOS Safari, not
/// desktops); elsewhere the banner alone tells.
fn vibrate() {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    if js_sys::Reflect::has(&nav, &JsValue::from_str("vibrate")).unwrap_or(false) {
        let pattern = js_sys::Array::of3(&200.into(), &100.into(), &200.into());
        let _ = nav.vibrate_with_pattern(&pattern);
    }
}

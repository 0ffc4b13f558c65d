//! "Open this console on another device": a link that signs in as the person looking, so a
//! facilitator can move to another laptop or tablet (or hand the console to a co-facilitator
//! they trust) without joining again. The token rides in the URL fragment, which browsers
//! never send to a server, so it reaches no request log; the page that opens it keeps it and
//! clears the fragment ([`crate::hooks`]).

use crate::components::form::copy_on_click;
use crate::i18n::use_t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DeviceLinkProps {
    pub cafe: AttrValue,
    pub token: AttrValue,
    /// Carried along so the other device's console can link the projector too.
    pub projector_token: Option<AttrValue>,
}

#[function_component(DeviceLink)]
pub fn device_link(p: &DeviceLinkProps) -> Html {
    let t = use_t();
    let copied = use_state(|| false);
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let mut link = format!("{origin}/c/{}/console#token={}", p.cafe, p.token);
    if let Some(pt) = &p.projector_token {
        link.push_str("&projector=");
        link.push_str(pt);
    }
    let copy = copy_on_click(link.clone(), copied.clone());
    html! {
        <details class="device-link" id="device-link">
            <summary>{ t.t("console.device_link") }</summary>
            <p class="small" id="device-link-hint">{ t.t("console.device_link_hint") }</p>
            <div class="device-link-row">
                <input id="device-link-url" class="input" readonly=true dir="ltr" value={link}
                    aria-label={t.t("console.device_link")} aria-describedby="device-link-hint" />
                <button id="device-link-copy" class="btn btn-small" onclick={copy}>
                    { if *copied { t.t("console.copied") } else { t.t("console.copy") } }
                </button>
            </div>
        </details>
    }
}

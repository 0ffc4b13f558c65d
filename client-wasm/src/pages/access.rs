//! Access links (issue 13): opening one (`/c/{id}/key#{link}.{secret}`) and the organiser's
//! page of links (`/c/{id}/links`): invite co-facilitators and table hosts, give a link a
//! new secret, revoke one. The secrets are made by the server and shown here once.

use crate::api::{self, links};
use crate::components::chrome::LangPicker;
use crate::components::form::{copy_on_click, event_value, input_value};
use crate::i18n::{use_t, T};
use crate::pages::CafeProps;
use crate::storage::{self, Credentials};
use cafe_shared::api::{LinkCreated, LinkInfo};
use cafe_shared::limits::DISPLAY_NAME_MAX;
use cafe_shared::Role;
use yew::prelude::*;

/// The key in the address's fragment, which is then cleared from the address bar (and so
/// from the browser's history and any screenshot of it).
fn take_fragment() -> Option<String> {
    let w = web_sys::window()?;
    let l = w.location();
    let key = l.hash().ok()?.trim_start_matches('#').to_string();
    if let Ok(h) = w.history() {
        let url = l.pathname().unwrap_or_default();
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    (!key.is_empty()).then_some(key)
}

fn go(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().replace(path);
    }
}

/// Opening an access link: the key becomes this browser's credentials for the café, then
/// the screen of the link's role opens.
#[function_component(KeyPage)]
pub fn key_page(p: &CafeProps) -> Html {
    let t = use_t();
    let failed = use_state(|| false);
    {
        let (id, failed) = (p.id.to_string(), failed.clone());
        use_effect_with((), move |_| {
            match take_fragment() {
                None => failed.set(true),
                Some(key) => wasm_bindgen_futures::spawn_local(async move {
                    match links::redeem(&id, &key).await {
                        Ok(r) => {
                            // Whoever this browser was in the café before is let go, with
                            // their copy of it (it may show what this person may not see).
                            storage::forget_person(&id);
                            storage::set(
                                &storage::creds_key(&id),
                                &Credentials {
                                    token: r.token,
                                    name: r.name,
                                    projector_token: r.projector_token,
                                    code_display: Some(r.code_display),
                                },
                            );
                            let to = match r.role {
                                Role::Organiser | Role::Facilitator => "console",
                                Role::Host => "scribe",
                                Role::Participant => "",
                            };
                            go(&format!("/c/{id}/{to}"));
                        }
                        Err(_) => failed.set(true),
                    }
                }),
            }
        });
    }
    html! {
        <main class="page center">
            <div class="card narrow" role="status" aria-live="polite">
                if *failed {
                    <h1>{ t.t("access.invalid_title") }</h1>
                    <p id="key-invalid">{ t.t("access.invalid") }</p>
                    <a class="btn btn-primary" href="/">{ t.t("app.back") }</a>
                } else {
                    <h1>{ t.t("access.opening") }</h1>
                }
            </div>
        </main>
    }
}

/// A link shown once: its address to copy, its QR code, and why to keep it safe.
#[derive(Properties, PartialEq)]
pub struct RevealProps {
    pub title: AttrValue,
    pub url: AttrValue,
    pub qr_svg: Option<AttrValue>,
}

#[function_component(LinkReveal)]
pub fn link_reveal(p: &RevealProps) -> Html {
    let t = use_t();
    let copied = use_state(|| false);
    let copy = copy_on_click(p.url.to_string(), copied.clone());
    // The SVG is the server's own rendering of the link; as a data URL it needs no script.
    let qr = p.qr_svg.as_ref().map(|svg| {
        let encoded = js_sys::encode_uri_component(svg);
        format!("data:image/svg+xml;charset=utf-8,{}", String::from(encoded))
    });
    html! {
        <section class="card link-reveal" aria-labelledby="reveal-title">
            <h2 id="reveal-title">{ p.title.clone() }</h2>
            <p class="keep-safe" role="note">{ t.t("access.keep_safe") }</p>
            <div class="device-link-row">
                <input id="reveal-url" class="input" readonly=true dir="ltr" value={p.url.clone()}
                    aria-label={p.title.clone()} />
                <button id="reveal-copy" class="btn btn-small" onclick={copy}>
                    { if *copied { t.t("access.copied") } else { t.t("access.copy") } }
                </button>
            </div>
            if let Some(src) = qr {
                <img class="link-qr" id="reveal-qr" {src} alt={t.t("access.qr_alt")} width="200" height="200" />
            }
        </section>
    }
}

fn status(t: T, l: &LinkInfo) -> &'static str {
    if l.revoked {
        t.t("access.revoked")
    } else if l.online {
        t.t("access.online")
    } else {
        t.t("access.offline")
    }
}

/// The organiser's links.
#[function_component(LinksPage)]
pub fn links_page(p: &CafeProps) -> Html {
    let t = use_t();
    let id = p.id.to_string();
    let creds = use_state(|| storage::credentials(&id));
    let list = use_state(|| None::<Vec<LinkInfo>>);
    let error = use_state(|| None::<String>);
    let shown = use_state(|| None::<(String, LinkCreated)>);
    let name = use_state(String::new);
    let role = use_state(|| Role::Facilitator);
    let arming = use_state(|| None::<u32>);
    let refresh = use_state(|| 0u32);
    let token = creds.as_ref().map(|c| c.token.clone());

    {
        let (id, token, list, error) = (id.clone(), token.clone(), list.clone(), error.clone());
        use_effect_with(*refresh, move |_| {
            if let Some(token) = token {
                wasm_bindgen_futures::spawn_local(async move {
                    match links::list(&id, &token).await {
                        Ok(r) => list.set(Some(r.links)),
                        Err(e) => error.set(Some(e.message().to_string())),
                    }
                });
            }
        });
    }
    let Some(token) = token else {
        return html! { <crate::components::chrome::NotJoined /> };
    };
    let failed = {
        let error = error.clone();
        move |e: api::ApiError| error.set(Some(format!("{} {}", t.t("access.failed"), e.message())))
    };
    let after = {
        let (shown, refresh, creds, id, arming) = (
            shown.clone(),
            refresh.clone(),
            creds.clone(),
            id.clone(),
            arming.clone(),
        );
        move |title: String, made: LinkCreated| {
            // My own link got a new secret: keep this browser in with the new token.
            if let (Some(new), Some(mut c)) = (made.token.clone(), (*creds).clone()) {
                c.token = new;
                if made.projector_token.is_some() {
                    c.projector_token = made.projector_token.clone();
                }
                storage::set(&storage::creds_key(&id), &c);
                creds.set(Some(c));
            }
            arming.set(None);
            shown.set(Some((title, made)));
            refresh.set(*refresh + 1);
        }
    };
    let onsubmit = {
        let (id, token, name, role, after, failed, error) = (
            id.clone(),
            token.clone(),
            name.clone(),
            role.clone(),
            after.clone(),
            failed.clone(),
            error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let who = name.trim().to_string();
            if who.is_empty() {
                return;
            }
            error.set(None);
            let (id, token, role, name, after, failed) = (
                id.clone(),
                token.clone(),
                *role,
                name.clone(),
                after.clone(),
                failed.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match links::create(&id, &token, role, &who).await {
                    Ok(made) => {
                        name.set(String::new());
                        after(t.t("access.link_for").replace("{name}", &who), made);
                    }
                    Err(e) => failed(e),
                }
            });
        })
    };
    let rotate = |l: &LinkInfo| {
        let (id, token, after, failed, link, who) = (
            id.clone(),
            token.clone(),
            after.clone(),
            failed.clone(),
            l.link,
            l.name.clone(),
        );
        Callback::from(move |_| {
            let (id, token, after, failed, who) = (
                id.clone(),
                token.clone(),
                after.clone(),
                failed.clone(),
                who.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match links::rotate(&id, &token, link).await {
                    Ok(made) => after(t.t("access.link_for").replace("{name}", &who), made),
                    Err(e) => failed(e),
                }
            });
        })
    };
    let revoke = |l: &LinkInfo| {
        let (id, token, refresh, failed, arming, link) = (
            id.clone(),
            token.clone(),
            refresh.clone(),
            failed.clone(),
            arming.clone(),
            l.link,
        );
        Callback::from(move |_| {
            // Two clicks: the first arms the button, so a slip never signs someone out.
            if *arming != Some(link) {
                arming.set(Some(link));
                return;
            }
            let (id, token, refresh, failed, arming) = (
                id.clone(),
                token.clone(),
                refresh.clone(),
                failed.clone(),
                arming.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match links::revoke(&id, &token, link).await {
                    Ok(()) => {
                        arming.set(None);
                        refresh.set(*refresh + 1);
                    }
                    Err(e) => failed(e),
                }
            });
        })
    };
    let on_name = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(input_value(&e)))
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |e: Event| {
            role.set(Role::from_wire(&event_value(&e)).unwrap_or(Role::Facilitator))
        })
    };
    let row = |l: &LinkInfo| {
        let armed = *arming == Some(l.link);
        html! {
            <li class="link-row" id={format!("link-{}", l.link)}>
                <div class="link-who">
                    <strong>{ l.name.clone() }</strong>
                    if l.yours { <span class="muted">{ format!(" ({})", t.t("access.you")) }</span> }
                    <span class="pill">{ t.role(l.role) }</span>
                    <span class={classes!("pill", if l.revoked { "pill-off" } else if l.online { "pill-on" } else { "" })}>
                        { status(t, l) }
                    </span>
                </div>
                if !l.revoked {
                    <div class="link-actions">
                        <button class="btn btn-small rotate" onclick={rotate(l)}>{ t.t("access.rotate") }</button>
                        if !l.yours {
                            <button class={classes!("btn", "btn-small", "revoke", armed.then_some("btn-danger"))}
                                onclick={revoke(l)}>
                                { if armed { t.t("access.confirm_revoke") } else { t.t("access.revoke") } }
                            </button>
                        }
                    </div>
                }
            </li>
        }
    };
    html! {
        <main class="page narrow-page">
            <div class="page-head">
                <a class="link" href={format!("/c/{id}/console")}>{ t.t("access.back") }</a>
                <LangPicker />
            </div>
            <section class="card" aria-labelledby="links-title">
                <h1 id="links-title">{ t.t("access.title") }</h1>
                <p class="muted">{ t.t("access.help") }</p>
                if let Some(err) = &*error { <p class="form-error" role="alert">{ err.clone() }</p> }
                <form class="invite-form" {onsubmit} aria-label={t.t("access.invite")}>
                    <label class="field">
                        <span>{ t.t("access.name") }</span>
                        <input id="invite-name" class="input" value={(*name).clone()} oninput={on_name}
                            maxlength={DISPLAY_NAME_MAX.to_string()} required=true />
                    </label>
                    <label class="field">
                        <span>{ t.t("access.role") }</span>
                        <select id="invite-role" class="input" onchange={on_role}>
                            { for [Role::Facilitator, Role::Host].into_iter().map(|r| html! {
                                <option value={r.as_str()} selected={*role == r}>{ t.role(r) }</option>
                            }) }
                        </select>
                    </label>
                    <button id="invite" class="btn btn-primary" type="submit">{ t.t("access.create") }</button>
                </form>
            </section>
            if let Some((title, made)) = &*shown {
                <LinkReveal title={title.clone()} url={made.url.clone()} qr_svg={Some(AttrValue::from(made.qr_svg.clone()))} />
            }
            <section class="card" aria-labelledby="links-list-title">
                <h2 id="links-list-title">{ t.t("access.list") }</h2>
                { match &*list {
                    Some(links) => html! { <ul class="link-list" id="link-list">{ for links.iter().map(row) }</ul> },
                    None => html! { <p class="muted">{ t.t("access.loading") }</p> },
                } }
            </section>
        </main>
    }
}

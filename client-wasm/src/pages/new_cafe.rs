//! For organisers: create a café, then hand out its code, QR and links.

use crate::api;
use crate::components::chrome::LangPicker;
use crate::components::exports::export_links;
use crate::components::form::{counter, event_value, input_value};
use crate::i18n::{native_name, use_t, T};
use crate::pages::access::LinkReveal;
use crate::storage::{self, Credentials};
use cafe_shared::api::{CafeCreatedResponse, CreateCafeRequest};
use cafe_shared::limits::{CAFE_DESCRIPTION_MAX, CAFE_TITLE_MAX, DISPLAY_NAME_MAX};
use cafe_shared::{Language, Mode, Settings};
use yew::prelude::*;

#[function_component(NewCafe)]
pub fn new_cafe() -> Html {
    let t = use_t();
    let title = use_state(String::new);
    let description = use_state(String::new);
    let organiser = use_state(String::new);
    let mode = use_state(|| Mode::Hybrid);
    let language = use_state(|| t.lang);
    let anonymous = use_state(|| false);
    let moderation = use_state(|| false);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let created = use_state(|| None::<CafeCreatedResponse>);

    if let Some(c) = &*created {
        return created_view(t, c);
    }

    let onsubmit = {
        let (title, description, organiser, mode, language) = (
            title.clone(),
            description.clone(),
            organiser.clone(),
            mode.clone(),
            language.clone(),
        );
        let (anonymous, moderation, busy, error, created) = (
            anonymous.clone(),
            moderation.clone(),
            busy.clone(),
            error.clone(),
            created.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = CreateCafeRequest {
                title: title.trim().to_string(),
                description: Some(description.trim().to_string()),
                mode: Some(*mode),
                language: Some(*language),
                settings: Some(Settings {
                    anonymous: *anonymous,
                    moderation: *moderation,
                    ..Settings::default()
                }),
                organiser_name: organiser.trim().to_string(),
            };
            if body.title.is_empty() || body.organiser_name.is_empty() {
                error.set(Some(t.t("new.need_fields").to_string()));
                return;
            }
            busy.set(true);
            let (busy, error, created) = (busy.clone(), error.clone(), created.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_cafe(&body).await {
                    Ok(c) => {
                        storage::set(
                            &storage::creds_key(&c.cafe_id),
                            &Credentials {
                                token: c.organiser_token.clone(),
                                name: body.organiser_name.clone(),
                                projector_token: Some(c.projector_token.clone()),
                                code_display: Some(c.code_display.clone()),
                            },
                        );
                        created.set(Some(c));
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(format!("{} {}", t.t("new.failed"), e.message())));
                    }
                }
            });
        })
    };

    let text = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(input_value(&e)))
    };
    let on_mode = {
        let mode = mode.clone();
        Callback::from(move |e: Event| {
            mode.set(Mode::from_wire(&event_value(&e)).unwrap_or_default())
        })
    };
    let on_lang = {
        let language = language.clone();
        Callback::from(move |e: Event| {
            if let Some(l) = Language::from_code(&event_value(&e)) {
                language.set(l);
            }
        })
    };
    let toggle = |s: &UseStateHandle<bool>| {
        let s = s.clone();
        Callback::from(move |_: Event| s.set(!*s))
    };

    html! {
        <main class="page narrow-page">
            <div class="page-head">
                <a class="link" href="/">{ t.t("app.back") }</a>
                <LangPicker />
            </div>
            <form class="card" {onsubmit} aria-labelledby="new-title">
                <h1 id="new-title">{ t.t("new.title") }</h1>
                <p class="muted">{ t.t("new.help") }</p>
                if let Some(err) = &*error { <p class="form-error" role="alert">{ err.clone() }</p> }
                <label class="field">
                    <span>{ t.t("new.cafe_title") }</span>
                    <input id="cafe-title" class="input" value={(*title).clone()} oninput={text(&title)}
                        maxlength={CAFE_TITLE_MAX.to_string()} required=true />
                </label>
                <label class="field">
                    <span>{ t.t("new.description") }</span>
                    <textarea id="cafe-description" class="input" rows="3" value={(*description).clone()}
                        oninput={text(&description)} />
                    { counter(description.chars().count(), CAFE_DESCRIPTION_MAX) }
                </label>
                <label class="field">
                    <span>{ t.t("new.your_name") }</span>
                    <input id="organiser-name" class="input" value={(*organiser).clone()} oninput={text(&organiser)}
                        maxlength={DISPLAY_NAME_MAX.to_string()} required=true />
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>{ t.t("new.mode") }</span>
                        <select id="cafe-mode" class="input" onchange={on_mode}>
                            // Hybrid, the default, first.
                            { for [Mode::Hybrid, Mode::InPerson, Mode::Online].into_iter().map(|m| html! {
                                <option value={m.as_str()} selected={*mode == m}>{ t.mode(m) }</option>
                            }) }
                        </select>
                    </label>
                    <label class="field">
                        <span>{ t.t("new.language") }</span>
                        <select id="cafe-language" class="input" onchange={on_lang}>
                            { for Language::ALL.iter().map(|l| html! {
                                <option value={l.code()} selected={*l == *language}>{ native_name(*l) }</option>
                            }) }
                        </select>
                    </label>
                </div>
                <label class="check">
                    <input type="checkbox" checked={*anonymous} onchange={toggle(&anonymous)} />
                    <span>{ t.t("new.anonymous") }</span>
                </label>
                <label class="check">
                    <input type="checkbox" checked={*moderation} onchange={toggle(&moderation)} />
                    <span>{ t.t("new.moderation") }</span>
                </label>
                <button id="create" class="btn btn-primary btn-block" type="submit" disabled={*busy}>
                    { t.t("new.create") }
                </button>
            </form>
        </main>
    }
}

fn created_view(t: T, c: &CafeCreatedResponse) -> Html {
    let id = &c.cafe_id;
    let join_url = format!("{}/j/{}", api::origin(), c.code);
    html! {
        <main class="page narrow-page">
            <div class="page-head">
                <a class="link" href="/">{ t.t("app.back") }</a>
                <LangPicker />
            </div>
            <section class="card created" aria-labelledby="created-title">
                <h1 id="created-title">{ t.t("new.created") }</h1>
                <p class="muted">{ t.t("new.share") }</p>
                <div class="share">
                    <div>
                        <p class="label">{ t.t("share.code") }</p>
                        <p id="join-code" class="join-code">{ c.code_display.clone() }</p>
                        <p class="join-url">{ join_url }</p>
                    </div>
                    <img class="qr" src={api::qr_url(id)} alt={t.t("share.qr_alt")} width="180" height="180" />
                </div>
                <div class="link-grid">
                    <a id="open-console" class="btn btn-primary" href={format!("/c/{id}/console")}>{ t.t("nav.console") }</a>
                    <a id="open-projector" class="btn" target="_blank" rel="noopener"
                        href={format!("/c/{id}/projector#token={}", c.projector_token)}>{ t.t("nav.projector") }</a>
                    <a class="btn" href={format!("/c/{id}")}>{ t.t("nav.board") }</a>
                    <a class="btn" href={format!("/c/{id}/scribe")}>{ t.t("nav.scribe") }</a>
                </div>
                { export_links(t, id, &c.organiser_token) }
            </section>
            if let Some(url) = &c.organiser_link {
                <LinkReveal title={t.t("access.your_link")} url={url.clone()}
                    qr_svg={c.organiser_qr_svg.clone().map(AttrValue::from)} />
            }
        </main>
    }
}

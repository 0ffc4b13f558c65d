//! Page chrome: top bar, connection status, language picker, notices.

use crate::client_state::{ConnStatus, Notice};
use crate::components::timer::TimerView;
use crate::i18n::{native_name, use_lang, use_t};
use cafe_shared::{Language, Phase, Timer};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub status: ConnStatus,
    /// Commands not yet answered by the server.
    pub pending: usize,
}

/// Always visible, announced politely: people on weak links must know whether what they
/// type has reached the room.
#[function_component(ConnBadge)]
pub fn conn_badge(p: &StatusProps) -> Html {
    let t = use_t();
    let (class, label) = match p.status {
        ConnStatus::Connected => ("conn conn-ok", t.t("conn.connected")),
        ConnStatus::Connecting => ("conn conn-wait", t.t("conn.connecting")),
        ConnStatus::Reconnecting => ("conn conn-wait", t.t("conn.reconnecting")),
        ConnStatus::Offline => ("conn conn-off", t.t("conn.offline")),
    };
    html! {
        <div class={class} role="status" aria-live="polite" data-status={label}>
            <span class="conn-dot" aria-hidden="true"></span>
            <span class="conn-label">{ label }</span>
            if p.pending > 0 {
                <span class="conn-pending">{ t.f("conn.pending", &[("n", &p.pending)]) }</span>
            }
        </div>
    }
}

#[function_component(LangPicker)]
pub fn lang_picker() -> Html {
    let ctx = use_lang();
    let t = use_t();
    let onchange = {
        let set = ctx.set.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            if let Some(l) = Language::from_code(&v) {
                set.emit(l);
            }
        })
    };
    html! {
        <label class="lang-picker">
            <span class="sr-only">{ t.t("lang.label") }</span>
            <select id="lang" {onchange} aria-label={t.t("lang.label")}>
                { for Language::ALL.iter().map(|l| html! {
                    <option value={l.code()} selected={*l == ctx.lang}>{ native_name(*l) }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    pub title: AttrValue,
    /// Markup, so that user text in it can be isolated (`<bdi>`).
    #[prop_or_default]
    pub subtitle: Option<Html>,
    pub phase: Option<Phase>,
    #[prop_or_default]
    pub timer: Timer,
    #[prop_or_default]
    pub clock_offset: i64,
    pub status: Option<ConnStatus>,
    #[prop_or_default]
    pub pending: usize,
}

#[function_component(TopBar)]
pub fn top_bar(p: &TopBarProps) -> Html {
    let t = use_t();
    html! {
        <header class="topbar">
            <div class="topbar-title">
                <a class="brand" href="/" aria-label={t.t("app.home")}>{ "☕" }</a>
                <div>
                    // The café's title is the organiser's words, in their direction, while
                    // the heading keeps the page's alignment (beside the brand).
                    <h1><bdi>{ p.title.clone() }</bdi></h1>
                    if let Some(s) = &p.subtitle { <p class="subtitle">{ s.clone() }</p> }
                </div>
            </div>
            <div class="topbar-side">
                if let Some(ph) = p.phase {
                    <span class={classes!("phase-pill", format!("phase-{}", ph.as_str()))}>{ t.phase(ph) }</span>
                }
                <TimerView timer={p.timer} clock_offset={p.clock_offset} />
                if let Some(s) = p.status { <ConnBadge status={s} pending={p.pending} /> }
            </div>
            // Outside the status group so that a phone can keep it beside the title.
            <LangPicker />
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub notice: Option<Notice>,
    pub on_close: Callback<()>,
}

/// A refused command: the localized reason, with the server's words for detail.
#[function_component(NoticeBar)]
pub fn notice_bar(p: &NoticeProps) -> Html {
    let t = use_t();
    let Some(n) = &p.notice else {
        return html! {};
    };
    let close = p.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="notice" role="alert">
            <div>
                <strong>{ t.error(n.code) }</strong>
                <span class="notice-detail">{ n.message.clone() }</span>
            </div>
            <button class="btn btn-ghost" onclick={close}>{ t.t("action.dismiss") }</button>
        </div>
    }
}

/// Shown while a page waits for its first snapshot.
#[function_component(Loading)]
pub fn loading() -> Html {
    let t = use_t();
    html! { <main class="page center"><p class="muted" role="status">{ t.t("app.loading") }</p></main> }
}

/// Shown when this browser has no token for the café.
#[function_component(NotJoined)]
pub fn not_joined() -> Html {
    let t = use_t();
    html! {
        <main class="page center">
            <div class="card narrow">
                <h1>{ t.t("app.not_joined") }</h1>
                <p>{ t.t("app.not_joined_help") }</p>
                <a class="btn btn-primary" href="/">{ t.t("landing.join") }</a>
            </div>
        </main>
    }
}

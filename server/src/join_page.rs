//! `GET /j/{code}`: the participant's join link answers with the app's page *and* a plain
//! HTML join form for this café, in the phone's language (issue 14). On a weak link the app
//! takes seconds to arrive; with the form in the first response a person reads the café's
//! name and types theirs meanwhile. A small inline script (`join_page/prejoin.js`, allowed by
//! its hash in the Content-Security-Policy) posts the join exactly as the app does and keeps
//! the credentials where the app looks; the app removes the form when it starts and carries
//! over what was typed (client-wasm `pages::landing::take_over_prejoin`).
//!
//! A closed café gets a notice instead of the form; every other refusal (name taken, café
//! full, too many joins) comes from the join itself and is shown in the form.
//!
//! The look-up counts against the per-IP join-code throttle like `GET
//! /api/cafes/by-code/{code}`, so the page is no faster way to guess codes.

use crate::client_ip::ClientIp;
use crate::App;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cafe_shared::limits::DISPLAY_NAME_MAX;
use cafe_shared::{ErrorCode, Language, Location, Phase};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

/// The app's English table, compiled in from the client's source (one copy of every
/// string); the other five are the JSON files the app fetches.
#[path = "../../client-wasm/src/i18n/en.rs"]
mod en;
/// The app's reader of that table's texts.
#[path = "../../client-wasm/src/i18n/split.rs"]
mod split;

const PREJOIN_JS: &str = include_str!("join_page/prejoin.js");

const FETCHED: [(Language, &str); 5] = [
    (
        Language::Ar,
        include_str!("../../client-wasm/static/i18n/ar.json"),
    ),
    (
        Language::Es,
        include_str!("../../client-wasm/static/i18n/es.json"),
    ),
    (
        Language::Fr,
        include_str!("../../client-wasm/static/i18n/fr.json"),
    ),
    (
        Language::Ru,
        include_str!("../../client-wasm/static/i18n/ru.json"),
    ),
    (
        Language::Zh,
        include_str!("../../client-wasm/static/i18n/zh.json"),
    ),
];

static TABLES: LazyLock<HashMap<Language, HashMap<String, String>>> = LazyLock::new(|| {
    let mut all = HashMap::new();
    all.insert(
        Language::En,
        en::GROUPS
            .iter()
            .flat_map(|(_, text)| split::pairs(text))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    );
    for (lang, json) in FETCHED {
        // A client test checks every table parses and has every key; an unreadable one
        // falls back to English here rather than failing the page.
        let table = serde_json::from_str(json).unwrap_or_else(|e| {
            tracing::error!(lang = lang.code(), error = %e, "i18n table unreadable");
            HashMap::new()
        });
        all.insert(lang, table);
    }
    all
});

/// The text for `key` in `lang`, else English, else the key itself.
fn tr(lang: Language, key: &str) -> &'static str {
    let find = |l: Language| TABLES.get(&l).and_then(|t| t.get(key)).map(String::as_str);
    find(lang)
        .or_else(|| find(Language::En))
        .unwrap_or_else(|| {
            tracing::warn!(key, "missing translation key");
            ""
        })
}

/// The first of the phone's languages (`Accept-Language`, in its order of preference) that
/// the app speaks; English otherwise.
pub fn language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(accept_language::parse)
        .and_then(|tags| tags.iter().find_map(|t| Language::from_code(t)))
        .unwrap_or_default()
}

/// The CSP source of the inline script (`'sha256-…'`).
pub fn inline_script_hashes() -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(PREJOIN_JS.as_bytes());
    vec![format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )]
}

/// What the page can say about the code.
enum Found {
    Open(Cafe),
    Closed(Cafe),
    Unknown,
    Throttled(u64),
}

struct Cafe {
    /// Where the app keeps a joined person's credentials (`cafe.creds.{id}`): the page
    /// looks there to welcome back someone who scans the QR again (issue 11).
    id: String,
    title: String,
    description: String,
    code: String,
    code_display: String,
}

fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_safe(s)
}

pub async fn page(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers);
    let found = match crate::http::resolve_code(&app, ip, &code).await {
        Ok(handle) => {
            let seen = handle
                .inspect(|s, _, _| {
                    s.info.as_ref().map(|i| {
                        let cafe = Cafe {
                            id: i.id.0.clone(),
                            title: i.title.clone(),
                            description: i.description.clone(),
                            code: i.code.as_str().to_owned(),
                            code_display: i.code.display(),
                        };
                        // The phase is public (the look-up shows it); a full café is
                        // told by the join's answer, like in the app.
                        if s.phase == Phase::Closed {
                            Found::Closed(cafe)
                        } else {
                            Found::Open(cafe)
                        }
                    })
                })
                .await;
            match seen {
                Ok(Some(f)) => f,
                Ok(None) => Found::Unknown,
                // The café's actor is gone (shutting down): the app page alone, which
                // retries on its own.
                Err(_) => return shell(&uri).await,
            }
        }
        Err(e) if e.code == ErrorCode::NotFound => Found::Unknown,
        Err(e) if e.code == ErrorCode::RateLimited => {
            Found::Throttled(e.retry_after.map_or(60, |d| d.as_secs().max(1)))
        }
        Err(_) => return shell(&uri).await,
    };
    let status = match found {
        Found::Unknown => StatusCode::NOT_FOUND,
        Found::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::OK,
    };
    let retry = match found {
        Found::Throttled(s) => Some(s),
        _ => None,
    };
    let base = shell_html();
    let (base, style_hash) = inline_stylesheet(&base).await;
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::VARY, "Accept-Language"),
        ],
        inject(&base, lang, &found),
    )
        .into_response();
    if let Some(hash) = style_hash {
        // This page's own policy: the site's, plus the inlined stylesheet by its hash.
        let csp = crate::headers::content_security_policy(&app.config).replacen(
            "style-src 'self'",
            &format!("style-src 'self' {hash}"),
            1,
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    if let Some(s) = retry {
        if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// The app's page for this route, as the asset fallback serves it (the participant shell
/// for `/j/…`): what the phone gets when no form can be rendered.
async fn shell(uri: &Uri) -> Response {
    crate::assets::serve(uri.clone(), HeaderMap::new()).await
}

/// The participant app's page, into which the form goes.
fn shell_html() -> String {
    crate::assets::shell(cafe_shared::screens::Bundle::Participant).unwrap_or_default()
}

/// Puts the app's stylesheet into the page instead of linking it. On a weak link the
/// linked sheet blocks the first paint for a new connection's handshake and a round trip
/// (0.8 s on 3G: form visible 1.80 → 0.98 s, BENCHMARKS.md); inlined it rides in the
/// first response. The app, once loaded, uses the same rules from the same document. Returns
/// the page and the `'sha256-…'` source the policy needs for it, or the page unchanged.
async fn inline_stylesheet(shell: &str) -> (String, Option<String>) {
    use base64::Engine;
    use sha2::Digest;
    let unchanged = || (shell.to_owned(), None);
    let Some(start) = shell.find("<link rel=\"stylesheet\" href=\"") else {
        return unchanged();
    };
    let href_at = start + "<link rel=\"stylesheet\" href=\"".len();
    let Some(href_len) = shell[href_at..].find('"') else {
        return unchanged();
    };
    let Some(tag_len) = shell[start..].find('>') else {
        return unchanged();
    };
    let href = &shell[href_at..href_at + href_len];
    let Ok(uri) = href.parse::<Uri>() else {
        return unchanged();
    };
    let response = crate::assets::serve(uri, HeaderMap::new()).await;
    let is_css = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/css"));
    if !response.status().is_success() || !is_css {
        return unchanged();
    }
    let Ok(bytes) = axum::body::to_bytes(response.into_body(), 1 << 20).await else {
        return unchanged();
    };
    let Ok(css) = std::str::from_utf8(&bytes) else {
        return unchanged();
    };
    if css.contains("</") {
        return unchanged();
    }
    let hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css.as_bytes()))
    );
    let page = format!(
        "{}<style>{css}</style>{}",
        &shell[..start],
        &shell[start + tag_len + 1..]
    );
    (page, Some(hash))
}

/// The shell with `lang`/`dir` set, the café in the title, and the form after `<body>`.
fn inject(shell: &str, lang: Language, found: &Found) -> String {
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    let mut html = String::with_capacity(shell.len() + 4096);
    let mut rest = shell;
    if let Some(start) = rest.find("<html") {
        if let Some(end) = rest[start..].find('>') {
            html.push_str(&rest[..start]);
            let _ = write!(html, "<html lang=\"{}\" dir=\"{dir}\">", lang.code());
            rest = &rest[start + end + 1..];
        }
    }
    if let Some(cafe) = cafe_of(found) {
        if let (Some(open), Some(close)) = (rest.find("<title>"), rest.find("</title>")) {
            if open < close {
                html.push_str(&rest[..open]);
                let _ = write!(
                    html,
                    "<title>{} · {}</title>",
                    esc(&cafe.title),
                    esc(tr(lang, "app.name"))
                );
                rest = &rest[close + "</title>".len()..];
            }
        }
    }
    match rest
        .find("<body")
        .and_then(|b| rest[b..].find('>').map(|e| b + e + 1))
    {
        Some(after_body) => {
            html.push_str(&rest[..after_body]);
            html.push('\n');
            html.push_str(&form(lang, found));
            html.push_str(&rest[after_body..]);
        }
        None => {
            html.push_str(rest);
            html.push_str(&form(lang, found));
        }
    }
    html
}

fn cafe_of(found: &Found) -> Option<&Cafe> {
    match found {
        Found::Open(c) | Found::Closed(c) => Some(c),
        Found::Unknown | Found::Throttled(_) => None,
    }
}

/// The form's markup: the app's own classes, so it looks like the app's join form. The
/// café's title and question are written in whatever the organiser typed, hence
/// `dir="auto"` (an English question on an Arabic page keeps its punctuation in place).
fn form(lang: Language, found: &Found) -> String {
    let t = |k: &str| esc(tr(lang, k));
    let mut h = String::with_capacity(4096);
    let _ = write!(
        h,
        "<div id=\"prejoin\"><main class=\"page landing\"><section class=\"hero\">\
         <div class=\"hero-top\"><span class=\"brand-mark\" aria-hidden=\"true\">☕</span></div>\
         <h1>{}</h1></section>",
        t("app.name")
    );
    let notice = |h: &mut String, title: &str, msg: &str| {
        let _ = write!(
            h,
            "<section class=\"card join-card\" aria-labelledby=\"prejoin-title\">\
             <h2 id=\"prejoin-title\" dir=\"auto\">{}</h2><p class=\"form-error\" role=\"alert\">{}</p>",
            esc(title),
            esc(msg)
        );
    };
    match found {
        Found::Open(cafe) => open_form(&mut h, lang, cafe),
        Found::Closed(cafe) => notice(&mut h, &cafe.title, tr(lang, "join.closed")),
        Found::Unknown => notice(
            &mut h,
            tr(lang, "landing.join_title"),
            tr(lang, "landing.no_cafe"),
        ),
        Found::Throttled(s) => {
            let msg = format!(
                "{} {}",
                tr(lang, "err.rate_limited"),
                tr(lang, "join.retry_in").replace("{n}", &s.to_string())
            );
            notice(&mut h, tr(lang, "landing.join_title"), &msg);
        }
    }
    let _ = write!(
        h,
        "<p class=\"prejoin-loading\" role=\"status\"><span class=\"prejoin-bar\" aria-hidden=\"true\"></span>{}</p>",
        t("join.loading")
    );
    h.push_str(if matches!(found, Found::Open(_)) {
        "</form>"
    } else {
        "</section>"
    });
    h.push_str("</main>");
    if matches!(found, Found::Open(_)) {
        let _ = write!(h, "<script>{PREJOIN_JS}</script>");
    }
    h.push_str("</div>\n");
    h
}

fn open_form(h: &mut String, lang: Language, cafe: &Cafe) {
    let t = |k: &str| esc(tr(lang, k));
    // What the script needs to say, in this language, as one JSON attribute.
    // Refusals of a join not worded on their own below (the rest cannot happen to it).
    let mut errors = serde_json::Map::new();
    for code in [
        ErrorCode::TooLong,
        ErrorCode::TooShort,
        ErrorCode::Invalid,
        ErrorCode::Malformed,
        ErrorCode::TooLarge,
        ErrorCode::Forbidden,
        ErrorCode::ServerRestarting,
        ErrorCode::Internal,
    ] {
        let key = format!("err.{}", code.as_str());
        errors.insert(code.as_str().to_owned(), tr(lang, &key).into());
    }
    let words = serde_json::json!({
        "join": tr(lang, "landing.join"),
        "joining": tr(lang, "landing.joining"),
        "opening": tr(lang, "app.loading"),
        "need_name": tr(lang, "landing.need_name"),
        "no_cafe": tr(lang, "landing.no_cafe"),
        "join_failed": tr(lang, "landing.join_failed"),
        "network": tr(lang, "err.network"),
        "rate_limited": tr(lang, "err.rate_limited"),
        "retry_in": tr(lang, "join.retry_in"),
        "name_taken": tr(lang, "join.name_taken"),
        "full": tr(lang, "join.full"),
        "closed": tr(lang, "join.closed"),
        "code_display": cafe.code_display,
        "welcome_back": tr(lang, "welcome.back"),
        "welcome_back_plain": tr(lang, "welcome.back_plain"),
        "continue_as": tr(lang, "welcome.continue"),
        "continue_plain": tr(lang, "welcome.continue_plain"),
        "err": errors,
    });
    // Shown instead of the form by the script when this phone already joined the café: a
    // second scan resumes the same person rather than making a second one.
    let _ = write!(
        h,
        "<section id=\"prejoin-back\" class=\"card join-card\" aria-labelledby=\"prejoin-back-title\" hidden>\
         <p class=\"prejoin-code\" dir=\"auto\">{}</p>\
         <h2 id=\"prejoin-back-title\" dir=\"auto\">{}</h2>\
         <p>{}</p>\
         <a id=\"prejoin-continue\" class=\"btn btn-primary btn-block\" href=\"/c/{}\">{}</a>\
         <button id=\"prejoin-not-you\" class=\"btn btn-ghost btn-block\" type=\"button\">{}</button>\
         </section>",
        esc(&cafe.title),
        t("welcome.back_plain"),
        t("welcome.help"),
        esc(&cafe.id),
        t("welcome.continue_plain"),
        t("welcome.not_you"),
    );
    let _ = write!(
        h,
        "<form id=\"prejoin-form\" class=\"card join-card\" aria-labelledby=\"prejoin-title\" \
         data-code=\"{}\" data-cafe=\"{}\" data-i18n=\"{}\">\
         <h2 id=\"prejoin-title\" dir=\"auto\">{}</h2>",
        esc(&cafe.code),
        esc(&cafe.id),
        esc(&words.to_string()),
        esc(&cafe.title)
    );
    if !cafe.description.trim().is_empty() {
        let _ = write!(
            h,
            "<p class=\"prejoin-question\" dir=\"auto\">{}</p>",
            esc(&cafe.description)
        );
    }
    let _ = write!(
        h,
        "<p class=\"prejoin-code\">{} <strong dir=\"ltr\">{}</strong></p>\
         <p id=\"prejoin-error\" class=\"form-error\" role=\"alert\" hidden></p>\
         <label class=\"field\"><span>{}</span>\
         <input id=\"prejoin-name\" name=\"name\" class=\"input\" autocomplete=\"nickname\" \
         maxlength=\"{DISPLAY_NAME_MAX}\" required></label>\
         <fieldset class=\"field segmented\"><legend>{}</legend>",
        t("landing.code"),
        esc(&cafe.code_display),
        t("landing.name"),
        t("landing.where"),
    );
    for l in Location::ALL {
        let _ = write!(
            h,
            "<label class=\"seg\"><input type=\"radio\" name=\"loc\" value=\"{}\"{}><span>{}</span></label>",
            l.as_str(),
            if l == Location::Room { " checked" } else { "" },
            t(&format!("loc.{}", l.as_str()))
        );
    }
    let _ = write!(
        h,
        "</fieldset><button id=\"prejoin-join\" class=\"btn btn-primary btn-block\" type=\"submit\">{}</button>",
        t("landing.join")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).expect("header value"),
        );
        h
    }

    #[test]
    fn the_phones_first_language_the_app_speaks_wins() {
        assert_eq!(language(&with("ar-SA,ar;q=0.9,en;q=0.8")), Language::Ar);
        assert_eq!(language(&with("to-TO, fr;q=0.7, en;q=0.5")), Language::Fr);
        assert_eq!(language(&with("en;q=0.2, zh-Hans-CN")), Language::Zh);
        assert_eq!(language(&with("sm, to")), Language::En);
        assert_eq!(language(&HeaderMap::new()), Language::En);
    }

    #[test]
    fn every_string_the_page_uses_exists_in_all_six() {
        let keys = [
            "app.name",
            "app.loading",
            "landing.join",
            "landing.joining",
            "landing.join_title",
            "landing.name",
            "landing.where",
            "landing.code",
            "landing.need_name",
            "landing.no_cafe",
            "landing.join_failed",
            "err.network",
            "err.rate_limited",
            "join.loading",
            "join.retry_in",
            "join.name_taken",
            "join.full",
            "join.closed",
            "loc.room",
            "loc.remote",
            "welcome.back",
            "welcome.back_plain",
            "welcome.continue",
            "welcome.continue_plain",
            "welcome.help",
            "welcome.not_you",
        ];
        for lang in Language::ALL {
            for key in keys {
                let table = TABLES.get(&lang).expect("table");
                assert!(table.contains_key(key), "{key} missing in {}", lang.code());
            }
        }
    }
}

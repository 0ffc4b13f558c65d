//! Security headers on every response (issue 10, #5): a Content-Security-Policy the WASM
//! app works under, no framing unless an origin is allowed with `--allow-framing`,
//! `nosniff`, and no referrer (join links carry codes, console links carry tokens).

use crate::config::Config;
use crate::App;
use axum::http::{header, HeaderValue};
use axum::Router;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy. `'wasm-unsafe-eval'` lets the app compile its WebAssembly (not `eval`);
/// index.html's one inline module script and the join page's form script (join_page.rs)
/// are allowed by their hashes; the app sets inline
/// `style` attributes (result bars' widths) but no `<style>` elements, hence
/// `style-src-attr 'unsafe-inline'` only. `connect-src 'self'` covers the same-origin
/// WebSocket. The QR code and the favicon are `data:` or same-origin images.
pub fn content_security_policy(config: &Config) -> String {
    let mut scripts = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    scripts.extend(crate::assets::inline_script_hashes());
    // The join page's form script (join_page.rs), which /j/{code} inlines.
    scripts.extend(crate::join_page::inline_script_hashes());
    let ancestors = match config.allow_framing.as_deref().map(str::trim) {
        Some(origin) if !origin.is_empty() => format!("'self' {origin}"),
        _ => "'none'".to_owned(),
    };
    [
        "default-src 'self'".to_owned(),
        format!("script-src {}", scripts.join(" ")),
        "style-src 'self'".to_owned(),
        "style-src-attr 'unsafe-inline'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "connect-src 'self'".to_owned(),
        "worker-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        format!("frame-ancestors {ancestors}"),
    ]
    .join("; ")
}

/// Adds the headers to every response of `router` (a handler's own value wins).
pub fn secure(router: Router<Arc<App>>, config: &Config) -> Router<Arc<App>> {
    let csp = HeaderValue::from_str(&content_security_policy(config))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    let mut router = router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    // X-Frame-Options cannot name an origin; with framing allowed, CSP alone decides.
    if config
        .allow_framing
        .as_deref()
        .is_none_or(|o| o.trim().is_empty())
    {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ));
    }
    router
}

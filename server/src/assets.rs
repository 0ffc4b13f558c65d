//! The browser app (client-wasm/dist), embedded into the binary at compile time. There is
//! one build of it per kind of screen (`cafe_shared::screens::Bundle`: the participant's
//! landing/join and board, a small first load for a phone on a weak link; the create page;
//! the console; the projector; the scribe view), each with its HTML shell (`{name}.html`),
//! and a page address gets the build that has its screen. When the bundle has not been built
//! yet, a small page says so instead of failing the build.
//!
//! scripts/build-client.sh names scripts, wasm and style sheets by their content and lists
//! them in manifest.json: those may be kept by browsers for a year (`immutable`), while the
//! HTML shells are revalidated so a new deployment is picked up. It also writes brotli
//! (`<file>.br`) and gzip (`<file>.gz`, zopfli's) siblings; a browser gets the best encoding its
//! `Accept-Encoding` allows (browsers send `br` over HTTPS and to localhost), and the wasm
//! still compiles while it streams in.

use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use cafe_shared::screens::Bundle;
use std::collections::HashSet;
use std::sync::LazyLock;

#[derive(rust_embed::Embed)]
#[folder = "../client-wasm/dist/"]
#[allow_missing = true]
struct Dist;

const FALLBACK: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Innovation Café</title></head><body><h1>Innovation Café</h1>\
<p>The server is running, but this build does not include the browser app \
(client-wasm/dist was empty when it was compiled).</p>\
<p>API: <a href=\"/api/openapi.json\">/api/openapi.json</a></p></body></html>";

/// The HTML text of a build's shell, for pages that put server-rendered markup into it (right
/// after `<body>`). `None` when the bundle was not built into this binary.
pub fn shell(kind: Bundle) -> Option<String> {
    Dist::get(&kind.shell()).map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

/// The content-named files of manifest.json (`{"bundles": {name: {"files": […]}}}`).
static IMMUTABLE: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let Some(manifest) = Dist::get("manifest.json") else {
        return HashSet::new();
    };
    let value: serde_json::Value = serde_json::from_slice(&manifest.data).unwrap_or_default();
    value["bundles"]
        .as_object()
        .into_iter()
        .flat_map(|bundles| bundles.values())
        .filter_map(|b| b["files"].as_array())
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect()
});

/// A content coding the server has siblings for, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn suffix(self) -> &'static str {
        match self {
            Coding::Brotli => ".br",
            Coding::Gzip => ".gz",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

/// The codings this `Accept-Encoding` allows, best first: by the client's `q`, ties to
/// brotli (smaller). `q=0` refuses a coding ("anything but gzip"); `*` stands for codings
/// not named.
fn accepted(headers: &HeaderMap) -> Vec<Coding> {
    let Some(value) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let mut named: Vec<(String, f32)> = Vec::new();
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if !coding.is_empty() {
            named.push((coding, q));
        }
    }
    let q_of = |names: &[&str]| {
        named
            .iter()
            .find(|(c, _)| names.contains(&c.as_str()))
            .or_else(|| named.iter().find(|(c, _)| c == "*"))
            .map_or(0.0, |(_, q)| *q)
    };
    let mut out: Vec<(Coding, f32)> = [
        (Coding::Brotli, q_of(&["br"])),
        (Coding::Gzip, q_of(&["gzip", "x-gzip"])),
    ]
    .into_iter()
    .filter(|(_, q)| *q > 0.0)
    .collect();
    // Stable: equal q keeps brotli first.
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.into_iter().map(|(c, _)| c).collect()
}

fn file(path: &str, codings: &[Coding]) -> Option<Response> {
    let plain = Dist::get(path)?;
    let has_sibling = [Coding::Brotli, Coding::Gzip]
        .iter()
        .any(|c| Dist::get(&format!("{path}{}", c.suffix())).is_some());
    let (data, encoding) = codings
        .iter()
        .find_map(|c| Dist::get(&format!("{path}{}", c.suffix())).map(|f| (f.data, Some(*c))))
        .unwrap_or((plain.data, None));
    // The type is the original file's, whichever bytes are sent.
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Content-named files never change; the rest (shells, service worker, manifest,
    // language tables) must be revalidated or kept briefly so a deployment is picked up.
    let cache = if IMMUTABLE.contains(path) {
        "public, max-age=31536000, immutable"
    } else if path.ends_with(".html") || path == "sw.js" || path == "manifest.json" {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, mime.as_ref().to_owned()),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        data.into_owned(),
    )
        .into_response();
    let headers = response.headers_mut();
    if let Some(c) = encoding {
        headers.insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static(c.name()),
        );
    }
    // Caches must keep the variants apart.
    if has_sibling {
        headers.insert(
            header::VARY,
            header::HeaderValue::from_static("Accept-Encoding"),
        );
    }
    Some(response)
}

/// CSP sources (`'sha256-…'`) for the inline scripts of every shell, so the
/// Content-Security-Policy allows exactly these and no other inline script. Computed from
/// the embedded files, so a rebuilt bundle needs no hand-copied hash.
pub fn inline_script_hashes() -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let mut hashes = Vec::new();
    for kind in Bundle::ALL {
        let Some(page) = Dist::get(&kind.shell()) else {
            continue;
        };
        let html = String::from_utf8_lossy(&page.data);
        let mut rest: &str = &html;
        while let Some(start) = rest.find("<script") {
            rest = &rest[start..];
            let Some(open_end) = rest.find('>') else {
                break;
            };
            let tag = &rest[..open_end];
            let body = &rest[open_end + 1..];
            let Some(close) = body.find("</script>") else {
                break;
            };
            if !tag.contains("src=") {
                let digest = sha2::Sha256::digest(&body.as_bytes()[..close]);
                let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
                let source = format!("'sha256-{b64}'");
                if !hashes.contains(&source) {
                    hashes.push(source);
                }
            }
            rest = &body[close..];
        }
    }
    hashes
}

pub async fn serve(uri: Uri, request_headers: HeaderMap) -> Response {
    let codings = accepted(&request_headers);
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::errors::ApiError::new(cafe_shared::ErrorCode::NotFound, "no such endpoint")
            .into_response();
    }
    if !path.is_empty() {
        if let Some(r) = file(path, &codings) {
            return r;
        }
    }
    match file(&Bundle::for_path(uri.path()).shell(), &codings) {
        Some(r) => r,
        None => (StatusCode::OK, Html(FALLBACK)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            header::HeaderValue::from_str(value).expect("header value"),
        );
        h
    }

    #[test]
    fn accept_encoding_is_read_like_browsers_send_it() {
        use Coding::{Brotli as Br, Gzip};
        assert_eq!(accepted(&with("gzip, deflate, br, zstd")), [Br, Gzip]);
        assert_eq!(accepted(&with("gzip, deflate")), [Gzip]);
        assert_eq!(accepted(&with("br;q=1.0, gzip;q=0.8")), [Br, Gzip]);
        assert_eq!(accepted(&with("br;q=0.5, gzip")), [Gzip, Br]);
        assert_eq!(accepted(&with("*")), [Br, Gzip]);
        assert_eq!(accepted(&with("*;q=0.5, gzip")), [Gzip, Br]);
        assert_eq!(accepted(&with("BR")), [Br]);
        assert!(accepted(&with("identity")).is_empty());
        assert_eq!(accepted(&with("gzip;q=0, br")), [Br]);
        assert_eq!(accepted(&with("br;q=0, *")), [Gzip]);
        assert!(accepted(&with("br; q=0.0, gzip;q=0")).is_empty());
        assert!(accepted(&HeaderMap::new()).is_empty());
    }
}

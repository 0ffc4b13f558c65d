//! The browser app (client-wasm/dist), embedded into the binary at compile time. Unknown
//! paths fall back to index.html (the app routes itself). When the bundle has not been built
//! yet, a small page says so instead of failing the build.
//!
//! scripts/build-client.sh writes a gzip -9 sibling (`<file>.gz`) next to the big text and
//! wasm files; a browser that accepts gzip gets those bytes with `Content-Encoding: gzip`
//! (about a third of the transfer on a weak phone link, and the wasm still compiles while
//! it streams in), anything else gets the plain file.

use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

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

/// Does this `Accept-Encoding` allow gzip? Honours `q=0` ("anything but gzip").
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|item| {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        !refused
            && (coding.eq_ignore_ascii_case("gzip")
                || coding.eq_ignore_ascii_case("x-gzip")
                || coding == "*")
    })
}

fn file(path: &str, gzip_ok: bool) -> Option<Response> {
    let gz = Dist::get(&format!("{path}.gz"));
    let has_gz = gz.is_some();
    let (f, encoded) = match gz {
        Some(gz) if gzip_ok => (gz, true),
        _ => (Dist::get(path)?, false),
    };
    // The type is the original file's, whichever bytes are sent.
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // index.html must be revalidated so a new deployment is picked up; the rest may be
    // cached briefly (names are not content-hashed).
    let cache = if path == "index.html" {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, mime.as_ref().to_owned()),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        f.data.into_owned(),
    )
        .into_response();
    let headers = response.headers_mut();
    if encoded {
        headers.insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static("gzip"),
        );
    }
    // Caches must keep the two variants apart.
    if has_gz {
        headers.insert(
            header::VARY,
            header::HeaderValue::from_static("Accept-Encoding"),
        );
    }
    Some(response)
}

/// CSP sources (`'sha256-…'`) for the inline scripts of index.html, so the
/// Content-Security-Policy allows exactly these and no other inline script. Computed from
/// the embedded file, so a rebuilt bundle needs no hand-copied hash.
pub fn inline_script_hashes() -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let Some(index) = Dist::get("index.html") else {
        return Vec::new();
    };
    let html = String::from_utf8_lossy(&index.data);
    let mut hashes = Vec::new();
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
            hashes.push(format!("'sha256-{b64}'"));
        }
        rest = &body[close..];
    }
    hashes
}

pub async fn serve(uri: Uri, request_headers: HeaderMap) -> Response {
    let gzip_ok = accepts_gzip(&request_headers);
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::errors::ApiError::new(cafe_shared::ErrorCode::NotFound, "no such endpoint")
            .into_response();
    }
    if !path.is_empty() {
        if let Some(r) = file(path, gzip_ok) {
            return r;
        }
    }
    match file("index.html", gzip_ok) {
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
        assert!(accepts_gzip(&with("gzip, deflate, br, zstd")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&with("*")));
        assert!(!accepts_gzip(&with("identity")));
        assert!(!accepts_gzip(&with("gzip;q=0, br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}

//! The browser app (client-wasm/dist), embedded into the binary at compile time. Unknown
//! paths fall back to index.html (the app routes itself). When the bundle has not been built
//! yet, a small page says so instead of failing the build.

use axum::http::{header, StatusCode, Uri};
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

fn file(path: &str) -> Option<Response> {
    let f = Dist::get(path)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // index.html must be revalidated so a new deployment is picked up; the rest may be
    // cached briefly (names are not content-hashed).
    let cache = if path == "index.html" {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    Some(
        (
            [
                (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                (header::CACHE_CONTROL, cache.to_owned()),
            ],
            f.data.into_owned(),
        )
            .into_response(),
    )
}

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("api/") {
        return crate::http::ApiError::new(cafe_shared::ErrorCode::NotFound, "no such endpoint")
            .into_response();
    }
    if !path.is_empty() {
        if let Some(r) = file(path) {
            return r;
        }
    }
    match file("index.html") {
        Some(r) => r,
        None => (StatusCode::OK, Html(FALLBACK)).into_response(),
    }
}

//! The HTTP half of the contract: create a café, look one up and join it by code.

use cafe_shared::api::{
    ApiErrorBody, CafeCreatedResponse, CreateCafeRequest, JoinRequest, JoinResponse, PublicInfo,
};
use cafe_shared::{ErrorCode, Location};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why an HTTP call failed. The bodies themselves are `cafe_shared::api`'s, the server's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error.
    Server(ApiErrorBody),
    /// No readable answer: offline, or the server is unreachable.
    Network,
}

impl ApiError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server(b) => Some(b.code),
            ApiError::Network => None,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ApiError::Server(b) => &b.message,
            ApiError::Network => "",
        }
    }
}

/// What came back from one request: enough to read a body or an `ApiErrorBody`.
pub struct Reply {
    pub ok: bool,
    pub status_text: String,
    /// None when the body could not be read (the link dropped mid-answer).
    pub text: Option<String>,
}

/// The browser's `fetch`, called directly: the app needs a method, a URL, a JSON body at
/// most and the text back, which a wrapper crate (with its own error types and header
/// plumbing) made a few KB larger in every build. None when nothing answered.
pub async fn fetch(method: &str, url: &str, json: Option<&str>) -> Option<Reply> {
    fetch_as(method, url, json, None).await
}

/// [`fetch`] with a token in `Authorization` (the organiser's link routes).
pub async fn fetch_as(
    method: &str,
    url: &str,
    json: Option<&str>,
    token: Option<&str>,
) -> Option<Reply> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().ok()?;
    if let Some(token) = token {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .ok()?;
    }
    if let Some(body) = json {
        headers.set("content-type", "application/json").ok()?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let promise = web_sys::window()?.fetch_with_str_and_init(url, &init);
    let resp: web_sys::Response = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()),
        Err(_) => None,
    };
    Some(Reply {
        ok: resp.ok(),
        status_text: resp.status_text(),
        text,
    })
}

async fn call<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<&impl Serialize>,
) -> Result<T, ApiError> {
    call_as(method, url, body, None).await
}

async fn call_as<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<&impl Serialize>,
    token: Option<&str>,
) -> Result<T, ApiError> {
    let json = match body {
        Some(b) => Some(serde_json::to_string(b).map_err(|_| ApiError::Network)?),
        None => None,
    };
    let reply = fetch_as(method, url, json.as_deref(), token)
        .await
        .ok_or(ApiError::Network)?;
    // crate::json (structs as objects only) reads every body, so no second reader of each
    // type is compiled.
    if reply.ok {
        crate::json::from_str(&reply.text.ok_or(ApiError::Network)?).map_err(|_| ApiError::Network)
    } else {
        let body = reply
            .text
            .and_then(|t| crate::json::from_str::<ApiErrorBody>(&t).ok())
            .unwrap_or(ApiErrorBody {
                code: ErrorCode::Internal,
                message: reply.status_text,
            });
        Err(ApiError::Server(body))
    }
}

pub async fn create_cafe(body: &CreateCafeRequest) -> Result<CafeCreatedResponse, ApiError> {
    call("POST", "/api/cafes", Some(body)).await
}

pub async fn join(code: &str, name: &str, location: Location) -> Result<JoinResponse, ApiError> {
    let body = JoinRequest {
        name: name.to_string(),
        location,
    };
    call(
        "POST",
        &format!("/api/cafes/by-code/{code}/join"),
        Some(&body),
    )
    .await
}

/// What the join page may know before joining: whether the café takes new people.
pub async fn lookup(code: &str) -> Result<PublicInfo, ApiError> {
    call("GET", &format!("/api/cafes/by-code/{code}"), None::<&()>).await
}

/// Export download link; the token rides in the query because a plain link cannot carry an
/// Authorization header.
pub fn export_url(cafe: &str, format: &str, token: &str) -> String {
    format!("/api/cafes/{cafe}/export.{format}?token={token}")
}

/// An export by its file name (`export-actions.csv`).
pub fn export_file_url(cafe: &str, file: &str, token: &str) -> String {
    format!("/api/cafes/{cafe}/{file}?token={token}")
}

pub fn qr_url(cafe: &str) -> String {
    format!("/api/cafes/{cafe}/qr.svg")
}

pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Access links (the create build: the organiser's links page and opening a link).
#[cfg(feature = "create")]
pub mod links {
    use super::{call, call_as, ApiError};
    use cafe_shared::api::{
        LinkCreated, LinksResponse, NewLinkRequest, RedeemRequest, RedeemResponse,
    };
    use cafe_shared::Role;

    pub async fn redeem(cafe: &str, key: &str) -> Result<RedeemResponse, ApiError> {
        let body = RedeemRequest {
            key: key.to_string(),
        };
        call(
            "POST",
            &format!("/api/cafes/{cafe}/links/redeem"),
            Some(&body),
        )
        .await
    }

    pub async fn list(cafe: &str, token: &str) -> Result<LinksResponse, ApiError> {
        call_as(
            "GET",
            &format!("/api/cafes/{cafe}/links"),
            None::<&()>,
            Some(token),
        )
        .await
    }

    pub async fn create(
        cafe: &str,
        token: &str,
        role: Role,
        name: &str,
    ) -> Result<LinkCreated, ApiError> {
        let body = NewLinkRequest {
            role,
            name: name.to_string(),
        };
        call_as(
            "POST",
            &format!("/api/cafes/{cafe}/links"),
            Some(&body),
            Some(token),
        )
        .await
    }

    pub async fn rotate(cafe: &str, token: &str, link: u32) -> Result<LinkCreated, ApiError> {
        let url = format!("/api/cafes/{cafe}/links/{link}/rotate");
        call_as("POST", &url, None::<&()>, Some(token)).await
    }

    /// 204 on success, so no body to read.
    pub async fn revoke(cafe: &str, token: &str, link: u32) -> Result<(), ApiError> {
        let url = format!("/api/cafes/{cafe}/links/{link}");
        let reply = super::fetch_as("DELETE", &url, None, Some(token))
            .await
            .ok_or(ApiError::Network)?;
        if reply.ok {
            return Ok(());
        }
        let body = reply
            .text
            .and_then(|t| crate::json::from_str::<super::ApiErrorBody>(&t).ok())
            .unwrap_or(super::ApiErrorBody {
                code: super::ErrorCode::Internal,
                message: reply.status_text,
            });
        Err(ApiError::Server(body))
    }
}

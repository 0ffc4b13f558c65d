//! The HTTP half of the contract: create a café, look one up and join it by code.

use cafe_shared::api::{
    ApiErrorBody, CafeCreatedResponse, CreateCafeRequest, JoinRequest, JoinResponse, PublicInfo,
};
use cafe_shared::{ErrorCode, Location};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

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

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    // The text, then crate::json (structs as objects only), rather than gloo's own JSON
    // reading, which would compile a second reader of each body.
    let text = resp.text().await.map_err(|_| ApiError::Network);
    if resp.ok() {
        crate::json::from_str(&text?).map_err(|_| ApiError::Network)
    } else {
        let body = text
            .ok()
            .and_then(|t| crate::json::from_str::<ApiErrorBody>(&t).ok())
            .unwrap_or(ApiErrorBody {
                code: ErrorCode::Internal,
                message: resp.status_text(),
            });
        Err(ApiError::Server(body))
    }
}

pub async fn create_cafe(body: &CreateCafeRequest) -> Result<CafeCreatedResponse, ApiError> {
    let req = Request::post("/api/cafes")
        .json(body)
        .map_err(|_| ApiError::Network)?;
    read(req.send().await.map_err(|_| ApiError::Network)?).await
}

pub async fn join(code: &str, name: &str, location: Location) -> Result<JoinResponse, ApiError> {
    let body = JoinRequest {
        name: name.to_string(),
        location,
    };
    let req = Request::post(&format!("/api/cafes/by-code/{code}/join"))
        .json(&body)
        .map_err(|_| ApiError::Network)?;
    read(req.send().await.map_err(|_| ApiError::Network)?).await
}

/// What the join page may know before joining: whether the café takes new people.
pub async fn lookup(code: &str) -> Result<PublicInfo, ApiError> {
    let resp = Request::get(&format!("/api/cafes/by-code/{code}"))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    read(resp).await
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

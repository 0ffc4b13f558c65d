//! HTTP errors: `{"code": "...", "message": "..."}` ([`ApiErrorBody`]) with the status that
//! fits the code, and body extractors whose failures are such errors too.
//!
//! Its own module because the routes (`http`), the WebSocket handshake (`ws`) and the
//! asset fallback (`assets`) all answer with it, and none of them should depend on another.

use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cafe_shared::api::ApiErrorBody;
use cafe_shared::{ErrorCode, Rejection};

/// An API error: the code and message of the body, and the status.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub status: StatusCode,
    /// Sent as `Retry-After` (whole seconds, at least 1) with a 429.
    pub retry_after: Option<std::time::Duration>,
}

/// The status each code is answered with (documented in docs/protocol.md).
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        Malformed | UnknownFrame | ProtocolVersion | HelloRequired => StatusCode::BAD_REQUEST,
        Unauthorized | TokenExpired => StatusCode::UNAUTHORIZED,
        // A closed door, not a clash to retry: the facilitator decides when it opens.
        Forbidden | JoiningClosed => StatusCode::FORBIDDEN,
        NotFound => StatusCode::NOT_FOUND,
        NotAllowedInPhase | LimitReached | BoardLocked | Conflict | Resync => StatusCode::CONFLICT,
        OverBudget | OverCap | TooLong | TooShort | Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ServerRestarting => StatusCode::SERVICE_UNAVAILABLE,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: status_of(code),
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, wait: std::time::Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// Logs the cause; the client only learns that something failed.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::new(ErrorCode::Internal, "something failed on the server")
    }

    fn too_large() -> Self {
        Self::new(ErrorCode::TooLarge, "the request body is too large")
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        Self::new(r.code, r.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<crate::cafe::Gone> for ApiError {
    fn from(_: crate::cafe::Gone) -> Self {
        Self::new(
            ErrorCode::ServerRestarting,
            "the café is restarting; try again",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            code: self.code,
            message: self.message,
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.max(1).into());
        }
        res
    }
}

/// The error a JSON body that does not deserialize gets.
///
/// Not JSON at all is `malformed` (400). JSON of the wrong shape or with a value outside its
/// set (a missing field, an unknown `location`) is `invalid` (422): the request was
/// understood but cannot be used. The WebSocket answers an unknown enum value the same way
/// (see `ClientFrame::parse`), so a client handles it once.
fn json_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => ApiError::new(ErrorCode::Invalid, e.to_string()),
        _ => ApiError::new(ErrorCode::Malformed, format!("not valid JSON: {e}")),
    }
}

/// JSON body whose failures are API errors too: 413 too large, 400 not JSON, 422 wrong
/// shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| json_error(&e))
    }
}

/// Did the body stop arriving (`RequestBodyTimeoutLayer`, see `http::router`)?
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// A raw body whose failures are API errors (413 when too large, 408 when it stops
/// arriving).
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large()
                } else if timed_out(&r) {
                    ApiError {
                        status: StatusCode::REQUEST_TIMEOUT,
                        ..ApiError::new(ErrorCode::Malformed, "the request body stopped arriving")
                    }
                } else {
                    ApiError::new(ErrorCode::Malformed, r.body_text())
                }
            })
    }
}

//! Checking the client's WebSocket handshake (RFC 6455 §4.2.1) and refusing what is not one.

use crate::errors::ApiError;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use cafe_shared::ErrorCode;

/// Whether a comma-separated header lists `token` (case-insensitive), in any of its values.
fn header_has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// 426 names what to upgrade to (RFC 9110 §15.5.22).
pub(super) fn upgrade_required(message: &str) -> Response {
    let mut res = ApiError {
        status: StatusCode::UPGRADE_REQUIRED,
        ..ApiError::new(ErrorCode::Malformed, message)
    }
    .into_response();
    let h = res.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    res
}

/// Why a request to /ws is not a WebSocket handshake.
pub(super) enum Refused {
    NotWebSocket,
    Version,
    Key,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::NotWebSocket => upgrade_required("/ws only speaks WebSocket"),
            Refused::Version => {
                // RFC 6455 §4.4: 426 with the versions the server speaks.
                let mut res = upgrade_required("only WebSocket version 13 is spoken");
                res.headers_mut().insert(
                    header::SEC_WEBSOCKET_VERSION,
                    HeaderValue::from_static("13"),
                );
                res
            }
            Refused::Key => ApiError::new(
                ErrorCode::Malformed,
                "Sec-WebSocket-Key is missing or not 16 bytes in base64",
            )
            .into_response(),
        }
    }
}

/// The client's `Sec-WebSocket-Key` if the request is a WebSocket handshake (RFC 6455
/// §4.2.1).
pub(super) fn handshake_key(headers: &HeaderMap) -> Result<Vec<u8>, Refused> {
    if !header_has_token(headers, header::UPGRADE, "websocket")
        || !header_has_token(headers, header::CONNECTION, "upgrade")
    {
        return Err(Refused::NotWebSocket);
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes().trim_ascii() != b"13")
    {
        return Err(Refused::Version);
    }
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().trim_ascii())
        .unwrap_or_default();
    // The key must be 16 random bytes in base64; anything else is not a real client.
    let decoded = base64::engine::general_purpose::STANDARD.decode(key);
    if !decoded.is_ok_and(|d| d.len() == 16) {
        return Err(Refused::Key);
    }
    Ok(key.to_vec())
}

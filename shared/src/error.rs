//! Typed errors. The same codes travel in WebSocket `reject`/`error` frames and in HTTP JSON
//! bodies, so a client handles one vocabulary.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON or does not match any frame shape.
    Malformed,
    /// The frame's `type` is not one this protocol version knows.
    UnknownFrame,
    /// The client speaks another protocol version.
    ProtocolVersion,
    /// A command arrived before a successful `hello`.
    HelloRequired,
    /// Token missing, altered, for another café, or for a removed person.
    Unauthorized,
    /// Token was valid once but has expired.
    TokenExpired,
    /// The role may not do this.
    Forbidden,
    /// The referenced thing does not exist (or is not visible to the caller).
    NotFound,
    /// The current phase does not allow this command.
    NotAllowedInPhase,
    /// The dot would exceed the person's budget.
    OverBudget,
    /// The dot would exceed the per-item cap.
    OverCap,
    /// Text longer than its limit.
    TooLong,
    /// Text empty after trimming, or a value below its minimum.
    TooShort,
    /// A value is outside its allowed range or shape (control characters, bad code …).
    Invalid,
    /// A per-café limit (people, ideas, tables …) is reached.
    LimitReached,
    /// The board is locked by the facilitator.
    BoardLocked,
    /// The command conflicts with the current state (e.g. a vote is already open).
    Conflict,
    /// Too many messages or requests; slow down.
    RateLimited,
    /// The frame or body is larger than allowed.
    TooLarge,
    /// The client fell too far behind; reconnect and resume.
    Resync,
    /// The server is shutting down or restarting; reconnect shortly.
    ServerRestarting,
    /// Something failed on the server; nothing was applied.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnknownFrame => "unknown_frame",
            ErrorCode::ProtocolVersion => "protocol_version",
            ErrorCode::HelloRequired => "hello_required",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NotAllowedInPhase => "not_allowed_in_phase",
            ErrorCode::OverBudget => "over_budget",
            ErrorCode::OverCap => "over_cap",
            ErrorCode::TooLong => "too_long",
            ErrorCode::TooShort => "too_short",
            ErrorCode::Invalid => "invalid",
            ErrorCode::LimitReached => "limit_reached",
            ErrorCode::BoardLocked => "board_locked",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Resync => "resync",
            ErrorCode::ServerRestarting => "server_restarting",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the state machine refused a command. Nothing was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Rejection {
    pub code: ErrorCode,
    pub message: String,
}

impl Rejection {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Shorthand used throughout `decide`.
pub(crate) fn reject<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection::new(code, message))
}

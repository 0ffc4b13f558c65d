//! Typed errors. The same codes travel in WebSocket `reject`/`error` frames and in HTTP JSON
//! bodies, so a client handles one vocabulary.

use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// The frame is not valid JSON or does not match any frame shape.
        Malformed => "malformed",
        /// The frame's `type` is not one this protocol version knows.
        UnknownFrame => "unknown_frame",
        /// The client speaks another protocol version.
        ProtocolVersion => "protocol_version",
        /// A command arrived before a successful `hello`.
        HelloRequired => "hello_required",
        /// Token missing, altered, for another café, or for a removed person.
        Unauthorized => "unauthorized",
        /// Token was valid once but has expired.
        TokenExpired => "token_expired",
        /// The role may not do this.
        Forbidden => "forbidden",
        /// The referenced thing does not exist (or is not visible to the caller).
        NotFound => "not_found",
        /// The current phase does not allow this command.
        NotAllowedInPhase => "not_allowed_in_phase",
        /// The dot would exceed the person's budget.
        OverBudget => "over_budget",
        /// The dot would exceed the per-item cap.
        OverCap => "over_cap",
        /// Text longer than its limit.
        TooLong => "too_long",
        /// Text empty after trimming, or a value below its minimum.
        TooShort => "too_short",
        /// A value is outside its allowed range or set (control characters, bad code, an
        /// unknown enum value such as a `location` of `"moon"` …), over HTTP and WebSocket
        /// alike.
        Invalid => "invalid",
        /// A per-café limit (people, ideas, tables …) is reached.
        LimitReached => "limit_reached",
        /// A facilitator closed the café to new people; who joined before keeps their place.
        JoiningClosed => "joining_closed",
        /// The board is locked by the facilitator.
        BoardLocked => "board_locked",
        /// The command conflicts with the current state (e.g. a vote is already open).
        Conflict => "conflict",
        /// Too many messages or requests; slow down.
        RateLimited => "rate_limited",
        /// The frame or body is larger than allowed.
        TooLarge => "too_large",
        /// The client fell too far behind; reconnect and resume.
        Resync => "resync",
        /// The server is shutting down or restarting; reconnect shortly.
        ServerRestarting => "server_restarting",
        /// Something failed on the server; nothing was applied.
        Internal => "internal",
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
        // In the browser the reason is never read (see `why!`): not keeping it lets the
        // optimizer drop every literal reason from the bundle too.
        Self {
            code,
            message: if cfg!(target_arch = "wasm32") {
                String::new()
            } else {
                message.into()
            },
        }
    }
}

/// Shorthand used throughout `decide`.
pub(crate) fn reject<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection::new(code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_written_as_its_wire_name() {
        crate::wire_enum::check_wire_names(&ErrorCode::ALL, |c| c.as_str());
        assert_eq!(ErrorCode::ALL.len(), 23);
        assert_eq!(
            ErrorCode::NotAllowedInPhase.as_str(),
            "not_allowed_in_phase"
        );
    }
}

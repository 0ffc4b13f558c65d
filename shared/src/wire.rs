//! Frames on the WebSocket. JSON text messages, each one object tagged by `type`.
//! `docs/protocol.md` shows every frame; the tests in `tests/protocol_doc.rs` keep that file
//! and this code in step.

use crate::command::Command;
use crate::error::ErrorCode;
use crate::event::Event;
use crate::ids::{CafeId, PersonId};
use crate::limits::COMMAND_ID_MAX;
use crate::model::{CafeState, Millis, Role};
use crate::reactions::ReactionCounts;
use crate::tagged::tagged_enum;
use crate::view::Audience;
use serde::{Deserialize, Serialize};

/// Bumped on any change a deployed client could trip over.
pub const PROTOCOL_VERSION: u32 = 1;

/// Where a client left off: the café's history `epoch` and the last `seq` it applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    pub epoch: u64,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame on every connection. The token travels here, not in the URL, so it stays
    /// out of proxy logs.
    Hello {
        protocol: u32,
        token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<ResumePoint>,
    },
    /// `id` is made by the client (≤ 64 characters) and makes re-sending safe.
    Command {
        id: String,
        command: Command,
    },
    /// `t` is the client's clock, echoed back in `pong`.
    Ping {
        t: i64,
    },
    Bye,
}

tagged_enum! {
    tag = "type", remote = "ServerFrame";
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ServerFrame {
        /// Answer to `hello`. `resumed: true` means the missed events follow as `event` frames;
        /// otherwise a `snapshot` follows.
        Welcome {
            protocol: u32,
            cafe: CafeId,
            /// `None` for the projector, which is not a person.
            you: Option<PersonId>,
            role: Option<Role>,
            audience: Audience,
            epoch: u64,
            seq: u64,
            resumed: bool,
            server_time: Millis,
        },
        /// The audience's whole view at `seq`. `recovered: false` says the client's earlier
        /// state (if any) could not be continued and must be replaced by this one.
        Snapshot {
            epoch: u64,
            seq: u64,
            recovered: bool,
            state: Box<CafeState>,
        },
        Event {
            seq: u64,
            at: Millis,
            event: Event,
        },
        /// The command `id` was accepted; its last event has number `seq` (or, for a command
        /// that changed nothing, `seq` is the café's position when it was decided).
        Ack {
            id: String,
            seq: u64,
        },
        /// The command `id` was refused; nothing was applied. The connection stays open.
        Reject {
            id: String,
            code: ErrorCode,
            message: String,
        },
        Pong {
            t: i64,
            server_time: Millis,
        },
        /// Reactions sent since the last such frame (`added`) and the running counts since
        /// the café was loaded (`totals`). Only the projector and the facilitators get it,
        /// and it is transient: no `seq`, never replayed on resume (see `crate::reactions`).
        Reactions {
            added: ReactionCounts,
            totals: ReactionCounts,
        },
        /// A problem with the connection rather than with one command.
        Error {
            code: ErrorCode,
            message: String,
        },
        /// The server is closing this connection; `reconnect` says whether trying again helps.
        Bye {
            code: ErrorCode,
            message: String,
            reconnect: bool,
        },
    }
}

/// Why a client frame could not be used. `id` is set when the frame was a command whose id
/// could still be read, so the client can match the refusal to what it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: ErrorCode,
    pub message: String,
    pub id: Option<String>,
}

const CLIENT_FRAME_TYPES: [&str; 4] = ["hello", "command", "ping", "bye"];

impl ClientFrame {
    /// Parses one text message, telling malformed JSON, unknown frame types and bad
    /// commands apart.
    pub fn parse(text: &str) -> Result<ClientFrame, FrameError> {
        // Well-formed frames (nearly all) are read once, straight into the frame; only a
        // failure pays for the `Value` pass that tells the error kinds apart.
        match serde_json::from_str::<ClientFrame>(text) {
            Ok(ClientFrame::Command { id, .. }) if !valid_command_id(&id) => {}
            Ok(frame) => return Ok(frame),
            Err(_) => {}
        }
        Self::diagnose(text)
    }

    fn diagnose(text: &str) -> Result<ClientFrame, FrameError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| FrameError {
            code: ErrorCode::Malformed,
            message: format!("not valid JSON: {e}"),
            id: None,
        })?;
        let kind = value
            .get("type")
            .and_then(|t| t.as_str())
            .map(str::to_owned);
        let Some(kind) = kind else {
            return Err(FrameError {
                code: ErrorCode::Malformed,
                message: "a frame is a JSON object with a string field \"type\"".into(),
                id: None,
            });
        };
        if !CLIENT_FRAME_TYPES.contains(&kind.as_str()) {
            return Err(FrameError {
                code: ErrorCode::UnknownFrame,
                message: format!(
                    "unknown frame type '{kind}'; expected one of {}",
                    CLIENT_FRAME_TYPES.join(", ")
                ),
                id: None,
            });
        }
        // Only a command's id is echoed (in `reject`), and only a valid one: echoing a
        // truncated id would name a command the client never sent.
        let id = value
            .get("id")
            .and_then(|i| i.as_str())
            .filter(|s| kind == "command" && valid_command_id(s))
            .map(str::to_owned);
        let frame = ClientFrame::deserialize(&value).map_err(|e| {
            let message = e.to_string();
            FrameError {
                code: shape_or_value(&value, &message),
                message: format!("bad {kind} frame: {message}"),
                id: id.clone(),
            }
        })?;
        if let ClientFrame::Command { id, .. } = &frame {
            if !valid_command_id(id) {
                return Err(FrameError {
                    code: ErrorCode::Invalid,
                    message: format!("a command id has 1 to {COMMAND_ID_MAX} characters"),
                    id: None,
                });
            }
        }
        Ok(frame)
    }
}

/// The code for a frame of a known type that still does not deserialize.
///
/// A value outside its set (a `location` of `"moon"`, an unknown `phase`) is `invalid`: the
/// frame has the right shape and one value cannot be used. That is what the HTTP API answers
/// for the same mistake in a JSON body, so a client handles an unknown enum value once,
/// whichever way it sent it. Everything else (a missing or unknown field, a wrong type, an
/// unknown command `type` or assignment `kind`) is a shape error: `malformed`.
fn shape_or_value(frame: &serde_json::Value, serde_message: &str) -> ErrorCode {
    let unknown = serde_message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match unknown {
        Some(name) if !is_tag_value(frame, name) => ErrorCode::Invalid,
        _ => ErrorCode::Malformed,
    }
}

/// Whether `name` is the value of a `type` or `kind` tag somewhere in the frame: serde
/// reports an unknown tag as an "unknown variant" too.
fn is_tag_value(v: &serde_json::Value, name: &str) -> bool {
    match v {
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| {
            ((k == "type" || k == "kind") && v.as_str() == Some(name)) || is_tag_value(v, name)
        }),
        serde_json::Value::Array(a) => a.iter().any(|v| is_tag_value(v, name)),
        _ => false,
    }
}

fn valid_command_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= COMMAND_ID_MAX
}

impl ServerFrame {
    /// Encoding cannot fail for these types (all map keys are numbers or strings); the
    /// fallback keeps the connection alive even if that ever changed.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(r#"{{"type":"error","code":"internal","message":"encoding failed: {e}"}}"#)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_value_is_invalid_and_an_unknown_tag_malformed() {
        let err = |s: &str| ClientFrame::parse(s).expect_err("bad frame");
        let e = err(
            r#"{"type":"command","id":"c-1","command":{"type":"set_location","location":"moon"}}"#,
        );
        assert_eq!((e.code, e.id.as_deref()), (ErrorCode::Invalid, Some("c-1")));
        let e = err(r#"{"type":"command","id":"c-2","command":{"type":"set_phase","phase":"x"}}"#);
        assert_eq!(e.code, ErrorCode::Invalid);
        let e = err(r#"{"type":"command","id":"c-3","command":{"type":"fly"}}"#);
        assert_eq!(e.code, ErrorCode::Malformed);
        let e = err(r#"{"type":"command","id":"c-4","command":{"type":"set_location"}}"#);
        assert_eq!(
            e.code,
            ErrorCode::Malformed,
            "a missing field is a shape error"
        );
        let e =
            err(r#"{"type":"command","id":"c-5","command":{"type":"set_location","location":1}}"#);
        assert_eq!(
            e.code,
            ErrorCode::Malformed,
            "a wrong type is a shape error"
        );
    }
}

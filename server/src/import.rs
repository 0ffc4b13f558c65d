//! Import of a JSON export as a new café.
//!
//! The export's event log is replayed event by event: each event's ids are renumbered for
//! the new café ([`Renumber`]), then the rules are asked whether they could have written it
//! ([`CafeState::check_replayed`]), then it is applied. At the end the state's invariants
//! are checked ([`CafeState::check_invariants`]). No rule is restated here; every check
//! lives in `cafe-shared`.
//!
//! What an import preserves and what it changes is documented in `docs/protocol.md`
//! ("Export and import").

use crate::export::{ExportDoc, EXPORT_FORMAT, EXPORT_VERSION};
use cafe_shared::{
    CafeId, CafeState, ErrorCode, Event, IdError, JoinCode, PersonId, Renumber, SystemCommand,
};
use serde::Deserialize;

/// Default largest import body (`--import-max-bytes`). A full café within every limit of
/// `cafe_shared::limits` is far below this; the bound keeps one upload from eating the
/// server's memory. [`parse_export`] applies it too, for callers other than the HTTP route.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// Default most events an import may hold (`--import-max-events`), for the same reason.
pub const MAX_IMPORT_EVENTS: usize = 200_000;

/// Why an import was refused. Nothing was created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file has {bytes} bytes; an import may have at most {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("the export holds {count} events; an import may hold at most {limit}")]
    TooManyEvents { count: usize, limit: usize },
    #[error("this is not valid JSON for a café export: {0}")]
    Malformed(String),
    #[error(
        "this is not an Innovation Café export (format {found:?}, expected {EXPORT_FORMAT:?})"
    )]
    WrongFormat { found: String },
    #[error("export version {found} is not supported; this server reads version {EXPORT_VERSION}")]
    UnsupportedVersion { found: u32 },
    #[error("the export holds no events")]
    Empty,
    #[error("event seq {seq} ({kind}) does not replay: {reason}")]
    InvalidEvent {
        seq: u64,
        kind: &'static str,
        reason: Refusal,
    },
    #[error("the replayed café is inconsistent: {0}")]
    InvalidState(String),
}

/// Why one event of the log was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Its ids: a reference to something not created yet, or an id created twice.
    #[error(transparent)]
    Ids(#[from] IdError),
    /// Out of order, or not something the rules could have written at that point.
    #[error("{0}")]
    Rules(String),
}

impl ImportError {
    /// The code for the HTTP error body, so import errors share the API's vocabulary.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::TooLarge { .. } | ImportError::TooManyEvents { .. } => ErrorCode::TooLarge,
            ImportError::Malformed(_) => ErrorCode::Malformed,
            ImportError::WrongFormat { .. }
            | ImportError::UnsupportedVersion { .. }
            | ImportError::Empty
            | ImportError::InvalidEvent { .. }
            | ImportError::InvalidState(_) => ErrorCode::Invalid,
        }
    }
}

/// Reads an uploaded export: size bound, then format and version (read first, so a future
/// version whose shape changed is reported as unsupported rather than as broken JSON), then
/// the whole document.
pub fn parse_export(bytes: &[u8]) -> Result<ExportDoc, ImportError> {
    parse_export_limited(bytes, MAX_IMPORT_BYTES)
}

/// [`parse_export`] with the server's configured size limit (`--import-max-bytes`).
pub fn parse_export_limited(bytes: &[u8], max_bytes: usize) -> Result<ExportDoc, ImportError> {
    if bytes.len() > max_bytes {
        return Err(ImportError::TooLarge {
            bytes: bytes.len(),
            limit: max_bytes,
        });
    }
    #[derive(Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    let h: Header =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    check_header(&h.format, h.version)?;
    serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))
}

fn check_header(format: &str, version: u32) -> Result<(), ImportError> {
    if format != EXPORT_FORMAT {
        return Err(ImportError::WrongFormat {
            found: format.chars().take(100).collect(),
        });
    }
    if version != EXPORT_VERSION {
        return Err(ImportError::UnsupportedVersion { found: version });
    }
    Ok(())
}

/// A checked, renumbered log, ready to become a new café once it has an id and a join code.
#[derive(Debug, Clone)]
pub struct Imported {
    events: Vec<Event>,
    state: CafeState,
}

impl Imported {
    /// The events to store as seq 1..n of the new café: the log with the new id and join
    /// code in `cafe_created`.
    pub fn events_for(&self, id: &CafeId, code: &JoinCode) -> Vec<Event> {
        let mut events = self.events.clone();
        if let Some(Event::CafeCreated { info, .. }) = events.first_mut() {
            info.id = id.clone();
            info.code = code.clone();
        }
        events
    }

    /// [`Imported::events_for`] without a copy: the log is the largest thing an import
    /// holds.
    pub fn into_events_for(self, id: &CafeId, code: &JoinCode) -> Vec<Event> {
        let mut events = self.events;
        if let Some(Event::CafeCreated { info, .. }) = events.first_mut() {
            info.id = id.clone();
            info.code = code.clone();
        }
        events
    }

    /// The café these events build (with the export's own id and code).
    pub fn state(&self) -> &CafeState {
        &self.state
    }
}

/// Validates the document and renumbers its log (see the module doc). Separate from
/// choosing the new café's id, so the server can run this long check once, off the async
/// threads, and retry a join-code collision without redoing it.
///
/// One addition: people marked online at export time are set offline at the end (as the
/// `presence_changed` events the rules write), since nobody is connected to the new café.
pub fn check(doc: ExportDoc) -> Result<Imported, ImportError> {
    check_limited(doc, MAX_IMPORT_EVENTS)
}

/// [`check`] with the server's configured event limit (`--import-max-events`).
pub fn check_limited(doc: ExportDoc, max_events: usize) -> Result<Imported, ImportError> {
    check_header(&doc.format, doc.version)?;
    if doc.events.is_empty() {
        return Err(ImportError::Empty);
    }
    if doc.events.len() > max_events {
        return Err(ImportError::TooManyEvents {
            count: doc.events.len(),
            limit: max_events,
        });
    }
    let mut state = CafeState::default();
    let mut renumber = Renumber::new();
    let mut events = Vec::with_capacity(doc.events.len());
    let mut last_seq = 0u64;
    for stored in doc.events {
        let seq = stored.seq;
        let mut event = stored.event;
        let kind = event.kind();
        let invalid = |reason: Refusal| ImportError::InvalidEvent { seq, kind, reason };
        if seq <= last_seq {
            return Err(invalid(Refusal::Rules(format!(
                "seq must increase (previous was {last_seq})"
            ))));
        }
        last_seq = seq;
        renumber
            .event(&mut event)
            .map_err(|e| invalid(Refusal::Ids(e)))?;
        state
            .check_replayed(&event)
            .map_err(|e| invalid(Refusal::Rules(e)))?;
        state.apply(&event);
        events.push(event);
    }
    let online: Vec<PersonId> = state
        .people
        .values()
        .filter(|p| p.online)
        .map(|p| p.id)
        .collect();
    for person in online {
        let offline = SystemCommand::SetPresence {
            person,
            online: false,
        };
        let decided = state
            .decide_system(0, &offline)
            .map_err(|r| ImportError::InvalidState(r.to_string()))?;
        for e in decided {
            state.apply(&e);
            events.push(e);
        }
    }
    state
        .check_invariants()
        .map_err(ImportError::InvalidState)?;
    Ok(Imported { events, state })
}

/// [`check`], then the events and state of the new café with this id and join code.
pub fn import(
    doc: ExportDoc,
    new_id: CafeId,
    new_code: JoinCode,
) -> Result<(Vec<Event>, CafeState), ImportError> {
    let imported = check(doc)?;
    let events = imported.events_for(&new_id, &new_code);
    let mut state = imported.state;
    if let Some(info) = state.info.as_mut() {
        info.id = new_id;
        info.code = new_code;
    }
    Ok((events, state))
}

#[cfg(test)]
mod tests;

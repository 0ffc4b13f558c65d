//! The outbox: every command a person makes waits here, persisted in localStorage per café,
//! until the server acknowledges or refuses it. A reload, a tunnel or a dead phone battery
//! between "post" and "ack" therefore never loses an idea or a dot: the same entry is
//! re-sent with the same id after reconnecting and the server's dedup makes that safe.

use cafe_shared::{BoardId, Command, Millis};
use serde::{Deserialize, Serialize};

/// How long an acknowledged entry may wait for its event before we stop showing it as
/// pending. Events invisible to this audience are skipped, so the applied seq can stay
/// below the ack's seq forever; the timeout keeps such an entry from lingering.
pub const ACK_SETTLE_MS: Millis = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: String,
    /// The command as JSON, exactly as it goes on the wire. Kept as text so the browser
    /// never has to parse a `Command` back: that parser alone would add ~100 KB of wasm.
    pub command: String,
    /// For a posted idea: where and what, so it can be shown as pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idea: Option<(BoardId, String)>,
    pub queued_at: Millis,
    /// Set once the server acknowledged; the entry then only waits for its event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked: Option<Acked>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acked {
    pub seq: u64,
    pub at: Millis,
}

/// An idea the person posted that the board does not show yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIdea {
    pub id: String,
    pub board: BoardId,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    entries: Vec<OutboxEntry>,
}

impl Outbox {
    pub fn push(&mut self, id: String, command: &Command, now: Millis) {
        let idea = match command {
            Command::PostIdea { board, text, .. } => Some((*board, text.clone())),
            _ => None,
        };
        self.entries.push(OutboxEntry {
            id,
            command: serde_json::to_string(command).unwrap_or_default(),
            idea,
            queued_at: now,
            acked: None,
        });
    }

    /// The `command` frame for an entry, built around the stored JSON.
    pub fn frame(entry: &OutboxEntry) -> String {
        let id = serde_json::to_string(&entry.id).unwrap_or_default();
        format!(
            r#"{{"type":"command","id":{id},"command":{}}}"#,
            entry.command
        )
    }

    pub fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries still waiting for an answer, in the order they were made; re-sent on every
    /// (re)connection so the server sees them in the person's order.
    pub fn unanswered(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.entries.iter().filter(|e| e.acked.is_none())
    }

    pub fn unanswered_count(&self) -> usize {
        self.unanswered().count()
    }

    /// Records an ack. Returns false for an id we do not know (e.g. acked twice).
    pub fn ack(&mut self, id: &str, seq: u64, applied_seq: u64, now: Millis) -> bool {
        let Some(pos) = self.entries.iter().position(|e| e.id == id) else {
            return false;
        };
        if seq <= applied_seq {
            // The event is already on screen; nothing left to wait for.
            self.entries.remove(pos);
        } else {
            self.entries[pos].acked = Some(Acked { seq, at: now });
        }
        true
    }

    /// Drops a refused entry and hands it back so the UI can say what was refused.
    pub fn reject(&mut self, id: &str) -> Option<OutboxEntry> {
        let pos = self.entries.iter().position(|e| e.id == id)?;
        Some(self.entries.remove(pos))
    }

    /// Forgets acknowledged entries whose event has been applied (or waited long enough).
    pub fn settle(&mut self, applied_seq: u64, now: Millis) {
        self.entries.retain(|e| match e.acked {
            None => true,
            Some(a) => a.seq > applied_seq && now - a.at < ACK_SETTLE_MS,
        });
    }

    /// Ideas this person posted that are not on the board yet, shown at once as pending.
    pub fn pending_ideas(&self) -> Vec<PendingIdea> {
        self.entries
            .iter()
            .filter_map(|e| {
                e.idea.as_ref().map(|(board, text)| PendingIdea {
                    id: e.id.clone(),
                    board: *board,
                    text: text.clone(),
                })
            })
            .collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A corrupt stored outbox must not stop the app from loading; it starts empty then.
    pub fn from_json(s: &str) -> Self {
        crate::json::from_str(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn post(text: &str) -> Command {
        Command::PostIdea {
            board: BoardId(1),
            text: text.into(),
            category: None,
        }
    }

    #[test]
    fn ack_then_event_settles() {
        let mut o = Outbox::default();
        o.push("a".into(), &post("one"), 0);
        o.push("b".into(), &Command::RaiseHand, 1);
        assert_eq!(o.unanswered_count(), 2);
        assert!(o.ack("a", 7, 5, 10));
        assert_eq!(o.unanswered_count(), 1);
        assert_eq!(
            o.pending_ideas().len(),
            1,
            "still pending until seq 7 applied"
        );
        o.settle(7, 20);
        assert!(o.pending_ideas().is_empty());
        assert!(
            o.ack("b", 3, 7, 30),
            "ack of an already applied seq removes at once"
        );
        assert!(o.is_empty());
        assert!(!o.ack("b", 3, 7, 30));
    }

    #[test]
    fn reject_drops_and_timeout_settles() {
        let mut o = Outbox::default();
        o.push("a".into(), &post("one"), 0);
        o.push("b".into(), &post("two"), 0);
        assert_eq!(o.reject("a").map(|e| e.id), Some("a".to_string()));
        assert!(o.reject("a").is_none());
        o.ack("b", 99, 1, 0);
        o.settle(1, ACK_SETTLE_MS - 1);
        assert_eq!(o.entries().len(), 1);
        o.settle(1, ACK_SETTLE_MS);
        assert!(o.is_empty());
    }

    #[test]
    fn survives_storage_round_trip() {
        let mut o = Outbox::default();
        o.push("a".into(), &post("ünïcode ✓"), 5);
        let back = Outbox::from_json(&o.to_json());
        assert_eq!(back, o);
        let frame: serde_json::Value =
            serde_json::from_str(&Outbox::frame(&o.entries()[0])).unwrap();
        assert_eq!(frame["type"], "command");
        assert_eq!(frame["id"], "a");
        assert_eq!(frame["command"]["type"], "post_idea");
        assert_eq!(frame["command"]["text"], "ünïcode ✓");
        assert_eq!(Outbox::from_json("garbage"), Outbox::default());
    }
}

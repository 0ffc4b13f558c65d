//! Cheap scanning of server frames on the receive path. Every member receives every event,
//! so the generator reads N times more frames than the server writes commands: a full
//! serde parse per frame would make the generator the bottleneck. Server frames are
//! serialized by serde with the `type` tag first and fields in declaration order, so the
//! few numbers we need sit at fixed, early positions; rare frames (welcome, bye) still get
//! a full parse.

use memchr::memmem;

#[derive(Debug, PartialEq, Eq)]
pub enum Scan<'a> {
    Event { seq: u64 },
    Ack { id: &'a str, seq: u64 },
    Reject { id: &'a str, code: &'a str },
    Snapshot { epoch: u64, seq: u64 },
    Welcome,
    Pong,
    Error { code: &'a str },
    Bye,
    Other,
}

const TYPE_PREFIX: &str = r#"{"type":""#;

/// Classifies a frame and pulls out its numbers without building a JSON tree.
pub fn scan(text: &str) -> Scan<'_> {
    let Some(rest) = text.strip_prefix(TYPE_PREFIX) else {
        return Scan::Other;
    };
    let Some(end) = rest.find('"') else {
        return Scan::Other;
    };
    let (kind, rest) = rest.split_at(end);
    match kind {
        "event" => match number_after(rest, "\"seq\":") {
            Some(seq) => Scan::Event { seq },
            None => Scan::Other,
        },
        "ack" => match (
            string_after(rest, "\"id\":\""),
            number_after(rest, "\"seq\":"),
        ) {
            (Some(id), Some(seq)) => Scan::Ack { id, seq },
            _ => Scan::Other,
        },
        "reject" => Scan::Reject {
            id: string_after(rest, "\"id\":\"").unwrap_or(""),
            code: string_after(rest, "\"code\":\"").unwrap_or(""),
        },
        "snapshot" => match (
            number_after(rest, "\"epoch\":"),
            number_after(rest, "\"seq\":"),
        ) {
            (Some(epoch), Some(seq)) => Scan::Snapshot { epoch, seq },
            _ => Scan::Other,
        },
        "welcome" => Scan::Welcome,
        "pong" => Scan::Pong,
        "error" => Scan::Error {
            code: string_after(rest, "\"code\":\"").unwrap_or(""),
        },
        "bye" => Scan::Bye,
        _ => Scan::Other,
    }
}

/// The unsigned integer right after the first occurrence of `key`.
fn number_after(hay: &str, key: &str) -> Option<u64> {
    let at = memmem::find(hay.as_bytes(), key.as_bytes())? + key.len();
    let digits = hay.as_bytes()[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    hay.get(at..at + digits)?.parse().ok()
}

/// The string value right after `key` (which ends with the opening quote). Our own ids and
/// error codes never contain escapes, so the next quote ends the value.
fn string_after<'a>(hay: &'a str, key: &str) -> Option<&'a str> {
    let at = memmem::find(hay.as_bytes(), key.as_bytes())? + key.len();
    let len = hay.get(at..)?.find('"')?;
    hay.get(at..at + len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cafe_shared::{Event, PersonId, ServerFrame};

    #[test]
    fn scans_what_serde_writes() {
        let ev = ServerFrame::Event {
            seq: 42,
            at: 1,
            event: Event::HandLowered {
                person: PersonId(7),
            },
        }
        .to_json();
        assert_eq!(scan(&ev), Scan::Event { seq: 42 });
        let ack = ServerFrame::Ack {
            id: "a-1".into(),
            seq: 9,
        }
        .to_json();
        assert_eq!(scan(&ack), Scan::Ack { id: "a-1", seq: 9 });
        assert_eq!(scan("garbage"), Scan::Other);
    }
}

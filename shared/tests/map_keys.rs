//! Regression: maps keyed by ids inside internally tagged enums (`event`, `snapshot`) must
//! read back. serde buffers such content and hands keys over as strings (serde#1183).

use cafe_shared::*;
use std::collections::BTreeMap;

#[test]
fn id_keyed_maps_survive_tagged_enums() {
    let ev = Event::VoteRevealed {
        vote: VoteId(9),
        totals: BTreeMap::from([(5, 2), (7, 1)]),
        tallies: BTreeMap::from([(TableId(3), BTreeMap::from([(5, 1)]))]),
    };
    let frame = ServerFrame::Event {
        seq: 4,
        at: 1,
        event: ev.clone(),
    };
    let json = frame.to_json();
    assert!(json.contains(r#""totals":{"5":2,"7":1}"#), "{json}");
    let back: ServerFrame = serde_json::from_str(&json).unwrap();
    assert_eq!(back, frame);
    let back: Event = serde_json::from_str(&serde_json::to_string(&ev).unwrap()).unwrap();
    assert_eq!(back, ev);

    let mut state = CafeState::default();
    state.rounds.push(Round {
        number: 1,
        prompt: "p".into(),
        duration_secs: 0,
        started_at: 0,
        assignments: BTreeMap::from([(PersonId(2), TableId(3))]),
    });
    let snap = ServerFrame::Snapshot {
        epoch: 1,
        seq: 2,
        recovered: false,
        state: Box::new(state),
    };
    let back: ServerFrame = serde_json::from_str(&snap.to_json()).unwrap();
    assert_eq!(back, snap);
}

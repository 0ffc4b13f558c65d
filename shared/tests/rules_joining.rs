//! Closing a café to new people, and removing many people at once (issue 10, finding 2:
//! anyone with the join code could fill a café; facilitators need to shut the door and
//! clear out who came in).

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

fn join_cmd(name: &str) -> SystemCommand {
    SystemCommand::Join {
        name: name.into(),
        role: Role::Participant,
        location: Location::Remote,
    }
}

#[test]
fn a_closed_cafe_refuses_new_people_with_the_typed_error() {
    let mut r = Room::new();
    assert!(r.cafe.state.joining_open, "a new café is open to joins");
    assert_eq!(
        r.cafe.ok(r.org, Command::SetJoining { open: false }),
        vec![Event::JoiningSet { open: false }]
    );
    assert!(!r.cafe.state.joining_open);
    let before = r.cafe.state.clone();
    let refused = r.cafe.sys(join_cmd("Mallory")).unwrap_err();
    assert_eq!(refused.code, ErrorCode::JoiningClosed);
    assert_eq!(r.cafe.state, before, "a refused join changes nothing");
    assert_eq!(
        r.cafe.state.may_join().unwrap_err().code,
        ErrorCode::JoiningClosed
    );
    // The check comes before the name's: a closed door is what a newcomer must learn.
    assert_eq!(
        r.cafe.sys(join_cmd("")).unwrap_err().code,
        ErrorCode::JoiningClosed
    );
    // Reopening lets people in again.
    r.cafe.ok(r.fac, Command::SetJoining { open: true });
    assert!(r.cafe.state.may_join().is_ok());
    r.cafe.sys(join_cmd("Nadia")).expect("joins once reopened");
    r.cafe.assert_replays();
}

#[test]
fn people_who_joined_before_keep_acting_and_facilitators_keep_control() {
    let mut r = Room::new();
    // A co-facilitator may close joining too, not only the organiser.
    r.cafe.ok(r.fac, Command::SetJoining { open: false });
    r.phase(Phase::Ideate);
    // Participants who joined before act as ever.
    r.cafe.post(r.part, r.plenary, "Still here");
    r.cafe.ok(r.remote, Command::RaiseHand);
    r.cafe.ok(
        r.other,
        Command::Rename {
            name: "Omar B".into(),
        },
    );
    // Facilitators run the café: promote, remove, reopen.
    r.cafe.ok(
        r.org,
        Command::SetRole {
            person: r.part,
            role: Role::Facilitator,
        },
    );
    r.cafe.ok(r.part, Command::StartTimer { duration_secs: 60 });
    // Hosts and participants may not touch the door.
    for p in [r.host, r.remote, r.other] {
        r.cafe
            .rejects(p, Command::SetJoining { open: true }, ErrorCode::Forbidden);
        assert_eq!(
            r.cafe.state.may_set_joining(p).unwrap_err().code,
            ErrorCode::Forbidden
        );
    }
    // Asking for what already holds changes nothing.
    r.cafe.noop(r.org, Command::SetJoining { open: false });
    // A closed café (phase) refuses it like every command but `set_phase`.
    r.phase(Phase::Closed);
    r.cafe.rejects(
        r.org,
        Command::SetJoining { open: true },
        ErrorCode::NotAllowedInPhase,
    );
    assert_eq!(
        r.cafe.sys(join_cmd("Late")).unwrap_err().code,
        ErrorCode::NotAllowedInPhase,
        "a closed café says so first"
    );
    r.cafe.assert_replays();
}

#[test]
fn a_snapshot_from_before_the_setting_loads_open() {
    let r = Room::new();
    let mut json = serde_json::to_value(&r.cafe.state).expect("serializes");
    json.as_object_mut()
        .expect("an object")
        .remove("joining_open")
        .expect("the field is written");
    let old: CafeState = serde_json::from_value(json).expect("an old snapshot loads");
    assert!(old.joining_open);
    assert_eq!(old, r.cafe.state);
}

#[test]
fn remove_people_removes_everyone_listed_or_nobody() {
    let mut r = Room::new();
    let bots: Vec<PersonId> = (0..5)
        .map(|i| {
            r.cafe
                .join(&format!("Bot {i}"), Role::Participant, Location::Remote)
        })
        .collect();
    r.cafe.ok(bots[0], Command::RaiseHand);
    // One id that may not be removed refuses the whole command with its own reason.
    for (bad, code) in [
        (r.org, ErrorCode::Forbidden),
        (r.fac, ErrorCode::Invalid),
        (PersonId(9_999), ErrorCode::NotFound),
    ] {
        let mut list = bots.clone();
        list.insert(2, bad);
        r.cafe
            .rejects(r.fac, Command::RemovePeople { people: list }, code);
    }
    // A facilitator removes only what the organiser allows: not another facilitator.
    let fac2 = r.cafe.join("Fab", Role::Facilitator, Location::Room);
    let with_fac: Vec<PersonId> = bots.iter().copied().chain([fac2]).collect();
    let refusal = r
        .cafe
        .run(
            r.fac,
            Command::RemovePeople {
                people: with_fac.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(refusal.code, ErrorCode::Forbidden);
    assert!(refusal.message.contains("Fab"), "{}", refusal.message);
    assert!(bots.iter().all(|b| !r.cafe.person(*b).removed));
    // Participants may not bulk-remove; an empty list is refused.
    r.cafe.rejects(
        r.part,
        Command::RemovePeople {
            people: bots.clone(),
        },
        ErrorCode::Forbidden,
    );
    r.cafe.rejects(
        r.fac,
        Command::RemovePeople { people: vec![] },
        ErrorCode::TooShort,
    );
    // Repeats and order do not matter: one `person_removed` per person, in id order.
    let mut list: Vec<PersonId> = bots.iter().rev().copied().collect();
    list.push(bots[1]);
    let events = r.cafe.ok(r.fac, Command::RemovePeople { people: list });
    assert_eq!(
        events,
        bots.iter()
            .map(|b| Event::PersonRemoved { person: *b })
            .collect::<Vec<_>>()
    );
    assert!(bots.iter().all(|b| r.cafe.person(*b).removed));
    assert!(r.cafe.state.hands.is_empty(), "their hands went down");
    // The organiser may remove facilitators in bulk, as alone.
    r.cafe.ok(
        r.org,
        Command::RemovePeople {
            people: with_fac[5..].to_vec(),
        },
    );
    assert!(r.cafe.person(fac2).removed);
    // Removed people cannot act; removing them again is refused like a single removal.
    r.cafe
        .rejects(bots[0], Command::RaiseHand, ErrorCode::Unauthorized);
    r.cafe.rejects(
        r.org,
        Command::RemovePeople {
            people: vec![bots[0]],
        },
        ErrorCode::NotFound,
    );
    r.cafe.assert_replays();
}

#[test]
fn everyone_who_joined_in_the_last_minutes_is_found_by_joined_at() {
    let mut r = Room::new();
    r.cafe.now += 60 * 60_000;
    let flood_start = r.cafe.now;
    let bots: Vec<PersonId> = (0..3)
        .map(|i| {
            r.cafe.now += 1_000;
            r.cafe
                .join(&format!("Bot {i}"), Role::Participant, Location::Remote)
        })
        .collect();
    // What the console computes: active people who joined at or after a moment, whom the
    // facilitator may remove.
    let recent: Vec<PersonId> = r
        .cafe
        .state
        .active_people()
        .filter(|p| p.joined_at >= flood_start)
        .filter(|p| r.cafe.state.may_remove_person(r.fac, p.id).is_ok())
        .map(|p| p.id)
        .collect();
    assert_eq!(recent, bots);
    assert!(r.cafe.state.may_remove_people(r.fac, &recent).is_ok());
    r.cafe.ok(r.fac, Command::RemovePeople { people: recent });
    assert_eq!(
        r.cafe.state.active_people().count(),
        6,
        "the room's six remain"
    );
}

#[test]
fn an_import_replays_closing_joining_and_bulk_removal() {
    let mut r = Room::new();
    let a = r.cafe.join("Bot A", Role::Participant, Location::Remote);
    let b = r.cafe.join("Bot B", Role::Participant, Location::Remote);
    r.cafe.ok(r.fac, Command::SetJoining { open: false });
    r.cafe
        .ok(r.fac, Command::RemovePeople { people: vec![a, b] });
    r.cafe.ok(r.org, Command::SetJoining { open: true });
    r.cafe.ok(r.org, Command::SetJoining { open: false });
    let mut replay = CafeState::default();
    let mut renumber = Renumber::new();
    for e in &r.cafe.log {
        let mut e = e.clone();
        renumber.event(&mut e).expect("renumbers");
        if let Err(why) = replay.check_replayed(&e) {
            panic!("{} refused: {why}", e.kind());
        }
        replay.apply(&e);
    }
    assert_eq!(replay, r.cafe.state);
    assert!(!replay.joining_open);
    replay.check_invariants().expect("invariants");
    // A forged `joining_set` that changes nothing, or a join while closed, is refused.
    assert!(replay
        .check_replayed(&Event::JoiningSet { open: false })
        .is_err());
    let forged_join = Event::PersonJoined {
        person: Person {
            id: PersonId(replay.next_id),
            name: "Sneaky".into(),
            role: Role::Participant,
            location: Location::Room,
            online: false,
            ready: false,
            hand_raised_at: None,
            removed: false,
            joined_at: T0,
            visited: Default::default(),
        },
    };
    let why = replay.check_replayed(&forged_join).unwrap_err();
    assert!(why.contains("joining_closed"), "{why}");
}

#[test]
fn the_new_words_are_written_as_documented() {
    assert_eq!(
        serde_json::to_value(Command::SetJoining { open: false }).unwrap(),
        serde_json::json!({"type": "set_joining", "open": false})
    );
    assert_eq!(
        serde_json::to_value(Command::RemovePeople {
            people: vec![PersonId(9), PersonId(12)]
        })
        .unwrap(),
        serde_json::json!({"type": "remove_people", "people": [9, 12]})
    );
    assert_eq!(
        serde_json::to_value(Event::JoiningSet { open: true }).unwrap(),
        serde_json::json!({"type": "joining_set", "open": true})
    );
    assert_eq!(ErrorCode::JoiningClosed.as_str(), "joining_closed");
}

//! Actions and auto-advance over real sockets: a facilitator turns a top result into an
//! action; a participant's phone receives it and its owner sets its status (also once the
//! café closed), while another participant is refused with a typed error and keeps their
//! connection; the actions survive a restart and are in the JSON, CSV and Markdown exports.
//! With auto-advance on, the server's timer expiry starts the next round and, after the
//! last planned one, moves the café on to grouping, on every phone.

use cafe_shared::{
    ActionStatus, Assignment, Command, ErrorCode, Event, Location, PersonId, Phase, TableKind,
    Timer, TimerCause,
};
use cafe_tests::TestServer;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_reach_every_phone_survive_a_restart_and_are_exported() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Actions", json!({})).await;
    let plenary = org.ideate().await;
    org.post(plenary, "Four-day week").await;
    org.post(plenary, "Walking meetings").await;
    let (ana_j, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    let (ben_j, mut ben) = server.arrive(&cafe.code, "Ben", Location::Remote).await;
    let ana_id = PersonId(ana_j.person_id);
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    let v = *org
        .state()
        .votes
        .keys()
        .next()
        .expect("the vote phase opened a vote");
    let top = org.state().votes[&v].items[0];
    ana.ok(Command::CastDot { vote: v, item: top }).await;
    org.ok(Command::SetPhase {
        phase: Phase::Results,
    })
    .await;
    let top = org.state().ranking(v)[0].item;

    // Facilitators make actions; a participant may not.
    assert_eq!(
        ben.refused(Command::CreateAction {
            text: "Mine".into(),
            owner: None,
            owner_name: String::new(),
            due: None,
            source: None,
        })
        .await,
        ErrorCode::Forbidden
    );
    org.ok(Command::CreateAction {
        text: "Pilot a four-day week".into(),
        owner: Some(ana_id),
        owner_name: String::new(),
        due: Some("2027-03-31".into()),
        source: Some(top),
    })
    .await;
    org.ok(Command::CreateAction {
        text: "=Newsletter piece".into(),
        owner: None,
        owner_name: "Comms team".into(),
        due: None,
        source: None,
    })
    .await;
    let ev = ana
        .wait_for_event(
            |e| matches!(e, Event::ActionCreated { action } if action.owner == Some(ana_id)),
        )
        .await;
    let Event::ActionCreated { action } = ev else {
        unreachable!()
    };
    assert_eq!(action.source, Some(top));
    assert_eq!(action.due.as_deref(), Some("2027-03-31"));
    let id = action.id;

    // The owner says where it stands; Ben may not, and stays connected.
    ana.ok(Command::SetActionStatus {
        action: id,
        status: ActionStatus::InProgress,
    })
    .await;
    assert_eq!(
        ben.refused(Command::SetActionStatus {
            action: id,
            status: ActionStatus::Done,
        })
        .await,
        ErrorCode::Forbidden
    );
    // (Ben's phone may have heard the status before its refusal: the state says.)
    ben.barrier().await;
    assert_eq!(ben.state().actions.len(), 2);
    assert_eq!(ben.state().actions[&id].status, ActionStatus::InProgress);

    // Closed: the owner still follows it up; a bad date is a typed error.
    org.ok(Command::SetPhase {
        phase: Phase::Closed,
    })
    .await;
    ana.ok(Command::SetActionStatus {
        action: id,
        status: ActionStatus::Done,
    })
    .await;
    assert_eq!(
        org.refused(Command::EditAction {
            action: id,
            text: "Pilot".into(),
            owner: None,
            owner_name: String::new(),
            due: Some("31/03/2027".into()),
        })
        .await,
        ErrorCode::Invalid
    );
    org.barrier().await;
    let before = org.state().actions.clone();
    assert_eq!(before[&id].status, ActionStatus::Done);
    ben.barrier().await;
    server.assert_matches_fresh(&ben, &ben_j.token).await;

    // A restart: the store holds them.
    let (dir, tmp) = server.stop().await;
    let server = TestServer::start_in(&dir, |_| {}).await;
    let back = server.enter(&ana_j.token).await;
    assert_eq!(back.state().actions, before);

    // The exports carry them.
    let path = |f: &str| format!("/api/cafes/{}/{f}", cafe.cafe_id);
    let json: Value = server
        .get_with_token(&path("export.json"), &cafe.organiser_token)
        .await
        .json()
        .await
        .unwrap();
    let actions = json["summary"]["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["text"], "Pilot a four-day week");
    assert_eq!(actions[0]["owner_name"], "Ana");
    assert_eq!(actions[0]["status"], "done");
    assert_eq!(actions[0]["source_label"], "Four-day week");
    assert_eq!(actions[1]["owner_name"], "Comms team");
    let r = server
        .get_with_token(&path("export-actions.csv"), &cafe.organiser_token)
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let csv = r.text().await.unwrap();
    // Like every CSV export: a UTF-8 byte order mark first, so spreadsheets read accents.
    let csv = csv.strip_prefix('\u{feff}').expect("starts with a BOM");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("action_id,text,owner,owner_person_id,due,status"));
    assert!(lines[1].contains("Pilot a four-day week,Ana,"), "{csv}");
    assert!(lines[1].contains("2027-03-31,done,"), "{csv}");
    // A text a spreadsheet would run as a formula stays text.
    assert!(
        lines[2].contains(",'=Newsletter piece,Comms team,"),
        "{csv}"
    );
    let md = server
        .get_with_token(&path("export.md"), &cafe.organiser_token)
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains("## Actions"), "{md}");
    assert!(
        md.contains("| Pilot a four-day week | Ana | 2027-03-31 | done | Four-day week |"),
        "{md}"
    );
    // Participants do not download exports.
    let r = server
        .get_with_token(&path("export-actions.csv"), &ana_j.token)
        .await;
    assert_eq!(r.status().as_u16(), 403);
    server.stop().await;
    drop(tmp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_advance_starts_the_next_round_then_moves_on_when_the_timer_expires() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server
        .open_cafe(
            "Auto",
            json!({"settings": {"anonymous": false, "moderation": false,
                "default_budget": 5, "default_per_item_cap": 3, "default_visibility": "hidden",
                "auto_advance": true, "planned_rounds": 2}}),
        )
        .await;
    assert!(org.state().settings().auto_advance);
    for name in ["Window", "Door"] {
        org.ok(Command::CreateTable {
            name: name.into(),
            kind: TableKind::InRoom,
        })
        .await;
    }
    let (_, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    org.ideate().await;
    org.ok(Command::StartRound {
        prompt: "What should change?".into(),
        duration_secs: cafe_shared::limits::TIMER_MIN_SECS,
        assignment: Assignment::Shuffle,
    })
    .await;
    // The server's expiry ends round 1 and starts round 2, its timer running, on the phone.
    let ev = ana
        .wait_for_event(|e| matches!(e, Event::RoundStarted { round } if round.number == 2))
        .await;
    let Event::RoundStarted { round } = ev else {
        unreachable!()
    };
    assert_eq!(round.prompt, "What should change?");
    assert_eq!(round.duration_secs, cafe_shared::limits::TIMER_MIN_SECS);
    ana.wait_for_event(|e| {
        matches!(
            e,
            Event::TimerChanged {
                cause: TimerCause::Started,
                ..
            }
        )
    })
    .await;
    assert!(matches!(ana.state().timer, Timer::Running { .. }));
    // Round 2 was the last planned: its end moves the café on to grouping.
    ana.wait_for_event(|e| {
        matches!(
            e,
            Event::PhaseChanged {
                phase: Phase::Group
            }
        )
    })
    .await;
    assert_eq!(ana.state().timer, Timer::Idle);
    assert_eq!(ana.state().rounds.len(), 2);
    org.barrier().await;
    assert_eq!(org.state().phase, Phase::Group);
    server.stop().await;
}

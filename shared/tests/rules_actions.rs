//! Actions (after the results, the top items become actions with an owner, a due date and a
//! status) and auto-advance (the café moves on by itself when its timer runs out).

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

/// Every event of the log is one the rules could have written, in order (as an import
/// checks it), and the state it builds keeps every invariant.
#[track_caller]
fn assert_log_replays(log: &[Event]) {
    let mut s = CafeState::default();
    for (n, e) in log.iter().enumerate() {
        if let Err(why) = s.check_replayed(e) {
            panic!("event {n} {} does not replay: {why}", e.kind());
        }
        s.apply(e);
    }
    s.check_invariants().expect("invariants hold");
}

fn create(text: &str) -> Command {
    Command::CreateAction {
        text: text.into(),
        owner: None,
        owner_name: String::new(),
        due: None,
        source: None,
    }
}

fn created(ev: &[Event]) -> Action {
    match ev {
        [Event::ActionCreated { action }] => action.clone(),
        other => panic!("expected one action_created, got {other:?}"),
    }
}

/// A room in the results phase with one revealed vote on two plenary ideas.
fn results() -> (Room, IdeaId) {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let top = r.cafe.post(r.part, r.plenary, "Four-day week");
    r.cafe.post(r.part, r.plenary, "Walking meetings");
    r.phase(Phase::Vote);
    r.phase(Phase::Results);
    (r, top)
}

#[test]
fn a_facilitator_turns_a_top_result_into_an_action() {
    let (mut r, top) = results();
    let ev = r.cafe.ok(
        r.fac,
        Command::CreateAction {
            text: "  Pilot a four-day week  ".into(),
            owner: Some(r.part),
            owner_name: String::new(),
            due: Some("2027-03-31".into()),
            source: Some(top.0),
        },
    );
    let a = created(&ev);
    assert_eq!(a.text, "Pilot a four-day week");
    assert_eq!(a.owner, Some(r.part));
    assert_eq!(a.due.as_deref(), Some("2027-03-31"));
    assert_eq!(a.status, ActionStatus::Open);
    assert_eq!(a.source, Some(top.0));
    assert_eq!(r.cafe.state.actions.get(&a.id).map(Box::as_ref), Some(&a));
    // Public: every audience holds it whole.
    assert_eq!(
        r.cafe.state.view(Audience::Public).actions,
        r.cafe.state.actions
    );

    // A free-text owner, then edited to nobody and a new date.
    let b = created(&r.cafe.ok(
        r.org,
        Command::CreateAction {
            text: "Newsletter piece".into(),
            owner: None,
            owner_name: " Comms team ".into(),
            due: None,
            source: None,
        },
    ));
    assert_eq!(b.owner_name, "Comms team");
    r.cafe.ok(
        r.fac,
        Command::EditAction {
            action: b.id,
            text: "Newsletter piece, with photos".into(),
            owner: Some(r.other),
            owner_name: String::new(),
            due: Some("2027-01-15".into()),
        },
    );
    let b2 = &r.cafe.state.actions[&b.id];
    assert_eq!(
        (
            b2.text.as_str(),
            b2.owner,
            b2.owner_name.as_str(),
            b2.due.as_deref()
        ),
        (
            "Newsletter piece, with photos",
            Some(r.other),
            "",
            Some("2027-01-15")
        )
    );
    assert!(b2.updated_at.is_some());
    // The same values again change nothing.
    r.cafe.noop(
        r.fac,
        Command::EditAction {
            action: b.id,
            text: "Newsletter piece, with photos".into(),
            owner: Some(r.other),
            owner_name: String::new(),
            due: Some("2027-01-15".into()),
        },
    );
    r.cafe.ok(r.fac, Command::DeleteAction { action: b.id });
    assert!(!r.cafe.state.actions.contains_key(&b.id));
    assert_log_replays(&r.cafe.log);
}

#[test]
fn actions_belong_to_the_results_and_to_the_closed_cafe() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    r.cafe
        .rejects(r.fac, create("Too early"), ErrorCode::NotAllowedInPhase);
    r.phase(Phase::Results);
    let a = created(&r.cafe.ok(r.fac, create("Follow up")));
    r.phase(Phase::Closed);
    // Closed: the follow-up goes on (other commands stay refused).
    r.cafe.ok(
        r.fac,
        Command::SetActionStatus {
            action: a.id,
            status: ActionStatus::Done,
        },
    );
    r.cafe.ok(r.fac, create("After the café"));
    r.cafe
        .rejects(r.fac, Command::RaiseHand, ErrorCode::NotAllowedInPhase);
    assert_eq!(r.cafe.state.actions[&a.id].status, ActionStatus::Done);
    assert_log_replays(&r.cafe.log);
}

#[test]
fn participants_see_actions_and_owners_set_their_own_status() {
    let (mut r, _) = results();
    r.cafe.rejects(r.part, create("Mine"), ErrorCode::Forbidden);
    let mine = created(&r.cafe.ok(
        r.fac,
        Command::CreateAction {
            text: "Ask HR".into(),
            owner: Some(r.part),
            owner_name: String::new(),
            due: None,
            source: None,
        },
    ));
    let theirs = created(&r.cafe.ok(r.fac, create("Someone else's")));
    assert_eq!(r.cafe.state.may_set_action_status(r.part, mine.id), Ok(()));
    r.cafe.ok(
        r.part,
        Command::SetActionStatus {
            action: mine.id,
            status: ActionStatus::InProgress,
        },
    );
    assert_eq!(
        r.cafe.state.actions[&mine.id].status,
        ActionStatus::InProgress
    );
    r.cafe.noop(
        r.part,
        Command::SetActionStatus {
            action: mine.id,
            status: ActionStatus::InProgress,
        },
    );
    // Not their action; not the text; not deleting.
    r.cafe.rejects(
        r.part,
        Command::SetActionStatus {
            action: theirs.id,
            status: ActionStatus::Done,
        },
        ErrorCode::Forbidden,
    );
    r.cafe.rejects(
        r.part,
        Command::EditAction {
            action: mine.id,
            text: "Changed".into(),
            owner: Some(r.part),
            owner_name: String::new(),
            due: None,
        },
        ErrorCode::Forbidden,
    );
    r.cafe.rejects(
        r.part,
        Command::DeleteAction { action: mine.id },
        ErrorCode::Forbidden,
    );
    // The owner may still mark it done once the café closed.
    r.phase(Phase::Closed);
    r.cafe.ok(
        r.part,
        Command::SetActionStatus {
            action: mine.id,
            status: ActionStatus::Done,
        },
    );
    assert_log_replays(&r.cafe.log);
}

#[test]
fn bad_actions_get_typed_errors() {
    let (mut r, top) = results();
    let with = |text: &str, owner: Option<PersonId>, name: &str, due: Option<&str>, source| {
        Command::CreateAction {
            text: text.into(),
            owner,
            owner_name: name.into(),
            due: due.map(Into::into),
            source,
        }
    };
    let fac = r.fac;
    r.cafe
        .rejects(fac, with("  ", None, "", None, None), ErrorCode::TooShort);
    r.cafe.rejects(
        fac,
        with(
            &"x".repeat(limits::ACTION_TEXT_MAX + 1),
            None,
            "",
            None,
            None,
        ),
        ErrorCode::TooLong,
    );
    r.cafe.rejects(
        fac,
        with("a", Some(r.part), "Also a name", None, None),
        ErrorCode::Invalid,
    );
    r.cafe.rejects(
        fac,
        with("a", Some(PersonId(9999)), "", None, None),
        ErrorCode::NotFound,
    );
    for bad in ["31/12/2026", "2026-02-30", "tomorrow"] {
        r.cafe.rejects(
            fac,
            with("a", None, "", Some(bad), None),
            ErrorCode::Invalid,
        );
    }
    r.cafe.rejects(
        fac,
        with("a", None, "", None, Some(99_999)),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        fac,
        Command::SetActionStatus {
            action: ActionId(99_999),
            status: ActionStatus::Done,
        },
        ErrorCode::NotFound,
    );
    // An empty due date is no due date.
    let a = created(&r.cafe.ok(fac, with("a", None, "", Some(""), Some(top.0))));
    assert_eq!(a.due, None);
    for n in 1..limits::ACTIONS_PER_CAFE_MAX {
        r.cafe.ok(fac, create(&format!("action {n}")));
    }
    r.cafe
        .rejects(fac, create("one too many"), ErrorCode::LimitReached);
}

#[test]
fn a_removed_owner_keeps_the_action_and_imports_renumber_it() {
    let (mut r, top) = results();
    let a = created(&r.cafe.ok(
        r.fac,
        Command::CreateAction {
            text: "Keep going".into(),
            owner: Some(r.other),
            owner_name: String::new(),
            due: None,
            source: Some(top.0),
        },
    ));
    r.cafe.ok(r.org, Command::RemovePerson { person: r.other });
    // Editing the text keeps the (removed) owner.
    r.cafe.ok(
        r.fac,
        Command::EditAction {
            action: a.id,
            text: "Keep going, together".into(),
            owner: Some(r.other),
            owner_name: String::new(),
            due: None,
        },
    );
    assert_log_replays(&r.cafe.log);
    // The renumbering of a log maps the action, its owner and its source.
    let mut ren = Renumber::new();
    let mut log = r.cafe.log.clone();
    for e in &mut log {
        ren.event(e).expect("renumbers");
    }
    assert_eq!(log, r.cafe.log, "a log the rules wrote renumbers to itself");
}

// ----- auto-advance -----

fn auto(planned_rounds: u32) -> Settings {
    Settings {
        auto_advance: true,
        planned_rounds,
        ..Settings::default()
    }
}

/// Starts a timed round and lets its timer run out; returns what the expiry decided.
fn round_then_expire(r: &mut Room) -> Vec<Event> {
    let ends_at = match r.cafe.state.timer {
        Timer::Running { ends_at, .. } => ends_at,
        other => panic!("no timer running: {other:?}"),
    };
    r.cafe.now = ends_at + 120;
    r.cafe
        .sys(SystemCommand::ExpireTimer { ends_at })
        .expect("expiry is decided")
}

fn timed_round(r: &mut Room) {
    let org = r.org;
    r.cafe.ok(
        org,
        Command::StartRound {
            prompt: "What should change?".into(),
            duration_secs: 600,
            assignment: Assignment::Keep,
        },
    );
}

#[test]
fn auto_advance_starts_the_next_round_then_moves_to_grouping() {
    let mut r = Room::with_settings(auto(3));
    r.phase(Phase::Ideate);
    timed_round(&mut r); // round 2 of 3
    let before = r.cafe.state.clone();
    let ev = round_then_expire(&mut r);
    assert!(matches!(
        ev[0],
        Event::TimerChanged {
            cause: TimerCause::Ended,
            ..
        }
    ));
    let Event::RoundStarted { round } = &ev[1] else {
        panic!("expected the next round, got {ev:?}");
    };
    assert_eq!(round.number, 3);
    assert_eq!(round.prompt, "What should change?");
    assert_eq!(round.duration_secs, 600);
    assert!(matches!(
        ev[2],
        Event::TimerChanged {
            cause: TimerCause::Started,
            timer: Timer::Running { .. }
        }
    ));
    check_shuffle(&before, &r.cafe.state);
    assert_eq!(r.cafe.state.phase, Phase::Ideate);

    // The last planned round's end moves the café to grouping, the timer stopped.
    let ev = round_then_expire(&mut r);
    assert_eq!(
        ev.iter().map(Event::kind).collect::<Vec<_>>(),
        ["timer_changed", "timer_changed", "phase_changed"]
    );
    assert_eq!(r.cafe.state.phase, Phase::Group);
    assert_eq!(r.cafe.state.timer, Timer::Idle);
    assert_log_replays(&r.cafe.log);
}

#[test]
fn auto_advance_follows_the_phases_and_never_closes() {
    let mut r = Room::with_settings(auto(0));
    r.phase(Phase::Ideate);
    r.cafe.post(r.part, r.plenary, "An idea to vote on");
    r.phase(Phase::Group);
    let org = r.org;
    r.cafe.ok(org, Command::StartTimer { duration_secs: 60 });
    round_then_expire(&mut r);
    assert_eq!(r.cafe.state.phase, Phase::Vote);
    assert_eq!(
        r.cafe.state.open_votes().count(),
        1,
        "the vote phase opened its vote"
    );
    r.cafe.ok(org, Command::StartTimer { duration_secs: 60 });
    round_then_expire(&mut r);
    assert_eq!(r.cafe.state.phase, Phase::Results);
    assert!(r.cafe.state.votes.values().all(|v| v.revealed));
    r.cafe.ok(org, Command::StartTimer { duration_secs: 60 });
    let ev = round_then_expire(&mut r);
    assert_eq!(ev.len(), 1, "results never close by themselves: {ev:?}");
    assert_eq!(r.cafe.state.phase, Phase::Results);
    assert_log_replays(&r.cafe.log);
}

#[test]
fn without_the_setting_a_timer_only_ends() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    timed_round(&mut r);
    let ev = round_then_expire(&mut r);
    assert_eq!(ev.len(), 1);
    assert!(matches!(r.cafe.state.timer, Timer::Ended { .. }));
    assert_eq!(r.cafe.state.rounds.len(), 2);
    // A plan beyond the round limit is refused.
    let s = Settings {
        planned_rounds: limits::ROUNDS_PER_CAFE_MAX + 1,
        ..Settings::default()
    };
    let org = r.org;
    r.cafe.rejects(
        org,
        Command::UpdateCafe {
            title: None,
            description: None,
            mode: None,
            language: None,
            settings: Some(s),
        },
        ErrorCode::Invalid,
    );
}

#[test]
fn settings_without_the_new_fields_read_as_off() {
    let json = r#"{"anonymous":false,"moderation":false,"default_budget":5,"default_per_item_cap":3,"default_visibility":"hidden"}"#;
    let s: Settings = serde_json::from_str(json).expect("old settings load");
    assert!(!s.auto_advance);
    assert_eq!(s.planned_rounds, 0);
    // Written back unchanged but for `cluster_creators`, which is always written (such cafés
    // read as `everyone`, see `Settings::cluster_creators`).
    let back = json.replace('}', r#","cluster_creators":"everyone"}"#);
    assert_eq!(serde_json::to_string(&s).expect("serializes"), back);
}

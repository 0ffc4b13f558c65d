//! Rules for the café itself, people, phases, the timer and the system commands.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

fn update_title(title: &str) -> Command {
    Command::UpdateCafe {
        title: Some(title.into()),
        description: None,
        mode: None,
        language: None,
        settings: None,
    }
}

fn update_settings(settings: Settings) -> Command {
    Command::UpdateCafe {
        title: None,
        description: None,
        mode: None,
        language: None,
        settings: Some(settings),
    }
}

// ----- system commands -----

#[test]
fn create_cafe_makes_plenary_and_organiser() {
    let c = Cafe::new();
    let info = c.state.info.as_ref().expect("created");
    assert_eq!(info.title, "Futures of work");
    assert_eq!(info.created_at, T0);
    assert_eq!(c.state.phase, Phase::Lobby);
    let plenary = &c.state.boards[&c.plenary()];
    assert_eq!(plenary.table, None);
    assert_eq!(c.person(c.org).role, Role::Organiser);
    assert_eq!(c.person(c.org).location, Location::Room);
    c.assert_replays();
}

#[test]
fn create_cafe_rejections() {
    let mut c = Cafe::new();
    assert_eq!(
        c.sys(create_cafe(Settings::default())).unwrap_err().code,
        ErrorCode::Conflict
    );
    let fresh = CafeState::default();
    let with = |f: &dyn Fn(&mut SystemCommand)| {
        let mut cmd = create_cafe(Settings::default());
        f(&mut cmd);
        fresh.decide_system(T0, &cmd).unwrap_err().code
    };
    let set_title = |t: String| {
        move |cmd: &mut SystemCommand| {
            if let SystemCommand::CreateCafe { title, .. } = cmd {
                *title = t.clone();
            }
        }
    };
    assert_eq!(with(&set_title("  ".into())), ErrorCode::TooShort);
    assert_eq!(
        with(&set_title("x".repeat(limits::CAFE_TITLE_MAX + 1))),
        ErrorCode::TooLong
    );
    assert_eq!(with(&set_title("a\u{7}b".into())), ErrorCode::Invalid);
    assert_eq!(
        with(&|cmd| {
            if let SystemCommand::CreateCafe { description, .. } = cmd {
                *description = "d".repeat(limits::CAFE_DESCRIPTION_MAX + 1);
            }
        }),
        ErrorCode::TooLong
    );
    assert_eq!(
        with(&|cmd| {
            if let SystemCommand::CreateCafe { organiser_name, .. } = cmd {
                *organiser_name = String::new();
            }
        }),
        ErrorCode::TooShort
    );
    assert_eq!(
        with(&|cmd| {
            if let SystemCommand::CreateCafe { settings, .. } = cmd {
                settings.default_budget = 0;
            }
        }),
        ErrorCode::Invalid
    );
    assert_eq!(
        with(&|cmd| {
            if let SystemCommand::CreateCafe { settings, .. } = cmd {
                settings.default_per_item_cap = settings.default_budget + 1;
            }
        }),
        ErrorCode::Invalid
    );
}

#[test]
fn join_rules() {
    let fresh = CafeState::default();
    let join = SystemCommand::Join {
        name: "Ana".into(),
        role: Role::Participant,
        location: Location::Remote,
    };
    assert_eq!(
        fresh.decide_system(T0, &join).unwrap_err().code,
        ErrorCode::NotFound
    );
    let mut c = Cafe::new();
    let ana = c.join("  Ana ", Role::Participant, Location::Remote);
    let p = c.person(ana);
    assert_eq!(
        (p.name.as_str(), p.role, p.location),
        ("Ana", Role::Participant, Location::Remote)
    );
    assert!(!p.online && !p.removed);
    let bad = |name: &str, role| SystemCommand::Join {
        name: name.into(),
        role,
        location: Location::Room,
    };
    assert_eq!(
        c.sys(bad("Bo", Role::Organiser)).unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        c.sys(bad(" ", Role::Participant)).unwrap_err().code,
        ErrorCode::TooShort
    );
    assert_eq!(
        c.sys(bad(&"n".repeat(limits::DISPLAY_NAME_MAX + 1), Role::Host))
            .unwrap_err()
            .code,
        ErrorCode::TooLong
    );
    // Every other role may join (the server decides who gets which).
    c.join("Fac", Role::Facilitator, Location::Room);
    c.join("Host", Role::Host, Location::Room);
    c.phase(Phase::Closed);
    assert_eq!(
        c.sys(bad("Late", Role::Participant)).unwrap_err().code,
        ErrorCode::NotAllowedInPhase
    );
}

#[test]
fn presence() {
    let mut c = Cafe::new();
    let ana = c.join("Ana", Role::Participant, Location::Room);
    let on = |person, online| SystemCommand::SetPresence { person, online };
    assert_eq!(
        c.sys(on(ana, true)).unwrap(),
        vec![Event::PresenceChanged {
            person: ana,
            online: true
        }]
    );
    assert!(c.person(ana).online);
    assert!(c.sys(on(ana, true)).unwrap().is_empty());
    assert_eq!(
        c.sys(on(PersonId(999), true)).unwrap_err().code,
        ErrorCode::NotFound
    );
    let org = c.org;
    c.ok(org, Command::RemovePerson { person: ana });
    assert!(!c.person(ana).online, "removal takes a person offline");
    // A removed person's lingering connection cannot bring them back online.
    assert!(c.sys(on(ana, true)).unwrap().is_empty());
}

// ----- café settings -----

#[test]
fn update_cafe() {
    let mut r = Room::new();
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, update_title("Mine"), ErrorCode::Forbidden);
    }
    for p in [r.org, r.fac] {
        r.cafe.ok(p, update_title(" New title "));
    }
    let info = r.cafe.state.info.clone().expect("info");
    assert_eq!(info.title, "New title");
    assert_eq!(info.description, "How will we work in 2040?");
    r.cafe.ok(
        r.fac,
        Command::UpdateCafe {
            title: None,
            description: Some(String::new()),
            mode: Some(Mode::Online),
            language: Some(Language::Ar),
            settings: None,
        },
    );
    let info = r.cafe.state.info.clone().expect("info");
    assert_eq!(
        (info.description.as_str(), info.mode, info.language),
        ("", Mode::Online, Language::Ar)
    );
    r.cafe.rejects(r.org, update_title(""), ErrorCode::TooShort);
    r.cafe.rejects(
        r.org,
        update_title(&"t".repeat(limits::CAFE_TITLE_MAX + 1)),
        ErrorCode::TooLong,
    );
    r.cafe.rejects(
        r.org,
        Command::UpdateCafe {
            title: None,
            description: Some("x\u{0}".into()),
            mode: None,
            language: None,
            settings: None,
        },
        ErrorCode::Invalid,
    );
    let bad_budget = Settings {
        default_budget: limits::VOTE_BUDGET_MAX + 1,
        default_per_item_cap: 1,
        ..Settings::default()
    };
    r.cafe
        .rejects(r.org, update_settings(bad_budget), ErrorCode::Invalid);
    let bad_cap = Settings {
        default_per_item_cap: 0,
        ..Settings::default()
    };
    r.cafe
        .rejects(r.org, update_settings(bad_cap), ErrorCode::Invalid);
    // Anonymity may flip while there are no ideas...
    let anon = Settings {
        anonymous: true,
        ..Settings::default()
    };
    r.cafe.ok(r.org, update_settings(anon.clone()));
    r.cafe.ok(r.org, update_settings(Settings::default()));
    r.phase(Phase::Ideate);
    r.cafe.post(r.part, r.plenary, "idea");
    // ...but not afterwards; other settings still may.
    r.cafe
        .rejects(r.org, update_settings(anon), ErrorCode::Conflict);
    let moderated = Settings {
        moderation: true,
        ..Settings::default()
    };
    r.cafe.ok(r.org, update_settings(moderated));
    r.cafe.assert_replays();
}

// ----- people -----

#[test]
fn rename_location_ready_hands_for_every_role() {
    let mut r = Room::new();
    let me = r.everyone();
    for (i, p) in me.into_iter().enumerate() {
        r.cafe.ok(
            p,
            Command::Rename {
                name: format!("Name {i}"),
            },
        );
        assert_eq!(r.cafe.person(p).name, format!("Name {i}"));
        r.cafe.noop(
            p,
            Command::Rename {
                name: format!(" Name {i} "),
            },
        );
        r.cafe.ok(p, Command::SetReady { ready: true });
        r.cafe.noop(p, Command::SetReady { ready: true });
        r.cafe.ok(p, Command::RaiseHand);
        r.cafe.noop(p, Command::RaiseHand);
    }
    assert_eq!(r.cafe.state.hands, me.to_vec());
    r.cafe.rejects(
        r.part,
        Command::Rename { name: " ".into() },
        ErrorCode::TooShort,
    );
    r.cafe.rejects(
        r.part,
        Command::Rename {
            name: "x".repeat(limits::DISPLAY_NAME_MAX + 1),
        },
        ErrorCode::TooLong,
    );
    r.cafe.rejects(
        r.part,
        Command::Rename {
            name: "a\nb".into(),
        },
        ErrorCode::Invalid,
    );
    // Location: anyone but a seated host.
    r.cafe.ok(
        r.part,
        Command::SetLocation {
            location: Location::Remote,
        },
    );
    r.cafe.noop(
        r.part,
        Command::SetLocation {
            location: Location::Remote,
        },
    );
    r.cafe.rejects(
        r.host,
        Command::SetLocation {
            location: Location::Remote,
        },
        ErrorCode::Conflict,
    );
    r.cafe.noop(
        r.host,
        Command::SetLocation {
            location: Location::Room,
        },
    );
    // Ready is reset by a phase change.
    r.phase(Phase::Ideate);
    assert!(r.cafe.state.people.values().all(|p| !p.ready));
    // Hands: lower, call next.
    r.cafe.ok(r.fac, Command::LowerHand);
    r.cafe.noop(r.fac, Command::LowerHand);
    assert_eq!(
        r.cafe.person(r.fac).hand_raised_at,
        None,
        "lowering clears the time"
    );
    for p in [r.host, r.part, r.remote, r.other] {
        r.cafe
            .rejects(p, Command::CallNextHand, ErrorCode::Forbidden);
    }
    let called = r.cafe.ok(r.fac, Command::CallNextHand);
    assert_eq!(called, vec![Event::HandCalled { person: r.org }]);
    let called = r.cafe.ok(r.org, Command::CallNextHand);
    assert_eq!(called, vec![Event::HandCalled { person: r.host }]);
    for _ in 0..3 {
        r.cafe.ok(r.org, Command::CallNextHand);
    }
    assert!(r.cafe.state.hands.is_empty());
    assert!(r
        .cafe
        .state
        .people
        .values()
        .all(|p| p.hand_raised_at.is_none()));
    r.cafe
        .rejects(r.org, Command::CallNextHand, ErrorCode::Conflict);
    r.cafe.assert_replays();
}

#[test]
fn hands_queue_in_order_with_time() {
    let mut r = Room::new();
    r.cafe.now = T0 + 5_000;
    r.cafe.ok(r.remote, Command::RaiseHand);
    r.cafe.now = T0 + 9_000;
    r.cafe.ok(r.part, Command::RaiseHand);
    assert_eq!(r.cafe.state.hands, vec![r.remote, r.part]);
    assert_eq!(r.cafe.person(r.remote).hand_raised_at, Some(T0 + 5_000));
    r.cafe.ok(r.remote, Command::LowerHand);
    r.cafe.ok(r.remote, Command::RaiseHand);
    assert_eq!(
        r.cafe.state.hands,
        vec![r.part, r.remote],
        "back of the queue"
    );
}

#[test]
fn remove_person() {
    let mut r = Room::new();
    let rm = |person| Command::RemovePerson { person };
    for p in [r.host, r.part, r.remote] {
        r.cafe.rejects(p, rm(r.other), ErrorCode::Forbidden);
    }
    r.cafe.rejects(r.fac, rm(r.fac), ErrorCode::Invalid);
    r.cafe.rejects(r.org, rm(r.org), ErrorCode::Invalid);
    r.cafe.rejects(r.fac, rm(r.org), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.fac, rm(PersonId(999)), ErrorCode::NotFound);
    let fac2 = r.cafe.join("Fab", Role::Facilitator, Location::Room);
    r.cafe.rejects(r.fac, rm(fac2), ErrorCode::Forbidden);
    r.cafe.ok(r.org, rm(fac2));
    // Removing a host frees the table; their raised hand goes away.
    r.cafe.ok(r.host, Command::RaiseHand);
    assert_eq!(
        r.cafe.ok(r.fac, rm(r.host)),
        vec![Event::PersonRemoved { person: r.host }]
    );
    assert_eq!(r.cafe.state.tables[&r.table].host, None);
    assert!(r.cafe.state.hands.is_empty());
    let h = r.cafe.person(r.host);
    assert!(h.removed && h.hand_raised_at.is_none());
    r.cafe.rejects(r.fac, rm(r.host), ErrorCode::NotFound);
    // A removed person can do nothing at all.
    for cmd in [
        Command::RaiseHand,
        Command::Rename { name: "x".into() },
        Command::SetReady { ready: true },
    ] {
        r.cafe.rejects(r.host, cmd, ErrorCode::Unauthorized);
    }
    r.cafe
        .rejects(PersonId(12345), Command::RaiseHand, ErrorCode::Unauthorized);
    r.cafe.assert_replays();
}

#[test]
fn set_role() {
    let mut r = Room::new();
    let set = |person, role| Command::SetRole { person, role };
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, set(r.other, Role::Host), ErrorCode::Forbidden);
    }
    // Facilitators handle hosts and participants.
    r.cafe.ok(r.fac, set(r.other, Role::Host));
    assert_eq!(r.cafe.person(r.other).role, Role::Host);
    r.cafe.noop(r.fac, set(r.other, Role::Host));
    r.cafe.ok(r.fac, set(r.other, Role::Participant));
    // Only the organiser makes or unmakes facilitators.
    r.cafe
        .rejects(r.fac, set(r.other, Role::Facilitator), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.fac, set(r.fac, Role::Participant), ErrorCode::Forbidden);
    r.cafe.ok(r.org, set(r.other, Role::Facilitator));
    r.cafe.ok(r.org, set(r.other, Role::Participant));
    // Nobody moves the organiser role.
    r.cafe
        .rejects(r.org, set(r.other, Role::Organiser), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.org, set(r.org, Role::Participant), ErrorCode::Forbidden);
    r.cafe
        .rejects(r.org, set(PersonId(999), Role::Host), ErrorCode::NotFound);
    // Demoting a seated host frees the table in the same decision.
    let events = r.cafe.ok(r.fac, set(r.host, Role::Participant));
    assert_eq!(
        events,
        vec![
            Event::TableHostSet {
                table: r.table,
                host: None
            },
            Event::RoleChanged {
                person: r.host,
                role: Role::Participant
            }
        ]
    );
    assert_eq!(r.cafe.state.tables[&r.table].host, None);
    r.cafe.assert_replays();
}

// ----- phases -----

#[test]
fn set_phase_every_transition() {
    let mut r = Room::new();
    for p in [r.host, r.part, r.remote] {
        r.cafe.rejects(
            p,
            Command::SetPhase {
                phase: Phase::Ideate,
            },
            ErrorCode::Forbidden,
        );
    }
    for from in Phase::ALL {
        for to in Phase::ALL {
            r.phase(from);
            if from == to {
                r.cafe.noop(r.fac, Command::SetPhase { phase: to });
            } else {
                assert_eq!(
                    r.cafe.ok(r.fac, Command::SetPhase { phase: to }),
                    vec![Event::PhaseChanged { phase: to }]
                );
            }
        }
    }
}

#[test]
fn closed_cafe_refuses_everything_but_reopening() {
    let mut r = Room::new();
    r.phase(Phase::Closed);
    let cmds = [
        update_title("x"),
        Command::Rename { name: "x".into() },
        Command::SetLocation {
            location: Location::Remote,
        },
        Command::SetReady { ready: true },
        Command::RaiseHand,
        Command::LowerHand,
        Command::CallNextHand,
        Command::RemovePerson { person: r.other },
        Command::SetRole {
            person: r.other,
            role: Role::Host,
        },
        Command::StartTimer { duration_secs: 60 },
        Command::PauseTimer,
        Command::ResumeTimer,
        Command::ExtendTimer { secs: 60 },
        Command::StopTimer,
        Command::CreateTable {
            name: "T".into(),
            kind: TableKind::InRoom,
        },
        Command::RenameTable {
            table: r.table,
            name: "T".into(),
        },
        Command::SetTableHost {
            table: r.table,
            person: None,
        },
        Command::SetTableHeadcount {
            table: r.table,
            headcount: 3,
        },
        Command::StartRound {
            prompt: String::new(),
            duration_secs: 0,
            assignment: Assignment::Keep,
        },
        Command::AssignTable {
            person: r.other,
            table: r.table,
        },
        Command::PostIdea {
            board: r.plenary,
            text: "x".into(),
            category: None,
        },
        Command::LockBoard {
            board: r.plenary,
            locked: true,
        },
        Command::SetBoardColumns {
            board: r.plenary,
            columns: vec![],
        },
        Command::CreateCluster {
            board: r.plenary,
            title: "c".into(),
            ideas: vec![],
        },
        Command::OpenVote {
            scope: VoteScope::board(r.plenary),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 1,
            visibility: VoteVisibility::Live,
            title: None,
        },
    ];
    for cmd in cmds {
        for p in r.everyone() {
            r.cafe.rejects(p, cmd.clone(), ErrorCode::NotAllowedInPhase);
        }
    }
    r.cafe.rejects(
        r.part,
        Command::SetPhase {
            phase: Phase::Ideate,
        },
        ErrorCode::Forbidden,
    );
    r.cafe.ok(
        r.fac,
        Command::SetPhase {
            phase: Phase::Results,
        },
    );
    r.cafe.ok(r.part, Command::RaiseHand);
}

// ----- timer -----

fn running(ends_at: Millis, duration_ms: i64) -> Timer {
    Timer::Running {
        ends_at,
        duration_ms,
    }
}

#[test]
fn timer_permissions_and_bounds() {
    let mut r = Room::new();
    for p in [r.host, r.part, r.remote] {
        for cmd in [
            Command::StartTimer { duration_secs: 60 },
            Command::PauseTimer,
            Command::ResumeTimer,
            Command::ExtendTimer { secs: 60 },
            Command::StopTimer,
        ] {
            r.cafe.rejects(p, cmd, ErrorCode::Forbidden);
        }
    }
    let start = |s| Command::StartTimer { duration_secs: s };
    r.cafe
        .rejects(r.fac, start(limits::TIMER_MIN_SECS - 1), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, start(limits::TIMER_MAX_SECS + 1), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, Command::PauseTimer, ErrorCode::Conflict);
    r.cafe
        .rejects(r.fac, Command::ResumeTimer, ErrorCode::Conflict);
    r.cafe.rejects(
        r.fac,
        Command::ExtendTimer { secs: 60 },
        ErrorCode::Conflict,
    );
    r.cafe.noop(r.fac, Command::StopTimer);
    r.cafe.ok(r.fac, start(limits::TIMER_MIN_SECS));
    r.cafe.ok(r.org, start(limits::TIMER_MAX_SECS));
    r.cafe
        .rejects(r.org, Command::ExtendTimer { secs: 0 }, ErrorCode::Invalid);
    // Already at the maximum: any extension would exceed it.
    r.cafe
        .rejects(r.org, Command::ExtendTimer { secs: 1 }, ErrorCode::Invalid);
    r.cafe.rejects(
        r.org,
        Command::ExtendTimer {
            secs: limits::TIMER_MAX_SECS + 1,
        },
        ErrorCode::Invalid,
    );
}

#[test]
fn timer_arithmetic() {
    let mut r = Room::new();
    let f = r.fac;
    let at = |r: &mut Room, t: Millis| r.cafe.now = T0 + t;
    at(&mut r, 0);
    let ev = r.cafe.ok(f, Command::StartTimer { duration_secs: 300 });
    assert_eq!(
        ev,
        vec![Event::TimerChanged {
            timer: running(T0 + 300_000, 300_000),
            cause: TimerCause::Started
        }]
    );
    assert_eq!(r.cafe.state.timer.remaining_ms(T0 + 100_000), 200_000);
    // Pause after 100 s: 200 s remain.
    at(&mut r, 100_000);
    r.cafe.ok(f, Command::PauseTimer);
    assert_eq!(
        r.cafe.state.timer,
        Timer::Paused {
            remaining_ms: 200_000,
            duration_ms: 300_000
        }
    );
    assert_eq!(r.cafe.state.timer.remaining_ms(T0 + 999_999), 200_000);
    r.cafe.rejects(f, Command::PauseTimer, ErrorCode::Conflict);
    // Extending a paused timer adds to what remains and to the duration.
    r.cafe.ok(f, Command::ExtendTimer { secs: 60 });
    assert_eq!(
        r.cafe.state.timer,
        Timer::Paused {
            remaining_ms: 260_000,
            duration_ms: 360_000
        }
    );
    // Resume 50 s later: ends 260 s after resuming.
    at(&mut r, 150_000);
    let ev = r.cafe.ok(f, Command::ResumeTimer);
    assert_eq!(
        ev,
        vec![Event::TimerChanged {
            timer: running(T0 + 410_000, 360_000),
            cause: TimerCause::Resumed
        }]
    );
    r.cafe.rejects(f, Command::ResumeTimer, ErrorCode::Conflict);
    // Extending a running timer moves its end.
    at(&mut r, 200_000);
    r.cafe.ok(f, Command::ExtendTimer { secs: 30 });
    assert_eq!(r.cafe.state.timer, running(T0 + 440_000, 390_000));
    // Expiry: only for the current end, and not before it.
    let expire = |e| SystemCommand::ExpireTimer { ends_at: e };
    at(&mut r, 439_999);
    assert!(r.cafe.sys(expire(T0 + 440_000)).unwrap().is_empty());
    at(&mut r, 441_000);
    assert!(
        r.cafe.sys(expire(T0 + 410_000)).unwrap().is_empty(),
        "stale"
    );
    // Past the end but not yet expired: pausing is refused, extending counts from now.
    r.cafe.rejects(f, Command::PauseTimer, ErrorCode::Conflict);
    let ev = r.cafe.sys(expire(T0 + 440_000)).unwrap();
    assert_eq!(
        ev,
        vec![Event::TimerChanged {
            timer: Timer::Ended {
                ended_at: T0 + 440_000,
                duration_ms: 390_000
            },
            cause: TimerCause::Ended
        }]
    );
    assert!(r.cafe.sys(expire(T0 + 440_000)).unwrap().is_empty(), "once");
    assert_eq!(r.cafe.state.timer.remaining_ms(T0 + 441_000), 0);
    // Extending an ended timer restarts it from now.
    at(&mut r, 500_000);
    r.cafe.ok(f, Command::ExtendTimer { secs: 10 });
    assert_eq!(r.cafe.state.timer, running(T0 + 510_000, 400_000));
    // Extending an overdue running timer counts from now, not from the past end.
    at(&mut r, 520_000);
    r.cafe.ok(f, Command::ExtendTimer { secs: 10 });
    assert_eq!(r.cafe.state.timer, running(T0 + 530_000, 410_000));
    // Stop.
    let ev = r.cafe.ok(f, Command::StopTimer);
    assert_eq!(
        ev,
        vec![Event::TimerChanged {
            timer: Timer::Idle,
            cause: TimerCause::Stopped
        }]
    );
    assert!(r.cafe.sys(expire(T0 + 530_000)).unwrap().is_empty());
    // Restarting replaces a running timer.
    r.cafe.ok(f, Command::StartTimer { duration_secs: 10 });
    at(&mut r, 525_000);
    r.cafe.ok(f, Command::StartTimer { duration_secs: 20 });
    assert_eq!(r.cafe.state.timer, running(T0 + 545_000, 20_000));
    r.cafe.assert_replays();
}

#[test]
fn extend_respects_the_maximum() {
    let mut r = Room::new();
    let max = limits::TIMER_MAX_SECS;
    r.cafe.ok(
        r.fac,
        Command::StartTimer {
            duration_secs: max - 10,
        },
    );
    r.cafe
        .rejects(r.fac, Command::ExtendTimer { secs: 11 }, ErrorCode::Invalid);
    r.cafe.ok(r.fac, Command::ExtendTimer { secs: 10 });
    r.cafe.ok(r.fac, Command::PauseTimer);
    r.cafe
        .rejects(r.fac, Command::ExtendTimer { secs: 1 }, ErrorCode::Invalid);
}

/// Every facilitator-only command, for every role in every open phase: hosts and
/// participants get `forbidden` whatever the phase; the organiser and facilitators never do.
#[test]
fn facilitator_commands_by_role_in_every_phase() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let idea = r.cafe.post(r.part, r.plenary, "idea");
    r.phase(Phase::Vote);
    let vote = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 1, VoteVisibility::Hidden);
    let commands = [
        update_title("x"),
        Command::CallNextHand,
        Command::RemovePerson { person: r.other },
        Command::SetRole {
            person: r.other,
            role: Role::Host,
        },
        Command::SetPhase {
            phase: Phase::Results,
        },
        Command::StartTimer { duration_secs: 60 },
        Command::PauseTimer,
        Command::ResumeTimer,
        Command::ExtendTimer { secs: 60 },
        Command::StopTimer,
        Command::CreateTable {
            name: "T".into(),
            kind: TableKind::InRoom,
        },
        Command::RenameTable {
            table: r.table,
            name: "T".into(),
        },
        Command::SetTableHost {
            table: r.table2,
            person: Some(r.other),
        },
        Command::StartRound {
            prompt: String::new(),
            duration_secs: 0,
            assignment: Assignment::Keep,
        },
        Command::AssignTable {
            person: r.other,
            table: r.table,
        },
        Command::HideIdea { idea, hidden: true },
        Command::LockBoard {
            board: r.plenary,
            locked: true,
        },
        Command::SetBoardColumns {
            board: r.plenary,
            columns: vec!["A".into()],
        },
        Command::OpenVote {
            scope: VoteScope::board(r.board),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 1,
            visibility: VoteVisibility::Live,
            title: None,
        },
        Command::CloseVote { vote },
        Command::RevealVote { vote },
    ];
    for phase in [
        Phase::Lobby,
        Phase::Ideate,
        Phase::Group,
        Phase::Vote,
        Phase::Results,
    ] {
        r.phase(phase);
        for cmd in &commands {
            for p in [r.host, r.part, r.remote, r.other] {
                r.cafe.rejects(p, cmd.clone(), ErrorCode::Forbidden);
            }
            for p in [r.org, r.fac] {
                let ctx = Ctx {
                    actor: p,
                    now: r.cafe.now,
                    seed: 1,
                };
                if let Err(e) = r.cafe.state.decide(&ctx, cmd) {
                    assert_ne!(e.code, ErrorCode::Forbidden, "{cmd:?} by {p} in {phase:?}");
                }
            }
        }
    }
}

/// Commands about oneself work for every role in every open phase.
#[test]
fn personal_commands_for_every_role_in_every_phase() {
    let mut r = Room::new();
    for phase in [
        Phase::Lobby,
        Phase::Ideate,
        Phase::Group,
        Phase::Vote,
        Phase::Results,
    ] {
        r.phase(phase);
        for (i, p) in r.everyone().into_iter().enumerate() {
            r.cafe.ok(
                p,
                Command::Rename {
                    name: format!("{phase:?} {i}"),
                },
            );
            r.cafe.ok(p, Command::SetReady { ready: true });
            r.cafe.ok(p, Command::RaiseHand);
            r.cafe.ok(p, Command::LowerHand);
            if p != r.host {
                r.cafe.ok(
                    p,
                    Command::SetLocation {
                        location: Location::Remote,
                    },
                );
                r.cafe.ok(
                    p,
                    Command::SetLocation {
                        location: Location::Room,
                    },
                );
            }
        }
    }
    r.cafe.assert_replays();
}

#[test]
fn people_limit_counts_everyone() {
    let mut c = Cafe::new();
    // The organiser is the first of them.
    for i in 1..limits::PEOPLE_PER_CAFE_MAX {
        c.join(&format!("p{i}"), Role::Participant, Location::Remote);
    }
    let late = SystemCommand::Join {
        name: "late".into(),
        role: Role::Participant,
        location: Location::Room,
    };
    assert_eq!(c.sys(late).unwrap_err().code, ErrorCode::LimitReached);
}

//! The one-step vote: the prepared vote opens with the vote phase, results close and reveal
//! it, a phase change stops the timer, "N of M have voted", and votes over several boards.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

/// A room ideating, with two plenary ideas and one idea at Table 1.
fn ideas() -> (Room, Vec<IdeaId>) {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let ideas = vec![
        r.cafe.post(r.part, r.plenary, "plenary one"),
        r.cafe.post(r.remote, r.plenary, "plenary two"),
        r.cafe.post(r.part, r.board, "table one"),
    ];
    (r, ideas)
}

fn draft(scope: VoteScope, budget: u32, cap: u32) -> VoteDraft {
    VoteDraft {
        scope,
        target: VoteTarget::Ideas,
        budget,
        per_item_cap: cap,
        visibility: VoteVisibility::Hidden,
        title: None,
    }
}

/// Every event of the log is one the rules could have written, in order (as an import
/// checks it).
#[track_caller]
fn assert_log_replays(log: &[Event]) {
    let mut s = CafeState::default();
    for (n, e) in log.iter().enumerate() {
        if let Err(why) = s.check_replayed(e) {
            panic!("event {n} {} does not replay: {why}", e.kind());
        }
        s.apply(e);
    }
}

#[test]
fn entering_the_vote_phase_opens_the_default_vote_on_the_plenary() {
    let (mut r, ideas) = ideas();
    assert_eq!(r.cafe.state.vote_draft_problem(), None);
    let ev = r.cafe.ok(r.fac, Command::SetPhase { phase: Phase::Vote });
    assert_eq!(ev[0], Event::PhaseChanged { phase: Phase::Vote });
    let Event::VoteOpened { vote } = &ev[1] else {
        panic!("expected vote_opened, got {ev:?}");
    };
    let s = Settings::default();
    assert_eq!(vote.boards, vec![r.plenary]);
    assert_eq!(vote.items, vec![ideas[0].0, ideas[1].0]);
    assert_eq!(
        (vote.budget, vote.per_item_cap, vote.visibility),
        (
            s.default_budget,
            s.default_per_item_cap,
            s.default_visibility
        )
    );
    // A participant can vote at once: no second step.
    r.cafe.ok(
        r.part,
        Command::CastDot {
            vote: vote.id,
            item: ideas[0].0,
        },
    );
    // "Open vote" is refused (and greyed out) while it is open.
    let open = Command::OpenVote {
        scope: VoteScope::Plenary,
        target: VoteTarget::Ideas,
        budget: 3,
        per_item_cap: 1,
        visibility: VoteVisibility::Live,
        title: None,
    };
    assert_eq!(
        r.cafe
            .state
            .may_open_vote(r.fac, &VoteScope::Plenary)
            .map_err(|e| e.code),
        Err(ErrorCode::Conflict)
    );
    r.cafe.rejects(r.fac, open, ErrorCode::Conflict);
    r.cafe.assert_replays();
    assert_log_replays(&r.cafe.log);
}

#[test]
fn the_prepared_vote_opens_and_every_facilitator_sees_it() {
    let (mut r, ideas) = ideas();
    let d = draft(VoteScope::All, 4, 2);
    let ev = r.cafe.ok(r.fac, Command::SetVoteDraft { draft: d.clone() });
    assert_eq!(ev, vec![Event::VoteDraftSet { draft: d.clone() }]);
    r.cafe
        .noop(r.org, Command::SetVoteDraft { draft: d.clone() });
    // Participants see it too: nothing private in a plan.
    assert_eq!(
        r.cafe
            .state
            .view(Audience::Person(r.part))
            .vote_draft
            .as_ref(),
        Some(&d)
    );
    let ev = r.cafe.ok(r.org, Command::SetPhase { phase: Phase::Vote });
    let Some(Event::VoteOpened { vote }) = ev.last() else {
        panic!("expected vote_opened, got {ev:?}");
    };
    let mut all: Vec<BoardId> = r.cafe.state.boards.keys().copied().collect();
    all.sort();
    assert_eq!(vote.boards, all);
    assert_eq!(vote.items, ideas.iter().map(|i| i.0).collect::<Vec<_>>());
    assert_eq!((vote.budget, vote.per_item_cap), (4, 2));
    assert_log_replays(&r.cafe.log);
}

#[test]
fn a_vote_on_everything_holds_a_harvested_idea_once() {
    let (mut r, ideas) = ideas();
    let ev = r.cafe.ok(r.fac, Command::HarvestIdea { idea: ideas[2] });
    let copy = posted(&ev);
    r.cafe.ok(
        r.fac,
        Command::SetVoteDraft {
            draft: draft(VoteScope::All, 3, 1),
        },
    );
    let ev = r.cafe.ok(r.org, Command::SetPhase { phase: Phase::Vote });
    let Some(Event::VoteOpened { vote }) = ev.last() else {
        panic!("expected vote_opened, got {ev:?}");
    };
    assert_eq!(vote.items, vec![ideas[0].0, ideas[1].0, copy.0]);
    // Selected boards: only Table 1's.
    r.phase(Phase::Group);
    r.cafe.ok(r.fac, Command::CloseVote { vote: vote.id });
    r.cafe.ok(
        r.fac,
        Command::SetVoteDraft {
            draft: draft(
                VoteScope::Boards {
                    boards: vec![r.board],
                },
                3,
                1,
            ),
        },
    );
    let ev = r.cafe.ok(r.org, Command::SetPhase { phase: Phase::Vote });
    let Some(Event::VoteOpened { vote }) = ev.last() else {
        panic!("expected vote_opened, got {ev:?}");
    };
    assert_eq!(vote.boards, vec![r.board]);
    assert_eq!(vote.items, vec![ideas[2].0]);
    assert_log_replays(&r.cafe.log);
}

#[test]
fn drafts_are_refused_with_typed_reasons() {
    let (mut r, _) = ideas();
    let cases = [
        (
            r.part,
            draft(VoteScope::Plenary, 3, 1),
            ErrorCode::Forbidden,
        ),
        (r.fac, draft(VoteScope::Plenary, 0, 1), ErrorCode::Invalid),
        (r.fac, draft(VoteScope::Plenary, 3, 4), ErrorCode::Invalid),
        (
            r.fac,
            draft(VoteScope::Boards { boards: vec![] }, 3, 1),
            ErrorCode::Invalid,
        ),
        (
            r.fac,
            draft(VoteScope::board(BoardId(999)), 3, 1),
            ErrorCode::NotFound,
        ),
    ];
    for (who, d, code) in cases {
        r.cafe
            .rejects(who, Command::SetVoteDraft { draft: d }, code);
    }
    assert_eq!(r.cafe.state.vote_draft, None);
}

#[test]
fn nothing_to_vote_on_enters_the_phase_without_a_ballot_and_says_why() {
    let mut r = Room::new();
    let problem = r.cafe.state.vote_draft_problem().map(|p| p.code);
    assert_eq!(problem, Some(ErrorCode::Conflict));
    let ev = r.cafe.ok(r.fac, Command::SetPhase { phase: Phase::Vote });
    assert_eq!(ev.last(), Some(&Event::PhaseChanged { phase: Phase::Vote }));
    assert!(r.cafe.state.votes.is_empty());
}

#[test]
fn going_back_to_the_vote_phase_resumes_the_open_vote() {
    let (mut r, _) = ideas();
    r.phase(Phase::Vote);
    r.phase(Phase::Group);
    assert!(r.cafe.state.vote_draft_problem().is_some());
    let ev = r.cafe.ok(r.fac, Command::SetPhase { phase: Phase::Vote });
    assert_eq!(ev, vec![Event::PhaseChanged { phase: Phase::Vote }]);
    assert_eq!(r.cafe.state.votes.len(), 1);
}

#[test]
fn results_close_and_reveal_the_vote_in_the_same_decision() {
    let (mut r, ideas) = ideas();
    r.phase(Phase::Vote);
    let v = *r.cafe.state.votes.keys().next().expect("a vote");
    for who in [r.part, r.remote] {
        r.cafe.ok(
            who,
            Command::CastDot {
                vote: v,
                item: ideas[1].0,
            },
        );
    }
    let ev = r.cafe.ok(
        r.fac,
        Command::SetPhase {
            phase: Phase::Results,
        },
    );
    assert_eq!(ev[0], Event::VoteClosed { vote: v });
    assert!(matches!(&ev[1], Event::VoteRevealed { vote, .. } if *vote == v));
    assert_eq!(
        ev[2],
        Event::PhaseChanged {
            phase: Phase::Results
        }
    );
    let public = r.cafe.state.view(Audience::Public);
    assert_eq!(public.votes[&v].totals.get(&ideas[1].0), Some(&2));
    assert_eq!(public.ranking(v)[0].item, ideas[1].0);
    // Closing afterwards changes nothing more about the vote.
    let ev = r.cafe.ok(
        r.fac,
        Command::SetPhase {
            phase: Phase::Closed,
        },
    );
    assert_eq!(
        ev,
        vec![Event::PhaseChanged {
            phase: Phase::Closed
        }]
    );
    assert_log_replays(&r.cafe.log);
}

#[test]
fn closing_straight_from_the_vote_reveals_it_too() {
    let (mut r, _) = ideas();
    r.phase(Phase::Vote);
    r.phase(Phase::Closed);
    assert!(r
        .cafe
        .state
        .votes
        .values()
        .all(|v| v.revealed && v.status == VoteStatus::Closed));
    assert_log_replays(&r.cafe.log);
}

#[test]
fn a_phase_change_stops_the_rounds_timer() {
    let (mut r, _) = ideas();
    r.cafe.ok(r.fac, Command::StartTimer { duration_secs: 300 });
    let ev = r.cafe.ok(
        r.fac,
        Command::SetPhase {
            phase: Phase::Group,
        },
    );
    assert_eq!(
        ev[0],
        Event::TimerChanged {
            timer: Timer::Idle,
            cause: TimerCause::Stopped,
        }
    );
    assert_eq!(r.cafe.state.timer, Timer::Idle);
    // Also when closing: the projector must not count down in a closed café.
    r.cafe.ok(r.fac, Command::StartTimer { duration_secs: 60 });
    r.cafe.ok(
        r.fac,
        Command::SetPhase {
            phase: Phase::Closed,
        },
    );
    assert_eq!(r.cafe.state.timer, Timer::Idle);
    assert_log_replays(&r.cafe.log);
}

#[test]
fn an_old_log_with_a_bare_phase_change_still_imports() {
    // Before phase changes stopped timers, a log could move on with the timer running.
    let (mut r, _) = ideas();
    r.cafe.ok(r.fac, Command::StartTimer { duration_secs: 300 });
    let mut log = r.cafe.log.clone();
    log.push(Event::PhaseChanged {
        phase: Phase::Group,
    });
    assert_log_replays(&log);
}

#[test]
fn n_of_m_have_voted_counts_people_not_names() {
    let (mut r, ideas) = ideas();
    for p in [r.host, r.part, r.remote, r.other, r.fac] {
        r.cafe
            .sys(SystemCommand::SetPresence {
                person: p,
                online: true,
            })
            .expect("presence");
    }
    r.phase(Phase::Vote);
    let v = *r.cafe.state.votes.keys().next().expect("a vote");
    let turnout = |s: &CafeState| s.turnout(&s.votes[&v]);
    // Four participants and hosts online; the facilitator runs the vote.
    assert_eq!(
        turnout(&r.cafe.state),
        Turnout {
            voted: 0,
            expected: 4
        }
    );
    for (who, n) in [(r.part, 2), (r.remote, 1)] {
        for _ in 0..n {
            r.cafe.ok(
                who,
                Command::CastDot {
                    vote: v,
                    item: ideas[0].0,
                },
            );
        }
    }
    let want = Turnout {
        voted: 2,
        expected: 4,
    };
    assert_eq!(turnout(&r.cafe.state), want);
    // Every audience sees the same count, and no one else's ballot.
    for a in [
        Audience::Public,
        Audience::Person(r.other),
        Audience::Person(r.part),
    ] {
        let view = r.cafe.state.view(a);
        assert_eq!(turnout(&view), want, "{a:?}");
        assert!(view.votes[&v]
            .ballots
            .keys()
            .all(|p| Audience::Person(*p) == a));
    }
    // Taking back one's last dot is not having voted.
    r.cafe.ok(
        r.remote,
        Command::RetractDot {
            vote: v,
            item: ideas[0].0,
        },
    );
    assert_eq!(turnout(&r.cafe.state).voted, 1);
    // Someone who left drops out of M; a facilitator who votes counts in N.
    r.cafe
        .sys(SystemCommand::SetPresence {
            person: r.other,
            online: false,
        })
        .expect("presence");
    r.cafe.ok(
        r.fac,
        Command::CastDot {
            vote: v,
            item: ideas[1].0,
        },
    );
    assert_eq!(
        turnout(&r.cafe.state),
        Turnout {
            voted: 2,
            expected: 3
        }
    );
}

#[test]
fn a_vote_from_before_scopes_loads_with_its_one_board() {
    let old = r#"{"id":40,"board":1,"target":"ideas","budget":5,"per_item_cap":3,
        "visibility":"hidden","status":"open","revealed":false,"items":[21],
        "opened_at":1764341000000,"dots_cast":2,"totals":{"21":2},
        "ballots":{"7":{"21":2}},"tallies":{}}"#;
    let v: Vote = serde_json::from_str(old).expect("an old vote loads");
    assert_eq!(v.boards, vec![BoardId(1)]);
    assert_eq!(v.voters, 0);
    // A snapshot of that time: no draft, the vote's one board; its view counts the voter.
    let (mut r, _) = ideas();
    r.phase(Phase::Vote);
    let mut json = serde_json::to_value(&r.cafe.state).expect("json");
    let votes = json["votes"].as_object_mut().expect("votes");
    let (_, vote) = votes.iter_mut().next().expect("a vote");
    let obj = vote.as_object_mut().expect("vote");
    let boards = obj.remove("boards").expect("boards");
    obj.insert("board".into(), boards[0].clone());
    obj.remove("voters");
    json.as_object_mut().expect("state").remove("vote_draft");
    let back: CafeState = serde_json::from_value(json).expect("an old snapshot loads");
    assert_eq!(back, r.cafe.state);
}

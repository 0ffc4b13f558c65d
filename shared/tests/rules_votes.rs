//! Dot voting: opening, budgets, caps, paper tallies, closing, revealing and ranking.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;
use std::collections::BTreeMap;

struct Voting {
    r: Room,
    ideas: Vec<IdeaId>,
}

/// A room in the vote phase with three ideas on the plenary board.
fn voting() -> Voting {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let ideas = vec![
        r.cafe.post(r.part, r.plenary, "one"),
        r.cafe.post(r.remote, r.plenary, "two"),
        r.cafe.post(r.other, r.plenary, "three"),
    ];
    r.phase(Phase::Vote);
    // Entering the vote phase opened the default vote on the plenary; these tests open
    // their own.
    let auto = r.cafe.state.open_vote_on(r.plenary).map(|v| v.id);
    if let Some(vote) = auto {
        r.cafe.ok(r.org, Command::CloseVote { vote });
    }
    Voting { r, ideas }
}

fn open(board: BoardId, budget: u32, cap: u32) -> Command {
    Command::OpenVote {
        scope: VoteScope::board(board),
        target: VoteTarget::Ideas,
        budget,
        per_item_cap: cap,
        visibility: VoteVisibility::Hidden,
        title: None,
    }
}

fn cast(vote: VoteId, item: IdeaId) -> Command {
    Command::CastDot { vote, item: item.0 }
}

fn retract(vote: VoteId, item: IdeaId) -> Command {
    Command::RetractDot { vote, item: item.0 }
}

fn tally(vote: VoteId, table: TableId, counts: &[(IdeaId, u32)]) -> Command {
    Command::EnterTally {
        vote,
        table,
        counts: counts
            .iter()
            .map(|(i, n)| ItemCount {
                item: i.0,
                dots: *n,
            })
            .collect(),
    }
}

#[test]
fn open_vote_rules() {
    let Voting { mut r, ideas } = voting();
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, open(r.plenary, 3, 1), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.fac, open(BoardId(999), 3, 1), ErrorCode::NotFound);
    r.cafe
        .rejects(r.fac, open(r.plenary, 0, 1), ErrorCode::Invalid);
    r.cafe.rejects(
        r.fac,
        open(r.plenary, limits::VOTE_BUDGET_MAX + 1, 1),
        ErrorCode::Invalid,
    );
    r.cafe
        .rejects(r.fac, open(r.plenary, 3, 0), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, open(r.plenary, 3, 4), ErrorCode::Invalid);
    r.cafe
        .rejects(r.fac, open(r.board2, 3, 1), ErrorCode::Conflict);
    for phase in [Phase::Lobby, Phase::Ideate, Phase::Group, Phase::Results] {
        r.phase(phase);
        r.cafe
            .rejects(r.fac, open(r.plenary, 3, 1), ErrorCode::NotAllowedInPhase);
    }
    r.phase(Phase::Vote);
    r.cafe.now = T0 + 3;
    let v = r.cafe.open_vote(
        r.plenary,
        VoteTarget::Ideas,
        limits::VOTE_BUDGET_MAX,
        limits::VOTE_BUDGET_MAX,
        VoteVisibility::Live,
    );
    let vote = r.cafe.vote(v);
    assert_eq!(vote.items, ideas.iter().map(|i| i.0).collect::<Vec<_>>());
    assert_eq!(vote.status, VoteStatus::Open);
    assert_eq!(vote.opened_at, T0 + 3);
    assert!(!vote.revealed);
    r.cafe
        .rejects(r.org, open(r.plenary, 3, 1), ErrorCode::Conflict);
    r.cafe.assert_replays();
}

#[test]
fn vote_on_clusters_and_skip_hidden_ideas() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let shown = r.cafe.post(r.part, r.plenary, "shown");
    let hidden = r.cafe.post(r.part, r.plenary, "hidden");
    r.cafe.ok(
        r.fac,
        Command::HideIdea {
            idea: hidden,
            hidden: true,
        },
    );
    r.phase(Phase::Group);
    let c1 = r.cafe.cluster(r.fac, r.plenary, &[shown]);
    let c2 = r.cafe.cluster(r.fac, r.plenary, &[]);
    r.phase(Phase::Vote);
    let vi = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 1, VoteVisibility::Hidden);
    assert_eq!(r.cafe.vote(vi).items, vec![shown.0]);
    r.cafe
        .rejects(r.part, cast(vi, hidden), ErrorCode::NotFound);
    r.cafe.ok(r.fac, Command::CloseVote { vote: vi });
    let vc = r.cafe.open_vote(
        r.plenary,
        VoteTarget::Clusters,
        3,
        2,
        VoteVisibility::Hidden,
    );
    assert_eq!(r.cafe.vote(vc).items, vec![c1.0, c2.0]);
    r.cafe.ok(
        r.part,
        Command::CastDot {
            vote: vc,
            item: c2.0,
        },
    );
    r.cafe.rejects(r.part, cast(vc, shown), ErrorCode::NotFound);
}

#[test]
fn budget_and_cap() {
    let Voting { mut r, ideas } = voting();
    let [a, b, c] = [ideas[0], ideas[1], ideas[2]];
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 2, VoteVisibility::Hidden);
    // Every role votes.
    for p in r.everyone() {
        r.cafe.ok(p, cast(v, a));
        r.cafe.ok(p, cast(v, a));
        r.cafe.rejects(p, cast(v, a), ErrorCode::OverCap);
        r.cafe.ok(p, cast(v, b));
        r.cafe.rejects(p, cast(v, c), ErrorCode::OverBudget);
        assert_eq!(r.cafe.vote(v).remaining_for(p), 0);
    }
    let vote = r.cafe.vote(v);
    assert_eq!(vote.dots_cast, 18);
    assert_eq!(vote.totals, BTreeMap::from([(a.0, 12), (b.0, 6)]));
    // Retracting frees budget and cap.
    r.cafe.ok(r.part, retract(v, a));
    r.cafe.ok(r.part, cast(v, c));
    r.cafe.ok(r.part, retract(v, c));
    r.cafe.ok(r.part, retract(v, b));
    r.cafe.rejects(r.part, retract(v, b), ErrorCode::NotFound);
    assert_eq!(r.cafe.vote(v).ballots[&r.part], BTreeMap::from([(a.0, 1)]));
    r.cafe.ok(r.part, retract(v, a));
    assert!(!r.cafe.vote(v).ballots.contains_key(&r.part));
    // Unknown items and votes.
    r.cafe
        .rejects(r.part, cast(v, IdeaId(999)), ErrorCode::NotFound);
    r.cafe
        .rejects(r.part, cast(VoteId(999), a), ErrorCode::NotFound);
    r.cafe
        .rejects(r.part, retract(VoteId(999), a), ErrorCode::NotFound);
    // Outside the vote phase the open vote takes no dots (results would close it).
    for phase in [Phase::Lobby, Phase::Ideate, Phase::Group] {
        r.phase(phase);
        r.cafe
            .rejects(r.part, cast(v, a), ErrorCode::NotAllowedInPhase);
        r.cafe
            .rejects(r.org, retract(v, a), ErrorCode::NotAllowedInPhase);
    }
    r.phase(Phase::Vote);
    r.cafe.ok(r.fac, Command::CloseVote { vote: v });
    r.cafe.rejects(r.part, cast(v, a), ErrorCode::Conflict);
    r.cafe.rejects(r.org, retract(v, a), ErrorCode::Conflict);
    r.cafe.assert_replays();
}

#[test]
fn paper_tallies() {
    let Voting { mut r, ideas } = voting();
    let [a, b, c] = [ideas[0], ideas[1], ideas[2]];
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 2, VoteVisibility::Hidden);
    // A headcount is needed first.
    r.cafe
        .rejects(r.host, tally(v, r.table, &[(a, 1)]), ErrorCode::Conflict);
    r.cafe.ok(
        r.host,
        Command::SetTableHeadcount {
            table: r.table,
            headcount: 4,
        },
    );
    // Only the table's host or a facilitator.
    for p in [r.part, r.remote, r.other] {
        r.cafe
            .rejects(p, tally(v, r.table, &[(a, 1)]), ErrorCode::Forbidden);
    }
    r.cafe
        .rejects(r.host, tally(v, r.table2, &[(a, 1)]), ErrorCode::Forbidden);
    r.cafe.rejects(
        r.host,
        tally(v, TableId(999), &[(a, 1)]),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.host,
        tally(VoteId(999), r.table, &[(a, 1)]),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.host,
        tally(v, r.table, &[(IdeaId(999), 1)]),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.host,
        tally(v, r.table, &[(a, 1), (a, 1)]),
        ErrorCode::Invalid,
    );
    // Bounds: per item headcount × cap = 8, in all headcount × budget = 12.
    r.cafe
        .rejects(r.host, tally(v, r.table, &[(a, 9)]), ErrorCode::OverCap);
    r.cafe.rejects(
        r.host,
        tally(v, r.table, &[(a, 8), (b, 4), (c, 1)]),
        ErrorCode::OverBudget,
    );
    r.cafe
        .ok(r.host, tally(v, r.table, &[(a, 8), (b, 4), (c, 0)]));
    let vote = r.cafe.vote(v);
    assert_eq!(vote.tallies[&r.table], BTreeMap::from([(a.0, 8), (b.0, 4)]));
    assert_eq!(vote.totals, BTreeMap::from([(a.0, 8), (b.0, 4)]));
    assert_eq!(vote.dots_cast, 12);
    // Same tally again: nothing happens. A new entry replaces the old one.
    r.cafe.noop(r.host, tally(v, r.table, &[(b, 4), (a, 8)]));
    r.cafe.ok(r.part, cast(v, c));
    r.cafe.ok(r.fac, tally(v, r.table, &[(c, 2)]));
    let vote = r.cafe.vote(v);
    assert_eq!(vote.totals, BTreeMap::from([(c.0, 3)]));
    assert_eq!(vote.dots_cast, 3);
    // The facilitator may tally any table with a headcount.
    r.cafe.ok(
        r.fac,
        Command::SetTableHeadcount {
            table: r.table2,
            headcount: 1,
        },
    );
    r.cafe.ok(r.fac, tally(v, r.table2, &[(a, 2), (b, 1)]));
    // An empty tally withdraws the table's entry.
    r.cafe.ok(r.host, tally(v, r.table, &[]));
    let vote = r.cafe.vote(v);
    assert!(!vote.tallies.contains_key(&r.table));
    assert_eq!(vote.totals, BTreeMap::from([(a.0, 2), (b.0, 1), (c.0, 1)]));
    assert_eq!(vote.dots_cast, 4);
    // Not outside the vote phase, not on a closed vote.
    r.phase(Phase::Group);
    r.cafe.rejects(
        r.host,
        tally(v, r.table, &[(a, 1)]),
        ErrorCode::NotAllowedInPhase,
    );
    r.phase(Phase::Vote);
    r.cafe.ok(r.fac, Command::CloseVote { vote: v });
    r.cafe
        .rejects(r.host, tally(v, r.table, &[(a, 1)]), ErrorCode::Conflict);
    r.cafe.assert_replays();
}

#[test]
fn headcount_cannot_shrink_below_an_open_tally() {
    let Voting { mut r, ideas } = voting();
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 2, VoteVisibility::Hidden);
    let hc = |headcount| Command::SetTableHeadcount {
        table: r.table,
        headcount,
    };
    r.cafe.ok(r.host, hc(4));
    r.cafe.ok(r.host, tally(v, r.table, &[(ideas[0], 6)]));
    // 6 dots on one item need 3 people (cap 2); in all 6 dots need 2 people (budget 3).
    r.cafe.rejects(r.host, hc(2), ErrorCode::Conflict);
    r.cafe.rejects(r.host, hc(0), ErrorCode::Conflict);
    r.cafe.ok(r.host, hc(3));
    r.cafe.ok(r.fac, Command::CloseVote { vote: v });
    // Once the vote is closed the tally is history; the headcount is free again.
    r.cafe.ok(r.host, hc(1));
}

#[test]
fn close_and_reveal() {
    let Voting { mut r, ideas } = voting();
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 3, VoteVisibility::Hidden);
    r.cafe.ok(r.part, cast(v, ideas[1]));
    r.cafe.ok(r.remote, cast(v, ideas[1]));
    r.cafe.ok(r.remote, cast(v, ideas[0]));
    // Hidden: the public sees how many dots, not where.
    let public = r.cafe.state.view(Audience::Public);
    assert_eq!(public.votes[&v].dots_cast, 3);
    assert!(public.votes[&v].totals.is_empty());
    assert!(public.votes[&v].ballots.is_empty());
    let mine = r.cafe.state.view(Audience::Person(r.part));
    assert_eq!(
        mine.votes[&v].ballots,
        BTreeMap::from([(r.part, BTreeMap::from([(ideas[1].0, 1)]))])
    );
    assert!(mine.votes[&v].totals.is_empty());
    let fac = r.cafe.state.view(Audience::Facilitator);
    assert_eq!(fac.votes[&v].totals.len(), 2);
    assert!(fac.votes[&v].ballots.is_empty(), "not even facilitators");
    for p in [r.host, r.part, r.remote] {
        r.cafe
            .rejects(p, Command::CloseVote { vote: v }, ErrorCode::Forbidden);
        r.cafe
            .rejects(p, Command::RevealVote { vote: v }, ErrorCode::Forbidden);
    }
    r.cafe.rejects(
        r.fac,
        Command::CloseVote { vote: VoteId(999) },
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.fac,
        Command::RevealVote { vote: VoteId(999) },
        ErrorCode::NotFound,
    );
    // Revealing an open vote closes it first.
    let ev = r.cafe.ok(r.fac, Command::RevealVote { vote: v });
    assert_eq!(ev[0], Event::VoteClosed { vote: v });
    assert!(matches!(ev[1], Event::VoteRevealed { .. }));
    r.cafe.noop(r.fac, Command::RevealVote { vote: v });
    r.cafe.noop(r.fac, Command::CloseVote { vote: v });
    let public = r.cafe.state.view(Audience::Public);
    assert_eq!(
        public.votes[&v].totals,
        BTreeMap::from([(ideas[0].0, 1), (ideas[1].0, 2)])
    );
    r.cafe.assert_replays();
}

#[test]
fn close_then_reveal_in_results() {
    let Voting { mut r, ideas } = voting();
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 2, 1, VoteVisibility::Hidden);
    r.cafe.ok(r.part, cast(v, ideas[2]));
    // Moving to results closes and reveals the vote in the same decision, before the
    // phase changes (phones see the results with the phase).
    // (The fixture's closed default vote is revealed too: results show every vote.)
    let ev = r.cafe.ok(
        r.org,
        Command::SetPhase {
            phase: Phase::Results,
        },
    );
    let n = ev.len();
    assert_eq!(ev[n - 3], Event::VoteClosed { vote: v });
    assert_eq!(
        ev[n - 1],
        Event::PhaseChanged {
            phase: Phase::Results
        }
    );
    assert!(r.cafe.state.votes.values().all(|v| v.revealed));
    r.cafe.noop(r.org, Command::CloseVote { vote: v });
    r.cafe.noop(r.org, Command::RevealVote { vote: v });
    assert_eq!(
        ev[n - 2..n - 1],
        vec![Event::VoteRevealed {
            vote: v,
            totals: BTreeMap::from([(ideas[2].0, 1)]),
            tallies: BTreeMap::new()
        }]
    );
    // A new vote may open on the same board once the first is closed.
    r.phase(Phase::Vote);
    r.cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 2, 1, VoteVisibility::Live);
}

#[test]
fn live_vote_shows_totals_to_everyone() {
    let Voting { mut r, ideas } = voting();
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 2, 1, VoteVisibility::Live);
    r.cafe.ok(r.part, cast(v, ideas[0]));
    let public = r.cafe.state.view(Audience::Public);
    assert_eq!(public.votes[&v].totals, BTreeMap::from([(ideas[0].0, 1)]));
    assert!(public.votes[&v].ballots.is_empty());
}

#[test]
fn ballot_items_are_frozen_while_open() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let a = r.cafe.post(r.part, r.plenary, "a");
    let b = r.cafe.post(r.part, r.plenary, "b");
    r.phase(Phase::Group);
    let c = r.cafe.cluster(r.fac, r.plenary, &[a]);
    let d = r.cafe.cluster(r.fac, r.plenary, &[]);
    r.phase(Phase::Vote);
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 2, 1, VoteVisibility::Live);
    r.phase(Phase::Ideate);
    r.cafe.rejects(
        r.part,
        Command::EditIdea {
            idea: a,
            text: "changed".into(),
            category: None,
        },
        ErrorCode::Conflict,
    );
    r.cafe
        .rejects(r.part, Command::DeleteIdea { idea: a }, ErrorCode::Conflict);
    r.cafe
        .rejects(r.fac, Command::DeleteIdea { idea: b }, ErrorCode::Conflict);
    r.cafe.rejects(
        r.fac,
        Command::MoveIdea {
            idea: b,
            cluster: Some(d),
        },
        ErrorCode::Conflict,
    );
    r.phase(Phase::Vote);
    r.cafe.ok(r.fac, Command::CloseVote { vote: v });
    r.phase(Phase::Group);
    r.cafe.ok(
        r.fac,
        Command::MoveIdea {
            idea: b,
            cluster: Some(d),
        },
    );
    // Clusters on a cluster ballot are frozen too.
    r.phase(Phase::Vote);
    let vcl = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Clusters, 2, 1, VoteVisibility::Live);
    r.phase(Phase::Group);
    for cmd in [
        Command::MergeClusters { from: d, into: c },
        Command::DeleteCluster { cluster: c },
        Command::MoveIdea {
            idea: a,
            cluster: None,
        },
        Command::RenameCluster {
            cluster: c,
            title: "renamed".into(),
        },
        // Taking `a` into a new cluster would take it out of `c`, which is on the ballot.
        Command::CreateCluster {
            board: r.plenary,
            title: "new".into(),
            ideas: vec![a],
        },
        Command::DeleteIdea { idea: b },
    ] {
        r.cafe.rejects(r.fac, cmd, ErrorCode::Conflict);
    }
    // Its ideas are frozen for their author too.
    for idea in [a, b] {
        r.cafe.rejects(
            r.part,
            Command::EditIdea {
                idea,
                text: "changed".into(),
                category: None,
            },
            ErrorCode::Conflict,
        );
        r.cafe
            .rejects(r.part, Command::DeleteIdea { idea }, ErrorCode::Conflict);
    }
    // An empty new cluster is fine.
    r.cafe.cluster(r.fac, r.plenary, &[]);
    r.phase(Phase::Vote);
    r.cafe.ok(r.fac, Command::CloseVote { vote: vcl });
    r.phase(Phase::Group);
    r.cafe
        .ok(r.fac, Command::MergeClusters { from: d, into: c });
    r.cafe.assert_replays();
}

#[test]
fn vote_limit() {
    let Voting { mut r, .. } = voting();
    // The default vote opened on entering the phase counts.
    for _ in 1..limits::VOTES_PER_CAFE_MAX {
        let v = r
            .cafe
            .open_vote(r.plenary, VoteTarget::Ideas, 1, 1, VoteVisibility::Live);
        r.cafe.ok(r.fac, Command::CloseVote { vote: v });
    }
    r.cafe
        .rejects(r.fac, open(r.plenary, 1, 1), ErrorCode::LimitReached);
}

#[test]
fn ranking_ties_by_lower_id_with_competition_ranks() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let ideas: Vec<IdeaId> = (0..5)
        .map(|i| r.cafe.post(r.part, r.plenary, &format!("idea {i}")))
        .collect();
    r.phase(Phase::Vote);
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 5, 5, VoteVisibility::Hidden);
    // Dots: idea0 1, idea1 3, idea2 1, idea3 3, idea4 0.
    for (idea, n, who) in [
        (ideas[0], 1, r.part),
        (ideas[1], 3, r.remote),
        (ideas[2], 1, r.other),
        (ideas[3], 3, r.host),
    ] {
        for _ in 0..n {
            r.cafe.ok(who, cast(v, idea));
        }
    }
    let ranked: Vec<(u32, IdeaId, u32)> = r
        .cafe
        .state
        .ranking(v)
        .into_iter()
        .map(|x| (x.rank, IdeaId(x.item), x.dots))
        .collect();
    assert_eq!(
        ranked,
        vec![
            (1, ideas[1], 3),
            (1, ideas[3], 3),
            (3, ideas[0], 1),
            (3, ideas[2], 1),
            (5, ideas[4], 0),
        ]
    );
    // The public ranks only what it may see: before reveal everything ties at 0.
    let public = r.cafe.state.view(Audience::Public);
    assert!(public.ranking(v).iter().all(|x| x.rank == 1 && x.dots == 0));
    assert_eq!(public.ranking(v)[0].item, ideas[0].0, "ties by lower id");
    r.cafe.ok(r.fac, Command::RevealVote { vote: v });
    let public = r.cafe.state.view(Audience::Public);
    assert_eq!(public.ranking(v), r.cafe.state.ranking(v));
    assert!(r.cafe.state.ranking(VoteId(999)).is_empty());
}

#[test]
fn ranking_one_two_two_four() {
    let mut r = Room::new();
    r.phase(Phase::Ideate);
    let ideas: Vec<IdeaId> = (0..4)
        .map(|i| r.cafe.post(r.part, r.plenary, &format!("idea {i}")))
        .collect();
    r.phase(Phase::Vote);
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 8, 3, VoteVisibility::Live);
    for (idea, n) in [(ideas[3], 3), (ideas[2], 2), (ideas[0], 2), (ideas[1], 1)] {
        for _ in 0..n {
            r.cafe.ok(r.part, cast(v, idea));
        }
    }
    let ranked: Vec<(u32, ItemId)> = r
        .cafe
        .state
        .ranking(v)
        .into_iter()
        .map(|x| (x.rank, x.item))
        .collect();
    assert_eq!(
        ranked,
        vec![
            (1, ideas[3].0),
            (2, ideas[0].0),
            (2, ideas[2].0),
            (4, ideas[1].0)
        ]
    );
}

/// The server shares one public snapshot among people `view_is_public` names; a ballot
/// makes a person's view their own.
#[test]
fn a_ballot_makes_the_view_personal() {
    let Voting { mut r, ideas } = voting();
    assert!(r.cafe.state.view_is_public(r.part));
    assert!(!r.cafe.state.view_is_public(r.fac), "facilitators see more");
    let v = r
        .cafe
        .open_vote(r.plenary, VoteTarget::Ideas, 3, 1, VoteVisibility::Hidden);
    assert!(r.cafe.state.view_is_public(r.part));
    r.cafe.ok(r.part, cast(v, ideas[1]));
    assert!(!r.cafe.state.view_is_public(r.part));
    assert_ne!(
        r.cafe.state.view(Audience::Person(r.part)),
        r.cafe.state.view(Audience::Public)
    );
    assert!(r.cafe.state.view_is_public(r.remote));
    assert_eq!(
        r.cafe.state.view(Audience::Person(r.remote)),
        r.cafe.state.view(Audience::Public)
    );
}

/// A crowd's dots folded into one live-tally update leave every audience where the dots
/// one by one would: what the server relies on to send one `vote_progress` per batch.
#[test]
fn folded_progress_equals_progress_one_by_one() {
    for visibility in [VoteVisibility::Live, VoteVisibility::Hidden] {
        let Voting { mut r, ideas } = voting();
        let v = r
            .cafe
            .open_vote(r.plenary, VoteTarget::Ideas, 3, 2, visibility);
        for a in [Audience::Public, Audience::Facilitator] {
            let mut one_by_one = r.cafe.state.view(a);
            let mut folded_view = r.cafe.state.view(a);
            let mut folded: Option<Event> = None;
            let mut state = r.cafe.state.clone();
            let voters = [r.part, r.remote, r.other, r.host, r.part, r.remote];
            for (n, voter) in voters.into_iter().enumerate() {
                let ctx = Ctx {
                    actor: voter,
                    now: r.cafe.now,
                    seed: 7,
                };
                let item = ideas[n % ideas.len()];
                let events = state.decide(&ctx, &cast(v, item)).expect("dot");
                for e in events {
                    let prior = state.prior(&e);
                    state.apply(&e);
                    let Some(p) = state.project(&prior, &e, a) else {
                        continue;
                    };
                    one_by_one.apply(&p);
                    match folded.as_mut() {
                        Some(f) => assert!(f.absorb_progress(&p), "{p:?}"),
                        None => folded = Some(p),
                    }
                }
            }
            folded_view.apply(&folded.expect("progress"));
            assert_eq!(folded_view, one_by_one, "{visibility:?} {a:?}");
            assert_eq!(folded_view, state.view(a), "{visibility:?} {a:?}");
        }
    }
    // A personal update (with the voter's ballot) never folds.
    let mut plain = Event::VoteProgress {
        vote: VoteId(1),
        dots_cast: 1,
        voters: 0,
        totals: BTreeMap::new(),
        ballot: None,
        tally: None,
    };
    let personal = Event::VoteProgress {
        vote: VoteId(1),
        dots_cast: 2,
        voters: 0,
        totals: BTreeMap::new(),
        ballot: Some(Ballot {
            person: PersonId(3),
            dots: BTreeMap::new(),
        }),
        tally: None,
    };
    assert!(!plain.absorb_progress(&personal));
    let other_vote = Event::VoteProgress {
        vote: VoteId(2),
        dots_cast: 2,
        voters: 0,
        totals: BTreeMap::new(),
        ballot: None,
        tally: None,
    };
    assert!(!plain.absorb_progress(&other_vote));
}

/// A vote's optional title is stored cleaned (trimmed, like every line), blank is none, and
/// it is checked like any text; without one the vote is named by its boards.
#[test]
fn a_vote_title_is_cleaned_checked_and_defaults_to_its_boards() {
    let Voting { mut r, .. } = voting();
    let plenary = r.plenary;
    let titled = |title: &str| Command::OpenVote {
        scope: VoteScope::board(plenary),
        target: VoteTarget::Ideas,
        budget: 3,
        per_item_cap: 1,
        visibility: VoteVisibility::Hidden,
        title: Some(title.into()),
    };
    let too_long = "x".repeat(limits::VOTE_TITLE_MAX + 1);
    r.cafe.rejects(r.fac, titled(&too_long), ErrorCode::TooLong);
    r.cafe
        .rejects(r.fac, titled("bad\u{202e}title"), ErrorCode::Invalid);
    let events = r.cafe.ok(r.fac, titled("  Which first?  "));
    let Event::VoteOpened { vote } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(vote.title.as_deref(), Some("Which first?"));
    assert_eq!(r.cafe.state.vote_title(vote), "Which first?");
    r.cafe.ok(r.fac, Command::CloseVote { vote: vote.id });
    let events = r.cafe.ok(r.fac, titled("   "));
    let Event::VoteOpened { vote } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(vote.title, None, "blank is no title");
    assert_eq!(r.cafe.state.vote_title(vote), "Vote on Plenary");
    // The prepared vote carries its title into the vote phase, cleaned the same way.
    r.cafe.ok(
        r.fac,
        Command::SetVoteDraft {
            draft: VoteDraft {
                title: Some(" Next round ".into()),
                ..r.cafe.state.vote_draft()
            },
        },
    );
    assert_eq!(
        r.cafe.state.vote_draft().title.as_deref(),
        Some("Next round")
    );
    r.cafe.assert_replays();
}

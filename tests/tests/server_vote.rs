//! The one-step vote over real sockets: entering the vote phase opens the ballot on every
//! phone, "N of M have voted" moves on every screen without naming anyone, and moving to
//! results closes and reveals it.

use cafe_shared::{
    Command, Event, Location, Phase, Turnout, VoteDraft, VoteScope, VoteStatus, VoteTarget,
    VoteVisibility,
};
use cafe_tests::TestServer;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vote_opens_with_its_phase_counts_voters_and_reveals_with_results() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Vote", json!({})).await;
    let plenary = org.ideate().await;
    org.post(plenary, "Four-day week").await;
    org.post(plenary, "Async by default").await;
    let (a, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    let (_, mut ben) = server.arrive(&cafe.code, "Ben", Location::Remote).await;
    // Both phones are online before the vote, so M is 2 (the organiser runs the vote).
    org.barrier().await;
    let online = |s: &cafe_shared::CafeState| {
        s.active_people()
            .filter(|p| p.online && !p.role.is_facilitator())
            .count()
    };
    assert_eq!(online(org.state()), 2);

    // A prepared vote (budget 2, cap 1), then one click: the vote phase.
    org.ok(Command::SetVoteDraft {
        draft: VoteDraft {
            scope: VoteScope::Plenary,
            target: VoteTarget::Ideas,
            budget: 2,
            per_item_cap: 1,
            visibility: VoteVisibility::Hidden,
            title: None,
        },
    })
    .await;
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;

    // Ana's phone hears the phase and, in the same batch, the open ballot.
    ana.wait_for_event(|e| matches!(e, Event::PhaseChanged { phase: Phase::Vote }))
        .await;
    let opened = ana
        .wait_for_event(|e| matches!(e, Event::VoteOpened { .. }))
        .await;
    let Event::VoteOpened { vote } = opened else {
        unreachable!()
    };
    assert_eq!(vote.boards, vec![plenary]);
    assert_eq!((vote.budget, vote.per_item_cap), (2, 1));
    assert_eq!(vote.items.len(), 2);
    let (v, first, second) = (vote.id, vote.items[0], vote.items[1]);

    // Ana votes: Ben sees "1 of 2", never whose dot it is, nor the hidden totals.
    ana.ok(Command::CastDot {
        vote: v,
        item: second,
    })
    .await;
    ben.wait_for_event(|e| matches!(e, Event::VoteProgress { voters: 1, .. }))
        .await;
    let s = ben.state();
    assert_eq!(
        s.turnout(&s.votes[&v]),
        Turnout {
            voted: 1,
            expected: 2
        }
    );
    assert!(s.votes[&v].ballots.is_empty());
    assert!(s.votes[&v].totals.is_empty());
    // A second dot of the same voter is not a second voter.
    ana.ok(Command::CastDot {
        vote: v,
        item: first,
    })
    .await;
    ben.ok(Command::CastDot {
        vote: v,
        item: second,
    })
    .await;
    for c in [&mut org, &mut ana] {
        c.barrier().await;
        let s = c.state();
        assert_eq!(
            s.turnout(&s.votes[&v]),
            Turnout {
                voted: 2,
                expected: 2
            },
            "{:?}",
            c.you
        );
    }

    // Results: closed and revealed before the phase, on every phone.
    org.ok(Command::SetPhase {
        phase: Phase::Results,
    })
    .await;
    ben.wait_for_event(|e| {
        matches!(
            e,
            Event::PhaseChanged {
                phase: Phase::Results
            }
        )
    })
    .await;
    let s = ben.state();
    let vote = &s.votes[&v];
    assert_eq!(vote.status, VoteStatus::Closed);
    assert!(vote.revealed);
    let ranking = s.ranking(v);
    assert_eq!((ranking[0].item, ranking[0].dots), (second, 2));
    assert_eq!((ranking[1].item, ranking[1].dots), (first, 1));
    // Dots are refused now, with a typed reason, and the connection lives on.
    assert_eq!(
        ben.refused(Command::CastDot {
            vote: v,
            item: first,
        })
        .await,
        cafe_shared::ErrorCode::Conflict
    );
    ana.wait_for_event(|e| {
        matches!(
            e,
            Event::PhaseChanged {
                phase: Phase::Results
            }
        )
    })
    .await;
    server.assert_matches_fresh(&ana, &a.token).await;
}

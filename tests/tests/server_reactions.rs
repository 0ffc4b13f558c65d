//! The facilitator's toolkit over real sockets: reactions from the phones reach the projector
//! and the facilitators (and nobody else), ten per person in ten seconds, the eleventh
//! refused with `rate_limited` on a connection that carries on; and the word-cloud view of
//! the projector, chosen from the console.

use cafe_shared::{
    Command, ErrorCode, Event, Location, ProjectorView, Reaction, ReactionCounts, ServerFrame,
};
use cafe_tests::{Client, TestServer};
use serde_json::json;

/// Reads until a `reactions` frame arrives.
async fn next_reactions(c: &mut Client) -> (ReactionCounts, ReactionCounts) {
    loop {
        match c.next().await {
            Some(ServerFrame::Reactions { added, totals }) => return (added, totals),
            Some(_) => continue,
            None => panic!("closed while waiting for reactions: {:?}", c.closed),
        }
    }
}

fn counts(pairs: &[(Reaction, u32)]) -> ReactionCounts {
    pairs.iter().copied().collect()
}

fn heard_reactions(c: &Client) -> usize {
    c.frames
        .iter()
        .filter(|f| matches!(f, ServerFrame::Reactions { .. }))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_reach_the_projector_and_facilitators_and_the_eleventh_is_refused() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Reactions", json!({})).await;
    let plenary = org.ideate().await;
    let (_, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    let (_, mut ben) = server.arrive(&cafe.code, "Ben", Location::Remote).await;
    let mut projector = server.enter(&cafe.projector_token).await;
    org.barrier().await;
    let before = org.seq;

    // Ana reacts: the projector and the organiser hear it, counted.
    let first = ana
        .ok(Command::React {
            reaction: Reaction::Party,
        })
        .await;
    let party = counts(&[(Reaction::Party, 1)]);
    assert_eq!(
        next_reactions(&mut projector).await,
        (party.clone(), party.clone())
    );
    assert_eq!(next_reactions(&mut org).await, (party.clone(), party));

    // Nine more within the window: all accepted, none of them an event (the café's position
    // does not move and nothing is written).
    for _ in 0..9 {
        let seq = ana
            .ok(Command::React {
                reaction: Reaction::Party,
            })
            .await;
        assert_eq!(seq, first, "a reaction writes no event");
    }
    // The eleventh within ten seconds is refused, typed, and not counted.
    let (code, message) = ana
        .command(Command::React {
            reaction: Reaction::Heart,
        })
        .await
        .expect_err("the 11th reaction in 10 s");
    assert_eq!(code, ErrorCode::RateLimited, "{message}");
    // The connection carries on: a ping, an idea.
    ana.ping().await;
    ana.post(plenary, "Reactions are fun").await;

    // Ben is not held back by Ana's limit; the totals hold Ana's ten parties, not the heart.
    ben.ok(Command::React {
        reaction: Reaction::ThumbsUp,
    })
    .await;
    let want = counts(&[(Reaction::ThumbsUp, 1), (Reaction::Party, 10)]);
    let (added, totals) = loop {
        let (added, totals) = next_reactions(&mut projector).await;
        if added.contains_key(&Reaction::ThumbsUp) {
            break (added, totals);
        }
    };
    assert_eq!(added, counts(&[(Reaction::ThumbsUp, 1)]));
    assert_eq!(totals, want);

    // Participants never hear reactions (theirs or anyone's); the only event since is the
    // idea (no reaction was stored as an event).
    ana.barrier().await;
    ben.barrier().await;
    assert_eq!(heard_reactions(&ana), 0);
    assert_eq!(heard_reactions(&ben), 0);
    org.barrier().await;
    let since: Vec<&str> = org
        .events
        .iter()
        .filter(|(seq, _)| *seq > before)
        .map(|(_, e)| e.kind())
        .collect();
    assert_eq!(since, vec!["idea_posted"], "reactions are not events");

    // The projector only watches.
    let refused = projector
        .command(Command::React {
            reaction: Reaction::Clap,
        })
        .await
        .expect_err("the projector is nobody");
    assert_eq!(refused.0, ErrorCode::Forbidden);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_puts_the_word_cloud_on_the_projector() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Words", json!({})).await;
    let plenary = org.ideate().await;
    let (_, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    let mut projector = server.enter(&cafe.projector_token).await;
    assert_eq!(projector.state().projector_view, ProjectorView::Board);

    // Only a facilitator may choose.
    assert_eq!(
        ana.refused(Command::SetProjector {
            board: plenary,
            view: ProjectorView::WordCloud,
        })
        .await,
        ErrorCode::Forbidden
    );
    org.ok(Command::SetProjector {
        board: plenary,
        view: ProjectorView::WordCloud,
    })
    .await;
    let e = projector
        .wait_for_event(|e| matches!(e, Event::ProjectorSet { .. }))
        .await;
    assert_eq!(
        e,
        Event::ProjectorSet {
            board: plenary,
            view: ProjectorView::WordCloud
        }
    );
    assert_eq!(projector.state().projector_view, ProjectorView::WordCloud);
    // Choosing what is shown already changes nothing; a fresh snapshot says the same.
    let seq = org.seq;
    assert_eq!(
        org.ok(Command::SetProjector {
            board: plenary,
            view: ProjectorView::WordCloud,
        })
        .await,
        seq
    );
    let fresh = server.enter(&cafe.projector_token).await;
    assert_eq!(fresh.state().projector_view, ProjectorView::WordCloud);
    // And back to the board, which the wire writes without a view.
    org.ok(Command::SetProjector {
        board: plenary,
        view: ProjectorView::Board,
    })
    .await;
    projector
        .wait_for_event(|e| {
            matches!(
                e,
                Event::ProjectorSet {
                    view: ProjectorView::Board,
                    ..
                }
            )
        })
        .await;
    let raw = projector
        .raw
        .iter()
        .rev()
        .find(|r| r.contains("projector_set"))
        .expect("the raw frame");
    assert!(!raw.contains("\"view\""), "{raw}");
}

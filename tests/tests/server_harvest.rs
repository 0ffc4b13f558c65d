//! The World Café harvest over real sockets and the real `cafe-server` binary: a
//! facilitator sends a table's notes (a batch) and a whole theme to the plenary; another
//! participant's phone receives the copies with their provenance; a host is refused
//! another table's notes with a typed error and keeps their connection; after a restart
//! the store still holds the copies and their provenance.

use cafe_shared::{
    Assignment, BoardId, ClusterId, Command, ErrorCode, Event, Idea, IdeaId, Location, PersonId,
    Phase, Provenance, Seat, TableId, TableKind,
};
use cafe_tests::BinaryServer;
use serde_json::json;

fn table_named(state: &cafe_shared::CafeState, name: &str) -> (TableId, BoardId) {
    let t = state
        .tables
        .values()
        .find(|t| t.name == name)
        .expect("table");
    (t.id, t.board)
}

fn copies(state: &cafe_shared::CafeState) -> Vec<&Idea> {
    state
        .ideas
        .values()
        .map(Box::as_ref)
        .filter(|i| i.harvested_from.is_some())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harvested_notes_reach_every_phone_with_provenance_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::start(dir.path()).await;
    let (cafe, mut org) = server.open_cafe("Harvest", json!({})).await;
    for (name, kind) in [
        ("Table 3", TableKind::Virtual),
        ("Window", TableKind::InRoom),
    ] {
        org.ok(Command::CreateTable {
            name: name.into(),
            kind,
        })
        .await;
    }
    let (t3, board3) = table_named(org.state(), "Table 3");
    let (window, window_board) = table_named(org.state(), "Window");
    let (aisha, mut aisha_c) = server.arrive(&cafe.code, "Aisha", Location::Remote).await;
    let (hiro, mut hiro_c) = server.arrive(&cafe.code, "Hiro", Location::Room).await;
    let (pat_j, mut pat) = server.arrive(&cafe.code, "Pat", Location::Room).await;
    let aisha = PersonId(aisha.person_id);
    org.ok(Command::SetTableHost {
        table: window,
        person: Some(PersonId(hiro.person_id)),
    })
    .await;
    org.ok(Command::StartRound {
        prompt: "What should change?".into(),
        duration_secs: 0,
        assignment: Assignment::Manual {
            seats: vec![Seat {
                person: aisha,
                table: t3,
            }],
        },
    })
    .await;
    org.ok(Command::StartRound {
        prompt: "And then?".into(),
        duration_secs: 0,
        assignment: Assignment::Keep,
    })
    .await;
    let plenary = org.ideate().await;
    aisha_c.barrier().await;
    for text in ["Four-day week", "Async by default", "Quiet mornings"] {
        aisha_c.post(board3, text).await;
    }
    org.ok(Command::CreateCluster {
        board: board3,
        title: "Time".into(),
        ideas: vec![],
    })
    .await;
    org.barrier().await;
    let id_of = |text: &str| {
        org.state()
            .ideas
            .values()
            .find(|i| i.text == text && i.board == board3)
            .map(|i| i.id)
            .expect("note")
    };
    let (four, asynch, quiet) = (
        id_of("Four-day week"),
        id_of("Async by default"),
        id_of("Quiet mornings"),
    );

    // The Window's host may not harvest Table 3's notes: a typed refusal, nothing written,
    // and the connection carries on.
    hiro_c.barrier().await;
    assert_eq!(
        hiro_c
            .refused(Command::HarvestIdeas {
                ideas: vec![four, asynch],
            })
            .await,
        ErrorCode::Forbidden
    );
    hiro_c.post(window_board, "Still connected").await;

    // The facilitator sends two notes in one step.
    org.ok(Command::HarvestIdeas {
        ideas: vec![four, asynch],
    })
    .await;
    // Pat (another phone) receives both copies.
    for _ in 0..2 {
        pat.wait_for_event(
            |e| matches!(e, Event::IdeaPosted { idea } if idea.harvested_from.is_some()),
        )
        .await;
    }
    let want = Provenance {
        table: t3,
        table_name: "Table 3".into(),
        round: Some(2),
        author_name: Some("Aisha".into()),
        origin: Location::Remote,
        scribed: false,
        dots: None,
    };
    let got = copies(pat.state());
    assert_eq!(got.len(), 2, "{got:?}");
    for c in &got {
        assert_eq!(c.board, plenary);
        assert_eq!(c.provenance.as_ref(), Some(&want), "{c:?}");
    }
    // Sending one of them again refuses the whole batch.
    assert_eq!(
        org.refused(Command::HarvestIdeas {
            ideas: vec![quiet, four],
        })
        .await,
        ErrorCode::Conflict
    );

    // A whole theme: the plenary gets the theme with a copy of its note.
    org.ok(Command::SetPhase {
        phase: Phase::Group,
    })
    .await;
    let theme: ClusterId = org
        .state()
        .clusters
        .values()
        .find(|c| c.board == board3)
        .map(|c| c.id)
        .expect("theme");
    org.ok(Command::MoveIdea {
        idea: quiet,
        cluster: Some(theme),
    })
    .await;
    org.ok(Command::HarvestCluster { cluster: theme }).await;
    pat.wait_for_event(|e| matches!(e, Event::IdeaMoved { .. }))
        .await;
    pat.barrier().await;
    let p = pat.state();
    let plenary_theme = p
        .clusters
        .values()
        .find(|c| c.board == plenary && c.title == "Time")
        .expect("the theme is on the plenary");
    let quiet_copy = p
        .ideas
        .values()
        .find(|i| i.harvested_from == Some(quiet))
        .expect("copy of the theme's note");
    assert_eq!(quiet_copy.cluster, Some(plenary_theme.id));
    server.assert_matches_fresh(&pat, &pat_j.token).await;
    let before: Vec<(IdeaId, Option<Provenance>)> = copies(org.state())
        .iter()
        .map(|i| (i.id, i.provenance.clone()))
        .collect();
    assert_eq!(before.len(), 3);

    // Restart: the store holds the copies and their provenance.
    server.signal(libc::SIGTERM);
    assert!(server.wait().await.success());
    let server = BinaryServer::start(dir.path()).await;
    let back = server.enter(&cafe.organiser_token).await;
    let after: Vec<(IdeaId, Option<Provenance>)> = copies(back.state())
        .iter()
        .map(|i| (i.id, i.provenance.clone()))
        .collect();
    assert_eq!(after, before);
    assert!(after
        .iter()
        .all(|(_, p)| p.as_ref().is_some_and(|p| p.table_name == "Table 3")));
    server.signal(libc::SIGTERM);
    assert!(server.wait().await.success());
}

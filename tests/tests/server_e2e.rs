//! A whole café, end to end, against a real server over real WebSockets: create, join by
//! code, tables and two shuffled rounds, a scribe at a paper table, clustering, a hidden
//! vote with budgets, reveal; then every client's state is compared with a fresh snapshot,
//! and the exports are checked (JSON re-imported, CSV, Markdown).

use cafe_shared::{
    Assignment, Audience, BoardId, CafeState, Command, ErrorCode, Event, IdeaId, ItemCount,
    Location, PersonId, Phase, ServerFrame, TableKind, VoteDraft, VoteScope, VoteTarget,
    VoteVisibility,
};
use cafe_tests::{comparable, Client, TestServer};
use serde_json::json;

fn board_of(state: &CafeState, me: PersonId) -> BoardId {
    let t = state.table_of(me).expect("seated");
    state.tables[&t].board
}

fn ideas_on(state: &CafeState, board: BoardId) -> Vec<IdeaId> {
    state
        .ideas
        .values()
        .filter(|i| i.board == board)
        .map(|i| i.id)
        .collect()
}

async fn post(c: &mut Client, text: &str) -> u64 {
    let me = c.you.expect("person");
    let board = board_of(c.state(), me);
    c.ok(Command::PostIdea {
        board,
        text: text.into(),
        category: None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_cafe_end_to_end() {
    let server = TestServer::start().await;
    let created = server
        .create_cafe(
            "Future of work",
            "Olga",
            json!({"description": "Hybrid café"}),
        )
        .await;
    assert_eq!(
        created.join_url,
        format!("{}/j/{}", server.base, created.code)
    );

    // Public look-up by code, as typed by people (lower case, dash).
    let info: serde_json::Value = server
        .get(&format!(
            "/api/cafes/by-code/{}",
            created.code_display.to_lowercase()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["title"], "Future of work");
    assert_eq!(info["phase"], "lobby");
    assert!(info.get("organiser_token").is_none());

    let qr = server
        .get(&format!("/api/cafes/{}/qr.svg", created.cafe_id))
        .await;
    assert_eq!(qr.status().as_u16(), 200);
    assert!(qr.text().await.unwrap().contains("<svg"));

    // The organiser runs the café as facilitator.
    let mut org = server.connect().await;
    let w = org.hello(&created.organiser_token, None).await.unwrap();
    assert!(matches!(
        w,
        ServerFrame::Welcome {
            audience: Audience::Facilitator,
            resumed: false,
            ..
        }
    ));

    let rem = server.join(&created.code, "Rémi", Location::Remote).await;
    let rita = server.join(&created.code, "Rita", Location::Remote).await;
    let ruth = server.join(&created.code, "Ruth", Location::Room).await;
    let sam = server.join(&created.code, "Sam", Location::Room).await;
    assert_eq!(rem.role, "participant");

    let mut p_rem = server.connect().await;
    let mut p_rita = server.connect().await;
    let mut p_ruth = server.connect().await;
    let mut scribe = server.connect().await;
    let mut projector = server.connect().await;
    for (c, t) in [
        (&mut p_rem, &rem.token),
        (&mut p_rita, &rita.token),
        (&mut p_ruth, &ruth.token),
        (&mut scribe, &sam.token),
        (&mut projector, &created.projector_token),
    ] {
        let w = c.hello(t, None).await.unwrap();
        assert!(matches!(w, ServerFrame::Welcome { resumed: false, .. }));
        assert!(c.state.is_some(), "snapshot after welcome");
    }
    let sam_id = PersonId(sam.person_id);

    // Tables: one paper table in the room (Sam scribes), two virtual breakouts.
    org.ok(Command::CreateTable {
        name: "Table A".into(),
        kind: TableKind::InRoom,
    })
    .await;
    org.ok(Command::CreateTable {
        name: "Breakout 1".into(),
        kind: TableKind::Virtual,
    })
    .await;
    org.ok(Command::CreateTable {
        name: "Breakout 2".into(),
        kind: TableKind::Virtual,
    })
    .await;
    let table_a = org
        .state()
        .tables
        .values()
        .find(|t| t.name == "Table A")
        .unwrap()
        .id;
    org.ok(Command::SetTableHost {
        table: table_a,
        person: Some(sam_id),
    })
    .await;
    org.ok(Command::SetPhase {
        phase: Phase::Ideate,
    })
    .await;

    // Two rounds with the World Café shuffle; everyone posts at the table they sit at.
    let mut remote_tables = Vec::new();
    for round in 1..=2 {
        org.ok(Command::StartRound {
            prompt: format!("Round {round}: what should change?"),
            duration_secs: 0,
            assignment: Assignment::Shuffle,
        })
        .await;
        for c in [&mut p_rem, &mut p_rita, &mut p_ruth, &mut scribe] {
            c.barrier().await;
        }
        let rem_table = p_rem.state().table_of(PersonId(rem.person_id)).unwrap();
        remote_tables.push(rem_table);
        post(&mut p_rem, &format!("Rémi idea round {round}")).await;
        post(&mut p_rita, &format!("Rita idea round {round}")).await;
        post(&mut p_ruth, &format!("Ruth idea round {round}")).await;
        // The scribe types in what the paper table wrote.
        post(&mut scribe, &format!("Paper note round {round}")).await;
    }
    assert_ne!(
        remote_tables[0], remote_tables[1],
        "the shuffle moved Rémi to a table he had not visited"
    );
    let board_a = org.state().tables[&table_a].board;
    org.barrier().await;
    assert!(org
        .state()
        .ideas
        .values()
        .filter(|i| i.board == board_a)
        .any(|i| i.scribed));

    // Grouping on the paper table's board.
    org.ok(Command::SetPhase {
        phase: Phase::Group,
    })
    .await;
    let a_ideas = ideas_on(org.state(), board_a);
    assert_eq!(a_ideas.len(), 4);
    org.ok(Command::CreateCluster {
        board: board_a,
        title: "Working rhythm".into(),
        ideas: vec![a_ideas[0]],
    })
    .await;
    p_ruth.barrier().await;
    let cluster = *p_ruth.state().clusters.keys().next().unwrap();
    // Ruth sits at Table A, so she can group its ideas too.
    p_ruth
        .ok(Command::MoveIdea {
            idea: a_ideas[1],
            cluster: Some(cluster),
        })
        .await;

    // A hidden dot vote on Table A's ideas.
    org.ok(Command::SetVoteDraft {
        draft: VoteDraft {
            scope: VoteScope::board(board_a),
            target: VoteTarget::Ideas,
            budget: 3,
            per_item_cap: 2,
            visibility: VoteVisibility::Hidden,
            title: None,
        },
    })
    .await;
    org.ok(Command::SetPhase { phase: Phase::Vote }).await;
    let vote = *org.state().votes.keys().next().unwrap();
    for c in [&mut p_rem, &mut p_rita, &mut p_ruth, &mut scribe] {
        c.barrier().await;
    }
    p_rem
        .ok(Command::CastDot {
            vote,
            item: a_ideas[0].0,
        })
        .await;
    p_rem
        .ok(Command::CastDot {
            vote,
            item: a_ideas[0].0,
        })
        .await;
    assert_eq!(
        p_rem
            .refused(Command::CastDot {
                vote,
                item: a_ideas[0].0
            })
            .await,
        ErrorCode::OverCap
    );
    p_rem
        .ok(Command::CastDot {
            vote,
            item: a_ideas[2].0,
        })
        .await;
    assert_eq!(
        p_rem
            .refused(Command::CastDot {
                vote,
                item: a_ideas[3].0
            })
            .await,
        ErrorCode::OverBudget,
        "the fourth dot is over the budget of 3"
    );
    p_rita
        .ok(Command::CastDot {
            vote,
            item: a_ideas[1].0,
        })
        .await;
    p_ruth
        .ok(Command::CastDot {
            vote,
            item: a_ideas[0].0,
        })
        .await;
    // The scribe enters the paper table's dots.
    scribe
        .ok(Command::SetTableHeadcount {
            table: table_a,
            headcount: 4,
        })
        .await;
    scribe
        .ok(Command::EnterTally {
            vote,
            table: table_a,
            counts: vec![
                ItemCount {
                    item: a_ideas[3].0,
                    dots: 3,
                },
                ItemCount {
                    item: a_ideas[1].0,
                    dots: 2,
                },
            ],
        })
        .await;

    // Hidden: participants see how many dots were cast but no totals yet.
    p_rita.barrier().await;
    let v = &p_rita.state().votes[&vote];
    assert_eq!(v.dots_cast, 3 + 1 + 1 + 5);
    assert!(v.totals.is_empty());
    assert_eq!(
        p_rem.state().votes[&vote].ballots.len(),
        1,
        "own ballot only"
    );

    org.ok(Command::RevealVote { vote }).await;
    for c in [&mut org, &mut p_rem, &mut p_rita, &mut p_ruth, &mut scribe] {
        c.barrier().await;
    }
    let ranking = p_rita.state().ranking(vote);
    assert_eq!(ranking[0].item, a_ideas[0].0);
    assert_eq!(ranking[0].dots, 3);
    assert_eq!(
        p_rita.state().votes[&vote].totals.get(&a_ideas[3].0),
        Some(&3)
    );

    // Every client holds exactly what a fresh snapshot of its view shows.
    let people = [
        (&created.organiser_token, &mut org),
        (&rem.token, &mut p_rem),
        (&rita.token, &mut p_rita),
        (&ruth.token, &mut p_ruth),
        (&sam.token, &mut scribe),
    ];
    for (token, c) in people {
        c.barrier().await;
        let fresh = server.enter(token).await;
        assert_eq!(
            comparable(c.state()),
            comparable(fresh.state()),
            "state of {:?} after events equals a fresh snapshot",
            c.you
        );
        assert!(c.events.len() > 10);
    }
    // The projector (public view) too; it cannot send commands, so a participant's
    // barrier after the last event makes sure its frames were queued.
    projector.ping().await;
    server
        .assert_matches_fresh(&projector, &created.projector_token)
        .await;
    assert_eq!(
        projector.refused(Command::RaiseHand).await,
        ErrorCode::Forbidden
    );

    // Exports: only for facilitators and the organiser.
    let path = |f: &str| format!("/api/cafes/{}/{f}", created.cafe_id);
    let r = server
        .get_with_token(&path("export.json"), &rem.token)
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = server.get(&path("export.json")).await;
    assert_eq!(r.status().as_u16(), 401);
    let export = server
        .get_with_token(&path("export.json"), &created.organiser_token)
        .await;
    assert_eq!(export.status().as_u16(), 200);
    let export = export.bytes().await.unwrap();

    let csv = server
        .get(&format!(
            "{}?token={}",
            path("export.csv"),
            created.organiser_token
        ))
        .await;
    assert_eq!(csv.status().as_u16(), 200);
    let csv = csv.text().await.unwrap();
    let md = server
        .get_with_token(&path("export.md"), &created.organiser_token)
        .await
        .text()
        .await
        .unwrap();
    for round in 1..=2 {
        for who in ["Rémi", "Rita", "Ruth"] {
            let text = format!("{who} idea round {round}");
            assert!(csv.contains(&text), "CSV has {text}");
            assert!(md.contains(&text), "Markdown has {text}");
        }
        assert!(csv.contains(&format!("Paper note round {round}")));
    }
    assert!(csv.lines().count() >= 9, "header plus one row per idea");
    assert!(md.contains("Future of work"));
    assert!(md.contains("Working rhythm"), "Markdown shows clusters");

    // The JSON export, imported, is a new café with the very same board.
    let r = server
        .http
        .post(server.url("/api/cafes/import"))
        .header("content-type", "application/json")
        .body(export.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let imported: cafe_tests::CreatedCafe = r.json().await.unwrap();
    assert_ne!(imported.cafe_id, created.cafe_id);
    let org2 = server.enter(&imported.organiser_token).await;
    let (a, b) = (org.state(), org2.state());
    assert_eq!(a.ideas, b.ideas);
    assert_eq!(a.clusters, b.clusters);
    assert_eq!(a.votes, b.votes);
    assert_eq!(a.tables, b.tables);
    assert_eq!(a.boards, b.boards);
    assert_eq!(a.rounds, b.rounds);
    assert_eq!(a.phase, b.phase);
    assert_eq!(
        a.info.as_ref().unwrap().title,
        b.info.as_ref().unwrap().title
    );

    // A broken import is a typed error.
    let r = server
        .http
        .post(server.url("/api/cafes/import"))
        .header("content-type", "application/json")
        .body("{\"format\":\"something else\",\"version\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "invalid");

    // Metrics saw the café.
    let metrics = server.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("cafe_events_total"));
    assert!(metrics.contains("cafe_connections"));
    let openapi: serde_json::Value = server.get("/api/openapi.json").await.json().await.unwrap();
    assert!(openapi["paths"]["/api/cafes"].is_object());

    // Events the participants received were all projected for them.
    assert!(p_rita
        .events
        .iter()
        .all(|(_, e)| !matches!(e, Event::DotCast { .. })));
    server.stop().await;
}

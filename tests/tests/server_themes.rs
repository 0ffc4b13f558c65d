//! Who makes themes, over real sockets: in a new café (settings left to the server) a
//! participant's `create_cluster` is refused with `forbidden`, nothing reaches anyone and
//! the connection carries on (she still sorts a note into the facilitator's theme); once
//! the facilitator sets `cluster_creators` to `everyone`, her theme is accepted and reaches
//! another phone. A café whose settings lack the field (as stored before it existed) lets
//! everyone make themes.

use cafe_shared::{BoardId, ClusterCreators, Command, ErrorCode, Event, Location, Phase, Settings};
use cafe_tests::TestServer;
use serde_json::json;

fn create(board: BoardId, title: &str) -> Command {
    Command::CreateCluster {
        board,
        title: title.into(),
        ideas: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_make_themes_only_when_the_setting_says_everyone() {
    let server = TestServer::start().await;
    let (cafe, mut org) = server.open_cafe("Themes", json!({})).await;
    assert_eq!(
        org.state().settings().cluster_creators,
        ClusterCreators::Facilitators,
        "a new café leaves themes to facilitators"
    );
    let plenary = org.ideate().await;
    org.post(plenary, "Four-day week").await;
    let (_, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    let (_, mut ben) = server.arrive(&cafe.code, "Ben", Location::Remote).await;
    org.ok(Command::SetPhase {
        phase: Phase::Group,
    })
    .await;
    org.ok(create(plenary, "Time")).await;
    ana.barrier().await;
    let time = *ana.state().clusters.keys().next().expect("the theme");
    let note = *ana.state().ideas.keys().next().expect("the note");

    // Facilitators only: a typed refusal, nothing written…
    assert_eq!(
        ana.refused(create(plenary, "Money")).await,
        ErrorCode::Forbidden
    );
    assert_eq!(
        ana.refused(Command::RenameCluster {
            cluster: time,
            title: "Hours".into()
        })
        .await,
        ErrorCode::Forbidden
    );
    // …and the same connection still sorts notes into the facilitator's theme.
    ana.ok(Command::MoveIdea {
        idea: note,
        cluster: Some(time),
    })
    .await;
    ben.wait_for_event(|e| matches!(e, Event::IdeaMoved { cluster: Some(c), .. } if *c == time))
        .await;
    org.barrier().await;
    let titles = |s: &cafe_shared::CafeState| {
        s.clusters
            .values()
            .map(|c| c.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(org.state()), ["Time"]);
    assert_eq!(titles(ben.state()), ["Time"]);

    // Everyone: the facilitator changes the setting, and Ana's theme goes through.
    org.ok(Command::UpdateCafe {
        title: None,
        description: None,
        mode: None,
        language: None,
        settings: Some(Settings {
            cluster_creators: ClusterCreators::Everyone,
            ..org.state().settings()
        }),
    })
    .await;
    ana.barrier().await;
    assert_eq!(
        ana.state().settings().cluster_creators,
        ClusterCreators::Everyone
    );
    ana.ok(create(plenary, "Money")).await;
    ben.wait_for_event(
        |e| matches!(e, Event::ClusterCreated { cluster } if cluster.title == "Money"),
    )
    .await;
    assert_eq!(titles(ben.state()), ["Time", "Money"]);
    ana.ok(Command::RenameCluster {
        cluster: time,
        title: "Hours".into(),
    })
    .await;
    org.barrier().await;
    assert_eq!(titles(org.state()), ["Hours", "Money"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_without_the_field_read_as_everyone() {
    let server = TestServer::start().await;
    // What a client (or a stored café) from before the setting sends.
    let old = json!({"settings": {
        "anonymous": false,
        "moderation": false,
        "default_budget": 5,
        "default_per_item_cap": 3,
        "default_visibility": "hidden"
    }});
    let (cafe, mut org) = server.open_cafe("Old", old).await;
    let plenary = org.ideate().await;
    org.ok(Command::SetPhase {
        phase: Phase::Group,
    })
    .await;
    let (_, mut ana) = server.arrive(&cafe.code, "Ana", Location::Room).await;
    ana.ok(create(plenary, "Time")).await;
    org.barrier().await;
    assert_eq!(org.state().clusters.len(), 1);
    assert_eq!(
        org.state().settings().cluster_creators,
        ClusterCreators::Everyone
    );
}

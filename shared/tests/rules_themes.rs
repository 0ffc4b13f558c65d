//! Themes (clusters): who may make them in which phase, rename, merge, delete, move notes
//! between them, and the limit per café.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

fn create_cluster(board: BoardId, title: &str, ideas: &[IdeaId]) -> Command {
    Command::CreateCluster {
        board,
        title: title.into(),
        ideas: ideas.to_vec(),
    }
}

/// A café where everyone makes themes (new cafés leave it to facilitators and hosts).
fn everyone_makes_themes() -> Settings {
    Settings {
        cluster_creators: ClusterCreators::Everyone,
        ..Settings::default()
    }
}

#[test]
fn clustering_by_role_and_phase() {
    let mut r = Room::with_settings(everyone_makes_themes());
    r.phase(Phase::Ideate);
    let a = r.cafe.post(r.part, r.board, "a");
    let b = r.cafe.post(r.part, r.board, "b");
    let p = r.cafe.post(r.other, r.plenary, "p");
    // Ideate: facilitators and the board's host group; participants wait.
    r.cafe.rejects(
        r.part,
        create_cluster(r.board, "c", &[]),
        ErrorCode::NotAllowedInPhase,
    );
    r.cafe.rejects(
        r.host,
        create_cluster(r.plenary, "c", &[]),
        ErrorCode::NotAllowedInPhase,
    );
    r.cafe.cluster(r.host, r.board, &[a]);
    r.cafe.cluster(r.fac, r.plenary, &[p]);
    // Group: everyone on the boards they may write on.
    r.phase(Phase::Group);
    let c = r.cafe.cluster(r.part, r.board, &[b]);
    assert_eq!(r.cafe.state.ideas[&b].cluster, Some(c));
    r.cafe.rejects(
        r.remote,
        create_cluster(r.board, "c", &[]),
        ErrorCode::Forbidden,
    );
    r.cafe.cluster(r.remote, r.plenary, &[]);
    for phase in [Phase::Lobby, Phase::Vote, Phase::Results] {
        r.phase(phase);
        for who in r.everyone() {
            r.cafe.rejects(
                who,
                create_cluster(r.plenary, "c", &[]),
                ErrorCode::NotAllowedInPhase,
            );
        }
    }
    r.cafe.assert_replays();
}

#[test]
fn cluster_commands() {
    let mut r = Room::with_settings(everyone_makes_themes());
    r.phase(Phase::Group);
    let a = r.cafe.post(r.fac, r.board, "a");
    let b = r.cafe.post(r.fac, r.board, "b");
    let p = r.cafe.post(r.fac, r.plenary, "p");
    // Create: ideas must be on the board, once each; title rules.
    r.cafe.rejects(
        r.part,
        create_cluster(r.board, "c", &[p]),
        ErrorCode::Invalid,
    );
    r.cafe.rejects(
        r.part,
        create_cluster(r.board, "c", &[a, a]),
        ErrorCode::Invalid,
    );
    r.cafe.rejects(
        r.part,
        create_cluster(r.board, "c", &[IdeaId(999)]),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.part,
        create_cluster(BoardId(999), "c", &[]),
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.part,
        create_cluster(r.board, " ", &[]),
        ErrorCode::TooShort,
    );
    r.cafe.rejects(
        r.part,
        create_cluster(r.board, &"t".repeat(limits::CLUSTER_TITLE_MAX + 1), &[]),
        ErrorCode::TooLong,
    );
    let ca = r.cafe.cluster(r.part, r.board, &[a]);
    let cb = r.cafe.cluster(r.part, r.board, &[]);
    let cp = r.cafe.cluster(r.fac, r.plenary, &[]);
    assert_eq!(r.cafe.state.clusters[&ca].board, r.board);
    // Rename.
    let rename = |cluster, title: &str| Command::RenameCluster {
        cluster,
        title: title.into(),
    };
    r.cafe.ok(r.part, rename(ca, "Work"));
    r.cafe.noop(r.part, rename(ca, " Work "));
    r.cafe.rejects(r.part, rename(ca, ""), ErrorCode::TooShort);
    r.cafe
        .rejects(r.part, rename(ClusterId(999), "x"), ErrorCode::NotFound);
    r.cafe
        .rejects(r.remote, rename(ca, "x"), ErrorCode::Forbidden);
    // Move.
    let mv = |idea, cluster| Command::MoveIdea { idea, cluster };
    r.cafe.ok(r.part, mv(b, Some(cb)));
    r.cafe.noop(r.part, mv(b, Some(cb)));
    r.cafe.rejects(r.part, mv(b, Some(cp)), ErrorCode::Invalid);
    r.cafe
        .rejects(r.part, mv(b, Some(ClusterId(999))), ErrorCode::NotFound);
    r.cafe
        .rejects(r.part, mv(IdeaId(999), None), ErrorCode::NotFound);
    r.cafe.rejects(r.remote, mv(b, None), ErrorCode::Forbidden);
    r.cafe.ok(r.part, mv(b, None));
    assert_eq!(r.cafe.state.ideas[&b].cluster, None);
    r.cafe.ok(r.part, mv(b, Some(cb)));
    // Merge.
    let merge = |from, into| Command::MergeClusters { from, into };
    r.cafe.rejects(r.part, merge(ca, ca), ErrorCode::Invalid);
    r.cafe.rejects(r.part, merge(ca, cp), ErrorCode::Invalid);
    r.cafe
        .rejects(r.part, merge(ca, ClusterId(999)), ErrorCode::NotFound);
    r.cafe
        .rejects(r.remote, merge(cb, ca), ErrorCode::Forbidden);
    r.cafe.ok(r.part, merge(cb, ca));
    assert!(!r.cafe.state.clusters.contains_key(&cb));
    assert_eq!(r.cafe.state.ideas[&a].cluster, Some(ca));
    assert_eq!(r.cafe.state.ideas[&b].cluster, Some(ca));
    // Delete: ideas stay, unclustered.
    let del = |cluster| Command::DeleteCluster { cluster };
    r.cafe.rejects(r.remote, del(ca), ErrorCode::Forbidden);
    r.cafe.rejects(r.part, del(cb), ErrorCode::NotFound);
    r.cafe.ok(r.part, del(ca));
    assert!(r.cafe.state.ideas.values().all(|i| i.cluster.is_none()));
    assert_eq!(r.cafe.state.ideas.len(), 3);
    // Nothing of this outside the group (or ideate) phase.
    for phase in [Phase::Vote, Phase::Results, Phase::Lobby] {
        r.phase(phase);
        r.cafe
            .rejects(r.fac, rename(cp, "x"), ErrorCode::NotAllowedInPhase);
        r.cafe
            .rejects(r.fac, mv(p, Some(cp)), ErrorCode::NotAllowedInPhase);
        r.cafe.rejects(r.fac, del(cp), ErrorCode::NotAllowedInPhase);
    }
    r.cafe.assert_replays();
}

#[test]
fn who_makes_themes_follows_the_setting() {
    // New cafés: facilitators, and a table's host on that table's board.
    assert_eq!(
        Settings::default().cluster_creators,
        ClusterCreators::Facilitators
    );
    let mut r = Room::new();
    r.phase(Phase::Group);
    let a = r.cafe.post(r.fac, r.board, "a");
    let p = r.cafe.post(r.fac, r.plenary, "p");
    let s = &r.cafe.state;
    for (who, board) in [(r.part, r.board), (r.part, r.plenary), (r.host, r.plenary)] {
        assert_eq!(
            s.may_create_cluster(who, board).map_err(|e| e.code),
            Err(ErrorCode::Forbidden),
            "{who} on {board}"
        );
        // Sorting notes stays everyone's: may_group is unchanged.
        assert_eq!(s.may_group(who, board), Ok(()));
    }
    assert_eq!(s.may_create_cluster(r.host, r.board), Ok(()));
    assert_eq!(s.may_create_cluster(r.fac, r.plenary), Ok(()));
    r.cafe.rejects(
        r.part,
        create_cluster(r.plenary, "c", &[]),
        ErrorCode::Forbidden,
    );
    let cp = r.cafe.cluster(r.fac, r.plenary, &[]);
    let cq = r.cafe.cluster(r.fac, r.plenary, &[]);
    let ct = r.cafe.cluster(r.host, r.board, &[]);
    // Participants sort notes into the facilitator's themes…
    r.cafe.ok(
        r.part,
        Command::MoveIdea {
            idea: p,
            cluster: Some(cp),
        },
    );
    r.cafe.ok(
        r.part,
        Command::MoveIdea {
            idea: a,
            cluster: Some(ct),
        },
    );
    // …but neither rename, merge nor delete them.
    let rename = Command::RenameCluster {
        cluster: cp,
        title: "x".into(),
    };
    let merge = Command::MergeClusters { from: cq, into: cp };
    let delete = Command::DeleteCluster { cluster: ct };
    for cmd in [rename.clone(), merge.clone(), delete.clone()] {
        r.cafe.rejects(r.part, cmd, ErrorCode::Forbidden);
    }
    assert_eq!(
        r.cafe
            .state
            .may_change_cluster(r.part, cp)
            .map_err(|e| e.code),
        Err(ErrorCode::Forbidden)
    );
    assert_eq!(
        r.cafe
            .state
            .may_merge_clusters(r.part, cq, cp)
            .map_err(|e| e.code),
        Err(ErrorCode::Forbidden)
    );
    // The host keeps their own table's themes.
    r.cafe.ok(
        r.host,
        Command::RenameCluster {
            cluster: ct,
            title: "Mine".into(),
        },
    );
    // Everyone: the facilitator switches it on, and participants make themes.
    let org = r.cafe.org;
    r.cafe.ok(
        org,
        Command::UpdateCafe {
            title: None,
            description: None,
            mode: None,
            language: None,
            settings: Some(everyone_makes_themes()),
        },
    );
    assert_eq!(r.cafe.state.may_create_cluster(r.part, r.plenary), Ok(()));
    r.cafe.cluster(r.part, r.plenary, &[]);
    r.cafe.ok(r.part, rename);
    r.cafe.ok(r.part, merge);
    r.cafe.ok(r.part, delete);
    r.cafe.assert_replays();
}

#[test]
fn settings_stored_before_cluster_creators_read_as_everyone() {
    let mut v = serde_json::to_value(Settings::default()).expect("settings serialize");
    assert_eq!(v["cluster_creators"], "facilitators");
    v.as_object_mut()
        .expect("an object")
        .remove("cluster_creators");
    let old: Settings = serde_json::from_value(v).expect("old settings still read");
    assert_eq!(old.cluster_creators, ClusterCreators::Everyone);
}

#[test]
fn grouping_hidden_ideas_of_others_is_not_found() {
    let mut r = Room::with_settings(Settings {
        moderation: true,
        ..everyone_makes_themes()
    });
    r.phase(Phase::Ideate);
    let hidden = r.cafe.post(r.other, r.plenary, "pending");
    r.phase(Phase::Group);
    let c = r.cafe.cluster(r.part, r.plenary, &[]);
    r.cafe.rejects(
        r.part,
        Command::MoveIdea {
            idea: hidden,
            cluster: Some(c),
        },
        ErrorCode::NotFound,
    );
    r.cafe.rejects(
        r.part,
        create_cluster(r.plenary, "c", &[hidden]),
        ErrorCode::NotFound,
    );
    r.cafe.ok(
        r.other,
        Command::MoveIdea {
            idea: hidden,
            cluster: Some(c),
        },
    );
    r.cafe.ok(
        r.fac,
        Command::MoveIdea {
            idea: hidden,
            cluster: None,
        },
    );
}

#[test]
fn cluster_limit() {
    let mut c = Cafe::new();
    let org = c.org;
    let plenary = c.plenary();
    c.phase(Phase::Group);
    for _ in 0..limits::CLUSTERS_PER_CAFE_MAX {
        c.cluster(org, plenary, &[]);
    }
    c.rejects(
        org,
        create_cluster(plenary, "one too many", &[]),
        ErrorCode::LimitReached,
    );
}

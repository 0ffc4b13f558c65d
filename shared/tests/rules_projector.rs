//! The board on the projector (issue 11, item 5): the plenary by default, switched by a
//! facilitator from the console so nobody has to touch the projector's laptop.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

#[test]
fn the_projector_shows_the_plenary_until_a_facilitator_picks_a_board() {
    let mut r = Room::new();
    assert_eq!(r.cafe.state.projector_board, None);
    assert_eq!(r.cafe.state.projected_board(), Some(r.plenary));
    // Choosing what is already shown changes nothing.
    r.cafe.noop(
        r.org,
        Command::SetProjector {
            board: r.plenary,
            view: ProjectorView::Board,
        },
    );
    assert_eq!(
        r.cafe.ok(
            r.fac,
            Command::SetProjector {
                board: r.board2,
                view: ProjectorView::Board
            }
        ),
        vec![Event::ProjectorSet {
            board: r.board2,
            view: ProjectorView::Board
        }]
    );
    assert_eq!(r.cafe.state.projected_board(), Some(r.board2));
    r.cafe.noop(
        r.org,
        Command::SetProjector {
            board: r.board2,
            view: ProjectorView::Board,
        },
    );
    // Back to the plenary is an event like any other.
    r.cafe.ok(
        r.org,
        Command::SetProjector {
            board: r.plenary,
            view: ProjectorView::Board,
        },
    );
    assert_eq!(r.cafe.state.projected_board(), Some(r.plenary));
    r.cafe.assert_replays();
}

#[test]
fn only_facilitators_switch_and_only_to_a_board_that_exists() {
    let mut r = Room::new();
    for p in [r.host, r.part, r.remote, r.other] {
        r.cafe.rejects(
            p,
            Command::SetProjector {
                board: r.board,
                view: ProjectorView::Board,
            },
            ErrorCode::Forbidden,
        );
        assert_eq!(
            r.cafe.state.may_set_projector(p, r.board).unwrap_err().code,
            ErrorCode::Forbidden
        );
    }
    r.cafe.rejects(
        r.org,
        Command::SetProjector {
            board: BoardId(9_999),
            view: ProjectorView::WordCloud,
        },
        ErrorCode::NotFound,
    );
    assert_eq!(r.cafe.state.projected_board(), Some(r.plenary));
    // Any open phase; a closed café refuses it like every command but `set_phase`.
    for phase in [Phase::Ideate, Phase::Group, Phase::Vote, Phase::Results] {
        r.phase(phase);
        r.cafe.ok(
            r.fac,
            Command::SetProjector {
                board: r.board,
                view: ProjectorView::Board,
            },
        );
        r.cafe.ok(
            r.fac,
            Command::SetProjector {
                board: r.plenary,
                view: ProjectorView::Board,
            },
        );
    }
    r.phase(Phase::Closed);
    r.cafe.rejects(
        r.org,
        Command::SetProjector {
            board: r.board,
            view: ProjectorView::Board,
        },
        ErrorCode::NotAllowedInPhase,
    );
}

#[test]
fn a_snapshot_from_before_the_switch_loads_on_the_plenary() {
    let r = Room::new();
    let mut json = serde_json::to_value(&r.cafe.state).expect("serializes");
    json.as_object_mut()
        .expect("an object")
        .remove("projector_board")
        .expect("the field is written");
    let old: CafeState = serde_json::from_value(json).expect("an old snapshot loads");
    assert_eq!(old, r.cafe.state);
    assert_eq!(old.projected_board(), Some(r.plenary));
}

#[test]
fn the_word_cloud_is_a_view_of_the_projected_board() {
    let mut r = Room::new();
    assert_eq!(r.cafe.state.projector_view, ProjectorView::Board);
    let cloud = |board| Command::SetProjector {
        board,
        view: ProjectorView::WordCloud,
    };
    // Same board, another view: an event.
    assert_eq!(
        r.cafe.ok(r.fac, cloud(r.plenary)),
        vec![Event::ProjectorSet {
            board: r.plenary,
            view: ProjectorView::WordCloud
        }]
    );
    assert_eq!(r.cafe.state.projector_view, ProjectorView::WordCloud);
    r.cafe.noop(r.org, cloud(r.plenary));
    // Another board keeps the view it is sent with.
    r.cafe.ok(r.org, cloud(r.board2));
    assert_eq!(r.cafe.state.projected_board(), Some(r.board2));
    assert_eq!(r.cafe.state.projector_view, ProjectorView::WordCloud);
    r.cafe
        .rejects(r.part, cloud(r.plenary), ErrorCode::Forbidden);
    r.cafe.ok(
        r.org,
        Command::SetProjector {
            board: r.board2,
            view: ProjectorView::Board,
        },
    );
    assert_eq!(r.cafe.state.projector_view, ProjectorView::Board);
    r.cafe.assert_replays();
}

#[test]
fn the_view_is_left_out_of_the_wire_when_it_is_the_board() {
    // Old logs and snapshots (no `view`) read as `board`, and `board` is written as before.
    let e: Event = serde_json::from_str(r#"{"type":"projector_set","board":11}"#).expect("old");
    assert_eq!(
        e,
        Event::ProjectorSet {
            board: BoardId(11),
            view: ProjectorView::Board
        }
    );
    assert_eq!(
        serde_json::to_string(&e).expect("serializes"),
        r#"{"type":"projector_set","board":11}"#
    );
    let c: Command =
        serde_json::from_str(r#"{"type":"set_projector","board":1,"view":"word_cloud"}"#)
            .expect("parses");
    assert_eq!(
        c,
        Command::SetProjector {
            board: BoardId(1),
            view: ProjectorView::WordCloud
        }
    );
    let mut r = Room::new();
    let json = serde_json::to_value(&r.cafe.state).expect("serializes");
    assert!(
        json.get("projector_view").is_none(),
        "the default is left out"
    );
    r.cafe.ok(
        r.org,
        Command::SetProjector {
            board: r.plenary,
            view: ProjectorView::WordCloud,
        },
    );
    let json = serde_json::to_value(&r.cafe.state).expect("serializes");
    assert_eq!(json["projector_view"], "word_cloud");
    crate::check_names();
}

fn check_names() {
    for v in ProjectorView::ALL {
        assert_eq!(
            serde_json::to_value(v).expect("serializes"),
            serde_json::Value::String(v.as_str().into())
        );
    }
    assert_eq!(ProjectorView::ALL.len(), 2);
}

#[test]
fn anyone_in_the_cafe_may_react_but_not_once_it_is_closed() {
    let mut r = Room::new();
    for p in [r.org, r.fac, r.host, r.part, r.remote] {
        assert_eq!(r.cafe.state.may_react(p), Ok(()));
        r.cafe.noop(
            p,
            Command::React {
                reaction: Reaction::Clap,
            },
        );
    }
    r.phase(Phase::Closed);
    assert_eq!(
        r.cafe.state.may_react(r.part).unwrap_err().code,
        ErrorCode::NotAllowedInPhase
    );
    r.cafe.rejects(
        r.part,
        Command::React {
            reaction: Reaction::Heart,
        },
        ErrorCode::NotAllowedInPhase,
    );
}

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
    r.cafe
        .noop(r.org, Command::SetProjector { board: r.plenary });
    assert_eq!(
        r.cafe.ok(r.fac, Command::SetProjector { board: r.board2 }),
        vec![Event::ProjectorSet { board: r.board2 }]
    );
    assert_eq!(r.cafe.state.projected_board(), Some(r.board2));
    r.cafe
        .noop(r.org, Command::SetProjector { board: r.board2 });
    // Back to the plenary is an event like any other.
    r.cafe.ok(r.org, Command::SetProjector { board: r.plenary });
    assert_eq!(r.cafe.state.projected_board(), Some(r.plenary));
    r.cafe.assert_replays();
}

#[test]
fn only_facilitators_switch_and_only_to_a_board_that_exists() {
    let mut r = Room::new();
    for p in [r.host, r.part, r.remote, r.other] {
        r.cafe.rejects(
            p,
            Command::SetProjector { board: r.board },
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
        },
        ErrorCode::NotFound,
    );
    assert_eq!(r.cafe.state.projected_board(), Some(r.plenary));
    // Any open phase; a closed café refuses it like every command but `set_phase`.
    for phase in [Phase::Ideate, Phase::Group, Phase::Vote, Phase::Results] {
        r.phase(phase);
        r.cafe.ok(r.fac, Command::SetProjector { board: r.board });
        r.cafe.ok(r.fac, Command::SetProjector { board: r.plenary });
    }
    r.phase(Phase::Closed);
    r.cafe.rejects(
        r.org,
        Command::SetProjector { board: r.board },
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

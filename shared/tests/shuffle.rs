//! The World Café shuffle sends travellers to tables they have not visited whenever the
//! tables allow it. Small cafés with random seating histories are solved by brute force:
//! among all seatings with the same table sizes as the shuffle's, none may have fewer
//! revisits; nor among all seatings that keep every table within the shuffle's capacity.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A small hybrid café: in-room tables (each maybe hosted), virtual tables, travellers in
/// the room and remote, and the seatings of earlier rounds (one table choice per traveller).
#[derive(Debug, Clone)]
struct Setup {
    hosted: Vec<bool>,
    virt: usize,
    n_room: usize,
    n_remote: usize,
    history: Vec<Vec<u8>>,
    seed: u64,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(any::<bool>(), 1..=3),
        0usize..=2,
        0usize..=6,
        0usize..=4,
        prop::collection::vec(prop::collection::vec(any::<u8>(), 10), 0..=4),
        any::<u64>(),
    )
        .prop_map(|(hosted, virt, n_room, n_remote, history, seed)| Setup {
            hosted,
            virt,
            n_room,
            n_remote,
            history,
            seed,
        })
}

/// Builds the café through `decide`, earlier rounds seated by hand as `history` says.
fn build(s: &Setup) -> Cafe {
    let mut c = Cafe::new();
    let org = c.org;
    for (i, hosted) in s.hosted.iter().enumerate() {
        let (t, _) = c.table(&format!("R{i}"), TableKind::InRoom);
        if *hosted {
            let h = c.join(&format!("host{i}"), Role::Participant, Location::Room);
            c.ok(
                org,
                Command::SetTableHost {
                    table: t,
                    person: Some(h),
                },
            );
        }
    }
    for i in 0..s.virt {
        c.table(&format!("V{i}"), TableKind::Virtual);
    }
    let mut travellers = Vec::new();
    for i in 0..s.n_room {
        travellers.push(c.join(&format!("room{i}"), Role::Participant, Location::Room));
    }
    for i in 0..s.n_remote {
        travellers.push(c.join(&format!("remote{i}"), Role::Participant, Location::Remote));
    }
    for (round, choices) in s.history.iter().enumerate() {
        let seats = travellers
            .iter()
            .zip(choices)
            .filter_map(|(p, x)| {
                let fits: Vec<TableId> = c
                    .state
                    .tables
                    .values()
                    .filter(|t| t.kind.fits(c.state.people[p].location))
                    .map(|t| t.id)
                    .collect();
                (!fits.is_empty()).then(|| Seat {
                    person: *p,
                    table: fits[usize::from(*x) % fits.len()],
                })
            })
            .collect();
        c.ok(
            org,
            Command::StartRound {
                prompt: format!("round {round}"),
                duration_secs: 0,
                assignment: Assignment::Manual { seats },
            },
        );
    }
    c
}

/// Fewest revisits of `people` over all seatings at `tables` whose table loads pass `fits`.
fn fewest_revisits(
    state: &CafeState,
    people: &[PersonId],
    tables: &[TableId],
    fits: &dyn Fn(&BTreeMap<TableId, usize>) -> bool,
) -> Option<usize> {
    let k = tables.len();
    let total = k.pow(people.len() as u32);
    let mut best = None::<usize>;
    for mut code in 0..total {
        let mut load: BTreeMap<TableId, usize> = tables.iter().map(|t| (*t, 0)).collect();
        let mut revisits = 0;
        for p in people {
            let t = tables[code % k];
            code /= k;
            *load.entry(t).or_default() += 1;
            if state.people[p].visited.contains(&t) {
                revisits += 1;
            }
        }
        if fits(&load) && best.is_none_or(|b| revisits < b) {
            best = Some(revisits);
        }
    }
    best
}

fn check(s: &Setup) -> Result<(), TestCaseError> {
    let c = build(s);
    let state = &c.state;
    let seats = shuffle::shuffle(state, s.seed);
    prop_assert_eq!(&seats, &shuffle::shuffle(state, s.seed), "deterministic");
    for t in state.tables.values() {
        if let Some(h) = t.host {
            prop_assert_eq!(seats.get(&h), Some(&t.id), "hosts stay");
        }
    }
    let travellers = shuffle::travellers(state);
    for kind in [TableKind::InRoom, TableKind::Virtual] {
        let tables: Vec<TableId> = state
            .tables
            .values()
            .filter(|t| t.kind == kind)
            .map(|t| t.id)
            .collect();
        let people: Vec<PersonId> = travellers
            .iter()
            .copied()
            .filter(|p| kind.fits(state.people[p].location))
            .collect();
        if tables.is_empty() {
            for p in &people {
                prop_assert!(!seats.contains_key(p), "no table fits {p}: unseated");
            }
            continue;
        }
        let mut load: BTreeMap<TableId, usize> = tables.iter().map(|t| (*t, 0)).collect();
        let mut revisits = 0;
        for p in &people {
            let t = seats.get(p).copied();
            prop_assert!(t.is_some(), "{p} is seated");
            let t = t.unwrap_or(TableId(0));
            prop_assert!(tables.contains(&t), "{p} sits at a table of the right kind");
            *load.entry(t).or_default() += 1;
            if state.people[p].visited.contains(&t) {
                revisits += 1;
            }
        }
        let cap = shuffle::capacity(people.len(), tables.len());
        prop_assert!(
            load.values().all(|n| *n <= cap),
            "loads {load:?} > cap {cap}"
        );
        let same_sizes = fewest_revisits(state, &people, &tables, &|l| *l == load);
        prop_assert_eq!(
            Some(revisits),
            same_sizes,
            "the same table sizes {:?} allow fewer revisits; seating {:?}, visited {:?}",
            load,
            seats,
            people
                .iter()
                .map(|p| (*p, state.people[p].visited.clone()))
                .collect::<BTreeMap<PersonId, BTreeSet<TableId>>>()
        );
        let within_cap =
            fewest_revisits(state, &people, &tables, &|l| l.values().all(|n| *n <= cap));
        prop_assert_eq!(
            Some(revisits),
            within_cap,
            "a seating within capacity {} has fewer revisits",
            cap
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn shuffle_avoids_every_avoidable_revisit(s in setup()) {
        check(&s)?;
    }
}

/// Tables are kept evenly filled when that costs no revisit: fresh travellers spread out.
#[test]
fn fresh_travellers_spread_evenly() {
    let s = Setup {
        hosted: vec![true, false, true],
        virt: 2,
        n_room: 7,
        n_remote: 3,
        history: vec![],
        seed: 5,
    };
    let c = build(&s);
    let seats = shuffle::shuffle(&c.state, s.seed);
    let travellers = shuffle::travellers(&c.state);
    let mut load: BTreeMap<TableId, usize> = BTreeMap::new();
    for p in &travellers {
        *load.entry(seats[p]).or_default() += 1;
    }
    let mut sizes: Vec<usize> = load.values().copied().collect();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![1, 2, 2, 2, 3]);
}

//! World Café seating. Hosts stay at their tables; everyone else travels to a table they have
//! not sat at yet, in-room people to in-room tables and remote people to virtual ones, with
//! tables kept evenly filled.

use crate::ids::{PersonId, TableId};
use crate::model::{CafeState, Location, Role, TableKind};
use std::collections::BTreeMap;

/// A fixed, portable mix (SplitMix64's finaliser): the same seed gives the same seating on
/// the server and in tests, and needs no RNG crate in a wasm build.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The soft capacity used for a table kind: tables are filled evenly up to this many
/// travellers each.
pub fn capacity(travellers: usize, tables: usize) -> usize {
    if tables == 0 {
        0
    } else {
        travellers.div_ceil(tables)
    }
}

/// People who move between tables: active participants (and hosts without a table).
pub fn travellers(state: &CafeState) -> Vec<PersonId> {
    state
        .active_people()
        .filter(|p| matches!(p.role, Role::Participant | Role::Host))
        .filter(|p| !state.tables.values().any(|t| t.host == Some(p.id)))
        .map(|p| p.id)
        .collect()
}

pub fn shuffle(state: &CafeState, seed: u64) -> BTreeMap<PersonId, TableId> {
    let mut out = BTreeMap::new();
    for t in state.tables.values() {
        if let Some(h) = t.host {
            out.insert(h, t.id);
        }
    }
    let all = travellers(state);
    for (kind, loc) in [
        (TableKind::InRoom, Location::Room),
        (TableKind::Virtual, Location::Remote),
    ] {
        let tables: Vec<TableId> = state
            .tables
            .values()
            .filter(|t| t.kind == kind)
            .map(|t| t.id)
            .collect();
        if tables.is_empty() {
            // Nowhere that fits: these people stay unseated (they still see the plenary).
            continue;
        }
        let mut people: Vec<PersonId> = all
            .iter()
            .copied()
            .filter(|p| state.people.get(p).is_some_and(|p| p.location == loc))
            .collect();
        let cap = capacity(people.len(), tables.len());
        let unvisited = |p: PersonId| -> usize {
            let visited = state.people.get(&p).map(|p| &p.visited);
            tables
                .iter()
                .filter(|t| !visited.is_some_and(|v| v.contains(t)))
                .count()
        };
        // The most constrained travellers choose first, so fewer of them are forced back to
        // a table they know; the seed breaks ties so rounds differ.
        people.sort_by_key(|p| (unvisited(*p), mix(seed ^ p.0)));
        let mut load: BTreeMap<TableId, usize> = tables.iter().map(|t| (*t, 0)).collect();
        for p in people {
            let visited = state
                .people
                .get(&p)
                .map(|x| x.visited.clone())
                .unwrap_or_default();
            let key = |t: &TableId| (load[t], mix(seed ^ p.0.rotate_left(17) ^ t.0));
            let choice = tables
                .iter()
                .filter(|t| load[t] < cap && !visited.contains(t))
                .min_by_key(|t| key(t))
                .or_else(|| {
                    tables
                        .iter()
                        .filter(|t| load[t] < cap)
                        .min_by_key(|t| key(t))
                })
                .or_else(|| tables.iter().min_by_key(|t| key(t)))
                .copied();
            if let Some(t) = choice {
                *load.entry(t).or_default() += 1;
                out.insert(p, t);
            }
        }
    }
    out
}

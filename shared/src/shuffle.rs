//! World Café seating. Hosts stay at their tables; everyone else travels to a table they have
//! not sat at yet whenever the seating allows it, in-room people to in-room tables and remote
//! people to virtual ones, with tables kept evenly filled.

use crate::ids::{PersonId, TableId};
use crate::model::{CafeState, Location, Role, TableKind};
use std::collections::{BTreeMap, VecDeque};

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

/// Seats every traveller for a new round. Hosts stay at their tables. In-room people go to
/// in-room tables and remote people to virtual ones, each table taking at most
/// [`capacity`] travellers. Within that, the seating has the fewest revisits possible: a
/// traveller returns to a table they sat at only when no seating of the others could have
/// avoided it (the total of revisits is the least possible). Tables fill one seat at a time
/// so they stay even; the seed picks among equal choices, so rounds differ and the same seed
/// gives the same seating.
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
        people.sort_by_key(|p| mix(seed ^ p.0));
        let cap = capacity(people.len(), tables.len());
        let tie = |p: PersonId, t: TableId| mix(seed ^ p.0.rotate_left(17) ^ t.0);
        let fresh = people
            .iter()
            .map(|p| {
                let visited = state.people.get(p).map(|x| &x.visited);
                let mut fresh: Vec<usize> = (0..tables.len())
                    .filter(|t| !visited.is_some_and(|v| v.contains(&tables[*t])))
                    .collect();
                fresh.sort_by_key(|t| tie(*p, tables[*t]));
                fresh
            })
            .collect();
        let mut seating = Seating::new(fresh, tables.len());
        seating.fill(cap);
        // Whoever is left has every unvisited table full: they revisit, at the emptiest table.
        for (i, p) in people.iter().enumerate() {
            let t = match seating.at[i] {
                Some(t) => t,
                None => {
                    let Some(t) = (0..tables.len())
                        .filter(|t| seating.members[*t].len() < cap)
                        .min_by_key(|t| (seating.members[*t].len(), tie(*p, tables[*t])))
                    else {
                        // Cannot happen: `cap` seats at every table hold all travellers.
                        continue;
                    };
                    seating.members[t].push(i);
                    t
                }
            };
            out.insert(*p, tables[t]);
        }
    }
    out
}

/// Travellers seated at tables they have not visited, as a maximum bipartite matching in
/// which a table takes several people.
///
/// Why by hand: seating is an assignment problem, but its costs are only "new table" or
/// "revisit", so a maximum matching over the new-table edges is an exact minimum-revisit
/// seating. Augmenting paths (Kuhn's algorithm) find it in a few dozen lines, in
/// O(people × edges) at worst and usually near-linear. A general solver such as
/// `pathfinding::kuhn_munkres` would need a dense people × seats matrix: O(n³) time and
/// n² memory for a café of `PEOPLE_PER_CAFE_MAX`, and six more crates in the browser bundle.
struct Seating {
    /// For each traveller, the tables they have not visited, in the seed's order.
    fresh: Vec<Vec<usize>>,
    /// The table each traveller sits at, once seated.
    at: Vec<Option<usize>>,
    /// The travellers at each table.
    members: Vec<Vec<usize>>,
    /// Tables a search has found full and not on any path to a free seat. A failed search
    /// changes nothing, so its marks stay true until a search succeeds.
    full: Vec<bool>,
}

impl Seating {
    fn new(fresh: Vec<Vec<usize>>, tables: usize) -> Self {
        Seating {
            at: vec![None; fresh.len()],
            fresh,
            members: vec![Vec::new(); tables],
            full: vec![false; tables],
        }
    }

    /// Seats as many travellers at new tables as `cap` seats per table allow. Raising the
    /// limit one seat at a time fills tables evenly: a table gets its n-th traveller only
    /// when no seating could give every table n - 1. A seated traveller may move to another
    /// new table but is never unseated, so the last level's matching is maximum.
    fn fill(&mut self, cap: usize) {
        let mut waiting: VecDeque<usize> = (0..self.at.len())
            .filter(|i| !self.fresh[*i].is_empty())
            .collect();
        for level in 1..=cap {
            self.full.fill(false);
            // Tables with a free seat at this level. Once there are none, no search can
            // succeed, and the rest of the queue waits untouched for the next level: this
            // keeps the work per level to the searches that matter in a large café.
            let mut open = self.members.iter().filter(|m| m.len() < level).count();
            let mut failed = Vec::new();
            while open > 0 {
                let Some(i) = waiting.pop_front() else { break };
                match self.augment(i, level) {
                    Some(t) => {
                        self.full.fill(false);
                        if self.members[t].len() == level {
                            open -= 1;
                        }
                    }
                    None => failed.push(i),
                }
            }
            for i in failed.into_iter().rev() {
                waiting.push_front(i);
            }
            if waiting.is_empty() {
                break;
            }
        }
    }

    /// Seats traveller `i` at a new table with fewer than `level` travellers, moving others
    /// along an augmenting path if needed; returns the table that gained a traveller. The
    /// recursion is at most one level per table.
    fn augment(&mut self, i: usize, level: usize) -> Option<usize> {
        for k in 0..self.fresh[i].len() {
            let t = self.fresh[i][k];
            if !self.full[t] && self.members[t].len() < level {
                self.members[t].push(i);
                self.at[i] = Some(t);
                return Some(t);
            }
        }
        for k in 0..self.fresh[i].len() {
            let t = self.fresh[i][k];
            if self.full[t] {
                continue;
            }
            self.full[t] = true;
            for slot in 0..self.members[t].len() {
                let other = self.members[t][slot];
                if let Some(end) = self.augment(other, level) {
                    self.members[t][slot] = i;
                    self.at[i] = Some(t);
                    return Some(end);
                }
            }
        }
        None
    }
}

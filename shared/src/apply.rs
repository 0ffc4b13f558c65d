//! Applying events. Runs on the server's full state and on every browser's view, so it must
//! never panic and must tolerate references to things a view does not hold (it skips them).

use crate::event::Event;
use crate::ids::ItemId;
use crate::model::{CafeState, Person, Vote};
use std::collections::BTreeMap;

impl CafeState {
    fn bump_next_id(&mut self, id: u64) {
        // A view's counter is 0 on purpose (see `view`) and must stay 0: otherwise a view
        // kept up to date by events would differ from a fresh snapshot of the same state.
        if self.next_id != 0 && id >= self.next_id {
            self.next_id = id + 1;
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::CafeCreated { info, plenary } => {
                self.info = Some(info.clone());
                self.bump_next_id(plenary.id.0);
                self.plenary = Some(plenary.id);
                self.boards.insert(plenary.id, Box::new(plenary.clone()));
            }
            Event::CafeUpdated {
                title,
                description,
                mode,
                language,
                settings,
            } => {
                if let Some(info) = self.info.as_mut() {
                    info.title.clone_from(title);
                    info.description.clone_from(description);
                    info.mode = *mode;
                    info.language = *language;
                    info.settings = settings.clone();
                }
            }
            Event::PersonJoined { person } => {
                self.bump_next_id(person.id.0);
                self.people.insert(person.id, Box::new(person.clone()));
            }
            Event::PersonRenamed { person, name } => {
                self.with_person(*person, |p| p.name.clone_from(name));
            }
            Event::LocationChanged { person, location } => {
                self.with_person(*person, |p| p.location = *location);
            }
            Event::PresenceChanged { person, online } => {
                self.with_person(*person, |p| p.online = *online);
            }
            Event::ReadyChanged { person, ready } => {
                self.with_person(*person, |p| p.ready = *ready);
            }
            Event::HandRaised { person, at } => {
                self.with_person(*person, |p| p.hand_raised_at = Some(*at));
                if !self.hands.contains(person) {
                    self.hands.push(*person);
                }
            }
            Event::HandLowered { person } | Event::HandCalled { person } => {
                self.with_person(*person, |p| p.hand_raised_at = None);
                self.hands.retain(|h| h != person);
            }
            #[cfg(not(target_arch = "wasm32"))]
            Event::LinkIssued { link } => self.links.push(link.clone()),
            #[cfg(not(target_arch = "wasm32"))]
            Event::LinkRotated {
                link,
                hash,
                generation,
            } => {
                if let Some(l) = self.links.iter_mut().find(|l| l.id == *link) {
                    l.hash.clone_from(hash);
                    l.generation = *generation;
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            Event::LinkRevoked { link } => {
                if let Some(l) = self.links.iter_mut().find(|l| l.id == *link) {
                    l.revoked = true;
                }
            }
            // The browser never receives them (its reader leaves them out).
            #[cfg(target_arch = "wasm32")]
            Event::LinkIssued { .. } | Event::LinkRotated { .. } | Event::LinkRevoked { .. } => {}
            Event::PersonRemoved { person } => {
                self.with_person(*person, |p| {
                    p.removed = true;
                    p.online = false;
                    p.ready = false;
                    p.hand_raised_at = None;
                });
                self.hands.retain(|h| h != person);
                for t in self.tables.values_mut() {
                    if t.host == Some(*person) {
                        t.host = None;
                    }
                }
            }
            Event::RoleChanged { person, role } => {
                self.with_person(*person, |p| p.role = *role);
            }
            Event::JoiningSet { open } => {
                self.joining_open = *open;
            }
            Event::PhaseChanged { phase } => {
                self.phase = *phase;
                // "Ready" answers "are you done with this step?", so it restarts each phase.
                for p in self.people.values_mut() {
                    p.ready = false;
                }
            }
            Event::TimerChanged { timer, .. } => {
                self.timer = *timer;
            }
            Event::TableCreated { table, board } => {
                self.bump_next_id(table.id.0);
                self.bump_next_id(board.id.0);
                self.tables.insert(table.id, Box::new(table.clone()));
                self.boards.insert(board.id, Box::new(board.clone()));
            }
            Event::TableRenamed { table, name } => {
                if let Some(t) = self.tables.get_mut(table) {
                    t.name.clone_from(name);
                }
            }
            Event::TableHostSet { table, host } => {
                if let Some(t) = self.tables.get_mut(table) {
                    t.host = *host;
                }
                if let Some(h) = host {
                    let table = *table;
                    self.with_person(*h, |p| {
                        p.visited.insert(table);
                    });
                    if let Some(r) = self.rounds.last_mut() {
                        r.assignments.insert(*h, table);
                    }
                }
            }
            Event::TableHeadcountSet { table, headcount } => {
                if let Some(t) = self.tables.get_mut(table) {
                    t.headcount = *headcount;
                }
            }
            Event::RoundStarted { round } => {
                for (person, table) in &round.assignments {
                    let table = *table;
                    self.with_person(*person, |p| {
                        p.visited.insert(table);
                    });
                }
                self.rounds.push(round.clone());
            }
            Event::TableAssigned { person, table } => {
                let table = *table;
                if let Some(r) = self.rounds.last_mut() {
                    r.assignments.insert(*person, table);
                }
                self.with_person(*person, |p| {
                    p.visited.insert(table);
                });
            }
            Event::IdeaPosted { idea } => {
                self.bump_next_id(idea.id.0);
                self.ideas.insert(idea.id, Box::new(idea.clone()));
            }
            Event::IdeaEdited {
                idea,
                text,
                category,
                at,
            } => {
                if let Some(i) = self.ideas.get_mut(idea) {
                    i.text.clone_from(text);
                    i.category.clone_from(category);
                    i.edited_at = Some(*at);
                }
            }
            Event::IdeaDeleted { idea } => {
                self.ideas.remove(idea);
            }
            Event::IdeaHidden { idea, hidden } => {
                if let Some(i) = self.ideas.get_mut(idea) {
                    i.hidden = *hidden;
                    // Showing an idea approves it, whatever was decided before.
                    if !*hidden {
                        i.rejected = false;
                    }
                }
            }
            Event::IdeasApproved { ideas, revealed } => {
                for id in ideas {
                    if let Some(i) = self.ideas.get_mut(id) {
                        i.hidden = false;
                        i.rejected = false;
                    }
                }
                self.insert_revealed(revealed);
            }
            Event::IdeaRejected { idea } => {
                if let Some(i) = self.ideas.get_mut(idea) {
                    i.hidden = true;
                    i.rejected = true;
                }
            }
            Event::PrivateWritingSet {
                boards,
                private,
                revealed,
            } => {
                for b in boards {
                    if let Some(b) = self.boards.get_mut(b) {
                        b.private = *private;
                    }
                }
                if !*private {
                    for i in self.ideas.values_mut() {
                        if boards.contains(&i.board) {
                            i.private = false;
                        }
                    }
                }
                self.insert_revealed(revealed);
            }
            Event::BoardLocked { board, locked } => {
                if let Some(b) = self.boards.get_mut(board) {
                    b.locked = *locked;
                }
            }
            Event::ProjectorSet { board, view } => {
                self.projector_board = Some(*board);
                self.projector_view = *view;
            }
            Event::BoardColumnsSet { board, columns } => {
                if let Some(b) = self.boards.get_mut(board) {
                    b.columns.clone_from(columns);
                }
            }
            Event::ClusterCreated { cluster } => {
                self.bump_next_id(cluster.id.0);
                self.clusters.insert(cluster.id, Box::new(cluster.clone()));
            }
            Event::ClusterRenamed { cluster, title } => {
                if let Some(c) = self.clusters.get_mut(cluster) {
                    c.title.clone_from(title);
                }
            }
            Event::IdeaMoved { idea, cluster } => {
                if let Some(i) = self.ideas.get_mut(idea) {
                    i.cluster = *cluster;
                }
            }
            Event::ClustersMerged { from, into } => {
                for i in self.ideas.values_mut() {
                    if i.cluster == Some(*from) {
                        i.cluster = Some(*into);
                    }
                }
                self.clusters.remove(from);
            }
            Event::ClusterDeleted { cluster } => {
                for i in self.ideas.values_mut() {
                    if i.cluster == Some(*cluster) {
                        i.cluster = None;
                    }
                }
                self.clusters.remove(cluster);
            }
            Event::VoteOpened { vote } => {
                self.bump_next_id(vote.id.0);
                self.votes.insert(vote.id, Box::new(vote.clone()));
            }
            Event::VoteDraftSet { draft } => self.vote_draft = Some(draft.clone()),
            Event::DotCast { vote, person, item } => {
                if let Some(v) = self.votes.get_mut(vote) {
                    *v.ballots
                        .entry(*person)
                        .or_default()
                        .entry(*item)
                        .or_default() += 1;
                    *v.totals.entry(*item).or_default() += 1;
                    v.dots_cast += 1;
                    // Only the writer applies dots (views get `vote_progress`), and it holds
                    // every ballot.
                    v.voters = v.ballots.len() as u32;
                }
            }
            Event::DotRetracted { vote, person, item } => {
                if let Some(v) = self.votes.get_mut(vote) {
                    if let Some(b) = v.ballots.get_mut(person) {
                        decrement(b, *item);
                        if b.is_empty() {
                            v.ballots.remove(person);
                        }
                    }
                    decrement(&mut v.totals, *item);
                    v.dots_cast = v.dots_cast.saturating_sub(1);
                    v.voters = v.ballots.len() as u32;
                }
            }
            Event::TallyEntered {
                vote,
                table,
                counts,
            } => {
                if let Some(v) = self.votes.get_mut(vote) {
                    replace_tally(v, *table, counts);
                }
            }
            Event::VoteProgress {
                vote,
                dots_cast,
                voters,
                totals,
                ballot,
                tally,
            } => {
                if let Some(v) = self.votes.get_mut(vote) {
                    v.dots_cast = *dots_cast;
                    v.voters = *voters;
                    for (item, n) in totals {
                        set_count(&mut v.totals, *item, *n);
                    }
                    if let Some(b) = ballot {
                        if b.dots.is_empty() {
                            v.ballots.remove(&b.person);
                        } else {
                            v.ballots.insert(b.person, b.dots.clone());
                        }
                    }
                    if let Some(t) = tally {
                        if t.counts.is_empty() {
                            v.tallies.remove(&t.table);
                        } else {
                            v.tallies.insert(t.table, t.counts.clone());
                        }
                    }
                }
            }
            Event::VoteClosed { vote } => {
                if let Some(v) = self.votes.get_mut(vote) {
                    v.status = crate::model::VoteStatus::Closed;
                }
            }
            Event::VoteRevealed {
                vote,
                totals,
                tallies,
            } => {
                if let Some(v) = self.votes.get_mut(vote) {
                    v.revealed = true;
                    v.totals.clone_from(totals);
                    v.tallies.clone_from(tallies);
                }
            }
            Event::ActionCreated { action } => {
                self.bump_next_id(action.id.0);
                self.actions.insert(action.id, Box::new(action.clone()));
            }
            Event::ActionEdited {
                action,
                text,
                owner,
                owner_name,
                due,
                at,
            } => {
                if let Some(a) = self.actions.get_mut(action) {
                    a.text.clone_from(text);
                    a.owner = *owner;
                    a.owner_name.clone_from(owner_name);
                    a.due.clone_from(due);
                    a.updated_at = Some(*at);
                }
            }
            Event::ActionStatusSet { action, status, at } => {
                if let Some(a) = self.actions.get_mut(action) {
                    a.status = *status;
                    a.updated_at = Some(*at);
                }
            }
            Event::ActionDeleted { action } => {
                self.actions.remove(action);
            }
        }
    }

    /// Ideas a view sees for the first time. One it holds already (the viewer's own, which
    /// the audience's shared copy may present differently) is kept as it is.
    fn insert_revealed(&mut self, revealed: &[crate::model::Idea]) {
        for i in revealed {
            self.bump_next_id(i.id.0);
            self.ideas
                .entry(i.id)
                .or_insert_with(|| Box::new(i.clone()));
        }
    }

    fn with_person(&mut self, id: crate::ids::PersonId, f: impl FnOnce(&mut Person)) {
        if let Some(p) = self.people.get_mut(&id) {
            f(p);
        }
    }
}

fn decrement(map: &mut BTreeMap<ItemId, u32>, item: ItemId) {
    if let Some(n) = map.get_mut(&item) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&item);
        }
    }
}

/// Zero counts are never stored, so that a state rebuilt from events and one rebuilt from a
/// view compare equal.
fn set_count(map: &mut BTreeMap<ItemId, u32>, item: ItemId, n: u32) {
    if n == 0 {
        map.remove(&item);
    } else {
        map.insert(item, n);
    }
}

fn replace_tally(v: &mut Vote, table: crate::ids::TableId, counts: &BTreeMap<ItemId, u32>) {
    if let Some(old) = v.tallies.remove(&table) {
        for (item, n) in old {
            let cur = v.totals.get(&item).copied().unwrap_or(0);
            set_count(&mut v.totals, item, cur.saturating_sub(n));
            v.dots_cast = v.dots_cast.saturating_sub(n);
        }
    }
    let mut clean = BTreeMap::new();
    for (item, n) in counts {
        if *n == 0 {
            continue;
        }
        clean.insert(*item, *n);
        *v.totals.entry(*item).or_default() += n;
        v.dots_cast += n;
    }
    if !clean.is_empty() {
        v.tallies.insert(table, clean);
    }
}

//! Every entity id an event creates or refers to, and a renumbering of a whole log.
//!
//! An imported log brings its own ids. Kept as they are, one id near 2^64 would push the new
//! café's counter past the end (`next_id` wraps, every later join gets person 0), and a
//! repeated id would make a new idea overwrite an old one. So an import gives every created
//! entity the next id of the new café's own counter, in order, and maps every reference.
//! A log the rules wrote numbers its entities in creation order already, so for it the
//! renumbering is the identity.

use crate::event::{Ballot, Event, Tally};
use crate::ids::{ActionId, BoardId, ClusterId, IdeaId, ItemId, PersonId, TableId, VoteId};
use crate::model::{CafeState, VoteScope};
use std::collections::BTreeMap;
use std::fmt;

/// What an id names. Ideas and clusters share the counter, so a ballot item is either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    Person,
    Table,
    Board,
    Idea,
    Cluster,
    Vote,
    Action,
    /// A ballot item: an idea or a cluster, depending on the vote.
    Item,
}

impl IdKind {
    fn covers(self, created: IdKind) -> bool {
        self == created
            || (self == IdKind::Item && matches!(created, IdKind::Idea | IdKind::Cluster))
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Person => "person",
            IdKind::Table => "table",
            IdKind::Board => "board",
            IdKind::Idea => "idea",
            IdKind::Cluster => "cluster",
            IdKind::Vote => "vote",
            IdKind::Action => "action",
            IdKind::Item => "ballot item",
        })
    }
}

/// Whether an event brings an entity into being under this id, or points at one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdUse {
    Creates,
    RefersTo,
}

/// Why a log's ids cannot be renumbered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} {id} is referred to before it is created")]
    Unknown { kind: IdKind, id: u64 },
    #[error("id {id} is created a second time (as a {kind})")]
    Reused { kind: IdKind, id: u64 },
    #[error("id {id} names a {actual}, not a {kind}")]
    WrongKind {
        kind: IdKind,
        actual: IdKind,
        id: u64,
    },
    #[error("the café's id counter is used up")]
    Exhausted,
}

fn map_key<K: Ord + Copy, V>(
    map: &mut BTreeMap<K, V>,
    mut f: impl FnMut(K) -> Result<K, IdError>,
) -> Result<(), IdError> {
    let old = std::mem::take(map);
    for (k, v) in old {
        map.insert(f(k)?, v);
    }
    Ok(())
}

/// Maps the item keys of a count map (a ballot, a tally, totals).
fn items<V>(
    map: &mut BTreeMap<ItemId, V>,
    f: &mut impl FnMut(IdUse, IdKind, u64) -> Result<u64, IdError>,
) -> Result<(), IdError> {
    map_key(map, |i| f(IdUse::RefersTo, IdKind::Item, i))
}

fn person(
    f: &mut impl FnMut(IdUse, IdKind, u64) -> Result<u64, IdError>,
    p: &mut PersonId,
) -> Result<(), IdError> {
    p.0 = f(IdUse::RefersTo, IdKind::Person, p.0)?;
    Ok(())
}

/// Maps a `table → items` map (tallies).
fn tallies(
    map: &mut BTreeMap<TableId, BTreeMap<ItemId, u32>>,
    f: &mut impl FnMut(IdUse, IdKind, u64) -> Result<u64, IdError>,
) -> Result<(), IdError> {
    let old = std::mem::take(map);
    for (t, mut counts) in old {
        let t = TableId(f(IdUse::RefersTo, IdKind::Table, t.0)?);
        items(&mut counts, f)?;
        map.insert(t, counts);
    }
    Ok(())
}

impl Event {
    /// Calls `f` on every entity id in the event, created ones first (in the order the rules
    /// hand them out), and stores what `f` returns in its place. Ballot items, map keys,
    /// round seats, `visited`, `harvested_from`: every id, wherever it sits.
    pub fn map_ids(
        &mut self,
        f: &mut impl FnMut(IdUse, IdKind, u64) -> Result<u64, IdError>,
    ) -> Result<(), IdError> {
        use IdKind as K;
        use IdUse::{Creates as New, RefersTo as Ref};
        match self {
            Event::CafeCreated { plenary, .. } => {
                plenary.id = BoardId(f(New, K::Board, plenary.id.0)?);
                if let Some(t) = &mut plenary.table {
                    t.0 = f(Ref, K::Table, t.0)?;
                }
            }
            Event::LinkIssued { link } => person(f, &mut link.person)?,
            Event::LinkRotated { .. } | Event::LinkRevoked { .. } => {}
            Event::CafeUpdated { .. }
            | Event::JoiningSet { .. }
            | Event::PhaseChanged { .. }
            | Event::TimerChanged { .. } => {}
            Event::PersonJoined { person: p } => {
                p.id = PersonId(f(New, K::Person, p.id.0)?);
                let visited = std::mem::take(&mut p.visited);
                for t in visited {
                    p.visited.insert(TableId(f(Ref, K::Table, t.0)?));
                }
            }
            Event::PersonRenamed { person: p, .. }
            | Event::LocationChanged { person: p, .. }
            | Event::PresenceChanged { person: p, .. }
            | Event::ReadyChanged { person: p, .. }
            | Event::HandRaised { person: p, .. }
            | Event::HandLowered { person: p }
            | Event::HandCalled { person: p }
            | Event::PersonRemoved { person: p }
            | Event::RoleChanged { person: p, .. } => person(f, p)?,
            Event::TableCreated { table, board } => {
                table.id = TableId(f(New, K::Table, table.id.0)?);
                board.id = BoardId(f(New, K::Board, board.id.0)?);
                table.board = BoardId(f(Ref, K::Board, table.board.0)?);
                if let Some(t) = &mut board.table {
                    t.0 = f(Ref, K::Table, t.0)?;
                }
                if let Some(h) = &mut table.host {
                    person(f, h)?;
                }
            }
            Event::TableRenamed { table, .. } | Event::TableHeadcountSet { table, .. } => {
                table.0 = f(Ref, K::Table, table.0)?;
            }
            Event::TableHostSet { table, host } => {
                table.0 = f(Ref, K::Table, table.0)?;
                if let Some(h) = host {
                    person(f, h)?;
                }
            }
            Event::RoundStarted { round } => {
                let old = std::mem::take(&mut round.assignments);
                for (p, t) in old {
                    let p = PersonId(f(Ref, K::Person, p.0)?);
                    let t = TableId(f(Ref, K::Table, t.0)?);
                    round.assignments.insert(p, t);
                }
            }
            Event::TableAssigned { person: p, table } => {
                person(f, p)?;
                table.0 = f(Ref, K::Table, table.0)?;
            }
            Event::IdeaPosted { idea } => {
                idea.id = IdeaId(f(New, K::Idea, idea.id.0)?);
                idea.board = BoardId(f(Ref, K::Board, idea.board.0)?);
                if let Some(a) = &mut idea.author {
                    person(f, a)?;
                }
                if let Some(t) = &mut idea.table {
                    t.0 = f(Ref, K::Table, t.0)?;
                }
                if let Some(c) = &mut idea.cluster {
                    c.0 = f(Ref, K::Cluster, c.0)?;
                }
                if let Some(src) = &mut idea.harvested_from {
                    src.0 = f(Ref, K::Idea, src.0)?;
                }
                if let Some(p) = &mut idea.provenance {
                    p.table.0 = f(Ref, K::Table, p.table.0)?;
                }
            }
            Event::IdeaEdited { idea, .. }
            | Event::IdeaDeleted { idea }
            | Event::IdeaHidden { idea, .. }
            | Event::IdeaRejected { idea } => idea.0 = f(Ref, K::Idea, idea.0)?,
            // `revealed` is only ever in a view, never in a log: `check_replayed` refuses a
            // log event that carries it, so it is left alone here.
            Event::IdeasApproved { ideas, .. } => {
                for i in ideas.iter_mut() {
                    i.0 = f(Ref, K::Idea, i.0)?;
                }
                // The rules list them ascending; keep the renumbered ones so too.
                ideas.sort_unstable();
            }
            Event::PrivateWritingSet { boards, .. } => {
                for b in boards.iter_mut() {
                    b.0 = f(Ref, K::Board, b.0)?;
                }
                boards.sort_unstable();
            }
            Event::BoardLocked { board, .. }
            | Event::BoardColumnsSet { board, .. }
            | Event::ProjectorSet { board, .. } => {
                board.0 = f(Ref, K::Board, board.0)?;
            }
            Event::ClusterCreated { cluster } => {
                cluster.id = ClusterId(f(New, K::Cluster, cluster.id.0)?);
                cluster.board = BoardId(f(Ref, K::Board, cluster.board.0)?);
            }
            Event::ClusterRenamed { cluster, .. } | Event::ClusterDeleted { cluster } => {
                cluster.0 = f(Ref, K::Cluster, cluster.0)?;
            }
            Event::IdeaMoved { idea, cluster } => {
                idea.0 = f(Ref, K::Idea, idea.0)?;
                if let Some(c) = cluster {
                    c.0 = f(Ref, K::Cluster, c.0)?;
                }
            }
            Event::ClustersMerged { from, into } => {
                from.0 = f(Ref, K::Cluster, from.0)?;
                into.0 = f(Ref, K::Cluster, into.0)?;
            }
            Event::VoteOpened { vote } => {
                vote.id = VoteId(f(New, K::Vote, vote.id.0)?);
                for b in &mut vote.boards {
                    *b = BoardId(f(Ref, K::Board, b.0)?);
                }
                // The rules keep a vote's boards ascending; keep the renumbered ones so too.
                vote.boards.sort_unstable();
                for i in &mut vote.items {
                    *i = f(Ref, K::Item, *i)?;
                }
                items(&mut vote.totals, f)?;
                let ballots = std::mem::take(&mut vote.ballots);
                for (p, mut b) in ballots {
                    let p = PersonId(f(Ref, K::Person, p.0)?);
                    items(&mut b, f)?;
                    vote.ballots.insert(p, b);
                }
                tallies(&mut vote.tallies, f)?;
            }
            Event::VoteDraftSet { draft } => {
                if let VoteScope::Boards { boards } = &mut draft.scope {
                    for b in boards {
                        *b = BoardId(f(Ref, K::Board, b.0)?);
                    }
                }
            }
            Event::DotCast {
                vote,
                person: p,
                item,
            }
            | Event::DotRetracted {
                vote,
                person: p,
                item,
            } => {
                vote.0 = f(Ref, K::Vote, vote.0)?;
                person(f, p)?;
                *item = f(Ref, K::Item, *item)?;
            }
            Event::TallyEntered {
                vote,
                table,
                counts,
            } => {
                vote.0 = f(Ref, K::Vote, vote.0)?;
                table.0 = f(Ref, K::Table, table.0)?;
                items(counts, f)?;
            }
            Event::VoteProgress {
                vote,
                totals,
                ballot,
                tally,
                ..
            } => {
                vote.0 = f(Ref, K::Vote, vote.0)?;
                items(totals, f)?;
                if let Some(Ballot { person: p, dots }) = ballot {
                    person(f, p)?;
                    items(dots, f)?;
                }
                if let Some(Tally { table, counts }) = tally {
                    table.0 = f(Ref, K::Table, table.0)?;
                    items(counts, f)?;
                }
            }
            Event::VoteClosed { vote } => vote.0 = f(Ref, K::Vote, vote.0)?,
            Event::ActionCreated { action } => {
                action.id = ActionId(f(New, K::Action, action.id.0)?);
                if let Some(p) = &mut action.owner {
                    person(f, p)?;
                }
                if let Some(src) = &mut action.source {
                    *src = f(Ref, K::Item, *src)?;
                }
            }
            Event::ActionEdited { action, owner, .. } => {
                action.0 = f(Ref, K::Action, action.0)?;
                if let Some(p) = owner {
                    person(f, p)?;
                }
            }
            Event::ActionStatusSet { action, .. } | Event::ActionDeleted { action } => {
                action.0 = f(Ref, K::Action, action.0)?;
            }
            Event::VoteRevealed {
                vote,
                totals,
                tallies: t,
            } => {
                vote.0 = f(Ref, K::Vote, vote.0)?;
                items(totals, f)?;
                tallies(t, f)?;
            }
        }
        Ok(())
    }
}

/// Renumbers a log event by event for a new café: each created entity gets the next id of
/// the café's counter (starting where a new café starts), each reference the id its entity
/// got. A reference to an id not created yet, an id created twice, or a reference to the
/// wrong kind of entity is an [`IdError`].
#[derive(Debug, Clone)]
pub struct Renumber {
    /// Old id → (what it names, new id). Never pruned: a deleted idea's id may still appear
    /// in a later reveal's totals.
    ids: BTreeMap<u64, (IdKind, u64)>,
    next: u64,
}

impl Default for Renumber {
    fn default() -> Self {
        Self {
            ids: BTreeMap::new(),
            next: CafeState::default().next_id,
        }
    }
}

impl Renumber {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rewrites the ids of one event, in log order.
    pub fn event(&mut self, event: &mut Event) -> Result<(), IdError> {
        event.map_ids(&mut |use_, kind, id| self.map(use_, kind, id))
    }

    fn map(&mut self, use_: IdUse, kind: IdKind, id: u64) -> Result<u64, IdError> {
        match use_ {
            IdUse::Creates => {
                if let Some((actual, _)) = self.ids.get(&id) {
                    return Err(IdError::Reused { kind: *actual, id });
                }
                let new = self.next;
                self.next = new.checked_add(1).ok_or(IdError::Exhausted)?;
                self.ids.insert(id, (kind, new));
                Ok(new)
            }
            IdUse::RefersTo => match self.ids.get(&id) {
                Some((actual, new)) if kind.covers(*actual) => Ok(*new),
                Some((actual, _)) => Err(IdError::WrongKind {
                    kind,
                    actual: *actual,
                    id,
                }),
                None => Err(IdError::Unknown { kind, id }),
            },
        }
    }
}

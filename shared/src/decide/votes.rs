//! Deciding dot votes: opening, dots, paper tallies, closing and revealing.

use super::{check_tally, validate_vote_numbers, Act, Decision, Ids};
use crate::command::ItemCount;
use crate::error::{reject, ErrorCode};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use std::collections::BTreeMap;

impl CafeState {
    pub(crate) fn decide_open_vote(
        &self,
        a: &Act,
        board: BoardId,
        target: VoteTarget,
        budget: u32,
        per_item_cap: u32,
        visibility: VoteVisibility,
    ) -> Decision {
        let mut ids = Ids(self.next_id);
        self.may_open_vote(a.me, board)?;
        validate_vote_numbers(budget, per_item_cap)?;
        if self.open_vote_on(board).is_some() {
            return reject(ErrorCode::Conflict, "a vote is already open on this board");
        }
        if self.votes.len() >= VOTES_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                format!("a café has at most {VOTES_PER_CAFE_MAX} votes"),
            );
        }
        let items: Vec<ItemId> = match target {
            VoteTarget::Ideas => self
                .ideas
                .values()
                .filter(|i| i.board == board && !i.hidden)
                .map(|i| i.id.0)
                .collect(),
            VoteTarget::Clusters => self
                .clusters
                .values()
                .filter(|c| c.board == board)
                .map(|c| c.id.0)
                .collect(),
        };
        if items.is_empty() {
            return reject(
                ErrorCode::Conflict,
                "there is nothing on this board to vote on",
            );
        }
        Ok(vec![Event::VoteOpened {
            vote: Vote {
                id: VoteId(ids.next()),
                board,
                target,
                budget,
                per_item_cap,
                visibility,
                status: VoteStatus::Open,
                revealed: false,
                items,
                opened_at: a.now,
                dots_cast: 0,
                totals: BTreeMap::new(),
                ballots: BTreeMap::new(),
                tallies: BTreeMap::new(),
            },
        }])
    }

    pub(crate) fn decide_cast_dot(&self, a: &Act, vote: VoteId, item: ItemId) -> Decision {
        self.may_cast_dot(a.me, vote, item)?;
        Ok(vec![Event::DotCast {
            vote,
            person: a.me,
            item,
        }])
    }

    pub(crate) fn decide_retract_dot(&self, a: &Act, vote: VoteId, item: ItemId) -> Decision {
        self.may_retract_dot(a.me, vote, item)?;
        Ok(vec![Event::DotRetracted {
            vote,
            person: a.me,
            item,
        }])
    }

    pub(crate) fn decide_enter_tally(
        &self,
        a: &Act,
        vote: VoteId,
        table: TableId,
        counts: &[ItemCount],
    ) -> Decision {
        self.may_enter_tally(a.me, vote, table)?;
        let t = self.table(table)?;
        let v = self.open_vote(vote)?;
        let counts = check_tally(v, t, counts)?;
        if v.tallies.get(&table).cloned().unwrap_or_default() == counts {
            return Ok(vec![]);
        }
        Ok(vec![Event::TallyEntered {
            vote,
            table,
            counts,
        }])
    }

    pub(crate) fn decide_close_vote(&self, a: &Act, vote: VoteId) -> Decision {
        self.may_manage_vote(a.me, vote)?;
        let v = self.vote(vote)?;
        if v.status == VoteStatus::Closed {
            return Ok(vec![]);
        }
        Ok(vec![Event::VoteClosed { vote }])
    }

    pub(crate) fn decide_reveal_vote(&self, a: &Act, vote: VoteId) -> Decision {
        self.may_manage_vote(a.me, vote)?;
        let v = self.vote(vote)?;
        if v.revealed {
            return Ok(vec![]);
        }
        let mut events = Vec::new();
        if v.status == VoteStatus::Open {
            events.push(Event::VoteClosed { vote });
        }
        events.push(Event::VoteRevealed {
            vote,
            totals: v.totals.clone(),
            tallies: v.tallies.clone(),
        });
        Ok(events)
    }
}

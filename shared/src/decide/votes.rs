//! Deciding dot votes: opening, dots, paper tallies, closing and revealing.

use super::{check_tally, validate_vote_numbers, Act, Decision, Ids};
use crate::command::ItemCount;
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

/// A vote title as stored: trimmed and normalized like every line of text; blank is none
/// (the vote is then named by its boards).
fn vote_title(title: Option<&str>) -> Result<Option<String>, Rejection> {
    match title {
        Some(t) if !t.trim().is_empty() => Ok(Some(crate::text::clean_line(
            t,
            "vote title",
            VOTE_TITLE_MAX,
        )?)),
        _ => Ok(None),
    }
}

impl CafeState {
    pub(crate) fn decide_open_vote(&self, a: &Act, draft: &VoteDraft) -> Decision {
        self.may_open_vote(a.me, &draft.scope)?;
        let draft = VoteDraft {
            title: vote_title(draft.title.as_deref())?,
            ..draft.clone()
        };
        Ok(vec![self.vote_to_open(a.now, &draft)?])
    }

    /// The `vote_opened` for `draft` now, once `may_open_vote` holds: valid numbers, room
    /// for another vote, and something on the ballot. The draft's title is taken as it is
    /// (cleaned by whoever made the draft): the console calls this through
    /// `vote_draft_problem`, and text normalization would add its Unicode tables to the
    /// browser bundle.
    pub(crate) fn vote_to_open(&self, now: Millis, draft: &VoteDraft) -> Result<Event, Rejection> {
        let mut ids = Ids(self.next_id);
        validate_vote_numbers(draft.budget, draft.per_item_cap)?;
        if self.votes.len() >= VOTES_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café has at most {VOTES_PER_CAFE_MAX} votes"),
            );
        }
        let boards = self.scope_boards(&draft.scope);
        let items = self.ballot_items(&boards, draft.target);
        if items.is_empty() {
            return reject(
                ErrorCode::Conflict,
                "there is nothing on this board to vote on",
            );
        }
        Ok(Event::VoteOpened {
            vote: Vote {
                id: VoteId(ids.next()),
                boards,
                target: draft.target,
                budget: draft.budget,
                per_item_cap: draft.per_item_cap,
                visibility: draft.visibility,
                title: draft.title.clone(),
                status: VoteStatus::Open,
                revealed: false,
                items,
                opened_at: now,
                dots_cast: 0,
                voters: 0,
                totals: BTreeMap::new(),
                ballots: BTreeMap::new(),
                tallies: BTreeMap::new(),
            },
        })
    }

    /// What a ballot on `boards` holds: their visible ideas (or clusters). A table's idea
    /// already harvested to a board on the ballot is there once, as its plenary copy.
    fn ballot_items(&self, boards: &[BoardId], target: VoteTarget) -> Vec<ItemId> {
        match target {
            VoteTarget::Ideas => {
                let on = |i: &Idea| boards.contains(&i.board) && i.public();
                let copied: BTreeSet<IdeaId> = self
                    .ideas
                    .values()
                    .filter(|i| on(i))
                    .filter_map(|i| i.harvested_from)
                    .collect();
                self.ideas
                    .values()
                    .filter(|i| on(i) && !copied.contains(&i.id))
                    .map(|i| i.id.0)
                    .collect()
            }
            VoteTarget::Clusters => self
                .clusters
                .values()
                .filter(|c| boards.contains(&c.board))
                .map(|c| c.id.0)
                .collect(),
        }
    }

    pub(crate) fn decide_set_vote_draft(&self, a: &Act, draft: &VoteDraft) -> Decision {
        self.may_facilitate(a.me)?;
        validate_vote_numbers(draft.budget, draft.per_item_cap)?;
        let draft = &VoteDraft {
            title: vote_title(draft.title.as_deref())?,
            ..draft.clone()
        };
        let boards = self.scope_boards(&draft.scope);
        if boards.is_empty() {
            return reject(ErrorCode::Invalid, "choose at least one board to vote on");
        }
        for b in &boards {
            self.board(*b)?;
        }
        if self.vote_draft.as_ref() == Some(draft) {
            return Ok(vec![]);
        }
        Ok(vec![Event::VoteDraftSet {
            draft: draft.clone(),
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

//! Deciding commands: the café's rules, written once. The server runs this in the café's
//! single writer. The browser never runs `decide`: it asks the same rules through the
//! predicates in `permits.rs` (`may_post`, …), which `decide` calls too.
//!
//! Layout: this file resolves who acts and dispatches each command to its handler, one
//! `decide_<command>` method per command, grouped by area in `decide/` (people, timer,
//! tables, ideas, clusters, votes; `system` for what the server asks itself). The lookups
//! and checks several areas share stay here.

use crate::command::{Command, ItemCount};
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::Event;
use crate::ids::{ActionId, BoardId, ClusterId, IdeaId, ItemId, PersonId, TableId, VoteId};
use crate::limits::*;
use crate::model::{
    Action, Board, CafeState, Cluster, Idea, Millis, Person, Phase, Settings, Table, Vote,
    VoteDraft, VoteStatus,
};
use crate::text::clean_line;
use std::collections::BTreeMap;

/// Who asks, and when. `seed` feeds the shuffle so that the decision is reproducible in
/// tests while the server passes fresh randomness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    pub actor: PersonId,
    pub now: Millis,
    pub seed: u64,
}

mod actions;
mod clusters;
mod harvest;
mod ideas;
// Access links are the server's alone (the browser never decides them): kept out of the
// wasm build, where every byte is on a phone's first load.
#[cfg(not(target_arch = "wasm32"))]
mod links;
mod people;
mod system;
mod tables;
mod timer;
mod votes;

type Decision = Result<Vec<Event>, Rejection>;

/// Who acts and when, resolved once by the dispatcher for the command's handler.
pub(crate) struct Act<'a> {
    pub(crate) person: &'a Person,
    pub(crate) me: PersonId,
    pub(crate) fac: bool,
    pub(crate) now: Millis,
    pub(crate) seed: u64,
}

/// Hands out entity ids for events of one decision.
struct Ids(u64);
impl Ids {
    fn next(&mut self) -> u64 {
        let id = self.0;
        self.0 += 1;
        id
    }
}

impl CafeState {
    /// Decides a person's command. Never mutates; the caller applies the events it gets.
    pub fn decide(&self, ctx: &Ctx, cmd: &Command) -> Decision {
        let person = match cmd {
            // A closed café still takes its reopening, the follow-up of its actions and the
            // care of its access links.
            Command::SetPhase { .. }
            | Command::CreateAction { .. }
            | Command::EditAction { .. }
            | Command::SetActionStatus { .. }
            | Command::DeleteAction { .. }
            | Command::IssueLink { .. }
            | Command::RotateLink { .. }
            | Command::RevokeLink { .. } => self.member(ctx.actor)?,
            _ => self.acting(ctx.actor)?,
        };
        let a = Act {
            person,
            me: person.id,
            fac: person.role.is_facilitator(),
            now: ctx.now,
            seed: ctx.seed,
        };
        match cmd {
            Command::UpdateCafe {
                title,
                description,
                mode,
                language,
                settings,
            } => self.decide_update_cafe(
                &a,
                title.as_deref(),
                description.as_deref(),
                *mode,
                *language,
                settings.as_ref(),
            ),
            Command::Rename { name } => self.decide_rename(&a, name),
            Command::SetLocation { location } => self.decide_set_location(&a, *location),
            Command::SetReady { ready } => self.decide_set_ready(&a, *ready),
            Command::RaiseHand => self.decide_raise_hand(&a),
            Command::LowerHand => self.decide_lower_hand(&a),
            Command::CallNextHand => self.decide_call_next_hand(&a),
            Command::RemovePerson { person } => self.decide_remove_person(&a, *person),
            Command::RemovePeople { people } => self.decide_remove_people(&a, people),
            Command::SetJoining { open } => self.decide_set_joining(&a, *open),
            Command::SetRole { person, role } => self.decide_set_role(&a, *person, *role),
            #[cfg(not(target_arch = "wasm32"))]
            Command::IssueLink { role, name, hash } => {
                self.decide_issue_link(&a, *role, name, hash)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Command::RotateLink { link, hash } => self.decide_rotate_link(&a, *link, hash),
            #[cfg(not(target_arch = "wasm32"))]
            Command::RevokeLink { link } => self.decide_revoke_link(&a, *link),
            #[cfg(target_arch = "wasm32")]
            Command::IssueLink { .. } | Command::RotateLink { .. } | Command::RevokeLink { .. } => {
                reject(ErrorCode::Forbidden, "access links are the server's")
            }
            Command::SetPhase { phase } => self.decide_set_phase(&a, *phase),
            Command::StartTimer { duration_secs } => self.decide_start_timer(&a, *duration_secs),
            Command::PauseTimer => self.decide_pause_timer(&a),
            Command::ResumeTimer => self.decide_resume_timer(&a),
            Command::ExtendTimer { secs } => self.decide_extend_timer(&a, *secs),
            Command::StopTimer => self.decide_stop_timer(&a),
            Command::CreateTable { name, kind } => self.decide_create_table(&a, name, *kind),
            Command::RenameTable { table, name } => self.decide_rename_table(&a, *table, name),
            Command::SetTableHost { table, person } => {
                self.decide_set_table_host(&a, *table, *person)
            }
            Command::SetTableHeadcount { table, headcount } => {
                self.decide_set_table_headcount(&a, *table, *headcount)
            }
            Command::StartRound {
                prompt,
                duration_secs,
                assignment,
            } => self.decide_start_round(&a, prompt, *duration_secs, assignment),
            Command::AssignTable { person, table } => self.decide_assign_table(&a, *person, *table),
            Command::PostIdea {
                board,
                text,
                category,
            } => self.decide_post_idea(&a, *board, text, category.as_deref()),
            Command::EditIdea {
                idea,
                text,
                category,
            } => self.decide_edit_idea(&a, *idea, text, category.as_deref()),
            Command::DeleteIdea { idea } => self.decide_delete_idea(&a, *idea),
            Command::HideIdea { idea, hidden } => self.decide_hide_idea(&a, *idea, *hidden),
            Command::ApproveIdeas { ideas } => self.decide_approve_ideas(&a, ideas),
            Command::RejectIdea { idea } => self.decide_reject_idea(&a, *idea),
            Command::SetPrivateWriting { boards, private } => {
                self.decide_set_private_writing(&a, boards, *private)
            }
            Command::HarvestIdea { idea } => self.decide_harvest_idea(&a, *idea),
            Command::HarvestIdeas { ideas } => self.decide_harvest_ideas(&a, ideas),
            Command::HarvestCluster { cluster } => self.decide_harvest_cluster(&a, *cluster),
            Command::LockBoard { board, locked } => self.decide_lock_board(&a, *board, *locked),
            Command::SetProjector { board, view } => self.decide_set_projector(&a, *board, *view),
            Command::React { .. } => self.decide_react(&a),
            Command::SetBoardColumns { board, columns } => {
                self.decide_set_board_columns(&a, *board, columns)
            }
            Command::CreateCluster {
                board,
                title,
                ideas,
            } => self.decide_create_cluster(&a, *board, title, ideas),
            Command::RenameCluster { cluster, title } => {
                self.decide_rename_cluster(&a, *cluster, title)
            }
            Command::MoveIdea { idea, cluster } => self.decide_move_idea(&a, *idea, *cluster),
            Command::MergeClusters { from, into } => self.decide_merge_clusters(&a, *from, *into),
            Command::DeleteCluster { cluster } => self.decide_delete_cluster(&a, *cluster),
            Command::OpenVote {
                scope,
                target,
                budget,
                per_item_cap,
                visibility,
                title,
            } => self.decide_open_vote(
                &a,
                &VoteDraft {
                    scope: scope.clone(),
                    target: *target,
                    budget: *budget,
                    per_item_cap: *per_item_cap,
                    visibility: *visibility,
                    title: title.clone(),
                },
            ),
            Command::SetVoteDraft { draft } => self.decide_set_vote_draft(&a, draft),
            Command::CastDot { vote, item } => self.decide_cast_dot(&a, *vote, *item),
            Command::RetractDot { vote, item } => self.decide_retract_dot(&a, *vote, *item),
            Command::EnterTally {
                vote,
                table,
                counts,
            } => self.decide_enter_tally(&a, *vote, *table, counts),
            Command::CloseVote { vote } => self.decide_close_vote(&a, *vote),
            Command::RevealVote { vote } => self.decide_reveal_vote(&a, *vote),
            Command::CreateAction {
                text,
                owner,
                owner_name,
                due,
                source,
            } => self.decide_create_action(&a, text, *owner, owner_name, due.as_deref(), *source),
            Command::EditAction {
                action,
                text,
                owner,
                owner_name,
                due,
            } => self.decide_edit_action(&a, *action, text, *owner, owner_name, due.as_deref()),
            Command::SetActionStatus { action, status } => {
                self.decide_set_action_status(&a, *action, *status)
            }
            Command::DeleteAction { action } => self.decide_delete_action(&a, *action),
        }
    }

    // ----- lookups that reject with the right code -----

    pub(crate) fn active_person(&self, id: PersonId) -> Result<&Person, Rejection> {
        match self.people.get(&id) {
            Some(p) if !p.removed => Ok(p),
            _ => reject(ErrorCode::NotFound, why!("no person {id}")),
        }
    }

    pub(crate) fn table(&self, id: TableId) -> Result<&Table, Rejection> {
        self.tables
            .get(&id)
            .map(Box::as_ref)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, why!("no table {id}")))
    }

    pub(crate) fn board(&self, id: BoardId) -> Result<&Board, Rejection> {
        self.boards
            .get(&id)
            .map(Box::as_ref)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, why!("no board {id}")))
    }

    pub(crate) fn idea(&self, id: IdeaId) -> Result<&Idea, Rejection> {
        self.ideas
            .get(&id)
            .map(Box::as_ref)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, why!("no idea {id}")))
    }

    /// Like `idea`, but a hidden or unrevealed private idea of someone else does not exist
    /// for a participant: they must not be able to probe for it.
    pub(crate) fn visible_idea(
        &self,
        id: IdeaId,
        me: PersonId,
        fac: bool,
    ) -> Result<&Idea, Rejection> {
        let i = self.idea(id)?;
        if !i.public() && !fac && i.author != Some(me) {
            return reject(ErrorCode::NotFound, why!("no idea {id}"));
        }
        Ok(i)
    }

    pub(crate) fn cluster(&self, id: ClusterId) -> Result<&Cluster, Rejection> {
        self.clusters
            .get(&id)
            .map(Box::as_ref)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, why!("no cluster {id}")))
    }

    pub(crate) fn action(&self, id: ActionId) -> Result<&Action, Rejection> {
        self.actions
            .get(&id)
            .map(Box::as_ref)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, why!("no action {id}")))
    }

    pub(crate) fn vote(&self, id: VoteId) -> Result<&Vote, Rejection> {
        self.votes
            .get(&id)
            .map(Box::as_ref)
            .ok_or_else(|| Rejection::new(ErrorCode::NotFound, why!("no vote {id}")))
    }

    pub(crate) fn open_vote(&self, id: VoteId) -> Result<&Vote, Rejection> {
        let v = self.vote(id)?;
        if v.status != VoteStatus::Open {
            return reject(ErrorCode::Conflict, "this vote is closed");
        }
        if self.phase != Phase::Vote {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "dots are cast during the vote phase",
            );
        }
        Ok(v)
    }

    pub(crate) fn is_host_of_board(&self, me: PersonId, b: &Board) -> bool {
        b.table
            .and_then(|t| self.tables.get(&t))
            .is_some_and(|t| t.host == Some(me))
    }

    /// Non-facilitators write on the plenary board or on the board of the table they sit at.
    pub(crate) fn check_board_write(
        &self,
        me: PersonId,
        fac: bool,
        b: &Board,
    ) -> Result<(), Rejection> {
        if fac {
            return Ok(());
        }
        if b.locked {
            return reject(
                ErrorCode::BoardLocked,
                "the facilitator has locked this board",
            );
        }
        match b.table {
            None => Ok(()),
            Some(t) if self.table_of(me) == Some(t) => Ok(()),
            Some(_) => reject(ErrorCode::Forbidden, "you are not seated at this table"),
        }
    }

    pub(crate) fn check_grouping(
        &self,
        me: PersonId,
        fac: bool,
        b: &Board,
    ) -> Result<(), Rejection> {
        let host_here = self.is_host_of_board(me, b);
        let phase_ok = match self.phase {
            Phase::Group => true,
            Phase::Ideate => fac || host_here,
            _ => false,
        };
        if !phase_ok {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "ideas are grouped during the group phase",
            );
        }
        self.check_board_write(me, fac, b)
    }

    pub(crate) fn check_category(
        &self,
        b: &Board,
        category: Option<&str>,
    ) -> Result<Option<String>, Rejection> {
        let category = match category {
            None => None,
            Some(c) if c.trim().is_empty() => None,
            Some(c) => Some(clean_line(c, "category", CATEGORY_MAX)?),
        };
        if !b.columns.is_empty() {
            match &category {
                Some(c) if b.columns.contains(c) => {}
                _ => {
                    return reject(
                        ErrorCode::Invalid,
                        why!(
                            "choose one of this board's columns: {}",
                            b.columns.join(", ")
                        ),
                    )
                }
            }
        }
        Ok(category)
    }

    /// Ballots stay meaningful only if their items do not change under the voters.
    pub(crate) fn check_not_in_open_vote(&self, item: ItemId) -> Result<(), Rejection> {
        if self
            .votes
            .values()
            .any(|v| v.status == VoteStatus::Open && v.items.contains(&item))
        {
            return reject(
                ErrorCode::Conflict,
                "this is on the ballot of an open vote; close the vote first",
            );
        }
        Ok(())
    }

    /// An idea is frozen while it, or the cluster it belongs to, is on an open ballot: a
    /// cluster's ideas are what its voters vote for.
    pub(crate) fn check_idea_not_in_open_vote(&self, idea: &Idea) -> Result<(), Rejection> {
        self.check_not_in_open_vote(idea.id.0)?;
        if let Some(c) = idea.cluster {
            self.check_not_in_open_vote(c.0)?;
        }
        Ok(())
    }

    pub(crate) fn check_seat(&self, person: PersonId, table: TableId) -> Result<(), Rejection> {
        let p = self.active_person(person)?;
        let t = self.table(table)?;
        if !t.kind.fits(p.location) {
            return reject(
                ErrorCode::Invalid,
                why!(
                    "{} is {} and cannot sit at {}",
                    p.name,
                    match p.location {
                        crate::model::Location::Room => "in the room",
                        crate::model::Location::Remote => "remote",
                    },
                    t.name
                ),
            );
        }
        Ok(())
    }
}

pub(crate) fn require_facilitator(fac: bool) -> Result<(), Rejection> {
    if fac {
        Ok(())
    } else {
        reject(ErrorCode::Forbidden, "only a facilitator can do this")
    }
}

pub(crate) fn validate_duration(secs: u32) -> Result<(), Rejection> {
    if !(TIMER_MIN_SECS..=TIMER_MAX_SECS).contains(&secs) {
        return reject(
            ErrorCode::Invalid,
            why!("a duration is {TIMER_MIN_SECS} to {TIMER_MAX_SECS} seconds"),
        );
    }
    Ok(())
}

/// A café's settings: sane vote defaults, and a round plan within the round limit.
pub(crate) fn validate_settings(s: &Settings) -> Result<(), Rejection> {
    validate_vote_numbers(s.default_budget, s.default_per_item_cap)?;
    if s.planned_rounds > ROUNDS_PER_CAFE_MAX {
        return reject(
            ErrorCode::Invalid,
            why!("a café plans at most {ROUNDS_PER_CAFE_MAX} rounds"),
        );
    }
    Ok(())
}

pub(crate) fn validate_vote_numbers(budget: u32, cap: u32) -> Result<(), Rejection> {
    if !(VOTE_BUDGET_MIN..=VOTE_BUDGET_MAX).contains(&budget) {
        return reject(
            ErrorCode::Invalid,
            why!("a dot budget is {VOTE_BUDGET_MIN} to {VOTE_BUDGET_MAX}"),
        );
    }
    if cap == 0 || cap > budget {
        return reject(
            ErrorCode::Invalid,
            "the per-item cap is at least 1 and at most the budget",
        );
    }
    Ok(())
}

pub(crate) fn check_tally(
    v: &Vote,
    t: &Table,
    counts: &[ItemCount],
) -> Result<BTreeMap<ItemId, u32>, Rejection> {
    if t.headcount == 0 {
        return reject(
            ErrorCode::Conflict,
            "set how many people sit at this table before entering its tally",
        );
    }
    let mut map = BTreeMap::new();
    let mut sum: u64 = 0;
    for c in counts {
        if !v.items.contains(&c.item) {
            return reject(
                ErrorCode::NotFound,
                why!("item {} is not on this ballot", c.item),
            );
        }
        if map.insert(c.item, c.dots).is_some() {
            return reject(ErrorCode::Invalid, why!("item {} is listed twice", c.item));
        }
        if u64::from(c.dots) > u64::from(t.headcount) * u64::from(v.per_item_cap) {
            return reject(
                ErrorCode::OverCap,
                why!(
                    "{} people can give one item at most {} dots",
                    t.headcount,
                    t.headcount * v.per_item_cap
                ),
            );
        }
        sum += u64::from(c.dots);
    }
    if sum > u64::from(t.headcount) * u64::from(v.budget) {
        return reject(
            ErrorCode::OverBudget,
            why!(
                "{} people have {} dots in all",
                t.headcount,
                t.headcount * v.budget
            ),
        );
    }
    map.retain(|_, n| *n > 0);
    Ok(map)
}

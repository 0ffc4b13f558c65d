//! May this person do that, now? The permission, phase and target rules of `decide`, as
//! predicates a page can call to offer only what the server will accept, and that `decide`
//! calls itself, so each rule is written once.
//!
//! Each predicate answers for a command with a well-formed payload: it checks who asks, the
//! phase and the things the command points at, in the order `decide` does, and returns the
//! very rejection `decide` would. What it leaves to `decide` is the payload itself (text
//! lengths, numbers, categories, tallies) and limits that `decide` checks only after the
//! payload. So `Err(r)` from a predicate means `decide` refuses the command with `r`; `Ok`
//! means it accepts it unless the payload is wrong or a limit is reached.

use crate::decide::require_facilitator;
use crate::error::{reject, ErrorCode, Rejection};
use crate::ids::{ActionId, BoardId, ClusterId, IdeaId, ItemId, PersonId, TableId, VoteId};
use crate::limits::{IDEAS_PER_CAFE_MAX, ROUNDS_PER_CAFE_MAX};
use crate::model::{
    Board, CafeState, ClusterCreators, Idea, Millis, Person, Phase, Provenance, Role, Timer,
    VoteScope,
};

impl CafeState {
    // ----- who asks -----

    /// The café exists and `me` belongs to it (not removed). Enough for `SetPhase`, the one
    /// command a closed café accepts.
    pub(crate) fn member(&self, me: PersonId) -> Result<&Person, Rejection> {
        if self.info.is_none() {
            return reject(ErrorCode::NotFound, "this café does not exist yet");
        }
        match self.people.get(&me) {
            Some(p) if !p.removed => Ok(p),
            Some(_) => reject(ErrorCode::Unauthorized, "you were removed from this café"),
            None => reject(ErrorCode::Unauthorized, "unknown person"),
        }
    }

    /// A member of a café that is not closed: what every command but `SetPhase` needs.
    pub(crate) fn acting(&self, me: PersonId) -> Result<&Person, Rejection> {
        let p = self.member(me)?;
        if self.phase == Phase::Closed {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "the café is closed; a facilitator can reopen it",
            );
        }
        Ok(p)
    }

    /// Whether `me` is a facilitator (or the organiser); `false` for anyone unknown.
    pub(crate) fn facilitates(&self, me: PersonId) -> bool {
        self.people
            .get(&me)
            .is_some_and(|p| !p.removed && p.role.is_facilitator())
    }

    /// Any member may act: rename, set ready, raise or lower a hand. Refused only for a
    /// stranger, a removed person, or a closed café.
    pub fn may_act(&self, me: PersonId) -> Result<(), Rejection> {
        self.acting(me).map(drop)
    }

    /// `RaiseHand` / `LowerHand`: any member while the café is open.
    pub fn may_raise_hand(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_act(me)
    }

    /// Facilitator-only commands (phase aside): timer, tables, moderation, votes, settings.
    pub fn may_facilitate(&self, me: PersonId) -> Result<(), Rejection> {
        self.acting(me)?;
        require_facilitator(self.facilitates(me))
    }

    /// Organiser: hand out, rotate and revoke access links (also once the café is closed).
    pub fn may_manage_links(&self, me: PersonId) -> Result<(), Rejection> {
        if self.member(me)?.role != Role::Organiser {
            return reject(
                ErrorCode::Forbidden,
                "only the organiser manages access links",
            );
        }
        Ok(())
    }

    /// Facilitator: change the café's title, question and settings.
    pub fn may_update_cafe(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)
    }

    /// Facilitator: switch anonymity, only while the café has no ideas (authors already
    /// shown cannot be unshown).
    pub fn may_change_anonymity(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_update_cafe(me)?;
        if !self.ideas.is_empty() {
            return reject(
                ErrorCode::Conflict,
                "anonymity can only change before the first idea is posted",
            );
        }
        Ok(())
    }

    /// `SetPhase`: facilitators, also in a closed café (to reopen it).
    pub fn may_set_phase(&self, me: PersonId) -> Result<(), Rejection> {
        self.member(me)?;
        require_facilitator(self.facilitates(me))
    }

    /// Downloading the exports (HTTP, not a command): the organiser and facilitators, also
    /// after the café closed, which is when reports are made.
    pub fn may_export(&self, me: PersonId) -> Result<(), Rejection> {
        self.member(me)?;
        require_facilitator(self.facilitates(me))
    }

    // ----- people -----

    /// `SetLocation` to a new location (moving to where one already is, is always fine).
    pub fn may_set_location(&self, me: PersonId) -> Result<(), Rejection> {
        self.acting(me)?;
        if self.tables.values().any(|t| t.host == Some(me)) {
            return reject(
                ErrorCode::Conflict,
                "a table host cannot change location; ask the facilitator to free the table first",
            );
        }
        Ok(())
    }

    /// `CallNextHand`: a facilitator, and someone's hand is up.
    pub fn may_call_next_hand(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        if self.hands.is_empty() {
            return reject(ErrorCode::Conflict, "no hand is raised");
        }
        Ok(())
    }

    /// `RemovePerson`: facilitators remove others; only the organiser removes facilitators;
    /// nobody removes the organiser.
    pub fn may_remove_person(&self, me: PersonId, person: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        let actor = self.acting(me)?;
        let target = self.active_person(person)?;
        if target.id == me {
            return reject(ErrorCode::Invalid, "you cannot remove yourself");
        }
        if target.role == Role::Organiser {
            return reject(ErrorCode::Forbidden, "the organiser cannot be removed");
        }
        if target.role == Role::Facilitator && actor.role != Role::Organiser {
            return reject(
                ErrorCode::Forbidden,
                "only the organiser can remove a facilitator",
            );
        }
        Ok(())
    }

    /// `RemovePeople`: every one of `people` is someone `me` may remove alone (see
    /// [`CafeState::may_remove_person`]); the first who is not gives the refusal, with
    /// their name, so the facilitator knows whom to unselect.
    pub fn may_remove_people(&self, me: PersonId, people: &[PersonId]) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        for p in people {
            if let Err(r) = self.may_remove_person(me, *p) {
                let who = self
                    .people
                    .get(p)
                    .map_or_else(|| format!("person {p}"), |x| x.name.clone());
                return reject(r.code, why!("{who}: {}", r.message));
            }
        }
        Ok(())
    }

    /// `SetJoining`: any facilitator (co-facilitators too) opens or closes the café to new
    /// people, in any phase but `closed`.
    pub fn may_set_joining(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)
    }

    /// A new person joining (`SystemCommand::Join`, the HTTP join): the café exists, is not
    /// closed, and a facilitator has not closed joining. Nobody who already joined is
    /// affected: they hold a token and come back with it, facilitators included.
    pub fn may_join(&self) -> Result<(), Rejection> {
        if self.info.is_none() {
            return reject(ErrorCode::NotFound, "no such café");
        }
        if self.phase == Phase::Closed {
            return reject(ErrorCode::NotAllowedInPhase, "this café is closed");
        }
        if !self.joining_open {
            return reject(
                ErrorCode::JoiningClosed,
                "the facilitator has closed this café to new people",
            );
        }
        Ok(())
    }

    /// `SetRole`: facilitators set roles; only the organiser makes or unmakes facilitators;
    /// the organiser role never moves.
    pub fn may_set_role(
        &self,
        me: PersonId,
        person: PersonId,
        role: Role,
    ) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        let actor = self.acting(me)?;
        let target = self.active_person(person)?;
        if role == Role::Organiser || target.role == Role::Organiser {
            return reject(ErrorCode::Forbidden, "the organiser role cannot be moved");
        }
        let touches_facilitator = role == Role::Facilitator || target.role.is_facilitator();
        if touches_facilitator && actor.role != Role::Organiser {
            return reject(
                ErrorCode::Forbidden,
                "only the organiser can make or unmake facilitators",
            );
        }
        Ok(())
    }

    // ----- timer -----

    /// `PauseTimer`: a facilitator, while the timer runs.
    pub fn may_pause_timer(&self, me: PersonId, now: Millis) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        match self.timer {
            Timer::Running { ends_at, .. } if ends_at > now => Ok(()),
            _ => reject(ErrorCode::Conflict, "the timer is not running"),
        }
    }

    /// `ResumeTimer`: a facilitator, while the timer is paused.
    pub fn may_resume_timer(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        match self.timer {
            Timer::Paused { .. } => Ok(()),
            _ => reject(ErrorCode::Conflict, "the timer is not paused"),
        }
    }

    /// `ExtendTimer` (by a valid number of seconds): a facilitator, and there is a timer.
    pub fn may_extend_timer(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        self.check_timer_set()
    }

    pub(crate) fn check_timer_set(&self) -> Result<(), Rejection> {
        if self.timer == Timer::Idle {
            return reject(ErrorCode::Conflict, "no timer to extend");
        }
        Ok(())
    }

    // ----- tables and rounds -----

    /// `RenameTable`: a facilitator, and the table exists.
    pub fn may_rename_table(&self, me: PersonId, table: TableId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        self.table(table).map(drop)
    }

    /// `SetTableHost`: a facilitator seats a host that fits the table (see
    /// [`CafeState::check_table_host`]); `None` frees the table.
    pub fn may_set_table_host(
        &self,
        me: PersonId,
        table: TableId,
        host: Option<PersonId>,
    ) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        let t = self.table(table)?;
        match host {
            None => Ok(()),
            // Already the host: nothing changes, so nothing more to check.
            Some(p) if t.host == Some(p) => self.active_person(p).map(drop),
            Some(p) => self.check_table_host(table, p),
        }
    }

    /// Who may host a table, whoever asks: an active non-facilitator whose location fits
    /// the table's kind (one table per host: seating them frees their other table).
    pub(crate) fn check_table_host(&self, table: TableId, host: PersonId) -> Result<(), Rejection> {
        let t = self.table(table)?;
        let p = self.active_person(host)?;
        if p.role.is_facilitator() {
            return reject(
                ErrorCode::Invalid,
                "facilitators move between tables; choose a participant as host",
            );
        }
        if !t.kind.fits(p.location) {
            return reject(
                ErrorCode::Invalid,
                "an in-room table needs a host in the room, a virtual table a remote host",
            );
        }
        Ok(())
    }

    /// `SetTableHeadcount`: the table's host or a facilitator.
    pub fn may_set_headcount(&self, me: PersonId, table: TableId) -> Result<(), Rejection> {
        self.acting(me)?;
        let t = self.table(table)?;
        if !self.facilitates(me) && t.host != Some(me) {
            return reject(
                ErrorCode::Forbidden,
                "only this table's host or a facilitator can set its headcount",
            );
        }
        Ok(())
    }

    /// `StartRound`: a facilitator, in the lobby, ideate or group phase, with tables, below
    /// the round limit.
    pub fn may_start_round(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        self.check_round_startable()
    }

    /// Whether a round could start now, whoever asks (auto-advance asks it too).
    pub(crate) fn can_start_round(&self) -> bool {
        self.phase != Phase::Closed && self.check_round_startable().is_ok()
    }

    fn check_round_startable(&self) -> Result<(), Rejection> {
        if !matches!(self.phase, Phase::Lobby | Phase::Ideate | Phase::Group) {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "rounds start in the lobby, ideate or group phase",
            );
        }
        if self.rounds.len() as u32 >= ROUNDS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café has at most {ROUNDS_PER_CAFE_MAX} rounds"),
            );
        }
        if self.tables.is_empty() {
            return reject(ErrorCode::Conflict, "create tables before starting a round");
        }
        Ok(())
    }

    /// `AssignTable`: a facilitator seats a non-host at a table that fits them, once a round
    /// has started.
    pub fn may_assign_table(
        &self,
        me: PersonId,
        person: PersonId,
        table: TableId,
    ) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        if self.rounds.is_empty() {
            return reject(ErrorCode::Conflict, "start a round before seating people");
        }
        self.check_seat(person, table)?;
        if self.tables.values().any(|t| t.host == Some(person)) {
            return reject(
                ErrorCode::Conflict,
                "this person hosts a table; free the table first",
            );
        }
        Ok(())
    }

    // ----- ideas and boards -----

    /// `PostIdea` on `board`: anyone while ideating; a table's host (who scribes for it)
    /// also while grouping; facilitators in every open phase. Non-facilitators write only on
    /// the plenary or at their own table, and not on a locked board.
    pub fn may_post(&self, me: PersonId, board: BoardId) -> Result<(), Rejection> {
        self.acting(me)?;
        let fac = self.facilitates(me);
        let b = self.board(board)?;
        let phase_ok = match self.phase {
            Phase::Ideate => true,
            Phase::Group => fac || self.is_host_of_board(me, b),
            Phase::Lobby | Phase::Vote | Phase::Results => fac,
            Phase::Closed => false,
        };
        if !phase_ok {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "ideas can be posted during the ideate phase",
            );
        }
        self.check_board_write(me, fac, b)
    }

    /// `EditIdea`: the author, while ideating or grouping (facilitators in any open phase),
    /// where they may write, and not while the idea is on an open ballot.
    pub fn may_edit_idea(&self, me: PersonId, idea: IdeaId) -> Result<(), Rejection> {
        self.acting(me)?;
        let fac = self.facilitates(me);
        // `visible_idea`: someone else's hidden idea must look absent, not forbidden, or a
        // participant could probe for ideas awaiting moderation.
        let i = self.visible_idea(idea, me, fac)?;
        if i.author != Some(me) {
            return reject(ErrorCode::Forbidden, "only the author can edit an idea");
        }
        if !matches!(self.phase, Phase::Ideate | Phase::Group) && !fac {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "ideas can be edited during the ideate and group phases",
            );
        }
        self.check_board_write(me, fac, self.board(i.board)?)?;
        self.check_idea_not_in_open_vote(i)
    }

    /// `DeleteIdea`: facilitators always; the author while ideating or grouping, where they
    /// may write; never while the idea is on an open ballot.
    pub fn may_delete_idea(&self, me: PersonId, idea: IdeaId) -> Result<(), Rejection> {
        self.acting(me)?;
        let fac = self.facilitates(me);
        let i = self.visible_idea(idea, me, fac)?;
        if !fac {
            if i.author != Some(me) {
                return reject(
                    ErrorCode::Forbidden,
                    "only the author or a facilitator can delete an idea",
                );
            }
            if !matches!(self.phase, Phase::Ideate | Phase::Group) {
                return reject(
                    ErrorCode::NotAllowedInPhase,
                    "ideas can be deleted during the ideate and group phases",
                );
            }
            self.check_board_write(me, fac, self.board(i.board)?)?;
        }
        self.check_idea_not_in_open_vote(i)
    }

    /// `HideIdea` (moderation): a facilitator, and the idea exists.
    pub fn may_hide_idea(&self, me: PersonId, idea: IdeaId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        self.idea(idea).map(drop)
    }

    /// `ApproveIdeas`: a facilitator, at least one idea, each of which exists.
    pub fn may_approve_ideas(&self, me: PersonId, ideas: &[IdeaId]) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        if ideas.is_empty() {
            return reject(ErrorCode::Invalid, "choose at least one idea to approve");
        }
        if ideas.len() > IDEAS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café holds at most {IDEAS_PER_CAFE_MAX} ideas"),
            );
        }
        for i in ideas {
            self.idea(*i)?;
        }
        Ok(())
    }

    /// `RejectIdea`: a facilitator, and the idea exists.
    pub fn may_reject_idea(&self, me: PersonId, idea: IdeaId) -> Result<(), Rejection> {
        self.may_hide_idea(me, idea)
    }

    /// `SetPrivateWriting`: a facilitator, at least one board, each of which exists.
    pub fn may_set_private_writing(
        &self,
        me: PersonId,
        boards: &[BoardId],
    ) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        if boards.is_empty() {
            return reject(ErrorCode::Invalid, "choose at least one board");
        }
        for b in boards {
            self.board(*b)?;
        }
        Ok(())
    }

    /// `HarvestIdea`: a facilitator or the host of the idea's table copies an approved
    /// table idea to the plenary, once.
    pub fn may_harvest(&self, me: PersonId, idea: IdeaId) -> Result<(), Rejection> {
        self.acting(me)?;
        let fac = self.facilitates(me);
        let i = self.visible_idea(idea, me, fac)?;
        let b = self.board(i.board)?;
        if !fac && !self.is_host_of_board(me, b) {
            return reject(
                ErrorCode::Forbidden,
                "only a facilitator or this table's host can harvest an idea",
            );
        }
        let Some(plenary) = self.plenary else {
            return reject(ErrorCode::NotFound, "no plenary board");
        };
        if i.board == plenary {
            return reject(
                ErrorCode::Invalid,
                "this idea is already on the plenary board",
            );
        }
        if i.hidden {
            return reject(ErrorCode::Conflict, "approve the idea before harvesting it");
        }
        if i.private {
            return reject(ErrorCode::Conflict, "reveal the idea before harvesting it");
        }
        if self.harvest_copy_of(idea).is_some() {
            return reject(ErrorCode::Conflict, "this idea was harvested already");
        }
        if self.ideas.len() >= IDEAS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café holds at most {IDEAS_PER_CAFE_MAX} ideas"),
            );
        }
        Ok(())
    }

    /// `HarvestCluster`: a facilitator or the host of the theme's table, while themes are
    /// made on the plenary (the rules of `create_cluster` there: the group phase, or the
    /// ideate phase for a facilitator).
    pub fn may_harvest_cluster(&self, me: PersonId, cluster: ClusterId) -> Result<(), Rejection> {
        self.acting(me)?;
        let fac = self.facilitates(me);
        let c = self.cluster(cluster)?;
        let b = self.board(c.board)?;
        if !fac && !self.is_host_of_board(me, b) {
            return reject(
                ErrorCode::Forbidden,
                "only a facilitator or this table's host can harvest a theme",
            );
        }
        let Some(plenary) = self.plenary else {
            return reject(ErrorCode::NotFound, "no plenary board");
        };
        if c.board == plenary {
            return reject(
                ErrorCode::Invalid,
                "this theme is already on the plenary board",
            );
        }
        self.check_grouping(me, fac, self.board(plenary)?)?;
        // Whether there is anything to do is part of the rule, so the console can grey out
        // a theme that is wholly on the plenary already.
        let notes: Vec<&Idea> = self
            .ideas
            .values()
            .map(Box::as_ref)
            .filter(|i| i.cluster == Some(cluster) && i.public())
            .collect();
        if notes.is_empty() {
            return reject(ErrorCode::Conflict, "this theme has no approved notes");
        }
        let target = self
            .clusters
            .values()
            .find(|p| p.board == plenary && p.title == c.title)
            .map(|p| p.id);
        if target.is_some()
            && notes.iter().all(|n| {
                self.harvest_copy_of(n.id)
                    .is_some_and(|copy| copy.cluster == target)
            })
        {
            return reject(ErrorCode::Conflict, "this theme is on the plenary already");
        }
        Ok(())
    }

    /// The plenary copy of a table note, if it was harvested (and the copy not deleted).
    pub fn harvest_copy_of(&self, idea: IdeaId) -> Option<&Idea> {
        self.ideas
            .values()
            .map(Box::as_ref)
            .find(|o| o.harvested_from == Some(idea))
    }

    /// A table note's origin as a harvest records it. The author's name only where the
    /// café is not anonymous and the note is not a scribe's transcription; the dots only
    /// from a vote whose totals everybody may see (the copy is public).
    pub(crate) fn provenance_of(&self, i: &Idea) -> Option<Provenance> {
        let table = i
            .table
            .or_else(|| self.board_table(i.board).map(|t| t.id))
            .and_then(|t| self.tables.get(&t))?;
        let author_name = if self.settings().anonymous || i.scribed {
            None
        } else {
            i.author
                .and_then(|a| self.people.get(&a))
                .map(|p| p.name.clone())
        };
        let item = i.id.0;
        let dots = self
            .votes
            .values()
            .rev()
            .find(|v| v.boards.contains(&i.board) && v.items.contains(&item))
            .filter(|v| v.results_visible_to_all())
            .map(|v| v.totals.get(&item).copied().unwrap_or(0));
        Some(Provenance {
            table: table.id,
            table_name: table.name.clone(),
            round: i.round,
            author_name,
            origin: i.origin,
            scribed: i.scribed,
            dots,
        })
    }

    /// A table board's notes that could still be harvested, best first: the ones with the
    /// most dots in the board's latest vote (as far as this state knows its totals) first,
    /// then the most recent. A facilitator who asks for "the top 3 of table 2" expects the
    /// table's own vote to decide when it had one, and otherwise the freshest thinking,
    /// which is what the table was last working on.
    pub fn harvest_ranking(&self, board: BoardId) -> Vec<IdeaId> {
        let vote = self
            .votes
            .values()
            .rev()
            .find(|v| v.boards.contains(&board));
        let dots = |i: &Idea| {
            vote.and_then(|v| v.totals.get(&i.id.0).copied())
                .unwrap_or(0)
        };
        let harvested: std::collections::BTreeSet<IdeaId> = self
            .ideas
            .values()
            .filter_map(|o| o.harvested_from)
            .collect();
        let mut notes: Vec<&Idea> = self
            .ideas
            .values()
            .map(Box::as_ref)
            .filter(|i| i.board == board && i.public() && !harvested.contains(&i.id))
            .collect();
        notes.sort_by(|a, b| {
            dots(b)
                .cmp(&dots(a))
                .then(b.created_at.cmp(&a.created_at))
                .then(b.id.cmp(&a.id))
        });
        notes.into_iter().map(|i| i.id).collect()
    }

    /// `LockBoard` and `SetBoardColumns`: a facilitator, and the board exists.
    pub fn may_manage_board(&self, me: PersonId, board: BoardId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        self.board(board).map(drop)
    }

    /// `SetProjector`: a facilitator, and the board exists.
    pub fn may_set_projector(&self, me: PersonId, board: BoardId) -> Result<(), Rejection> {
        self.may_manage_board(me, board)
    }

    /// `React`: anyone still in the café, in any phase but closed. How often is the
    /// [`ReactionLimiter`](crate::reactions::ReactionLimiter)'s to say.
    pub fn may_react(&self, me: PersonId) -> Result<(), Rejection> {
        self.acting(me).map(drop)
    }

    // ----- clusters -----

    /// The grouping rule behind every cluster command (`MoveIdea` needs no more):
    /// anyone who may write there during the group phase; facilitators and the table's
    /// host already while ideating.
    pub fn may_group(&self, me: PersonId, board: BoardId) -> Result<(), Rejection> {
        self.acting(me)?;
        let b = self.board(board)?;
        self.check_grouping(me, self.facilitates(me), b)
    }

    /// `CreateCluster` on `board`: grouping there ([`CafeState::may_group`]), and the café's
    /// `cluster_creators` setting lets `me` make themes there. The console and the board
    /// show "new theme" only when this says yes.
    pub fn may_create_cluster(&self, me: PersonId, board: BoardId) -> Result<(), Rejection> {
        self.may_group(me, board)?;
        self.check_cluster_maker(me, self.board(board)?)
    }

    /// The `cluster_creators` setting: with `facilitators`, only facilitators and the
    /// host of the board's table create, rename, merge or delete themes.
    pub(crate) fn check_cluster_maker(&self, me: PersonId, b: &Board) -> Result<(), Rejection> {
        if self.settings().cluster_creators == ClusterCreators::Everyone
            || self.facilitates(me)
            || self.is_host_of_board(me, b)
        {
            return Ok(());
        }
        reject(
            ErrorCode::Forbidden,
            "in this café only facilitators and table hosts make themes",
        )
    }

    /// `RenameCluster` and `DeleteCluster`: grouping on its board, the café's
    /// `cluster_creators` setting, and not on an open ballot (the title is what voters see
    /// of a cluster).
    pub fn may_change_cluster(&self, me: PersonId, cluster: ClusterId) -> Result<(), Rejection> {
        self.acting(me)?;
        let c = self.cluster(cluster)?;
        let b = self.board(c.board)?;
        self.check_grouping(me, self.facilitates(me), b)?;
        self.check_cluster_maker(me, b)?;
        self.check_not_in_open_vote(c.id.0)
    }

    /// `MoveIdea` into `cluster` (or out of any with `None`): grouping on the idea's board,
    /// a cluster on the same board, and nothing involved on an open ballot.
    pub fn may_move_idea(
        &self,
        me: PersonId,
        idea: IdeaId,
        cluster: Option<ClusterId>,
    ) -> Result<(), Rejection> {
        self.acting(me)?;
        let fac = self.facilitates(me);
        let i = self.visible_idea(idea, me, fac)?;
        self.check_grouping(me, fac, self.board(i.board)?)?;
        if let Some(c) = cluster {
            let c = self.cluster(c)?;
            if c.board != i.board {
                return reject(
                    ErrorCode::Invalid,
                    "an idea can only join a cluster on its own board",
                );
            }
            self.check_not_in_open_vote(c.id.0)?;
        }
        if let Some(old) = i.cluster {
            self.check_not_in_open_vote(old.0)?;
        }
        self.check_not_in_open_vote(i.id.0)
    }

    /// `MergeClusters`: two clusters of one board, grouping there, the café's
    /// `cluster_creators` setting, neither on an open ballot.
    pub fn may_merge_clusters(
        &self,
        me: PersonId,
        from: ClusterId,
        into: ClusterId,
    ) -> Result<(), Rejection> {
        self.acting(me)?;
        let f = self.cluster(from)?;
        let t = self.cluster(into)?;
        if from == into {
            return reject(ErrorCode::Invalid, "a cluster cannot merge into itself");
        }
        if f.board != t.board {
            return reject(
                ErrorCode::Invalid,
                "only clusters on the same board can merge",
            );
        }
        let b = self.board(f.board)?;
        self.check_grouping(me, self.facilitates(me), b)?;
        self.check_cluster_maker(me, b)?;
        self.check_not_in_open_vote(from.0)?;
        self.check_not_in_open_vote(into.0)
    }

    // ----- votes -----

    /// `OpenVote` on `scope`: a facilitator, in the vote phase, on boards that exist and
    /// have no open vote yet. (Then: valid numbers, room for another vote, something to
    /// vote on.) The console greys "Open vote" out with this while a vote is open.
    pub fn may_open_vote(&self, me: PersonId, scope: &VoteScope) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        if self.phase != Phase::Vote {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "move to the vote phase to open a vote",
            );
        }
        self.check_scope(scope)
    }

    /// The boards of `scope` exist, there is at least one, and none has an open vote.
    pub(crate) fn check_scope(&self, scope: &VoteScope) -> Result<(), Rejection> {
        let boards = self.scope_boards(scope);
        if boards.is_empty() {
            return reject(ErrorCode::Invalid, "choose at least one board to vote on");
        }
        for b in &boards {
            self.board(*b)?;
        }
        if boards.iter().any(|b| self.open_vote_on(*b).is_some()) {
            return reject(
                ErrorCode::Conflict,
                "a vote is already open on this board; close it first",
            );
        }
        Ok(())
    }

    /// `SetVoteDraft`: a facilitator, in any open phase. (Then: valid numbers and boards.)
    pub fn may_set_vote_draft(&self, me: PersonId) -> Result<(), Rejection> {
        self.may_facilitate(me)
    }

    /// Why entering the vote phase now would open no new ballot: `None` when it opens the
    /// prepared vote (`vote_draft`). `SetPhase` decides with it, and the console shows
    /// it before the click: a vote on those boards still open (it resumes instead), or
    /// nothing on them to vote on yet.
    pub fn vote_draft_problem(&self) -> Option<Rejection> {
        let draft = self.vote_draft();
        self.check_scope(&draft.scope)
            .and_then(|()| self.vote_to_open(0, &draft).map(drop))
            .err()
    }

    /// Whether `me` can use the ballot of `vote` at all: it is open, in the vote phase.
    /// Everyone votes, facilitators included.
    pub fn may_vote(&self, me: PersonId, vote: VoteId) -> Result<(), Rejection> {
        self.acting(me)?;
        self.open_vote(vote).map(drop)
    }

    /// `CastDot` on `item`: the ballot is open, the item on it, and `me` has a dot left
    /// and stays within the per-item cap.
    pub fn may_cast_dot(&self, me: PersonId, vote: VoteId, item: ItemId) -> Result<(), Rejection> {
        self.acting(me)?;
        let v = self.open_vote(vote)?;
        if !v.items.contains(&item) {
            return reject(ErrorCode::NotFound, "that item is not on this ballot");
        }
        if v.remaining_for(me) == 0 {
            return reject(
                ErrorCode::OverBudget,
                why!("you have used all {} of your dots", v.budget),
            );
        }
        if v.dots_on(me, item) >= v.per_item_cap {
            return reject(
                ErrorCode::OverCap,
                why!("at most {} dots per item", v.per_item_cap),
            );
        }
        Ok(())
    }

    /// `RetractDot` from `item`: the ballot is open and `me` has a dot there.
    pub fn may_retract_dot(
        &self,
        me: PersonId,
        vote: VoteId,
        item: ItemId,
    ) -> Result<(), Rejection> {
        self.acting(me)?;
        let v = self.open_vote(vote)?;
        if v.dots_on(me, item) == 0 {
            return reject(ErrorCode::NotFound, "you have no dot on that item");
        }
        Ok(())
    }

    /// `EnterTally` for `table`: its host or a facilitator, while the vote is open. (Then:
    /// the counts, see `check_tally`.)
    pub fn may_enter_tally(
        &self,
        me: PersonId,
        vote: VoteId,
        table: TableId,
    ) -> Result<(), Rejection> {
        self.acting(me)?;
        let t = self.table(table)?;
        if !self.facilitates(me) && t.host != Some(me) {
            return reject(
                ErrorCode::Forbidden,
                "only this table's host or a facilitator can enter its tally",
            );
        }
        self.open_vote(vote).map(drop)
    }

    /// `CloseVote` and `RevealVote`: a facilitator, and the vote exists.
    pub fn may_manage_vote(&self, me: PersonId, vote: VoteId) -> Result<(), Rejection> {
        self.may_facilitate(me)?;
        self.vote(vote).map(drop)
    }

    // ----- actions -----

    /// Actions come out of the results: they are made in the results phase, and followed
    /// up after closing (the work outlives the session), which is why a closed café still
    /// takes action commands.
    fn check_action_phase(&self) -> Result<(), Rejection> {
        if !matches!(self.phase, Phase::Results | Phase::Closed) {
            return reject(
                ErrorCode::NotAllowedInPhase,
                "actions are made from the results, in the results phase or after closing",
            );
        }
        Ok(())
    }

    /// `CreateAction`: a facilitator, in the results or closed phase. (Then: the text,
    /// owner, due date and source, and room for another action.)
    pub fn may_create_action(&self, me: PersonId) -> Result<(), Rejection> {
        self.member(me)?;
        require_facilitator(self.facilitates(me))?;
        self.check_action_phase()
    }

    /// `EditAction` and `DeleteAction`: a facilitator, the action exists, in the results
    /// or closed phase.
    pub fn may_edit_action(&self, me: PersonId, action: ActionId) -> Result<(), Rejection> {
        self.member(me)?;
        require_facilitator(self.facilitates(me))?;
        self.action(action)?;
        self.check_action_phase()
    }

    /// `SetActionStatus`: a facilitator, or the person who owns the action (who knows best
    /// where it stands, and should not need a facilitator to say "done"); in the results
    /// or closed phase.
    pub fn may_set_action_status(&self, me: PersonId, action: ActionId) -> Result<(), Rejection> {
        self.member(me)?;
        let a = self.action(action)?;
        if !self.facilitates(me) && a.owner != Some(me) {
            return reject(
                ErrorCode::Forbidden,
                "only a facilitator or the action's owner can set its status",
            );
        }
        self.check_action_phase()
    }

    /// `CreateAction` from a result: [`CafeState::may_create_action`], and `item` (an idea
    /// or theme id) is one an action may come from. The console offers "Make an action"
    /// next to a result with it.
    pub fn may_create_action_from(&self, me: PersonId, item: ItemId) -> Result<(), Rejection> {
        self.may_create_action(me)?;
        self.check_action_source(item)
    }

    /// An action is made from an idea everybody can see, or from a theme.
    pub(crate) fn check_action_source(&self, item: ItemId) -> Result<(), Rejection> {
        let idea = self.ideas.get(&IdeaId(item)).filter(|i| !i.hidden);
        if idea.is_none() && !self.clusters.contains_key(&ClusterId(item)) {
            return reject(ErrorCode::NotFound, why!("no idea or theme {item}"));
        }
        Ok(())
    }
}

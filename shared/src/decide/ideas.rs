//! Deciding ideas (post, edit, delete, moderate) and boards (lock, columns); harvesting is
//! in `harvest.rs`.

use super::{Act, Decision, Ids};
use crate::error::{reject, ErrorCode};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use crate::text::{clean_line, clean_text};

impl CafeState {
    pub(crate) fn decide_post_idea(
        &self,
        a: &Act,
        board: BoardId,
        text: &str,
        category: Option<&str>,
    ) -> Decision {
        let mut ids = Ids(self.next_id);
        self.may_post(a.me, board)?;
        let b = self.board(board)?;
        let host_here = self.is_host_of_board(a.me, b);
        let text = clean_text(text, "idea", 1, IDEA_TEXT_MAX)?;
        let category = self.check_category(b, category)?;
        if self.ideas.len() >= IDEAS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café holds at most {IDEAS_PER_CAFE_MAX} ideas"),
            );
        }
        let hidden = self.settings().moderation && !a.fac;
        // Facilitators write privately too: the reveal shows everyone's at once.
        let private = b.private;
        Ok(vec![Event::IdeaPosted {
            idea: Idea {
                id: IdeaId(ids.next()),
                board,
                text,
                category,
                author: Some(a.me),
                table: b.table,
                round: self.current_round().map(|r| r.number),
                origin: a.person.location,
                scribed: host_here,
                hidden,
                rejected: false,
                private,
                cluster: None,
                created_at: a.now,
                edited_at: None,
                harvested_from: None,
                provenance: None,
            },
        }])
    }

    pub(crate) fn decide_edit_idea(
        &self,
        a: &Act,
        idea: IdeaId,
        text: &str,
        category: Option<&str>,
    ) -> Decision {
        self.may_edit_idea(a.me, idea)?;
        let i = self.idea(idea)?;
        let b = self.board(i.board)?;
        let text = clean_text(text, "idea", 1, IDEA_TEXT_MAX)?;
        let category = self.check_category(b, category)?;
        if text == i.text && category == i.category {
            return Ok(vec![]);
        }
        Ok(vec![Event::IdeaEdited {
            idea,
            text,
            category,
            at: a.now,
        }])
    }

    pub(crate) fn decide_delete_idea(&self, a: &Act, idea: IdeaId) -> Decision {
        self.may_delete_idea(a.me, idea)?;
        Ok(vec![Event::IdeaDeleted { idea }])
    }

    pub(crate) fn decide_hide_idea(&self, a: &Act, idea: IdeaId, hidden: bool) -> Decision {
        self.may_hide_idea(a.me, idea)?;
        let i = self.idea(idea)?;
        if i.hidden == hidden {
            return Ok(vec![]);
        }
        Ok(vec![Event::IdeaHidden { idea, hidden }])
    }

    pub(crate) fn decide_approve_ideas(&self, a: &Act, ideas: &[IdeaId]) -> Decision {
        self.may_approve_ideas(a.me, ideas)?;
        let mut changed: Vec<IdeaId> = ideas
            .iter()
            .copied()
            .filter(|i| self.ideas.get(i).is_some_and(|i| i.hidden))
            .collect();
        changed.sort_unstable();
        changed.dedup();
        if changed.is_empty() {
            return Ok(vec![]);
        }
        Ok(vec![Event::IdeasApproved {
            ideas: changed,
            revealed: Vec::new(),
        }])
    }

    pub(crate) fn decide_reject_idea(&self, a: &Act, idea: IdeaId) -> Decision {
        self.may_reject_idea(a.me, idea)?;
        if self.idea(idea)?.rejected {
            return Ok(vec![]);
        }
        Ok(vec![Event::IdeaRejected { idea }])
    }

    pub(crate) fn decide_set_private_writing(
        &self,
        a: &Act,
        boards: &[BoardId],
        private: bool,
    ) -> Decision {
        self.may_set_private_writing(a.me, boards)?;
        let mut changed: Vec<BoardId> = boards
            .iter()
            .copied()
            .filter(|b| self.boards.get(b).is_some_and(|b| b.private != private))
            .collect();
        changed.sort_unstable();
        changed.dedup();
        if changed.is_empty() {
            return Ok(vec![]);
        }
        Ok(vec![Event::PrivateWritingSet {
            boards: changed,
            private,
            revealed: Vec::new(),
        }])
    }

    pub(crate) fn decide_lock_board(&self, a: &Act, board: BoardId, locked: bool) -> Decision {
        self.may_manage_board(a.me, board)?;
        let b = self.board(board)?;
        if b.locked == locked {
            return Ok(vec![]);
        }
        Ok(vec![Event::BoardLocked { board, locked }])
    }

    pub(crate) fn decide_set_projector(
        &self,
        a: &Act,
        board: BoardId,
        view: ProjectorView,
    ) -> Decision {
        self.may_set_projector(a.me, board)?;
        if self.projected_board() == Some(board) && self.projector_view == view {
            return Ok(vec![]);
        }
        Ok(vec![Event::ProjectorSet { board, view }])
    }

    /// A reaction changes nothing in the café: who may send one is decided here, how often
    /// by [`crate::reactions::ReactionLimiter`], which the server keeps beside the state.
    pub(crate) fn decide_react(&self, a: &Act) -> Decision {
        self.may_react(a.me)?;
        Ok(vec![])
    }

    pub(crate) fn decide_set_board_columns(
        &self,
        a: &Act,
        board: BoardId,
        columns: &[String],
    ) -> Decision {
        self.may_manage_board(a.me, board)?;
        if columns.len() > BOARD_COLUMNS_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a board has at most {BOARD_COLUMNS_MAX} columns"),
            );
        }
        let mut clean = Vec::with_capacity(columns.len());
        for c in columns {
            let c = clean_line(c, "column", CATEGORY_MAX)?;
            if clean.contains(&c) {
                return reject(ErrorCode::Invalid, why!("column '{c}' appears twice"));
            }
            clean.push(c);
        }
        Ok(vec![Event::BoardColumnsSet {
            board,
            columns: clean,
        }])
    }
}

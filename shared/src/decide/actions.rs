//! Deciding actions: what the café will do next, who owns it, by when, and where it stands.

use super::{Act, Decision, Ids};
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use crate::text::{clean_line, is_iso_date};

/// An action's checked text, owner name and due date.
struct Fields {
    text: String,
    owner_name: String,
    due: Option<String>,
}

impl CafeState {
    pub(crate) fn decide_create_action(
        &self,
        a: &Act,
        text: &str,
        owner: Option<PersonId>,
        owner_name: &str,
        due: Option<&str>,
        source: Option<ItemId>,
    ) -> Decision {
        self.may_create_action(a.me)?;
        let f = self.check_action_fields(text, owner, owner_name, due)?;
        if let Some(item) = source {
            self.check_action_source(item)?;
        }
        if self.actions.len() >= ACTIONS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café has at most {ACTIONS_PER_CAFE_MAX} actions"),
            );
        }
        let id = ActionId(Ids(self.next_id).next());
        Ok(vec![Event::ActionCreated {
            action: Action {
                id,
                text: f.text,
                owner,
                owner_name: f.owner_name,
                due: f.due,
                status: ActionStatus::Open,
                source,
                created_at: a.now,
                updated_at: None,
            },
        }])
    }

    pub(crate) fn decide_edit_action(
        &self,
        a: &Act,
        action: ActionId,
        text: &str,
        owner: Option<PersonId>,
        owner_name: &str,
        due: Option<&str>,
    ) -> Decision {
        self.may_edit_action(a.me, action)?;
        let old = self.action(action)?;
        // The owner may stay a person who has since been removed: editing the text must
        // not force a new owner.
        let f = if owner.is_some() && owner == old.owner {
            self.check_action_fields(text, None, owner_name, due)?
        } else {
            self.check_action_fields(text, owner, owner_name, due)?
        };
        if owner.is_some() && !f.owner_name.is_empty() {
            return reject(
                ErrorCode::Invalid,
                "an action is owned by a person of the café or by a name, not both",
            );
        }
        if old.text == f.text
            && old.owner == owner
            && old.owner_name == f.owner_name
            && old.due == f.due
        {
            return Ok(vec![]);
        }
        Ok(vec![Event::ActionEdited {
            action,
            text: f.text,
            owner,
            owner_name: f.owner_name,
            due: f.due,
            at: a.now,
        }])
    }

    pub(crate) fn decide_set_action_status(
        &self,
        a: &Act,
        action: ActionId,
        status: ActionStatus,
    ) -> Decision {
        self.may_set_action_status(a.me, action)?;
        if self.action(action)?.status == status {
            return Ok(vec![]);
        }
        Ok(vec![Event::ActionStatusSet {
            action,
            status,
            at: a.now,
        }])
    }

    pub(crate) fn decide_delete_action(&self, a: &Act, action: ActionId) -> Decision {
        self.may_edit_action(a.me, action)?;
        Ok(vec![Event::ActionDeleted { action }])
    }

    fn check_action_fields(
        &self,
        text: &str,
        owner: Option<PersonId>,
        owner_name: &str,
        due: Option<&str>,
    ) -> Result<Fields, Rejection> {
        let text = clean_line(text, "action", ACTION_TEXT_MAX)?;
        let owner_name = if owner_name.trim().is_empty() {
            String::new()
        } else {
            clean_line(owner_name, "owner", ACTION_OWNER_MAX)?
        };
        if owner.is_some() && !owner_name.is_empty() {
            return reject(
                ErrorCode::Invalid,
                "an action is owned by a person of the café or by a name, not both",
            );
        }
        if let Some(p) = owner {
            self.active_person(p)?;
        }
        let due = match due.map(str::trim) {
            None | Some("") => None,
            Some(d) if is_iso_date(d) => Some(d.to_owned()),
            Some(_) => {
                return reject(
                    ErrorCode::Invalid,
                    "a due date is a calendar day written YYYY-MM-DD",
                )
            }
        };
        Ok(Fields {
            text,
            owner_name,
            due,
        })
    }
}

//! Deciding the café's settings and what people do about themselves and each other:
//! renaming, location, ready, hands, removing people and changing roles.

use super::{validate_settings, Act, Decision};
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::Event;
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use crate::text::{clean_line, clean_text, NameLook};

impl CafeState {
    pub(crate) fn decide_update_cafe(
        &self,
        a: &Act,
        title: Option<&str>,
        description: Option<&str>,
        mode: Option<Mode>,
        language: Option<Language>,
        settings: Option<&Settings>,
    ) -> Decision {
        self.may_update_cafe(a.me)?;
        let Some(info) = self.info.as_ref() else {
            return reject(ErrorCode::NotFound, "no café");
        };
        let title = match title {
            Some(t) => clean_line(t, "title", CAFE_TITLE_MAX)?,
            None => info.title.clone(),
        };
        let description = match description {
            Some(d) => clean_text(d, "description", 0, CAFE_DESCRIPTION_MAX)?,
            None => info.description.clone(),
        };
        let settings = match settings {
            Some(s) => {
                validate_settings(s)?;
                if s.anonymous != info.settings.anonymous {
                    self.may_change_anonymity(a.me)?;
                }
                s.clone()
            }
            None => info.settings.clone(),
        };
        Ok(vec![Event::CafeUpdated {
            title,
            description,
            mode: mode.unwrap_or(info.mode),
            language: language.unwrap_or(info.language),
            settings,
        }])
    }

    pub(crate) fn decide_rename(&self, a: &Act, name: &str) -> Decision {
        let name = clean_line(name, "name", DISPLAY_NAME_MAX)?;
        if name == a.person.name {
            return Ok(vec![]);
        }
        self.check_name_free(&name, Some(a.me))?;
        Ok(vec![Event::PersonRenamed { person: a.me, name }])
    }

    /// A display name is refused when it looks like the name of someone else still in the
    /// café (removed people free theirs): names are how people recognise each other, and
    /// the only thing a newcomer chooses. Roles are shown by the UI beside a name, never by
    /// one. Linear in the people of the café (their looks are remembered), and only joins and
    /// renames ask.
    pub(crate) fn check_name_free(
        &self,
        name: &str,
        me: Option<PersonId>,
    ) -> Result<(), Rejection> {
        let others = self
            .people
            .values()
            .filter(|p| !p.removed && Some(p.id) != me);
        match NameLook::of(name).first_alike(others, |p| &p.name) {
            Some(p) => reject(
                ErrorCode::Conflict,
                why!("someone here is already called “{}”", p.name),
            ),
            None => Ok(()),
        }
    }

    pub(crate) fn decide_set_location(&self, a: &Act, location: Location) -> Decision {
        if location == a.person.location {
            return Ok(vec![]);
        }
        self.may_set_location(a.me)?;
        Ok(vec![Event::LocationChanged {
            person: a.me,
            location,
        }])
    }

    pub(crate) fn decide_set_ready(&self, a: &Act, ready: bool) -> Decision {
        if a.person.ready == ready {
            return Ok(vec![]);
        }
        Ok(vec![Event::ReadyChanged {
            person: a.me,
            ready,
        }])
    }

    pub(crate) fn decide_raise_hand(&self, a: &Act) -> Decision {
        self.may_raise_hand(a.me)?;
        if self.hands.contains(&a.me) {
            return Ok(vec![]);
        }
        Ok(vec![Event::HandRaised {
            person: a.me,
            at: a.now,
        }])
    }

    pub(crate) fn decide_lower_hand(&self, a: &Act) -> Decision {
        self.may_raise_hand(a.me)?;
        if !self.hands.contains(&a.me) {
            return Ok(vec![]);
        }
        Ok(vec![Event::HandLowered { person: a.me }])
    }

    pub(crate) fn decide_call_next_hand(&self, a: &Act) -> Decision {
        self.may_call_next_hand(a.me)?;
        match self.hands.first() {
            Some(p) => Ok(vec![Event::HandCalled { person: *p }]),
            None => reject(ErrorCode::Conflict, "no hand is raised"),
        }
    }

    pub(crate) fn decide_remove_person(&self, a: &Act, person: PersonId) -> Decision {
        self.may_remove_person(a.me, person)?;
        Ok(vec![Event::PersonRemoved { person }])
    }

    /// All or none: a list the console computed a moment ago may name someone another
    /// facilitator removed since, and removing the rest silently would leave the facilitator
    /// unsure who is still in. The refusal names the first person in the way.
    pub(crate) fn decide_remove_people(&self, a: &Act, people: &[PersonId]) -> Decision {
        self.may_facilitate(a.me)?;
        if people.is_empty() {
            return reject(ErrorCode::TooShort, "choose at least one person to remove");
        }
        if people.len() > PEOPLE_PER_CAFE_MAX {
            return reject(
                ErrorCode::Invalid,
                why!("a café has at most {PEOPLE_PER_CAFE_MAX} people"),
            );
        }
        let set: std::collections::BTreeSet<PersonId> = people.iter().copied().collect();
        let set: Vec<PersonId> = set.into_iter().collect();
        self.may_remove_people(a.me, &set)?;
        Ok(set
            .into_iter()
            .map(|person| Event::PersonRemoved { person })
            .collect())
    }

    pub(crate) fn decide_set_joining(&self, a: &Act, open: bool) -> Decision {
        self.may_set_joining(a.me)?;
        if self.joining_open == open {
            return Ok(vec![]);
        }
        Ok(vec![Event::JoiningSet { open }])
    }

    pub(crate) fn decide_set_role(&self, a: &Act, person: PersonId, role: Role) -> Decision {
        self.may_set_role(a.me, person, role)?;
        let target = self.active_person(person)?;
        if target.role == role {
            return Ok(vec![]);
        }
        let mut events = Vec::new();
        if role != Role::Host {
            // A host seat is the one thing that depends on the role: free it.
            for t in self.tables.values().filter(|t| t.host == Some(person)) {
                events.push(Event::TableHostSet {
                    table: t.id,
                    host: None,
                });
            }
        }
        events.push(Event::RoleChanged { person, role });
        Ok(events)
    }
}

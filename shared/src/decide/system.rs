//! Deciding what the server asks on its own behalf: creating a café, joining, presence and
//! the timer running out.

use super::{validate_settings, Decision, Ids};
use crate::command::SystemCommand;
use crate::error::{reject, ErrorCode};
use crate::event::{Event, TimerCause};
use crate::ids::*;
use crate::limits::*;
use crate::model::*;
use crate::text::{clean_line, clean_text};
use std::collections::BTreeSet;

impl CafeState {
    /// Decides a command the server issues on its own behalf.
    pub fn decide_system(&self, now: Millis, cmd: &SystemCommand) -> Decision {
        let mut ids = Ids(self.next_id);
        match cmd {
            SystemCommand::CreateCafe {
                id,
                code,
                title,
                description,
                mode,
                language,
                settings,
                organiser_name,
            } => {
                if self.info.is_some() {
                    return reject(ErrorCode::Conflict, "this café exists already");
                }
                let title = clean_line(title, "title", CAFE_TITLE_MAX)?;
                let description = clean_text(description, "description", 0, CAFE_DESCRIPTION_MAX)?;
                let name = clean_line(organiser_name, "name", DISPLAY_NAME_MAX)?;
                validate_settings(settings)?;
                let plenary = BoardId(ids.next());
                let organiser = PersonId(ids.next());
                Ok(vec![
                    Event::CafeCreated {
                        info: CafeInfo {
                            id: id.clone(),
                            code: code.clone(),
                            title,
                            description,
                            mode: *mode,
                            language: *language,
                            settings: settings.clone(),
                            created_at: now,
                        },
                        plenary: Board {
                            id: plenary,
                            table: None,
                            locked: false,
                            columns: Vec::new(),
                            private: false,
                        },
                    },
                    Event::PersonJoined {
                        person: new_person(
                            organiser,
                            name,
                            Role::Organiser,
                            Default::default(),
                            now,
                        ),
                    },
                ])
            }
            SystemCommand::Join {
                name,
                role,
                location,
            } => {
                self.may_join()?;
                if *role == Role::Organiser {
                    return reject(ErrorCode::Forbidden, "a café has one organiser");
                }
                let name = clean_line(name, "name", DISPLAY_NAME_MAX)?;
                if self.people.len() >= PEOPLE_PER_CAFE_MAX {
                    return reject(
                        ErrorCode::LimitReached,
                        why!("this café is full ({PEOPLE_PER_CAFE_MAX} people)"),
                    );
                }
                self.check_name_free(&name, None)?;
                let id = PersonId(ids.next());
                Ok(vec![Event::PersonJoined {
                    person: new_person(id, name, *role, *location, now),
                }])
            }
            SystemCommand::SetPresence { person, online } => {
                let Some(p) = self.people.get(person) else {
                    return reject(ErrorCode::NotFound, "unknown person");
                };
                if p.online == *online || (p.removed && *online) {
                    return Ok(vec![]);
                }
                Ok(vec![Event::PresenceChanged {
                    person: *person,
                    online: *online,
                }])
            }
            SystemCommand::ExpireTimer { ends_at } => match self.timer {
                Timer::Running {
                    ends_at: e,
                    duration_ms,
                } if e == *ends_at && now >= e => {
                    let mut events = vec![Event::TimerChanged {
                        timer: Timer::Ended {
                            ended_at: e,
                            duration_ms,
                        },
                        cause: TimerCause::Ended,
                    }];
                    // The shuffle's seed comes from the timer's end: fixed by the state, so
                    // whichever node expires the timer decides the same seats.
                    let seed = (e as u64) ^ 0x9E37_79B9_7F4A_7C15;
                    events.extend(self.auto_advance(now, seed));
                    Ok(events)
                }
                _ => Ok(vec![]),
            },
            #[cfg(not(target_arch = "wasm32"))]
            SystemCommand::OrganiserLink { hash } => self.decide_organiser_link(now, hash),
            #[cfg(target_arch = "wasm32")]
            SystemCommand::OrganiserLink { .. } => {
                reject(ErrorCode::Forbidden, "access links are the server's")
            }
        }
    }
}

pub(super) fn new_person(
    id: PersonId,
    name: String,
    role: Role,
    location: crate::model::Location,
    now: Millis,
) -> Person {
    Person {
        id,
        name,
        role,
        location,
        online: false,
        ready: false,
        hand_raised_at: None,
        removed: false,
        joined_at: now,
        visited: BTreeSet::new(),
    }
}

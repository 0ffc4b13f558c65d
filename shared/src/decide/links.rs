//! Access links (issue 13): the organiser's own link, made with the café, and the links
//! the organiser hands to co-facilitators and table hosts. The secret of a link never
//! reaches the café: commands carry its SHA-256, which the server computes (see
//! `docs/protocol.md`, "Access links").

use super::system::new_person;
use super::{Act, Decision};
use crate::error::{reject, ErrorCode, Rejection};
use crate::event::Event;
use crate::ids::PersonId;
use crate::limits::*;
use crate::model::*;
use crate::text::clean_line;

/// Whether `hash` has the shape of a link hash: lowercase hex SHA-256.
fn check_hash(hash: &str) -> Result<(), Rejection> {
    if hash.len() == LINK_HASH_LEN && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        reject(
            ErrorCode::Invalid,
            "a link hash is a SHA-256 in lowercase hex (64 characters)",
        )
    }
}

impl CafeState {
    /// The link with this id.
    pub fn link(&self, id: u32) -> Option<&Link> {
        let i = usize::try_from(id).ok()?.checked_sub(1)?;
        self.links.get(i)
    }

    /// The link that gives `person` their place, if they have one that is not revoked.
    pub fn live_link_of(&self, person: PersonId) -> Option<&Link> {
        self.links.iter().find(|l| l.person == person && !l.revoked)
    }

    /// Whether a token naming `grant` (or, from a join by code, no link) still lets
    /// `person` in. Someone who holds a link gets in only through its current generation,
    /// so a rotation closes what an older secret opened, and a token made before the link
    /// existed too. Asked by every socket's hello and every export.
    pub fn admits(&self, person: PersonId, grant: Option<Grant>) -> Result<(), Rejection> {
        self.member(person)?;
        match (self.live_link_of(person), grant) {
            (None, None) => Ok(()),
            (Some(l), Some(g)) if g.link == l.id && g.generation == l.generation => Ok(()),
            _ => reject(
                ErrorCode::Unauthorized,
                "this access link was replaced; open the newest link",
            ),
        }
    }

    /// Whether a projector token still opens the public view. One handed out with a link's
    /// token lasts as long as that link's generation, so a revoked co-facilitator's screen
    /// cannot reconnect; one made without a link (older tokens) is not tied to anyone.
    pub fn admits_screen(&self, grant: Option<Grant>) -> Result<(), Rejection> {
        let Some(g) = grant else {
            return Ok(());
        };
        match self.link(g.link) {
            Some(l)
                if !l.revoked && l.generation == g.generation && self.member(l.person).is_ok() =>
            {
                Ok(())
            }
            _ => reject(
                ErrorCode::Unauthorized,
                "this access link was replaced; open the newest link",
            ),
        }
    }

    /// What a link's secret (already hashed) opens: its person, when the link is live.
    /// The hashes compared are of the secret, so timing reveals nothing about it.
    pub fn redeem(&self, link: u32, hash: &str) -> Result<(&Person, Grant), Rejection> {
        let refused = || {
            reject(
                ErrorCode::Unauthorized,
                "this link is not valid (it may have been replaced or revoked)",
            )
        };
        let Some(l) = self.link(link).filter(|l| !l.revoked && l.hash == hash) else {
            return refused();
        };
        let Ok(person) = self.member(l.person) else {
            return refused();
        };
        Ok((
            person,
            Grant {
                link: l.id,
                generation: l.generation,
            },
        ))
    }

    /// The link `me` may rotate or revoke: live, and theirs to manage.
    fn managed_link(&self, me: PersonId, link: u32) -> Result<&Link, Rejection> {
        self.may_manage_links(me)?;
        match self.link(link) {
            Some(l) if !l.revoked => Ok(l),
            Some(_) => reject(ErrorCode::Conflict, "this link was revoked"),
            None => reject(ErrorCode::NotFound, "no such link"),
        }
    }

    /// The organiser's first link, made with the café (the server asks this right after
    /// `create_cafe`, and after an import).
    pub(crate) fn decide_organiser_link(&self, now: Millis, hash: &str) -> Decision {
        check_hash(hash)?;
        let Some(organiser) = self.organiser() else {
            return reject(ErrorCode::NotFound, "the café has no organiser");
        };
        if self.live_link_of(organiser).is_some() {
            return reject(ErrorCode::Conflict, "the organiser has a link already");
        }
        Ok(vec![self.new_link(organiser, hash, now)])
    }

    fn new_link(&self, person: PersonId, hash: &str, now: Millis) -> Event {
        Event::LinkIssued {
            link: Link {
                id: self.links.len() as u32 + 1,
                person,
                hash: hash.to_owned(),
                created_at: now,
                generation: 0,
                revoked: false,
            },
        }
    }

    /// A co-facilitator or a table host, and the link that lets them in.
    pub(crate) fn decide_issue_link(
        &self,
        a: &Act,
        role: Role,
        name: &str,
        hash: &str,
    ) -> Decision {
        self.may_manage_links(a.me)?;
        if !matches!(role, Role::Facilitator | Role::Host) {
            return reject(
                ErrorCode::Invalid,
                "a link can invite a co-facilitator or a table host",
            );
        }
        let name = clean_line(name, "name", DISPLAY_NAME_MAX)?;
        check_hash(hash)?;
        if self.links.len() >= LINKS_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("a café can hand out at most {LINKS_PER_CAFE_MAX} links"),
            );
        }
        if self.people.len() >= PEOPLE_PER_CAFE_MAX {
            return reject(
                ErrorCode::LimitReached,
                why!("this café is full ({PEOPLE_PER_CAFE_MAX} people)"),
            );
        }
        self.check_name_free(&name, None)?;
        let person = PersonId(self.next_id);
        Ok(vec![
            Event::PersonJoined {
                person: new_person(person, name, role, Location::default(), a.now),
            },
            self.new_link(person, hash, a.now),
        ])
    }

    pub(crate) fn decide_rotate_link(&self, a: &Act, link: u32, hash: &str) -> Decision {
        let l = self.managed_link(a.me, link)?;
        check_hash(hash)?;
        if self.member(l.person).is_err() {
            return reject(ErrorCode::Conflict, "this link's person was removed");
        }
        let Some(generation) = l.generation.checked_add(1) else {
            return reject(ErrorCode::LimitReached, "this link cannot be rotated again");
        };
        Ok(vec![Event::LinkRotated {
            link,
            hash: hash.to_owned(),
            generation,
        }])
    }

    pub(crate) fn decide_revoke_link(&self, a: &Act, link: u32) -> Decision {
        let l = self.managed_link(a.me, link)?;
        if l.person == a.me {
            return reject(
                ErrorCode::Invalid,
                "your own link cannot be revoked; give it a new secret instead",
            );
        }
        let mut events = vec![Event::LinkRevoked { link }];
        if self.member(l.person).is_ok() {
            events.push(Event::PersonRemoved { person: l.person });
        }
        Ok(events)
    }
}

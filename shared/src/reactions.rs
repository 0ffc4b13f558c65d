//! Reactions: 👍 ❤️ 😂 🎉 🤔 👏 sent from a phone, floated on the projector, counted for the
//! facilitators.
//!
//! A reaction is a passing signal, like applause: it is not an event and is not stored.
//! The server acknowledges it once it has been handed to the screens connected at that
//! moment (the projector and the facilitators), and keeps running counts in memory only;
//! `docs/protocol.md` says so. Storing every tap forever would fill the log and the resume
//! ring with noise that nobody reads back, and push real events out of the ring.
//!
//! How often one person may react is [`ReactionLimiter`]'s rule, written once: the server
//! refuses with `rate_limited`, the phone greys its buttons until the rule allows again.

use crate::error::{ErrorCode, Rejection};
use crate::ids::PersonId;
use crate::limits::{REACTIONS_PER_WINDOW, REACTION_WINDOW_MS};
use crate::model::Millis;
use crate::wire_enum::wire_enum;
use std::collections::BTreeMap;

wire_enum! {
    /// The fixed set of reactions (a free emoji field would need moderation).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Reaction {
        ThumbsUp => "thumbs_up",
        Heart => "heart",
        Laugh => "laugh",
        Party => "party",
        Thinking => "thinking",
        Clap => "clap",
    }
}

impl Reaction {
    /// What the screens show.
    pub const fn emoji(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "👍",
            Reaction::Heart => "❤️",
            Reaction::Laugh => "😂",
            Reaction::Party => "🎉",
            Reaction::Thinking => "🤔",
            Reaction::Clap => "👏",
        }
    }
}

/// Reactions per kind.
pub type ReactionCounts = BTreeMap<Reaction, u32>;

/// The café's rule for one person, given the times of their recent reactions (oldest
/// first): `None` when they may react at `now`, else when the next one is allowed. At most
/// [`REACTIONS_PER_WINDOW`] in any [`REACTION_WINDOW_MS`] (a sliding window: a burst of ten,
/// then one more each time the oldest of them is ten seconds old). A phone keeps its own
/// list and asks this to grey its buttons; the server asks it through [`ReactionLimiter`].
pub fn next_reaction_at(recent: &[Millis], now: Millis) -> Option<Millis> {
    let in_window = recent
        .iter()
        .filter(|t| now - **t < REACTION_WINDOW_MS)
        .count();
    if in_window < REACTIONS_PER_WINDOW {
        return None;
    }
    // The tenth newest leaving the window frees a slot.
    recent
        .get(recent.len() - REACTIONS_PER_WINDOW)
        .map(|t| t + REACTION_WINDOW_MS)
}

/// Counts a reaction at `now` in `recent` if the rule allows it; `Err(when)` otherwise.
/// Forgets what left the window, so the list holds at most ten times.
pub fn take_reaction(recent: &mut Vec<Millis>, now: Millis) -> Result<(), Millis> {
    if let Some(at) = next_reaction_at(recent, now) {
        return Err(at);
    }
    recent.retain(|t| now - *t < REACTION_WINDOW_MS);
    recent.push(now);
    Ok(())
}

/// Everyone's recent reactions, for the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReactionLimiter {
    recent: BTreeMap<PersonId, Vec<Millis>>,
    /// When people gone quiet were last forgotten (bounds the memory to the recent reactors).
    swept_at: Millis,
}

impl ReactionLimiter {
    /// When `person` may react next: `None` now.
    pub fn next_allowed_at(&self, person: PersonId, now: Millis) -> Option<Millis> {
        next_reaction_at(self.recent.get(&person)?, now)
    }

    /// Checks and, when allowed, counts one reaction of `person` at `now`; a refusal is not
    /// counted.
    pub fn take(&mut self, person: PersonId, now: Millis) -> Result<(), Rejection> {
        self.sweep(now);
        take_reaction(self.recent.entry(person).or_default(), now).map_err(|at| {
            Rejection::new(
                ErrorCode::RateLimited,
                why!(
                    "at most {REACTIONS_PER_WINDOW} reactions in {} seconds; the next in {} s",
                    REACTION_WINDOW_MS / 1000,
                    (at - now + 999) / 1000
                ),
            )
        })
    }

    /// Forgets everyone whose newest reaction left the window, at most once per window.
    fn sweep(&mut self, now: Millis) {
        if now - self.swept_at < REACTION_WINDOW_MS {
            return;
        }
        self.swept_at = now;
        self.recent
            .retain(|_, times| times.last().is_some_and(|t| now - *t < REACTION_WINDOW_MS));
    }

    /// How many people the limiter remembers (for tests of its memory bound).
    pub fn remembered(&self) -> usize {
        self.recent.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reactions_are_written_as_their_wire_names() {
        crate::wire_enum::check_wire_names(&Reaction::ALL, |r| r.as_str());
        assert_eq!(Reaction::ALL.len(), 6);
        let counts: ReactionCounts = [(Reaction::Heart, 2), (Reaction::ThumbsUp, 1)].into();
        assert_eq!(
            serde_json::to_string(&counts).expect("serializes"),
            r#"{"thumbs_up":1,"heart":2}"#
        );
        let back: ReactionCounts =
            serde_json::from_str(r#"{"heart":2,"thumbs_up":1}"#).expect("parses");
        assert_eq!(back, counts);
    }

    #[test]
    fn ten_per_window_then_the_eleventh_is_refused_until_the_oldest_leaves() {
        let mut l = ReactionLimiter::default();
        let (p, q) = (PersonId(7), PersonId(8));
        for i in 0..10 {
            assert_eq!(l.take(p, 1_000 + i * 100), Ok(()), "reaction {i}");
        }
        let now = 2_000;
        let refused = l.take(p, now).expect_err("the 11th in 10 s");
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert_eq!(l.next_allowed_at(p, now), Some(11_000));
        // Someone else is not held back.
        assert_eq!(l.take(q, now), Ok(()));
        // A refusal is not counted: just before the oldest leaves, still no; then yes.
        assert!(l.take(p, 10_999).is_err());
        assert_eq!(l.take(p, 11_000), Ok(()));
        // One slot freed, one used: full again until the second oldest (at 1,100) leaves.
        assert_eq!(l.next_allowed_at(p, 11_000), Some(11_100));
        assert_eq!(l.next_allowed_at(p, 11_100), None);
        // The phone's own list follows the same rule.
        let mut mine = Vec::new();
        for i in 0..10 {
            assert_eq!(take_reaction(&mut mine, i * 10), Ok(()));
        }
        assert_eq!(take_reaction(&mut mine, 500), Err(10_000));
        assert_eq!(next_reaction_at(&mine, 9_999), Some(10_000));
        assert_eq!(take_reaction(&mut mine, 10_000), Ok(()));
        assert_eq!(next_reaction_at(&mine, 10_000), Some(10_010));
        assert_eq!(mine.len(), 10, "what left the window is forgotten");
    }

    #[test]
    fn people_gone_quiet_are_forgotten() {
        let mut l = ReactionLimiter::default();
        for p in 0..100 {
            l.take(PersonId(p), 0).expect("first reaction");
        }
        assert_eq!(l.remembered(), 100);
        l.take(PersonId(1), REACTION_WINDOW_MS + 1).expect("later");
        assert_eq!(l.remembered(), 1);
        assert_eq!(l.next_allowed_at(PersonId(2), REACTION_WINDOW_MS + 1), None);
    }
}

//! Votes: what a ballot holds ([`VoteTarget`], [`VoteScope`]), the vote prepared in the
//! console ([`VoteDraft`]), the vote itself with its ballots and tallies ([`Vote`]), and what
//! its results read as ([`RankedItem`], [`Turnout`]). The rules that open, cast and close
//! votes are in `decide` and `apply`; this is their data.

use super::Millis;
use crate::ids::{BoardId, ItemId, PersonId, TableId, VoteId};
use crate::tagged::tagged_enum;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};
use serde_with::{serde_as, DisplayFromStr};
use std::collections::BTreeMap;

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum VoteVisibility {
        /// Totals are shown to participants only after the facilitator reveals them.
        #[default]
        Hidden => "hidden",
        /// Totals update on every screen as dots are cast.
        Live => "live",
    }
}

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum VoteTarget {
        Ideas => "ideas",
        Clusters => "clusters",
    }
}

tagged_enum! {
    tag = "kind", remote = "VoteScope";
    /// What a vote is on: the plenary board (the default), some boards, or every board.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub enum VoteScope {
        #[default]
        Plenary,
        Boards {
            boards: Vec<BoardId>,
        },
        All,
    }
}

impl VoteScope {
    /// One board's items.
    pub fn board(board: BoardId) -> Self {
        VoteScope::Boards {
            boards: vec![board],
        }
    }
}

/// The vote a facilitator prepares in the console; entering the vote phase opens it. Café
/// state, so every facilitator's console shows the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteDraft {
    pub scope: VoteScope,
    pub target: VoteTarget,
    pub budget: u32,
    pub per_item_cap: u32,
    pub visibility: VoteVisibility,
    /// The vote's title; none names it by its boards (see [`CafeState::vote_title`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// How many have voted of how many are expected to (see [`CafeState::turnout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Turnout {
    pub voted: u32,
    pub expected: u32,
}

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum VoteStatus {
        Open => "open",
        Closed => "closed",
    }
}

#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub id: VoteId,
    /// The boards whose items are on the ballot, ascending. Logs written before a vote could
    /// span boards hold one `board`, read as a list of one.
    #[serde(alias = "board", deserialize_with = "one_or_many")]
    pub boards: Vec<BoardId>,
    pub target: VoteTarget,
    pub budget: u32,
    pub per_item_cap: u32,
    pub visibility: VoteVisibility,
    /// The facilitator's title for it; none names it by its boards (logs written before
    /// votes had titles hold none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub status: VoteStatus,
    pub revealed: bool,
    /// Items that can receive dots, frozen when the vote opens.
    pub items: Vec<ItemId>,
    pub opened_at: Millis,
    /// Dots on the board from people and paper tallies together (always public).
    pub dots_cast: u32,
    /// How many people have at least one dot on this ballot (public: a count, never who).
    #[serde(default)]
    pub voters: u32,
    /// Per-item totals. In a participant's view, empty until reveal unless the vote is live.
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub totals: BTreeMap<ItemId, u32>,
    /// Individual ballots. Only on the server; a view holds the viewer's own ballot alone.
    #[serde_as(as = "BTreeMap<DisplayFromStr, BTreeMap<DisplayFromStr, _>>")]
    pub ballots: BTreeMap<PersonId, BTreeMap<ItemId, u32>>,
    /// Paper-table tallies entered by scribes.
    #[serde_as(as = "BTreeMap<DisplayFromStr, BTreeMap<DisplayFromStr, _>>")]
    pub tallies: BTreeMap<TableId, BTreeMap<ItemId, u32>>,
}

impl Vote {
    pub fn results_visible_to_all(&self) -> bool {
        self.revealed || self.visibility == VoteVisibility::Live
    }

    pub fn dots_used_by(&self, person: PersonId) -> u32 {
        self.ballots
            .get(&person)
            .map(|b| b.values().sum())
            .unwrap_or(0)
    }

    pub fn dots_on(&self, person: PersonId, item: ItemId) -> u32 {
        self.ballots
            .get(&person)
            .and_then(|b| b.get(&item).copied())
            .unwrap_or(0)
    }

    /// Dots the person may still cast.
    pub fn remaining_for(&self, person: PersonId) -> u32 {
        self.budget.saturating_sub(self.dots_used_by(person))
    }
}

/// One line of a ranked result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedItem {
    pub rank: u32,
    pub item: ItemId,
    pub dots: u32,
}

/// A vote's boards: a list, or (logs from before votes spanned boards) one board id.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<BoardId>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Vec<BoardId>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a board id or a list of board ids")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(vec![BoardId(v)])
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(|v| vec![BoardId(v)])
                .map_err(|_| E::custom("a board id is not negative"))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(b) = a.next_element::<BoardId>()? {
                out.push(b);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

//! The café's data. `CafeState` is the whole truth on the server; a per-audience *view* of
//! it (see [`crate::view`]) is what each browser holds. Both are changed only by
//! [`CafeState::apply`].
//!
//! Collections are `BTreeMap`s so that iteration order, serialization and therefore replays
//! are deterministic.

use crate::ids::{
    ActionId, BoardId, CafeId, ClusterId, IdeaId, ItemId, JoinCode, PersonId, TableId, VoteId,
};
use crate::tagged::tagged_enum;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};
use serde_with::{serde_as, DisplayFromStr};
use std::collections::{BTreeMap, BTreeSet};

/// Milliseconds since the Unix epoch, server clock.
pub type Millis = i64;

mod vote;
pub use vote::{
    RankedItem, Turnout, Vote, VoteDraft, VoteScope, VoteStatus, VoteTarget, VoteVisibility,
};

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum Mode {
        InPerson => "in_person",
        Online => "online",
        #[default]
        Hybrid => "hybrid",
    }
}

wire_enum! {
    /// UI languages: the six official UN languages.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum Language {
        Ar => "ar",
        Zh => "zh",
        #[default]
        En => "en",
        Fr => "fr",
        Ru => "ru",
        Es => "es",
    }
}

impl Language {
    /// The BCP 47 primary language subtag, which is also the wire name.
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    pub fn from_code(code: &str) -> Option<Self> {
        let primary = code.split(['-', '_']).next().unwrap_or(code);
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    pub fn is_rtl(self) -> bool {
        matches!(self, Language::Ar)
    }
}

wire_enum! {
    /// What the projector shows of its board ([`CafeState::projector_view`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ProjectorView {
        /// The phase's own screen: the notes, the themes, the ballot, the results.
        #[default]
        Board => "board",
        /// The words of the board's notes, sized by how often they occur
        /// ([`crate::words::word_counts`]).
        WordCloud => "word_cloud",
    }
}

impl ProjectorView {
    /// For `skip_serializing_if`: the default is left out, so what was written before the
    /// field existed is written the same way still.
    pub fn is_board(&self) -> bool {
        *self == ProjectorView::Board
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Authors of ideas are shown to nobody but the author.
    pub anonymous: bool,
    /// Participants' ideas start hidden until a facilitator approves them.
    pub moderation: bool,
    pub default_budget: u32,
    pub default_per_item_cap: u32,
    pub default_visibility: VoteVisibility,
    /// When a timer runs out the café moves on by itself (see
    /// [`CafeState::auto_advance`]). Off unless a facilitator opts in; absent (off) in
    /// logs written before it existed, and left out of the JSON while off.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_advance: bool,
    /// How many conversation rounds the café plans: with `auto_advance`, the end of a
    /// round starts the next one until this many have run. 0: no plan (the end of a round
    /// moves to the next phase).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub planned_rounds: u32,
    /// Who may create, rename, merge and delete themes (clusters). Absent in cafés stored
    /// before the setting existed, which let everyone do so: reading them as `everyone`
    /// keeps a café that is running (or reopened) behaving as its people knew it, while
    /// new cafés start with `facilitators` (see [`Settings::default`]).
    #[serde(default = "ClusterCreators::before_the_setting")]
    pub cluster_creators: ClusterCreators,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            anonymous: false,
            moderation: false,
            default_budget: 5,
            default_per_item_cap: 3,
            default_visibility: VoteVisibility::Hidden,
            auto_advance: false,
            planned_rounds: 0,
            // A new café's themes are the facilitator's to shape: participants sort notes
            // into them, which is where a room of forty gets stuck without a lead.
            cluster_creators: ClusterCreators::Facilitators,
        }
    }
}

wire_enum! {
    /// Who may make themes: create, rename, merge and delete them (moving notes into
    /// themes stays with everyone who may group).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ClusterCreators {
        /// Facilitators, and a table's host on that table's board.
        Facilitators => "facilitators",
        /// Everyone who may group on the board.
        Everyone => "everyone",
    }
}

impl ClusterCreators {
    /// What a stored café without the field meant: everyone could make themes.
    pub fn before_the_setting() -> Self {
        ClusterCreators::Everyone
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CafeInfo {
    pub id: CafeId,
    pub code: JoinCode,
    pub title: String,
    pub description: String,
    pub mode: Mode,
    pub language: Language,
    pub settings: Settings,
    pub created_at: Millis,
}

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Role {
        /// Created the café; owns exports and deletion; can do all a facilitator does.
        Organiser => "organiser",
        Facilitator => "facilitator",
        /// Table host / scribe: stays at a table across rounds, types in a paper table's
        /// ideas and tallies.
        Host => "host",
        Participant => "participant",
    }
}

impl Role {
    pub fn is_facilitator(self) -> bool {
        matches!(self, Role::Organiser | Role::Facilitator)
    }
}

wire_enum! {
    /// Where a person takes part from. Drives table matching in hybrid cafés.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum Location {
        #[default]
        Room => "room",
        Remote => "remote",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub role: Role,
    pub location: Location,
    pub online: bool,
    pub ready: bool,
    /// When the hand went up; the queue itself is [`CafeState::hands`].
    pub hand_raised_at: Option<Millis>,
    pub removed: bool,
    pub joined_at: Millis,
    /// Tables this person sat at in any round; the shuffle avoids sending them back.
    pub visited: BTreeSet<TableId>,
}

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Phase {
        Lobby => "lobby",
        Ideate => "ideate",
        Group => "group",
        Vote => "vote",
        Results => "results",
        Closed => "closed",
    }
}

tagged_enum! {
    tag = "state", remote = "Timer";
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum Timer {
        #[default]
        Idle,
        /// `ends_at` is absolute server time, so every screen shows the same remaining time
        /// whatever its latency; clients correct with the server time in `pong`.
        Running {
            ends_at: Millis,
            duration_ms: i64,
        },
        Paused {
            remaining_ms: i64,
            duration_ms: i64,
        },
        Ended {
            ended_at: Millis,
            duration_ms: i64,
        },
    }
}

impl Timer {
    /// Milliseconds left at `now` (0 when idle or ended).
    pub fn remaining_ms(&self, now: Millis) -> i64 {
        match *self {
            Timer::Running { ends_at, .. } => (ends_at - now).max(0),
            Timer::Paused { remaining_ms, .. } => remaining_ms,
            Timer::Idle | Timer::Ended { .. } => 0,
        }
    }
}

wire_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum TableKind {
        /// A physical table in the room.
        InRoom => "in_room",
        /// A breakout for remote people.
        Virtual => "virtual",
    }
}

impl TableKind {
    pub fn fits(self, location: Location) -> bool {
        matches!(
            (self, location),
            (TableKind::InRoom, Location::Room) | (TableKind::Virtual, Location::Remote)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub id: TableId,
    pub name: String,
    pub kind: TableKind,
    pub board: BoardId,
    pub host: Option<PersonId>,
    /// People sitting at a paper table, declared by its scribe; bounds its dot tally.
    pub headcount: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub id: BoardId,
    /// `None` for the café-wide plenary board.
    pub table: Option<TableId>,
    pub locked: bool,
    /// Optional columns; when non-empty every idea's category must be one of them.
    pub columns: Vec<String>,
    /// Private writing: ideas posted here while it is on are seen by their author and the
    /// facilitators only, until a facilitator reveals them (see `Idea::private`). Absent in
    /// logs written before it existed, and when off.
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// For `skip_serializing_if`: flags added later are written only when set, so the wire and
/// stored logs of cafés that never use them stay as they were.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// 1-based.
    pub number: u32,
    pub prompt: String,
    pub duration_secs: u32,
    pub started_at: Millis,
    /// Where everybody sits this round.
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub assignments: BTreeMap<PersonId, TableId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idea {
    pub id: IdeaId,
    pub board: BoardId,
    pub text: String,
    pub category: Option<String>,
    /// Stripped from views of an anonymous café for everyone but the author.
    pub author: Option<PersonId>,
    pub table: Option<TableId>,
    pub round: Option<u32>,
    /// Posted from the room or remotely.
    pub origin: Location,
    /// Typed in by a scribe on behalf of a paper table.
    pub scribed: bool,
    /// Not shown to participants: waiting for a facilitator's approval (with moderation on),
    /// or `rejected`. The author and facilitators still see it.
    pub hidden: bool,
    /// A facilitator did not approve it (a hidden idea that is not rejected is waiting for
    /// approval). Kept rather than deleted, so its author sees the verdict and a facilitator
    /// can still approve it later.
    #[serde(default, skip_serializing_if = "is_false")]
    pub rejected: bool,
    /// Written during private writing and not revealed yet: only its author and the
    /// facilitators see it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
    pub cluster: Option<ClusterId>,
    pub created_at: Millis,
    pub edited_at: Option<Millis>,
    /// Set on a copy harvested to the plenary board.
    pub harvested_from: Option<IdeaId>,
    /// Where a harvested copy came from, captured when it was harvested so that exports
    /// and screens never re-derive it from a café that has changed since (a renamed table,
    /// a renamed person). Absent on every other idea and in logs written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl Idea {
    /// Everybody may see it: approved and not waiting for a reveal.
    pub fn public(&self) -> bool {
        !self.hidden && !self.private
    }

    /// In the moderation queue: hidden and no verdict yet.
    pub fn awaiting_approval(&self) -> bool {
        self.hidden && !self.rejected
    }
}

/// A harvested note's origin, as it was at harvest time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The table the note was written at, and its name then.
    pub table: TableId,
    pub table_name: String,
    /// The round it was written in (`None` before the first round).
    pub round: Option<u32>,
    /// The author's display name; `None` in an anonymous café and for a note a scribe
    /// typed in for a paper table (the scribe is not its author).
    pub author_name: Option<String>,
    /// Written in the room or remotely.
    pub origin: Location,
    /// Typed in by a scribe for a paper table.
    pub scribed: bool,
    /// Dots the note got in its table's latest vote, when that vote's totals were public.
    pub dots: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: ClusterId,
    pub board: BoardId,
    pub title: String,
}

wire_enum! {
    /// Where an action stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ActionStatus {
        #[default]
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Dropped => "dropped",
    }
}

/// What the café decided to do next: after the results, the top items become actions with
/// an owner, a due date and a status. Public: the point of an action is that everybody
/// knows who does what by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: ActionId,
    pub text: String,
    /// A person of the café who owns it; they may set its status themselves.
    pub owner: Option<PersonId>,
    /// The owner's name when they are not a person of the café (a team, someone absent);
    /// empty when `owner` is set or nobody owns it yet.
    pub owner_name: String,
    /// Due date, ISO 8601 `YYYY-MM-DD` (a calendar day: no time zone to disagree on).
    pub due: Option<String>,
    pub status: ActionStatus,
    /// The idea or theme (a ballot item) it was made from, kept as provenance.
    pub source: Option<ItemId>,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

/// The whole café.
///
/// The entity maps hold their values boxed (`BTreeMap<IdeaId, Box<Idea>>`, …). The wire
/// and the stored JSON are the same either way; the reason is the browser bundle: a
/// B-tree's code (insert, remove, drop, …) is compiled once per key/value *layout*, and the
/// ids are all one `u64`, so with every value a pointer the seven maps share one copy
/// instead of seven (about 40 KB of WebAssembly, 11 KB gzip, on the console's first load).
/// On the server it costs one allocation per entity created or cloned (a snapshot's
/// `view()` clones the state), beside the strings each already owns; measured, the clone
/// got faster (smaller nodes to copy): BENCHMARKS.md, "Cutting every build".
#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CafeState {
    /// `None` until the `cafe_created` event.
    pub info: Option<CafeInfo>,
    /// Next free entity id (ideas, tables, boards, clusters, votes and people share it).
    pub next_id: u64,
    pub phase: Phase,
    /// Whether new people may join (a facilitator can close it against a flood of joins).
    /// Defaults to open, so snapshots written before it existed load as they were.
    #[serde(default = "open")]
    pub joining_open: bool,
    pub timer: Timer,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub people: BTreeMap<PersonId, Box<Person>>,
    /// Raised hands, first raised first.
    pub hands: Vec<PersonId>,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub tables: BTreeMap<TableId, Box<Table>>,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub boards: BTreeMap<BoardId, Box<Board>>,
    pub plenary: Option<BoardId>,
    /// The board a facilitator put on the projector; `None` (and snapshots from before it
    /// existed) shows the plenary. See [`CafeState::projected_board`].
    #[serde(default)]
    pub projector_board: Option<BoardId>,
    /// How the projector shows that board; left out (and read as `board`) by default.
    #[serde(default, skip_serializing_if = "ProjectorView::is_board")]
    pub projector_view: ProjectorView,
    pub rounds: Vec<Round>,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub ideas: BTreeMap<IdeaId, Box<Idea>>,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub clusters: BTreeMap<ClusterId, Box<Cluster>>,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub votes: BTreeMap<VoteId, Box<Vote>>,
    /// The vote prepared for the next vote phase; `None`: the café's defaults
    /// ([`CafeState::vote_draft`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote_draft: Option<VoteDraft>,
    /// The café's actions ([`Action`]); absent from snapshots written before they existed
    /// and left out of the JSON while there are none.
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<ActionId, Box<Action>>,
    /// Access links ([`Link`]), by id (id `n` at index `n - 1`). Only the server holds
    /// them: [`CafeState::view`] gives every audience none, so the browser build has no
    /// such field (nor the code to keep it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg(not(target_arch = "wasm32"))]
    pub links: Vec<Link>,
}

/// An access link: a secret URL that gives one person their place in the café on any
/// device, without an account (the organiser's own, a co-facilitator's, a table host's).
/// Only the SHA-256 of its secret is kept. A token made from a link names it and its
/// `generation`; rotating the link (a new secret) raises the generation, so what the old
/// secret opened stops working, and revoking it removes its person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub id: u32,
    pub person: PersonId,
    /// Lowercase hex SHA-256 of the secret ([`crate::limits::LINK_HASH_LEN`] characters).
    pub hash: String,
    pub created_at: Millis,
    /// Rotations so far.
    pub generation: u32,
    pub revoked: bool,
}

/// What a token made from a link says about it: the link and its generation then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub link: u32,
    pub generation: u32,
}

fn open() -> bool {
    true
}

impl Default for CafeState {
    fn default() -> Self {
        Self {
            info: None,
            next_id: 1,
            phase: Phase::Lobby,
            joining_open: true,
            timer: Timer::Idle,
            people: BTreeMap::new(),
            hands: Vec::new(),
            tables: BTreeMap::new(),
            boards: BTreeMap::new(),
            plenary: None,
            projector_board: None,
            projector_view: ProjectorView::Board,
            rounds: Vec::new(),
            ideas: BTreeMap::new(),
            clusters: BTreeMap::new(),
            votes: BTreeMap::new(),
            vote_draft: None,
            actions: BTreeMap::new(),
            #[cfg(not(target_arch = "wasm32"))]
            links: Vec::new(),
        }
    }
}

impl CafeState {
    /// The board the projector shows: the one a facilitator chose while it still exists,
    /// else the plenary.
    pub fn projected_board(&self) -> Option<BoardId> {
        self.projector_board
            .filter(|b| self.boards.contains_key(b))
            .or(self.plenary)
    }

    pub fn settings(&self) -> Settings {
        self.info
            .as_ref()
            .map(|i| i.settings.clone())
            .unwrap_or_default()
    }

    pub fn current_round(&self) -> Option<&Round> {
        self.rounds.last()
    }

    /// The table a person sits at in the current round (hosts: their own table).
    pub fn table_of(&self, person: PersonId) -> Option<TableId> {
        if let Some(t) = self.tables.values().find(|t| t.host == Some(person)) {
            return Some(t.id);
        }
        self.current_round()
            .and_then(|r| r.assignments.get(&person).copied())
    }

    /// The table (if any) whose board this is.
    pub fn board_table(&self, board: BoardId) -> Option<&Table> {
        self.boards
            .get(&board)
            .and_then(|b| b.table)
            .and_then(|t| self.tables.get(&t).map(Box::as_ref))
    }

    /// Active (not removed) people.
    pub fn active_people(&self) -> impl Iterator<Item = &Person> {
        self.people.values().map(Box::as_ref).filter(|p| !p.removed)
    }

    /// The moderation queue: ideas waiting for a facilitator's approval, first posted
    /// first. In a participant's view, only their own.
    pub fn awaiting_approval(&self) -> Vec<IdeaId> {
        self.ideas
            .values()
            .filter(|i| i.awaiting_approval())
            .map(|i| i.id)
            .collect()
    }

    /// Ideas written on `board` during private writing and not revealed yet (as far as this
    /// state knows them: a participant's view holds only their own).
    pub fn unrevealed_on(&self, board: BoardId) -> usize {
        self.ideas
            .values()
            .filter(|i| i.board == board && i.private)
            .count()
    }

    /// Boards in private writing, plenary first.
    pub fn private_boards(&self) -> Vec<BoardId> {
        let mut v: Vec<BoardId> = self
            .boards
            .values()
            .filter(|b| b.private)
            .map(|b| b.id)
            .collect();
        v.sort_by_key(|b| (Some(*b) != self.plenary, *b));
        v
    }

    /// The café's organiser: exactly one active person in any state the rules reach (see
    /// `check_invariants`); `None` before `cafe_created`'s own `person_joined`.
    pub fn organiser(&self) -> Option<PersonId> {
        self.active_people()
            .find(|p| p.role == Role::Organiser)
            .map(|p| p.id)
    }

    /// The open vote whose ballot holds `board`'s items, if any.
    pub fn open_vote_on(&self, board: BoardId) -> Option<&Vote> {
        self.open_votes().find(|v| v.boards.contains(&board))
    }

    pub fn open_votes(&self) -> impl Iterator<Item = &Vote> {
        self.votes
            .values()
            .map(Box::as_ref)
            .filter(|v| v.status == VoteStatus::Open)
    }

    /// The latest vote whose ballot holds `board`'s items (open or not).
    pub fn latest_vote_on(&self, board: BoardId) -> Option<&Vote> {
        self.votes
            .values()
            .rev()
            .map(Box::as_ref)
            .find(|v| v.boards.contains(&board))
    }

    /// The vote the next vote phase opens: the prepared one, or the café's defaults (the
    /// plenary's ideas, the default budget, cap and visibility).
    pub fn vote_draft(&self) -> VoteDraft {
        self.vote_draft.clone().unwrap_or_else(|| {
            let s = self.settings();
            VoteDraft {
                scope: VoteScope::Plenary,
                target: VoteTarget::Ideas,
                budget: s.default_budget,
                per_item_cap: s.default_per_item_cap,
                visibility: s.default_visibility,
                title: None,
            }
        })
    }

    /// A vote's name in English, for the exports: its title, else "Vote on" its boards'
    /// names ("Vote on Plenary", "Vote on Window, Door"). The browser builds the same
    /// default in the reader's language.
    pub fn vote_title(&self, vote: &Vote) -> String {
        if let Some(t) = vote.title.as_ref().filter(|t| !t.trim().is_empty()) {
            return t.clone();
        }
        let names: Vec<String> = vote
            .boards
            .iter()
            .map(|b| {
                if Some(*b) == self.plenary {
                    "Plenary".to_owned()
                } else {
                    self.board_table(*b)
                        .map_or_else(|| format!("Board {b}"), |t| t.name.clone())
                }
            })
            .collect();
        format!("Vote on {}", names.join(", "))
    }

    /// The boards a scope covers, ascending and without repeats (ids that name no board
    /// are kept, for `decide` to refuse).
    pub fn scope_boards(&self, scope: &VoteScope) -> Vec<BoardId> {
        let mut boards: Vec<BoardId> = match scope {
            VoteScope::Plenary => self.plenary.into_iter().collect(),
            VoteScope::Boards { boards } => boards.clone(),
            VoteScope::All => self.boards.keys().copied().collect(),
        };
        boards.sort_unstable();
        boards.dedup();
        boards
    }

    /// "N of M have voted". N: the people with at least one dot on `vote`'s ballot. M: the
    /// people expected to vote on a device, that is the participants and hosts online now
    /// (facilitators run the vote; one who votes anyway counts in N, and M is never below
    /// N). Offline people drop out of M rather than holding it open forever. People at a
    /// paper table vote through its scribe's tally and are not counted here.
    /// The same on every screen: both `voters` and presence are public.
    pub fn turnout(&self, vote: &Vote) -> Turnout {
        let online = self
            .active_people()
            .filter(|p| p.online && !p.role.is_facilitator())
            .count() as u32;
        Turnout {
            voted: vote.voters,
            expected: online.max(vote.voters),
        }
    }

    /// Ranked results of a vote: most dots first; ties broken by the item created first
    /// (lower id), so every screen and every export shows the same order. Items without
    /// dots are listed too, so the ranking covers the whole ballot. Uses whatever totals
    /// the state holds, so a participant's view ranks only what it may see.
    pub fn ranking(&self, vote: VoteId) -> Vec<RankedItem> {
        let Some(v) = self.votes.get(&vote) else {
            return Vec::new();
        };
        let mut rows: Vec<(ItemId, u32)> = v
            .items
            .iter()
            .map(|i| (*i, v.totals.get(i).copied().unwrap_or(0)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out = Vec::with_capacity(rows.len());
        let mut rank = 0;
        let mut prev: Option<u32> = None;
        for (idx, (item, dots)) in rows.into_iter().enumerate() {
            // Competition ranking ("1, 2, 2, 4"): equal totals share a rank.
            if prev != Some(dots) {
                rank = idx as u32 + 1;
                prev = Some(dots);
            }
            out.push(RankedItem { rank, item, dots });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire_enum::check_wire_names;

    #[test]
    fn every_wire_name_is_what_serde_writes() {
        check_wire_names(&Mode::ALL, |v| v.as_str());
        check_wire_names(&Language::ALL, |v| v.as_str());
        check_wire_names(&VoteVisibility::ALL, |v| v.as_str());
        check_wire_names(&Role::ALL, |v| v.as_str());
        check_wire_names(&Location::ALL, |v| v.as_str());
        check_wire_names(&Phase::ALL, |v| v.as_str());
        check_wire_names(&TableKind::ALL, |v| v.as_str());
        check_wire_names(&VoteTarget::ALL, |v| v.as_str());
        check_wire_names(&VoteStatus::ALL, |v| v.as_str());
        check_wire_names(&ActionStatus::ALL, |v| v.as_str());
        assert_eq!(
            ActionStatus::from_wire("in_progress"),
            Some(ActionStatus::InProgress)
        );
        assert_eq!(Phase::ALL.len(), 6);
        assert_eq!(Language::ALL.len(), 6);
        assert_eq!(Phase::from_wire("group"), Some(Phase::Group));
        assert_eq!(Phase::from_wire("Group"), None);
        assert_eq!(Role::Participant, "participant");
        assert_eq!(TableKind::InRoom.to_string(), "in_room");
    }
}

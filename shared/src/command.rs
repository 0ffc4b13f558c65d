//! What people ask for. A command is only a wish: [`CafeState::decide`](crate::CafeState::decide)
//! checks it against the state and the actor's role and turns it into events, or refuses it.

use crate::ids::{
    ActionId, BoardId, CafeId, ClusterId, IdeaId, ItemId, JoinCode, PersonId, TableId, VoteId,
};
use crate::model::{
    ActionStatus, Language, Location, Mode, Phase, ProjectorView, Role, Settings, TableKind,
    VoteDraft, VoteScope, VoteTarget, VoteVisibility,
};
use crate::reactions::Reaction;
use serde::{Deserialize, Serialize};

/// Commands a connected person sends in a `command` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    // ----- café and people -----
    /// Facilitator: change title, description, mode, language or settings. `anonymous` may
    /// only change while the café has no ideas (authors already shown cannot be unshown).
    UpdateCafe {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<Mode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<Language>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        settings: Option<Settings>,
    },
    /// Anyone: change own display name.
    Rename {
        name: String,
    },
    /// Anyone: say whether I am in the room or remote.
    SetLocation {
        location: Location,
    },
    /// Anyone: I'm ready (cleared on every phase change).
    SetReady {
        ready: bool,
    },
    RaiseHand,
    LowerHand,
    /// Facilitator: give the floor to the first raised hand.
    CallNextHand,
    /// Facilitator: remove a person (their token stops working).
    RemovePerson {
        person: PersonId,
    },
    /// Facilitator: remove several people at once, all or none: each must be one
    /// `RemovePerson` would remove. The ids are a set (order and repeats do not matter).
    RemovePeople {
        people: Vec<PersonId>,
    },
    /// Facilitator: open or close the café to new joins. People who joined keep their tokens.
    SetJoining {
        open: bool,
    },
    /// Facilitator: make someone host or participant; organiser: also facilitator.
    SetRole {
        person: PersonId,
        role: Role,
    },
    /// Organiser: invite a co-facilitator or a table host (`role` facilitator or host) by a
    /// new person of that name and an access link to them, whose secret only the server
    /// and the invitee see (`hash`: its SHA-256, lowercase hex). The server's
    /// `POST /api/cafes/{id}/links` makes the secret and sends this.
    #[cfg_attr(target_arch = "wasm32", serde(skip))]
    IssueLink {
        role: Role,
        name: String,
        hash: String,
    },
    /// Organiser: give a link a new secret; what the old one opened is closed (4001).
    #[cfg_attr(target_arch = "wasm32", serde(skip))]
    RotateLink {
        link: u32,
        hash: String,
    },
    /// Organiser: end a link for good: its person is removed (their sessions close, 4001).
    #[cfg_attr(target_arch = "wasm32", serde(skip))]
    RevokeLink {
        link: u32,
    },

    // ----- phases and timer -----
    SetPhase {
        phase: Phase,
    },
    StartTimer {
        duration_secs: u32,
    },
    PauseTimer,
    ResumeTimer,
    ExtendTimer {
        secs: u32,
    },
    StopTimer,

    // ----- tables and rounds -----
    CreateTable {
        name: String,
        kind: TableKind,
    },
    RenameTable {
        table: TableId,
        name: String,
    },
    /// Facilitator: seat a host at a table (promotes a participant to host); `None` frees it.
    SetTableHost {
        table: TableId,
        person: Option<PersonId>,
    },
    /// Facilitator or the table's host: how many people sit at this (paper) table.
    SetTableHeadcount {
        table: TableId,
        headcount: u32,
    },
    /// Facilitator: start the next round; also starts the timer for its duration.
    StartRound {
        prompt: String,
        duration_secs: u32,
        assignment: Assignment,
    },
    /// Facilitator: move one person to another table within the current round.
    AssignTable {
        person: PersonId,
        table: TableId,
    },

    // ----- ideas -----
    PostIdea {
        board: BoardId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
    },
    EditIdea {
        idea: IdeaId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
    },
    DeleteIdea {
        idea: IdeaId,
    },
    /// Facilitator: hide (or approve/unhide) an idea.
    HideIdea {
        idea: IdeaId,
        hidden: bool,
    },
    /// Facilitator: approve ideas waiting for approval (or ones not approved earlier), in
    /// one step and one event: "approve all" sends the queue the console shows, so an idea
    /// posted after the facilitator looked is not approved unseen. All or nothing: every id
    /// must name an idea; ones already approved are left as they are.
    ApproveIdeas {
        ideas: Vec<IdeaId>,
    },
    /// Facilitator: do not approve this idea. It stays hidden from everyone but its author
    /// (who sees it marked "not approved") and the facilitators, who can still approve it.
    RejectIdea {
        idea: IdeaId,
    },
    /// Facilitator: private writing on these boards (`true`): from now on each participant
    /// sees only their own new ideas there. `false` reveals everything written privately.
    SetPrivateWriting {
        boards: Vec<BoardId>,
        private: bool,
    },
    /// Facilitator or the table's host: copy an idea to the plenary board.
    HarvestIdea {
        idea: IdeaId,
    },
    /// Facilitator or the tables' host: copy several notes to the plenary in one step, all
    /// or nothing (e.g. a selection, or a table's top notes from
    /// [`CafeState::harvest_ranking`](crate::CafeState::harvest_ranking)).
    HarvestIdeas {
        ideas: Vec<IdeaId>,
    },
    /// Facilitator or the table's host: copy a table's theme to the plenary as a theme
    /// holding copies of its notes.
    HarvestCluster {
        cluster: ClusterId,
    },
    LockBoard {
        board: BoardId,
        locked: bool,
    },
    SetBoardColumns {
        board: BoardId,
        columns: Vec<String>,
    },
    /// Facilitator: the board the projector shows (the plenary until one is chosen), and
    /// how: its phase's screen (`board`, the default) or a word cloud of its notes.
    SetProjector {
        board: BoardId,
        #[serde(default, skip_serializing_if = "ProjectorView::is_board")]
        view: ProjectorView,
    },

    // ----- reactions -----
    /// Anyone: a reaction from the phone, floated on the projector and counted for the
    /// facilitators. Transient: no event, nothing stored (see `crate::reactions`).
    React {
        reaction: Reaction,
    },

    // ----- grouping -----
    CreateCluster {
        board: BoardId,
        title: String,
        #[serde(default)]
        ideas: Vec<IdeaId>,
    },
    RenameCluster {
        cluster: ClusterId,
        title: String,
    },
    /// Move an idea into a cluster, or out of any (`None`).
    MoveIdea {
        idea: IdeaId,
        cluster: Option<ClusterId>,
    },
    MergeClusters {
        from: ClusterId,
        into: ClusterId,
    },
    DeleteCluster {
        cluster: ClusterId,
    },

    // ----- dot voting -----
    /// Facilitator, in the vote phase: open a vote now. (Entering the vote phase opens the
    /// prepared one, see `SetVoteDraft`; this is for a second vote in the same phase.)
    OpenVote {
        scope: VoteScope,
        target: VoteTarget,
        budget: u32,
        per_item_cap: u32,
        visibility: VoteVisibility,
        /// What the vote is called in the console, the results and the exports; none (or
        /// blank) names it by its boards ("Vote on Plenary").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// Facilitator: prepare the vote the next `set_phase vote` opens.
    SetVoteDraft {
        draft: VoteDraft,
    },
    CastDot {
        vote: VoteId,
        item: ItemId,
    },
    RetractDot {
        vote: VoteId,
        item: ItemId,
    },
    /// Host/scribe (own table) or facilitator: a paper table's dots, replacing earlier entry.
    EnterTally {
        vote: VoteId,
        table: TableId,
        counts: Vec<ItemCount>,
    },
    CloseVote {
        vote: VoteId,
    },
    RevealVote {
        vote: VoteId,
    },

    // ----- actions -----
    /// Facilitator, in the results or closed phase: something the café will do next.
    /// `owner` (a person of the café) or `owner_name` (anyone else), not both; `due` an
    /// ISO date `YYYY-MM-DD`; `source` the idea or theme it was made from.
    CreateAction {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<PersonId>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        owner_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<ItemId>,
    },
    /// Facilitator: replace an action's text, owner and due date (complete values; what is
    /// left out is cleared).
    EditAction {
        action: ActionId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<PersonId>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        owner_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<String>,
    },
    /// Facilitator, or the person who owns the action: where it stands.
    SetActionStatus {
        action: ActionId,
        status: ActionStatus,
    },
    /// Facilitator.
    DeleteAction {
        action: ActionId,
    },
}

/// How people are seated when a round starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Assignment {
    /// Travellers move to tables they have not visited yet; hosts stay; room people go to
    /// in-room tables and remote people to virtual ones.
    Shuffle,
    /// Exactly these seats; anyone not listed keeps their previous table.
    Manual { seats: Vec<Seat> },
    /// Everybody stays where they were.
    Keep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub person: PersonId,
    pub table: TableId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCount {
    pub item: ItemId,
    pub dots: u32,
}

/// Commands only the server itself issues (HTTP join, presence, timer expiry). They never
/// come off a socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SystemCommand {
    CreateCafe {
        id: CafeId,
        code: JoinCode,
        title: String,
        description: String,
        mode: Mode,
        language: Language,
        settings: Settings,
        organiser_name: String,
    },
    Join {
        name: String,
        role: Role,
        location: Location,
    },
    SetPresence {
        person: PersonId,
        online: bool,
    },
    /// The timer's end passed; fires only if the timer still ends at `ends_at`.
    ExpireTimer {
        ends_at: i64,
    },
    /// The organiser's own access link, right after the café is created or imported.
    OrganiserLink {
        hash: String,
    },
}

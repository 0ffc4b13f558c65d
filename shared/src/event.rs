//! What happened. Events are facts: the writer stores them, then every client applies them
//! with the same [`CafeState::apply`](crate::CafeState::apply), in `seq` order.

use crate::ids::{ActionId, BoardId, ClusterId, IdeaId, ItemId, PersonId, TableId, VoteId};
use crate::model::{
    Action, ActionStatus, Board, CafeInfo, Cluster, Idea, Language, Link, Location, Millis, Mode,
    Person, Phase, ProjectorView, Role, Round, Settings, Table, Timer, Vote, VoteDraft,
};
use crate::tagged::tagged_enum;
use serde::{Deserialize, Serialize};
use serde_with::{serde_as, DisplayFromStr};
use std::collections::BTreeMap;

tagged_enum! {
    tag = "type", remote = "Event";
    #[serde_as]
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Event {
        CafeCreated {
            info: CafeInfo,
            plenary: Board,
        },
        CafeUpdated {
            title: String,
            description: String,
            mode: Mode,
            language: Language,
            settings: Settings,
        },
        PersonJoined {
            person: Person,
        },
        PersonRenamed {
            person: PersonId,
            name: String,
        },
        LocationChanged {
            person: PersonId,
            location: Location,
        },
        PresenceChanged {
            person: PersonId,
            online: bool,
        },
        ReadyChanged {
            person: PersonId,
            ready: bool,
        },
        HandRaised {
            person: PersonId,
            at: Millis,
        },
        HandLowered {
            person: PersonId,
        },
        /// The facilitator gave the floor to this person; their hand goes down.
        HandCalled {
            person: PersonId,
        },
        PersonRemoved {
            person: PersonId,
        },
        RoleChanged {
            person: PersonId,
            role: Role,
        },
        /// New people may join (`true`) or not; see [`CafeState::joining_open`](crate::CafeState).
        JoiningSet {
            open: bool,
        },
        PhaseChanged {
            phase: Phase,
        },
        TimerChanged {
            timer: Timer,
            cause: TimerCause,
        },
        TableCreated {
            table: Table,
            board: Board,
        },
        TableRenamed {
            table: TableId,
            name: String,
        },
        TableHostSet {
            table: TableId,
            host: Option<PersonId>,
        },
        TableHeadcountSet {
            table: TableId,
            headcount: u32,
        },
        RoundStarted {
            round: Round,
        },
        TableAssigned {
            person: PersonId,
            table: TableId,
        },
        IdeaPosted {
            idea: Idea,
        },
        IdeaEdited {
            idea: IdeaId,
            text: String,
            category: Option<String>,
            at: Millis,
        },
        IdeaDeleted {
            idea: IdeaId,
        },
        IdeaHidden {
            idea: IdeaId,
            hidden: bool,
        },
        /// These ideas are approved (shown to all, unless still private). In a participant's
        /// view, `revealed` also carries the ones they see for the first time.
        IdeasApproved {
            ideas: Vec<IdeaId>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            revealed: Vec<Idea>,
        },
        /// A facilitator did not approve this idea: hidden, and marked rejected.
        IdeaRejected {
            idea: IdeaId,
        },
        /// Private writing on or off for these boards; off reveals the ideas written during
        /// it. In a participant's view, `revealed` carries the ones they see for the first
        /// time.
        PrivateWritingSet {
            boards: Vec<BoardId>,
            private: bool,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            revealed: Vec<Idea>,
        },
        BoardLocked {
            board: BoardId,
            locked: bool,
        },
        BoardColumnsSet {
            board: BoardId,
            columns: Vec<String>,
        },
        /// The board the projector shows; see [`CafeState::projector_board`](crate::CafeState).
        ProjectorSet {
            board: BoardId,
            /// Left out for `board`, as every `projector_set` before word clouds was written.
            #[serde(default, skip_serializing_if = "ProjectorView::is_board")]
            view: ProjectorView,
        },
        ClusterCreated {
            cluster: Cluster,
        },
        ClusterRenamed {
            cluster: ClusterId,
            title: String,
        },
        IdeaMoved {
            idea: IdeaId,
            cluster: Option<ClusterId>,
        },
        /// Every idea of `from` moves to `into`, then `from` is gone.
        ClustersMerged {
            from: ClusterId,
            into: ClusterId,
        },
        ClusterDeleted {
            cluster: ClusterId,
        },
        VoteOpened {
            vote: Vote,
        },
        VoteDraftSet {
            draft: VoteDraft,
        },
        DotCast {
            vote: VoteId,
            person: PersonId,
            item: ItemId,
        },
        DotRetracted {
            vote: VoteId,
            person: PersonId,
            item: ItemId,
        },
        /// A paper table's tally, replacing any earlier entry for that table.
        TallyEntered {
            vote: VoteId,
            table: TableId,
            #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
            counts: BTreeMap<ItemId, u32>,
        },
        /// Only ever in a *view*: what an audience may know after a dot or tally changed.
        /// Values are absolute, so applying it twice is harmless.
        VoteProgress {
            vote: VoteId,
            dots_cast: u32,
            /// How many people have at least one dot (a count: never who).
            #[serde(default)]
            voters: u32,
            /// New totals of the items that changed; empty when the audience may not see totals.
            #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
            totals: BTreeMap<ItemId, u32>,
            /// The viewer's own ballot, when it changed.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            ballot: Option<Ballot>,
            /// A paper table's tally, when the audience may see tallies.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            tally: Option<Tally>,
        },
        VoteClosed {
            vote: VoteId,
        },
        VoteRevealed {
            vote: VoteId,
            #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
            totals: BTreeMap<ItemId, u32>,
            #[serde_as(as = "BTreeMap<DisplayFromStr, BTreeMap<DisplayFromStr, _>>")]
            tallies: BTreeMap<TableId, BTreeMap<ItemId, u32>>,
        },
        ActionCreated {
            action: Action,
        },
        /// New text, owner and due date (complete values).
        ActionEdited {
            action: ActionId,
            text: String,
            owner: Option<PersonId>,
            owner_name: String,
            due: Option<String>,
            at: Millis,
        },
        ActionStatusSet {
            action: ActionId,
            status: ActionStatus,
            at: Millis,
        },
        ActionDeleted {
            action: ActionId,
        },
        /// An access link was handed out. Never sent to a client (no audience sees links),
        /// nor exported; the browser's reader leaves it out.
        [cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
        LinkIssued {
            link: Link,
        },
        /// The link got a new secret; `generation` is its new count of rotations.
        [cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
        LinkRotated {
            link: u32,
            hash: String,
            generation: u32,
        },
        /// The link ends for good (its person is removed by the `person_removed` after it).
        [cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
        LinkRevoked {
            link: u32,
        },
    }
}

#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub person: PersonId,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub dots: BTreeMap<ItemId, u32>,
}

#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub table: TableId,
    #[serde_as(as = "BTreeMap<DisplayFromStr, _>")]
    pub counts: BTreeMap<ItemId, u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerCause {
    Started,
    Paused,
    Resumed,
    Extended,
    Stopped,
    Ended,
}

impl Event {
    /// Folds a later live-tally update of the same vote into this one, so that applying
    /// the result equals applying both in turn (their values are absolute). The server
    /// uses it to send a crowd's dots as one `vote_progress` per batch instead of one per
    /// dot; the seqs folded away are simply not sent, like any event an audience may not
    /// see. Only plain updates merge (no ballot, no paper tally); false changes nothing.
    pub fn absorb_progress(&mut self, later: &Event) -> bool {
        match (self, later) {
            (
                Event::VoteProgress {
                    vote,
                    dots_cast,
                    voters,
                    totals,
                    ballot: None,
                    tally: None,
                },
                Event::VoteProgress {
                    vote: later_vote,
                    dots_cast: later_dots,
                    voters: later_voters,
                    totals: later_totals,
                    ballot: None,
                    tally: None,
                },
            ) if vote == later_vote => {
                *dots_cast = *later_dots;
                *voters = *later_voters;
                totals.extend(later_totals.iter().map(|(item, n)| (*item, *n)));
                true
            }
            _ => false,
        }
    }

    /// An access link's event: kept for the server only, never in a view or an export.
    pub fn is_access_link(&self) -> bool {
        matches!(
            self,
            Event::LinkIssued { .. } | Event::LinkRotated { .. } | Event::LinkRevoked { .. }
        )
    }

    /// The wire name of the event (its `type`), for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CafeCreated { .. } => "cafe_created",
            Event::CafeUpdated { .. } => "cafe_updated",
            Event::PersonJoined { .. } => "person_joined",
            Event::PersonRenamed { .. } => "person_renamed",
            Event::LocationChanged { .. } => "location_changed",
            Event::PresenceChanged { .. } => "presence_changed",
            Event::ReadyChanged { .. } => "ready_changed",
            Event::HandRaised { .. } => "hand_raised",
            Event::HandLowered { .. } => "hand_lowered",
            Event::HandCalled { .. } => "hand_called",
            Event::PersonRemoved { .. } => "person_removed",
            Event::RoleChanged { .. } => "role_changed",
            Event::JoiningSet { .. } => "joining_set",
            Event::PhaseChanged { .. } => "phase_changed",
            Event::TimerChanged { .. } => "timer_changed",
            Event::TableCreated { .. } => "table_created",
            Event::TableRenamed { .. } => "table_renamed",
            Event::TableHostSet { .. } => "table_host_set",
            Event::TableHeadcountSet { .. } => "table_headcount_set",
            Event::RoundStarted { .. } => "round_started",
            Event::TableAssigned { .. } => "table_assigned",
            Event::IdeaPosted { .. } => "idea_posted",
            Event::IdeaEdited { .. } => "idea_edited",
            Event::IdeaDeleted { .. } => "idea_deleted",
            Event::IdeaHidden { .. } => "idea_hidden",
            Event::IdeasApproved { .. } => "ideas_approved",
            Event::IdeaRejected { .. } => "idea_rejected",
            Event::PrivateWritingSet { .. } => "private_writing_set",
            Event::BoardLocked { .. } => "board_locked",
            Event::BoardColumnsSet { .. } => "board_columns_set",
            Event::ProjectorSet { .. } => "projector_set",
            Event::ClusterCreated { .. } => "cluster_created",
            Event::ClusterRenamed { .. } => "cluster_renamed",
            Event::IdeaMoved { .. } => "idea_moved",
            Event::ClustersMerged { .. } => "clusters_merged",
            Event::ClusterDeleted { .. } => "cluster_deleted",
            Event::VoteOpened { .. } => "vote_opened",
            Event::VoteDraftSet { .. } => "vote_draft_set",
            Event::DotCast { .. } => "dot_cast",
            Event::DotRetracted { .. } => "dot_retracted",
            Event::TallyEntered { .. } => "tally_entered",
            Event::VoteProgress { .. } => "vote_progress",
            Event::VoteClosed { .. } => "vote_closed",
            Event::VoteRevealed { .. } => "vote_revealed",
            Event::ActionCreated { .. } => "action_created",
            Event::ActionEdited { .. } => "action_edited",
            Event::ActionStatusSet { .. } => "action_status_set",
            Event::ActionDeleted { .. } => "action_deleted",
            Event::LinkIssued { .. } => "link_issued",
            Event::LinkRotated { .. } => "link_rotated",
            Event::LinkRevoked { .. } => "link_revoked",
        }
    }
}

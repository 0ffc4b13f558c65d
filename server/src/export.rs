//! Organisers' exports of a café: pure functions, state in, text out, so exports work the
//! same while a session runs and after it has closed, and the server can call them from any
//! task. Importing a JSON export is [`crate::import`].
//!
//! - JSON ([`export_json`], in `export/json.rs`): complete and re-importable. It carries the
//!   café's event log, which an import replays under the rules, plus a derived [`Summary`]
//!   for people and spreadsheets that do not want to replay events.
//! - CSV ([`export_csv`], in `export/csv.rs`): one row per idea, for spreadsheets; the
//!   café's actions in a CSV of their own ([`export_actions_csv`]), one row per action.
//! - Markdown ([`export_markdown`], in `export/markdown.rs`): a readable report per round and
//!   table, with clusters and ranked vote results.
//! - The impact report ([`export_report_html`], in `export/report.rs`): one printable page
//!   of headline figures, who was there over time, results and actions, charts in SVG.
//!
//! This file holds the JSON document's types and what the formats share.
//!
//! Privacy: exports go to organisers and facilitators, so they hold what a facilitator may
//! see (hidden ideas, unrevealed totals), but never more: in an anonymous café no author's
//! name appears in any format (the JSON log keeps authors as person ids, with every
//! person's name replaced, so an import keeps edit rights without revealing who wrote
//! what), and individual ballots only appear as the `dot_cast` events the JSON needs to
//! rebuild totals (person ids, never next to a choice in CSV or Markdown).

mod csv;
mod json;
mod markdown;
mod report;
#[cfg(test)]
pub(crate) mod tests;

pub use self::csv::{export_actions_csv, export_csv};
pub use json::export_json;
pub use markdown::export_markdown;
pub use report::{presence_over_time, report_csp, Presence};

/// The impact report of a café as one HTML page (`report.rs`).
pub fn export_report_html(state: &CafeState, events: &[StoredEvent], now: i64) -> String {
    report::export_report_html(state, &json::summary_with_log(state, events), events, now)
}

use cafe_shared::{
    Action, ActionId, ActionStatus, BoardId, CafeInfo, CafeState, Cluster, ClusterId, Event, Idea,
    IdeaId, ItemId, Location, Millis, PersonId, Phase, Provenance, TableId, TableKind, Vote,
    VoteId, VoteStatus, VoteTarget,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` field of every JSON export; anything else is not ours.
pub const EXPORT_FORMAT: &str = "innovation-cafe-export";
/// Bumped when a deployed server could no longer read an export the same way.
pub const EXPORT_VERSION: u32 = 1;
/// One event of a café's log as the server stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// 1-based position in the café's log.
    pub seq: u64,
    /// Server time the event was stored (ms since the Unix epoch).
    pub at: i64,
    /// Same JSON as on the wire.
    pub event: Event,
}

/// A JSON export. `events` is the truth; `cafe` and `summary` are derived for readers and
/// ignored by [`crate::import`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDoc {
    pub format: String,
    pub version: u32,
    pub exported_at: i64,
    pub cafe: CafeInfo,
    pub events: Vec<StoredEvent>,
    /// Optional on import so that a hand-trimmed export still loads.
    #[serde(default)]
    pub summary: Summary,
}

/// The café at export time, flattened for humans and spreadsheets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    pub phase: Option<Phase>,
    pub anonymous: bool,
    /// Active (not removed) people by where they take part from.
    pub people_in_room: u32,
    pub people_remote: u32,
    pub tables: Vec<SummaryTable>,
    pub rounds: Vec<SummaryRound>,
    /// The plenary board first, then table boards in table order.
    pub boards: Vec<SummaryBoard>,
    pub votes: Vec<SummaryVote>,
    /// The café's actions, in the order they were made.
    pub actions: Vec<SummaryAction>,
    /// The most people online at once, in the room and remote together (from the log).
    pub peak_online: u32,
    /// Who was online over time: one point per change, replayed from the log's joins,
    /// presence and location changes and removals (`report.rs`).
    pub online: Vec<Presence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryAction {
    pub id: ActionId,
    pub text: String,
    /// The owning person of the café, if a person owns it.
    pub owner: Option<PersonId>,
    /// Who owns it, readable: the person's name, or the free-text owner ("" for nobody).
    pub owner_name: String,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub status: ActionStatus,
    /// The idea or theme it was made from, and what it says.
    pub source: Option<ItemId>,
    pub source_label: Option<String>,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryTable {
    pub id: TableId,
    pub name: String,
    pub kind: TableKind,
    pub board: BoardId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRound {
    pub number: u32,
    pub prompt: String,
    pub started_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryBoard {
    pub id: BoardId,
    /// "Plenary" or the table's name.
    pub label: String,
    pub table: Option<TableId>,
    pub clusters: Vec<SummaryCluster>,
    pub ideas: Vec<SummaryIdea>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryCluster {
    pub id: ClusterId,
    pub title: String,
    pub ideas: Vec<IdeaId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryIdea {
    pub id: IdeaId,
    pub text: String,
    pub category: Option<String>,
    /// Author's display name; always `None` in an anonymous café.
    pub author: Option<String>,
    /// The table it was written at (kept on copies harvested to the plenary board).
    pub table: Option<TableId>,
    pub round: Option<u32>,
    pub origin: Location,
    pub scribed: bool,
    /// Moderated out: kept so the export is complete, marked so readers can leave it out.
    pub hidden: bool,
    /// A facilitator did not approve it (a hidden idea that is not rejected is still
    /// waiting for approval).
    #[serde(default)]
    pub rejected: bool,
    /// Written during private writing and not revealed yet.
    #[serde(default)]
    pub private: bool,
    pub cluster: Option<ClusterId>,
    pub created_at: Millis,
    pub harvested_from: Option<IdeaId>,
    /// Where a harvested copy came from, as recorded when it was harvested (no author's
    /// name in an anonymous café); absent on other ideas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Dots this idea received across all votes.
    pub dots: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryVote {
    pub id: VoteId,
    /// The vote's first board (the plenary when it is on it); `boards` has them all.
    pub board: BoardId,
    #[serde(default)]
    pub boards: Vec<BoardId>,
    /// The boards' names, comma-separated.
    pub board_label: String,
    /// The facilitator's title, else "Vote on" the boards ([`CafeState::vote_title`]).
    #[serde(default)]
    pub title: String,
    pub target: VoteTarget,
    pub status: VoteStatus,
    pub revealed: bool,
    pub budget: u32,
    pub per_item_cap: u32,
    pub dots_cast: u32,
    /// [`CafeState::ranking`] with a readable label per item.
    pub results: Vec<SummaryResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryResult {
    pub rank: u32,
    pub item: ItemId,
    pub dots: u32,
    pub label: String,
}

/// Ideas and clusters grouped once per export, so that walking boards, rounds and clusters
/// stays linear in the café's size (a café may hold 20 000 ideas on 200 tables).
struct Index<'a> {
    ideas_by_board: BTreeMap<BoardId, Vec<&'a Idea>>,
    clusters_by_board: BTreeMap<BoardId, Vec<&'a Cluster>>,
    members: BTreeMap<ClusterId, Vec<IdeaId>>,
}

impl<'a> Index<'a> {
    fn new(state: &'a CafeState) -> Self {
        let mut ideas_by_board: BTreeMap<BoardId, Vec<&Idea>> = BTreeMap::new();
        let mut members: BTreeMap<ClusterId, Vec<IdeaId>> = BTreeMap::new();
        // BTreeMap iteration is in id order, so every list is in posting order.
        for i in state.ideas.values() {
            ideas_by_board.entry(i.board).or_default().push(i);
            if let Some(c) = i.cluster {
                members.entry(c).or_default().push(i.id);
            }
        }
        let mut clusters_by_board: BTreeMap<BoardId, Vec<&Cluster>> = BTreeMap::new();
        for c in state.clusters.values() {
            clusters_by_board.entry(c.board).or_default().push(c);
        }
        Self {
            ideas_by_board,
            clusters_by_board,
            members,
        }
    }

    fn ideas(&self, board: BoardId) -> &[&'a Idea] {
        self.ideas_by_board.get(&board).map_or(&[], Vec::as_slice)
    }

    fn clusters(&self, board: BoardId) -> &[&'a Cluster] {
        self.clusters_by_board
            .get(&board)
            .map_or(&[], Vec::as_slice)
    }
}

fn count_people(state: &CafeState, location: Location) -> u32 {
    let n = state
        .active_people()
        .filter(|p| p.location == location)
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The author's display name, or `None` when the café is anonymous (or the author unknown).
fn author_name(state: &CafeState, idea: &Idea) -> Option<String> {
    if state.settings().anonymous {
        return None;
    }
    idea.author
        .and_then(|a| state.people.get(&a))
        .map(|p| p.name.clone())
}

/// A harvested copy's provenance as recorded at harvest time, with the author's name
/// dropped in an anonymous café (the rules never record one there; this keeps the promise
/// whatever an imported log holds).
fn provenance(state: &CafeState, idea: &Idea) -> Option<Provenance> {
    let mut p = idea.provenance.clone()?;
    if state.settings().anonymous {
        p.author_name = None;
    }
    Some(p)
}

/// A harvested copy's provenance in one line for readers: "Window · round 1 · Hana Vole ·
/// in the room · 4 dots".
fn provenance_line(state: &CafeState, idea: &Idea) -> Option<String> {
    let p = provenance(state, idea)?;
    let mut parts = vec![p.table_name.clone()];
    if let Some(r) = p.round {
        parts.push(format!("round {r}"));
    }
    if let Some(a) = &p.author_name {
        parts.push(a.clone());
    }
    parts.push(
        match p.origin {
            Location::Room => "in the room",
            Location::Remote => "remote",
        }
        .to_owned(),
    );
    if p.scribed {
        parts.push("paper table".to_owned());
    }
    match p.dots {
        Some(1) => parts.push("1 dot".to_owned()),
        Some(n) => parts.push(format!("{n} dots")),
        None => {}
    }
    Some(parts.join(" · "))
}

/// The names of a vote's boards, comma-separated.
fn boards_label(state: &CafeState, boards: &[BoardId]) -> String {
    boards
        .iter()
        .map(|b| board_label(state, *b))
        .collect::<Vec<_>>()
        .join(", ")
}

fn board_label(state: &CafeState, board: BoardId) -> String {
    if Some(board) == state.plenary {
        return "Plenary".to_owned();
    }
    match state.board_table(board) {
        Some(t) => t.name.clone(),
        None => format!("Board {board}"),
    }
}

fn table_name(state: &CafeState, table: Option<TableId>) -> String {
    table
        .and_then(|t| state.tables.get(&t))
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

/// What a ballot item is called in results. Hidden ideas keep their place in the ranking
/// (their dots are real) but not their text, like on the boards of the report.
fn item_label(state: &CafeState, vote: &Vote, item: ItemId) -> String {
    match vote.target {
        VoteTarget::Ideas => match state.ideas.get(&IdeaId(item)) {
            Some(i) if i.hidden => "(hidden idea)".to_owned(),
            Some(i) => i.text.clone(),
            None => "(deleted idea)".to_owned(),
        },
        VoteTarget::Clusters => match state.clusters.get(&ClusterId(item)) {
            Some(c) => c.title.clone(),
            None => "(deleted cluster)".to_owned(),
        },
    }
}

/// Who owns an action, readable: the owning person's name (as it is now), else the
/// free-text owner; empty for nobody. Owners are named in every café: an owner is a
/// commitment made in front of the room, not the authorship anonymity hides.
fn action_owner(state: &CafeState, a: &Action) -> String {
    match a.owner.and_then(|p| state.people.get(&p)) {
        Some(p) => p.name.clone(),
        None => a.owner_name.clone(),
    }
}

/// What an action's source idea or theme says (hidden and deleted ones as in results).
fn action_source(state: &CafeState, a: &Action) -> Option<String> {
    let item = a.source?;
    if let Some(c) = state.clusters.get(&ClusterId(item)) {
        return Some(c.title.clone());
    }
    Some(match state.ideas.get(&IdeaId(item)) {
        Some(i) if i.hidden => "(hidden idea)".to_owned(),
        Some(i) => i.text.clone(),
        None => "(deleted idea or theme)".to_owned(),
    })
}

/// Total dots per item over all votes (ideas and clusters share one id space).
fn dots_per_item(state: &CafeState) -> BTreeMap<ItemId, u32> {
    let mut out: BTreeMap<ItemId, u32> = BTreeMap::new();
    for v in state.votes.values() {
        for (item, n) in &v.totals {
            *out.entry(*item).or_default() += n;
        }
    }
    out
}

/// A log time as a UTC date and time; `None` outside the calendar's range.
fn utc(ms: Millis) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

fn rfc3339(ms: Millis) -> String {
    match utc(ms) {
        Some(t) => t
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| ms.to_string()),
        // Out of the calendar's range: the raw number is still exact.
        None => ms.to_string(),
    }
}

/// "2026-11-28 14:08 UTC" for the report's header.
fn human_date(ms: Millis) -> String {
    match utc(ms) {
        Some(t) => format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()),
        None => rfc3339(ms),
    }
}

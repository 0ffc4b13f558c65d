//! Organisers' exports of a café, and import of a JSON export as a new café.
//!
//! - JSON ([`export_json`]): complete and re-importable. It carries the café's event log, so an
//!   import replays the very same history through [`CafeState::apply`], plus a derived
//!   [`Summary`] for people and spreadsheets that do not want to replay events.
//! - CSV ([`export_csv`]): one row per idea, for spreadsheets.
//! - Markdown ([`export_markdown`]): a readable report per round and table, with clusters and
//!   ranked vote results.
//! - [`import`]: validates a JSON export and rewrites its events for a new café.
//!
//! Everything here is pure (state in, text out), so exports work the same while a session
//! runs and after it has closed, and the server can call it from any task.
//!
//! Privacy: exports go to organisers and facilitators, so they hold what a facilitator may
//! see (hidden ideas, unrevealed totals), but never more: in an anonymous café no author
//! appears in any format, and individual ballots only appear as the `dot_cast` events the
//! JSON needs to rebuild totals (person ids, never next to a choice in CSV or Markdown).

use cafe_shared::limits::{
    CAFE_DESCRIPTION_MAX, CAFE_TITLE_MAX, CATEGORY_MAX, CLUSTERS_PER_CAFE_MAX, CLUSTER_TITLE_MAX,
    DISPLAY_NAME_MAX, IDEAS_PER_CAFE_MAX, IDEA_TEXT_MAX, PEOPLE_PER_CAFE_MAX, ROUNDS_PER_CAFE_MAX,
    ROUND_PROMPT_MAX, TABLES_PER_CAFE_MAX, TABLE_HEADCOUNT_MAX, TABLE_NAME_MAX, VOTES_PER_CAFE_MAX,
    VOTE_BUDGET_MAX, VOTE_BUDGET_MIN,
};
use cafe_shared::text::{clean_line, clean_text};
use cafe_shared::{
    BoardId, CafeId, CafeInfo, CafeState, Cluster, ClusterId, ErrorCode, Event, Idea, IdeaId,
    ItemId, JoinCode, Location, Millis, Mode, PersonId, Phase, Role, TableId, TableKind, Vote,
    VoteId, VoteStatus, VoteTarget,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The `format` field of every JSON export; anything else is not ours.
pub const EXPORT_FORMAT: &str = "innovation-cafe-export";
/// Bumped when a deployed server could no longer read an export the same way.
pub const EXPORT_VERSION: u32 = 1;
/// Largest import body [`parse_export`] accepts. A full café within every limit of
/// `cafe_shared::limits` is far below this; the bound keeps one upload from eating the
/// server's memory.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
/// Most events an import may hold, for the same reason.
pub const MAX_IMPORT_EVENTS: usize = 500_000;

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
/// ignored by [`import`].
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
    pub cluster: Option<ClusterId>,
    pub created_at: Millis,
    pub harvested_from: Option<IdeaId>,
    /// Dots this idea received across all votes.
    pub dots: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryVote {
    pub id: VoteId,
    pub board: BoardId,
    pub board_label: String,
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

/// Why an import was refused. Nothing was created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file has {bytes} bytes; an import may have at most {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("the export holds {count} events; an import may hold at most {limit}")]
    TooManyEvents { count: usize, limit: usize },
    #[error("this is not valid JSON for a café export: {0}")]
    Malformed(String),
    #[error(
        "this is not an Innovation Café export (format {found:?}, expected {EXPORT_FORMAT:?})"
    )]
    WrongFormat { found: String },
    #[error("export version {found} is not supported; this server reads version {EXPORT_VERSION}")]
    UnsupportedVersion { found: u32 },
    #[error("the export holds no events")]
    Empty,
    #[error("event seq {seq} ({kind}) does not replay: {reason}")]
    InvalidEvent {
        seq: u64,
        kind: &'static str,
        reason: String,
    },
    #[error("the replayed café is inconsistent: {0}")]
    InvalidState(String),
}

impl ImportError {
    /// The code for the HTTP error body, so import errors share the API's vocabulary.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::TooLarge { .. } | ImportError::TooManyEvents { .. } => ErrorCode::TooLarge,
            ImportError::Malformed(_) => ErrorCode::Malformed,
            ImportError::WrongFormat { .. }
            | ImportError::UnsupportedVersion { .. }
            | ImportError::Empty
            | ImportError::InvalidEvent { .. }
            | ImportError::InvalidState(_) => ErrorCode::Invalid,
        }
    }
}

// ------------------------------------------------------------------------------------------
// JSON
// ------------------------------------------------------------------------------------------

/// The complete export: the event log (authors stripped in an anonymous café) plus a
/// summary of the current state.
pub fn export_json(state: &CafeState, events: &[StoredEvent], now: i64) -> ExportDoc {
    let anonymous = state.settings().anonymous;
    let from_log = info_from_log(events);
    let events = events
        .iter()
        .map(|stored| {
            let mut stored = stored.clone();
            // The anonymity promise covers exports: not even the organiser learns who wrote
            // what. Harvested copies are idea_posted events too, so they are covered.
            if anonymous {
                if let Event::IdeaPosted { idea } = &mut stored.event {
                    idea.author = None;
                }
            }
            stored
        })
        .collect();
    ExportDoc {
        format: EXPORT_FORMAT.to_owned(),
        version: EXPORT_VERSION,
        exported_at: now,
        cafe: cafe_info(state, from_log),
        events,
        summary: summary(state),
    }
}

/// The `cafe_created` info of a log, for a state that somehow lacks its own.
fn info_from_log(events: &[StoredEvent]) -> Option<CafeInfo> {
    events.iter().find_map(|s| match &s.event {
        Event::CafeCreated { info, .. } => Some(info.clone()),
        _ => None,
    })
}

/// The server only exports cafés that exist, so `state.info` is always there; the fallbacks
/// keep this function total instead of panicking on a caller's mistake.
fn cafe_info(state: &CafeState, from_log: Option<CafeInfo>) -> CafeInfo {
    if let Some(info) = state.info.clone().or(from_log) {
        return info;
    }
    CafeInfo {
        id: CafeId(String::new()),
        code: placeholder_code(),
        title: String::new(),
        description: String::new(),
        mode: Mode::default(),
        language: Default::default(),
        settings: Default::default(),
        created_at: 0,
    }
}

/// A join code for the placeholder above. `JoinCode` has no infallible constructor, but
/// `from_random` maps every byte into the alphabet, so six bytes always make a valid code
/// (the test `placeholder_code_is_valid` runs this very call).
fn placeholder_code() -> JoinCode {
    match JoinCode::from_random(&[0u8; JoinCode::MIN_LEN]) {
        Ok(code) => code,
        Err(e) => unreachable!("six alphabet symbols are a valid join code: {e}"),
    }
}

fn summary(state: &CafeState) -> Summary {
    let anonymous = state.settings().anonymous;
    let dots = dots_per_item(state);
    let index = Index::new(state);
    let mut boards: Vec<&cafe_shared::Board> = Vec::new();
    if let Some(p) = state.plenary.and_then(|p| state.boards.get(&p)) {
        boards.push(p);
    }
    boards.extend(
        state
            .boards
            .values()
            .filter(|b| Some(b.id) != state.plenary),
    );
    Summary {
        phase: Some(state.phase),
        anonymous,
        people_in_room: count_people(state, Location::Room),
        people_remote: count_people(state, Location::Remote),
        tables: state
            .tables
            .values()
            .map(|t| SummaryTable {
                id: t.id,
                name: t.name.clone(),
                kind: t.kind,
                board: t.board,
            })
            .collect(),
        rounds: state
            .rounds
            .iter()
            .map(|r| SummaryRound {
                number: r.number,
                prompt: r.prompt.clone(),
                started_at: r.started_at,
            })
            .collect(),
        boards: boards
            .into_iter()
            .map(|b| SummaryBoard {
                id: b.id,
                label: board_label(state, b.id),
                table: b.table,
                clusters: index
                    .clusters(b.id)
                    .iter()
                    .map(|c| SummaryCluster {
                        id: c.id,
                        title: c.title.clone(),
                        ideas: index.members.get(&c.id).cloned().unwrap_or_default(),
                    })
                    .collect(),
                ideas: index
                    .ideas(b.id)
                    .iter()
                    .map(|i| SummaryIdea {
                        id: i.id,
                        text: i.text.clone(),
                        category: i.category.clone(),
                        author: author_name(state, i),
                        table: i.table,
                        round: i.round,
                        origin: i.origin,
                        scribed: i.scribed,
                        hidden: i.hidden,
                        cluster: i.cluster,
                        created_at: i.created_at,
                        harvested_from: i.harvested_from,
                        dots: dots.get(&i.id.0).copied().unwrap_or(0),
                    })
                    .collect(),
            })
            .collect(),
        votes: state
            .votes
            .values()
            .map(|v| SummaryVote {
                id: v.id,
                board: v.board,
                board_label: board_label(state, v.board),
                target: v.target,
                status: v.status,
                revealed: v.revealed,
                budget: v.budget,
                per_item_cap: v.per_item_cap,
                dots_cast: v.dots_cast,
                results: state
                    .ranking(v.id)
                    .into_iter()
                    .map(|r| SummaryResult {
                        rank: r.rank,
                        item: r.item,
                        dots: r.dots,
                        label: item_label(state, v, r.item),
                    })
                    .collect(),
            })
            .collect(),
    }
}

// ------------------------------------------------------------------------------------------
// Shared helpers
// ------------------------------------------------------------------------------------------

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

fn rfc3339(ms: Millis) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => t
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| ms.to_string()),
        // Out of the calendar's range: the raw number is still exact.
        Err(_) => ms.to_string(),
    }
}

/// "2026-11-28 14:08 UTC" for the report's header.
fn human_date(ms: Millis) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()),
        Err(_) => rfc3339(ms),
    }
}

fn location_str(l: Location) -> &'static str {
    match l {
        Location::Room => "room",
        Location::Remote => "remote",
    }
}

fn table_kind_str(k: TableKind) -> &'static str {
    match k {
        TableKind::InRoom => "in_room",
        TableKind::Virtual => "virtual",
    }
}

fn mode_str(m: Mode) -> &'static str {
    match m {
        Mode::InPerson => "in person",
        Mode::Online => "online",
        Mode::Hybrid => "hybrid",
    }
}

fn phase_str(p: Phase) -> &'static str {
    match p {
        Phase::Lobby => "lobby",
        Phase::Ideate => "ideate",
        Phase::Group => "group",
        Phase::Vote => "vote",
        Phase::Results => "results",
        Phase::Closed => "closed",
    }
}

// ------------------------------------------------------------------------------------------
// CSV
// ------------------------------------------------------------------------------------------

/// Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with `=`, `+`,
/// `-` or `@` as a formula, and tab/CR can smuggle one in. Participants write these texts,
/// so an organiser opening the export could otherwise run a participant's formula (data
/// exfiltration via HYPERLINK/WEBSERVICE, DDE). A leading apostrophe makes the cell plain
/// text in every common spreadsheet, and is harmless for other readers.
fn safe_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

/// One row per idea, hidden ones included (flagged), in id (posting) order.
///
/// Columns: idea_id, board, table, table_kind, round, round_prompt, origin, scribed, author,
/// category, cluster, text, created_at, hidden, votes, then `vote_<id>_dots` per vote.
/// `board` is where the idea sits now ("Plenary" or a table name); `table` is where it was
/// written (a harvested copy keeps its table). `votes` is the dots the idea itself got over
/// all votes; in a cluster vote's column an idea shows its cluster's dots, so a spreadsheet
/// can still sort ideas by that vote (those are not added to `votes`, to avoid counting a
/// cluster's dots once per member).
pub fn export_csv(state: &CafeState) -> String {
    // Each vote with its ballot as a set: looking items up stays cheap with many ideas.
    let votes: Vec<(&Vote, BTreeSet<ItemId>)> = state
        .votes
        .values()
        .map(|v| (v, v.items.iter().copied().collect()))
        .collect();
    let mut header: Vec<String> = [
        "idea_id",
        "board",
        "table",
        "table_kind",
        "round",
        "round_prompt",
        "origin",
        "scribed",
        "author",
        "category",
        "cluster",
        "text",
        "created_at",
        "hidden",
        "votes",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(votes.iter().map(|(v, _)| format!("vote_{}_dots", v.id)));

    let dots = dots_per_item(state);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(state.ideas.len());
    for i in state.ideas.values() {
        let table = i.table.and_then(|t| state.tables.get(&t));
        let prompt = i
            .round
            .and_then(|n| state.rounds.iter().find(|r| r.number == n))
            .map(|r| r.prompt.clone())
            .unwrap_or_default();
        let cluster = i
            .cluster
            .and_then(|c| state.clusters.get(&c))
            .map(|c| c.title.clone())
            .unwrap_or_default();
        let mut row = vec![
            i.id.to_string(),
            safe_cell(&board_label(state, i.board)),
            safe_cell(&table_name(state, i.table)),
            table
                .map(|t| table_kind_str(t.kind))
                .unwrap_or("")
                .to_owned(),
            i.round.map(|r| r.to_string()).unwrap_or_default(),
            safe_cell(&prompt),
            location_str(i.origin).to_owned(),
            i.scribed.to_string(),
            safe_cell(&author_name(state, i).unwrap_or_default()),
            safe_cell(i.category.as_deref().unwrap_or("")),
            safe_cell(&cluster),
            safe_cell(&i.text),
            rfc3339(i.created_at),
            i.hidden.to_string(),
            dots.get(&i.id.0).copied().unwrap_or(0).to_string(),
        ];
        for (v, ballot) in &votes {
            let item = match v.target {
                VoteTarget::Ideas => Some(i.id.0),
                VoteTarget::Clusters => i.cluster.map(|c| c.0),
            };
            // Empty (not 0) when the idea was not on this ballot: "not voted on" differs
            // from "got no dots".
            let cell = match item {
                Some(item) if ballot.contains(&item) => {
                    v.totals.get(&item).copied().unwrap_or(0).to_string()
                }
                _ => String::new(),
            };
            row.push(cell);
        }
        rows.push(row);
    }

    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail for I/O reasons and every row has the header's length,
    // so errors are impossible here; they are still handled rather than unwrapped.
    let mut ok = w.write_record(&header).is_ok();
    for row in &rows {
        ok &= w.write_record(row).is_ok();
    }
    let bytes = match w.into_inner() {
        Ok(b) if ok => b,
        _ => Vec::new(),
    };
    // Every cell is a Rust `String`, so the output is UTF-8; the lossy path never changes it.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

// ------------------------------------------------------------------------------------------
// Markdown
// ------------------------------------------------------------------------------------------

/// Escapes people's text for inline Markdown: a title, an idea or a cluster title must not
/// break a table (`|`), start a heading or list, format text, make links, or inject HTML
/// (`<script>` would run in renderers that allow raw HTML). Line breaks become spaces so a
/// text stays within its bullet or table cell.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    // At the start of a bullet or paragraph, "- x", "+ x" or "1. x" would open a (nested)
    // list.
    if out.starts_with(['-', '+']) {
        out.insert(0, '\\');
    } else {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && out[digits..].starts_with(['.', ')']) {
            out.insert(digits, '\\');
        }
    }
    out
}

/// A readable report: header with counts, then per round each table's ideas grouped by
/// cluster, then the plenary board, then every vote's ranked results.
pub fn export_markdown(state: &CafeState, now: i64) -> String {
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let info = state.info.as_ref();
    let title = info.map(|i| i.title.as_str()).unwrap_or("Innovation Café");
    let _ = writeln!(out, "# {}\n", md(title));
    if let Some(desc) = info.map(|i| i.description.trim()).filter(|d| !d.is_empty()) {
        // Keep the description's paragraphs; escape each line on its own.
        for line in desc.lines() {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{}  ", md(line.trim()));
            }
        }
        out.push('\n');
    }
    let hidden = state.ideas.values().filter(|i| i.hidden).count();
    let _ = writeln!(out, "- **Exported:** {}", human_date(now));
    if let Some(i) = info {
        let _ = writeln!(out, "- **Created:** {}", human_date(i.created_at));
        let _ = writeln!(out, "- **Mode:** {}", mode_str(i.mode));
    }
    let _ = writeln!(out, "- **Phase:** {}", phase_str(state.phase));
    let _ = writeln!(
        out,
        "- **People:** {} in the room, {} remote",
        count_people(state, Location::Room),
        count_people(state, Location::Remote)
    );
    let _ = writeln!(out, "- **Ideas:** {}", state.ideas.len() - hidden);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "- **Hidden by moderation:** {hidden} (not shown in this report)"
        );
    }
    let _ = writeln!(out, "- **Tables:** {}", state.tables.len());
    let _ = writeln!(out, "- **Rounds:** {}", state.rounds.len());
    if state.settings().anonymous {
        let _ = writeln!(out, "- **Anonymous:** yes, authors are not shown");
    }
    out.push('\n');

    let index = Index::new(state);

    // Ideas posted on a table board before the first round (a facilitator may seed boards
    // in the lobby).
    let early = state
        .ideas
        .values()
        .any(|i| !i.hidden && i.round.is_none() && Some(i.board) != state.plenary);
    if early {
        let _ = writeln!(out, "## Before the first round\n");
        write_tables(&mut out, state, &index, |i| i.round.is_none());
    }

    for r in &state.rounds {
        let _ = writeln!(out, "## Round {}\n", r.number);
        if !r.prompt.trim().is_empty() {
            let _ = writeln!(out, "> {}\n", md(&r.prompt));
        }
        write_tables(&mut out, state, &index, |i| i.round == Some(r.number));
    }

    if let Some(p) = state.plenary {
        let _ = writeln!(out, "## Plenary\n");
        write_board(&mut out, state, &index, p, "###", |_| true);
    }

    if !state.votes.is_empty() {
        let _ = writeln!(out, "## Votes\n");
    }
    for v in state.votes.values() {
        let what = match v.target {
            VoteTarget::Ideas => "ideas",
            VoteTarget::Clusters => "clusters",
        };
        let _ = writeln!(
            out,
            "### Vote {} on {} ({what})\n",
            v.id,
            md(&board_label(state, v.board))
        );
        let status = match v.status {
            VoteStatus::Open => "open",
            VoteStatus::Closed => "closed",
        };
        let shown = if v.results_visible_to_all() {
            "results shown to everybody"
        } else {
            "results not yet revealed to participants"
        };
        let _ = writeln!(
            out,
            "{status}; {} cast; budget {} per person, at most {} per item; {shown}\n",
            plural(v.dots_cast, "dot"),
            plural(v.budget, "dot"),
            v.per_item_cap
        );
        let head = match v.target {
            VoteTarget::Ideas => "Idea",
            VoteTarget::Clusters => "Cluster",
        };
        let _ = writeln!(out, "| Rank | Dots | {head} |");
        let _ = writeln!(out, "| ---: | ---: | --- |");
        for r in state.ranking(v.id) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                r.rank,
                r.dots,
                md(&item_label(state, v, r.item))
            );
        }
        out.push('\n');
    }
    out
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Each table's board, restricted to the ideas `keep` selects.
fn write_tables(
    out: &mut String,
    state: &CafeState,
    index: &Index<'_>,
    keep: impl Fn(&Idea) -> bool + Copy,
) {
    for t in state.tables.values() {
        if Some(t.board) == state.plenary {
            continue;
        }
        let kind = match t.kind {
            TableKind::InRoom => "in the room",
            TableKind::Virtual => "virtual",
        };
        let _ = writeln!(out, "### {} ({kind})\n", md(&t.name));
        write_board(out, state, index, t.board, "####", keep);
    }
}

/// A board's visible ideas, grouped by cluster (in cluster order), unclustered ones last.
fn write_board(
    out: &mut String,
    state: &CafeState,
    index: &Index<'_>,
    board: BoardId,
    heading: &str,
    keep: impl Fn(&Idea) -> bool,
) {
    let mut clustered: BTreeMap<ClusterId, Vec<&Idea>> = BTreeMap::new();
    let mut loose: Vec<&Idea> = Vec::new();
    for i in index.ideas(board) {
        if i.hidden || !keep(i) {
            continue;
        }
        // A cluster is always on its idea's board (checked on import, kept by the rules).
        match i.cluster.filter(|c| state.clusters.contains_key(c)) {
            Some(c) => clustered.entry(c).or_default().push(i),
            None => loose.push(i),
        }
    }
    if clustered.is_empty() && loose.is_empty() {
        let _ = writeln!(out, "_No ideas._\n");
        return;
    }
    let bullet = |out: &mut String, i: &Idea| {
        let mut line = format!("- {}", md(&i.text));
        if let Some(c) = &i.category {
            let _ = write!(line, " [{}]", md(c));
        }
        if let Some(a) = author_name(state, i) {
            let _ = write!(line, " ({})", md(&a));
        }
        let _ = writeln!(out, "{line}");
    };
    for c in index.clusters(board) {
        let Some(members) = clustered.get(&c.id) else {
            continue;
        };
        let _ = writeln!(out, "{heading} {}\n", md(&c.title));
        for i in members {
            bullet(out, i);
        }
        out.push('\n');
    }
    if !loose.is_empty() {
        if !clustered.is_empty() {
            let _ = writeln!(out, "{heading} Not clustered\n");
        }
        for i in loose {
            bullet(out, i);
        }
        out.push('\n');
    }
}

// ------------------------------------------------------------------------------------------
// Import
// ------------------------------------------------------------------------------------------

/// Reads an uploaded export: size bound, then format and version (read first, so a future
/// version whose shape changed is reported as unsupported rather than as broken JSON), then
/// the whole document.
pub fn parse_export(bytes: &[u8]) -> Result<ExportDoc, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_IMPORT_BYTES,
        });
    }
    #[derive(Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    let h: Header =
        serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))?;
    check_header(&h.format, h.version)?;
    serde_json::from_slice(bytes).map_err(|e| ImportError::Malformed(e.to_string()))
}

fn check_header(format: &str, version: u32) -> Result<(), ImportError> {
    if format != EXPORT_FORMAT {
        return Err(ImportError::WrongFormat {
            found: format.chars().take(100).collect(),
        });
    }
    if version != EXPORT_VERSION {
        return Err(ImportError::UnsupportedVersion { found: version });
    }
    Ok(())
}

/// Validates the document and returns the events rewritten for a new café (new id and join
/// code in cafe_created; everything else preserved), ready to append as seq 1..n, plus the
/// resulting state.
///
/// Every event is checked against the state before it is applied, because
/// [`CafeState::apply`] silently skips what it does not understand (it must, for views): a
/// forged or damaged file could otherwise produce a café the rules could never reach. After
/// the replay, the state's invariants and limits are checked as well.
///
/// One addition: people marked online at export time are set offline at the end (as
/// `presence_changed` events), since nobody is connected to the new café yet.
pub fn import(
    doc: ExportDoc,
    new_id: CafeId,
    new_code: JoinCode,
) -> Result<(Vec<Event>, CafeState), ImportError> {
    check_header(&doc.format, doc.version)?;
    if doc.events.is_empty() {
        return Err(ImportError::Empty);
    }
    if doc.events.len() > MAX_IMPORT_EVENTS {
        return Err(ImportError::TooManyEvents {
            count: doc.events.len(),
            limit: MAX_IMPORT_EVENTS,
        });
    }
    let mut state = CafeState::default();
    let mut out = Vec::with_capacity(doc.events.len());
    let mut last_seq = 0u64;
    // Each vote's ballot as a set, so checking hundreds of thousands of dots against a
    // ballot of thousands of ideas stays fast.
    let mut ballots: BTreeMap<VoteId, BTreeSet<ItemId>> = BTreeMap::new();
    for stored in doc.events {
        let seq = stored.seq;
        let mut event = stored.event;
        let invalid = |reason: String| ImportError::InvalidEvent {
            seq,
            kind: event.kind(),
            reason,
        };
        if seq <= last_seq {
            return Err(invalid(format!(
                "seq must increase (previous was {last_seq})"
            )));
        }
        last_seq = seq;
        check_event(&state, &ballots, &event).map_err(invalid)?;
        if let Event::VoteOpened { vote } = &event {
            ballots.insert(vote.id, vote.items.iter().copied().collect());
        }
        if let Event::CafeCreated { info, .. } = &mut event {
            info.id = new_id.clone();
            info.code = new_code.clone();
        }
        state.apply(&event);
        out.push(event);
    }
    let online: Vec<PersonId> = state
        .people
        .values()
        .filter(|p| p.online)
        .map(|p| p.id)
        .collect();
    for person in online {
        let e = Event::PresenceChanged {
            person,
            online: false,
        };
        state.apply(&e);
        out.push(e);
    }
    validate_state(&state).map_err(ImportError::InvalidState)?;
    Ok((out, state))
}

/// The organiser of an (imported) café: the person the server issues the organiser token
/// to. [`import`] guarantees there is exactly one.
pub fn organiser(state: &CafeState) -> Option<PersonId> {
    state
        .active_people()
        .find(|p| p.role == Role::Organiser)
        .map(|p| p.id)
}

/// Ids come from one per-café counter, so a new entity's id is at least the counter. This
/// also makes ids unique across kinds, which [`ItemId`] relies on.
fn fresh(state: &CafeState, id: u64) -> Result<(), String> {
    if id < state.next_id {
        return Err(format!(
            "id {id} is not new (next free id is {})",
            state.next_id
        ));
    }
    Ok(())
}

fn person_exists(state: &CafeState, p: PersonId) -> Result<(), String> {
    if state.people.contains_key(&p) {
        Ok(())
    } else {
        Err(format!("no person {p}"))
    }
}

fn table_exists(state: &CafeState, t: TableId) -> Result<(), String> {
    if state.tables.contains_key(&t) {
        Ok(())
    } else {
        Err(format!("no table {t}"))
    }
}

fn board_exists(state: &CafeState, b: BoardId) -> Result<(), String> {
    if state.boards.contains_key(&b) {
        Ok(())
    } else {
        Err(format!("no board {b}"))
    }
}

fn idea_exists(state: &CafeState, i: IdeaId) -> Result<&Idea, String> {
    state.ideas.get(&i).ok_or_else(|| format!("no idea {i}"))
}

fn cluster_board(state: &CafeState, c: ClusterId) -> Result<BoardId, String> {
    state
        .clusters
        .get(&c)
        .map(|c| c.board)
        .ok_or_else(|| format!("no cluster {c}"))
}

fn vote_exists(state: &CafeState, v: VoteId) -> Result<&Vote, String> {
    state.votes.get(&v).ok_or_else(|| format!("no vote {v}"))
}

/// Whether `event` could have been produced by the rules from `state`, as far as the
/// structure goes: order, fresh ids, existing references, vote arithmetic.
fn check_event(
    state: &CafeState,
    ballots: &BTreeMap<VoteId, BTreeSet<ItemId>>,
    event: &Event,
) -> Result<(), String> {
    let on_ballot =
        |vote: VoteId, item: &ItemId| ballots.get(&vote).is_some_and(|b| b.contains(item));
    if state.info.is_none() && !matches!(event, Event::CafeCreated { .. }) {
        return Err("the first event must be cafe_created".to_owned());
    }
    match event {
        Event::CafeCreated { plenary, .. } => {
            if state.info.is_some() {
                return Err("a café is created only once".to_owned());
            }
            if plenary.table.is_some() {
                return Err("the plenary board belongs to no table".to_owned());
            }
            fresh(state, plenary.id.0)
        }
        Event::CafeUpdated { .. } | Event::PhaseChanged { .. } | Event::TimerChanged { .. } => {
            Ok(())
        }
        Event::PersonJoined { person } => {
            fresh(state, person.id.0)?;
            if person.role == Role::Organiser
                && state.people.values().any(|p| p.role == Role::Organiser)
            {
                return Err("a café has one organiser".to_owned());
            }
            Ok(())
        }
        Event::PersonRenamed { person, .. }
        | Event::LocationChanged { person, .. }
        | Event::PresenceChanged { person, .. }
        | Event::ReadyChanged { person, .. }
        | Event::HandRaised { person, .. }
        | Event::HandLowered { person }
        | Event::HandCalled { person }
        | Event::PersonRemoved { person } => person_exists(state, *person),
        Event::RoleChanged { person, role } => {
            person_exists(state, *person)?;
            let was_organiser = state
                .people
                .get(person)
                .is_some_and(|p| p.role == Role::Organiser);
            if *role == Role::Organiser || was_organiser {
                return Err("the organiser role cannot move".to_owned());
            }
            Ok(())
        }
        Event::TableCreated { table, board } => {
            fresh(state, table.id.0)?;
            fresh(state, board.id.0)?;
            if table.id.0 == board.id.0 {
                return Err("a table and its board need distinct ids".to_owned());
            }
            if table.board != board.id || board.table != Some(table.id) {
                return Err("the table and its board must point at each other".to_owned());
            }
            if let Some(h) = table.host {
                person_exists(state, h)?;
            }
            Ok(())
        }
        Event::TableRenamed { table, .. } | Event::TableHeadcountSet { table, .. } => {
            table_exists(state, *table)
        }
        Event::TableHostSet { table, host } => {
            table_exists(state, *table)?;
            if let Some(h) = host {
                person_exists(state, *h)?;
            }
            Ok(())
        }
        Event::RoundStarted { round } => {
            let expected = state.rounds.len() as u64 + 1;
            if u64::from(round.number) != expected {
                return Err(format!("round {} should be round {expected}", round.number));
            }
            for (p, t) in &round.assignments {
                person_exists(state, *p)?;
                table_exists(state, *t)?;
            }
            Ok(())
        }
        Event::TableAssigned { person, table } => {
            person_exists(state, *person)?;
            table_exists(state, *table)?;
            if state.rounds.is_empty() {
                return Err("seats are assigned within a round".to_owned());
            }
            Ok(())
        }
        Event::IdeaPosted { idea } => {
            fresh(state, idea.id.0)?;
            board_exists(state, idea.board)?;
            if let Some(a) = idea.author {
                person_exists(state, a)?;
            }
            if let Some(t) = idea.table {
                table_exists(state, t)?;
            }
            if let Some(c) = idea.cluster {
                if cluster_board(state, c)? != idea.board {
                    return Err("an idea's cluster must be on its board".to_owned());
                }
            }
            if let Some(r) = idea.round {
                if r == 0 || r as usize > state.rounds.len() {
                    return Err(format!("round {r} has not started"));
                }
            }
            if let Some(src) = idea.harvested_from {
                idea_exists(state, src)?;
            }
            Ok(())
        }
        Event::IdeaEdited { idea, .. }
        | Event::IdeaDeleted { idea }
        | Event::IdeaHidden { idea, .. } => idea_exists(state, *idea).map(|_| ()),
        Event::BoardLocked { board, .. } | Event::BoardColumnsSet { board, .. } => {
            board_exists(state, *board)
        }
        Event::ClusterCreated { cluster } => {
            fresh(state, cluster.id.0)?;
            board_exists(state, cluster.board)
        }
        Event::ClusterRenamed { cluster, .. } | Event::ClusterDeleted { cluster } => {
            cluster_board(state, *cluster).map(|_| ())
        }
        Event::IdeaMoved { idea, cluster } => {
            let i = idea_exists(state, *idea)?;
            if let Some(c) = cluster {
                if cluster_board(state, *c)? != i.board {
                    return Err("an idea can only join a cluster on its own board".to_owned());
                }
            }
            Ok(())
        }
        Event::ClustersMerged { from, into } => {
            let a = cluster_board(state, *from)?;
            let b = cluster_board(state, *into)?;
            if from == into || a != b {
                return Err("only two clusters of one board can merge".to_owned());
            }
            Ok(())
        }
        Event::VoteOpened { vote } => {
            fresh(state, vote.id.0)?;
            board_exists(state, vote.board)?;
            if !(VOTE_BUDGET_MIN..=VOTE_BUDGET_MAX).contains(&vote.budget)
                || vote.per_item_cap == 0
                || vote.per_item_cap > vote.budget
            {
                return Err("budget or per-item cap out of range".to_owned());
            }
            if vote.status != VoteStatus::Open
                || vote.revealed
                || vote.dots_cast != 0
                || !vote.totals.is_empty()
                || !vote.ballots.is_empty()
                || !vote.tallies.is_empty()
            {
                return Err("a vote opens empty".to_owned());
            }
            for item in &vote.items {
                let on_board = match vote.target {
                    VoteTarget::Ideas => state.ideas.get(&IdeaId(*item)).map(|i| i.board),
                    VoteTarget::Clusters => state.clusters.get(&ClusterId(*item)).map(|c| c.board),
                };
                if on_board != Some(vote.board) {
                    return Err(format!("item {item} is not on the vote's board"));
                }
            }
            Ok(())
        }
        Event::DotCast { vote, person, item } => {
            let v = vote_exists(state, *vote)?;
            person_exists(state, *person)?;
            if v.status != VoteStatus::Open {
                return Err("the vote is closed".to_owned());
            }
            if !on_ballot(*vote, item) {
                return Err(format!("item {item} is not on the ballot"));
            }
            if v.remaining_for(*person) == 0 || v.dots_on(*person, *item) >= v.per_item_cap {
                return Err("the dot exceeds the budget or the per-item cap".to_owned());
            }
            Ok(())
        }
        Event::DotRetracted { vote, person, item } => {
            let v = vote_exists(state, *vote)?;
            if v.status != VoteStatus::Open || v.dots_on(*person, *item) == 0 {
                return Err("no dot to retract".to_owned());
            }
            Ok(())
        }
        Event::TallyEntered {
            vote,
            table,
            counts,
        } => {
            let v = vote_exists(state, *vote)?;
            table_exists(state, *table)?;
            if v.status != VoteStatus::Open {
                return Err("the vote is closed".to_owned());
            }
            if let Some(item) = counts.keys().find(|i| !on_ballot(*vote, i)) {
                return Err(format!("item {item} is not on the ballot"));
            }
            Ok(())
        }
        Event::VoteProgress { .. } => {
            Err("vote_progress only exists in views, never in a café's log".to_owned())
        }
        Event::VoteClosed { vote } => vote_exists(state, *vote).map(|_| ()),
        Event::VoteRevealed {
            vote,
            totals,
            tallies,
        } => {
            let v = vote_exists(state, *vote)?;
            // The rules reveal exactly the totals the ballots and tallies add up to.
            if *totals != v.totals || *tallies != v.tallies {
                return Err("revealed totals differ from the ballots".to_owned());
            }
            Ok(())
        }
    }
}

fn check_line(s: &str, what: &str, max: usize) -> Result<(), String> {
    match clean_line(s, what, max) {
        Ok(clean) if clean == s => Ok(()),
        Ok(_) => Err(format!("the {what} {s:?} has surrounding spaces")),
        Err(r) => Err(r.message),
    }
}

fn check_text(s: &str, what: &str, min: usize, max: usize) -> Result<(), String> {
    match clean_text(s, what, min, max) {
        Ok(clean) if clean == s => Ok(()),
        Ok(_) => Err(format!("the {what} is not normalised")),
        Err(r) => Err(r.message),
    }
}

fn check_limit(what: &str, n: usize, max: usize) -> Result<(), String> {
    if n > max {
        return Err(format!("{n} {what}; a café holds at most {max}"));
    }
    Ok(())
}

/// The invariants and limits the rules keep, checked on the replayed state, so an imported
/// café is one the server and every client can rely on.
fn validate_state(s: &CafeState) -> Result<(), String> {
    let Some(info) = &s.info else {
        return Err("no café".to_owned());
    };
    check_line(&info.title, "title", CAFE_TITLE_MAX)?;
    check_text(&info.description, "description", 0, CAFE_DESCRIPTION_MAX)?;
    let st = &info.settings;
    if !(VOTE_BUDGET_MIN..=VOTE_BUDGET_MAX).contains(&st.default_budget)
        || st.default_per_item_cap == 0
        || st.default_per_item_cap > st.default_budget
    {
        return Err("default vote settings out of range".to_owned());
    }

    check_limit("people", s.people.len(), PEOPLE_PER_CAFE_MAX)?;
    check_limit("tables", s.tables.len(), TABLES_PER_CAFE_MAX)?;
    check_limit("ideas", s.ideas.len(), IDEAS_PER_CAFE_MAX)?;
    check_limit("clusters", s.clusters.len(), CLUSTERS_PER_CAFE_MAX)?;
    check_limit("rounds", s.rounds.len(), ROUNDS_PER_CAFE_MAX as usize)?;
    check_limit("votes", s.votes.len(), VOTES_PER_CAFE_MAX)?;

    let organisers = s
        .people
        .values()
        .filter(|p| p.role == Role::Organiser && !p.removed)
        .count();
    if organisers != 1 {
        return Err(format!(
            "a café has one organiser, this one has {organisers}"
        ));
    }
    for p in s.people.values() {
        check_line(&p.name, "name", DISPLAY_NAME_MAX)?;
    }

    let Some(plenary) = s.plenary.and_then(|p| s.boards.get(&p)) else {
        return Err("no plenary board".to_owned());
    };
    if plenary.table.is_some() {
        return Err("the plenary board belongs to no table".to_owned());
    }
    for b in s.boards.values() {
        if let Some(t) = b.table {
            if s.tables.get(&t).map(|t| t.board) != Some(b.id) {
                return Err(format!(
                    "board {} points at table {t}, which is not its",
                    b.id
                ));
            }
        } else if Some(b.id) != s.plenary {
            return Err(format!("board {} belongs to no table", b.id));
        }
        for c in &b.columns {
            check_line(c, "column", CATEGORY_MAX)?;
        }
    }
    for t in s.tables.values() {
        check_line(&t.name, "table name", TABLE_NAME_MAX)?;
        if s.boards.get(&t.board).and_then(|b| b.table) != Some(t.id) {
            return Err(format!("table {} has no board of its own", t.id));
        }
        if let Some(h) = t.host {
            if s.people.get(&h).is_none_or(|p| p.removed) {
                return Err(format!("table {} is hosted by an absent person", t.id));
            }
        }
        if t.headcount > TABLE_HEADCOUNT_MAX {
            return Err(format!("table {} seats too many people", t.id));
        }
    }
    for r in &s.rounds {
        check_text(&r.prompt, "prompt", 0, ROUND_PROMPT_MAX)?;
    }
    for i in s.ideas.values() {
        check_text(&i.text, "idea", 1, IDEA_TEXT_MAX)?;
        if let Some(c) = &i.category {
            check_line(c, "category", CATEGORY_MAX)?;
        }
        if !s.boards.contains_key(&i.board) {
            return Err(format!("idea {} is on a missing board", i.id));
        }
        if let Some(c) = i.cluster {
            if s.clusters.get(&c).map(|c| c.board) != Some(i.board) {
                return Err(format!("idea {} is in a cluster of another board", i.id));
            }
        }
    }
    for c in s.clusters.values() {
        check_line(&c.title, "cluster title", CLUSTER_TITLE_MAX)?;
        if !s.boards.contains_key(&c.board) {
            return Err(format!("cluster {} is on a missing board", c.id));
        }
    }
    for v in s.votes.values() {
        if !s.boards.contains_key(&v.board) {
            return Err(format!("vote {} is on a missing board", v.id));
        }
        // Totals must be exactly the ballots plus the paper tallies, or the ranking would
        // not be the one people voted.
        let mut sum: BTreeMap<ItemId, u64> = BTreeMap::new();
        for counts in v.ballots.values().chain(v.tallies.values()) {
            for (item, n) in counts {
                *sum.entry(*item).or_default() += u64::from(*n);
            }
        }
        sum.retain(|_, n| *n > 0);
        let totals: BTreeMap<ItemId, u64> =
            v.totals.iter().map(|(i, n)| (*i, u64::from(*n))).collect();
        let cast: u64 = totals.values().sum();
        if sum != totals || cast != u64::from(v.dots_cast) {
            return Err(format!("vote {}: totals do not add up", v.id));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use cafe_shared::{
        Assignment, Command, Ctx, ItemCount, Seat, Settings, SystemCommand, VoteVisibility,
    };

    const T0: i64 = 1_795_000_000_000;

    /// A café driven through the real rules, recording its log like the server does.
    struct Cafe {
        state: CafeState,
        log: Vec<StoredEvent>,
        now: i64,
    }

    impl Cafe {
        fn record(&mut self, events: Vec<Event>) -> Vec<Event> {
            for e in &events {
                self.state.apply(e);
                let seq = self.log.len() as u64 + 1;
                self.log.push(StoredEvent {
                    seq,
                    at: self.now,
                    event: e.clone(),
                });
            }
            self.now += 1_000;
            events
        }

        fn sys(&mut self, cmd: SystemCommand) -> Vec<Event> {
            let events = self
                .state
                .decide_system(self.now, &cmd)
                .expect("system cmd");
            self.record(events)
        }

        fn cmd(&mut self, actor: PersonId, cmd: Command) -> Vec<Event> {
            let ctx = Ctx {
                actor,
                now: self.now,
                seed: 7,
            };
            let events = self
                .state
                .decide(&ctx, &cmd)
                .unwrap_or_else(|r| panic!("{cmd:?} rejected: {r}"));
            self.record(events)
        }

        fn join(&mut self, name: &str, location: Location) -> PersonId {
            let events = self.sys(SystemCommand::Join {
                name: name.into(),
                role: Role::Participant,
                location,
            });
            match &events[0] {
                Event::PersonJoined { person } => person.id,
                e => panic!("unexpected {e:?}"),
            }
        }

        fn post(&mut self, actor: PersonId, board: BoardId, text: &str) -> IdeaId {
            let events = self.cmd(
                actor,
                Command::PostIdea {
                    board,
                    text: text.into(),
                    category: None,
                },
            );
            match &events[0] {
                Event::IdeaPosted { idea } => idea.id,
                e => panic!("unexpected {e:?}"),
            }
        }

        fn last_id<T>(&self, f: impl Fn(&Event) -> Option<T>) -> T {
            self.log.iter().rev().find_map(|s| f(&s.event)).expect("id")
        }
    }

    const MEETINGS: &str = "Meetings, meetings, \"more\" meetings\nand email";
    const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";
    const SCRIPT: &str = "| <script>alert(1)</script>";
    const NAMES: [&str; 6] = [
        "Olga Brandt",
        "Ana Quill",
        "Ben Stroud",
        "Hana Vole",
        "Rita Marsh",
        "Raj Pillai",
    ];

    /// Ids of the scenario's notable things.
    #[allow(dead_code)]
    struct Ids {
        org: PersonId,
        ana: PersonId,
        table_a: TableId,
        board_a: BoardId,
        board_b: BoardId,
        meetings: IdeaId,
        formula: IdeaId,
        paper: IdeaId,
        script: IdeaId,
        vpn: IdeaId,
        spam: IdeaId,
        async_updates: IdeaId,
        laptops: IdeaId,
        process: ClusterId,
        tools: ClusterId,
        vote_a: VoteId,
        vote_b: VoteId,
        vote_plenary: VoteId,
    }

    /// Hybrid café: organiser, two room participants, a room host who scribes, two remote
    /// participants; an in-room and a virtual table; two rounds; clusters; a harvested idea;
    /// a moderated idea; a hidden vote with a paper tally, closed and revealed; a live
    /// cluster vote; a live plenary vote.
    fn scenario(anonymous: bool) -> (Cafe, Ids) {
        let mut c = Cafe {
            state: CafeState::default(),
            log: Vec::new(),
            now: T0,
        };
        c.sys(SystemCommand::CreateCafe {
            id: CafeId("cafe-original".into()),
            code: JoinCode::parse("K7MQ2P").expect("code"),
            title: "Future of work | 2030".into(),
            description: "How we *really* work.\n\nSecond paragraph # not a heading".into(),
            mode: Mode::Hybrid,
            language: Default::default(),
            settings: Settings {
                anonymous,
                ..Settings::default()
            },
            organiser_name: NAMES[0].into(),
        });
        let org = c.last_id(|e| match e {
            Event::PersonJoined { person } => Some(person.id),
            _ => None,
        });
        let ana = c.join(NAMES[1], Location::Room);
        let ben = c.join(NAMES[2], Location::Room);
        let hana = c.join(NAMES[3], Location::Room);
        let rita = c.join(NAMES[4], Location::Remote);
        let raj = c.join(NAMES[5], Location::Remote);

        let table_of = |events: Vec<Event>| match &events[0] {
            Event::TableCreated { table, .. } => (table.id, table.board),
            e => panic!("unexpected {e:?}"),
        };
        let ev = c.cmd(
            org,
            Command::CreateTable {
                name: "Window".into(),
                kind: TableKind::InRoom,
            },
        );
        let (table_a, board_a) = table_of(ev);
        let ev = c.cmd(
            org,
            Command::CreateTable {
                name: "Online 1".into(),
                kind: TableKind::Virtual,
            },
        );
        let (table_b, board_b) = table_of(ev);
        c.cmd(
            org,
            Command::SetTableHost {
                table: table_a,
                person: Some(hana),
            },
        );
        c.cmd(
            hana,
            Command::SetTableHeadcount {
                table: table_a,
                headcount: 4,
            },
        );
        c.cmd(
            org,
            Command::StartRound {
                prompt: "What slows us down?".into(),
                duration_secs: 600,
                assignment: Assignment::Manual {
                    seats: vec![
                        Seat {
                            person: ana,
                            table: table_a,
                        },
                        Seat {
                            person: ben,
                            table: table_a,
                        },
                        Seat {
                            person: rita,
                            table: table_b,
                        },
                        Seat {
                            person: raj,
                            table: table_b,
                        },
                    ],
                },
            },
        );
        c.cmd(
            org,
            Command::SetPhase {
                phase: Phase::Ideate,
            },
        );
        c.sys(SystemCommand::SetPresence {
            person: ana,
            online: true,
        });
        let meetings = c.post(ana, board_a, MEETINGS);
        let formula = c.post(ben, board_a, FORMULA);
        let paper = c.post(hana, board_a, "Paper forms");
        let script = c.post(rita, board_b, SCRIPT);
        let vpn = c.post(raj, board_b, "Slow VPN");
        let spam = c.post(ben, board_a, "Buy cheap watches");
        c.cmd(
            org,
            Command::HideIdea {
                idea: spam,
                hidden: true,
            },
        );

        c.cmd(
            org,
            Command::SetPhase {
                phase: Phase::Group,
            },
        );
        c.cmd(
            hana,
            Command::CreateCluster {
                board: board_a,
                title: "Process".into(),
                ideas: vec![meetings, paper],
            },
        );
        let process = c.last_id(|e| match e {
            Event::ClusterCreated { cluster } => Some(cluster.id),
            _ => None,
        });
        c.cmd(
            raj,
            Command::CreateCluster {
                board: board_b,
                title: "Tools".into(),
                ideas: vec![vpn],
            },
        );
        let tools = c.last_id(|e| match e {
            Event::ClusterCreated { cluster } => Some(cluster.id),
            _ => None,
        });
        c.cmd(
            rita,
            Command::CreateCluster {
                board: board_b,
                title: "Culture".into(),
                ideas: vec![script],
            },
        );
        c.cmd(hana, Command::HarvestIdea { idea: paper });
        c.cmd(org, Command::HarvestIdea { idea: vpn });

        c.cmd(
            org,
            Command::StartRound {
                prompt: "What would speed us up?".into(),
                duration_secs: 0,
                assignment: Assignment::Keep,
            },
        );
        c.cmd(
            org,
            Command::SetPhase {
                phase: Phase::Ideate,
            },
        );
        let async_updates = c.post(ben, board_a, "Async updates");
        let laptops = c.post(raj, board_b, "Better laptops");

        c.cmd(org, Command::SetPhase { phase: Phase::Vote });
        c.cmd(
            org,
            Command::OpenVote {
                board: board_a,
                target: VoteTarget::Ideas,
                budget: 3,
                per_item_cap: 2,
                visibility: VoteVisibility::Hidden,
            },
        );
        let vote_a = c.last_id(|e| match e {
            Event::VoteOpened { vote } => Some(vote.id),
            _ => None,
        });
        let dot = |c: &mut Cafe, who: PersonId, vote: VoteId, item: IdeaId| {
            c.cmd(who, Command::CastDot { vote, item: item.0 });
        };
        dot(&mut c, ana, vote_a, async_updates);
        dot(&mut c, ana, vote_a, async_updates);
        dot(&mut c, ana, vote_a, meetings);
        dot(&mut c, ben, vote_a, async_updates);
        dot(&mut c, ben, vote_a, formula);
        dot(&mut c, ben, vote_a, formula);
        // Ben changes his mind once: a retraction must replay too.
        c.cmd(
            ben,
            Command::RetractDot {
                vote: vote_a,
                item: formula.0,
            },
        );
        dot(&mut c, ben, vote_a, formula);
        c.cmd(
            hana,
            Command::EnterTally {
                vote: vote_a,
                table: table_a,
                counts: vec![ItemCount {
                    item: paper.0,
                    dots: 4,
                }],
            },
        );
        c.cmd(org, Command::RevealVote { vote: vote_a });

        c.cmd(
            org,
            Command::OpenVote {
                board: board_b,
                target: VoteTarget::Clusters,
                budget: 2,
                per_item_cap: 2,
                visibility: VoteVisibility::Live,
            },
        );
        let vote_b = c.last_id(|e| match e {
            Event::VoteOpened { vote } => Some(vote.id),
            _ => None,
        });
        c.cmd(
            rita,
            Command::CastDot {
                vote: vote_b,
                item: tools.0,
            },
        );
        c.cmd(org, Command::CloseVote { vote: vote_b });

        let plenary = c.state.plenary.expect("plenary");
        c.cmd(
            org,
            Command::OpenVote {
                board: plenary,
                target: VoteTarget::Ideas,
                budget: 2,
                per_item_cap: 1,
                visibility: VoteVisibility::Live,
            },
        );
        let vote_plenary = c.last_id(|e| match e {
            Event::VoteOpened { vote } => Some(vote.id),
            _ => None,
        });
        // Still open at export time: exports work during a session.
        let vpn_copy = c
            .state
            .ideas
            .values()
            .find(|i| i.harvested_from == Some(vpn))
            .expect("harvested")
            .id;
        c.cmd(
            raj,
            Command::CastDot {
                vote: vote_plenary,
                item: vpn_copy.0,
            },
        );

        let ids = Ids {
            org,
            ana,
            table_a,
            board_a,
            board_b,
            meetings,
            formula,
            paper,
            script,
            vpn,
            spam,
            async_updates,
            laptops,
            process,
            tools,
            vote_a,
            vote_b,
            vote_plenary,
        };
        (c, ids)
    }

    fn parse_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = r
            .records()
            .map(|rec| {
                let rec = rec.expect("record");
                assert_eq!(rec.len(), header.len());
                header
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_owned))
                    .collect()
            })
            .collect();
        (header, rows)
    }

    fn row(rows: &[BTreeMap<String, String>], id: IdeaId) -> &BTreeMap<String, String> {
        rows.iter()
            .find(|r| r["idea_id"] == id.to_string())
            .expect("row")
    }

    #[test]
    fn csv_has_one_row_per_idea_with_all_columns() {
        let (c, ids) = scenario(false);
        let text = export_csv(&c.state);
        let (header, rows) = parse_csv(&text);
        let mut expected: Vec<String> = "idea_id,board,table,table_kind,round,round_prompt,origin,scribed,author,category,cluster,text,created_at,hidden,votes"
            .split(',')
            .map(str::to_owned)
            .collect();
        for v in [ids.vote_a, ids.vote_b, ids.vote_plenary] {
            expected.push(format!("vote_{v}_dots"));
        }
        assert_eq!(header, expected);
        // 8 posted + 2 harvested copies, the hidden one included.
        assert_eq!(rows.len(), 10);
        assert_eq!(rows.len(), c.state.ideas.len());

        let m = row(&rows, ids.meetings);
        assert_eq!(m["text"], MEETINGS, "comma, quotes and newline survive");
        assert_eq!(m["board"], "Window");
        assert_eq!(m["table"], "Window");
        assert_eq!(m["table_kind"], "in_room");
        assert_eq!(m["round"], "1");
        assert_eq!(m["round_prompt"], "What slows us down?");
        assert_eq!(m["origin"], "room");
        assert_eq!(m["scribed"], "false");
        assert_eq!(m["author"], "Ana Quill");
        assert_eq!(m["cluster"], "Process");
        assert_eq!(m["hidden"], "false");
        assert_eq!(m["votes"], "1");
        assert_eq!(m[&format!("vote_{}_dots", ids.vote_a)], "1");
        // Its cluster was not on vote B's ballot (another board).
        assert_eq!(m[&format!("vote_{}_dots", ids.vote_b)], "");
        let created = c.state.ideas[&ids.meetings].created_at;
        assert_eq!(m["created_at"], rfc3339(created));
        assert!(m["created_at"].ends_with('Z'), "{}", m["created_at"]);
        assert!(m["created_at"].starts_with("2026-"), "{}", m["created_at"]);

        let f = row(&rows, ids.formula);
        assert_eq!(f["text"], format!("'{FORMULA}"), "formula neutralised");
        assert_eq!(f["votes"], "2");

        let p = row(&rows, ids.paper);
        assert_eq!(p["scribed"], "true");
        assert_eq!(p["author"], "Hana Vole");
        assert_eq!(p["votes"], "4");

        let s = row(&rows, ids.script);
        assert_eq!(s["origin"], "remote");
        assert_eq!(s["table_kind"], "virtual");
        assert_eq!(s["text"], SCRIPT);

        let v = row(&rows, ids.vpn);
        assert_eq!(v["cluster"], "Tools");
        assert_eq!(v[&format!("vote_{}_dots", ids.vote_b)], "1");
        assert_eq!(v["votes"], "0", "cluster dots are not the idea's own");

        assert_eq!(row(&rows, ids.spam)["hidden"], "true");
        assert_eq!(row(&rows, ids.async_updates)["round"], "2");
        assert_eq!(row(&rows, ids.async_updates)["votes"], "3");
        assert_eq!(row(&rows, ids.laptops)["cluster"], "");

        let copy = rows
            .iter()
            .find(|r| r["board"] == "Plenary" && r["text"] == "Slow VPN")
            .expect("harvested copy");
        assert_eq!(
            copy["table"], "Online 1",
            "a copy keeps the table it came from"
        );
        assert_eq!(copy[&format!("vote_{}_dots", ids.vote_plenary)], "1");
        assert_eq!(copy[&format!("vote_{}_dots", ids.vote_a)], "");
    }

    #[test]
    fn safe_cell_guards_formulas_only() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(safe_cell(s), format!("'{s}"));
        }
        for s in ["", "plain", "a=b", "'quoted"] {
            assert_eq!(safe_cell(s), s);
        }
    }

    #[test]
    fn markdown_report_ranks_and_escapes() {
        let (c, ids) = scenario(false);
        let md_text = export_markdown(&c.state, T0 + 3_600_000);
        assert!(
            md_text.starts_with("# Future of work \\| 2030\n"),
            "{md_text}"
        );
        assert!(md_text.contains("- **Mode:** hybrid"));
        assert!(md_text.contains("- **People:** 4 in the room, 2 remote"));
        assert!(md_text.contains("- **Ideas:** 9"));
        assert!(md_text.contains("- **Hidden by moderation:** 1"));
        assert!(md_text.contains("- **Tables:** 2"));
        assert!(md_text.contains("- **Rounds:** 2"));
        assert!(md_text.contains("How we \\*really\\* work."));
        assert!(md_text.contains("Second paragraph \\# not a heading"));
        // The moderated idea is left out everywhere.
        assert!(!md_text.contains("watches"));

        // Structure: rounds, tables, clusters, plenary, votes in order.
        let pos = |needle: &str| {
            md_text
                .find(needle)
                .unwrap_or_else(|| panic!("missing {needle:?} in\n{md_text}"))
        };
        let r1 = pos("## Round 1");
        let r2 = pos("## Round 2");
        assert!(r1 < pos("> What slows us down?") && pos("> What slows us down?") < r2);
        assert!(r1 < pos("#### Process") && pos("#### Process") < r2);
        assert!(pos("- Meetings, meetings, \"more\" meetings and email (Ana Quill)") < r2);
        assert!(pos("- Async updates (Ben Stroud)") > r2);
        assert!(pos("## Plenary") > r2);
        assert!(pos("## Votes") > pos("## Plenary"));

        // Vote A ranked: paper 4, async 3, formula 2, meetings 1.
        let rows = [
            "| 1 | 4 | Paper forms |".to_owned(),
            "| 2 | 3 | Async updates |".to_owned(),
            format!("| 3 | 2 | {} |", md(FORMULA)),
            "| 4 | 1 | Meetings, meetings, \"more\" meetings and email |".to_owned(),
        ];
        let at: Vec<usize> = rows.iter().map(|r| pos(r)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{md_text}");
        assert!(at[0] > pos(&format!("### Vote {} on Window (ideas)", ids.vote_a)));
        // Cluster vote shows cluster titles; ties are listed by id (Tools before Culture).
        assert!(pos(&format!("### Vote {} on Online 1 (clusters)", ids.vote_b)) > at[3]);
        assert!(pos("| 1 | 1 | Tools |") < pos("| 2 | 0 | Culture |"));
        assert!(md_text.contains("closed; 10 dots cast; budget 3 dots per person"));
        assert!(md_text.contains("closed; 1 dot cast;"));

        // The malicious text cannot break a table or inject HTML.
        assert!(!md_text.contains("<script>"));
        assert!(md_text.contains("\\| &lt;script&gt;alert(1)&lt;/script&gt;"));
        for line in md_text.lines().filter(|l| l.starts_with("| ")) {
            let unescaped_pipes = line
                .char_indices()
                .filter(|(i, ch)| *ch == '|' && (*i == 0 || &line[i - 1..*i] != "\\"))
                .count();
            assert_eq!(unescaped_pipes, 4, "{line}");
        }
    }

    #[test]
    fn md_escaping() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(md("[x](javascript:y)"), "\\[x\\](javascript:y)");
        assert_eq!(md("*_`#~\\"), "\\*\\_\\`\\#\\~\\\\");
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("12. item"), "12\\. item");
        assert_eq!(md("line\nbreak"), "line break");
    }

    #[test]
    fn anonymous_cafe_exports_no_author_names() {
        let (c, ids) = scenario(true);
        let authors = &NAMES[1..];

        let (_, rows) = parse_csv(&export_csv(&c.state));
        assert!(rows.iter().all(|r| r["author"].is_empty()));
        let csv_text = export_csv(&c.state);
        let md_text = export_markdown(&c.state, T0);
        for name in authors {
            assert!(!csv_text.contains(name), "{name} in CSV");
            assert!(!md_text.contains(name), "{name} in Markdown");
        }
        assert!(md_text.contains("- **Anonymous:** yes"));

        let doc = export_json(&c.state, &c.log, T0);
        for s in &doc.events {
            if let Event::IdeaPosted { idea } = &s.event {
                assert_eq!(idea.author, None);
            }
        }
        let summary_json = serde_json::to_string(&doc.summary).expect("json");
        for name in authors {
            assert!(!summary_json.contains(name), "{name} in summary");
        }
        // The stored log itself is untouched (the server keeps authors for edit rights).
        assert!(c
            .log
            .iter()
            .any(|s| matches!(&s.event, Event::IdeaPosted { idea } if idea.author.is_some())));

        // And an anonymous export still imports.
        let (_, state) = import(
            doc,
            CafeId("cafe-anon-copy".into()),
            JoinCode::parse("ABCDEF").expect("code"),
        )
        .expect("import");
        assert!(state.ideas.values().all(|i| i.author.is_none()));
        assert_eq!(state.ideas.len(), c.state.ideas.len());
        assert_eq!(state.votes, c.state.votes);
        let _ = ids;
    }

    #[test]
    fn json_summary_marks_hidden_and_ranks() {
        let (c, ids) = scenario(false);
        let doc = export_json(&c.state, &c.log, T0 + 5);
        assert_eq!(doc.format, EXPORT_FORMAT);
        assert_eq!(doc.version, EXPORT_VERSION);
        assert_eq!(doc.exported_at, T0 + 5);
        assert_eq!(Some(&doc.cafe), c.state.info.as_ref());
        assert_eq!(doc.events, c.log, "non-anonymous: the log as stored");
        let s = &doc.summary;
        assert_eq!(s.boards[0].label, "Plenary");
        let a = s.boards.iter().find(|b| b.id == ids.board_a).expect("A");
        let spam = a.ideas.iter().find(|i| i.id == ids.spam).expect("spam");
        assert!(spam.hidden);
        assert_eq!(spam.author.as_deref(), Some("Ben Stroud"));
        let process = a.clusters.iter().find(|k| k.id == ids.process).expect("c");
        assert_eq!(process.ideas, vec![ids.meetings, ids.paper]);
        let vote = s.votes.iter().find(|v| v.id == ids.vote_a).expect("vote");
        let labels: Vec<&str> = vote.results.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            vec!["Paper forms", "Async updates", FORMULA, MEETINGS]
        );
        assert_eq!(s.people_in_room, 4);
        assert_eq!(s.people_remote, 2);
        assert_eq!(s.rounds.len(), 2);
        let b = s.boards.iter().find(|b| b.id == ids.board_b).expect("B");
        assert!(b.clusters.iter().any(|k| k.id == ids.tools));
        assert_eq!(ids.table_a, s.tables[0].id);
    }

    #[test]
    fn json_round_trip_imports_as_a_new_cafe() {
        let (c, _ids) = scenario(false);
        let doc = export_json(&c.state, &c.log, T0);
        let text = serde_json::to_string_pretty(&doc).expect("serialize");
        let back = parse_export(text.as_bytes()).expect("parse");
        assert_eq!(back, doc);

        let new_id = CafeId("cafe-copy".into());
        let new_code = JoinCode::parse("XYZ234").expect("code");
        let (events, state) = import(back, new_id.clone(), new_code.clone()).expect("import");

        // The new café's info differs only in id and code.
        let info = state.info.clone().expect("info");
        let mut orig = c.state.info.clone().expect("info");
        assert_eq!(info.id, new_id);
        assert_eq!(info.code, new_code);
        orig.id = new_id;
        orig.code = new_code;
        assert_eq!(info, orig);

        assert_eq!(state.boards, c.state.boards);
        assert_eq!(state.ideas, c.state.ideas);
        assert_eq!(state.clusters, c.state.clusters);
        assert_eq!(state.votes, c.state.votes);
        assert_eq!(state.tables, c.state.tables);
        assert_eq!(state.rounds, c.state.rounds);
        assert_eq!(state.phase, c.state.phase);
        assert_eq!(state.plenary, c.state.plenary);
        assert_eq!(state.next_id, c.state.next_id);
        assert_eq!(state.timer, c.state.timer);
        assert_eq!(state.hands, c.state.hands);
        // People are the same, but nobody is online in a café nobody has connected to yet.
        let mut people = c.state.people.clone();
        for p in people.values_mut() {
            p.online = false;
        }
        assert_eq!(state.people, people);

        // Events: the original log with the new id/code, then one presence change for the
        // person who was online.
        assert_eq!(events.len(), c.log.len() + 1);
        for (i, (new, old)) in events.iter().zip(&c.log).enumerate() {
            if i == 0 {
                assert!(matches!(new, Event::CafeCreated { info, .. } if info.id.0 == "cafe-copy"));
            } else {
                assert_eq!(new, &old.event);
            }
        }
        assert!(matches!(
            events.last(),
            Some(Event::PresenceChanged { online: false, .. })
        ));

        // Replaying the returned events from scratch gives the returned state, so the server
        // can store them and rebuild the café later.
        let mut replay = CafeState::default();
        for e in &events {
            replay.apply(e);
        }
        assert_eq!(replay, state);

        // The imported café works under the rules: the organiser can keep going.
        let org = organiser(&state).expect("organiser");
        assert_eq!(Some(org), organiser(&c.state));
        let ctx = Ctx {
            actor: org,
            now: T0,
            seed: 1,
        };
        assert!(state
            .decide(
                &ctx,
                &Command::SetPhase {
                    phase: Phase::Results
                }
            )
            .is_ok());
    }

    fn doc_of(c: &Cafe) -> ExportDoc {
        export_json(&c.state, &c.log, T0)
    }

    fn try_import(doc: ExportDoc) -> Result<(Vec<Event>, CafeState), ImportError> {
        import(
            doc,
            CafeId("cafe-x".into()),
            JoinCode::parse("ABCDEF").expect("code"),
        )
    }

    #[test]
    fn import_rejects_wrong_format_and_version() {
        let (c, _) = scenario(false);
        let mut doc = doc_of(&c);
        doc.format = "trello-board".into();
        assert_eq!(
            try_import(doc).unwrap_err(),
            ImportError::WrongFormat {
                found: "trello-board".into()
            }
        );
        let mut doc = doc_of(&c);
        doc.version = 2;
        let err = try_import(doc).unwrap_err();
        assert_eq!(err, ImportError::UnsupportedVersion { found: 2 });
        assert_eq!(err.code(), ErrorCode::Invalid);

        // A future version with another shape is "unsupported", not "malformed".
        let future = br#"{"format":"innovation-cafe-export","version":2,"everything":"new"}"#;
        assert_eq!(
            parse_export(future).unwrap_err(),
            ImportError::UnsupportedVersion { found: 2 }
        );
        let err = parse_export(b"{not json").unwrap_err();
        assert!(matches!(err, ImportError::Malformed(_)));
        assert_eq!(err.code(), ErrorCode::Malformed);
        let err = parse_export(&vec![b' '; MAX_IMPORT_BYTES + 1]).unwrap_err();
        assert!(matches!(err, ImportError::TooLarge { .. }));
        assert_eq!(err.code(), ErrorCode::TooLarge);

        let mut doc = doc_of(&c);
        doc.events.clear();
        assert_eq!(try_import(doc).unwrap_err(), ImportError::Empty);
    }

    #[test]
    fn import_rejects_events_that_do_not_replay() {
        let (c, ids) = scenario(false);
        let next_seq = c.log.len() as u64 + 1;

        // A second cafe_created.
        let mut doc = doc_of(&c);
        let first = doc.events[0].event.clone();
        doc.events.push(StoredEvent {
            seq: next_seq,
            at: T0,
            event: first,
        });
        match try_import(doc).unwrap_err() {
            ImportError::InvalidEvent { seq, kind, .. } => {
                assert_eq!(seq, next_seq);
                assert_eq!(kind, "cafe_created");
            }
            e => panic!("unexpected {e:?}"),
        }

        // A log that does not start with cafe_created.
        let mut doc = doc_of(&c);
        doc.events.remove(0);
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent {
                kind: "person_joined",
                ..
            }
        ));

        // Out-of-order seq.
        let mut doc = doc_of(&c);
        doc.events[3].seq = 2;
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent { seq: 2, .. }
        ));

        // A reference to something that does not exist.
        let mut doc = doc_of(&c);
        doc.events.push(StoredEvent {
            seq: next_seq,
            at: T0,
            event: Event::IdeaHidden {
                idea: IdeaId(9_999),
                hidden: true,
            },
        });
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent {
                kind: "idea_hidden",
                ..
            }
        ));

        // Forged totals in a reveal.
        let mut doc = doc_of(&c);
        for s in &mut doc.events {
            if let Event::VoteRevealed { totals, .. } = &mut s.event {
                totals.insert(ids.meetings.0, 99);
            }
        }
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent {
                kind: "vote_revealed",
                ..
            }
        ));

        // A dot beyond the budget (Ana already used all 3).
        let mut doc = doc_of(&c);
        let pos = doc
            .events
            .iter()
            .position(|s| matches!(s.event, Event::VoteRevealed { .. }))
            .expect("reveal");
        doc.events.insert(
            pos,
            StoredEvent {
                seq: doc.events[pos - 1].seq,
                at: T0,
                event: Event::DotCast {
                    vote: ids.vote_a,
                    person: ids.ana,
                    item: ids.formula.0,
                },
            },
        );
        for (i, s) in doc.events.iter_mut().enumerate() {
            s.seq = i as u64 + 1;
        }
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent {
                kind: "dot_cast",
                ..
            }
        ));

        // View-only events never belong in a log.
        let mut doc = doc_of(&c);
        doc.events.push(StoredEvent {
            seq: next_seq,
            at: T0,
            event: Event::VoteProgress {
                vote: ids.vote_a,
                dots_cast: 0,
                totals: BTreeMap::new(),
                ballot: None,
                tally: None,
            },
        });
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent {
                kind: "vote_progress",
                ..
            }
        ));

        // An id reused for a new entity.
        let mut doc = doc_of(&c);
        let mut idea = c.state.ideas[&ids.laptops].clone();
        idea.text = "dup".into();
        doc.events.push(StoredEvent {
            seq: next_seq,
            at: T0,
            event: Event::IdeaPosted { idea },
        });
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidEvent {
                kind: "idea_posted",
                ..
            }
        ));

        // Text the rules would never accept, caught on the final state.
        let mut doc = doc_of(&c);
        doc.events.push(StoredEvent {
            seq: next_seq,
            at: T0,
            event: Event::IdeaEdited {
                idea: ids.vpn,
                text: "x".repeat(IDEA_TEXT_MAX + 1),
                category: None,
                at: T0,
            },
        });
        assert!(matches!(
            try_import(doc).unwrap_err(),
            ImportError::InvalidState(_)
        ));
        let _ = (ids.org, ids.board_b, ids.vote_b, ids.vote_plenary);
    }

    #[test]
    fn exports_work_after_close_and_for_an_empty_cafe() {
        let (mut c, ids) = scenario(false);
        c.cmd(
            ids.org,
            Command::SetPhase {
                phase: Phase::Closed,
            },
        );
        assert!(export_markdown(&c.state, T0).contains("- **Phase:** closed"));
        assert_eq!(parse_csv(&export_csv(&c.state)).1.len(), 10);
        assert!(try_import(doc_of(&c)).is_ok());

        // A café with nothing in it yet.
        let mut e = Cafe {
            state: CafeState::default(),
            log: Vec::new(),
            now: T0,
        };
        e.sys(SystemCommand::CreateCafe {
            id: CafeId("empty".into()),
            code: JoinCode::parse("ABCDEF").expect("code"),
            title: "Empty".into(),
            description: String::new(),
            mode: Mode::Online,
            language: Default::default(),
            settings: Settings::default(),
            organiser_name: "Org".into(),
        });
        let (header, rows) = parse_csv(&export_csv(&e.state));
        assert_eq!(header.len(), 15);
        assert!(rows.is_empty());
        assert!(export_markdown(&e.state, T0).contains("_No ideas._"));
        assert!(try_import(doc_of(&e)).is_ok());
    }

    #[test]
    fn every_event_of_the_scenario_round_trips_through_json() {
        let (c, _) = scenario(false);
        for stored in &c.log {
            let text = serde_json::to_string(stored).expect("serialize");
            let back: StoredEvent = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} does not read back: {e}", stored.event.kind()));
            assert_eq!(&back, stored);
            // The export writes exactly the wire JSON of the event.
            let wire = serde_json::to_value(&stored.event).expect("wire");
            let ours: serde_json::Value = serde_json::from_str(&text).expect("value");
            assert_eq!(ours["event"], wire);
        }
        // Events with id-keyed maps read back with plain serde (serde#1183 is handled in shared).
        let revealed = c
            .log
            .iter()
            .find(|s| matches!(s.event, Event::VoteRevealed { .. }))
            .expect("reveal");
        let text = serde_json::to_string(&revealed.event).expect("json");
        assert_eq!(
            serde_json::from_str::<Event>(&text).expect("parse"),
            revealed.event
        );
        let progress = Event::VoteProgress {
            vote: VoteId(3),
            dots_cast: 2,
            totals: BTreeMap::from([(5, 2)]),
            ballot: None,
            tally: Some(cafe_shared::Tally {
                table: TableId(4),
                counts: BTreeMap::from([(5, 2)]),
            }),
        };
        let stored = StoredEvent {
            seq: 1,
            at: 0,
            event: progress,
        };
        let text = serde_json::to_string(&stored).expect("serialize");
        assert_eq!(
            serde_json::from_str::<StoredEvent>(&text).expect("read"),
            stored
        );
    }

    #[test]
    fn placeholder_code_is_valid() {
        assert_eq!(placeholder_code().as_str().len(), JoinCode::MIN_LEN);
        let doc = export_json(&CafeState::default(), &[], T0);
        assert_eq!(doc.cafe.title, "");
    }
}

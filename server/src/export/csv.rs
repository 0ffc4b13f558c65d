//! The CSV exports: one row per idea, and one row per action.

use super::{
    action_owner, action_source, author_name, board_label, dots_per_item, provenance_line, rfc3339,
    table_name,
};
use cafe_shared::{CafeState, ItemId, Vote, VoteTarget};
use std::collections::BTreeSet;

/// The UTF-8 byte-order mark every CSV export starts with.
pub const UTF8_BOM: char = '\u{feff}';

/// Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with `=`, `+`,
/// `-` or `@` as a formula, and tab/CR can smuggle one in. Participants write these texts,
/// so an organiser opening the export could otherwise run a participant's formula (data
/// exfiltration via HYPERLINK/WEBSERVICE, DDE). A leading apostrophe makes the cell plain
/// text in every common spreadsheet, and is harmless for other readers.
pub(super) fn safe_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

/// One row per idea, hidden ones included (flagged), in id (posting) order.
///
/// Columns: idea_id, board, table, table_kind, round, round_prompt, origin, scribed, author,
/// category, cluster, text, created_at, hidden, rejected, private, votes, harvested_from,
/// provenance, then `vote_<id>_dots` per vote. `hidden` is set on an idea no participant
/// sees: `rejected` by a facilitator, or (not rejected) still waiting for approval;
/// `private` marks one written during private writing and not revealed yet. A copy
/// harvested to the plenary names its source idea in
/// `harvested_from` and where it came from in `provenance` ("Window · round 1 · Hana Vole ·
/// in the room", recorded at harvest time); both are empty for other ideas.
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
        .map(|v| (&**v, v.items.iter().copied().collect()))
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
        "rejected",
        "private",
        "votes",
        "harvested_from",
        "provenance",
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
            table.map(|t| t.kind.as_str()).unwrap_or("").to_owned(),
            i.round.map(|r| r.to_string()).unwrap_or_default(),
            safe_cell(&prompt),
            i.origin.as_str().to_owned(),
            i.scribed.to_string(),
            safe_cell(&author_name(state, i).unwrap_or_default()),
            safe_cell(i.category.as_deref().unwrap_or("")),
            safe_cell(&cluster),
            safe_cell(&i.text),
            rfc3339(i.created_at),
            i.hidden.to_string(),
            i.rejected.to_string(),
            i.private.to_string(),
            dots.get(&i.id.0).copied().unwrap_or(0).to_string(),
            i.harvested_from.map(|h| h.to_string()).unwrap_or_default(),
            safe_cell(&provenance_line(state, i).unwrap_or_default()),
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

    write_csv(&header, &rows)
}

/// The café's actions, one row per action in the order they were made, for the follow-up
/// spreadsheet.
///
/// Columns: action_id, text, owner (the owning person's name, or the free-text owner),
/// owner_person_id (empty unless a person of the café owns it), due (`YYYY-MM-DD`), status
/// (`open`, `in_progress`, `done`, `dropped`), source_id and source (the idea or theme it
/// was made from), created_at, updated_at.
pub fn export_actions_csv(state: &CafeState) -> String {
    let header: Vec<String> = [
        "action_id",
        "text",
        "owner",
        "owner_person_id",
        "due",
        "status",
        "source_id",
        "source",
        "created_at",
        "updated_at",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = state
        .actions
        .values()
        .map(|a| {
            vec![
                a.id.to_string(),
                safe_cell(&a.text),
                safe_cell(&action_owner(state, a)),
                a.owner.map(|p| p.to_string()).unwrap_or_default(),
                a.due.clone().unwrap_or_default(),
                a.status.as_str().to_owned(),
                a.source.map(|s| s.to_string()).unwrap_or_default(),
                safe_cell(&action_source(state, a).unwrap_or_default()),
                rfc3339(a.created_at),
                a.updated_at.map(rfc3339).unwrap_or_default(),
            ]
        })
        .collect();
    write_csv(&header, &rows)
}

fn write_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail for I/O reasons and every row has the header's length,
    // so errors are impossible here; they are still handled rather than unwrapped.
    let mut ok = w.write_record(header).is_ok();
    for row in rows {
        ok &= w.write_record(row).is_ok();
    }
    let bytes = match w.into_inner() {
        Ok(b) if ok => b,
        _ => Vec::new(),
    };
    // Every cell is a Rust `String`, so the output is UTF-8; the lossy path never changes it.
    let body = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    // Excel reads a CSV without a byte-order mark in the machine's legacy code page, which
    // turns "é" into "Ã©" and Arabic into noise; the BOM tells it the file is UTF-8. Other
    // spreadsheets and CSV readers skip it.
    format!("{UTF8_BOM}{body}")
}

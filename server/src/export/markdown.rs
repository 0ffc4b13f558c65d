//! The Markdown export: a readable report.

use super::{
    action_owner, action_source, author_name, count_people, human_date, item_label,
    provenance_line, Index,
};
use cafe_shared::{BoardId, CafeState, ClusterId, Idea, Location, TableKind, VoteTarget};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Escapes people's text for inline Markdown: a title, an idea or a cluster title must not
/// break a table (`|`), start a heading or list, format text, make links, or inject HTML
/// (`<script>` would run in renderers that allow raw HTML). Line breaks become spaces so a
/// text stays within its bullet or table cell.
pub(super) fn md(s: &str) -> String {
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
/// cluster, then the plenary board, then every vote's ranked results, then the actions.
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
        // The wire word read aloud: "in_person" becomes "in person".
        let _ = writeln!(out, "- **Mode:** {}", i.mode.as_str().replace('_', " "));
    }
    let _ = writeln!(out, "- **Phase:** {}", state.phase.as_str());
    let _ = writeln!(
        out,
        "- **People:** {} in the room, {} remote",
        count_people(state, Location::Room),
        count_people(state, Location::Remote)
    );
    let _ = writeln!(out, "- **Ideas:** {}", state.ideas.len() - hidden);
    // Moderated-out ideas are left out of the report but counted, by verdict: "rejected"
    // and "still waiting for approval" ask different things of the organiser.
    let rejected = state.ideas.values().filter(|i| i.rejected).count();
    let waiting = hidden - rejected;
    if rejected > 0 {
        let _ = writeln!(
            out,
            "- **Not approved by a facilitator:** {rejected} (not shown in this report)"
        );
    }
    if waiting > 0 {
        let _ = writeln!(
            out,
            "- **Waiting for approval:** {waiting} (not shown in this report)"
        );
    }
    let private = state
        .ideas
        .values()
        .filter(|i| i.private && !i.hidden)
        .count();
    if private > 0 {
        let _ = writeln!(
            out,
            "- **Written privately, not revealed yet:** {private} (shown below)"
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
        let what = v.target.as_str();
        let _ = writeln!(out, "### {} ({what})\n", md(&state.vote_title(v)));
        let status = v.status.as_str();
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

    if !state.actions.is_empty() {
        let _ = writeln!(out, "## Actions\n");
        let _ = writeln!(out, "| Action | Owner | Due | Status | From |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for a in state.actions.values() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&a.text),
                md(&action_owner(state, a)),
                a.due.as_deref().unwrap_or(""),
                // The wire word read aloud: "in_progress" becomes "in progress".
                a.status.as_str().replace('_', " "),
                md(&action_source(state, a).unwrap_or_default())
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
        // The report's own wording for readers, not the wire word (`in_room`).
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
        if let Some(from) = provenance_line(state, i) {
            let _ = write!(line, " — from {}", md(&from));
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

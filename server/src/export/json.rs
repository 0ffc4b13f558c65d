//! The JSON export: the café's event log plus a summary of its current state.

use super::{
    action_owner, action_source, author_name, board_label, boards_label, count_people,
    dots_per_item, item_label, provenance, ExportDoc, Index, StoredEvent, Summary, SummaryAction,
    SummaryBoard, SummaryCluster, SummaryIdea, SummaryResult, SummaryRound, SummaryTable,
    SummaryVote, EXPORT_FORMAT, EXPORT_VERSION,
};
use cafe_shared::{BoardId, CafeId, CafeInfo, CafeState, Event, JoinCode, Location, Mode};

/// The complete export: the event log plus a summary of the current state. In an anonymous
/// café the log is [`anonymised`].
pub fn export_json(state: &CafeState, events: &[StoredEvent], now: i64) -> ExportDoc {
    let from_log = info_from_log(events);
    let summary = summary_with_log(state, events);
    // Access links open only this café, and their hashes stay on its server.
    let events: Vec<StoredEvent> = events
        .iter()
        .filter(|s| !s.event.is_access_link())
        .cloned()
        .collect();
    let events = if state.settings().anonymous {
        anonymised(&events)
    } else {
        events
    };
    ExportDoc {
        format: EXPORT_FORMAT.to_owned(),
        version: EXPORT_VERSION,
        exported_at: now,
        cafe: cafe_info(state, from_log),
        events,
        summary,
    }
}

/// [`summary`] with what only the log tells: who was online when.
pub(super) fn summary_with_log(state: &CafeState, events: &[StoredEvent]) -> Summary {
    let online = super::presence_over_time(events);
    Summary {
        peak_online: online.iter().map(|p| p.room + p.remote).max().unwrap_or(0),
        online,
        ..summary(state)
    }
}

/// The display name every person gets in an anonymous café's export, by order of joining.
pub fn anonymous_name(nth: usize) -> String {
    format!("Participant {nth}")
}

/// The log of an anonymous café without a link from ideas to names. The promise is that
/// not even the organiser learns who wrote what, yet an author keeps the right to edit and
/// delete their ideas in an imported copy. So authors stay (as person ids: the rules need
/// them) and names go: each `person_joined` carries [`anonymous_name`] instead, and
/// `person_renamed` events (nothing but a name) are left out; the seqs of the others stay
/// as they were, an import only needs them to increase.
fn anonymised(events: &[StoredEvent]) -> Vec<StoredEvent> {
    let mut joined = 0;
    events
        .iter()
        .filter(|s| !matches!(s.event, Event::PersonRenamed { .. }))
        .map(|stored| {
            let mut stored = stored.clone();
            if let Event::PersonJoined { person } = &mut stored.event {
                joined += 1;
                person.name = anonymous_name(joined);
            }
            stored
        })
        .collect()
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
pub(super) fn placeholder_code() -> JoinCode {
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
            .map(Box::as_ref)
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
                        rejected: i.rejected,
                        private: i.private,
                        cluster: i.cluster,
                        created_at: i.created_at,
                        harvested_from: i.harvested_from,
                        provenance: provenance(state, i),
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
                board: v.boards.first().copied().unwrap_or(BoardId(0)),
                boards: v.boards.clone(),
                board_label: boards_label(state, &v.boards),
                title: state.vote_title(v),
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
        actions: state
            .actions
            .values()
            .map(|a| SummaryAction {
                id: a.id,
                text: a.text.clone(),
                owner: a.owner,
                owner_name: action_owner(state, a),
                due: a.due.clone(),
                status: a.status,
                source: a.source,
                source_label: action_source(state, a),
                created_at: a.created_at,
                updated_at: a.updated_at,
            })
            .collect(),
        // Only the log knows these (`summary_with_log`).
        peak_online: 0,
        online: Vec::new(),
    }
}

//! Ranked vote results as horizontal bars (plain CSS, no chart library: it must be light on
//! a phone and crisp on a projector).

use crate::i18n::T;
use cafe_shared::{BoardId, CafeState, ItemId, RankedItem, Vote, VoteId, VoteTarget};
use yew::prelude::*;

/// What an item on a ballot is called: the idea's text or the cluster's title.
pub fn item_label(state: &CafeState, target: VoteTarget, item: ItemId) -> String {
    match target {
        VoteTarget::Ideas => state
            .ideas
            .get(&cafe_shared::IdeaId(item))
            .map(|i| i.text.clone()),
        VoteTarget::Clusters => state
            .clusters
            .get(&cafe_shared::ClusterId(item))
            .map(|c| c.title.clone()),
    }
    .unwrap_or_else(|| format!("#{item}"))
}

/// What a vote is called: its title, else "Vote on" its boards in the reader's language
/// (the exports say the same in English, `CafeState::vote_title`).
pub fn vote_name(t: T, state: &CafeState, vote: &Vote) -> String {
    vote_name_of(t, state, vote.title.as_deref(), &vote.boards)
}

/// [`vote_name`] of a vote not opened yet (the console's draft).
pub fn vote_name_of(t: T, state: &CafeState, title: Option<&str>, boards: &[BoardId]) -> String {
    if let Some(title) = title.filter(|s| !s.trim().is_empty()) {
        return title.to_string();
    }
    let boards = boards
        .iter()
        .map(|b| match state.board_table(*b) {
            Some(tb) if Some(*b) != state.plenary => tb.name.clone(),
            _ => t.t("board.plenary").to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    t.f("vote.default_title", &[("boards", &boards)])
}

/// Ranked bars for a vote; `limit` keeps the console's card to the top ones (the projector
/// pages through every row instead).
pub fn results_chart(t: T, state: &CafeState, vote: VoteId, big: bool, limit: usize) -> Html {
    let Some(v) = state.votes.get(&vote) else {
        return html! {};
    };
    let ranking = state.ranking(vote);
    let max = ranking.iter().map(|r| r.dots).max().unwrap_or(0).max(1);
    html! {
        <ol class={classes!("results", big.then_some("results-big"))} aria-label={t.t("results.title")}>
            { for ranking.iter().take(limit).map(|r| result_row(t, state, v, r, max)) }
        </ol>
    }
}

/// One ranked row: rank, label, a bar as long as its share of the top item's dots, the dots.
/// Keyed by item, so a row that changes place moves rather than being redrawn.
pub fn result_row(t: T, state: &CafeState, v: &Vote, r: &RankedItem, max: u32) -> Html {
    // Whole percents: float formatting would pull ~10 KB of code into the bundle.
    let pct = u64::from(r.dots) * 100 / u64::from(max.max(1));
    html! {
        <li key={r.item} class="result-row">
            <span class="result-rank">{ r.rank }</span>
            <div class="result-body">
                <span class="result-label" dir="auto">{ item_label(state, v.target, r.item) }</span>
                <div class="result-bar-track" aria-hidden="true">
                    <div class="result-bar" style={format!("width:{pct}%")}></div>
                </div>
            </div>
            <span class="result-dots">{ t.p("results.dots", u64::from(r.dots), &[]) }</span>
        </li>
    }
}

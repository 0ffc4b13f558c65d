//! Sticky notes.

use crate::i18n::{use_t, T};
use cafe_shared::Provenance;
use yew::prelude::*;

/// A harvested note's origin in one short line: "Table 3 · round 2 · Aisha · Remote · 4
/// dots". Built from what the harvest recorded, so it stays true after renames.
pub fn provenance_text(t: T, p: &Provenance) -> String {
    let mut parts = vec![p.table_name.clone()];
    if let Some(r) = p.round {
        parts.push(t.f("harvest.round", &[("n", &r)]));
    }
    if let Some(a) = &p.author_name {
        parts.push(a.clone());
    }
    parts.push(t.location(p.origin).to_string());
    if p.scribed {
        parts.push(t.t("harvest.paper").to_string());
    }
    if let Some(n) = p.dots {
        parts.push(t.p("harvest.dots", u64::from(n), &[]));
    }
    parts.join(" · ")
}

#[derive(Properties, PartialEq)]
pub struct IdeaCardProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub author: Option<AttrValue>,
    #[prop_or_default]
    pub pending: bool,
    /// Pending while the connection is down: it waits for the link, it is not being sent.
    #[prop_or_default]
    pub offline: bool,
    /// Hidden from participants: waiting for approval, or (with `rejected`) not approved.
    #[prop_or_default]
    pub hidden: bool,
    #[prop_or_default]
    pub rejected: bool,
    /// Written during private writing and not revealed yet.
    #[prop_or_default]
    pub private: bool,
    #[prop_or_default]
    pub mine: bool,
    /// Where a note harvested to the plenary came from (see [`provenance_text`]).
    #[prop_or_default]
    pub from: Option<AttrValue>,
    /// Colour variant 0..4, so neighbouring notes are easy to tell apart.
    #[prop_or_default]
    pub tint: u8,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(IdeaCard)]
pub fn idea_card(p: &IdeaCardProps) -> Html {
    let t = use_t();
    let class = classes!(
        "note",
        format!("tint-{}", p.tint % 5),
        p.pending.then_some("note-pending"),
        p.hidden.then_some("note-hidden"),
        p.rejected.then_some("note-rejected"),
        p.mine.then_some("note-mine"),
    );
    html! {
        <li {class} data-pending={p.pending.to_string()}>
            // The note's own direction, whatever the page's: an English note reads left to
            // right in the Arabic UI (its "?" stays at its end), an Arabic one right to left
            // and right-aligned in the English UI.
            <p class="note-text" dir="auto">{ p.text.clone() }</p>
            if let Some(from) = &p.from {
                <p class="note-from">{ t.h("harvest.from", &[("where", from)]) }</p>
            }
            <div class="note-meta">
                // A harvested note names its author in its provenance already.
                if let (Some(a), None) = (&p.author, &p.from) { <bdi class="note-author">{ a.clone() }</bdi> }
                if p.pending {
                    <span class="badge badge-pending">{ if p.offline { t.t("idea.offline") } else { t.t("idea.pending") } }</span>
                }
                // Waiting is not a verdict: an author must not read it as a rejection.
                if p.rejected {
                    <span class="badge badge-rejected">{ t.t("idea.rejected") }</span>
                } else if p.hidden {
                    <span class="badge badge-waiting">{ t.t("idea.waiting") }</span>
                }
                if p.private {
                    <span class="badge badge-private">{ if p.mine { t.t("idea.private") } else { t.t("console.private_start") } }</span>
                }
            </div>
            if p.children != Html::default() {
                <div class="note-actions">{ p.children.clone() }</div>
            }
        </li>
    }
}

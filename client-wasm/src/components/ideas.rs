//! Sticky notes.

use crate::i18n::use_t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IdeaCardProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub author: Option<AttrValue>,
    #[prop_or_default]
    pub pending: bool,
    #[prop_or_default]
    pub hidden: bool,
    #[prop_or_default]
    pub mine: bool,
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
        p.mine.then_some("note-mine"),
    );
    html! {
        <li {class} data-pending={p.pending.to_string()}>
            <p class="note-text">{ p.text.clone() }</p>
            <div class="note-meta">
                if let Some(a) = &p.author { <span class="note-author">{ a.clone() }</span> }
                if p.pending { <span class="badge badge-pending">{ t.t("idea.pending") }</span> }
                if p.hidden { <span class="badge badge-hidden">{ t.t("idea.hidden") }</span> }
            </div>
            if p.children != Html::default() {
                <div class="note-actions">{ p.children.clone() }</div>
            }
        </li>
    }
}

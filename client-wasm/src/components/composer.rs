//! The one box where an idea is typed: posting on the participant board, in the console and
//! in the scribe view, and editing one's own note. The text is trimmed and counted against
//! `IDEA_TEXT_MAX` here, once, so no screen sends what the server must refuse for its length.

use crate::components::form::{counter, input_value};
use crate::hooks::use_send;
use crate::i18n::use_t;
use cafe_shared::limits::IDEA_TEXT_MAX;
use cafe_shared::{BoardId, Command, ErrorCode, IdeaId};
use yew::prelude::*;

/// What the typed text becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compose {
    /// A new idea on this board.
    Post { board: BoardId },
    /// New words for an existing idea; its category is kept.
    Edit {
        idea: IdeaId,
        category: Option<String>,
    },
}

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    pub target: Compose,
    pub input_id: AttrValue,
    pub label: AttrValue,
    /// The label is read out by screen readers but not shown (the box explains itself).
    #[prop_or_default]
    pub label_hidden: bool,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub initial: AttrValue,
    /// Lines of the text area; 0 gives a one-line input with its button beside it.
    #[prop_or(3)]
    pub rows: u32,
    /// Enter sends and Shift+Enter breaks the line, so a scribe can type a stack of paper
    /// notes without touching the mouse (the box keeps focus).
    #[prop_or_default]
    pub enter_sends: bool,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub submit_id: Option<AttrValue>,
    /// Why the server would refuse a post here right now: shown instead of the box.
    #[prop_or_default]
    pub closed: Option<ErrorCode>,
    /// Offers Cancel; called with it, and after sending an edit.
    #[prop_or_default]
    pub on_done: Option<Callback<()>>,
}

#[function_component(IdeaComposer)]
pub fn idea_composer(p: &ComposerProps) -> Html {
    let t = use_t();
    let send = use_send();
    let draft = use_state(|| p.initial.to_string());
    if let Some(code) = p.closed {
        let reason = if code == ErrorCode::NotAllowedInPhase {
            t.t("board.post_closed")
        } else {
            t.error(code)
        };
        return html! { <p class="muted composer-closed">{ reason }</p> };
    }
    let len = draft.trim().chars().count();
    let valid = len > 0 && len <= IDEA_TEXT_MAX;
    let submit = {
        let (draft, target, on_done) = (draft.clone(), p.target.clone(), p.on_done.clone());
        move || {
            let text = draft.trim().to_string();
            let len = text.chars().count();
            if len == 0 || len > IDEA_TEXT_MAX {
                return;
            }
            send.emit(match target.clone() {
                Compose::Post { board } => Command::PostIdea {
                    board,
                    text,
                    category: None,
                },
                Compose::Edit { idea, category } => Command::EditIdea {
                    idea,
                    text,
                    category,
                },
            });
            draft.set(String::new());
            if matches!(target, Compose::Edit { .. }) {
                if let Some(done) = &on_done {
                    done.emit(());
                }
            }
        }
    };
    let onkeydown = p.enter_sends.then(|| {
        let submit = submit.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() {
                e.prevent_default();
                submit();
            }
        })
    });
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        submit();
    });
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(input_value(&e)))
    };
    let label_class = if p.label_hidden {
        "sr-only"
    } else {
        "composer-label"
    };
    let submit_label = match p.target {
        Compose::Post { .. } => t.t("board.post"),
        Compose::Edit { .. } => t.t("action.save"),
    };
    let cancel = p.on_done.clone().map(|done| {
        let onclick = done.reform(|_: MouseEvent| ());
        html! { <button type="button" class="btn btn-ghost" {onclick}>{ t.t("action.cancel") }</button> }
    });
    let value = (*draft).clone();
    let placeholder = p.placeholder.clone();
    html! {
        <form class={p.class.clone()} {onsubmit}>
            <label for={&p.input_id} class={label_class}>{ &p.label }</label>
            if p.rows == 0 {
                <input id={&p.input_id} class="input" dir="auto" {value} {oninput} {placeholder} />
                <button id={p.submit_id.clone()} class="btn" type="submit" disabled={!valid}>{ submit_label }</button>
            } else {
                <textarea id={&p.input_id} class="input" dir="auto" rows={p.rows.to_string()} {value} {oninput} {onkeydown} {placeholder} />
                <div class="composer-foot">
                    { counter(len, IDEA_TEXT_MAX) }
                    { for cancel }
                    <button id={p.submit_id.clone()} class="btn btn-primary" type="submit" disabled={!valid}>{ submit_label }</button>
                </div>
            }
        </form>
    }
}

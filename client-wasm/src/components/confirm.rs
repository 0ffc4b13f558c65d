//! A button for an action that cannot be taken back (remove a person, close the café): the
//! first press asks in place, with the consequence spelled out, and only "Yes" acts. Inline
//! rather than `window.confirm`, which blocks the page, cannot be styled or translated by
//! us, and reads badly on phones and to screen readers.

use crate::i18n::use_t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    /// The first button's id; the confirm button is `{id}-yes`, the cancel `{id}-no`.
    pub id: AttrValue,
    pub label: AttrValue,
    /// Optional accessible name for the first button (e.g. "Remove Aisha").
    #[prop_or_default]
    pub aria_label: Option<AttrValue>,
    /// What will happen, asked as a question. Markup, so that a name in it is isolated in
    /// `<bdi>` ([`crate::i18n::T::h`]) and keeps its own direction.
    pub question: Html,
    pub yes: Html,
    pub on_confirm: Callback<()>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub aria_pressed: Option<AttrValue>,
}

#[function_component(ConfirmButton)]
pub fn confirm_button(p: &ConfirmProps) -> Html {
    let t = use_t();
    let asking = use_state(|| false);
    let yes_ref = use_node_ref();
    {
        // Focus goes to the question's answer, so a keyboard user answers it next.
        let yes_ref = yes_ref.clone();
        use_effect_with(*asking, move |on| {
            if *on {
                if let Some(el) = yes_ref.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }
    if *asking {
        let text_id = format!("{}-question", p.id);
        let yes = {
            let (asking, cb) = (asking.clone(), p.on_confirm.clone());
            Callback::from(move |_| {
                asking.set(false);
                cb.emit(());
            })
        };
        let no = {
            let asking = asking.clone();
            Callback::from(move |_| asking.set(false))
        };
        let onkeydown = {
            let asking = asking.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Escape" {
                    asking.set(false);
                }
            })
        };
        return html! {
            <div class="confirm" role="alertdialog" aria-labelledby={text_id.clone()} {onkeydown}>
                <p id={text_id}>{ p.question.clone() }</p>
                <div class="button-row">
                    <button id={format!("{}-yes", p.id)} ref={yes_ref} class="btn btn-danger" onclick={yes}>{ p.yes.clone() }</button>
                    <button id={format!("{}-no", p.id)} class="btn btn-ghost" onclick={no}>{ t.t("action.cancel") }</button>
                </div>
            </div>
        };
    }
    let ask = {
        let asking = asking.clone();
        Callback::from(move |_| asking.set(true))
    };
    html! {
        <button id={p.id.clone()} class={p.class.clone()} aria-label={p.aria_label.clone()}
            aria-pressed={p.aria_pressed.clone()} onclick={ask}>{ p.label.clone() }</button>
    }
}

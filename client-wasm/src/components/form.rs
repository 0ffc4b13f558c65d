//! Reading form controls and counting what is typed: shared by the pages and the composer,
//! so components need nothing from `pages`.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The current value of the input, textarea or select that fired the event.
pub fn event_value(e: &Event) -> String {
    let Some(target) = e.target() else {
        return String::new();
    };
    if let Some(i) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return i.value();
    }
    if let Some(t) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return t.value();
    }
    if let Some(s) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
        return s.value();
    }
    String::new()
}

pub fn input_value(e: &InputEvent) -> String {
    event_value(e)
}

/// Character count shown under text boxes, e.g. "12 / 500".
pub fn counter(len: usize, max: usize) -> Html {
    let over = len > max;
    html! {
        // Not a live region: read out on every keystroke it would drown what the person
        // types; going over the limit shows as the greyed-out submit button.
        <span class={classes!("counter", over.then_some("counter-over"))}>
            { format!("{len} / {max}") }
        </span>
    }
}

/// A "Copy" button's click: puts `text` on the clipboard and sets `copied` for the label.
/// The clipboard answers with a promise; where it is refused, the text stays selectable in
/// its read-only box.
pub fn copy_on_click(text: String, copied: UseStateHandle<bool>) -> Callback<MouseEvent> {
    Callback::from(move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    })
}

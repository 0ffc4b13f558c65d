//! The "new theme" form: one box and a button that send `create_cluster` for a board. Used on
//! the participant's board and in the console's Themes card (each with its own element ids).

use crate::components::form::input_value;
use crate::hooks::use_send;
use crate::i18n::use_t;
use cafe_shared::limits::CLUSTER_TITLE_MAX;
use cafe_shared::{BoardId, Command};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NewClusterProps {
    pub board: BoardId,
    pub input_id: AttrValue,
    #[prop_or_default]
    pub button_id: Option<AttrValue>,
}

#[function_component(NewCluster)]
pub fn new_cluster(p: &NewClusterProps) -> Html {
    let t = use_t();
    let send = use_send();
    let title = use_state(String::new);
    let onsubmit = {
        let (title, board) = (title.clone(), p.board);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = title.trim().to_string();
            if !text.is_empty() {
                send.emit(Command::CreateCluster {
                    board,
                    title: text,
                    ideas: vec![],
                });
                title.set(String::new());
            }
        })
    };
    let oninput = {
        let title = title.clone();
        Callback::from(move |e: InputEvent| title.set(input_value(&e)))
    };
    html! {
        <form class="inline-form" {onsubmit}>
            <label class="sr-only" for={p.input_id.clone()}>{ t.t("cluster.new") }</label>
            <input id={p.input_id.clone()} class="input" dir="auto" value={(*title).clone()} {oninput}
                placeholder={t.t("cluster.new")} maxlength={CLUSTER_TITLE_MAX.to_string()} />
            <button class="btn" type="submit" id={p.button_id.clone()}>{ t.t("cluster.create") }</button>
        </form>
    }
}

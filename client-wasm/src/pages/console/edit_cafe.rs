//! The console's first card: the café's question as everyone sees it, and the form to change
//! title, question and the settings worth changing while the café runs.

use crate::client_state::Notice;
use crate::components::form::{counter, input_value};
use crate::components::question::Question;
use crate::i18n::use_t;
use crate::session::Session;
use cafe_shared::limits::{CAFE_DESCRIPTION_MAX, CAFE_TITLE_MAX};
use cafe_shared::{CafeInfo, ClusterCreators, Command, Settings};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct QuestionCardProps {
    pub info: Option<CafeInfo>,
    pub question: Question,
    /// `may_update_cafe`: whether to offer the form at all.
    pub can_edit: bool,
    /// `may_change_anonymity`: anonymity is fixed once ideas exist.
    pub can_change_anonymity: bool,
    /// Ids of commands the server has not answered yet.
    pub unanswered: Vec<String>,
    /// The last refused command's id and the server's reason.
    pub rejected: Option<(String, Notice)>,
}

/// Where the last Save stands, read from the outbox rather than guessed from the state, so
/// a refusal shows inside the form and only the server's acceptance closes it.
#[derive(Debug, Clone, PartialEq)]
enum Saved {
    Waiting,
    Refused(Notice),
    Done,
}

#[function_component(QuestionCard)]
pub fn question_card(p: &QuestionCardProps) -> Html {
    let t = use_t();
    let session = use_context::<Rc<Session>>();
    let open = use_state(|| false);
    let sent = use_state(|| None::<String>);
    let status = (*sent).as_ref().map(|id| match &p.rejected {
        Some((rid, n)) if rid == id => Saved::Refused(n.clone()),
        _ if p.unanswered.contains(id) => Saved::Waiting,
        _ => Saved::Done,
    });
    {
        let (open, sent) = (open.clone(), sent.clone());
        use_effect_with(status.clone(), move |s| {
            if *s == Some(Saved::Done) {
                open.set(false);
                sent.set(None);
            }
        });
    }
    let Some(info) = p.info.clone() else {
        return html! {};
    };
    let toggle = {
        let (open, sent) = (open.clone(), sent.clone());
        Callback::from(move |_| {
            sent.set(None);
            open.set(!*open);
        })
    };
    html! {
        <section class="card card-wide question-card" aria-labelledby="question-title">
            <div class="section-head">
                <h2 id="question-title" dir="auto">{ if *open { t.t("edit.open").to_string() } else { info.title.clone() } }</h2>
                if p.can_edit && !*open {
                    <button id="edit-cafe" class="btn" onclick={toggle.clone()}>{ t.t("edit.open") }</button>
                }
            </div>
            if *open {
                <EditForm info={info} can_change_anonymity={p.can_change_anonymity}
                    saving={status == Some(Saved::Waiting)}
                    refused={match &status { Some(Saved::Refused(n)) => Some(n.clone()), _ => None }}
                    on_cancel={toggle}
                    on_save={Callback::from(move |cmd: Command| {
                        if let Some(s) = &session { sent.set(Some(s.send(cmd))); }
                    })} />
            } else if !p.question.is_empty() {
                <div class="question-show">{ p.question.lines(t) }</div>
            } else {
                <p class="muted" id="no-question">{ t.t("question.none") }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct EditProps {
    info: CafeInfo,
    can_change_anonymity: bool,
    saving: bool,
    refused: Option<Notice>,
    on_cancel: Callback<MouseEvent>,
    on_save: Callback<Command>,
}

#[function_component(EditForm)]
fn edit_form(p: &EditProps) -> Html {
    let t = use_t();
    let title = use_state(|| p.info.title.clone());
    let question = use_state(|| p.info.description.clone());
    let moderation = use_state(|| p.info.settings.moderation);
    let anonymous = use_state(|| p.info.settings.anonymous);
    let budget = use_state(|| p.info.settings.default_budget.to_string());
    let cap = use_state(|| p.info.settings.default_per_item_cap.to_string());
    let auto = use_state(|| p.info.settings.auto_advance);
    let rounds = use_state(|| p.info.settings.planned_rounds.to_string());
    let creators = use_state(|| p.info.settings.cluster_creators);
    let text = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(input_value(&e)))
    };
    let toggle = |s: &UseStateHandle<bool>| {
        let s = s.clone();
        Callback::from(move |_: Event| s.set(!*s))
    };
    let onsubmit = {
        let info = p.info.clone();
        let on_save = p.on_save.clone();
        let (title, question, moderation, anonymous, budget, cap, auto, rounds, creators) = (
            title.clone(),
            question.clone(),
            moderation.clone(),
            anonymous.clone(),
            budget.clone(),
            cap.clone(),
            auto.clone(),
            rounds.clone(),
            creators.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Unparsable numbers go to the server as they stood, so a typo never resets
            // the defaults; the server checks the ranges and says what is wrong.
            let settings = Settings {
                anonymous: *anonymous,
                moderation: *moderation,
                default_budget: budget
                    .trim()
                    .parse()
                    .unwrap_or(info.settings.default_budget),
                default_per_item_cap: cap
                    .trim()
                    .parse()
                    .unwrap_or(info.settings.default_per_item_cap),
                auto_advance: *auto,
                planned_rounds: rounds
                    .trim()
                    .parse()
                    .unwrap_or(info.settings.planned_rounds),
                cluster_creators: *creators,
                ..info.settings.clone()
            };
            on_save.emit(Command::UpdateCafe {
                title: Some(title.trim().to_string()),
                description: Some(question.trim().to_string()),
                mode: None,
                language: None,
                settings: Some(settings),
            });
        })
    };
    html! {
        <form class="edit-cafe" id="edit-cafe-form" {onsubmit} aria-label={t.t("edit.open")}>
            if let Some(n) = &p.refused {
                <p class="form-error" role="alert" id="edit-error">
                    <strong>{ t.error(n.code) }</strong>{ " " }<span class="notice-detail">{ n.message.clone() }</span>
                </p>
            }
            <label class="field">
                <span>{ t.t("new.cafe_title") }</span>
                <input id="edit-title" class="input" dir="auto" value={(*title).clone()} oninput={text(&title)}
                    maxlength={CAFE_TITLE_MAX.to_string()} required=true />
            </label>
            <label class="field">
                <span>{ t.t("question.cafe") }</span>
                <textarea id="edit-question" class="input" dir="auto" rows="3" value={(*question).clone()}
                    oninput={text(&question)} aria-describedby="edit-question-help" />
                <small id="edit-question-help" class="muted">{ t.t("edit.question_help") }</small>
                { counter(question.chars().count(), CAFE_DESCRIPTION_MAX) }
            </label>
            <div class="field-row">
                <label class="field">
                    <span>{ t.t("edit.budget") }</span>
                    <input id="edit-budget" class="input input-num" type="number" min="1" max="20"
                        value={(*budget).clone()} oninput={text(&budget)} />
                </label>
                <label class="field">
                    <span>{ t.t("edit.cap") }</span>
                    <input id="edit-cap" class="input input-num" type="number" min="1" max="20"
                        value={(*cap).clone()} oninput={text(&cap)} />
                </label>
            </div>
            <label class="check">
                <input id="edit-auto-advance" type="checkbox" checked={*auto} onchange={toggle(&auto)}
                    aria-describedby="edit-auto-help" />
                <span>{ t.t("edit.auto_advance") }</span>
            </label>
            <p class="muted small" id="edit-auto-help">{ t.t("edit.auto_advance_help") }</p>
            <label class="field">
                <span>{ t.t("edit.planned_rounds") }</span>
                <input id="edit-planned-rounds" class="input input-num" type="number" min="0"
                    max={cafe_shared::limits::ROUNDS_PER_CAFE_MAX.to_string()}
                    value={(*rounds).clone()} oninput={text(&rounds)} />
            </label>
            <label class="check">
                <input id="edit-moderation" type="checkbox" checked={*moderation} onchange={toggle(&moderation)} />
                <span>{ t.t("new.moderation") }</span>
            </label>
            <label class="check">
                <input id="edit-anonymous" type="checkbox" checked={*anonymous} onchange={toggle(&anonymous)}
                    disabled={!p.can_change_anonymity} aria-describedby="edit-anon-help" />
                <span>{ t.t("new.anonymous") }</span>
            </label>
            if !p.can_change_anonymity {
                <p class="muted small" id="edit-anon-help">{ t.t("edit.anonymous_locked") }</p>
            }
            <fieldset class="field radio-group">
                <legend>{ t.t("edit.cluster_creators") }</legend>
                { for ClusterCreators::ALL.iter().map(|c| {
                    let (creators, c) = (creators.clone(), *c);
                    html! {
                        <label class="check">
                            <input type="radio" name="edit-cluster-creators" id={format!("edit-creators-{c}")}
                                checked={*creators == c} onchange={Callback::from(move |_: Event| creators.set(c))} />
                            <span>{ t.cluster_creators(c) }</span>
                        </label>
                    }
                }) }
            </fieldset>
            <div class="button-row">
                <button id="edit-save" class="btn btn-primary" type="submit" disabled={p.saving}>
                    { if p.saving { t.t("edit.saving") } else { t.t("action.save") } }
                </button>
                <button type="button" class="btn btn-ghost" onclick={p.on_cancel.clone()}>{ t.t("action.cancel") }</button>
            </div>
        </form>
    }
}

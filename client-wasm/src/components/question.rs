//! What the café is about, leading every screen: the current round's question while ideating
//! (or about to, in the lobby: it belongs to its round, and grouping, voting and the results
//! are about the café's own question), with the café's own question kept visible beneath it.

use crate::i18n::T;
use cafe_shared::{CafeState, Phase};
use yew::prelude::*;

/// The café's question and the current round's (number and question), as shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Question {
    pub cafe: String,
    pub round: Option<(u32, String)>,
}

impl Question {
    pub fn of(state: &CafeState) -> Self {
        Self {
            cafe: state
                .info
                .as_ref()
                .map(|i| i.description.trim().to_string())
                .unwrap_or_default(),
            round: state
                .current_round()
                .filter(|r| {
                    !r.prompt.is_empty() && matches!(state.phase, Phase::Lobby | Phase::Ideate)
                })
                .map(|r| (r.number, r.prompt.clone())),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cafe.is_empty() && self.round.is_none()
    }

    /// The block's lines, or nothing. `dir="auto"` lets a question typed in Arabic lay out
    /// right-to-left inside a left-to-right page and the other way round.
    pub fn lines(&self, t: T) -> Html {
        let cafe = self.cafe.clone();
        match &self.round {
            Some((n, prompt)) => html! {
                <>
                <p class="q-label">{ t.f("board.round", &[("n", n)]) }{ " · " }{ t.t("board.prompt") }</p>
                <p id="prompt" class="q-text" dir="auto">{ prompt.clone() }</p>
                if !cafe.is_empty() {
                    <p class="q-cafe">
                        <span class="q-cafe-label">{ t.t("question.cafe") }</span>{ " " }
                        <span id="cafe-question" dir="auto">{ cafe }</span>
                    </p>
                }
                </>
            },
            None if !cafe.is_empty() => html! {
                <>
                <p class="q-label">{ t.t("question.cafe") }</p>
                <p id="cafe-question" class="q-text" dir="auto">{ cafe }</p>
                </>
            },
            None => html! {},
        }
    }
}

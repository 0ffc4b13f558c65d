//! "N of M have voted": one line every screen can mount next to a ballot (console, phone,
//! projector). A count only: the view never says who voted (see `CafeState::turnout`).

use crate::i18n::T;
use cafe_shared::{CafeState, Vote};
use yew::prelude::*;

/// The live count for `vote`, announced politely as it changes.
pub fn turnout_line(t: T, state: &CafeState, vote: &Vote) -> Html {
    let n = state.turnout(vote);
    html! {
        <p class="turnout" data-vote={vote.id.0.to_string()} role="status" aria-live="polite">
            { t.p("vote.turnout", n.voted.into(), &[("m", &n.expected)]) }
        </p>
    }
}

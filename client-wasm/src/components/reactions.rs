//! The phone's reaction bar: six emoji buttons whose reactions float up the projector.
//!
//! A plain function (no hooks of its own): it is in the participant build, whose first load
//! has a byte budget. The buttons grey out while the café's rule
//! ([`cafe_shared::ReactionLimiter`], which the server applies too) says wait; the session
//! re-renders when it allows again.

use crate::i18n::T;
use crate::session::Session;
use cafe_shared::Reaction;
use std::rc::Rc;
use yew::prelude::*;

/// `wait`: the rule says no reaction now; `refused`: the server said too many anyway.
pub fn reaction_bar(t: T, session: &Rc<Session>, wait: bool, refused: bool) -> Html {
    html! {
        <div class="reactions" id="reactions" role="group" aria-label={t.t("reaction.bar")}>
            { for Reaction::ALL.into_iter().map(|r| {
                let s = session.clone();
                html! {
                    <button class="reaction" data-reaction={r.as_str()} disabled={wait}
                        aria-label={t.t(&format!("reaction.{}", r.as_str()))}
                        onclick={Callback::from(move |_| s.react(r))}>{ r.emoji() }</button>
                }
            }) }
            <p class="reaction-wait" role="status">
                if wait || refused { { t.t("reaction.wait") } }
            </p>
        </div>
    }
}

//! # cafe-shared: one definition of an Innovation Café
//!
//! Pure code, no I/O, compiled into the server and into the browser (wasm32).
//!
//! - [`ids`], [`model`]: what a café is: people, phases, tables, rounds, boards, ideas,
//!   clusters, votes.
//! - [`command`]: what people ask for; [`event`]: what happened.
//! - [`CafeState::decide`] (in `decide.rs`): the rules. Command in, events or a typed
//!   [`Rejection`] out. Deterministic given the state, the actor, the time and a seed.
//! - [`CafeState::apply`] (in `apply.rs`): events change state. The server applies them to
//!   the full state, every browser to its view, with this same function.
//! - `permits.rs`: [`CafeState::may_post`] and the other `may_…` predicates: who may do what
//!   now. `decide` calls them; pages call them to offer only what will be accepted.
//! - [`CafeState::check_replayed`], [`CafeState::check_invariants`] and [`Renumber`] (in
//!   `replay.rs`): checking and renumbering a log from elsewhere (an imported export).
//! - [`view`]: privacy. Per-audience snapshots and event projections.
//! - [`wire`]: the frames on the WebSocket and [`wire::PROTOCOL_VERSION`].
//! - [`limits`]: every bound in one place.
//! - [`close`]: the WebSocket close codes and what a client does after each.
//! - [`api`]: the HTTP API's request and response bodies.
//! - [`screens`]: which build of the browser app each page address gets.
//! - [`reactions`]: the phone's reactions and how often one may send them (not events).
//! - [`words`]: the words of a board's notes, counted for the projector's word cloud.
//!
//! Every wire word is written once: unit enums are declared with `wire_enum!` (in
//! `wire_enum.rs`), which gives each its serde name, `as_str()` and `ALL` from one spelling.

/// A [`Rejection`]'s English reason, as `format!` takes it. The browser runs the same rules
/// but reads only the code (its words come from its language tables, the server's reason
/// arrives on the wire), so a wasm32 build never formats the reason and none of its text
/// or formatting ships in the bundle.
macro_rules! why {
    ($($arg:tt)*) => {
        if cfg!(target_arch = "wasm32") {
            ::std::string::String::new()
        } else {
            ::std::format!($($arg)*)
        }
    };
}

mod tagged;
mod wire_enum;

pub mod api;
mod apply;
pub mod close;
pub mod command;
mod decide;
pub mod error;
pub mod event;
pub mod ids;
pub mod limits;
pub mod model;
mod permits;
pub mod reactions;
mod replay;
pub mod screens;
pub mod shuffle;
pub mod text;
pub mod view;
pub mod wire;
pub mod words;

pub use close::{AfterClose, CloseCode};
pub use command::{Assignment, Command, ItemCount, Seat, SystemCommand};
pub use decide::Ctx;
pub use error::{ErrorCode, Rejection};
pub use event::{Ballot, Event, Tally, TimerCause};
pub use ids::*;
pub use model::*;
pub use reactions::{next_reaction_at, take_reaction, Reaction, ReactionCounts, ReactionLimiter};
pub use replay::renumber::{IdError, IdKind, IdUse, Renumber};
pub use replay::LATEST_MILLIS;
pub use view::{Audience, Prior};
pub use wire::{ClientFrame, FrameError, ResumePoint, ServerFrame, PROTOCOL_VERSION};

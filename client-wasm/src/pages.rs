//! One module per screen, plus the little helpers they share.

#[cfg(feature = "create")]
pub mod access;
#[cfg(feature = "participant")]
pub mod board;
#[cfg(feature = "console")]
pub mod console;
#[cfg(feature = "participant")]
pub mod landing;
#[cfg(feature = "create")]
pub mod new_cafe;
#[cfg(feature = "projector")]
pub mod projector;
#[cfg(feature = "scribe")]
pub mod scribe;

use crate::i18n::T;
use crate::session::Session;
use cafe_shared::{CafeState, Command, ErrorCode, PersonId, Rejection};
use std::rc::Rc;
use yew::prelude::*;

/// The café pages' one prop: which café.
#[derive(Properties, PartialEq)]
pub struct CafeProps {
    pub id: AttrValue,
}

/// What the plain rendering functions of a café page need to show and act.
#[derive(Clone)]
pub struct Ctx {
    pub t: T,
    pub session: Rc<Session>,
    pub me: Option<PersonId>,
}

impl Ctx {
    pub fn send(&self) -> Callback<Command> {
        let s = self.session.clone();
        Callback::from(move |c: Command| {
            s.send(c);
        })
    }

    /// Asks one of the shared `CafeState::may_…` predicates for me. `decide` calls the same
    /// predicates, so the pages offer an action exactly when the server would accept it, and
    /// `Err` says why not. Someone the café does not know yet may do nothing.
    pub fn may(
        &self,
        check: impl FnOnce(PersonId) -> Result<(), Rejection>,
    ) -> Result<(), Rejection> {
        match self.me {
            Some(me) => check(me),
            None => Err(Rejection::new(ErrorCode::Unauthorized, "unknown person")),
        }
    }

    pub fn allowed(&self, check: impl FnOnce(PersonId) -> Result<(), Rejection>) -> bool {
        self.may(check).is_ok()
    }
}

pub fn person_name(state: &CafeState, id: Option<PersonId>) -> Option<String> {
    id.and_then(|p| state.people.get(&p))
        .map(|p| p.name.clone())
}

/// Minutes as typed ("5", "1.5", "2,5") to whole seconds. Parsed by hand because pulling in
/// float parsing and formatting for one box costs more bundle than it is worth.
pub fn minutes_to_secs(input: &str) -> u32 {
    let s = input.trim().replace(',', ".");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let whole: u32 = whole.parse().unwrap_or(0);
    let tenths: u32 = frac
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .unwrap_or(0);
    whole.saturating_mul(60).saturating_add(tenths * 6)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn minutes_parse_like_people_type_them() {
        assert_eq!(minutes_to_secs("5"), 300);
        assert_eq!(minutes_to_secs(" 1.5 "), 90);
        assert_eq!(minutes_to_secs("2,5"), 150);
        assert_eq!(minutes_to_secs("abc"), 0);
    }
}

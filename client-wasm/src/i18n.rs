//! Translations: the six UN languages, one Rust table per language in `i18n/`. Every string
//! the UI shows comes from here; a test checks that every key exists in all six tables, so
//! a missing translation is a failing build rather than English leaking into Arabic.

mod ar;
mod en;
mod es;
mod fr;
mod ru;
mod zh;

use cafe_shared::{ErrorCode, Language, Phase, Role};
use yew::prelude::*;

pub type Table = &'static [(&'static str, &'static str)];

pub fn table(lang: Language) -> Table {
    match lang {
        Language::Ar => ar::STRINGS,
        Language::Zh => zh::STRINGS,
        Language::En => en::STRINGS,
        Language::Fr => fr::STRINGS,
        Language::Ru => ru::STRINGS,
        Language::Es => es::STRINGS,
    }
}

fn lookup(table: Table, key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// English, then the key itself, as fallbacks: a gap must never blank out a button.
pub fn tr(lang: Language, key: &str) -> &'static str {
    lookup(table(lang), key)
        .or_else(|| lookup(en::STRINGS, key))
        .unwrap_or("?")
}

/// Each language's own name, shown in the picker whatever the UI language is.
pub fn native_name(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "العربية",
        Language::Zh => "中文",
        Language::En => "English",
        Language::Fr => "Français",
        Language::Ru => "Русский",
        Language::Es => "Español",
    }
}

/// The translator handed to components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T {
    pub lang: Language,
}

impl T {
    pub fn t(&self, key: &str) -> &'static str {
        tr(self.lang, key)
    }

    /// Fills `{name}` placeholders.
    pub fn f(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    pub fn phase(&self, p: Phase) -> &'static str {
        self.t(match p {
            Phase::Lobby => "phase.lobby",
            Phase::Ideate => "phase.ideate",
            Phase::Group => "phase.group",
            Phase::Vote => "phase.vote",
            Phase::Results => "phase.results",
            Phase::Closed => "phase.closed",
        })
    }

    pub fn role(&self, r: Role) -> &'static str {
        self.t(match r {
            Role::Organiser => "role.organiser",
            Role::Facilitator => "role.facilitator",
            Role::Host => "role.host",
            Role::Participant => "role.participant",
        })
    }

    pub fn error(&self, code: ErrorCode) -> &'static str {
        let key = format!("err.{}", code.as_str());
        match lookup(table(self.lang), &key).or_else(|| lookup(en::STRINGS, &key)) {
            Some(s) => s,
            None => self.t("err.internal"),
        }
    }
}

/// Language context: the current language and a way to change it.
#[derive(Clone, PartialEq)]
pub struct LangCtx {
    pub lang: Language,
    pub set: Callback<Language>,
}

#[hook]
pub fn use_t() -> T {
    let ctx = use_context::<LangCtx>();
    T {
        lang: ctx.map(|c| c.lang).unwrap_or_default(),
    }
}

#[hook]
pub fn use_lang() -> LangCtx {
    use_context::<LangCtx>().unwrap_or(LangCtx {
        lang: Language::En,
        set: Callback::noop(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_key_exists_in_all_six_languages() {
        let en: BTreeSet<&str> = en::STRINGS.iter().map(|(k, _)| *k).collect();
        assert_eq!(en.len(), en::STRINGS.len(), "duplicate key in en");
        for lang in Language::ALL {
            let keys: BTreeSet<&str> = table(lang).iter().map(|(k, _)| *k).collect();
            assert_eq!(keys.len(), table(lang).len(), "duplicate key in {lang:?}");
            let missing: Vec<_> = en.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&en).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang:?} has unknown {extra:?}");
            for (k, v) in table(lang) {
                assert!(!v.trim().is_empty(), "{lang:?} {k} is empty");
            }
        }
    }

    #[test]
    fn every_error_code_and_phase_has_text() {
        for code in [
            ErrorCode::Malformed,
            ErrorCode::UnknownFrame,
            ErrorCode::ProtocolVersion,
            ErrorCode::HelloRequired,
            ErrorCode::Unauthorized,
            ErrorCode::TokenExpired,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::NotAllowedInPhase,
            ErrorCode::OverBudget,
            ErrorCode::OverCap,
            ErrorCode::TooLong,
            ErrorCode::TooShort,
            ErrorCode::Invalid,
            ErrorCode::LimitReached,
            ErrorCode::BoardLocked,
            ErrorCode::Conflict,
            ErrorCode::RateLimited,
            ErrorCode::TooLarge,
            ErrorCode::Resync,
            ErrorCode::ServerRestarting,
            ErrorCode::Internal,
        ] {
            assert!(
                lookup(en::STRINGS, &format!("err.{}", code.as_str())).is_some(),
                "{code}"
            );
        }
        let t = T { lang: Language::Fr };
        for p in Phase::ALL {
            assert_ne!(t.phase(p), "?");
        }
        assert!(t.f("board.dots_left", &[("n", &3)]).contains('3'));
    }
}

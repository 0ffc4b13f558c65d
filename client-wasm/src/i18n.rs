//! Translations: the six UN languages. Every string the UI shows comes from here. English
//! is compiled in (`i18n/en.rs`); the other five are `static/i18n/{code}.json`, served with
//! the bundle (as `/i18n/{code}.txt`, see [`split::pairs`]) and fetched when chosen, so a
//! first load carries one language, not six. A
//! test checks that every key exists in all six tables, so a missing translation is a
//! failing build rather than English leaking into Arabic.

mod en;
mod plural;
mod split;

pub use plural::{categories as plural_categories, category as plural_category, Plural};

use cafe_shared::{ClusterCreators, ErrorCode, Language, Location, Mode, Phase, Role, TableKind};
use std::cell::RefCell;
use yew::prelude::*;

pub type Table = &'static [(&'static str, &'static str)];

/// The groups of English (`i18n/en.rs`) this build's pages ask for; the other groups' texts
/// are never referenced, so they stay out of the bundle.
const ENGLISH: &[&str] = &[
    en::ALL,
    #[cfg(feature = "participant")]
    en::PARTICIPANT,
    #[cfg(feature = "staff")]
    en::STAFF,
    #[cfg(feature = "console")]
    en::CONSOLE,
    #[cfg(feature = "create")]
    en::CREATE,
    #[cfg(feature = "projector")]
    en::PROJECTOR,
    #[cfg(feature = "scribe")]
    en::SCRIBE,
];

/// This build's English table, split on first use and kept for the page's life.
pub fn english() -> Table {
    thread_local! {
        static STRINGS: Table = ENGLISH.iter().flat_map(|t| split::pairs(t)).collect::<Vec<_>>().leak();
    }
    STRINGS.with(|t| *t)
}

thread_local! {
    /// Tables fetched so far. Each is loaded at most once per page and lives as long as the
    /// page, so it is leaked to hand out `&'static str` like the compiled-in English.
    static LOADED: RefCell<Vec<(Language, Table)>> = const { RefCell::new(Vec::new()) };
}

/// The language's table; empty while a fetched language has not arrived (English shows).
pub fn table(lang: Language) -> Table {
    if lang == Language::En {
        return english();
    }
    LOADED.with(|l| {
        l.borrow()
            .iter()
            .find(|(k, _)| *k == lang)
            .map_or(&[][..], |(_, t)| *t)
    })
}

pub fn is_loaded(lang: Language) -> bool {
    lang == Language::En || !table(lang).is_empty()
}

/// Installs a language from its table as the server sends it (`key` U+001F `text` U+001E
/// …, see [`split::pairs`]); false if it holds no entry (not such a table).
pub fn install(lang: Language, text: &str) -> bool {
    if is_loaded(lang) {
        return true;
    }
    let pairs = split::pairs(text.to_owned().leak());
    if pairs.is_empty() {
        return false;
    }
    let table: Table = pairs.leak();
    LOADED.with(|l| l.borrow_mut().push((lang, table)));
    true
}

/// Fetches a language's table unless it is already there; false when it could not be had
/// (offline and never cached): the UI then stays readable in English.
pub async fn load(lang: Language) -> bool {
    if is_loaded(lang) {
        return true;
    }
    let url = format!("/i18n/{}.txt", lang.code());
    match crate::api::fetch("GET", &url, None).await {
        Some(crate::api::Reply {
            ok: true,
            text: Some(text),
            ..
        }) => install(lang, &text),
        _ => false,
    }
}

fn lookup(table: Table, key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// English, then the key itself, as fallbacks: a gap must never blank out a button.
pub fn tr(lang: Language, key: &str) -> &'static str {
    lookup(table(lang), key)
        .or_else(|| lookup(english(), key))
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
    /// Whether `lang`'s table had arrived: part of equality so components whose props hold
    /// a `T` render again once it does.
    pub ready: bool,
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

    /// A count with its noun in the form the language wants: the key's forms are
    /// `{key}.{category}` (`one`, `few`, `other`, … per [`plural_categories`]), `{n}` is
    /// filled with `n`, other placeholders from `args`. "1 idea", "2 ideas"; in Arabic six
    /// forms, in Russian three. A missing form falls back to `other`, then to English.
    pub fn p(&self, key: &str, n: u64, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let form = |lang: Language, table: Table| {
            lookup(
                table,
                &format!("{key}.{}", plural_category(lang, n).as_str()),
            )
            .or_else(|| lookup(table, &format!("{key}.other")))
        };
        let mut s = form(self.lang, table(self.lang))
            .or_else(|| form(Language::En, english()))
            .unwrap_or("?")
            .replace("{n}", &n.to_string());
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    /// Like [`T::f`], as markup with every value isolated in `<bdi>`: a name or title
    /// written in the other direction then keeps its own direction inside the sentence
    /// ("Your table: Window" in Arabic, an Arabic table name in English) instead of
    /// dragging the punctuation around it.
    pub fn h(&self, key: &str, args: &[(&str, &str)]) -> Html {
        let mut rest = self.t(key);
        let mut parts: Vec<Html> = Vec::new();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let name = &rest[open + 1..close];
            match args.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => {
                    parts.push(Html::from(&rest[..open]));
                    parts.push(html! { <bdi>{ (*v).to_string() }</bdi> });
                }
                None => parts.push(Html::from(&rest[..=close])),
            }
            rest = &rest[close + 1..];
        }
        parts.push(Html::from(rest));
        html! { <>{ for parts }</> }
    }

    /// The text under `{prefix}.{wire name}`: names of phases, roles, locations, table kinds
    /// and modes are keyed by the shared `as_str()`, so the client spells none of them.
    fn named(&self, prefix: &str, wire: &str) -> &'static str {
        self.t(&format!("{prefix}.{wire}"))
    }

    pub fn phase(&self, p: Phase) -> &'static str {
        self.named("phase", p.as_str())
    }

    pub fn role(&self, r: Role) -> &'static str {
        self.named("role", r.as_str())
    }

    pub fn location(&self, l: Location) -> &'static str {
        self.named("loc", l.as_str())
    }

    pub fn table_kind(&self, k: TableKind) -> &'static str {
        self.named("table", k.as_str())
    }

    pub fn mode(&self, m: Mode) -> &'static str {
        self.named("mode", m.as_str())
    }

    pub fn cluster_creators(&self, c: ClusterCreators) -> &'static str {
        self.named("creators", c.as_str())
    }

    pub fn error(&self, code: ErrorCode) -> &'static str {
        let key = format!("err.{}", code.as_str());
        match lookup(table(self.lang), &key).or_else(|| lookup(english(), &key)) {
            Some(s) => s,
            None => self.t("err.internal"),
        }
    }
}

/// Language context: the current language, whether its table has arrived, and a way to
/// change it.
#[derive(Clone, PartialEq)]
pub struct LangCtx {
    pub lang: Language,
    pub ready: bool,
    /// The person's choice (remembered).
    pub set: Callback<Language>,
    /// The café's language: shown unless the person has chosen one (not remembered, so
    /// the next café speaks its own).
    pub cafe: Callback<Language>,
}

#[hook]
pub fn use_t() -> T {
    let ctx = use_context::<LangCtx>();
    T {
        lang: ctx.as_ref().map(|c| c.lang).unwrap_or_default(),
        ready: ctx.is_none_or(|c| c.ready),
    }
}

#[hook]
pub fn use_lang() -> LangCtx {
    use_context::<LangCtx>().unwrap_or(LangCtx {
        lang: Language::En,
        ready: true,
        set: Callback::noop(),
        cafe: Callback::noop(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The five fetched languages, read from the files the server sends (host only: the
    /// wasm test runner has no file system).
    #[cfg(not(target_arch = "wasm32"))]
    fn json_table(lang: Language) -> Vec<(String, String)> {
        let path = format!(
            "{}/static/i18n/{}.json",
            env!("CARGO_MANIFEST_DIR"),
            lang.code()
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        map.into_iter().collect()
    }

    /// A fetched language as the server sends it (what scripts/build-client.sh writes;
    /// tests/tests/server_assets.rs checks the built files read back as their JSON).
    #[cfg(not(target_arch = "wasm32"))]
    fn served(lang: Language) -> String {
        json_table(lang)
            .into_iter()
            .map(|(k, v)| format!("{k}\u{1f}{v}\u{1e}"))
            .collect()
    }

    /// The keys a language's table must hold: English's, with each plural key's forms
    /// replaced by the categories `lang` has (Arabic six, Chinese one).
    #[cfg(not(target_arch = "wasm32"))]
    fn expected_keys(lang: Language) -> std::collections::BTreeSet<String> {
        let bases: Vec<&str> = english()
            .iter()
            .filter_map(|(k, _)| k.strip_suffix(".other"))
            .collect();
        let is_form = |k: &str| {
            bases.iter().any(|b| {
                k.strip_prefix(b)
                    .and_then(|r| r.strip_prefix('.'))
                    .is_some_and(|c| ["zero", "one", "two", "few", "many", "other"].contains(&c))
            })
        };
        let mut keys: std::collections::BTreeSet<String> = english()
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !is_form(k))
            .map(str::to_owned)
            .collect();
        for b in &bases {
            for c in plural_categories(lang) {
                keys.insert(format!("{b}.{}", c.as_str()));
            }
        }
        keys
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn every_key_exists_in_all_six_languages() {
        use std::collections::BTreeSet;
        let en_keys: BTreeSet<&str> = english().iter().map(|(k, _)| *k).collect();
        assert_eq!(en_keys.len(), english().len(), "duplicate key in en");
        let en_expected = expected_keys(Language::En);
        let en: BTreeSet<&str> = en_expected.iter().map(String::as_str).collect();
        assert_eq!(en, en_keys, "English has exactly its plural forms");
        for lang in Language::ALL {
            if lang == Language::En {
                continue;
            }
            let expected = expected_keys(lang);
            let en: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
            let table = json_table(lang);
            let keys: BTreeSet<&str> = table.iter().map(|(k, _)| k.as_str()).collect();
            let missing: Vec<_> = en.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&en).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang:?} has unknown {extra:?}");
            for (k, v) in &table {
                assert!(!v.trim().is_empty(), "{lang:?} {k} is empty");
                // Forms for "few", "many" and "other" cover many numbers: they must say
                // which ("one", "two", "zero" may spell theirs out: "فكرتان").
                if [".few", ".many", ".other"].iter().any(|c| k.ends_with(c))
                    && en.contains(k.as_str())
                {
                    assert!(v.contains("{n}"), "{lang:?} {k} lacks {{n}}: {v}");
                }
            }
        }
    }

    #[test]
    fn a_fetched_language_replaces_english_once_installed() {
        assert_eq!(tr(Language::Ru, "app.name"), "Innovation Café");
        assert!(!install(Language::Ru, "<!doctype html>"));
        assert!(!is_loaded(Language::Ru));
        assert!(install(Language::Ru, "app.name\u{1f}Кафе\u{1e}"));
        assert_eq!(tr(Language::Ru, "app.name"), "Кафе");
        // Missing keys fall back to English.
        assert_eq!(tr(Language::Ru, "app.back"), tr(Language::En, "app.back"));
    }

    #[test]
    fn every_error_code_and_wire_name_has_text() {
        for code in ErrorCode::ALL {
            assert!(
                lookup(english(), &format!("err.{}", code.as_str())).is_some(),
                "{code}"
            );
        }
        let en = T {
            lang: Language::En,
            ready: true,
        };
        let names = Phase::ALL
            .map(|p| en.phase(p))
            .into_iter()
            .chain(Role::ALL.map(|r| en.role(r)))
            .chain(Location::ALL.map(|l| en.location(l)))
            .chain(TableKind::ALL.map(|k| en.table_kind(k)))
            .chain(Mode::ALL.map(|m| en.mode(m)))
            .chain(ClusterCreators::ALL.map(|c| en.cluster_creators(c)));
        for name in names {
            assert_ne!(name, "?");
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            assert!(install(Language::Fr, &served(Language::Fr)));
        }
        let t = T {
            lang: Language::Fr,
            ready: true,
        };
        for p in Phase::ALL {
            assert_ne!(t.phase(p), "?");
        }
        assert!(t.p("board.dots_left", 3, &[]).contains('3'));
    }

    /// "1 idea", "2 ideas": the form follows the count, in English and in the fetched
    /// languages (Arabic's six forms, Russian's three), with other placeholders filled.
    #[test]
    fn counts_take_the_plural_form_of_their_language() {
        let en = T {
            lang: Language::En,
            ready: true,
        };
        assert_eq!(en.p("board.count", 1, &[]), "1 idea");
        assert_eq!(en.p("board.count", 2, &[]), "2 ideas");
        assert_eq!(en.p("board.count", 0, &[]), "0 ideas");
        assert_eq!(en.p("projector.people", 1, &[]), "1 person here");
        assert_eq!(
            en.p("harvest.sent", 1, &[("table", &"Window")]),
            "Sent to the plenary: 1 note from Window."
        );
        #[cfg(not(target_arch = "wasm32"))]
        {
            for lang in [Language::Ar, Language::Ru] {
                assert!(install(lang, &served(lang)));
            }
            let ar = T {
                lang: Language::Ar,
                ready: true,
            };
            assert_eq!(ar.p("board.count", 1, &[]), "فكرة واحدة");
            assert_eq!(ar.p("board.count", 2, &[]), "فكرتان");
            assert_eq!(ar.p("board.count", 3, &[]), "3 أفكار");
            assert_eq!(ar.p("board.count", 11, &[]), "11 فكرة");
            assert_eq!(ar.p("board.count", 100, &[]), "100 فكرة");
            let ru = T {
                lang: Language::Ru,
                ready: true,
            };
            assert_eq!(ru.p("board.count", 1, &[]), "1 идея");
            assert_eq!(ru.p("board.count", 3, &[]), "3 идеи");
            assert_eq!(ru.p("board.count", 5, &[]), "5 идей");
            assert_eq!(ru.p("board.count", 21, &[]), "21 идея");
        }
        // A language whose table has not arrived speaks English, in English's forms.
        let zh = T {
            lang: Language::Zh,
            ready: false,
        };
        assert_eq!(zh.p("board.count", 1, &[]), "1 idea");
    }

    /// Which builds compile a source file (relative to `src/`): the pages are gated by
    /// feature in `pages.rs`, the staff-only components in `components.rs`; everything else
    /// is in every build.
    #[cfg(not(target_arch = "wasm32"))]
    fn builds_of(path: &str) -> &'static [&'static str] {
        const STAFF: &[&str] = &["create", "console", "projector", "scribe"];
        match path {
            p if p.starts_with("pages/console") => &["console"],
            "pages/projector.rs" => &["projector"],
            "pages/scribe.rs" => &["scribe"],
            "pages/new_cafe.rs" | "pages/access.rs" => &["create"],
            "pages/landing.rs" | "pages/board.rs" => &["participant"],
            "components/exports.rs" | "components/paged.rs" | "components/pages_of.rs" => STAFF,
            _ => &["participant", "create", "console", "projector", "scribe"],
        }
    }

    /// Every English key is compiled into every build whose pages ask for it (en.rs keeps
    /// each group's pairs out of the other builds). A page asks for a key by its literal
    /// name; keys asked for by a computed name (`format!("err.{}", …)`, the names of
    /// phases, roles …, plural forms) are not in the sources whole, so they must be in
    /// every build.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn keys_sit_in_the_builds_that_use_them() {
        fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).expect("src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path.strip_prefix(root).expect("under src");
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    out.push((rel, std::fs::read_to_string(&path).expect("source")));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        files.retain(|(p, _)| !p.starts_with("i18n"));
        // Prefixes of computed names: `format!("prefix.{…}")` and `named("prefix", …)`.
        let mut computed: Vec<String> = Vec::new();
        for (_, body) in files
            .iter()
            .chain([("i18n.rs".to_string(), include_str!("i18n.rs").to_string())].iter())
        {
            for opener in ["format!(\"", "named(\""] {
                for (i, _) in body.match_indices(opener) {
                    let rest = &body[i + opener.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    let next = rest[name.len()..].chars().next();
                    let computed_here = match opener {
                        "named(\"" => next == Some('"'),
                        _ => rest[name.len()..].starts_with(".{"),
                    };
                    if !name.is_empty() && computed_here {
                        computed.push(format!("{name}."));
                    }
                }
            }
        }
        assert!(computed.iter().any(|p| p == "err."), "{computed:?}");
        assert!(computed.iter().any(|p| p == "phase."), "{computed:?}");
        let forms = ["zero", "one", "two", "few", "many", "other"];
        let mut checked = 0;
        for (group, text) in en::GROUPS {
            for (key, _) in split::pairs(text) {
                let is_form = key
                    .rsplit_once('.')
                    .is_some_and(|(_, f)| forms.contains(&f));
                if is_form || computed.iter().any(|p| key.starts_with(p.as_str())) {
                    assert_eq!(group, "all", "{key} is asked for by a computed name");
                    continue;
                }
                let quoted = format!("\"{key}\"");
                for (path, body) in &files {
                    if !body.contains(&quoted) {
                        continue;
                    }
                    for build in builds_of(path) {
                        let covered = group == "all"
                            || group == *build
                            || (group == "staff" && *build != "participant");
                        assert!(covered, "{key} is in en.rs's `{group}` group, but {path} (in the {build} build) asks for it");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 300, "{checked} uses checked");
    }
}

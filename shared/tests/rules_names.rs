//! Names cannot impersonate people: no bidi controls or invisible characters in names, NFC,
//! and one look per name in a café (TR39 confusable skeletons). Ideas keep any direction but
//! cannot reorder what follows them.

#[path = "support/harness.rs"]
mod harness;

use cafe_shared::*;
use harness::*;

fn join(c: &mut Cafe, name: &str) -> Result<Vec<Event>, Rejection> {
    c.sys(SystemCommand::Join {
        name: name.into(),
        role: Role::Participant,
        location: Location::Remote,
    })
}

fn rename(name: &str) -> Command {
    Command::Rename { name: name.into() }
}

#[test]
fn a_right_to_left_override_cannot_spell_facilitator() {
    let mut c = Cafe::new();
    // Displays as "Facilitator".
    let r = join(&mut c, "\u{202E}rotatilicaF").unwrap_err();
    assert_eq!(r.code, ErrorCode::Invalid);
    assert!(r.message.contains("U+202E"), "{}", r.message);
    for control in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}',
        '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ] {
        let name = format!("Ana{control}b");
        assert_eq!(
            join(&mut c, &name).unwrap_err().code,
            ErrorCode::Invalid,
            "{name:?}"
        );
    }
    let ana = c.join("Ana", Role::Participant, Location::Room);
    c.rejects(ana, rename("\u{202E}rotatilicaF"), ErrorCode::Invalid);
}

#[test]
fn an_invisible_character_does_not_make_a_second_olga() {
    let mut c = Cafe::new();
    assert_eq!(c.person(c.org).name, "Olga");
    for invisible in ['\u{200B}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{200D}'] {
        let r = join(&mut c, &format!("Olga{invisible}")).unwrap_err();
        assert_eq!(r.code, ErrorCode::Invalid, "{invisible:?}");
        assert!(r.message.contains("invisible"), "{}", r.message);
    }
    assert_eq!(c.state.people.len(), 1);
}

#[test]
fn a_look_alike_of_someone_here_is_refused() {
    let mut c = Cafe::new();
    // A Cyrillic О, then the same name in other cases and spacing.
    for alike in ["\u{041E}lga", "olga", "OLGA", "0lga"] {
        let r = join(&mut c, alike).unwrap_err();
        assert_eq!(r.code, ErrorCode::Conflict, "{alike:?}");
        assert_eq!(r.message, "someone here is already called “Olga”");
    }
    c.join("Olga K.", Role::Participant, Location::Room);
    assert_eq!(
        join(&mut c, "Olga  K.").unwrap_err().code,
        ErrorCode::Conflict
    );
    // Different names stay different.
    c.join("Olha", Role::Participant, Location::Room);
    c.join("Oleg", Role::Participant, Location::Room);
}

#[test]
fn nfc_equivalent_names_are_one_name() {
    let mut c = Cafe::new();
    let decomposed = "Re\u{301}my";
    let id = c.join(decomposed, Role::Participant, Location::Room);
    // Stored composed, whichever keyboard typed it.
    assert_eq!(c.person(id).name, "Rémy");
    assert_eq!(
        join(&mut c, "R\u{e9}my").unwrap_err().code,
        ErrorCode::Conflict
    );
    // Lengths count characters after composing: 40 decomposed é are 40 characters.
    let long = "e\u{301}".repeat(limits::DISPLAY_NAME_MAX);
    let id = c.join(&long, Role::Participant, Location::Room);
    assert_eq!(c.person(id).name.chars().count(), limits::DISPLAY_NAME_MAX);
}

#[test]
fn arabic_and_persian_names_and_ideas_are_accepted() {
    let mut c = Cafe::new();
    let fatima = c.join("فاطمة الزهراء", Role::Participant, Location::Room);
    assert_eq!(c.person(fatima).name, "فاطمة الزهراء");
    // A Persian compound surname needs its zero-width non-joiner.
    let ali = c.join("رضا علی\u{200C}زاده", Role::Participant, Location::Room);
    assert_eq!(c.person(ali).name, "رضا علی\u{200C}زاده");
    c.phase(Phase::Ideate);
    let board = c.plenary();
    let text = "نحتاج إلى مساحات عمل مرنة (3 أيام في الأسبوع)";
    let idea = c.post(fatima, board, text);
    assert_eq!(c.state.ideas[&idea].text, text);
    // Paired embeddings and marks are legitimate in mixed-direction text and stay.
    let mixed = "العمل عن بعد \u{2066}remote work\u{2069} هو المستقبل\u{200F}.";
    let idea = c.post(ali, board, mixed);
    assert_eq!(c.state.ideas[&idea].text, mixed);
}

#[test]
fn unpaired_bidi_controls_in_ideas_are_dropped() {
    let mut c = Cafe::new();
    let ana = c.join("Ana", Role::Participant, Location::Room);
    c.phase(Phase::Ideate);
    let board = c.plenary();
    // An override left open would reverse whatever the page or an export shows after it.
    let idea = c.post(ana, board, "nice idea \u{202E}!evila");
    assert_eq!(c.state.ideas[&idea].text, "nice idea !evila");
    let idea = c.post(ana, board, "a\u{2067}b\nc\u{2069}d\u{202C}");
    assert_eq!(c.state.ideas[&idea].text, "ab\ncd");
    // Edits are cleaned alike, and NFC applies to ideas too.
    c.ok(
        ana,
        Command::EditIdea {
            idea,
            text: "caf\u{65}\u{301} \u{202B}x".into(),
            category: None,
        },
    );
    assert_eq!(c.state.ideas[&idea].text, "café x");
}

#[test]
fn renaming_into_a_look_alike_is_refused_but_yourself_is_fine() {
    let mut c = Cafe::new();
    let pia = c.join("Pia", Role::Participant, Location::Room);
    let org = c.org;
    c.rejects(pia, rename("\u{041E}lga"), ErrorCode::Conflict);
    c.rejects(org, rename("pia"), ErrorCode::Conflict);
    c.rejects(pia, rename("Pia\u{200B}"), ErrorCode::Invalid);
    // Your own name in other letters is still yours.
    c.ok(pia, rename("PIA"));
    assert_eq!(c.person(pia).name, "PIA");
    // A removed person's name is free again.
    c.ok(org, Command::RemovePerson { person: pia });
    c.join("Pia", Role::Participant, Location::Room);
    c.assert_replays();
}

#[test]
fn titles_tables_and_columns_refuse_bidi_and_invisible_characters() {
    let mut c = Cafe::new();
    let org = c.org;
    for bad in ["Table\u{200B}", "\u{202E}1 elbaT"] {
        c.rejects(
            org,
            Command::CreateTable {
                name: bad.into(),
                kind: TableKind::InRoom,
            },
            ErrorCode::Invalid,
        );
        c.rejects(
            org,
            Command::UpdateCafe {
                title: Some(bad.into()),
                description: None,
                mode: None,
                language: None,
                settings: None,
            },
            ErrorCode::Invalid,
        );
        let board = c.plenary();
        c.rejects(
            org,
            Command::SetBoardColumns {
                board,
                columns: vec![bad.into()],
            },
            ErrorCode::Invalid,
        );
    }
    // Two tables may share a name: they are places, not people, and only facilitators name them.
    c.table("Table 1", TableKind::InRoom);
    c.table("Table 1", TableKind::InRoom);
    // NFC makes equivalent columns one column.
    let board = c.plenary();
    c.rejects(
        org,
        Command::SetBoardColumns {
            board,
            columns: vec!["Café".into(), "Cafe\u{301}".into()],
        },
        ErrorCode::Invalid,
    );
}

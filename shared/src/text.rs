//! Text hygiene for everything people type. Lengths count Unicode scalar values, so a limit
//! means the same in Arabic, Chinese or English.
//!
//! Everything is normalised to NFC first, so text that looks the same is stored the same
//! whichever keyboard typed it.
//!
//! - Single lines ([`clean_line`]: display names, the café title, table names, cluster titles,
//!   board columns) are labels shown inline beside other text and exported into CSV and
//!   Markdown, so nothing in them may be invisible or steer the direction of the text around
//!   them: bidi controls and default-ignorable / format characters are refused with
//!   `invalid`. The one exception are the joiners ZWNJ and ZWJ (and variation selectors)
//!   inside a word of a script that needs them: Persian surnames such as «علی‌زاده»,
//!   Indic conjuncts, emoji sequences. Browsers lay out RTL names correctly without any
//!   control character.
//! - Free text ([`clean_text`]: ideas, descriptions, prompts) may be written in any direction
//!   and mix directions; there, paired bidi controls are kept and unpaired ones are dropped,
//!   so no idea can reorder what is shown or exported after it.
//! - Display names are also unique in a café by how they look: [`NameLook`] compares the
//!   confusable skeletons of Unicode TR39, so «Оlga» with a Cyrillic О is «Olga».

use crate::error::{reject, ErrorCode, Rejection};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::GeneralSecurityProfile;

/// A single line (names, titles): NFC, trimmed, 1..=max characters, no control characters,
/// no bidi controls, nothing invisible.
pub fn clean_line(input: &str, what: &str, max: usize) -> Result<String, Rejection> {
    let s: String = input.trim().nfc().collect();
    if s.is_empty() {
        return reject(ErrorCode::TooShort, why!("the {what} is empty"));
    }
    if s.chars().any(char::is_control) {
        return reject(
            ErrorCode::Invalid,
            why!("the {what} contains control characters"),
        );
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if is_bidi_control(c) {
            return reject(
                ErrorCode::Invalid,
                why!(
                    "the {what} contains the bidi control character {}, which changes the \
                     direction of the text around it",
                    code_point(c)
                ),
            );
        }
        if is_invisible(c) && !joiner_inside_word(&chars, i) {
            return reject(
                ErrorCode::Invalid,
                why!(
                    "the {what} contains the invisible character {}",
                    code_point(c)
                ),
            );
        }
    }
    check_len(&s, what, 1, max)?;
    Ok(s)
}

/// Free text (ideas, descriptions): NFC, trimmed, line breaks and tabs allowed, `\r\n` folded
/// to `\n`, other control characters refused, unpaired bidi controls dropped.
pub fn clean_text(input: &str, what: &str, min: usize, max: usize) -> Result<String, Rejection> {
    let s = input.trim().replace("\r\n", "\n");
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return reject(
            ErrorCode::Invalid,
            why!("the {what} contains control characters"),
        );
    }
    // Composed after the controls are dropped, since a dropped control can bring a letter and
    // its accent together; trimmed again, since it can leave the text bare at an end. So
    // cleaning a cleaned text changes nothing, which the import relies on.
    let s: String = balance_bidi(&s).trim().nfc().collect();
    check_len(&s, what, min, max)?;
    Ok(s)
}

/// How a display name looks, for telling whether two names would be mistaken for each other.
///
/// Two names look alike when their TR39 confusable skeletons are equal (which ignores
/// invisible characters and maps look-alikes such as Cyrillic «о» or «rn» to one prototype),
/// either as typed or both lowercased (so «OLGA» is «Olga»), with runs of white space counted
/// as one space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameLook {
    as_typed: Box<str>,
    lowercased: Box<str>,
}

/// Looks of names already compared. A join compares the newcomer with everyone in the café,
/// and a skeleton costs about half a microsecond: remembering them keeps a join into a café
/// of 10,000 people well under a millisecond. Bounded; forgetting only costs recomputing.
static SEEN: LazyLock<Mutex<HashMap<Box<str>, NameLook>>> = LazyLock::new(Mutex::default);
const SEEN_MAX: usize = 32_768;

impl NameLook {
    pub fn of(name: &str) -> Self {
        Self {
            as_typed: skeleton(name).collect(),
            lowercased: skeleton(&name.to_lowercase()).collect(),
        }
    }

    /// Whether `other` would be taken for this name.
    pub fn looks_like(&self, other: &str) -> bool {
        self.first_alike([other], |n| n).is_some()
    }

    /// The first of `items` whose name (given by `name_of`) looks like this one.
    pub fn first_alike<T>(
        &self,
        items: impl IntoIterator<Item = T>,
        name_of: impl Fn(&T) -> &str,
    ) -> Option<T> {
        // A poisoned memo is still a correct one: entries are inserted whole.
        let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
        items.into_iter().find(|item| {
            let name = name_of(item);
            if let Some(other) = seen.get(name) {
                return self.alike(other);
            }
            let other = Self::of(name);
            let alike = self.alike(&other);
            if seen.len() >= SEEN_MAX {
                seen.clear();
            }
            seen.insert(name.into(), other);
            alike
        })
    }

    fn alike(&self, other: &Self) -> bool {
        self.as_typed == other.as_typed || self.lowercased == other.lowercased
    }
}

fn skeleton(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut after_space = false;
    unicode_security::skeleton(s).filter_map(move |c| {
        let space = c.is_whitespace();
        let keep = !(space && after_space);
        after_space = space;
        keep.then_some(if space { ' ' } else { c })
    })
}

/// The explicit bidi formatting characters of UAX #9: marks, embeddings, overrides, isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing by themselves: format characters (Cf: zero-width space,
/// joiners, soft hyphen, word joiner, tags, interlinear annotations…) and the other
/// default-ignorable code points (Hangul fillers, variation selectors, the combining
/// grapheme joiner…).
fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
}

/// ZWNJ and ZWJ between two visible non-ASCII characters, or a variation selector after one,
/// shape the script they sit in and cannot hide at an edge of a Latin name. Names that differ
/// only by them are still told apart by [`NameLook`], which ignores them.
fn joiner_inside_word(chars: &[char], i: usize) -> bool {
    let visible = |j: Option<usize>| {
        j.and_then(|j| chars.get(j))
            .is_some_and(|&c| !c.is_ascii() && !c.is_whitespace() && !is_invisible(c))
    };
    let before = visible(i.checked_sub(1));
    match chars[i] {
        '\u{200C}' | '\u{200D}' => before && visible(Some(i + 1)),
        '\u{FE00}'..='\u{FE0F}' => before,
        _ => false,
    }
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Keeps bidi controls that open and close within their line and drops the others, so what
/// an idea steers ends with it. Each line is its own paragraph to UAX #9 (a line break ends
/// every embedding), and unopened closers do nothing there; removing unclosed openers keeps
/// the text from growing past its limit, as adding closers would. LRM, RLM and ALM act only
/// where they stand and are kept.
fn balance_bidi(s: &str) -> String {
    #[derive(PartialEq)]
    enum Open {
        Embedding,
        Isolate,
    }
    let mut out = String::with_capacity(s.len());
    for (n, line) in s.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let chars: Vec<char> = line.chars().collect();
        let mut keep = vec![true; chars.len()];
        let mut open: Vec<(Open, usize)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '\u{202A}'..='\u{202E}' if c != '\u{202C}' => open.push((Open::Embedding, i)),
                '\u{2066}'..='\u{2068}' => open.push((Open::Isolate, i)),
                // PDF closes the innermost embedding, unless an isolate opened since.
                '\u{202C}' => match open.last() {
                    Some((Open::Embedding, _)) => {
                        open.pop();
                    }
                    _ => keep[i] = false,
                },
                // PDI closes the innermost isolate and every embedding opened inside it.
                '\u{2069}' => match open.iter().rposition(|(o, _)| *o == Open::Isolate) {
                    Some(at) => {
                        // The embeddings it closes implicitly stay paired: this PDI ends them.
                        open.truncate(at);
                    }
                    None => keep[i] = false,
                },
                _ => {}
            }
        }
        for (_, i) in open {
            keep[i] = false;
        }
        out.extend(chars.iter().zip(keep).filter(|(_, k)| *k).map(|(c, _)| c));
    }
    out
}

fn check_len(s: &str, what: &str, min: usize, max: usize) -> Result<(), Rejection> {
    let n = s.chars().count();
    if n < min {
        return reject(
            ErrorCode::TooShort,
            if min == 1 {
                why!("the {what} is empty")
            } else {
                why!("the {what} needs at least {min} characters")
            },
        );
    }
    if n > max {
        return reject(
            ErrorCode::TooLong,
            why!("the {what} has {n} characters; the limit is {max}"),
        );
    }
    Ok(())
}

/// Whether `s` is a calendar day written `YYYY-MM-DD` (ISO 8601, years 1000 to 9999): a
/// due date. Checked here rather than with a date crate, which the browser bundle would
/// carry for this one check.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[r];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0u32, |n, d| Some(n * 10 + u32::from(d - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1000 && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates() {
        for ok in ["2026-12-01", "2024-02-29", "2000-02-29", "1999-12-31"] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "2025-02-29",
            "1900-02-29",
            "2026-1-01",
            "2026/12/01",
            "2026-12-00",
            "2026-04-31",
            "0999-01-01",
            "２０２６-12-01",
            "",
            "2026-12-01T00:00",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(clean_line("  Ana  ", "name", 40).unwrap(), "Ana");
        assert_eq!(
            clean_line("   ", "name", 40).unwrap_err().code,
            ErrorCode::TooShort
        );
        assert_eq!(
            clean_line("a\u{7}b", "name", 40).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            clean_line("a\nb", "name", 40).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            clean_line(&"x".repeat(41), "name", 40).unwrap_err().code,
            ErrorCode::TooLong
        );
        // 40 Arabic letters are 80 bytes but 40 characters.
        assert!(clean_line(&"ب".repeat(40), "name", 40).is_ok());
    }

    #[test]
    fn texts() {
        assert_eq!(clean_text(" a\r\nb ", "idea", 1, 500).unwrap(), "a\nb");
        assert!(clean_text("a\tb", "idea", 1, 500).is_ok());
        assert_eq!(
            clean_text("a\u{0}b", "idea", 1, 500).unwrap_err().code,
            ErrorCode::Invalid
        );
        assert_eq!(
            clean_text("", "idea", 1, 500).unwrap_err().code,
            ErrorCode::TooShort
        );
        assert_eq!(clean_text("", "description", 0, 500).unwrap(), "");
    }

    #[test]
    fn bidi_in_free_text_is_balanced_per_line() {
        let rlo = '\u{202E}';
        let pdf = '\u{202C}';
        let rli = '\u{2067}';
        let pdi = '\u{2069}';
        // Unclosed opener dropped; a closed pair kept; a stray closer dropped.
        assert_eq!(balance_bidi(&format!("a{rlo}b")), "ab");
        assert_eq!(
            balance_bidi(&format!("a{rlo}b{pdf}c")),
            format!("a{rlo}b{pdf}c")
        );
        assert_eq!(balance_bidi(&format!("a{pdf}b")), "ab");
        // A line break ends every embedding: an opener and its closer on two lines are unpaired.
        assert_eq!(balance_bidi(&format!("a{rlo}\nb{pdf}")), "a\nb");
        // PDF cannot close across an isolate; PDI closes the embeddings opened inside it.
        assert_eq!(
            balance_bidi(&format!("{rli}{rlo}x{pdi}{pdf}")),
            format!("{rli}{rlo}x{pdi}")
        );
        // Marks act where they stand: kept.
        assert_eq!(balance_bidi("a\u{200F}b"), "a\u{200F}b");
        // Controls alone at an end leave no edge whitespace behind.
        assert_eq!(
            clean_text(&format!("idea {rlo}"), "idea", 1, 500).unwrap(),
            "idea"
        );
        // A dropped control between a letter and its accent: composed afterwards, so
        // cleaning is idempotent.
        let once = clean_text(&format!("cafe{rlo}\u{301}"), "idea", 1, 500).unwrap();
        assert_eq!(once, "café");
        assert_eq!(clean_text(&once, "idea", 1, 500).unwrap(), once);
    }

    #[test]
    fn joiners_only_inside_non_latin_words() {
        // Persian compound surname with a ZWNJ, an emoji sequence with a ZWJ and VS16.
        assert!(clean_line("علی\u{200C}زاده", "name", 40).is_ok());
        assert!(clean_line("Ana 👩\u{200D}💻", "name", 40).is_ok());
        assert!(clean_line("Ana ❤\u{FE0F}", "name", 40).is_ok());
        for bad in [
            "Olga\u{200D}",
            "Ol\u{200C}ga",
            "\u{200D}علی",
            "Olga\u{FE0F}",
            "Ana\u{00AD}",
            "Ana\u{3164}",
            "Ana\u{2060}",
            "Ana\u{E0041}",
            "Ana\u{FFF9}x\u{FFFB}",
        ] {
            assert_eq!(
                clean_line(bad, "name", 40).unwrap_err().code,
                ErrorCode::Invalid,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn looks() {
        let olga = NameLook::of("Olga");
        assert!(olga.looks_like("olga"));
        assert!(olga.looks_like("OLGA"));
        assert!(olga.looks_like("\u{041E}lga"));
        assert!(!olga.looks_like("Olgа\u{0301}"));
        assert!(!olga.looks_like("Olha"));
        assert!(NameLook::of("Ian").looks_like("lan"));
        assert!(NameLook::of("Pia  M.").looks_like("Pia M."));
    }
}

//! Plural categories for the six shipped languages, for whole numbers (every count the UI
//! shows is one). The rules are CLDR's (Unicode CLDR 44, `plurals.xml`, cardinal rules;
//! https://www.unicode.org/cldr/charts/44/supplemental/language_plural_rules.html) with
//! `v = 0` (no visible fraction digits) and `e = 0` (no compact exponent), so `n = i`.
//!
//! Written out here rather than taken from a crate: the general ones (`intl_pluralrules`,
//! ICU4X) carry every CLDR locale and a locale parser into the participant bundle to
//! answer for six languages, which this does in a few dozen lines.

use cafe_shared::Language;

/// A CLDR plural category. Translations key their forms by [`Plural::as_str`]:
/// `"board.count.one"`, `"board.count.other"`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Plural {
    pub fn as_str(self) -> &'static str {
        match self {
            Plural::Zero => "zero",
            Plural::One => "one",
            Plural::Two => "two",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }
}

/// The categories CLDR defines for `lang`'s cardinals: the forms its translation table
/// must hold for every plural key (a test checks that). `other` is always among them and
/// is the fallback (Russian uses it only for fractions, which the UI never shows).
pub fn categories(lang: Language) -> &'static [Plural] {
    use Plural::*;
    match lang {
        Language::En => &[One, Other],
        Language::Fr | Language::Es => &[One, Many, Other],
        Language::Ru => &[One, Few, Many, Other],
        Language::Ar => &[Zero, One, Two, Few, Many, Other],
        Language::Zh => &[Other],
    }
}

/// The category of the whole number `n` in `lang`.
pub fn category(lang: Language, n: u64) -> Plural {
    use Plural::*;
    match lang {
        // en: one → i = 1 and v = 0.
        Language::En => {
            if n == 1 {
                One
            } else {
                Other
            }
        }
        // fr: one → i = 0,1; many → e = 0 and i != 0 and i % 1000000 = 0 and v = 0
        // ("1 000 000 d'idées").
        Language::Fr => match n {
            0 | 1 => One,
            _ if n.is_multiple_of(1_000_000) => Many,
            _ => Other,
        },
        // es: one → n = 1; many → e = 0 and i != 0 and i % 1000000 = 0 and v = 0.
        Language::Es => match n {
            1 => One,
            _ if n != 0 && n.is_multiple_of(1_000_000) => Many,
            _ => Other,
        },
        // ru: one → v = 0 and i % 10 = 1 and i % 100 != 11;
        //     few → v = 0 and i % 10 = 2..4 and i % 100 != 12..14;
        //     many → v = 0 and (i % 10 = 0 or i % 10 = 5..9 or i % 100 = 11..14).
        Language::Ru => {
            let (d, h) = (n % 10, n % 100);
            if d == 1 && h != 11 {
                One
            } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
                Few
            } else {
                Many
            }
        }
        // ar: zero → n = 0; one → n = 1; two → n = 2; few → n % 100 = 3..10;
        //     many → n % 100 = 11..99; other (100–102, 200–202, …).
        Language::Ar => match (n, n % 100) {
            (0, _) => Zero,
            (1, _) => One,
            (2, _) => Two,
            (_, 3..=10) => Few,
            (_, 11..=99) => Many,
            _ => Other,
        },
        // zh: no plural forms.
        Language::Zh => Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use Plural::*;

    fn cats(lang: Language, ns: &[u64]) -> Vec<Plural> {
        ns.iter().map(|n| category(lang, *n)).collect()
    }

    /// The sample numbers CLDR lists for each category (integer samples).
    #[test]
    fn english() {
        assert_eq!(
            cats(Language::En, &[0, 1, 2, 11, 21, 101]),
            [Other, One, Other, Other, Other, Other]
        );
    }

    #[test]
    fn french_counts_zero_as_one_and_millions_apart() {
        assert_eq!(
            cats(
                Language::Fr,
                &[0, 1, 2, 17, 100, 1_000_000, 2_000_000, 1_000_001]
            ),
            [One, One, Other, Other, Other, Many, Many, Other]
        );
    }

    #[test]
    fn spanish() {
        assert_eq!(
            cats(Language::Es, &[0, 1, 2, 5, 1_000_000, 1_000_005]),
            [Other, One, Other, Other, Many, Other]
        );
    }

    #[test]
    fn russian_follows_the_last_digits() {
        assert_eq!(cats(Language::Ru, &[1, 21, 101, 1001]), [One; 4]);
        assert_eq!(cats(Language::Ru, &[2, 3, 4, 22, 24, 102]), [Few; 6]);
        assert_eq!(
            cats(Language::Ru, &[0, 5, 9, 11, 12, 14, 19, 20, 100, 111, 112]),
            [Many; 11]
        );
    }

    #[test]
    fn arabic_has_six_categories() {
        assert_eq!(
            cats(
                Language::Ar,
                &[0, 1, 2, 3, 10, 11, 26, 99, 100, 101, 102, 103, 111, 1000]
            ),
            [Zero, One, Two, Few, Few, Many, Many, Many, Other, Other, Other, Few, Many, Other]
        );
    }

    #[test]
    fn chinese_has_one_form() {
        assert_eq!(cats(Language::Zh, &[0, 1, 2, 100]), [Other; 4]);
    }

    /// Every category a rule returns is one the language's tables must define.
    #[test]
    fn rules_only_return_listed_categories() {
        for lang in Language::ALL {
            for n in 0..2_100_000u64 {
                if n > 1200 && n % 1000 != 0 && n % 1000 != 1 {
                    continue;
                }
                assert!(
                    categories(lang).contains(&category(lang, n)),
                    "{lang:?} {n}"
                );
            }
            assert!(categories(lang).contains(&Other));
        }
    }
}

//! The words of a board's notes, counted for the projector's word cloud.
//!
//! Pure and small on purpose: it runs in the browser of the projector (the `full` build
//! only; the participant's bundle never calls it, so none of it ships there) on every
//! change of the board. No segmentation tables: words are runs of letters and digits
//! (`char::is_alphanumeric`, which knows every script) with the combining marks inside
//! them, which is enough for the six UI languages except Chinese, written without spaces:
//! the projector first has the browser's own word segmenter (`Intl.Segmenter`, ICU's
//! dictionary) put spaces between Chinese words, and without one a run of Han characters
//! counts as one word (see [`word_counts`]).

use std::collections::{BTreeMap, BTreeSet};

/// One word of the cloud and in how many notes it occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordCount {
    pub word: String,
    pub count: u32,
}

/// The `max` most frequent words of `texts`, most frequent first (ties in the words' order),
/// each counted once per text: a note repeating "green green green" is one vote for green.
///
/// A word is a run of letters, digits and their combining marks, split at apostrophes
/// (French "l'école" gives "école"); inner hyphens stay ("co-working"). Words are lowercased;
/// Arabic loses its vowel marks and tatweel, and its alef forms become plain alef, so the
/// same word written two ways counts once. Dropped: words shorter than 3 characters (2 for
/// Chinese, Japanese and Korean; an acronym in capitals like "AI" stays), numbers, and the
/// commonest little words of the six UI languages. Chinese has no spaces: a run of Han
/// characters is one word, split at punctuation and at a few function characters (的 和 与
/// 及 或). A dictionary segmenter would be far too big to ship, so the browser's own
/// (`Intl.Segmenter`) spaces the text out first where there is one.
pub fn word_counts<'a>(texts: impl IntoIterator<Item = &'a str>, max: usize) -> Vec<WordCount> {
    let stop: BTreeSet<&str> = STOP_WORDS.iter().flat_map(|l| l.iter().copied()).collect();
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for text in texts {
        seen.clear();
        for raw in text.split(|c: char| !is_word_char(c)) {
            for part in raw.split(['\'', '’', 'ʼ']) {
                let part = part.trim_matches('-');
                if let Some(w) = normalise(part).filter(|w| keep(w, part, &stop)) {
                    seen.insert(w);
                }
            }
        }
        for w in seen.iter() {
            *counts.entry(w.clone()).or_default() += 1;
        }
    }
    let mut out: Vec<WordCount> = counts
        .into_iter()
        .map(|(word, count)| WordCount { word, count })
        .collect();
    // Stable: equal counts keep the map's (alphabetical) order.
    out.sort_by_key(|w| std::cmp::Reverse(w.count));
    out.truncate(max);
    out
}

/// Letters, digits, the marks that belong to them, the joiners some scripts need inside a
/// word, apostrophes and hyphens (split or trimmed afterwards). Chinese function characters
/// end a word.
fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() && !HAN_SPLIT.contains(&c))
        || is_mark(c)
        || matches!(c, '\u{200C}' | '\u{200D}' | '\'' | '’' | 'ʼ' | '-')
}

/// Combining marks of the scripts the UI speaks (a decomposed accent, Arabic harakat,
/// Cyrillic titlos): `is_alphanumeric` says no to them, yet they sit inside words.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{20D0}'..='\u{20FF}')
}

/// Chinese function characters that end a word (only ones rarely inside other words).
const HAN_SPLIT: [char; 5] = ['的', '和', '与', '及', '或'];

/// The word as counted: lowercased; Arabic without vowel marks or tatweel and with one alef.
fn normalise(part: &str) -> Option<String> {
    if part.is_empty() {
        return None;
    }
    let mut w = String::with_capacity(part.len());
    for c in part.chars().flat_map(char::to_lowercase) {
        match c {
            '\u{0640}' | '\u{200C}' | '\u{200D}' => {}
            c if is_arabic_mark(c) => {}
            'أ' | 'إ' | 'آ' | 'ٱ' => w.push('ا'),
            c => w.push(c),
        }
    }
    (!w.is_empty()).then_some(w)
}

fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

fn keep(word: &str, original: &str, stop: &BTreeSet<&str>) -> bool {
    if word.chars().all(|c| c.is_numeric() || c == '-') || stop.contains(word) {
        return false;
    }
    let letters = word.chars().filter(|c| !is_mark(*c)).count();
    let min = if word.chars().any(is_cjk) { 2 } else { 3 };
    letters >= min || (letters == 2 && is_acronym(original))
}

/// "AI", "UX", "EU": two capitals mean something; two small letters rarely do.
fn is_acronym(s: &str) -> bool {
    s.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) && s.chars().any(char::is_uppercase)
}

/// Chinese, Japanese or Korean: scripts a browser's word segmenter should split before
/// [`word_counts`] sees them.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // kana
        | '\u{3400}'..='\u{4DBF}' // Han extension A
        | '\u{4E00}'..='\u{9FFF}' // Han
        | '\u{AC00}'..='\u{D7AF}' // Hangul
        | '\u{F900}'..='\u{FAFF}')
}

/// The commonest little words of the six UI languages, as [`normalise`] writes them. Words
/// shorter than three letters are dropped anyway, so they are not listed. Short on purpose:
/// a word people chose to write is worth showing.
const STOP_WORDS: [&[&str]; 6] = [
    // English
    &[
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "was", "our", "out",
        "has", "have", "with", "this", "that", "from", "they", "will", "would", "there", "their",
        "what", "about", "which", "when", "more", "some", "than", "then", "them", "these", "into",
        "its", "also", "how", "who", "should", "could", "been", "were", "your", "very", "just",
        "other", "only", "such", "each", "don", "doesn", "isn", "let", "get",
    ],
    // French
    &[
        "les", "des", "une", "est", "pour", "que", "qui", "dans", "par", "sur", "pas", "plus",
        "avec", "son", "ses", "aux", "ont", "sont", "mais", "nous", "vous", "ils", "elle", "elles",
        "cette", "ces", "tout", "tous", "toutes", "comme", "être", "avoir", "fait", "faire",
        "leur", "leurs", "entre", "aussi", "très", "bien", "peut", "sans", "sous", "notre", "nos",
        "votre", "vos", "quand", "car", "donc",
    ],
    // Spanish
    &[
        "los", "las", "una", "uno", "unos", "unas", "del", "que", "por", "para", "con", "sin",
        "sobre", "entre", "como", "más", "pero", "sus", "este", "esta", "estos", "estas", "esto",
        "eso", "ese", "esa", "son", "está", "están", "ser", "hay", "muy", "todo", "todos",
        "también", "cuando", "donde", "nos", "les", "porque", "puede", "nuestro", "nuestra",
    ],
    // Russian
    &[
        "что",
        "как",
        "это",
        "для",
        "все",
        "всё",
        "так",
        "его",
        "она",
        "они",
        "оно",
        "был",
        "была",
        "были",
        "быть",
        "будет",
        "при",
        "или",
        "уже",
        "еще",
        "ещё",
        "нет",
        "нам",
        "них",
        "чтобы",
        "если",
        "только",
        "очень",
        "тоже",
        "также",
        "где",
        "когда",
        "который",
        "которые",
        "этот",
        "эта",
        "эти",
        "свой",
        "себя",
        "можно",
        "нужно",
        "надо",
        "наш",
        "наши",
    ],
    // Arabic (one alef, no vowel marks, as normalise leaves them)
    &[
        "على",
        "الى",
        "التي",
        "الذي",
        "الذين",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "كان",
        "كانت",
        "يكون",
        "ليس",
        "لكن",
        "بين",
        "عند",
        "حتى",
        "مثل",
        "ايضا",
        "منذ",
        "نحن",
        "هناك",
        "فيها",
        "فيه",
        "منها",
        "عليها",
        "وهو",
        "وهي",
        "اذا",
        "غير",
        "بعد",
        "قبل",
        "ضمن",
        "لها",
        "لهم",
    ],
    // Chinese
    &[
        "我们", "他们", "你们", "这个", "那个", "一个", "可以", "没有", "因为", "所以", "但是",
        "如果", "就是", "还是", "什么", "这些", "那些", "自己", "已经", "应该",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn words(texts: &[&str]) -> Vec<(String, u32)> {
        word_counts(texts.iter().copied(), 40)
            .into_iter()
            .map(|w| (w.word, w.count))
            .collect()
    }

    #[test]
    fn counts_each_word_once_per_note_most_frequent_first() {
        let got = words(&[
            "Remote work and more remote WORK",
            "Remote teams need trust",
            "Trust the team, remote or not",
        ]);
        assert_eq!(got[0], ("remote".into(), 3));
        assert_eq!(got[1], ("trust".into(), 2));
        assert_eq!(got[2], ("need".into(), 1), "ties in alphabetical order");
        assert!(!got
            .iter()
            .any(|(w, _)| w == "the" || w == "and" || w == "or"));
        assert_eq!(got.len(), 6, "{got:?}");
    }

    #[test]
    fn top_n_and_nothing_from_nothing() {
        assert!(words(&[]).is_empty());
        assert!(words(&["", "  ", "!!! ... 42 2040"]).is_empty());
        let many: Vec<String> = (0..60).map(|i| format!("word{i:02}")).collect();
        let got = word_counts(many.iter().map(String::as_str), 10);
        assert_eq!(got.len(), 10);
        assert_eq!(got[0].word, "word00");
    }

    #[test]
    fn accented_and_cyrillic_words_are_whole_words() {
        let got = words(&[
            "L'école d'été à Genève",
            "Café-école, été ensoleillé",
            "ÉCOLE ouverte",
            "Удалённая работа — это свобода",
            "удалённая РАБОТА",
        ]);
        assert!(got.contains(&("école".into(), 2)), "{got:?}");
        assert!(got.contains(&("été".into(), 2)));
        assert!(
            got.contains(&("café-école".into(), 1)),
            "inner hyphens stay"
        );
        assert!(got.contains(&("genève".into(), 1)));
        assert!(got.contains(&("удалённая".into(), 2)));
        assert!(got.contains(&("работа".into(), 2)));
        assert!(!got.iter().any(|(w, _)| w == "это" || w == "à" || w == "d"));
    }

    #[test]
    fn arabic_words_count_once_however_they_are_vowelled() {
        let got = words(&[
            "التعليم عن بُعد في المدارس",
            "التَّعْلِيمُ للجميع",
            "مستقبل التعليم",
            "أفكار جديدة",
            "افكار من الطلاب",
        ]);
        assert_eq!(got[0], ("التعليم".into(), 3), "{got:?}");
        assert!(got.contains(&("افكار".into(), 2)), "alef forms are one");
        assert!(got.contains(&("المدارس".into(), 1)));
        assert!(!got.iter().any(|(w, _)| w == "في" || w == "من" || w == "عن"));
        // A vowel mark never splits a word: "مُسْتَقْبَل" is "مستقبل".
        let got = words(&["مُسْتَقْبَلُ العمل", "مستقبل المدن"]);
        assert_eq!(got[0], ("مستقبل".into(), 2), "{got:?}");
    }

    #[test]
    fn short_words_go_but_acronyms_and_cjk_pairs_stay() {
        let got = words(&["AI in the EU", "ai is ok", "远程工作的未来", "远程工作"]);
        assert!(got.contains(&("ai".into(), 1)), "{got:?}");
        assert!(got.contains(&("eu".into(), 1)));
        assert!(!got.iter().any(|(w, _)| w == "ok" || w == "is" || w == "in"));
        assert!(got.contains(&("远程工作".into(), 2)));
        assert!(got.contains(&("未来".into(), 1)));
    }

    #[test]
    fn stop_words_are_written_as_normalise_leaves_them() {
        for w in STOP_WORDS.iter().flat_map(|l| l.iter()) {
            assert_eq!(normalise(w).as_deref(), Some(*w), "{w}");
        }
    }
}

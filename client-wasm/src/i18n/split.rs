//! The language tables' one format, `key` U+001F `text` U+001E …: the English table as
//! compiled in (`en.rs`), and the other languages as `scripts/build-client.sh` writes them
//! (`dist/i18n/{code}.txt`, from `static/i18n/{code}.json`), which the browser then reads
//! without a JSON parser. Its own file so that the server's tests read the served tables
//! with this same function.

/// Splits a table into its pairs.
pub fn pairs(text: &'static str) -> Vec<(&'static str, &'static str)> {
    text.split_terminator('\u{1e}')
        .filter_map(|pair| pair.split_once('\u{1f}'))
        .collect()
}

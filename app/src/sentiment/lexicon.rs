//! The two word lists of vaderSentiment 3.3.2, embedded in the binary and parsed once.
//!
//! * `vader_lexicon.txt`: `token<TAB>mean valence<TAB>sd<TAB>[ratings]`; only the first two
//!   columns are used. A token listed twice keeps its last valence, as a Python dict does.
//! * `emoji_utf8_lexicon.txt`: `emoji<TAB>description`. The reference looks emojis up one
//!   code point at a time, so only single-code-point entries can ever match; the others
//!   (flags, keycaps, emojis with a variation selector) are kept out of the table.

use super::text::py_strip;
use std::collections::HashMap;
use std::sync::LazyLock;

const VADER_LEXICON: &str = include_str!("vader_lexicon.txt");
const EMOJI_LEXICON: &str = include_str!("emoji_utf8_lexicon.txt");

/// Token (as written in the file; lookups use the lowercased token) → mean valence.
pub(super) static LEXICON: LazyLock<HashMap<&'static str, f64>> = LazyLock::new(|| {
    let mut map = HashMap::with_capacity(7600);
    for (word, measure) in rows(VADER_LEXICON) {
        let valence = measure
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("vader_lexicon.txt: bad valence {measure:?} for {word:?}"));
        map.insert(word, valence);
    }
    map
});

/// Emoji (one code point) → its description, e.g. '😡' → "pouting face".
pub(super) static EMOJIS: LazyLock<HashMap<char, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::with_capacity(1300);
    for (emoji, description) in rows(EMOJI_LEXICON) {
        let mut chars = emoji.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            map.insert(c, description);
        }
    }
    map
});

/// Whether the lowercased token is a lexicon word.
pub(super) fn contains(lower: &str) -> bool {
    LEXICON.contains_key(lower)
}

/// The valence of a lowercased token, if it is a lexicon word.
pub(super) fn valence(lower: &str) -> Option<f64> {
    LEXICON.get(lower).copied()
}

/// The first two tab-separated columns of every non-empty line, each line stripped of
/// surrounding whitespace first (which also drops the files' `\r`), as the reference does.
fn rows(file: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    file.split('\n').filter_map(|line| {
        let line = py_strip(line);
        if line.is_empty() {
            return None;
        }
        let mut cols = line.split('\t');
        let first = cols.next()?;
        let second = cols
            .next()
            .unwrap_or_else(|| panic!("lexicon line without a tab: {line:?}"));
        Some((first, second))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicons_load_with_the_reference_sizes() {
        // Python: len(analyzer.lexicon) == 7506 (7520 lines, 14 repeated tokens).
        assert_eq!(LEXICON.len(), 7506);
        assert_eq!(valence("no"), Some(-1.2));
        // 1212 of the 3570 emojis are a single code point, the only ones ever matched.
        assert_eq!(EMOJIS.len(), 1212);
        assert_eq!(EMOJIS.get(&'😡'), Some(&"pouting face"));
    }
}

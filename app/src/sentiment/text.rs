//! Turning a reply into VADER's tokens, with Python's string semantics where they differ
//! from Rust's (what counts as whitespace, what `str.isupper()` means).

use super::lexicon::EMOJIS;

/// Python's `str.isspace()` for one character: Rust's `char::is_whitespace` plus the four
/// information separators U+001C..U+001F, which Python also splits and strips on.
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `s.strip()`.
pub(super) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `s.isupper()`: at least one cased character and none lowercase or titlecase,
/// so "I", "OK" and "I'M" are upper, "123" and ":)" are not.
pub(super) fn py_isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// The Unicode titlecase letters (general category Lt), e.g. 'ǅ'.
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1c5}'
            | '\u{1c8}'
            | '\u{1cb}'
            | '\u{1f2}'
            | '\u{1f88}'..='\u{1f8f}'
            | '\u{1f98}'..='\u{1f9f}'
            | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

/// Replaces every emoji of the emoji lexicon by its description. A space is put before a
/// description unless the previous character was a plain space (or it starts the text);
/// none is put after it, so "👍thanks" becomes "thumbs upthanks" — a quirk of the
/// reference, kept. The result is stripped of surrounding whitespace.
pub(super) fn replace_emojis(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = EMOJIS.get(&c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    py_strip(&out).to_string()
}

/// The text split into VADER's tokens, with the facts the rules need about them.
pub(super) struct SentiText {
    /// Tokens as written (case kept, for the ALL-CAPS rules).
    pub words: Vec<String>,
    /// The same tokens lowercased, for every lookup.
    pub lower: Vec<String>,
    /// Some but not all tokens are ALL CAPS: only then does capitalisation add emphasis.
    pub is_cap_diff: bool,
}

impl SentiText {
    /// Splits on whitespace and strips leading and trailing ASCII punctuation from each
    /// token, unless that leaves two characters or fewer (then the token is probably an
    /// emoticon such as ":)" or "<3" and is kept whole — so "ok." stays "ok.").
    pub fn new(text: &str) -> SentiText {
        let words: Vec<String> = text
            .split(is_py_space)
            .filter(|w| !w.is_empty())
            .map(strip_punc_if_word)
            .collect();
        let lower = words.iter().map(|w| w.to_lowercase()).collect();
        let caps = words.iter().filter(|w| py_isupper(w)).count();
        let differential = words.len() - caps;
        SentiText {
            is_cap_diff: 0 < differential && differential < words.len(),
            words,
            lower,
        }
    }
}

fn strip_punc_if_word(token: &str) -> String {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().count() <= 2 {
        token.to_string()
    } else {
        stripped.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_emoticons_and_short_words_whole() {
        let t = SentiText::new("Thanks!!! :) ok. I'M \"fine\", no?");
        assert_eq!(t.words, ["Thanks", ":)", "ok.", "I'M", "fine", "no?"]);
        assert!(t.is_cap_diff);
        assert!(!SentiText::new("ALL CAPS HERE").is_cap_diff);
    }

    #[test]
    fn emojis_become_words_without_a_trailing_space() {
        assert_eq!(replace_emojis("ok👍thanks"), "ok thumbs upthanks");
        assert_eq!(replace_emojis("😡😡"), "pouting face pouting face");
    }

    #[test]
    fn python_isupper() {
        assert!(py_isupper("I") && py_isupper("OK!") && py_isupper("ÉTÉ"));
        assert!(!py_isupper("123") && !py_isupper(":)") && !py_isupper("Ok"));
    }
}

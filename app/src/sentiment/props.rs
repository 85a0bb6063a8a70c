//! Property tests of VADER on arbitrary text: whatever a customer writes (control
//! characters, NUL, right-to-left scripts, emoji sequences, ten thousand characters of it),
//! scoring never panics and every score is a finite number in its range.

use crate::domain::props::{config, hostile, long};
use proptest::prelude::*;

proptest! {
    #![proptest_config(config(3_000))]

    /// `compound` is finite and within [-1, 1]; the three shares are finite and within
    /// [0, 1], for any text up to the 10,000 characters a reply may have.
    #[test]
    fn scores_are_finite_and_in_range(text in prop_oneof![6 => hostile(), 1 => long(10_000)]) {
        let c = super::compound(&text);
        prop_assert!(c.is_finite() && (-1.0..=1.0).contains(&c), "compound {c}");
        let s = super::polarity(&text);
        for share in [s.neg, s.neu, s.pos] {
            prop_assert!(share.is_finite() && (0.0..=1.0).contains(&share), "{s:?}");
        }
    }

    /// Text built from lexicon words, boosters, negations, capitals and punctuation (the
    /// inputs the rules act on, in any order and amount) stays in range too.
    #[test]
    fn rule_soup_stays_in_range(words in proptest::collection::vec(proptest::sample::select(vec![
        "good", "GOOD", "bad", "BAD", "not", "no", "never", "very", "extremely", "barely",
        "kind", "of", "but", "BUT", "least", "the", "bomb", "yeah", "right", "!", "!!!!", "??",
        "?", ":)", ":(", "😡", "👍", "isn't", "without", "doubt", "love", "hate", "or", "nor",
    ]), 0..400)) {
        let text = words.join(" ");
        let c = super::compound(&text);
        prop_assert!(c.is_finite() && (-1.0..=1.0).contains(&c), "compound {c} for {text}");
    }
}

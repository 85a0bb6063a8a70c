//! VADER's heuristics: boosters and dampeners, negation, special idioms, "least" and "but".
//! Each function is a line-by-line port of its namesake in vaderSentiment 3.3.2, quirks
//! included; the comments say where the reference does something surprising.

use super::lexicon;
use super::text::py_isupper;

/// Mean intensity added by a booster ("very") or taken by a dampener ("barely").
pub(super) const B_INCR: f64 = 0.293;
pub(super) const B_DECR: f64 = -0.293;
/// Mean intensity added by writing a word in ALL CAPS among mixed-case words.
pub(super) const C_INCR: f64 = 0.733;
/// A negated word keeps 74 % of its valence with the opposite sign.
pub(super) const N_SCALAR: f64 = -0.74;

#[rustfmt::skip]
const NEGATE: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't",
    "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt",
    "havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't",
    "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor", "not",
    "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
    "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont",
    "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
];

#[rustfmt::skip]
const BOOSTERS: &[&str] = &[
    "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
    "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
    "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping",
    "flippin", "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully",
    "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
    "incredible", "incredibly", "intensely", "major", "majorly", "more", "most",
    "particularly", "purely", "quite", "really", "remarkably", "so", "substantially",
    "thoroughly", "total", "totally", "tremendous", "tremendously", "uber", "unbelievably",
    "unusually", "utter", "utterly", "very",
];

#[rustfmt::skip]
const DAMPENERS: &[&str] = &[
    "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of",
    "less", "little", "marginal", "marginally", "occasional", "occasionally", "partly",
    "scarce", "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof",
    "sort-of",
];

/// Phrases whose valence replaces that of the lexicon word inside them.
const SPECIAL_CASES: &[(&str, f64)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("badass", 1.5),
    ("bus stop", 0.0),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

/// `BOOSTER_DICT[word]` for a lowercased word or bigram.
pub(super) fn booster(lower: &str) -> Option<f64> {
    if BOOSTERS.contains(&lower) {
        Some(B_INCR)
    } else if DAMPENERS.contains(&lower) {
        Some(B_DECR)
    } else {
        None
    }
}

fn special_case(phrase: &str) -> Option<f64> {
    SPECIAL_CASES
        .iter()
        .find(|(p, _)| *p == phrase)
        .map(|&(_, v)| v)
}

/// A negation word, or any word containing "n't".
pub(super) fn negated(lower: &str) -> bool {
    NEGATE.contains(&lower) || lower.contains("n't")
}

/// What a preceding word adds to `valence`: ±B_INCR for a booster/dampener (sign follows the
/// valence), plus ±C_INCR if that booster is in ALL CAPS among mixed-case words.
pub(super) fn scalar_inc_dec(word: &str, lower: &str, valence: f64, is_cap_diff: bool) -> f64 {
    let Some(mut scalar) = booster(lower) else {
        return 0.0;
    };
    if valence < 0.0 {
        scalar *= -1.0;
    }
    if py_isupper(word) && is_cap_diff {
        if valence > 0.0 {
            scalar += C_INCR;
        } else {
            scalar -= C_INCR;
        }
    }
    scalar
}

/// Negation by the word `start_i + 1` places before word `i`.
/// Quirk kept: at distance 3 the reference's `a and b or c` makes "so"/"this" right before
/// the word boost it by 1.25 whether or not "never" precedes.
pub(super) fn negation_check(valence: f64, lower: &[String], start_i: usize, i: usize) -> f64 {
    let w = |k: usize| lower[i - k].as_str();
    match start_i {
        0 if negated(w(1)) => valence * N_SCALAR,
        1 => {
            if w(2) == "never" && (w(1) == "so" || w(1) == "this") {
                valence * 1.25
            } else if w(2) == "without" && w(1) == "doubt" {
                valence
            } else if negated(w(2)) {
                valence * N_SCALAR
            } else {
                valence
            }
        }
        2 => {
            if (w(3) == "never" && (w(2) == "so" || w(2) == "this"))
                || (w(1) == "so" || w(1) == "this")
            {
                valence * 1.25
            } else if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") {
                valence
            } else if negated(w(3)) {
                valence * N_SCALAR
            } else {
                valence
            }
        }
        _ => valence,
    }
}

/// Special idioms around word `i` (needs `i >= 3`): the first of the phrases ending just
/// before or at the word that is a special case sets the valence; then phrases starting at
/// the word may override it; then booster bigrams before the word ("kind of") add their
/// unsigned increment.
pub(super) fn special_idioms_check(mut valence: f64, lower: &[String], i: usize) -> f64 {
    let w = |k: usize| lower[k].as_str();
    let onezero = format!("{} {}", w(i - 1), w(i));
    let twoonezero = format!("{} {} {}", w(i - 2), w(i - 1), w(i));
    let twoone = format!("{} {}", w(i - 2), w(i - 1));
    let threetwoone = format!("{} {} {}", w(i - 3), w(i - 2), w(i - 1));
    let threetwo = format!("{} {}", w(i - 3), w(i - 2));

    for seq in [&onezero, &twoonezero, &twoone, &threetwoone, &threetwo] {
        if let Some(v) = special_case(seq) {
            valence = v;
            break;
        }
    }
    if lower.len() - 1 > i {
        if let Some(v) = special_case(&format!("{} {}", w(i), w(i + 1))) {
            valence = v;
        }
    }
    if lower.len() - 1 > i + 1 {
        if let Some(v) = special_case(&format!("{} {} {}", w(i), w(i + 1), w(i + 2))) {
            valence = v;
        }
    }
    for n_gram in [&threetwoone, &threetwo, &twoone] {
        if let Some(b) = booster(n_gram) {
            valence += b;
        }
    }
    valence
}

/// "least" right before a word negates it, except in "at least" and "very least".
pub(super) fn least_check(valence: f64, lower: &[String], i: usize) -> f64 {
    let before_is_least = |k: usize| !lexicon::contains(&lower[k]) && lower[k] == "least";
    if i > 1 && before_is_least(i - 1) {
        if lower[i - 2] != "at" && lower[i - 2] != "very" {
            return valence * N_SCALAR;
        }
        valence
    } else if i > 0 && before_is_least(i - 1) {
        valence * N_SCALAR
    } else {
        valence
    }
}

/// Contrastive "but": sentiments before the first "but" are halved, those after it weighted
/// 1.5. Quirk kept: the reference finds each sentiment's position with `list.index(value)`,
/// i.e. the first element equal to it — so equal values (the zeros of neutral words above
/// all) are rescaled at the first equal position, possibly more than once, and the later
/// ones not at all.
pub(super) fn but_check(lower: &[String], sentiments: &mut [f64]) {
    let Some(bi) = lower.iter().position(|w| w == "but") else {
        return;
    };
    for k in 0..sentiments.len() {
        let sentiment = sentiments[k];
        let si = sentiments
            .iter()
            .position(|&s| s == sentiment)
            .expect("the value is in the list");
        if si < bi {
            sentiments[si] = sentiment * 0.5;
        } else if si > bi {
            sentiments[si] = sentiment * 1.5;
        }
    }
}

//! Sentiment of a customer reply: an exact port of VADER (Hutto & Gilbert, 2014) as
//! implemented by the Python package vaderSentiment 3.3.2 (`SentimentIntensityAnalyzer
//! .polarity_scores`), MIT-licensed — see `LICENSE-vaderSentiment` beside this file.
//!
//! The reference implementation, not the paper, is the specification: its quirks are kept,
//! and `server/tests/sentiment.rs` checks every line of a committed corpus against scores
//! produced by the Python package.
//!
//! How a text is scored:
//! 1. Emojis are replaced by their description ("😡" → "pouting face").
//! 2. The text is split on whitespace; surrounding punctuation is stripped from each token
//!    unless that leaves two characters or fewer (emoticons like ":)" stay whole).
//! 3. Each token that is in the lexicon gets its valence (−4 … +4), then adjusted by the
//!    rules: "no" before a word negates it; ALL CAPS adds emphasis when the text is mixed
//!    case; up to three preceding boosters/dampeners ("very", "barely", "kind of") scale it
//!    (less the further away); a preceding negation ("not", "never", any "n't") multiplies it
//!    by −0.74; special idioms ("the bomb", "yeah right") replace it; "least" negates it.
//!    Other tokens — and boosters themselves — score 0.
//! 4. Contrastive "but" halves what comes before it and weighs what follows by 1.5.
//! 5. The sum, pushed away from zero by "!" (up to four) and "??"+, is normalised to
//!    `compound` = x / √(x² + 15) ∈ (−1, 1). `pos`, `neg` and `neu` are the shares of
//!    positive, negative and neutral tokens (each signed token counts |valence| + 1).

mod lexicon;
#[cfg(test)]
mod props;
mod rules;
mod text;

use rules::{C_INCR, N_SCALAR};
use text::{py_isupper, SentiText};

/// VADER's scores of one text, rounded like Python's `polarity_scores` (3 decimals for the
/// proportions, 4 for `compound`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    /// Share of negative sentiment, 0 … 1.
    pub neg: f64,
    /// Share of neutral tokens, 0 … 1 (0 for a text without tokens).
    pub neu: f64,
    /// Share of positive sentiment, 0 … 1.
    pub pos: f64,
    /// Normalised sum of all valences, −1 (most negative) … +1 (most positive).
    pub compound: f64,
}

/// Scores `text` exactly as vaderSentiment 3.3.2's `polarity_scores` does.
pub fn polarity(text: &str) -> Scores {
    let text = text::replace_emojis(text);
    let senti = SentiText::new(&text);
    let mut sentiments = Vec::with_capacity(senti.words.len());
    for i in 0..senti.words.len() {
        let lower = senti.lower[i].as_str();
        // Boosters and "kind" in "kind of" only modify their neighbours.
        let modifier = rules::booster(lower).is_some()
            || (lower == "kind" && senti.lower.get(i + 1).is_some_and(|next| next == "of"));
        sentiments.push(if modifier { 0.0 } else { valence(&senti, i) });
    }
    rules::but_check(&senti.lower, &mut sentiments);
    score(&sentiments, &text)
}

/// The compound score alone, −1 … +1 (≥ 0.05 is positive, ≤ −0.05 negative).
pub fn compound(text: &str) -> f64 {
    polarity(text).compound
}

/// The valence of token `i` in its context (0 if it is not a lexicon word).
fn valence(senti: &SentiText, i: usize) -> f64 {
    let (words, lower) = (&senti.words, &senti.lower);
    let Some(base) = lexicon::valence(&lower[i]) else {
        return 0.0;
    };
    let mut valence = base;
    // "no" followed by a lexicon word negates that word instead of counting itself.
    if lower[i] == "no" && i + 1 < lower.len() && lexicon::contains(&lower[i + 1]) {
        valence = 0.0;
    }
    if (i > 0 && lower[i - 1] == "no")
        || (i > 1 && lower[i - 2] == "no")
        || (i > 2 && lower[i - 3] == "no" && (lower[i - 1] == "or" || lower[i - 1] == "nor"))
    {
        valence = base * N_SCALAR;
    }
    // ALL CAPS among mixed case: away from zero (a zeroed "NO" becomes negative).
    if py_isupper(&words[i]) && senti.is_cap_diff {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }
    for start_i in 0..3 {
        // The word 1, 2 or 3 places before, if it is not a lexicon word itself.
        if i <= start_i || lexicon::contains(&lower[i - start_i - 1]) {
            continue;
        }
        let k = i - start_i - 1;
        let mut s = rules::scalar_inc_dec(&words[k], &lower[k], valence, senti.is_cap_diff);
        if start_i == 1 && s != 0.0 {
            s *= 0.95;
        }
        if start_i == 2 && s != 0.0 {
            s *= 0.9;
        }
        valence += s;
        valence = rules::negation_check(valence, lower, start_i, i);
        if start_i == 2 {
            valence = rules::special_idioms_check(valence, lower, i);
        }
    }
    rules::least_check(valence, lower, i)
}

/// Sums the valences into the four scores (Python's `score_valence`).
fn score(sentiments: &[f64], text: &str) -> Scores {
    if sentiments.is_empty() {
        return Scores {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    let mut sum: f64 = sentiments.iter().fold(0.0, |acc, s| acc + s);
    let amplifier = punctuation_emphasis(text);
    if sum > 0.0 {
        sum += amplifier;
    } else if sum < 0.0 {
        sum -= amplifier;
    }
    let compound = normalize(sum);

    let (mut pos_sum, mut neg_sum, mut neu_count) = (0.0_f64, 0.0_f64, 0u32);
    for &s in sentiments {
        if s > 0.0 {
            pos_sum += s + 1.0; // a signed word also counts as one word
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += amplifier;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= amplifier;
    }
    let total = pos_sum + neg_sum.abs() + f64::from(neu_count);
    Scores {
        neg: round(neg_sum.abs() / total, 3),
        neu: round(f64::from(neu_count) / total, 3),
        pos: round(pos_sum / total, 3),
        compound: round(compound, 4),
    }
}

/// 0.292 per "!" (at most four); for two or three "?" 0.18 each, for more 0.96.
fn punctuation_emphasis(text: &str) -> f64 {
    let ep = text.matches('!').count().min(4) as f64 * 0.292;
    let qm = match text.matches('?').count() {
        n @ 2..=3 => n as f64 * 0.18,
        n if n > 3 => 0.96,
        _ => 0.0,
    };
    ep + qm
}

/// x / √(x² + 15), clamped to −1 … 1.
fn normalize(score: f64) -> f64 {
    (score / (score * score + 15.0).sqrt()).clamp(-1.0, 1.0)
}

/// Python's `round(x, digits)`: the decimal nearest to the exact binary value, ties to even.
fn round(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores as `vaderSentiment` 3.3.2 gives them: (compound, neg, neu, pos).
    fn assert_scores(text: &str, expected: (f64, f64, f64, f64)) {
        let s = polarity(text);
        let got = (s.compound, s.neg, s.neu, s.pos);
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn matches_the_reference_where_the_old_crate_did_not() {
        assert_scores(
            "No worries, these things happen.",
            (0.3252, 0.0, 0.632, 0.368),
        );
        assert_scores(
            "I did not expect a gift, wow, thank you!",
            (0.6353, 0.16, 0.4, 0.44),
        );
        assert_scores(
            "No complaints here, the refund was more than fair.",
            (0.5908, 0.0, 0.591, 0.409),
        );
    }

    #[test]
    fn a_text_without_tokens_scores_all_zeros() {
        // Python returns neu 0.0 (not 1.0) when there is nothing to score.
        for text in ["", "   ", "\n\t"] {
            assert_scores(text, (0.0, 0.0, 0.0, 0.0));
        }
    }

    #[test]
    fn rules_and_quirks_of_the_reference() {
        // "never this" boosts instead of negating; "without a doubt" does not negate.
        assert_scores(
            "Support has never been this good, thank you!",
            (0.8346, 0.0, 0.361, 0.639),
        );
        assert_scores(
            "Without a doubt the best support we have had from any vendor.",
            (0.8406, 0.0, 0.5, 0.5),
        );
        // "least" negates; "but" shifts the weight to what follows.
        assert_scores(
            "This was the least helpful reply I've ever received.",
            (-0.3252, 0.226, 0.774, 0.0),
        );
        assert_scores(
            "The service was great but the billing mess was a nightmare.",
            (-0.1779, 0.22, 0.608, 0.172),
        );
        // ALL CAPS in mixed case and "!!!" add emphasis; "kind of" dampens.
        assert_scores("This is UNACCEPTABLE!!!", (-0.6817, 0.697, 0.303, 0.0));
        assert_scores("It was kind of good.", (0.3832, 0.0, 0.605, 0.395));
        // A capitalised "no" before a lexicon word is zeroed, then pushed negative by CAPS.
        assert_scores("NO problem", (0.1343, 0.434, 0.0, 0.566));
        // An emoji becomes its description, glued to the next word: "ok thumbs upthanks".
        assert_scores("ok👍thanks", (0.296, 0.0, 0.476, 0.524));
        assert_scores(
            "Yeah right, \"minor disruption\".",
            (-0.0772, 0.373, 0.299, 0.328),
        );
    }

    #[test]
    fn labels_follow_the_standard_thresholds() {
        use crate::domain::SentimentLabel;
        assert_eq!(compound("Thanks, that was fast!"), 0.4926);
        assert_eq!(
            SentimentLabel::of(compound("Thanks, that was fast!")),
            SentimentLabel::Positive
        );
        assert_eq!(
            SentimentLabel::of(compound("Never again.")),
            SentimentLabel::Neutral
        );
        assert_eq!(
            SentimentLabel::of(compound("This is UNACCEPTABLE!!!")),
            SentimentLabel::Negative
        );
    }
}

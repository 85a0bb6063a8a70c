//! Holdout experiments: when a recovery action is given to a selection of an incident's
//! affected customers, a share of them may be held out at random. The held-out customers
//! get nothing from this action (or only a named control action, e.g. an apology), so the
//! difference between the two arms is the action's effect, not the team's choice of whom
//! to give it to.
//!
//! The draw is reproducible from its recorded seed: the selected customers in increasing
//! id order are shuffled with Fisher–Yates driven by SplitMix64 (`j = next() mod (i + 1)`
//! for i from n − 1 down to 1), and the first `held_out` of the shuffled order are held out.

use super::analytics::{MeanCi, SurvivalAt};
use super::ActionKind;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The shares an editor may hold out, in whole per cent.
pub const SHARES: &[u32] = &[5, 10, 20, 25, 50];
/// The largest share that may be held out: beyond half, the "treated" arm is the control.
pub const MAX_SHARE: u32 = 50;

/// A holdout asked for with a giving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holdout {
    /// Whole per cent of the selected customers held out, 1 to 50.
    pub share_pct: u32,
    /// What the held-out customers get instead (with no value and no cost), if anything.
    pub control: Option<ActionKind>,
}

impl Holdout {
    /// Parse the form's or the API's holdout: `share` empty or `0` means none.
    pub fn parse(share: &str, control: &str, kind: ActionKind) -> Result<Option<Self>, AppError> {
        let share = share.trim().trim_end_matches('%').trim();
        if share.is_empty() || share == "0" {
            if !control.trim().is_empty() {
                return Err(AppError::field(
                    "control",
                    "A control action needs a share held out.",
                ));
            }
            return Ok(None);
        }
        let share_pct = share
            .parse::<u32>()
            .ok()
            .filter(|s| (1..=MAX_SHARE).contains(s))
            .ok_or_else(|| {
                AppError::field(
                    "holdout",
                    format!("Hold out a whole per cent from 1 to {MAX_SHARE}, or none."),
                )
            })?;
        let control = match control.trim() {
            "" | "none" => None,
            code => Some(ActionKind::parse(code).map_err(|_| {
                AppError::field(
                    "control",
                    "Choose what the held-out customers get, or nothing.",
                )
            })?),
        };
        if control == Some(kind) {
            return Err(AppError::field(
                "control",
                "The control must differ from the action being tested.",
            ));
        }
        Ok(Some(Holdout { share_pct, control }))
    }

    /// How many of `selected` customers are held out: the share, rounded half up. Both arms
    /// must have someone in them; the message is about the `holdout` field.
    pub fn held_out_of(&self, selected: u64) -> Result<u64, String> {
        let held = (selected * u64::from(self.share_pct) + 50) / 100;
        if held == 0 || held >= selected {
            return Err(format!(
                "Holding out {} % of {} selected customers leaves an arm empty; choose a larger share or more customers.",
                self.share_pct, selected
            ));
        }
        Ok(held)
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output for a seed is
/// fixed forever, so anyone can redraw an experiment's arms from its seed.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Which of `n` customers (in increasing id order) are held out: exactly `held_out` of them,
/// drawn from `seed` as the module documents.
pub fn assign(n: usize, held_out: usize, seed: u64) -> Vec<bool> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let mut out = vec![false; n];
    for &k in order.iter().take(held_out) {
        out[k] = true;
    }
    out
}

/// What giving with a holdout would do, shown before it is confirmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutPreview {
    pub incident_id: i64,
    pub incident_title: String,
    pub kind: ActionKind,
    pub control: Option<ActionKind>,
    pub share_pct: u32,
    pub selected: u64,
    pub treated: u64,
    pub held_out: u64,
}

impl HoldoutPreview {
    /// "412 will get a credit, 46 are held out (and get an apology only)."
    pub fn sentence(&self) -> String {
        let rest = match self.control {
            Some(c) => format!(" and get {} only", c.label().to_lowercase()),
            None => " and get nothing from it".into(),
        };
        format!(
            "{} will get {}, {} {} held out{rest}.",
            super::group_thousands(self.treated),
            self.kind.label().to_lowercase(),
            super::group_thousands(self.held_out),
            if self.held_out == 1 { "is" } else { "are" },
        )
    }
}

/// A started experiment: the giving and its draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentStarted {
    pub experiment_id: i64,
    pub treated: u64,
    pub held_out: u64,
    pub seed: u64,
}

/// A difference treated − held out with its 95 % interval and standard error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub se: f64,
}

impl Effect {
    /// True when the interval leaves out zero.
    pub fn is_clear(&self) -> bool {
        self.lower > 0.0 || self.upper < 0.0
    }
}

/// One arm's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmFigures {
    /// Customers assigned to the arm (still affected by the incident).
    pub customers: u64,
    /// Followed for retention: not churned before the experiment started.
    pub followed: u64,
    pub churned: u64,
    /// Mean of each replying customer's mean reply sentiment, with its t-interval; n is
    /// the customers who replied.
    pub sentiment: Option<MeanCi>,
    pub s30: Option<SurvivalAt>,
    pub s90: Option<SurvivalAt>,
    pub s180: Option<SurvivalAt>,
}

/// An experiment with its figures and verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentReport {
    pub id: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub kind: ActionKind,
    pub control: Option<ActionKind>,
    pub share_pct: u32,
    /// The recorded seed of the draw, as decimal text (it is a u64).
    pub seed: String,
    /// When the action was given (epoch ms): time 0 of retention.
    pub started_at: i64,
    /// Retention is censored at this date's midnight (UTC), `YYYY-MM-DD`.
    pub as_of: String,
    pub treated: ArmFigures,
    pub held_out: ArmFigures,
    /// Treated − held out mean sentiment (Welch's interval).
    pub sentiment_effect: Option<Effect>,
    /// Treated − held out S(90) (normal approximation, Greenwood variances).
    pub s90_effect: Option<Effect>,
    /// Log-rank test between the arms.
    pub logrank_p: Option<f64>,
    pub verdict: String,
}

/// Experiments of one action kind pooled (fixed effect, inverse-variance weights).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PooledEffect {
    pub kind: ActionKind,
    pub experiments: u64,
    pub treated: u64,
    pub held_out: u64,
    pub sentiment_effect: Option<Effect>,
    /// How many experiments the sentiment effect pools (those with one).
    pub sentiment_experiments: u64,
    pub s90_effect: Option<Effect>,
    pub s90_experiments: u64,
    pub verdict: String,
}

/// Every experiment, newest first, and the pooled effect per action kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentsView {
    pub as_of: String,
    pub experiments: Vec<ExperimentReport>,
    pub pooled: Vec<PooledEffect>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_published_sequence() {
        // The reference implementation's first outputs for seed 1234567.
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        assert_eq!(r.next_u64(), 9817491932198370423);
    }

    #[test]
    fn assignment_is_exact_and_reproducible() {
        let a = assign(458, 46, 42);
        assert_eq!(a.iter().filter(|h| **h).count(), 46);
        assert_eq!(a, assign(458, 46, 42));
        assert_ne!(a, assign(458, 46, 43));
        assert_eq!(assign(1, 0, 9), vec![false]);
        assert!(assign(0, 0, 9).is_empty());
    }

    #[test]
    fn shares_round_half_up_and_keep_both_arms() {
        let h = Holdout {
            share_pct: 10,
            control: None,
        };
        assert_eq!(h.held_out_of(458).unwrap(), 46);
        assert_eq!(h.held_out_of(15).unwrap(), 2);
        assert!(h.held_out_of(4).is_err());
        let half = Holdout {
            share_pct: 50,
            control: None,
        };
        assert_eq!(half.held_out_of(3).unwrap(), 2);
        assert!(half.held_out_of(1).is_err());
    }

    #[test]
    fn parse_names_the_wrong_field() {
        let k = ActionKind::Credit;
        assert_eq!(Holdout::parse("", "", k).unwrap(), None);
        assert_eq!(Holdout::parse("0", "", k).unwrap(), None);
        assert_eq!(
            Holdout::parse("10", "apology", k).unwrap(),
            Some(Holdout {
                share_pct: 10,
                control: Some(ActionKind::Apology)
            })
        );
        assert_eq!(Holdout::parse("20%", "", k).unwrap().unwrap().share_pct, 20);
        for bad in ["51", "-1", "ten", "2.5"] {
            assert!(
                matches!(Holdout::parse(bad, "", k), Err(AppError::Field { ref field, .. }) if field == "holdout"),
                "{bad}"
            );
        }
        assert!(
            matches!(Holdout::parse("10", "credit", k), Err(AppError::Field { ref field, .. }) if field == "control")
        );
        assert!(
            matches!(Holdout::parse("", "apology", k), Err(AppError::Field { ref field, .. }) if field == "control")
        );
        assert!(
            matches!(Holdout::parse("10", "cake", k), Err(AppError::Field { ref field, .. }) if field == "control")
        );
    }

    #[test]
    fn the_preview_reads_as_a_sentence() {
        let p = HoldoutPreview {
            incident_id: 1,
            incident_title: "t".into(),
            kind: ActionKind::Credit,
            control: None,
            share_pct: 10,
            selected: 458,
            treated: 412,
            held_out: 46,
        };
        assert_eq!(
            p.sentence(),
            "412 will get credit, 46 are held out and get nothing from it."
        );
    }
}

//! Kaplan–Meier survival curve with 95 % Greenwood log(−log) intervals, computed as
//! lifelines' `KaplanMeierFitter` does (DESIGN: "Retention by action").
//!
//! At each distinct time tᵢ with nᵢ subjects at risk (duration ≥ tᵢ) and dᵢ events:
//!
//! ```text
//! S(tᵢ)  = Π_{j ≤ i} (n_j − d_j) / n_j
//! V(tᵢ)  = Σ_{j ≤ i} d_j / (n_j (n_j − d_j))           (Greenwood sum; a term with n = d is 0)
//! bounds = exp(−exp( ln(−ln S) ∓ z √V / ln S ))          (z = Φ⁻¹(0.975))
//! ```
//!
//! Ties: events and censorings at the same time all count in nᵢ (a subject censored at t was
//! still at risk at t), as in lifelines' `event_table`.
//!
//! Where ln(−ln S) is undefined the interval has no width, mirroring what lifelines outputs:
//! S = 1 (no event yet) → bounds 1 and 1 (lifelines' `fillna(1.0)` of its NaN); S = 0 (the
//! last subjects churned) → bounds 0 and 0 (lifelines drops the infinite Greenwood term and
//! its formula then gives exactly 0).

use serde::{Deserialize, Serialize};

use super::interval::{Interval, Z_975};

/// Durations or flags that cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurvivalInputError {
    #[error("{durations} durations but {events} event flags")]
    LengthMismatch { durations: usize, events: usize },
    #[error("duration #{index} is {value}: durations must be finite and ≥ 0")]
    InvalidDuration { index: usize, value: f64 },
}

/// One distinct time of the curve (an event or a censoring happened there).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KmStep {
    /// Time in days since time 0.
    pub time: f64,
    /// S(t), in force from this time on (right-continuous).
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
    /// Greenwood sum V(t) behind the interval.
    pub greenwood: f64,
    /// Subjects at risk just before t (duration ≥ t).
    pub at_risk: usize,
    /// Events (churns) at t.
    pub events: usize,
    /// Censorings at t.
    pub censored: usize,
}

/// A fitted Kaplan–Meier curve: one step per distinct duration, in increasing time.
/// There is no artificial step at time 0: before the first step S = 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmCurve {
    /// Number of subjects.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    pub steps: Vec<KmStep>,
}

/// Validates the input and returns (duration, event) pairs sorted by duration.
pub(crate) fn sorted_observations(
    durations: &[f64],
    events: &[bool],
) -> Result<Vec<(f64, bool)>, SurvivalInputError> {
    if durations.len() != events.len() {
        return Err(SurvivalInputError::LengthMismatch {
            durations: durations.len(),
            events: events.len(),
        });
    }
    if let Some((index, &value)) = durations
        .iter()
        .enumerate()
        .find(|(_, d)| !d.is_finite() || **d < 0.0)
    {
        return Err(SurvivalInputError::InvalidDuration { index, value });
    }
    let mut obs: Vec<(f64, bool)> = durations
        .iter()
        .copied()
        .zip(events.iter().copied())
        .collect();
    obs.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(obs)
}

/// Groups sorted observations by equal time: (time, events, censored) per distinct time.
pub(crate) fn tally(sorted: &[(f64, bool)]) -> Vec<(f64, usize, usize)> {
    let mut out: Vec<(f64, usize, usize)> = Vec::new();
    for &(t, event) in sorted {
        match out.last_mut() {
            Some(last) if last.0 == t => {
                if event {
                    last.1 += 1;
                } else {
                    last.2 += 1;
                }
            }
            _ => out.push((t, usize::from(event), usize::from(!event))),
        }
    }
    out
}

/// 95 % log(−log) bounds for S with Greenwood sum `v` (zero width at S = 1 and S = 0).
pub fn log_log_bounds(s: f64, v: f64, z: f64) -> (f64, f64) {
    if s >= 1.0 {
        return (1.0, 1.0);
    }
    if s <= 0.0 {
        return (0.0, 0.0);
    }
    let ln_s = s.ln();
    let centre = (-ln_s).ln();
    let spread = z * v.sqrt() / ln_s; // ≤ 0
    let lower = (-(centre - spread).exp()).exp();
    let upper = (-(centre + spread).exp()).exp();
    (lower, upper)
}

impl KmCurve {
    /// Fits the curve. `durations` in days (finite, ≥ 0); `events[i]` true when subject i
    /// churned at `durations[i]`, false when censored then. No subjects → an empty curve.
    pub fn fit(durations: &[f64], events: &[bool]) -> Result<Self, SurvivalInputError> {
        let sorted = sorted_observations(durations, events)?;
        let mut at_risk = sorted.len();
        let (mut s, mut v) = (1.0_f64, 0.0_f64);
        let mut steps = Vec::new();
        for (time, d, c) in tally(&sorted) {
            let n = at_risk;
            if d > 0 {
                s *= (n - d) as f64 / n as f64;
                if n > d {
                    v += d as f64 / (n as f64 * (n - d) as f64);
                }
            }
            let (lower, upper) = log_log_bounds(s, v, Z_975);
            steps.push(KmStep {
                time,
                survival: s,
                lower,
                upper,
                greenwood: v,
                at_risk: n,
                events: d,
                censored: c,
            });
            at_risk -= d + c;
        }
        Ok(Self {
            n: sorted.len(),
            events: sorted.iter().filter(|o| o.1).count(),
            steps,
        })
    }

    /// True when fitted on no subjects.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// S(t) with its interval, read from the step function: the last step with time ≤ t
    /// (lifelines' `survival_function_at_times` and `confidence_interval_.asof`). Before the
    /// first step: S = 1 with no width. After the last step the last value holds (check
    /// [`KmCurve::last_time`] before presenting it as observed). `None` for an empty curve.
    pub fn survival_at(&self, t: f64) -> Option<Interval> {
        if self.is_empty() {
            return None;
        }
        let i = self.steps.partition_point(|step| step.time <= t);
        Some(match i {
            0 => Interval::point(1.0),
            _ => {
                let step = &self.steps[i - 1];
                Interval::new(step.survival, step.lower, step.upper)
            }
        })
    }

    /// Time of the last step (the longest follow-up), `None` for an empty curve.
    pub fn last_time(&self) -> Option<f64> {
        self.steps.last().map(|step| step.time)
    }
}

//! Two-group log-rank test (χ², 1 df), as lifelines' `logrank_test` computes it.
//!
//! Over every distinct time t with n at risk (n_a + n_b) and d events:
//!
//! ```text
//! E_a = Σ d · n_a / n                                  expected events in group a
//! V   = Σ n_a n_b d (n − d) / (n² (n − 1))             (terms with n = 1 are 0)
//! χ²  = (O_a − E_a)² / V,   p = P(χ²₁ > χ²) = erfc(√(χ²/2))
//! ```

use serde::{Deserialize, Serialize};

use super::km::{sorted_observations, SurvivalInputError};
use super::special::chi2_sf_1df;

/// Result of a two-group log-rank test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    /// χ² statistic with 1 degree of freedom.
    pub statistic: f64,
    pub p_value: f64,
    pub observed_a: usize,
    pub expected_a: f64,
    pub observed_b: usize,
    pub expected_b: f64,
    /// Hypergeometric variance V of O_a − E_a.
    pub variance: f64,
}

/// One group: durations in days and event flags (true = churned), as for
/// [`super::KmCurve::fit`].
#[derive(Debug, Clone, Copy)]
pub struct Group<'a> {
    pub durations: &'a [f64],
    pub events: &'a [bool],
}

impl<'a> Group<'a> {
    pub fn new(durations: &'a [f64], events: &'a [bool]) -> Self {
        Self { durations, events }
    }
}

/// Log-rank test of group a against group b. `Ok(None)` when there is nothing to test:
/// either group is empty, or V = 0 (no events at all, or only at times when one group alone
/// was at risk), where lifelines would return NaN.
pub fn logrank(a: Group<'_>, b: Group<'_>) -> Result<Option<LogRank>, SurvivalInputError> {
    let obs_a = sorted_observations(a.durations, a.events)?;
    let obs_b = sorted_observations(b.durations, b.events)?;
    if obs_a.is_empty() || obs_b.is_empty() {
        return Ok(None);
    }
    // Merge both groups into one time-ordered list: (time, event, in group a).
    let mut all: Vec<(f64, bool, bool)> = obs_a
        .iter()
        .map(|&(t, e)| (t, e, true))
        .chain(obs_b.iter().map(|&(t, e)| (t, e, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));

    let (mut n_a, mut n_b) = (obs_a.len(), obs_b.len());
    let (mut observed_a, mut observed_b) = (0_usize, 0_usize);
    let (mut expected_a, mut expected_b, mut variance) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut i = 0;
    while i < all.len() {
        let t = all[i].0;
        let (mut d_a, mut d_b, mut gone_a, mut gone_b) = (0, 0, 0, 0);
        while i < all.len() && all[i].0 == t {
            let (_, event, in_a) = all[i];
            match (in_a, event) {
                (true, true) => d_a += 1,
                (false, true) => d_b += 1,
                _ => {}
            }
            if in_a {
                gone_a += 1;
            } else {
                gone_b += 1;
            }
            i += 1;
        }
        let d = (d_a + d_b) as f64;
        let (na, nb) = (n_a as f64, n_b as f64);
        let n = na + nb;
        if d > 0.0 {
            expected_a += d * na / n;
            expected_b += d * nb / n;
            if n > 1.0 {
                variance += na * nb * d * (n - d) / (n * n * (n - 1.0));
            }
        }
        observed_a += d_a;
        observed_b += d_b;
        n_a -= gone_a;
        n_b -= gone_b;
    }
    if variance <= 0.0 {
        return Ok(None);
    }
    let diff = observed_a as f64 - expected_a;
    let statistic = diff * diff / variance;
    Ok(Some(LogRank {
        statistic,
        p_value: chi2_sf_1df(statistic),
        observed_a,
        expected_a,
        observed_b,
        expected_b,
        variance,
    }))
}

//! Mean with a 95 % Student t interval (DESIGN: "mean compound score with a 95 % t-interval
//! (mean ± t₀.₉₇₅,ₙ₋₁ · s/√n, s with n − 1)"), as `scipy.stats.t.interval(0.95, n − 1,
//! loc=mean, scale=s/√n)`.

use serde::{Deserialize, Serialize};

use super::interval::Interval;
use super::special::t_quantile;

/// A sample mean and its 95 % t-interval.
///
/// With n = 1 there is a mean but no spread: `sd`, `lower` and `upper` are `None`, which the
/// UI shows as "not enough data for an interval" (a zero-width interval would look certain).
/// With n ≥ 2 all are `Some`; identical values give s = 0 and lower = upper = mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanInterval {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation s (denominator n − 1).
    pub sd: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl MeanInterval {
    /// The interval as an [`Interval`], when there is one (n ≥ 2).
    pub fn interval(&self) -> Option<Interval> {
        Some(Interval::new(self.mean, self.lower?, self.upper?))
    }
}

/// Mean with its 95 % t-interval; `None` for no values. Values are expected finite (a NaN
/// makes every field NaN).
pub fn mean_t_interval(values: &[f64]) -> Option<MeanInterval> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    if n == 1 {
        return Some(MeanInterval {
            n,
            mean,
            sd: None,
            lower: None,
            upper: None,
        });
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = (ss / (nf - 1.0)).sqrt();
    let half = t_quantile(0.975, nf - 1.0) * sd / nf.sqrt();
    Some(MeanInterval {
        n,
        mean,
        sd: Some(sd),
        lower: Some(mean - half),
        upper: Some(mean + half),
    })
}

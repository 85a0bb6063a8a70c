//! [`Interval`]: a point estimate with the bounds of its 95 % confidence interval.

use serde::{Deserialize, Serialize};

/// z = Φ⁻¹(0.975) to full double precision (`scipy.stats.norm.ppf(0.975)`), the value
/// lifelines uses for its 95 % Kaplan–Meier intervals.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// A point estimate and its confidence interval, `lower ≤ estimate ≤ upper`.
///
/// Where an estimate has no uncertainty to show (Kaplan–Meier S = 1 before any event, or
/// S = 0 after the last subject churned), `lower == upper == estimate`: a zero-width
/// interval, which charts draw as a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    pub fn new(estimate: f64, lower: f64, upper: f64) -> Self {
        Self {
            estimate,
            lower,
            upper,
        }
    }

    /// An estimate without width: lower = upper = estimate.
    pub fn point(estimate: f64) -> Self {
        Self::new(estimate, estimate, estimate)
    }

    /// upper − lower.
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }

    /// Whether `x` lies within [lower, upper].
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
}

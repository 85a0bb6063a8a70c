//! Wilson score interval for a proportion (DESIGN: "share positive with a 95 % Wilson score
//! interval (z = 1.959964)").
//!
//! With p̂ = k/n:
//!
//! ```text
//! centre = (p̂ + z²/(2n)) / (1 + z²/n)
//! half   = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/(4n²) )
//! ```
//!
//! the interval is [centre − half, centre + half]; it is `statsmodels`'
//! `proportion_confint(k, n, method="wilson")`. The [`Interval`]'s estimate is p̂ itself
//! (the share shown), not the Wilson centre.

use super::interval::Interval;

/// The z the DESIGN fixes for Wilson intervals (Φ⁻¹(0.975) rounded to 7 digits; the exact
/// value [`super::Z_975`] moves the bounds by less than 1e-8).
pub const DESIGN_Z: f64 = 1.959964;

/// 95 % Wilson interval with the DESIGN's z. `None` when n = 0 (no data) or successes > n.
pub fn wilson(successes: u64, n: u64) -> Option<Interval> {
    wilson_with_z(successes, n, DESIGN_Z)
}

/// Wilson interval with any z > 0. `None` when n = 0 or successes > n. The bound at 0 is
/// exactly 0 when successes = 0, and the one at 1 exactly 1 when successes = n.
pub fn wilson_with_z(successes: u64, n: u64, z: f64) -> Option<Interval> {
    if n == 0 || successes > n {
        return None;
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let lower = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some(Interval::new(p, lower, upper))
}

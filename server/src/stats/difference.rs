//! Differences between two independent groups with a 95 % interval, and their pooling
//! (DESIGN: "Holdout experiment").
//!
//! ```text
//! Welch:      d = x̄₁ − x̄₂,  se = √(s₁²/n₁ + s₂²/n₂),
//!             ν = se⁴ / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)),  d ± t₀.₉₇₅,ν · se
//!             (scipy.stats.ttest_ind(equal_var=False).confidence_interval())
//! survival:   d = S₁(t) − S₂(t),  se = √(S₁² V₁ + S₂² V₂)  (Greenwood sums V),  d ± z · se
//! pooled:     fixed effect, weights wᵢ = 1/seᵢ²: d = Σ wᵢdᵢ / Σ wᵢ,  se = 1/√Σ wᵢ,  d ± z · se
//!             (statsmodels.stats.meta_analysis.combine_effects, its "fixed effect" row)
//! ```

use super::interval::Z_975;
use super::km::KmCurve;
use super::special::t_quantile;

/// A difference, its 95 % interval and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub se: f64,
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let ss: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, ss / (n - 1.0))
}

/// Welch's difference of means `a − b`; none unless each group has two values and the
/// groups are not both without spread.
pub fn welch(a: &[f64], b: &[f64]) -> Option<Difference> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ma, va) = mean_var(a);
    let (mb, vb) = mean_var(b);
    let (qa, qb) = (va / a.len() as f64, vb / b.len() as f64);
    let se = (qa + qb).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    let df =
        (qa + qb).powi(2) / (qa * qa / (a.len() as f64 - 1.0) + qb * qb / (b.len() as f64 - 1.0));
    let half = t_quantile(0.975, df) * se;
    let d = ma - mb;
    Some(Difference {
        estimate: d,
        lower: d - half,
        upper: d + half,
        se,
    })
}

/// S(t) and its Greenwood sum, read from the step function; none when the curve is empty
/// or nobody was followed until `t` (unless it already reached 0).
pub fn survival_and_greenwood(curve: &KmCurve, t: f64) -> Option<(f64, f64)> {
    let last = curve.steps.last()?;
    if last.time < t && last.survival > 0.0 {
        return None;
    }
    let i = curve.steps.partition_point(|s| s.time <= t);
    Some(match i {
        0 => (1.0, 0.0),
        _ => (curve.steps[i - 1].survival, curve.steps[i - 1].greenwood),
    })
}

/// S_a(t) − S_b(t) by the normal approximation with both Greenwood variances; none when
/// either curve does not reach `t` or neither has any variance there (no churn in either).
pub fn survival_difference(a: &KmCurve, b: &KmCurve, t: f64) -> Option<Difference> {
    let (sa, va) = survival_and_greenwood(a, t)?;
    let (sb, vb) = survival_and_greenwood(b, t)?;
    let se = (sa * sa * va + sb * sb * vb).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    let d = sa - sb;
    Some(Difference {
        estimate: d,
        lower: d - Z_975 * se,
        upper: d + Z_975 * se,
        se,
    })
}

/// The fixed-effect pool of `parts` (each with se > 0); none for none.
pub fn pooled(parts: &[Difference]) -> Option<Difference> {
    let parts: Vec<&Difference> = parts.iter().filter(|p| p.se > 0.0).collect();
    if parts.is_empty() {
        return None;
    }
    let weights: Vec<f64> = parts.iter().map(|p| 1.0 / (p.se * p.se)).collect();
    let total: f64 = weights.iter().sum();
    let d = parts
        .iter()
        .zip(&weights)
        .map(|(p, w)| p.estimate * w)
        .sum::<f64>()
        / total;
    let se = 1.0 / total.sqrt();
    Some(Difference {
        estimate: d,
        lower: d - Z_975 * se,
        upper: d + Z_975 * se,
        se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_by_hand() {
        // a: mean 2, s² = 1; b: mean 0, s² = 1; se = √(1/3 + 1/3), ν = 4.
        let d = welch(&[1.0, 2.0, 3.0], &[-1.0, 0.0, 1.0]).unwrap();
        assert!((d.estimate - 2.0).abs() < 1e-12);
        assert!((d.se - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
        // t₀.₉₇₅,₄ = 2.7764451051977987
        assert!((d.upper - (2.0 + 2.776_445_105_197_798_7 * d.se)).abs() < 1e-9);
        assert!(welch(&[1.0], &[1.0, 2.0]).is_none());
        assert!(welch(&[1.0, 1.0], &[2.0, 2.0]).is_none());
    }

    #[test]
    fn pooling_weights_by_precision() {
        let a = Difference {
            estimate: 1.0,
            lower: 0.0,
            upper: 0.0,
            se: 1.0,
        };
        let b = Difference {
            estimate: 4.0,
            lower: 0.0,
            upper: 0.0,
            se: 2.0,
        };
        let p = pooled(&[a, b]).unwrap();
        // weights 1 and 1/4: (1 + 1) / 1.25
        assert!((p.estimate - 1.6).abs() < 1e-12);
        assert!((p.se - (1.0f64 / 1.25).sqrt()).abs() < 1e-12);
        assert!(pooled(&[]).is_none());
    }
}

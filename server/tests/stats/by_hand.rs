//! Hand-worked examples, with the arithmetic in the comments, and edge cases. Each would
//! catch a plausible mistake: plain Greenwood instead of log(−log), t with n instead of
//! n − 1 degrees of freedom, a Wald instead of a Wilson interval.

use super::close;
use server::stats::{
    chi2_sf_1df, erfc, logrank, mean_t_interval, t_quantile, wilson, Group, Interval, KmCurve,
    SurvivalInputError, DESIGN_Z,
};

/// Six customers, worked by hand. Days: 3 churned, 5 churned, 5 censored, 8 churned,
/// 10 censored, 12 churned.
///
/// | t  | n at risk | d | c | S(t)                  | Greenwood Σ d/(n(n−d))          |
/// |----|-----------|---|---|-----------------------|---------------------------------|
/// | 3  | 6         | 1 | 0 | 5/6                   | 1/(6·5) = 1/30                  |
/// | 5  | 5         | 1 | 1 | 5/6 · 4/5 = 2/3       | 1/30 + 1/(5·4) = 1/12           |
/// | 8  | 3         | 1 | 0 | 2/3 · 2/3 = 4/9       | 1/12 + 1/(3·2) = 1/4            |
/// | 10 | 2         | 0 | 1 | 4/9                   | 1/4                             |
/// | 12 | 1         | 1 | 0 | 4/9 · 0/1 = 0         | 1/4 (+ 1/(1·0): dropped)        |
///
/// log(−log) bounds at t = 8, z = Φ⁻¹(0.975) ≈ 1.959964: ln S = ln(4/9) = −0.8109302;
/// ln(−ln S) = −0.2095733; z·√V/ln S = 1.959964 · 0.5 / −0.8109302 = −1.2084665;
/// lower = exp(−exp(−0.2095733 + 1.2084665)) = exp(−exp(0.9988932)) = exp(−2.7152749) = 0.0661868;
/// upper = exp(−exp(−0.2095733 − 1.2084665)) = exp(−exp(−1.4180398)) = exp(−0.2421883) = 0.7849084.
/// Plain Greenwood, S ± z·S·√V = 4/9 ± 0.4355476, would give [0.0088969, 0.8799920].
#[test]
fn kaplan_meier_by_hand() {
    let durations = [3.0, 5.0, 5.0, 8.0, 10.0, 12.0];
    let events = [true, true, false, true, false, true];
    let curve = KmCurve::fit(&durations, &events).unwrap();
    let got: Vec<_> = curve
        .steps
        .iter()
        .map(|s| (s.time, s.at_risk, s.events, s.censored))
        .collect();
    assert_eq!(
        got,
        [
            (3.0, 6, 1, 0),
            (5.0, 5, 1, 1),
            (8.0, 3, 1, 0),
            (10.0, 2, 0, 1),
            (12.0, 1, 1, 0)
        ]
    );
    let survival = [5.0 / 6.0, 2.0 / 3.0, 4.0 / 9.0, 4.0 / 9.0, 0.0];
    let greenwood = [1.0 / 30.0, 1.0 / 12.0, 0.25, 0.25, 0.25];
    for (i, step) in curve.steps.iter().enumerate() {
        close(step.survival, survival[i], 1e-15, "S");
        close(step.greenwood, greenwood[i], 1e-15, "Greenwood sum");
    }
    let s8 = curve.survival_at(8.0).unwrap();
    close(s8.lower, 0.0661868, 1e-7, "lower at 8");
    close(s8.upper, 0.7849084, 1e-7, "upper at 8");
    assert!(
        (s8.lower - 0.0088969).abs() > 0.05,
        "not the plain Greenwood interval"
    );
    // Same at t = 3 (S = 5/6, V = 1/30): [0.2731228, 0.9747124]; at 5 (S = 2/3, V = 1/12):
    // [0.1946166, 0.9044342].
    let s3 = curve.survival_at(3.0).unwrap();
    close(s3.lower, 0.2731228, 1e-7, "lower at 3");
    close(s3.upper, 0.9747124, 1e-7, "upper at 3");
    let s5 = curve.survival_at(7.9).unwrap();
    close(s5.lower, 0.1946166, 1e-7, "lower at 5");
    close(s5.upper, 0.9044342, 1e-7, "upper at 5");
    // Right-continuous step function; S = 1 with no width before the first event; S = 0 (and
    // bounds 0, 0) once the last customer churned.
    assert_eq!(curve.survival_at(2.999), Some(Interval::point(1.0)));
    assert_eq!(curve.survival_at(12.0), Some(Interval::point(0.0)));
    assert_eq!(curve.survival_at(500.0), Some(Interval::point(0.0)));
    assert_eq!(curve.last_time(), Some(12.0));
}

/// 8 of 10 positive, z = 1.959964: z² = 3.8414589; 1 + z²/n = 1.3841459;
/// centre = (0.8 + z²/20) / 1.3841459 = (0.8 + 0.1920729) / 1.3841459 = 0.7167402;
/// half = z / 1.3841459 · √(0.8·0.2/10 + z²/400) = 1.4160097 · √(0.016 + 0.0096036)
///      = 1.4160097 · 0.1600114 = 0.2265777;
/// interval = [0.4901625, 0.9433178] (a Wald interval would be 0.8 ± 0.2479 = [0.552, 1.048]).
#[test]
fn wilson_by_hand() {
    let w = wilson(8, 10).unwrap();
    assert_eq!(w.estimate, 0.8);
    close(w.lower, 0.4901625, 1e-7, "lower");
    close(w.upper, 0.9433178, 1e-7, "upper");
    assert_eq!(DESIGN_Z, 1.959964);
}

/// 1, 2, 3, 4, 5: mean 3; s² = (4 + 1 + 0 + 1 + 4)/4 = 2.5, s = 1.5811388; s/√5 = 0.7071068;
/// t₀.₉₇₅,₄ = 2.7764451 (not t₀.₉₇₅,₅ = 2.5705818, nor z = 1.96): half-width 1.9632432,
/// interval [1.0367568, 4.9632432].
#[test]
fn mean_interval_by_hand() {
    let m = mean_t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!((m.n, m.mean), (5, 3.0));
    close(m.sd.unwrap(), 1.5811388, 1e-7, "sd");
    close(m.lower.unwrap(), 1.0367568, 1e-7, "lower");
    close(m.upper.unwrap(), 4.9632432, 1e-7, "upper");
    close(t_quantile(0.975, 4.0), 2.7764451, 1e-7, "t 4 df");
    close(t_quantile(0.975, 5.0), 2.5705818, 1e-7, "t 5 df");
    close(t_quantile(0.975, 1.0), 12.7062047, 1e-7, "t 1 df");
    close(
        t_quantile(0.025, 1.0),
        -12.7062047,
        1e-7,
        "t 1 df, lower tail",
    );
}

/// a = 1✝, 3✝, 4+ ; b = 2✝, 5+, 6✝ (✝ churned, + censored).
///
/// | t | n_a | n_b | d | E_a += d·n_a/n | V += n_a n_b d (n−d) / (n²(n−1)) |
/// |---|-----|-----|---|----------------|-----------------------------------|
/// | 1 | 3   | 3   | 1 | 3/6 = 0.5      | 3·3·1·5/(36·5) = 0.25             |
/// | 2 | 2   | 3   | 1 | 2/5 = 0.4      | 2·3·1·4/(25·4) = 0.24             |
/// | 3 | 2   | 2   | 1 | 2/4 = 0.5      | 2·2·1·3/(16·3) = 0.25             |
/// | 6 | 0   | 1   | 1 | 0              | 0                                 |
///
/// O_a = 2, E_a = 1.4, V = 0.74: χ² = 0.6²/0.74 = 0.4864865; p = erfc(√0.2432432) = 0.4854988.
#[test]
fn logrank_by_hand() {
    let r = logrank(
        Group::new(&[1.0, 3.0, 4.0], &[true, true, false]),
        Group::new(&[2.0, 5.0, 6.0], &[true, false, true]),
    )
    .unwrap()
    .unwrap();
    assert_eq!((r.observed_a, r.observed_b), (2, 2));
    close(r.expected_a, 1.4, 1e-15, "E_a");
    close(r.expected_b, 2.6, 1e-15, "E_b");
    close(r.variance, 0.74, 1e-15, "V");
    close(r.statistic, 0.36 / 0.74, 1e-15, "χ²");
    close(r.p_value, 0.4854988, 1e-7, "p");
}

#[test]
fn edge_cases() {
    // No data.
    let empty = KmCurve::fit(&[], &[]).unwrap();
    assert!(empty.is_empty() && empty.steps.is_empty());
    assert_eq!(empty.survival_at(30.0), None);
    assert_eq!(empty.last_time(), None);
    assert_eq!(wilson(0, 0), None);
    assert_eq!(wilson(3, 2), None);
    assert_eq!(mean_t_interval(&[]), None);
    let a = ([1.0, 2.0], [true, false]);
    assert_eq!(
        logrank(Group::new(&a.0, &a.1), Group::new(&[], &[])),
        Ok(None)
    );
    // No events anywhere: V = 0, nothing to test.
    let none = logrank(
        Group::new(&[1.0, 2.0], &[false, false]),
        Group::new(&[3.0], &[false]),
    );
    assert_eq!(none, Ok(None));
    // One value: a mean but no interval; identical values: zero-width interval.
    let one = mean_t_interval(&[0.4]).unwrap();
    assert_eq!(
        (one.n, one.mean, one.sd, one.lower, one.upper),
        (1, 0.4, None, None, None)
    );
    assert_eq!(one.interval(), None);
    let same = mean_t_interval(&[0.25, 0.25, 0.25]).unwrap();
    assert_eq!(same.interval(), Some(Interval::point(0.25)));
    // Bad input.
    assert_eq!(
        KmCurve::fit(&[1.0], &[]),
        Err(SurvivalInputError::LengthMismatch {
            durations: 1,
            events: 0
        })
    );
    assert!(matches!(
        KmCurve::fit(&[1.0, f64::NAN], &[true, true]),
        Err(SurvivalInputError::InvalidDuration { index: 1, .. })
    ));
    assert!(KmCurve::fit(&[-1.0], &[true]).is_err());
    // Special values of the special functions.
    assert_eq!(t_quantile(0.5, 7.0), 0.0);
    assert_eq!(t_quantile(1.0, 7.0), f64::INFINITY);
    assert!(t_quantile(1.5, 7.0).is_nan() && t_quantile(0.9, 0.0).is_nan());
    assert_eq!(chi2_sf_1df(0.0), 1.0);
    assert_eq!(erfc(0.0), 1.0);
    close(erfc(-30.0), 2.0, 0.0, "erfc(−30)");
}

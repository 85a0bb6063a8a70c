//! `server::stats` against independent reference values (lifelines 0.30.3, scipy 1.17.1,
//! statsmodels 0.15.0), computed by `server/stats/reference.py` into `reference.json`, plus
//! hand-worked examples and edge cases. Run with `-- --nocapture` to see the largest
//! deviation of each quantity.

use serde_json::Value;
use server::stats::{
    chi2_sf_1df, erfc, logrank, mean_t_interval, t_cdf, t_quantile, wilson, wilson_with_z, Group,
    KmCurve,
};

/// Hand-worked examples (arithmetic in the comments) and edge cases.
#[path = "stats/by_hand.rs"]
mod by_hand;
#[path = "stats/check.rs"]
mod check;
use check::{bools, f, floats, Check};

fn reference() -> Value {
    serde_json::from_str(include_str!("../stats/reference.json")).expect("reference.json")
}

fn counts(v: &Value) -> Vec<usize> {
    let arr = v.as_array().expect("an array");
    arr.iter()
        .map(|x| x.as_u64().expect("a count") as usize)
        .collect()
}

pub(crate) fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

#[test]
fn kaplan_meier_tables_match_lifelines() {
    let r = reference();
    let (mut s, mut lo, mut up) = (
        Check::absolute("KM S", 1e-12),
        Check::absolute("KM lower", 1e-12),
        Check::absolute("KM upper", 1e-12),
    );
    for (name, case) in r["km"].as_object().unwrap() {
        let curve = KmCurve::fit(&floats(&case["durations"]), &bools(&case["events"])).unwrap();
        let times = floats(&case["time"]);
        assert_eq!(curve.steps.len(), times.len(), "{name}: number of steps");
        let (survival, lower, upper) = (
            floats(&case["survival"]),
            floats(&case["lower"]),
            floats(&case["upper"]),
        );
        let (at_risk, observed, censored) = (
            counts(&case["at_risk"]),
            counts(&case["observed"]),
            counts(&case["censored"]),
        );
        for (i, step) in curve.steps.iter().enumerate() {
            let what = format!("{name} step {i} (t = {})", times[i]);
            assert_eq!(step.time, times[i], "{what}");
            assert_eq!(
                (step.at_risk, step.events, step.censored),
                (at_risk[i], observed[i], censored[i]),
                "{what}"
            );
            s.close(step.survival, survival[i], &what);
            lo.close(step.lower, lower[i], &what);
            up.close(step.upper, upper[i], &what);
        }
        assert_eq!(curve.n, case["durations"].as_array().unwrap().len());
        assert_eq!(curve.events, observed.iter().sum::<usize>(), "{name}");
    }
}

#[test]
fn survival_at_times_matches_lifelines() {
    let r = reference();
    let (mut s, mut lo, mut up) = (
        Check::absolute("S(t)", 1e-12),
        Check::absolute("S(t) lower", 1e-12),
        Check::absolute("S(t) upper", 1e-12),
    );
    for (name, case) in r["km"].as_object().unwrap() {
        let curve = KmCurve::fit(&floats(&case["durations"]), &bools(&case["events"])).unwrap();
        for at in case["at"].as_array().unwrap() {
            let t = f(&at["t"]);
            let got = curve.survival_at(t).unwrap();
            let what = format!("{name} at t = {t}");
            s.close(got.estimate, f(&at["survival"]), &what);
            lo.close(got.lower, f(&at["lower"]), &what);
            up.close(got.upper, f(&at["upper"]), &what);
        }
    }
}

#[test]
fn logrank_matches_lifelines() {
    let r = reference();
    let (mut stat, mut p) = (
        Check::relative("log-rank χ²", 1e-10),
        Check::relative("log-rank p", 1e-10),
    );
    for (name, case) in r["logrank"].as_object().unwrap() {
        let (da, ea) = (floats(&case["a"]["durations"]), bools(&case["a"]["events"]));
        let (db, eb) = (floats(&case["b"]["durations"]), bools(&case["b"]["events"]));
        let got = logrank(Group::new(&da, &ea), Group::new(&db, &eb))
            .unwrap()
            .expect(name);
        stat.close(got.statistic, f(&case["statistic"]), name);
        p.close(got.p_value, f(&case["p_value"]), name);
        // Swapping the groups changes nothing.
        let swapped = logrank(Group::new(&db, &eb), Group::new(&da, &ea))
            .unwrap()
            .unwrap();
        close(
            swapped.statistic,
            got.statistic,
            1e-12 * got.statistic.max(1.0),
            name,
        );
        assert_eq!(
            got.observed_a + got.observed_b,
            ea.iter().chain(&eb).filter(|e| **e).count()
        );
        close(
            got.expected_a + got.expected_b,
            (got.observed_a + got.observed_b) as f64,
            1e-9,
            name,
        );
    }
}

#[test]
fn wilson_matches_statsmodels() {
    let r = reference();
    let (mut lo, mut up) = (
        Check::absolute("Wilson lower", 1e-13),
        Check::absolute("Wilson upper", 1e-13),
    );
    let (mut lo05, mut up05) = (
        Check::absolute("Wilson lo α=.05", 1e-13),
        Check::absolute("Wilson up α=.05", 1e-13),
    );
    for case in r["wilson"].as_array().unwrap() {
        let (k, n) = (
            case["successes"].as_u64().unwrap(),
            case["n"].as_u64().unwrap(),
        );
        let what = format!("{k}/{n}");
        let got = wilson(k, n).unwrap();
        assert_eq!(got.estimate, k as f64 / n as f64);
        lo.close(got.lower, f(&case["lower"]), &what);
        up.close(got.upper, f(&case["upper"]), &what);
        // statsmodels' default alpha = 0.05 means the exact z; DESIGN's rounded z is within 1e-8.
        let exact = wilson_with_z(k, n, server::stats::Z_975).unwrap();
        lo05.close(exact.lower, f(&case["lower_alpha_05"]), &what);
        up05.close(exact.upper, f(&case["upper_alpha_05"]), &what);
        close(got.lower, exact.lower, 1e-8, &what);
    }
}

#[test]
fn t_quantiles_match_scipy() {
    let r = reference();
    let mut q = Check::relative("t quantile", 1e-11);
    for case in r["t_quantile"].as_array().unwrap() {
        let (p, df, want) = (f(&case["p"]), f(&case["df"]), f(&case["q"]));
        let got = t_quantile(p, df);
        q.close(got, want, &format!("t({p}, df = {df})"));
        if want != 0.0 {
            close(
                t_cdf(got, df),
                p,
                1e-12 * p.min(1.0 - p),
                &format!("t_cdf round trip ({p}, {df})"),
            );
        }
    }
}

#[test]
fn mean_intervals_match_scipy() {
    let r = reference();
    let (mut m, mut sd, mut lo, mut up) = (
        Check::absolute("mean", 1e-14),
        Check::absolute("sd", 1e-14),
        Check::absolute("mean lower", 1e-12),
        Check::absolute("mean upper", 1e-12),
    );
    for (name, case) in r["mean"].as_object().unwrap() {
        let got = mean_t_interval(&floats(&case["values"])).unwrap();
        m.close(got.mean, f(&case["mean"]), name);
        sd.close(got.sd.unwrap(), f(&case["sd"]), name);
        lo.close(got.lower.unwrap(), f(&case["lower"]), name);
        up.close(got.upper.unwrap(), f(&case["upper"]), name);
    }
}

#[test]
fn erfc_and_chi2_match_scipy() {
    let r = reference();
    let mut e = Check::relative("erfc", 1e-13);
    for case in r["erfc"].as_array().unwrap() {
        e.close(
            erfc(f(&case["x"])),
            f(&case["erfc"]),
            &format!("erfc({})", case["x"]),
        );
    }
    let mut c = Check::relative("χ²₁ sf", 1e-13);
    for case in r["chi2_sf"].as_array().unwrap() {
        let x = f(&case["x"]);
        c.close(chi2_sf_1df(x), f(&case["sf"]), &format!("chi2 sf({x})"));
        c.close(
            erfc((x / 2.0).sqrt()),
            f(&case["sf"]),
            &format!("erfc(√({x}/2))"),
        );
    }
}

//! `server::stats::CoxModel` against lifelines 0.30.3's `CoxPHFitter` (Efron ties), computed
//! by `server/stats/cox_reference.py` into `cox_reference.json`: a hand-made set with ties,
//! simulated churn data (whole days, indicators of actions and monthly revenue, 50 to 2000
//! cases, 1 to 6 covariates) and lifelines' Rossi recidivism data. Run with
//! `-- --nocapture` to see the largest deviation of each quantity.
//!
//! The reference fits are lifelines' run to full convergence; the fit here agrees with them
//! to ~1e-12, and the tolerances below leave three orders of magnitude of room. The
//! refusals (constant and collinear covariates, separation, …) are tested next to the code,
//! in `server/src/stats/cox.rs`.

use serde_json::Value;
use server::stats::{Covariate, CoxModel};

#[path = "stats/check.rs"]
mod check;
use check::{bools, f, floats, Check};

fn reference() -> Value {
    serde_json::from_str(include_str!("../stats/cox_reference.json")).expect("cox_reference.json")
}

/// One reference case: its data and the fitted model.
struct Case {
    name: String,
    json: Value,
    model: CoxModel,
}

fn cases() -> Vec<Case> {
    let r = reference();
    let cases = r["cases"].as_object().expect("cases");
    assert!(cases.len() >= 9, "{} reference cases", cases.len());
    cases
        .iter()
        .map(|(name, json)| {
            let durations = floats(&json["durations"]);
            let events = bools(&json["events"]);
            let columns: Vec<(String, Vec<f64>)> = json["covariates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["name"].as_str().unwrap().to_owned(), floats(&c["values"])))
                .collect();
            let covariates: Vec<Covariate<'_>> = columns
                .iter()
                .map(|(name, values)| Covariate::new(name, values))
                .collect();
            let model = CoxModel::fit(&durations, &events, &covariates)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            Case {
                name: name.clone(),
                json: json.clone(),
                model,
            }
        })
        .collect()
}

#[test]
fn coefficients_match_lifelines() {
    let (mut coef, mut se, mut z) = (
        Check::absolute("coef", 1e-9),
        Check::relative("se", 1e-9),
        Check::absolute("z", 1e-8),
    );
    for case in cases() {
        let want = case.json["coefficients"].as_array().unwrap();
        assert_eq!(case.model.coefficients.len(), want.len(), "{}", case.name);
        for (got, want) in case.model.coefficients.iter().zip(want) {
            let what = format!("{} {}", case.name, got.name);
            assert_eq!(got.name, want["name"].as_str().unwrap(), "{what}");
            coef.close(got.coef, f(&want["coef"]), &what);
            se.close(got.se, f(&want["se"]), &what);
            z.close(got.z, f(&want["z"]), &what);
        }
        assert_eq!(
            case.model.n as u64,
            case.json["n"].as_u64().unwrap(),
            "{}",
            case.name
        );
        assert_eq!(
            case.model.events as u64,
            case.json["events_observed"].as_u64().unwrap(),
            "{}",
            case.name
        );
    }
}

#[test]
fn hazard_ratios_and_p_values_match_lifelines() {
    let (mut hr, mut lower, mut upper, mut p) = (
        Check::relative("hazard ratio", 1e-9),
        Check::relative("HR lower", 1e-9),
        Check::relative("HR upper", 1e-9),
        Check::relative("p", 1e-8),
    );
    let mut p_abs = Check::absolute("p (absolute)", 1e-10);
    for case in cases() {
        let want = case.json["coefficients"].as_array().unwrap();
        for (got, want) in case.model.coefficients.iter().zip(want) {
            let what = format!("{} {}", case.name, got.name);
            hr.close(got.hazard_ratio.estimate, f(&want["hazard_ratio"]), &what);
            lower.close(got.hazard_ratio.lower, f(&want["hr_lower"]), &what);
            upper.close(got.hazard_ratio.upper, f(&want["hr_upper"]), &what);
            p.close(got.p_value, f(&want["p"]), &what);
            p_abs.close(got.p_value, f(&want["p"]), &what);
        }
    }
}

#[test]
fn log_likelihood_and_likelihood_ratio_test_match_lifelines() {
    let (mut ll, mut lr, mut lr_p) = (
        Check::absolute("log-likelihood", 1e-9),
        Check::absolute("LR statistic", 1e-8),
        Check::relative("LR p", 1e-9),
    );
    for case in cases() {
        let (m, j) = (&case.model, &case.json);
        ll.close(m.log_likelihood, f(&j["log_likelihood"]), &case.name);
        lr.close(
            m.likelihood_ratio.statistic,
            f(&j["lr_statistic"]),
            &case.name,
        );
        lr_p.close(m.likelihood_ratio.p_value, f(&j["lr_p"]), &case.name);
        assert_eq!(m.likelihood_ratio.df as u64, j["lr_df"].as_u64().unwrap());
        assert!(
            m.iterations >= 1 && m.iterations <= 20,
            "{}: {}",
            case.name,
            m.iterations
        );
    }
}

/// lifelines with its default settings stops Newton–Raphson a little before the maximum
/// (`default_gap` in the JSON: up to 4.5e-6 standard deviations of a covariate). The fit
/// here is as close to those numbers as that allows.
#[test]
fn close_to_lifelines_default_settings() {
    let (mut coef, mut se, mut ll) = (
        Check::absolute("coef (default fit)", 2e-5),
        Check::relative("se (default fit)", 1e-4),
        Check::absolute("ll (default fit)", 1e-8),
    );
    for case in cases() {
        let d = &case.json["lifelines_default"];
        let (c, s) = (floats(&d["coef"]), floats(&d["se"]));
        for (k, got) in case.model.coefficients.iter().enumerate() {
            let what = format!("{} {}", case.name, got.name);
            coef.close(got.coef, c[k], &what);
            se.close(got.se, s[k], &what);
        }
        // ℓ is flat at the maximum: off by the square of the gap.
        ll.close(
            case.model.log_likelihood,
            f(&d["log_likelihood"]),
            &case.name,
        );
    }
}

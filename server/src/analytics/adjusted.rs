//! The adjusted effect (DESIGN: "Adjusted effect"): a Cox proportional-hazards model of
//! churn after the incident, fitted on the cases the retention report follows.
//!
//! - Time 0 is the incident's start; the event is the customer's churn before the as-of
//!   day; everyone else is censored then (exactly as `survival::Subjects`).
//! - One indicator per action kind given to at least one case, in `ActionKind::ALL` order.
//! - Severity: one indicator per severity present other than the baseline, the most common
//!   one (on a tie, the more severe).
//! - Plan: plans with at least [`MIN_PLAN_CASES`] cases are levels of their own, the others
//!   are pooled as “other plans”; one indicator per level other than the baseline, the
//!   most common level (on a tie, the first by name).
//! - Revenue: log₂(1 + monthly revenue in its currency's major unit), so its hazard ratio
//!   is per doubling of revenue.
//!
//! A covariate that cannot be estimated — the same for every case, a combination of others,
//! or one whose coefficient runs off to ±∞ (it separates those who churned first from the
//! rest) — is left out with its reason and the model fitted again without it.

use super::facts::{kind_bit, CoxCase};
use crate::stats::cox::{Covariate, CoxError, CoxModel};
use app::domain::adjusted::{AdjustedReport, AdjustedTerm, LeftOut, LikelihoodRatio, TermKind};
use app::domain::analytics::{AnalyticsQuery, DAY_MS};
use app::domain::{ActionKind, Money, Severity};
use std::collections::BTreeMap;

/// A plan needs this many cases to be a level of its own; smaller ones are pooled.
pub const MIN_PLAN_CASES: usize = 10;

/// The label of the pooled small plans.
pub const OTHER_PLANS: &str = "other plans";

/// One candidate covariate: what it stands for and its value per followed case.
struct Candidate {
    name: String,
    label: String,
    kind: TermKind,
    values: Vec<f64>,
}

impl Candidate {
    fn cases(&self) -> u64 {
        self.values.iter().filter(|v| **v != 0.0).count() as u64
    }
}

/// The followed cases: duration in days and whether the case churned, as
/// `survival::Subjects` follows them.
fn followed(cases: &[CoxCase], as_of: i64) -> Vec<(&CoxCase, f64, bool)> {
    cases
        .iter()
        .filter(|c| c.started_at < as_of && c.churned_at.is_none_or(|t| t >= c.started_at))
        .map(|c| {
            let (end, event) = match c.churned_at {
                Some(t) if t < as_of => (t, true),
                _ => (as_of, false),
            };
            (c, (end - c.started_at) as f64 / DAY_MS as f64, event)
        })
        .collect()
}

/// The most common key, ties going to the first in `order`.
fn most_common<K: Ord + Clone>(counts: &BTreeMap<K, usize>, order: &[K]) -> Option<K> {
    let best = counts.values().copied().max()?;
    order
        .iter()
        .find(|k| counts.get(*k) == Some(&best))
        .cloned()
}

/// log₂(1 + revenue in the currency's major unit).
pub fn revenue_value(minor: i64, currency: &str) -> f64 {
    (1.0 + minor.max(0) as f64 / Money::scale(currency) as f64).log2()
}

/// The candidate covariates and the baselines their indicators compare against.
fn candidates(rows: &[(&CoxCase, f64, bool)]) -> (Vec<Candidate>, Vec<String>) {
    let mut out = Vec::new();
    let mut baselines = Vec::new();
    for kind in ActionKind::ALL {
        let bit = kind_bit(*kind);
        let values: Vec<f64> = rows
            .iter()
            .map(|(c, _, _)| f64::from(u8::from(c.kinds & bit != 0)))
            .collect();
        if values.contains(&1.0) {
            out.push(Candidate {
                name: format!("action:{}", kind.code()),
                label: kind.label().to_string(),
                kind: TermKind::Action,
                values,
            });
        }
    }

    let mut severities: BTreeMap<Severity, usize> = BTreeMap::new();
    for (c, _, _) in rows {
        *severities.entry(c.severity).or_default() += 1;
    }
    if let Some(base) = most_common(&severities, Severity::ALL) {
        if severities.len() > 1 {
            baselines.push(format!("severity {}", base.label()));
        }
        for s in Severity::ALL.iter().filter(|s| **s != base) {
            if severities.contains_key(s) {
                out.push(Candidate {
                    name: format!("severity:{}", s.code()),
                    label: format!("{} (vs {})", s.label(), base.label()),
                    kind: TermKind::Severity,
                    values: rows
                        .iter()
                        .map(|(c, _, _)| f64::from(u8::from(c.severity == *s)))
                        .collect(),
                });
            }
        }
    }

    let mut plans: BTreeMap<&str, usize> = BTreeMap::new();
    for (c, _, _) in rows {
        *plans.entry(c.plan.as_str()).or_default() += 1;
    }
    let level = |plan: &str| -> String {
        if plans.get(plan).copied().unwrap_or(0) >= MIN_PLAN_CASES {
            plan.to_string()
        } else {
            OTHER_PLANS.to_string()
        }
    };
    let mut levels: BTreeMap<String, usize> = BTreeMap::new();
    for (plan, n) in &plans {
        *levels.entry(level(plan)).or_default() += n;
    }
    let names: Vec<String> = levels.keys().cloned().collect();
    if let Some(base) = most_common(&levels, &names) {
        if levels.len() > 1 {
            baselines.push(format!("plan {base}"));
        }
        for l in names.iter().filter(|l| **l != base) {
            let values = rows
                .iter()
                .map(|(c, _, _)| f64::from(u8::from(level(&c.plan) == *l)))
                .collect();
            let label = if l == OTHER_PLANS {
                format!("Other plans (vs {base})")
            } else {
                format!("Plan {l} (vs {base})")
            };
            out.push(Candidate {
                name: format!("plan:{l}"),
                label,
                kind: TermKind::Plan,
                values,
            });
        }
    }

    out.push(Candidate {
        name: "revenue".into(),
        label: "Monthly revenue, per doubling".into(),
        kind: TermKind::Revenue,
        values: rows
            .iter()
            .map(|(c, _, _)| revenue_value(c.monthly_revenue_minor, &c.currency))
            .collect(),
    });
    (out, baselines)
}

/// Why a covariate is left out, in a reader's words, and which ones.
fn leave_out(e: &CoxError, terms: &[Candidate]) -> Option<Vec<(usize, String)>> {
    let index = |label: &str| terms.iter().position(|t| t.label == label);
    match e {
        CoxError::Constant { name, .. } => Some(vec![(
            index(name)?,
            "every case has the same value, so it explains nothing".into(),
        )]),
        CoxError::Collinear { name, others } if others.is_empty() => Some(vec![(
            index(name)?,
            "it does not vary among the cases at risk when customers churned".into(),
        )]),
        CoxError::Collinear { name, others } => Some(vec![(
            index(name)?,
            format!(
                "it cannot be told apart from {}: one is a combination of the others",
                others.join(", ")
            ),
        )]),
        CoxError::Separation { covariates } => covariates
            .iter()
            .map(|name| {
                Some((
                    index(name)?,
                    "its hazard ratio runs off to 0 or infinity: it splits the cases into \
                     those who churned first and the rest, so no finite ratio fits"
                        .to_string(),
                ))
            })
            .collect(),
        _ => None,
    }
}

/// The adjusted model for `query` from its cases.
pub fn compute(query: &AnalyticsQuery, cases: &[CoxCase]) -> AdjustedReport {
    let rows = followed(cases, query.as_of_ms());
    let durations: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let events: Vec<bool> = rows.iter().map(|r| r.2).collect();
    let (mut terms, baselines) = candidates(&rows);
    let mut report = AdjustedReport {
        query: query.clone(),
        cases: rows.len() as u64,
        churned: events.iter().filter(|e| **e).count() as u64,
        baselines,
        terms: vec![],
        left_out: vec![],
        likelihood_ratio: None,
        refusal: None,
    };
    if rows.is_empty() {
        report.refusal =
            Some("No case in this period (with these filters) to fit a model on.".into());
        return report;
    }
    loop {
        let covariates: Vec<Covariate<'_>> = terms
            .iter()
            .map(|t| Covariate::new(&t.label, &t.values))
            .collect();
        let fitted = CoxModel::fit(&durations, &events, &covariates);
        drop(covariates);
        match fitted {
            Ok(model) => {
                report.terms = terms
                    .iter()
                    .zip(&model.coefficients)
                    .map(|(t, c)| AdjustedTerm {
                        name: t.name.clone(),
                        label: t.label.clone(),
                        kind: t.kind,
                        cases: t.cases(),
                        hazard_ratio: c.hazard_ratio.estimate,
                        lower: c.hazard_ratio.lower,
                        upper: c.hazard_ratio.upper,
                        coef: c.coef,
                        se: c.se,
                        p_value: c.p_value,
                    })
                    .collect();
                report.likelihood_ratio = Some(LikelihoodRatio {
                    statistic: model.likelihood_ratio.statistic,
                    df: model.likelihood_ratio.df as u64,
                    p_value: model.likelihood_ratio.p_value,
                });
                return report;
            }
            Err(e) => match leave_out(&e, &terms) {
                Some(mut out) if !out.is_empty() => {
                    out.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
                    for (i, reason) in out {
                        let t = terms.remove(i);
                        report.left_out.push(LeftOut {
                            name: t.name,
                            label: t.label,
                            reason,
                        });
                    }
                }
                _ => {
                    report.refusal = Some(refusal(&e, &report));
                    return report;
                }
            },
        }
    }
}

/// Why no model could be fitted, in a reader's words.
fn refusal(e: &CoxError, r: &AdjustedReport) -> String {
    match e {
        CoxError::NoEvents { .. } => format!(
            "None of the {} cases has churned yet, so there is no churn to compare.",
            r.cases
        ),
        CoxError::TooFewCases { cases, covariates } => format!(
            "{} too few for {covariates} covariate{}; widen the period or remove a filter.",
            if *cases == 1 {
                "1 case is".to_string()
            } else {
                format!("{cases} cases are")
            },
            if *covariates == 1 { "" } else { "s" }
        ),
        CoxError::NoCovariates => "No covariate could be estimated.".into(),
        other => format!("The model could not be fitted: {other}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(day: i64, churn: Option<i64>, kinds: u8, sev: Severity, plan: &str) -> CoxCase {
        CoxCase {
            started_at: day * DAY_MS,
            churned_at: churn.map(|d| d * DAY_MS),
            kinds,
            severity: sev,
            plan: plan.into(),
            monthly_revenue_minor: 10_000,
            currency: "USD".into(),
        }
    }

    fn query() -> AnalyticsQuery {
        AnalyticsParams {
            from: Some("2026-01-01".into()),
            to: Some("2026-12-01".into()),
            as_of: Some("2026-12-01".into()),
            ..Default::default()
        }
        .parse(0)
        .unwrap()
    }
    use app::domain::analytics::AnalyticsParams;

    #[test]
    fn follows_cases_as_the_retention_report_does() {
        let as_of = query().as_of_ms() / DAY_MS;
        let cases = [
            case(20_460, Some(20_470), 0, Severity::Sev1, "pro"),
            // Churned before the incident: not a case.
            case(20_460, Some(20_450), 0, Severity::Sev1, "pro"),
            // Starts after the as-of day: not followed.
            case(as_of + 1, None, 0, Severity::Sev1, "pro"),
            // Churns after the as-of day: censored then.
            case(20_460, Some(as_of + 5), 0, Severity::Sev1, "pro"),
        ];
        let f = followed(&cases, query().as_of_ms());
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].1, f[0].2), (10.0, true));
        assert_eq!((f[1].1, f[1].2), ((as_of - 20_460) as f64, false));
    }

    #[test]
    fn baselines_are_the_most_common_levels_and_small_plans_are_pooled() {
        let mut cases = Vec::new();
        for i in 0..40 {
            let sev = if i < 25 {
                Severity::Sev3
            } else {
                Severity::Sev1
            };
            let plan = match i % 4 {
                0 | 1 => "pro",
                2 => "starter",
                _ if i < 20 => "tiny",
                _ => "mini",
            };
            cases.push(case(20_460, Some(20_470 + i), 1, sev, plan));
        }
        let rows = followed(&cases, query().as_of_ms());
        let (c, baselines) = candidates(&rows);
        assert_eq!(baselines, ["severity SEV3", "plan pro"]);
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "action:credit",
                "severity:sev1",
                "plan:other plans",
                "plan:starter",
                "revenue"
            ]
        );
        assert_eq!(c[2].label, "Other plans (vs pro)");
        assert_eq!(c[2].cases(), 10);
        assert_eq!(revenue_value(10_000, "USD"), (101.0f64).log2());
        assert_eq!(revenue_value(300, "JPY"), (301.0f64).log2());
    }

    #[test]
    fn leaves_out_what_cannot_be_estimated_and_says_why() {
        // Every case got a credit (constant), revenue is the same for all (constant).
        let mut cases = Vec::new();
        for i in 0..30 {
            let sev = if i % 3 == 0 {
                Severity::Sev1
            } else {
                Severity::Sev2
            };
            let churn = (i % 2 == 0).then_some(20_470 + i);
            cases.push(case(20_460, churn, 1, sev, "pro"));
        }
        let r = compute(&query(), &cases);
        assert_eq!(r.refusal, None);
        let out: Vec<&str> = r.left_out.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(out, ["action:credit", "revenue"]);
        assert!(r.left_out[0].reason.contains("same value"));
        let names: Vec<&str> = r.terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["severity:sev1"]);
        assert_eq!(r.baselines, ["severity SEV2"]);
        assert_eq!((r.cases, r.churned), (30, 15));
    }

    #[test]
    fn refuses_without_cases_or_with_too_few() {
        let r = compute(&query(), &[]);
        assert_eq!(
            r.refusal.as_deref(),
            Some("No case in this period (with these filters) to fit a model on.")
        );
        let one = [case(20_460, Some(20_470), 1, Severity::Sev1, "pro")];
        let r = compute(&query(), &one);
        assert_eq!(
            r.refusal.as_deref(),
            Some("1 case is too few for 2 covariates; widen the period or remove a filter.")
        );
    }

    #[test]
    fn refuses_without_churn() {
        let cases: Vec<CoxCase> = (0..5)
            .map(|i| case(20_460 + i, None, 1, Severity::Sev1, "pro"))
            .collect();
        let r = compute(&query(), &cases);
        assert!(r.terms.is_empty());
        assert_eq!(
            r.refusal.as_deref(),
            Some("None of the 5 cases has churned yet, so there is no churn to compare.")
        );
    }
}

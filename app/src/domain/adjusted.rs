//! The adjusted effect of each kind of recovery on churn: a Cox proportional-hazards model
//! of the time from incident start to churn, with the action kinds as indicators and the
//! incident's severity, the customer's plan and monthly revenue as covariates. A hazard
//! ratio below 1 means customers given that kind churned more slowly than comparable
//! customers who were not, other covariates held equal.

use super::analytics::AnalyticsQuery;
use serde::{Deserialize, Serialize};

/// What a term of the model stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// Given this action kind (1) or not (0).
    Action,
    /// The incident had this severity rather than the baseline one.
    Severity,
    /// The customer is on this plan rather than the baseline one.
    Plan,
    /// log₂(1 + monthly revenue in the currency's major unit): the ratio is per doubling.
    Revenue,
}

/// One covariate of the fitted model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdjustedTerm {
    /// Stable name: `action:credit`, `severity:sev1`, `plan:enterprise`, `revenue`.
    pub name: String,
    /// What a reader sees: “Credit”, “Severity SEV1 (vs SEV3)”.
    pub label: String,
    pub kind: TermKind,
    /// Cases with the indicator set (for revenue: cases with any revenue).
    pub cases: u64,
    /// exp(β) with its 95 % interval.
    pub hazard_ratio: f64,
    pub lower: f64,
    pub upper: f64,
    /// β, its standard error and the Wald test's two-sided p-value.
    pub coef: f64,
    pub se: f64,
    pub p_value: f64,
}

/// A covariate the model had to leave out, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub name: String,
    pub label: String,
    pub reason: String,
}

/// The model for one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdjustedReport {
    pub query: AnalyticsQuery,
    /// Cases followed (the same cases as the retention report's) and how many churned.
    pub cases: u64,
    pub churned: u64,
    /// The reference levels the indicators compare against (e.g. `severity sev3`).
    pub baselines: Vec<String>,
    pub terms: Vec<AdjustedTerm>,
    pub left_out: Vec<LeftOut>,
    /// Likelihood-ratio test of the model against none: statistic, degrees of freedom, p.
    pub likelihood_ratio: Option<LikelihoodRatio>,
    /// Why no model could be fitted at all (too few cases, nobody churned, …).
    pub refusal: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LikelihoodRatio {
    pub statistic: f64,
    pub df: u64,
    pub p_value: f64,
}

impl AdjustedReport {
    pub fn term(&self, name: &str) -> Option<&AdjustedTerm> {
        self.terms.iter().find(|t| t.name == name)
    }
}

//! Cox proportional-hazards model with Efron's method for tied event times, fitted as
//! lifelines' `CoxPHFitter` fits it (no penalty, no strata, every case weighing 1).
//!
//! The hazard of case i is h(t | xᵢ) = h₀(t) · exp(xᵢ·β), h₀ left unspecified; β maximises
//! the log partial likelihood. At the j-th distinct event time tⱼ, with Dⱼ the dⱼ cases that
//! churned then, Rⱼ the cases at risk (duration ≥ tⱼ, so a case censored at tⱼ counts) and
//! φᵢ = exp(xᵢ·β), Efron's approximation lets the tied cases leave the risk set a share at
//! a time:
//!
//! ```text
//! ℓ(β) = Σⱼ [ Σ_{i∈Dⱼ} xᵢ·β − Σ_{l=0}^{dⱼ−1} ln( Σ_{i∈Rⱼ} φᵢ − (l/dⱼ) Σ_{i∈Dⱼ} φᵢ ) ]
//! ```
//!
//! Fit: Newton–Raphson from β = 0, on the covariates centred on their means and divided by
//! their standard deviations (n − 1 in the denominator, as lifelines does), scaled back at
//! the end; a step that lowers ℓ is halved until it does not. Converged when the next step
//! would move no coefficient by more than 1e-12 standard deviations of its covariate.
//! (lifelines' default settings stop earlier, once the Newton decrement is below 1e-7, which
//! can leave coefficients ~1e-5 from the maximum; `server/stats/cox_reference.py` has it fit
//! with tighter settings.)
//!
//! Per covariate, with I = −∂²ℓ/∂β² at β̂ (the observed information):
//!
//! ```text
//! se  = √(I⁻¹)ₖₖ
//! z   = β̂ / se,        p = P(|Z| > |z|) = erfc(|z| / √2)
//! HR  = exp(β̂),        95 % interval exp(β̂ ∓ z · se), z = Φ⁻¹(0.975)
//! ```
//!
//! and for the model the likelihood-ratio test against no covariates: 2 (ℓ(β̂) − ℓ(0)), χ²
//! with as many degrees of freedom as covariates.
//!
//! Refusals ([`CoxError`]): lengths that do not match, non-finite values, no covariates,
//! fewer cases than covariates + 1, no events, a constant covariate, covariates that are
//! linear combinations of each other among the cases at risk, and coefficients that run off
//! to ±∞ — (quasi-)separation: a covariate, or a combination, that splits the cases into
//! those that churn first and the others (say an action no case that churned ever took) —
//! or that do not converge within [`MAX_ITERATIONS`] Newton steps.

use serde::{Deserialize, Serialize};

use super::interval::{Interval, Z_975};
use super::special::{chi2_sf_1df, gamma_q};

/// Most Newton steps a fit may take.
pub const MAX_ITERATIONS: usize = 50;
/// Converged when the next Newton step moves no coefficient by more than this, in standard
/// deviations of its covariate.
const STEP_TOLERANCE: f64 = 1e-12;
/// Two steps in a row below this also count as converged: Newton's steps shrink
/// quadratically near the maximum, so a second one this small is rounding noise.
const FLAT_STEP: f64 = 1e-7;
/// The information matrix counts as singular when a pivot of its Cholesky factor falls
/// below this share of its diagonal entry (1 − R² of that covariate on the earlier ones).
const PIVOT_TOLERANCE: f64 = 1e-10;
/// Halvings of a step before giving it up.
const MAX_HALVINGS: usize = 40;
/// A coefficient "runs off" when a Newton step still moves it outwards (away from 0) by
/// this much times its covariate's range (max − min), that is, multiplies the hazard ratio
/// between the smallest and the largest value by e^0.25 or more. Near a finite maximum the
/// steps shrink quadratically; running off to ±∞ they keep a constant length (one range
/// per step for an indicator).
const RUNAWAY_MOVE: f64 = 0.25;
/// The fit gives up early on a coefficient that has run off for [`RUNAWAY_STEPS`] steps in
/// a row and reached this many ranges: a hazard ratio of e^20 ≈ 5·10⁸ between the smallest
/// and the largest value of the covariate.
const RUNAWAY_EFFECT: f64 = 20.0;
/// Steps in a row a coefficient must have run off before the fit gives up early.
const RUNAWAY_STEPS: usize = 5;

/// One covariate: its name (as results and errors show it) and one value per case.
#[derive(Debug, Clone, Copy)]
pub struct Covariate<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

impl<'a> Covariate<'a> {
    pub fn new(name: &'a str, values: &'a [f64]) -> Self {
        Self { name, values }
    }
}

/// Why a Cox model cannot be fitted. The messages name the covariate concerned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoxError {
    #[error("{durations} durations but {events} event flags")]
    LengthMismatch { durations: usize, events: usize },
    #[error("covariate “{name}” has {values} values for {cases} cases")]
    CovariateLength {
        name: String,
        values: usize,
        cases: usize,
    },
    #[error("no covariates: a Cox model needs at least one")]
    NoCovariates,
    #[error("two covariates are named “{name}”")]
    DuplicateName { name: String },
    #[error("duration #{index} is {value}: durations must be finite and ≥ 0")]
    InvalidDuration { index: usize, value: f64 },
    #[error("covariate “{name}” is {value} for case #{index}: values must be finite")]
    NonFiniteValue {
        name: String,
        index: usize,
        value: f64,
    },
    #[error(
        "{cases} cases for {covariates} covariates: a Cox model needs at least one case \
         more than it has covariates"
    )]
    TooFewCases { cases: usize, covariates: usize },
    #[error("none of the {cases} cases had an event, so there is no hazard to compare")]
    NoEvents { cases: usize },
    #[error(
        "covariate “{name}” is {value} for every case, so its effect cannot be estimated; \
         leave it out"
    )]
    Constant { name: String, value: f64 },
    /// `name` is (nearly) a linear combination of `others` among the cases at risk when
    /// events happen; no `others`: it does not vary among them at all.
    #[error("{}", collinear_message(.name, .others))]
    Collinear { name: String, others: Vec<String> },
    /// The coefficients of `covariates` run off to ±∞ ((quasi-)separation).
    #[error("{}", separation_message(.covariates))]
    Separation { covariates: Vec<String> },
    #[error(
        "the fit did not converge within {iterations} Newton steps; there may be too few \
         cases, or too extreme values, for this many covariates"
    )]
    NotConverged { iterations: usize },
}

/// “a”, “a” and “b”, “a”, “b” and “c”.
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("“{n}”")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn collinear_message(name: &str, others: &[String]) -> String {
    if others.is_empty() {
        format!(
            "covariate “{name}” does not vary among the cases at risk when events happen, \
             so its effect cannot be estimated; leave it out"
        )
    } else {
        format!(
            "covariate “{name}” is a linear combination of {} among the cases at risk when \
             events happen, so their effects cannot be told apart; leave one of them out",
            quoted(others)
        )
    }
}

fn separation_message(covariates: &[String]) -> String {
    let (subject, runs, which, separates, advice) = match covariates {
        [_] => (
            "the coefficient of",
            "runs",
            "this covariate",
            "separates",
            "leave it out, or merge it with a similar covariate",
        ),
        _ => (
            "the coefficients of",
            "run",
            "together these covariates",
            "separate",
            "leave one of them out, or merge them",
        ),
    };
    format!(
        "{subject} {} {runs} off to infinity: {which} (nearly) {separates} the cases that \
         churn early from the others (say, none or all of the cases with an action churned), \
         so no finite hazard ratio fits; {advice}",
        quoted(covariates)
    )
}

/// A fitted coefficient, on the scale of the covariate as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxCoefficient {
    pub name: String,
    /// β̂: change of the log hazard per unit of the covariate.
    pub coef: f64,
    /// Standard error of β̂.
    pub se: f64,
    /// exp(β̂) with its 95 % interval exp(β̂ ∓ z · se).
    pub hazard_ratio: Interval,
    /// β̂ / se.
    pub z: f64,
    /// Two-sided p-value of z (Wald test of β = 0).
    pub p_value: f64,
}

/// Likelihood-ratio test of the model against the one without covariates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LikelihoodRatio {
    /// 2 (ℓ(β̂) − ℓ(0)).
    pub statistic: f64,
    /// Degrees of freedom: the number of covariates.
    pub df: usize,
    pub p_value: f64,
}

/// A fitted Cox proportional-hazards model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxModel {
    /// One per covariate, in the order given.
    pub coefficients: Vec<CoxCoefficient>,
    /// ℓ(β̂), the log partial likelihood at the fit.
    pub log_likelihood: f64,
    /// ℓ(0), without covariates.
    pub null_log_likelihood: f64,
    pub likelihood_ratio: LikelihoodRatio,
    /// Number of cases.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    /// Newton steps taken.
    pub iterations: usize,
}

/// The cases sorted by duration, longest first, with standardized covariates.
struct Prepared {
    p: usize,
    /// Row-major n × p: (x − mean) / sd per covariate.
    z: Vec<f64>,
    event: Vec<bool>,
    /// [start, end) of each run of equal durations.
    groups: Vec<(usize, usize)>,
    /// Standard deviation (n − 1) per covariate.
    sd: Vec<f64>,
    /// (max − min) / sd per covariate: the range in standardized units.
    spread: Vec<f64>,
}

/// ℓ, its gradient and the information matrix −∂²ℓ/∂β² (row-major p × p) at some β.
struct Evaluation {
    log_likelihood: f64,
    gradient: Vec<f64>,
    information: Vec<f64>,
}

impl Prepared {
    fn new(durations: &[f64], events: &[bool], covariates: &[Covariate<'_>]) -> Self {
        let n = durations.len();
        let p = covariates.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| durations[b].total_cmp(&durations[a]));
        let mut groups = Vec::new();
        let mut start = 0;
        for k in 1..=n {
            if k == n || durations[order[k]] != durations[order[start]] {
                groups.push((start, k));
                start = k;
            }
        }
        let (mut sd, mut spread, mut mean) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
        for (j, c) in covariates.iter().enumerate() {
            let m = c.values.iter().sum::<f64>() / n as f64;
            let ss: f64 = c.values.iter().map(|x| (x - m) * (x - m)).sum();
            let (lo, hi) = c
                .values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                });
            mean[j] = m;
            sd[j] = (ss / (n as f64 - 1.0)).sqrt();
            spread[j] = (hi - lo) / sd[j];
        }
        let mut z = Vec::with_capacity(n * p);
        for &i in &order {
            for (j, c) in covariates.iter().enumerate() {
                z.push((c.values[i] - mean[j]) / sd[j]);
            }
        }
        Self {
            p,
            z,
            event: order.iter().map(|&i| events[i]).collect(),
            groups,
            sd,
            spread,
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.z[i * self.p..(i + 1) * self.p]
    }

    /// ℓ(β), gradient and information, accumulating the risk sets from the longest duration
    /// down. φ is taken relative to the largest xᵢ·β, so that no exp overflows; ℓ does not
    /// change. ℓ is NaN or infinite when a risk set underflows to 0 (far off the fit).
    fn evaluate(&self, beta: &[f64]) -> Evaluation {
        let p = self.p;
        let n = self.event.len();
        let eta: Vec<f64> = (0..n).map(|i| dot(self.row(i), beta)).collect();
        let shift = eta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        let (mut t1, mut t2, mut mean) = (vec![0.0; p], vec![0.0; p * p], vec![0.0; p]);
        let mut ll = 0.0;
        let mut gradient = vec![0.0; p];
        let mut information = vec![0.0; p * p];
        for &(start, end) in &self.groups {
            let (mut t0, mut d) = (0.0, 0_usize);
            t1.fill(0.0);
            t2.fill(0.0);
            for (i, &eta_i) in (start..end).zip(&eta[start..end]) {
                let zi = self.row(i);
                let phi = (eta_i - shift).exp();
                s0 += phi;
                add_outer(&mut s1, &mut s2, phi, zi);
                if self.event[i] {
                    d += 1;
                    t0 += phi;
                    add_outer(&mut t1, &mut t2, phi, zi);
                    ll += eta_i - shift;
                    for (g, x) in gradient.iter_mut().zip(zi) {
                        *g += x;
                    }
                }
            }
            for l in 0..d {
                let share = l as f64 / d as f64;
                let denominator = s0 - share * t0;
                ll -= denominator.ln();
                for a in 0..p {
                    mean[a] = (s1[a] - share * t1[a]) / denominator;
                    gradient[a] -= mean[a];
                }
                for a in 0..p {
                    for b in 0..=a {
                        let k = a * p + b;
                        information[k] += (s2[k] - share * t2[k]) / denominator - mean[a] * mean[b];
                    }
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                information[b * p + a] = information[a * p + b];
            }
        }
        Evaluation {
            log_likelihood: ll,
            gradient,
            information,
        }
    }

    /// Whether the Newton `step` from `beta` moves coefficient j outwards (away from 0) by at
    /// least [`RUNAWAY_MOVE`] of its covariate's range.
    fn runs_away(&self, j: usize, beta: &[f64], step: &[f64]) -> bool {
        step[j] * beta[j] > 0.0 && step[j].abs() * self.spread[j] >= RUNAWAY_MOVE
    }

    /// The covariates whose coefficient the Newton `step` moves outwards by at least
    /// [`RUNAWAY_MOVE`] of their range: the ones running off to ±∞.
    fn running_away(&self, beta: &[f64], step: &[f64]) -> Vec<usize> {
        (0..self.p)
            .filter(|&j| self.runs_away(j, beta, step))
            .collect()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// v += w·x, m += w·x·xᵀ (lower triangle).
fn add_outer(v: &mut [f64], m: &mut [f64], w: f64, x: &[f64]) {
    let p = x.len();
    for a in 0..p {
        let wa = w * x[a];
        v[a] += wa;
        for b in 0..=a {
            m[a * p + b] += wa * x[b];
        }
    }
}

/// Lower Cholesky factor L (row-major) of a symmetric positive-definite p × p matrix.
/// `Err((j, l))` when pivot j is not positive beyond [`PIVOT_TOLERANCE`]; rows 0..j of `l`
/// are then complete and row j holds L₀..ⱼ⁻¹ times column j of the matrix.
fn cholesky(a: &[f64], p: usize) -> Result<Vec<f64>, (usize, Vec<f64>)> {
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        for k in 0..j {
            let s = a[j * p + k] - dot(&l[j * p..j * p + k], &l[k * p..k * p + k]);
            l[j * p + k] = s / l[k * p + k];
        }
        let diagonal = a[j * p + j];
        let pivot = diagonal - dot(&l[j * p..j * p + j], &l[j * p..j * p + j]);
        let positive = pivot.is_finite() && pivot > PIVOT_TOLERANCE * diagonal;
        if !positive {
            return Err((j, l));
        }
        l[j * p + j] = pivot.sqrt();
    }
    Ok(l)
}

/// Solves L Lᵀ x = b.
fn cholesky_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        y[i] = (b[i] - dot(&l[i * p..i * p + i], &y[..i])) / l[i * p + i];
    }
    back_substitute(l, p, &mut y);
    y
}

/// Solves Lᵀ x = y in place for the leading p × p block of `l` (row stride `stride`).
fn back_substitute_block(l: &[f64], stride: usize, p: usize, y: &mut [f64]) {
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|k| l[k * stride + i] * y[k]).sum();
        y[i] = (y[i] - s) / l[i * stride + i];
    }
}

fn back_substitute(l: &[f64], p: usize, y: &mut [f64]) {
    back_substitute_block(l, p, p, y);
}

/// (L Lᵀ)⁻¹, row-major.
fn cholesky_inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inverse = vec![0.0; p * p];
    let mut e = vec![0.0; p];
    for j in 0..p {
        e.fill(0.0);
        e[j] = 1.0;
        let column = cholesky_solve(l, p, &e);
        for i in 0..p {
            inverse[i * p + j] = column[i];
        }
    }
    inverse
}

/// Names of the covariates, by index.
fn names(covariates: &[Covariate<'_>], indices: &[usize]) -> Vec<String> {
    indices
        .iter()
        .map(|&j| covariates[j].name.to_owned())
        .collect()
}

fn validate(
    durations: &[f64],
    events: &[bool],
    covariates: &[Covariate<'_>],
) -> Result<(), CoxError> {
    let n = durations.len();
    if events.len() != n {
        return Err(CoxError::LengthMismatch {
            durations: n,
            events: events.len(),
        });
    }
    if covariates.is_empty() {
        return Err(CoxError::NoCovariates);
    }
    for (j, c) in covariates.iter().enumerate() {
        if c.values.len() != n {
            return Err(CoxError::CovariateLength {
                name: c.name.to_owned(),
                values: c.values.len(),
                cases: n,
            });
        }
        if covariates[..j].iter().any(|o| o.name == c.name) {
            return Err(CoxError::DuplicateName {
                name: c.name.to_owned(),
            });
        }
    }
    if let Some((index, &value)) = durations
        .iter()
        .enumerate()
        .find(|(_, d)| !d.is_finite() || **d < 0.0)
    {
        return Err(CoxError::InvalidDuration { index, value });
    }
    for c in covariates {
        if let Some((index, &value)) = c.values.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(CoxError::NonFiniteValue {
                name: c.name.to_owned(),
                index,
                value,
            });
        }
    }
    if n < covariates.len() + 1 {
        return Err(CoxError::TooFewCases {
            cases: n,
            covariates: covariates.len(),
        });
    }
    if !events.iter().any(|&e| e) {
        return Err(CoxError::NoEvents { cases: n });
    }
    for c in covariates {
        let first = c.values[0];
        if c.values.iter().all(|&x| x == first) {
            return Err(CoxError::Constant {
                name: c.name.to_owned(),
                value: first,
            });
        }
    }
    Ok(())
}

impl CoxModel {
    /// Fits the model. `durations` in days (finite, ≥ 0); `events[i]` true when case i
    /// churned at `durations[i]`, false when censored then; each covariate has one finite
    /// value per case. Equal durations are ties (Efron).
    pub fn fit(
        durations: &[f64],
        events: &[bool],
        covariates: &[Covariate<'_>],
    ) -> Result<Self, CoxError> {
        validate(durations, events, covariates)?;
        let data = Prepared::new(durations, events, covariates);
        let p = data.p;
        let mut beta = vec![0.0; p];
        let mut at = data.evaluate(&beta);
        let null_log_likelihood = at.log_likelihood;
        let mut last_step = vec![0.0; p];
        let mut iterations = 0;
        let mut previous_largest = f64::INFINITY;
        // Newton steps in a row that moved each coefficient outwards by RUNAWAY_MOVE.
        let mut streaks = vec![0_usize; p];
        // Gives up: the runaway covariates if there are any.
        let diverged = |beta: &[f64], step: &[f64], iterations: usize| {
            let runaway = data.running_away(beta, step);
            if runaway.is_empty() {
                CoxError::NotConverged { iterations }
            } else {
                CoxError::Separation {
                    covariates: names(covariates, &runaway),
                }
            }
        };
        let factor = loop {
            let factor = match cholesky(&at.information, p) {
                Ok(l) => l,
                Err((j, l)) => {
                    // Row j of l holds L⁻¹ times column j: solve Lᵀ c = that for the
                    // coefficients of covariate j on the earlier ones.
                    let mut c = l[j * p..j * p + j].to_vec();
                    back_substitute_block(&l, p, j, &mut c);
                    let others: Vec<usize> = (0..j).filter(|&k| c[k].abs() > 1e-6).collect();
                    if iterations == 0 {
                        return Err(CoxError::Collinear {
                            name: covariates[j].name.to_owned(),
                            others: names(covariates, &others),
                        });
                    }
                    let runaway = data.running_away(&beta, &last_step);
                    let culprits = if runaway.is_empty() {
                        others.into_iter().chain([j]).collect()
                    } else {
                        runaway
                    };
                    return Err(CoxError::Separation {
                        covariates: names(covariates, &culprits),
                    });
                }
            };
            let step = cholesky_solve(&factor, p, &at.gradient);
            let largest = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
            if largest <= STEP_TOLERANCE {
                break factor;
            }
            if iterations == MAX_ITERATIONS {
                return Err(diverged(&beta, &step, iterations));
            }
            for (j, streak) in streaks.iter_mut().enumerate() {
                *streak = if data.runs_away(j, &beta, &step) {
                    *streak + 1
                } else {
                    0
                };
            }
            let far = |j: usize| beta[j].abs() * data.spread[j] >= RUNAWAY_EFFECT;
            if (0..p).any(|j| streaks[j] >= RUNAWAY_STEPS && far(j)) {
                let runaway: Vec<usize> = (0..p).filter(|&j| streaks[j] >= RUNAWAY_STEPS).collect();
                return Err(CoxError::Separation {
                    covariates: names(covariates, &runaway),
                });
            }
            // Newton step, halved while it lowers ℓ by more than rounding.
            let ll = at.log_likelihood;
            let slack = 1e-13 * (1.0 + ll.abs());
            let mut scale = 1.0;
            let mut accepted = None;
            for _ in 0..=MAX_HALVINGS {
                let candidate: Vec<f64> =
                    beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
                let next = data.evaluate(&candidate);
                if next.log_likelihood.is_finite() && next.log_likelihood >= ll - slack {
                    accepted = Some((candidate, next));
                    break;
                }
                scale /= 2.0;
            }
            match accepted {
                Some((candidate, next)) => {
                    if largest <= FLAT_STEP && previous_largest <= FLAT_STEP {
                        break factor;
                    }
                    previous_largest = largest;
                    last_step = step.iter().map(|s| scale * s).collect();
                    beta = candidate;
                    at = next;
                    iterations += 1;
                }
                None if largest <= FLAT_STEP => break factor,
                None => return Err(diverged(&beta, &step, iterations)),
            }
        };
        let covariance = cholesky_inverse(&factor, p);
        let coefficients = covariates
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let coef = beta[j] / data.sd[j];
                let se = covariance[j * p + j].sqrt() / data.sd[j];
                let z = coef / se;
                CoxCoefficient {
                    name: c.name.to_owned(),
                    coef,
                    se,
                    hazard_ratio: Interval::new(
                        coef.exp(),
                        (coef - Z_975 * se).exp(),
                        (coef + Z_975 * se).exp(),
                    ),
                    z,
                    p_value: chi2_sf_1df(z * z),
                }
            })
            .collect();
        let statistic = (2.0 * (at.log_likelihood - null_log_likelihood)).max(0.0);
        Ok(Self {
            coefficients,
            log_likelihood: at.log_likelihood,
            null_log_likelihood,
            likelihood_ratio: LikelihoodRatio {
                statistic,
                df: p,
                p_value: gamma_q(p as f64 / 2.0, statistic / 2.0),
            },
            n: durations.len(),
            events: events.iter().filter(|&&e| e).count(),
            iterations,
        })
    }

    /// The coefficient of the covariate called `name`.
    pub fn coefficient(&self, name: &str) -> Option<&CoxCoefficient> {
        self.coefficients.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve cases over 40 days with ties; `plan` and `refund` leave the fit finite.
    const DAYS: [f64; 12] = [2., 3., 3., 5., 8., 8., 8., 13., 21., 21., 34., 40.];
    const CHURNED: [bool; 12] = [
        true, true, false, true, true, true, false, true, false, true, false, false,
    ];
    const PLAN: [f64; 12] = [1., 0., 1., 0., 1., 0., 0., 1., 0., 1., 0., 0.];
    const REVENUE: [f64; 12] = [9., 49., 19., 29., 9., 99., 19., 49., 29., 9., 149., 99.];

    fn fit(columns: &[(&str, &[f64])]) -> Result<CoxModel, CoxError> {
        let covariates: Vec<Covariate<'_>> = columns
            .iter()
            .map(|&(name, values)| Covariate::new(name, values))
            .collect();
        CoxModel::fit(&DAYS, &CHURNED, &covariates)
    }

    fn separation(err: CoxError) -> Vec<String> {
        match err {
            CoxError::Separation { covariates } => covariates,
            other => panic!("expected a separation, got {other:?}: {other}"),
        }
    }

    #[test]
    fn fits_the_fine_example() {
        let model = fit(&[("plan", &PLAN), ("revenue", &REVENUE)]).unwrap();
        assert_eq!((model.n, model.events), (12, 7));
        assert!(model.iterations <= 10);
        assert!(model.log_likelihood > model.null_log_likelihood);
        let plan = model.coefficient("plan").unwrap();
        assert!(plan.se > 0.0 && plan.p_value > 0.0 && plan.p_value < 1.0);
        assert!(plan.hazard_ratio.contains(plan.coef.exp()));
    }

    #[test]
    fn refuses_a_constant_covariate_by_name() {
        let flat = [3.0; 12];
        let err = fit(&[("plan", &PLAN), ("tier", &flat)]).unwrap_err();
        assert_eq!(
            err,
            CoxError::Constant {
                name: "tier".into(),
                value: 3.0
            }
        );
        assert!(
            err.to_string().contains("“tier” is 3 for every case"),
            "{err}"
        );
    }

    #[test]
    fn refuses_without_events() {
        let covariates = [Covariate::new("plan", &PLAN)];
        let err = CoxModel::fit(&DAYS, &[false; 12], &covariates).unwrap_err();
        assert_eq!(err, CoxError::NoEvents { cases: 12 });
        assert!(err
            .to_string()
            .starts_with("none of the 12 cases had an event"));
    }

    #[test]
    fn refuses_too_few_cases() {
        let covariates = [
            Covariate::new("a", &[1.0, 2.0]),
            Covariate::new("b", &[0.0, 1.0]),
        ];
        let err = CoxModel::fit(&[1.0, 2.0], &[true, true], &covariates).unwrap_err();
        assert_eq!(
            err,
            CoxError::TooFewCases {
                cases: 2,
                covariates: 2
            }
        );
        let none: [Covariate<'_>; 0] = [];
        let err = CoxModel::fit(&[], &[], &none).unwrap_err();
        assert_eq!(err, CoxError::NoCovariates);
        let err = CoxModel::fit(&[], &[], &[Covariate::new("a", &[])]).unwrap_err();
        assert!(
            matches!(err, CoxError::TooFewCases { cases: 0, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn refuses_mismatched_lengths_and_non_finite_values() {
        let covariates = [Covariate::new("plan", &PLAN)];
        let err = CoxModel::fit(&DAYS, &CHURNED[..11], &covariates).unwrap_err();
        assert_eq!(
            err,
            CoxError::LengthMismatch {
                durations: 12,
                events: 11
            }
        );
        let err = fit(&[("plan", &PLAN), ("revenue", &REVENUE[..10])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "covariate “revenue” has 10 values for 12 cases"
        );
        let err = fit(&[("plan", &PLAN), ("plan", &REVENUE)]).unwrap_err();
        assert_eq!(err.to_string(), "two covariates are named “plan”");
        let mut days = DAYS;
        days[4] = f64::NAN;
        let err = CoxModel::fit(&days, &CHURNED, &covariates).unwrap_err();
        assert!(matches!(err, CoxError::InvalidDuration { index: 4, .. }));
        days[4] = -1.0;
        let err = CoxModel::fit(&days, &CHURNED, &covariates).unwrap_err();
        assert!(matches!(err, CoxError::InvalidDuration { index: 4, .. }));
        let mut revenue = REVENUE;
        revenue[7] = f64::INFINITY;
        let err = fit(&[("plan", &PLAN), ("revenue", &revenue)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "covariate “revenue” is inf for case #7: values must be finite"
        );
    }

    /// Every case with a refund was censored: the hazard ratio of a refund runs to 0.
    #[test]
    fn refuses_an_action_no_churned_case_took() {
        let refund: Vec<f64> = CHURNED.iter().map(|&c| if c { 0.0 } else { 1.0 }).collect();
        let err = fit(&[("plan", &PLAN), ("refund", &refund)]).unwrap_err();
        assert_eq!(separation(err.clone()), ["refund"]);
        assert!(
            err.to_string()
                .starts_with("the coefficient of “refund” runs off to infinity"),
            "{err}"
        );
    }

    /// The first four churned cases, and only they, downgraded: the hazard ratio runs to ∞.
    #[test]
    fn refuses_an_action_that_orders_the_churn() {
        let downgrade = [1., 1., 0., 1., 1., 0., 0., 0., 0., 0., 0., 0.];
        // Cases 5 and 6 churned at day 8 with case 4 and did not downgrade: not separated yet.
        assert!(fit(&[("downgrade", &downgrade)]).is_ok());
        let downgrade = [1., 1., 0., 1., 1., 1., 0., 0., 0., 0., 0., 0.];
        let err = fit(&[("revenue", &REVENUE), ("downgrade", &downgrade)]).unwrap_err();
        assert_eq!(separation(err), ["downgrade"]);
    }

    /// A continuous covariate that falls with the duration of every case: the longer it is,
    /// the earlier the churn, without exception.
    #[test]
    fn refuses_a_covariate_that_orders_the_durations() {
        let score: Vec<f64> = DAYS.iter().map(|d| 100.0 - 2.0 * d).collect();
        let err = fit(&[("plan", &PLAN), ("score", &score)]).unwrap_err();
        assert_eq!(separation(err), ["score"]);
    }

    /// Neither covariate separates alone, their difference does.
    #[test]
    fn names_both_covariates_of_a_separating_combination() {
        let refund: Vec<f64> = CHURNED.iter().map(|&c| if c { 0.0 } else { 1.0 }).collect();
        let a: Vec<f64> = PLAN.iter().zip(&refund).map(|(p, r)| p + r).collect();
        let err = fit(&[("a", &a), ("plan", &PLAN), ("revenue", &REVENUE)]).unwrap_err();
        let mut names = separation(err);
        names.sort();
        assert_eq!(names, ["a", "plan"]);
    }

    #[test]
    fn refuses_collinear_covariates_by_name() {
        let other: Vec<f64> = PLAN.iter().map(|p| 1.0 - p).collect();
        let err = fit(&[("plan", &PLAN), ("revenue", &REVENUE), ("no_plan", &other)]).unwrap_err();
        assert_eq!(
            err,
            CoxError::Collinear {
                name: "no_plan".into(),
                others: vec!["plan".into()]
            }
        );
        let sum: Vec<f64> = PLAN
            .iter()
            .zip(&REVENUE)
            .map(|(p, r)| 2.0 * p - r)
            .collect();
        let err = fit(&[("plan", &PLAN), ("revenue", &REVENUE), ("sum", &sum)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "covariate “sum” is a linear combination of “plan” and “revenue” among the cases \
             at risk when events happen, so their effects cannot be told apart; leave one of \
             them out"
        );
    }

    /// The covariate only varies among cases censored before the first churn: no case at
    /// risk at an event time tells anything about it.
    #[test]
    fn refuses_a_covariate_without_information() {
        let durations = [1., 1., 2., 5., 6., 7., 9.];
        let events = [false, false, false, true, true, false, true];
        let early = [1., 0., 0., 0., 0., 0., 0.];
        let covariates = [Covariate::new("early", &early)];
        let err = CoxModel::fit(&durations, &events, &covariates).unwrap_err();
        assert_eq!(
            err,
            CoxError::Collinear {
                name: "early".into(),
                others: vec![]
            }
        );
        assert!(err
            .to_string()
            .contains("does not vary among the cases at risk"));
    }

    #[test]
    fn messages_list_names() {
        assert_eq!(quoted(&["a".into()]), "“a”");
        assert_eq!(quoted(&["a".into(), "b".into()]), "“a” and “b”");
        assert_eq!(
            quoted(&["a".into(), "b".into(), "c".into()]),
            "“a”, “b” and “c”"
        );
        let err = CoxError::Separation {
            covariates: vec!["a".into(), "b".into()],
        };
        assert!(err
            .to_string()
            .starts_with("the coefficients of “a” and “b” run off to infinity: together"));
    }
}

//! Statistics for the analytics pages, exactly as DESIGN.md ("Analytics — exact
//! definitions") defines them. Pure functions on numbers: no I/O, no database.
//!
//! - [`wilson()`]: share with a 95 % Wilson score interval (z = 1.959964);
//! - [`mean_t_interval`]: mean with a 95 % Student t interval;
//! - [`KmCurve`]: Kaplan–Meier survival with 95 % Greenwood log(−log) intervals, at-risk,
//!   event and censoring counts per step, and S(t) read from the step function;
//! - [`logrank()`]: two-group log-rank test, χ² with 1 df, and its p-value;
//! - [`CoxModel`]: Cox proportional-hazards model (Efron's method for ties): per covariate the
//!   coefficient, its standard error, the hazard ratio with its 95 % interval, z and p; the
//!   log partial likelihood and the likelihood-ratio test; typed refusals ([`CoxError`]) for
//!   constant or collinear covariates, separation and the like (see [`cox`]);
//! - [`special`]: the special functions behind them (t quantile, erfc, χ²₁ survival, …).
//!
//! The estimators are those of Python's lifelines (`KaplanMeierFitter`, `logrank_test`,
//! `CoxPHFitter`), scipy and statsmodels; `server/tests/stats.rs` checks them against the
//! values `server/stats/reference.py` computes with those libraries, and
//! `server/tests/stats_cox.rs` the Cox model against `server/stats/cox_reference.py`.
//!
//! Edge cases: no data → `None` (or an empty curve); a mean of one value has no interval;
//! Kaplan–Meier intervals at S = 1 and S = 0 have zero width (see [`km`]); a Cox model that
//! cannot be fitted is a [`CoxError`], which names the covariate at fault where there is one.

pub mod cox;
pub mod difference;
pub mod interval;
pub mod km;
pub mod logrank;
pub mod mean;
pub mod special;
pub mod wilson;

pub use cox::{Covariate, CoxCoefficient, CoxError, CoxModel, LikelihoodRatio};
pub use interval::{Interval, Z_975};
pub use km::{KmCurve, KmStep, SurvivalInputError};
pub use logrank::{logrank, Group, LogRank};
pub use mean::{mean_t_interval, MeanInterval};
pub use special::{chi2_sf_1df, erfc, t_cdf, t_quantile};
pub use wilson::{wilson, wilson_with_z, DESIGN_Z};

//! Holdout experiments: the list with figures, one experiment, and what giving with a
//! holdout would do (shown before it is confirmed).

use crate::domain::experiment::{ExperimentReport, ExperimentsView, HoldoutPreview};
use crate::error::AppError;
use leptos::prelude::*;

/// The as-of date every page reads experiments at: the start of tomorrow, so today counts
/// (the dashboard's default).
#[cfg(feature = "ssr")]
fn default_as_of() -> String {
    let day = crate::domain::analytics::DAY_MS;
    let now = crate::domain::when::now_ms();
    crate::domain::analytics::date_of(now.div_euclid(day) * day + day)
}

/// Every experiment (the latest 500) with its figures, and the pooled effects.
#[server(prefix = "/api/fn", endpoint = "experiments/list")]
pub async fn get_experiments() -> Result<ExperimentsView, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    Ok((*super::reads()?.experiments(&default_as_of()).await?).clone())
}

/// One experiment with its figures.
#[server(prefix = "/api/fn", endpoint = "experiments/one")]
pub async fn get_experiment(id: i64) -> Result<ExperimentReport, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let view = super::reads()?.experiments(&default_as_of()).await?;
    view.experiments
        .iter()
        .find(|e| e.id == id)
        .cloned()
        .ok_or_else(|| super::fail(AppError::NotFound))
}

/// What giving `kind` to `target` with `holdout` per cent held out would do; changes
/// nothing.
#[server(prefix = "/api/fn", endpoint = "experiments/preview")]
pub async fn preview_holdout(
    incident: i64,
    target: String,
    kind: String,
    holdout: String,
    control: Option<String>,
) -> Result<HoldoutPreview, AppError> {
    use crate::domain::action::ActionTarget;
    use crate::domain::experiment::Holdout;
    use crate::domain::ActionKind;
    super::require(crate::domain::Role::Editor)?;
    let target = ActionTarget::parse(&target).map_err(super::fail)?;
    let kind = ActionKind::parse(&kind)
        .map_err(|_| super::fail(AppError::field("kind", "Choose what to give.")))?;
    let Some(h) =
        Holdout::parse(&holdout, control.as_deref().unwrap_or(""), kind).map_err(super::fail)?
    else {
        return Err(super::fail(AppError::field(
            "holdout",
            "Choose a share to hold out.",
        )));
    };
    super::store()?
        .preview_holdout(incident, &target, kind, &h)
        .await
        .map_err(|e| super::fail(e.into()))
}

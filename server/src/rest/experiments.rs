//! `GET /api/v1/experiments` and `/api/v1/experiments/{id}`: the holdout experiments with
//! each arm's figures, the effect between the arms and a verdict, and the pooled effect
//! per action kind: the same answer the Experiments page reads. Every role may read.
//! Experiments are started by giving an action with a `holdout` (`POST
//! /api/v1/incidents/{id}/actions`).

use super::caller::Reader;
use super::extract::{Path, Query};
use super::problem::Problem;
use crate::service::ReadService;
use app::domain::analytics::AnalyticsParams;
use app::domain::experiment::ExperimentsView;
use app::error::StoreError;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

/// When retention is censored.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Retention is censored at the start of this day (`YYYY-MM-DD`; default: tomorrow,
    /// so today counts).
    pub as_of: Option<String>,
}

/// The experiments censored at `as_of` (validated like the analytics' as-of date).
pub async fn view(
    reads: &ReadService,
    as_of: Option<String>,
) -> Result<Arc<ExperimentsView>, Problem> {
    let q = AnalyticsParams {
        as_of,
        ..AnalyticsParams::default()
    }
    .parse(app::domain::when::now_ms())
    .map_err(|e| Problem::invalid(e.field, e.message))?;
    Ok(reads.experiments(&q.as_of).await?)
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Every experiment (the latest 500, newest first) with its figures, and the pooled effect
/// of each action kind tested.
#[utoipa::path(get, operation_id = "listExperiments", path = "/api/v1/experiments", tag = "experiments",
    params(AsOf),
    responses((status = 200, description = "`{as_of, experiments: […], pooled: […]}`; see the guide",
        body = serde_json::Value)))]
pub async fn list(
    _reader: Reader,
    State(reads): State<ReadService>,
    Query(q): Query<AsOf>,
) -> Result<Response, Problem> {
    let view = view(&reads, q.as_of).await?;
    Ok(json(
        serde_json::to_string(&*view).map_err(|_| Problem::from(StoreError::Internal))?,
    ))
}

/// One experiment with its figures.
#[utoipa::path(get, operation_id = "getExperiment", path = "/api/v1/experiments/{id}", tag = "experiments",
    params(("id" = i64, Path, description = "The experiment's number"), AsOf),
    responses((status = 200, description = "The experiment; see the guide", body = serde_json::Value),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such experiment")))]
pub async fn get(
    _reader: Reader,
    State(reads): State<ReadService>,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Result<Response, Problem> {
    let view = view(&reads, q.as_of).await?;
    let Some(e) = view.experiments.iter().find(|e| e.id == id) else {
        return Err(Problem::not_found("experiment"));
    };
    Ok(json(
        serde_json::to_string(e).map_err(|_| Problem::from(StoreError::Internal))?,
    ))
}

//! `GET /api/v1/analytics/{report}` (sentiment, retention, speed, repeat, weekly, dose,
//! adjusted): the analytics as JSON (or CSV with `format=csv`), the same answer the
//! dashboard and `amends analytics` read.
//! Every role may read.

use super::caller::Reader;
use super::extract::{Path, Query};
use super::problem::Problem;
use crate::analytics::report::Report;
use crate::service::ReadService;
use app::domain::analytics::AnalyticsParams;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;

/// The question: a period of incident starts and optional filters.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AnalyticsQuery {
    /// First day of the period (default: 12 months before `to`).
    from: Option<String>,
    /// Day after the period (exclusive; default: tomorrow).
    to: Option<String>,
    /// Survival is censored at this day (default: `to`).
    as_of: Option<String>,
    /// Only incidents of this kind.
    kind: Option<String>,
    /// Only incidents of this severity (`sev1`–`sev4`).
    severity: Option<String>,
    /// Only customers on this plan.
    plan: Option<String>,
    /// Only this incident's cases.
    incident: Option<i64>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// The question's parameters from a query string (unknown keys are ignored).
pub fn params(raw: &HashMap<String, String>) -> AnalyticsParams {
    let get = |k: &str| raw.get(k).cloned();
    AnalyticsParams {
        from: get("from"),
        to: get("to"),
        as_of: get("as_of"),
        kind: get("kind"),
        severity: get("severity"),
        plan: get("plan"),
        incident: get("incident"),
    }
}

/// One analytics report (see the guide for each report's members).
#[utoipa::path(get, operation_id = "getAnalyticsReport", path = "/api/v1/analytics/{report}", tag = "analytics",
    params(("report" = String, Path, description = "`sentiment`, `retention`, `speed`, `repeat`, `weekly`, `dose` or `adjusted`"),
        AnalyticsQuery),
    responses((status = 200, description = "The report", content(
            (serde_json::Value = "application/json"),
            (String = "text/csv"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such report")))]
pub async fn report(
    _reader: Reader,
    State(reads): State<ReadService>,
    Path(name): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let Some(report) = Report::parse(&name) else {
        return Err(Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            "No such report: use sentiment, retention, speed, repeat, weekly, dose or adjusted.",
        ));
    };
    let csv = match raw.get("format").map(String::as_str) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(Problem::invalid("format", "format must be json or csv.")),
    };
    let query = params(&raw)
        .parse(app::domain::when::now_ms())
        .map_err(|e| Problem::invalid(e.field, e.message))?;
    let answer = reads.answer(report, &query).await?;
    Ok(if csv {
        let file = format!("amends-{name}-{}-{}.csv", query.from, query.to);
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            report.csv(&answer),
        )
            .into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "application/json")],
            report.json_text(&answer),
        )
            .into_response()
    })
}

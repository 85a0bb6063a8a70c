//! `GET /api/v1/analytics/{sentiment|retention|speed|repeat|weekly}`: the analytics as JSON
//! (or CSV with `format=csv`), for tests and other tools. Same sign-in as the app; every
//! role may read. Parameters: `from`, `to`, `as_of` (ISO dates), `kind`, `severity`, `plan`.

use crate::analytics::report::Report;
use app::domain::analytics::AnalyticsParams;
use app::domain::{Role, UserInfo};
use app::store::SharedStore;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use std::collections::HashMap;

fn problem(status: StatusCode, field: Option<&str>, message: &str) -> Response {
    let body = match field {
        Some(f) => json!({ "error": message, "field": f }),
        None => json!({ "error": message }),
    };
    (status, Json(body)).into_response()
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

pub async fn report(
    State(store): State<SharedStore>,
    user: Option<Extension<UserInfo>>,
    Path(name): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    match user {
        Some(Extension(u)) if u.role.allows(Role::Viewer) => {}
        _ => return problem(StatusCode::UNAUTHORIZED, None, "Please sign in first."),
    }
    let Some(report) = Report::parse(&name) else {
        return problem(
            StatusCode::NOT_FOUND,
            None,
            "No such report: use sentiment, retention, speed, repeat or weekly.",
        );
    };
    let csv = match raw.get("format").map(String::as_str) {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("format"),
                "format must be json or csv.",
            )
        }
    };
    let query = match params(&raw).parse(app::domain::when::now_ms()) {
        Ok(q) => q,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, Some(e.field), &e.message),
    };
    let analytics = match store.analytics(&query).await {
        Ok(a) => a,
        Err(app::error::StoreError::Unavailable) => {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "The database cannot be reached right now. Try again in a minute.",
            )
        }
        Err(_) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "Something went wrong on our side; it has been logged.",
            )
        }
    };
    if csv {
        let file = format!("amends-{name}-{}-{}.csv", query.from, query.to);
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            report.csv(&analytics),
        )
            .into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "application/json")],
            report.json_text(&analytics),
        )
            .into_response()
    }
}

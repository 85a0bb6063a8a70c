//! `GET /dashboard/{chart}.svg` and `/dashboard/{chart}.csv`: each dashboard chart as a file,
//! for the question in the query string. The SVG is the one the page shows; the CSV holds
//! the numbers behind it (for the retention charts, every step of every curve). Only the
//! chart asked for is drawn (or taken from the dashboard already drawn for the question).

use crate::analytics::report::{curves, to_csv};
use crate::auth::caller::Reader;
use crate::rest::analytics::params;
use crate::service::ReadService;
use app::domain::analytics::Group;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

use super::plain_text as text;

pub async fn chart_file(
    _reader: Reader,
    State(reads): State<ReadService>,
    Path(file): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let Some((id, ext)) = file.rsplit_once('.') else {
        return text(StatusCode::NOT_FOUND, "No such chart.");
    };
    let query = match params(&raw).parse(app::domain::when::now_ms()) {
        Ok(q) => q,
        Err(e) => {
            return text(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{}: {}", e.field, e.message),
            )
        }
    };
    if !matches!(ext, "svg" | "csv") {
        return text(StatusCode::NOT_FOUND, "No such chart.");
    }
    let chart = match reads.chart(&query, id).await {
        Ok(Some(c)) => c,
        Ok(None) => return text(StatusCode::NOT_FOUND, "No such chart."),
        Err(e) => return super::store_failure(&e),
    };
    let name = format!("amends-{id}-{}-{}.{ext}", query.from, query.to);
    let (kind, body) = match ext {
        "svg" => match &chart.svg {
            Some(svg) => ("image/svg+xml", svg.clone()),
            None => return text(StatusCode::NOT_FOUND, &chart.empty),
        },
        _ => {
            let rows = match id {
                "retention" | "repeat" => {
                    // Every step of every curve, from the figures themselves.
                    let a = match reads.analytics(&query).await {
                        Ok(a) => a,
                        Err(e) => return super::store_failure(&e),
                    };
                    if id == "repeat" {
                        curves(&[&a.repeat.repeat, &a.repeat.once])
                    } else {
                        let groups: Vec<_> = [Group::AnyAction, Group::NoAction, Group::Unaffected]
                            .iter()
                            .filter_map(|g| a.retention.group(*g))
                            .collect();
                        curves(&groups)
                    }
                }
                _ => std::iter::once(chart.columns.clone())
                    .chain(chart.rows.iter().cloned())
                    .collect(),
            };
            ("text/csv; charset=utf-8", to_csv(rows))
        }
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

//! `GET /dashboard/{chart}.svg` and `/dashboard/{chart}.csv`: each dashboard chart as a file,
//! for the question in the query string. The SVG is the one the page shows; the CSV holds
//! the numbers behind it (for the retention charts, every step of every curve).

use crate::analytics::report::{curves, to_csv};
use crate::rest::analytics::params;
use app::charts::dashboard::dashboard;
use app::domain::analytics::Group;
use app::domain::{Role, UserInfo};
use app::store::SharedStore;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;

use super::plain_text as text;

pub async fn chart_file(
    State(store): State<SharedStore>,
    user: Option<Extension<UserInfo>>,
    Path(file): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    match user {
        Some(Extension(u)) if u.role.allows(Role::Viewer) => {}
        _ => return text(StatusCode::UNAUTHORIZED, "Please sign in first."),
    }
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
    let analytics = match store.analytics(&query).await {
        Ok(a) => a,
        Err(e) => return super::store_failure(&e),
    };
    let view = dashboard(&analytics);
    let Some(chart) = view.chart(id) else {
        return text(StatusCode::NOT_FOUND, "No such chart.");
    };
    let name = format!("amends-{id}-{}-{}.{ext}", query.from, query.to);
    let (kind, body) = match ext {
        "svg" => match &chart.svg {
            Some(svg) => ("image/svg+xml", svg.clone()),
            None => return text(StatusCode::NOT_FOUND, &chart.empty),
        },
        "csv" => {
            let rows = match id {
                "retention" => {
                    let r = &analytics.retention;
                    let groups: Vec<_> = [Group::AnyAction, Group::NoAction, Group::Unaffected]
                        .iter()
                        .filter_map(|g| r.group(*g))
                        .collect();
                    curves(&groups)
                }
                "repeat" => curves(&[&analytics.repeat.repeat, &analytics.repeat.once]),
                _ => std::iter::once(chart.columns.clone())
                    .chain(chart.rows.iter().cloned())
                    .collect(),
            };
            ("text/csv; charset=utf-8", to_csv(rows))
        }
        _ => return text(StatusCode::NOT_FOUND, "No such chart."),
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

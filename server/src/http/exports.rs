//! File downloads that are not pages: the apology mail merge as CSV.

use super::plain_text as refuse;
use crate::auth::caller::Writer;
use crate::spreadsheet::safe_cell;
use app::domain::action::{check_template, DEFAULT_APOLOGY};
use app::store::SharedStore;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MergeQuery {
    template: Option<String>,
}

/// `GET /incidents/{id}/apology.csv?template=…`: name, email and the note rendered for each
/// affected customer. Editors and admins only (it holds email addresses).
pub async fn mail_merge(
    _writer: Writer,
    State(store): State<SharedStore>,
    Path(id): Path<i64>,
    Query(q): Query<MergeQuery>,
) -> Response {
    let template = q
        .template
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_APOLOGY.to_string());
    if template.chars().count() > 5000 {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The note is limited to 5,000 characters.",
        );
    }
    if let Err(m) = check_template(&template) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, &m);
    }
    let lines = match store.mail_merge(id, &template).await {
        Ok(l) => l,
        Err(app::error::StoreError::NotFound) => {
            return refuse(StatusCode::NOT_FOUND, "There is no such incident.")
        }
        Err(app::error::StoreError::Field { message, .. }) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, &message)
        }
        Err(e) => {
            tracing::error!(error = %e, "mail merge failed");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "The mail merge could not be made; try again.",
            );
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut rows = vec![["name".to_string(), "email".to_string(), "note".to_string()]];
    rows.extend(lines.into_iter().map(|(name, email, note)| {
        [
            safe_cell(&name),
            safe_cell(&email.unwrap_or_default()),
            safe_cell(&note),
        ]
    }));
    for r in rows {
        if out.write_record(&r).is_err() {
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The mail merge could not be made; try again.",
            );
        }
    }
    let body = out.into_inner().unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"incident-{id}-apology.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

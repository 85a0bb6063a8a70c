//! `GET /reports/weekly` (the week picker's target: on to the chosen week, or the last full
//! one) and `GET /reports/weekly/{week}/report.{html,csv,md,json}`: the weekly report as a
//! file, rendered by the same code as the page and `amends report`. Any role may read.

use crate::auth::caller::Reader;
use crate::reports::{public_base, Format};
use crate::service::ReadService;
use app::domain::week::IsoWeek;
use app::reads::Reads;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

use super::plain_text as text;

/// The picker sends `?week=2026-W47`; without it, the last full week.
pub async fn pick_week(
    _reader: Reader,
    State(reads): State<ReadService>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let week = raw
        .get("week")
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| reads.this_week().0.prev().label());
    // The page says what is wrong with a week that is not one.
    Redirect::to(&format!(
        "/reports/weekly/{}",
        app::domain::analytics::encode(&week)
    ))
    .into_response()
}

pub async fn report_file(
    _reader: Reader,
    State(reads): State<ReadService>,
    Path((week, file)): Path<(String, String)>,
) -> Response {
    let Some(format) = file.strip_prefix("report.").and_then(Format::parse) else {
        return text(
            StatusCode::NOT_FOUND,
            "No such file: use report.html, report.csv, report.md or report.json.",
        );
    };
    let week = match IsoWeek::parse(&week) {
        Ok(w) => w,
        Err(m) => return text(StatusCode::UNPROCESSABLE_ENTITY, &format!("week: {m}")),
    };
    let (now, _) = reads.this_week();
    if week > now {
        return text(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "week: {week} has not started yet. The latest full week is {}.",
                now.prev()
            ),
        );
    }
    let report = match Reads::week_report(&reads, week).await {
        Ok(r) => r,
        Err(e) => return super::store_failure(&e),
    };
    // The printable page opens in the browser; the others download.
    let disposition = match format {
        Format::Html => format!("inline; filename=\"{}\"", format.file_name(&report)),
        _ => format!("attachment; filename=\"{}\"", format.file_name(&report)),
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        format.render(&report, &public_base()),
    )
        .into_response();
    if format == Format::Html {
        // A document that runs nothing: its one stylesheet is inline.
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                 base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ),
        );
    }
    response
}

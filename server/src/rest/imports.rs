//! `/api/v1/imports/{kind}`: a CSV file as the request body, streamed through the same
//! import as `amends import` (one transaction, all or nothing, a dry run on request). The
//! Import page uploads here with the browser's session.

use super::caller::Writer;
use super::extract::{Path, Query};
use super::problem::Problem;
use crate::import::columns::ImportKind;
use crate::import::run::{run as import, ImportError, ImportReport, Options, Progress};
use crate::store::Db;
use app::domain::when::now_ms;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::TryStreamExt;
use serde::Deserialize;
use std::sync::Arc;
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa::IntoParams;

/// The largest upload (`AMENDS_IMPORT_MAX_MB`, default 512 MiB): a million replies take
/// about 150 MiB. Bigger files go through `amends import`.
pub fn max_bytes() -> u64 {
    std::env::var("AMENDS_IMPORT_MAX_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|mb| *mb > 0)
        .unwrap_or(512)
        * 1024
        * 1024
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and report, but write nothing.
    #[serde(default)]
    pub dry_run: Option<bool>,
    /// The file's name, for the audit log.
    #[serde(default)]
    #[param(max_length = 200)]
    pub file_name: Option<String>,
}

/// Import a CSV file (with a header row naming its columns; see the README's "Getting your
/// data in"). The whole file is one change: when any row is refused nothing is written and
/// the answer is 422 with the report, naming each refused row's line, column and reason.
/// Rows already imported are counted as unchanged, so sending a file twice adds nothing.
#[utoipa::path(post, operation_id = "importCsv", path = "/api/v1/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "What the file holds: `customers`, `replies`, `actions` or `affected`",
            pattern = "^(customers|replies|actions|affected)$"), ImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "UTF-8 CSV; the first line names the columns"),
    responses(
        (status = 200, body = ImportReport, description = "Imported (`committed`), or with `dry_run` what would be"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "The file is larger than the upload limit"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "The body is not `text/csv`"),
        (status = 422, description = "Rows were refused (the report lists them; nothing was written), or the file cannot be read (a problem naming why)",
            content((ImportReport = "application/json"), (Problem = "application/problem+json")))))]
pub async fn run(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    let kind = ImportKind::parse(&kind).ok_or_else(|| {
        Problem::invalid(
            "kind",
            "kind is one of customers, replies, actions or affected.",
        )
    })?;
    let csv_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if !matches!(csv_type.as_deref(), Some("text/csv") | Some("text/plain")) {
        return Err(Problem::field(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
            "Send the file as `Content-Type: text/csv`.",
        ));
    }
    let label = q
        .file_name
        .as_deref()
        .map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect())
        .unwrap_or_else(|| "upload".to_string());
    let stream = body
        .into_data_stream()
        .map_err(|e| std::io::Error::other(e.to_string()));
    let input = SyncIoBridge::new(StreamReader::new(stream));
    let opts = Options {
        kind,
        dry_run: q.dry_run.unwrap_or(false),
        actor: me.id,
        zone: db.zone().clone(),
        now: now_ms(),
        label,
        max_bytes: Some(max_bytes()),
        progress: Arc::new(Progress::default()),
    };
    match import(&db, input, opts).await {
        Ok(report) if report.refused > 0 && !report.dry_run => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(report)).into_response())
        }
        Ok(report) => Ok(Json::<ImportReport>(report).into_response()),
        Err(ImportError::TooLarge(max)) => Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The file is larger than the {} MiB an upload may have; import it with `amends import` instead.",
                max / 1024 / 1024
            ),
        )),
        Err(ImportError::File(m)) => Err(Problem::invalid("body", m)),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

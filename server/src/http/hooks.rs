//! `POST /hooks/{slug}`: where Stripe, the helpdesk and any Standard Webhooks sender deliver.
//! No session and no Origin check: the signature is the credential. Refusals say only that
//! the delivery was refused (401), never why; the Integrations page counts them by reason.

use crate::store::Db;
use crate::webhooks::inbox::{self, Refused};
use app::domain::when::now_ms;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn deliver(
    State(db): State<Db>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let slug = if slug.len() == 32 && slug.bytes().all(|b| b.is_ascii_hexdigit()) {
        slug
    } else {
        String::new() // names no source; counted as unknown
    };
    match inbox::receive(&db, &slug, &headers, &body, now_ms()).await {
        Ok(Ok(r)) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({
                "status": r.status, "duplicate": r.duplicate, "delivery": r.id
            })),
        )
            .into_response(),
        Ok(Err(Refused(_))) => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"This delivery was refused: unknown endpoint, or its signature or timestamp did not verify."}"#,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "storing a webhook delivery failed");
            // The sender retries on any 5xx, and the delivery id keeps a retry harmless.
            super::store_failure(&e)
        }
    }
}

//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use app::store::SharedStore;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use std::time::Duration;

pub async fn healthz(State(store): State<SharedStore>) -> impl IntoResponse {
    let ok = matches!(
        tokio::time::timeout(Duration::from_secs(3), store.ping()).await,
        Ok(Ok(()))
    );
    let (status, db) = if ok {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    let body = serde_json::json!({
        "status": if ok { "ok" } else { "degraded" },
        "database": db,
        "version": env!("CARGO_PKG_VERSION"),
    });
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
}

//! The page for when the database cannot be reached. It is served before Leptos gets the
//! request (the session itself lives in the database), so it is plain HTML in the same
//! visual language as the other error pages, with no script.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Database unreachable · Amends</title><link rel="stylesheet" href="/pkg/amends.css"></head>
<body><main id="main" class="page">
<section class="oops" aria-labelledby="oops-title">
  <div class="oops-card" aria-hidden="true">
    <div class="oops-stamp">SEV2</div><div class="oops-code">503</div>
    <div class="oops-coupon"><span class="oops-coupon-label">Status</span><span class="oops-coupon-value">back shortly</span></div>
  </div>
  <div class="oops-text">
    <p class="eyebrow">Incident · database unreachable</p>
    <h1 id="oops-title">Amends can’t reach its database right now.</h1>
    <p>Nothing you entered is lost: saved work is in the database, and a form that failed saved nothing. Wait a moment and reload. If it lasts, whoever runs Amends should check that the database is up (the server’s log says why).</p>
    <ul class="oops-links"><li><a class="button primary" href="">Try again</a></li></ul>
  </div>
</section></main></body></html>"#;

/// 503: the page for browsers, a sentence for API callers.
pub fn response(path: &str) -> Response {
    if path.starts_with("/api/") {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is not answering right now. Try again in a moment.",
        )
            .into_response();
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response()
}

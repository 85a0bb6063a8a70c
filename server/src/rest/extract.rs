//! Path and query extractors whose refusals are problem documents like every other API error
//! (axum's own answer a plain-text 400).

use super::problem::Problem;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::FromRequestParts;

/// `axum::extract::Path`, refusing with a 422 that names the path.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, refusing with a 422 that names the parameter when it can.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

impl From<PathRejection> for Problem {
    fn from(_: PathRejection) -> Self {
        Problem::invalid(
            "path",
            "A path parameter is not valid: ids are whole numbers.",
        )
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Self {
        // serde_urlencoded says which parameter ("… for key `limit`" / "unknown field").
        let text = r.body_text();
        let field = text
            .split('`')
            .nth(1)
            .filter(|f| f.len() <= 40 && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or("query")
            .to_string();
        Problem::invalid(
            &field,
            format!("The query parameter {field} is not valid: {}", tail(&text)),
        )
    }
}

/// The part of serde's message after its prefix, which names types, never our internals.
fn tail(text: &str) -> String {
    text.rsplit(": ")
        .next()
        .unwrap_or(text)
        .chars()
        .take(200)
        .collect()
}

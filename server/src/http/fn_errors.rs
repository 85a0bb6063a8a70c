//! Every server function's error answers with the status its kind means
//! (`AppError::status`), also where a function returned a store error with `?` instead of
//! through `api::fail`: the framework answers those 500, which would tell a caller "our
//! fault" for a database that is only restarting (503) or an input it refused (422).

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// An error body is one small JSON value; anything longer is not one.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn status(req: Request, next: Next) -> Response {
    let is_fn = req.uri().path().starts_with("/api/fn/");
    let res = next.run(req).await;
    if !is_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(e.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::post;
    use tower::ServiceExt;

    async fn answer(path: &str, status: StatusCode, body: &'static str) -> StatusCode {
        let app = axum::Router::new()
            .route("/{*any}", post(move || async move { (status, body) }))
            .layer(axum::middleware::from_fn(super::status));
        let req = Request::post(path).body(Body::empty()).unwrap();
        app.oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn a_server_function_error_answers_its_own_status() {
        let e = StatusCode::INTERNAL_SERVER_ERROR;
        assert_eq!(answer("/api/fn/x", e, "\"Unavailable\"").await, 503);
        assert_eq!(answer("/api/fn/x", e, "\"NotFound\"").await, 404);
        assert_eq!(answer("/api/fn/x", e, "{\"Invalid\":\"no\"}").await, 422);
        assert_eq!(answer("/api/fn/x", e, "\"Internal\"").await, 500);
        assert_eq!(answer("/api/fn/x", e, "not json").await, 500);
        // Other routes and other statuses are left alone.
        assert_eq!(answer("/other", e, "\"Unavailable\"").await, 500);
        assert_eq!(
            answer("/api/fn/x", StatusCode::OK, "\"Unavailable\"").await,
            200
        );
    }
}

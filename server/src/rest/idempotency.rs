//! `Idempotency-Key` on POST: the same key with the same body replays the first answer and
//! changes nothing (`Idempotent-Replayed: true`); with another body it is refused (422); while
//! the first request still runs, a second gets 409. Keys are per person and kept for a day.

use super::body::MAX_BODY;
use super::problem::Problem;
use crate::store::idempotency::{Kept, KeptAnswer};
// The change is made by then: losing its record to a broken connection would leave the key
// reserved and every retry refused for a day.
use crate::store::retry::when_unavailable;
use crate::store::Db;
use app::domain::UserInfo;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";

/// The longest answer read for keeping. Answers are bounded by the inputs' bounds (the
/// largest, an affected-customers report of 5,000 entries, is about 0.5 MiB).
const MAX_KEPT: usize = 8 * 1024 * 1024;

pub async fn middleware(State(db): State<Db>, req: Request, next: Next) -> Response {
    // Imports stream files far larger than a kept answer and are idempotent by their rows.
    if req.method() != Method::POST || req.uri().path().starts_with("/api/v1/imports/") {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match raw.to_str().map(str::trim) {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            k.to_string()
        }
        _ => {
            return Problem::invalid(
                "Idempotency-Key",
                "Idempotency-Key must be 1–255 visible ASCII characters (a UUID is ideal).",
            )
            .into_response()
        }
    };
    // Without a caller the handler answers 401 itself; nothing to remember.
    let Some(user) = req.extensions().get::<UserInfo>().map(|u| u.id) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The body is limited to {} KiB.", MAX_BODY / 1024),
        )
        .into_response();
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str().as_bytes());
    h.update([0]);
    h.update(parts.uri.path().as_bytes());
    h.update([0]);
    h.update(&bytes);
    let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let now = app::domain::when::now_ms();
    match db.reserve_idempotency_key(user, &key, &hash, now).await {
        Err(e) => return Problem::from(e).into_response(),
        Ok(Kept::Reserved) => {}
        Ok(Kept::InFlight { request_hash }) if request_hash == hash => {
            return Problem::field(
                StatusCode::CONFLICT,
                "Idempotency-Key",
                "A request with this key is still being processed; try again in a moment.",
            )
            .into_response()
        }
        Ok(Kept::Done {
            request_hash,
            answer,
        }) if request_hash == hash => return replay(answer),
        Ok(_) => return Problem::invalid(
            "Idempotency-Key",
            "This key was already used for a different request; use a new key for a new request.",
        )
        .into_response(),
    }
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = res.status();
    if status.is_server_error() {
        // Nothing was changed (each change is one transaction): let a retry run again.
        if let Err(e) = when_unavailable(|| db.release_idempotency_key(user, &key)).await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
        return res;
    }
    let (parts, body) = res.into_parts();
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (location, etag) = (header(header::LOCATION), header(header::ETAG));
    let body = match to_bytes(body, MAX_KEPT).await {
        Ok(b) => b,
        Err(e) => {
            // Cannot happen with the API's bounded answers; if it does, the change is made
            // but cannot be replayed, so the key is freed rather than left reserved.
            tracing::error!(error = %e, "an answer too long to keep for replay");
            let _ = db.release_idempotency_key(user, &key).await;
            return Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. It has been logged; try again.",
            )
            .into_response();
        }
    };
    let kept = KeptAnswer {
        status: status.as_u16(),
        location,
        etag,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    if let Err(e) = when_unavailable(|| db.keep_idempotent_answer(user, &key, &kept)).await {
        tracing::warn!(error = %e, "could not keep an idempotent answer");
    }
    Response::from_parts(parts, Body::from(body))
}

fn replay(answer: KeptAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let problem = status.is_client_error();
    let mut res = (status, answer.body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if problem {
            "application/problem+json"
        } else {
            "application/json"
        }),
    );
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    for (name, value) in [
        (header::LOCATION, answer.location),
        (header::ETAG, answer.etag),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            h.insert(name, v);
        }
    }
    res
}

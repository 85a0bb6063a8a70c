//! A request id on every request (kept from `x-request-id` when a proxy set one), echoed in
//! the response and carried by the request's log span.

use axum::http::{HeaderName, Request};
use rand::Rng;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Default)]
pub struct RandomId;

impl MakeRequestId for RandomId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id: u64 = rand::thread_rng().gen();
        format!("{id:016x}").parse().ok().map(RequestId::new)
    }
}

pub fn layer() -> tower::layer::util::Stack<PropagateRequestIdLayer, SetRequestIdLayer<RandomId>> {
    tower::layer::util::Stack::new(
        // Inner: copy the id onto the response; outer: set it before anything else runs.
        PropagateRequestIdLayer::new(X_REQUEST_ID.clone()),
        SetRequestIdLayer::new(X_REQUEST_ID.clone(), RandomId),
    )
}

pub fn make_span<B>(req: &Request<B>) -> tracing::Span {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // The path only: query strings can carry search terms people typed.
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

//! Browser-facing protections on every response, and the cross-site request check.
//!
//! Leptos server functions have no CSRF protection of their own. Besides `SameSite` cookies,
//! every unsafe request (anything but GET, HEAD, OPTIONS) must come from our own origin:
//! its `Origin` header — or, when a browser sent none, its `Referer` — must name the host
//! the request was sent to (or the configured public URL).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origin requests must come from, when it is pinned by configuration
/// (`AMENDS_PUBLIC_URL`, e.g. `https://amends.example.com`); otherwise the request's Host.
#[derive(Clone, Debug, Default)]
pub struct OriginPolicy {
    pub public_origin: Option<String>,
}

impl OriginPolicy {
    pub fn from_env() -> Self {
        let public_origin = std::env::var("AMENDS_PUBLIC_URL")
            .ok()
            .map(|u| u.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|u| !u.is_empty());
        Self { public_origin }
    }

    /// True when the request's claimed origin is ours.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let claimed = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .filter(|o| *o != "null")
            .map(str::to_string)
            .or_else(|| {
                headers
                    .get(header::REFERER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(origin_of)
            });
        let Some(claimed) = claimed.map(|c| c.to_ascii_lowercase()) else {
            return false;
        };
        match &self.public_origin {
            Some(public) => &claimed == public,
            None => {
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
                match (host, claimed.split_once("://")) {
                    (Some(host), Some((scheme, authority))) => {
                        (scheme == "http" || scheme == "https")
                            && authority == host.to_ascii_lowercase()
                    }
                    _ => false,
                }
            }
        }
    }
}

/// `https://host:port/path?q` → `https://host:port`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn check_origin(
    State(policy): State<OriginPolicy>,
    req: Request,
    next: Next,
) -> Response {
    // A token request has no cookie identity for another site to ride on.
    let token = req
        .extensions()
        .get::<crate::auth::bearer::ApiToken>()
        .is_some();
    // A webhook delivery carries no session either; its signature is checked instead.
    let hook = req.uri().path().starts_with("/hooks/");
    if !is_safe(req.method()) && !token && !hook && !policy.allows(req.headers()) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        if req.uri().path().starts_with("/api/v1/") {
            return crate::rest::problem::Problem::field(
                StatusCode::FORBIDDEN,
                "Origin",
                "A request with a browser session must come from an Amends page (same Origin); scripts use an API token instead.",
            )
            .into_response();
        }
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This request did not come from an Amends page, so it was refused. \
             Reload the page and try again.",
        )
            .into_response();
    }
    next.run(req).await
}

/// Headers every response carries; pages set their own nonce-based CSP, everything else
/// gets a policy that allows nothing to run.
pub async fn headers(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'",
            ),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_host_origin_is_allowed_and_others_are_not() {
        let p = OriginPolicy::default();
        assert!(p.allows(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(!p.allows(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example")
        ])));
        assert!(!p.allows(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000.evil.example")
        ])));
        assert!(!p.allows(&headers(&[("host", "127.0.0.1:3000"), ("origin", "null")])));
        assert!(
            !p.allows(&headers(&[("host", "127.0.0.1:3000")])),
            "no origin, no referer"
        );
    }

    #[test]
    fn referer_stands_in_for_a_missing_origin() {
        let p = OriginPolicy::default();
        assert!(p.allows(&headers(&[
            ("host", "a.example"),
            ("referer", "https://a.example/incidents?page=2")
        ])));
        assert!(!p.allows(&headers(&[
            ("host", "a.example"),
            ("referer", "https://b.example/a.example")
        ])));
    }

    #[test]
    fn a_configured_public_origin_wins() {
        let p = OriginPolicy {
            public_origin: Some("https://amends.example.com".into()),
        };
        assert!(p.allows(&headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://amends.example.com")
        ])));
        assert!(!p.allows(&headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "http://10.0.0.5:3000")
        ])));
    }
}

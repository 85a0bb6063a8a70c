//! JSON request bodies: `application/json` only (415 otherwise), at most `MAX_BODY` bytes
//! (413), and a body that does not fit the schema is refused with the member at fault (422).

use super::problem::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// The largest request body the API reads (an affected-customers list of 5,000 refs fits).
pub const MAX_BODY: usize = 1024 * 1024;

pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        if !json {
            return Err(Problem::field(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The body is limited to {} KiB.", MAX_BODY / 1024),
            )
        })?;
        parse(&bytes).map(Body)
    }
}

/// Decode `bytes` as `T`, naming the member at fault when it does not fit.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                format!("The body is not valid JSON: {inner}."),
            );
        }
        // A missing member is named in serde's message ("missing field `x`").
        let message = inner.to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next());
        let field = match (path.as_str(), missing) {
            (".", Some(m)) => m,
            (".", None) => "body",
            (p, _) => p,
        };
        // serde's message names the expected type, never anything of ours.
        Problem::invalid(field, format!("{field}: {inner}."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Shape {
        name: String,
        csat: Option<i64>,
    }

    #[test]
    fn the_member_at_fault_is_named() {
        let p = parse::<Shape>(br#"{"name": "x", "csat": "five"}"#).unwrap_err();
        assert_eq!((p.status, p.field.as_deref()), (422, Some("csat")));
        let p = parse::<Shape>(br#"{"csat": 5}"#).unwrap_err();
        assert_eq!((p.status, p.field.as_deref()), (422, Some("name")));
        let p = parse::<Shape>(br#""text""#).unwrap_err();
        assert_eq!((p.status, p.field.as_deref()), (422, Some("body")));
        let p = parse::<Shape>(b"{").unwrap_err();
        assert_eq!(p.status, 400);
    }
}

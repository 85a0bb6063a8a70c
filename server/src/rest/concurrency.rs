//! Optimistic concurrency over HTTP: reads of versioned records (customers, incidents) carry
//! `ETag: "<version>"`; a PATCH must send it back in `If-Match` (428 without, 412 when the
//! record changed since).

use super::problem::Problem;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

pub fn with_etag(mut res: Response, version: i64) -> Response {
    res.headers_mut().insert(header::ETAG, etag(version));
    res
}

/// What `If-Match` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// `If-Match: *`, or (where allowed) no header: whatever version is current.
    Any,
    Version(i64),
}

/// `If-Match` of a request; `required` makes its absence a 428.
pub fn if_match(headers: &HeaderMap, required: bool) -> Result<Precondition, Problem> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return if required {
            Err(Problem::field(
                StatusCode::PRECONDITION_REQUIRED,
                "If-Match",
                "Send the ETag of the version you changed as If-Match, so nobody's change is overwritten.",
            ))
        } else {
            Ok(Precondition::Any)
        };
    };
    let text = raw.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(Precondition::Any);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Precondition::Version)
        .map_err(|_| {
            Problem::field(
                StatusCode::PRECONDITION_FAILED,
                "If-Match",
                "If-Match must be an ETag this API gave out, like \"3\".",
            )
        })
}

/// The answer when the record moved on since the caller read it.
pub fn stale() -> Problem {
    Problem::field(
        StatusCode::PRECONDITION_FAILED,
        "If-Match",
        "The record changed since you read it: fetch it again, re-apply your change, and send the new ETag.",
    )
}

/// A versioned write's outcome: losing the race for the version is a 412, like a stale ETag.
pub fn claimed(result: Result<(), app::error::StoreError>) -> Result<(), Problem> {
    match result {
        Err(app::error::StoreError::Conflict(_)) => Err(stale()),
        other => other.map_err(Problem::from),
    }
}

/// The version to claim: the caller's, checked against the current one.
pub fn version_to_claim(pre: Precondition, current: i64) -> Result<i64, Problem> {
    match pre {
        Precondition::Any => Ok(current),
        Precondition::Version(v) if v == current => Ok(v),
        Precondition::Version(_) => Err(stale()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_is_read_required_and_checked() {
        let mut h = HeaderMap::new();
        assert_eq!(if_match(&h, true).unwrap_err().status, 428);
        assert_eq!(if_match(&h, false), Ok(Precondition::Any));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"4\""));
        assert_eq!(if_match(&h, true), Ok(Precondition::Version(4)));
        h.insert(header::IF_MATCH, HeaderValue::from_static("W/\"4\""));
        assert_eq!(if_match(&h, true), Ok(Precondition::Version(4)));
        h.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert_eq!(if_match(&h, true), Ok(Precondition::Any));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"x\""));
        assert_eq!(if_match(&h, true).unwrap_err().status, 412);
        assert_eq!(
            version_to_claim(Precondition::Version(3), 4)
                .unwrap_err()
                .status,
            412
        );
        assert_eq!(version_to_claim(Precondition::Any, 4), Ok(4));
    }
}

//! Errors of the REST API as `application/problem+json` (RFC 9457): a status, a title, a
//! sentence for people, and the field at fault when there is one. Nothing internal.

use app::error::{AppError, StoreError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error answer (RFC 9457 problem details).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase, e.g. `Unprocessable Content`.
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do, in a sentence.
    pub detail: String,
    /// The request field at fault (a JSON member, query parameter or header), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again (429 and 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn field(status: StatusCode, field: &str, detail: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(status, detail)
        }
    }

    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::field(StatusCode::UNPROCESSABLE_ENTITY, field, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("There is no such {what}."))
    }

    /// The one answer for a missing, malformed, unknown, expired or revoked token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Sign in, or send a valid API token as `Authorization: Bearer amends_…`.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This token or role may not do that: changes need a write token of an editor or admin.",
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry = self.retry_after;
        let mut res = (status, axum::Json(&self)).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"amends\""),
            );
        }
        if let Some(s) = retry {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

/// `p`, naming `field` when it names none yet.
pub fn named(mut p: Problem, field: &str) -> Problem {
    if p.field.is_none() {
        p.field = Some(field.to_string());
    }
    p
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Field { field, message } => Problem::invalid(&field, message),
            AppError::Invalid(m) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            AppError::NotFound => Problem::new(StatusCode::NOT_FOUND, "There is no such record."),
            AppError::Unauthorized => Problem::unauthorized(),
            AppError::Forbidden => Problem::forbidden(),
            AppError::Unavailable => Problem {
                retry_after: Some(30),
                ..Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not answering right now. Try again in a moment.",
                )
            },
            AppError::Internal | AppError::Transport(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. It has been logged; try again.",
            ),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            // A change that collides with the current state (a duplicate ref, an edit of a
            // stale version) is a conflict, not bad input.
            StoreError::Conflict(m) => Problem::new(StatusCode::CONFLICT, m),
            other => AppError::from(other).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_their_field_and_hide_internals() {
        let p: Problem = AppError::field("email", "Enter an email address.").into();
        assert_eq!((p.status, p.field.as_deref()), (422, Some("email")));
        assert_eq!(p.title, "Unprocessable Entity");
        let p: Problem = StoreError::Internal.into();
        assert_eq!(p.status, 500);
        assert!(!p.detail.to_lowercase().contains("sql"));
        let p: Problem = StoreError::Conflict("taken".into()).into();
        assert_eq!(p.status, 409);
        let json = serde_json::to_value(Problem::unauthorized()).unwrap();
        assert_eq!(json["type"], "about:blank");
        assert!(json.get("field").is_none());
    }
}

//! The file routes' side of the one role check (`crate::auth::caller`): each download
//! handler takes `Reader` or `Writer` like the API's handlers, and a caller turned away
//! gets a short plain-text answer.

use super::{plain_text, AppState};
use crate::auth::caller::{Reader, Refused, Writer};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;

fn refusal(r: Refused) -> Response {
    match r {
        Refused::SignIn => plain_text(StatusCode::UNAUTHORIZED, "Please sign in first."),
        Refused::Role => plain_text(
            StatusCode::FORBIDDEN,
            "Your role does not allow this. Ask an admin if you need it.",
        ),
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        Reader::from_parts(parts).map_err(refusal)
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        Writer::from_parts(parts).map_err(refusal)
    }
}

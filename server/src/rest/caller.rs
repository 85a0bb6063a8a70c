//! The API's side of the one role check (`crate::auth::caller`): every handler takes exactly
//! one of `Reader` or `Writer`, and a caller turned away gets a problem+json answer (the
//! OpenAPI role matrix test checks every route with every role).

use super::problem::Problem;
use super::RestState;
use crate::auth::caller::Refused;
pub use crate::auth::caller::{Reader, Writer};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

impl From<Refused> for Problem {
    fn from(r: Refused) -> Problem {
        match r {
            Refused::SignIn => Problem::unauthorized(),
            Refused::Role => Problem::forbidden(),
        }
    }
}

impl FromRequestParts<RestState> for Reader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &RestState) -> Result<Self, Problem> {
        Ok(Reader::from_parts(parts)?)
    }
}

impl FromRequestParts<RestState> for Writer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &RestState) -> Result<Self, Problem> {
        Ok(Writer::from_parts(parts)?)
    }
}

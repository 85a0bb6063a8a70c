//! Who is calling the REST API and what they may do. Every handler takes exactly one of
//! `Reader` or `Writer`, so a handler without a role check does not compile into a route
//! that needs one (the OpenAPI role matrix test checks every route with every role).

use super::problem::Problem;
use app::domain::{Role, UserInfo};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Anyone signed in (a cookie or any token): may read.
pub struct Reader(pub UserInfo);

/// An editor or admin through a cookie or a write token: may change records.
pub struct Writer(pub UserInfo);

fn caller(parts: &Parts, needed: Role) -> Result<UserInfo, Problem> {
    match parts.extensions.get::<UserInfo>() {
        None => Err(Problem::unauthorized()),
        Some(u) if u.role.allows(needed) => Ok(u.clone()),
        Some(_) => Err(Problem::forbidden()),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        caller(parts, Role::Viewer).map(Reader)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Writer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        caller(parts, Role::Editor).map(Writer)
    }
}

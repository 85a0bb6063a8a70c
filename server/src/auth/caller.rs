//! Who is calling and what they may do: the one role check of every route that needs
//! someone signed in (the REST API's handlers and the file routes alike). Each such handler
//! takes exactly one of `Reader` or `Writer`, so a handler without a role check does not
//! compile into a route that needs one. How a refusal is answered is the router's: the REST
//! API answers problem+json (`rest::caller`), the file routes plain text (`http::caller`).

use app::domain::{Role, UserInfo};
use axum::http::request::Parts;

/// Anyone signed in (a cookie or any token): may read.
pub struct Reader(pub UserInfo);

/// An editor or admin through a cookie or a write token: may change records and see
/// customers' e-mail addresses.
pub struct Writer(pub UserInfo);

/// Why a caller was turned away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Nobody is signed in.
    SignIn,
    /// Signed in, but the role (or the token's scope) does not allow it.
    Role,
}

/// The signed-in user the authentication middleware put in the request, if their role
/// allows `needed`.
pub fn caller(parts: &Parts, needed: Role) -> Result<UserInfo, Refused> {
    match parts.extensions.get::<UserInfo>() {
        None => Err(Refused::SignIn),
        Some(u) if u.role.allows(needed) => Ok(u.clone()),
        Some(_) => Err(Refused::Role),
    }
}

impl Reader {
    pub fn from_parts(parts: &Parts) -> Result<Reader, Refused> {
        caller(parts, Role::Viewer).map(Reader)
    }
}

impl Writer {
    pub fn from_parts(parts: &Parts) -> Result<Writer, Refused> {
        caller(parts, Role::Editor).map(Writer)
    }
}

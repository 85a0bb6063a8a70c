//! Server functions, grouped by the noun they serve. Each is thin: take the store from the
//! context, parse the input, call, map the error.

pub mod customers;
pub mod dashboard;
pub mod incidents;
pub mod replies;
pub mod session;

#[cfg(feature = "ssr")]
pub(crate) fn store() -> Result<crate::store::SharedStore, crate::error::AppError> {
    leptos::prelude::use_context::<crate::store::SharedStore>().ok_or_else(|| {
        tracing::error!("store missing from the server function context");
        crate::error::AppError::Internal
    })
}

/// The one role guard of every server function: the signed-in user when their role allows
/// `needed`, else `Unauthorized` (nobody signed in) or `Forbidden`. The session itself is
/// checked by the server's middleware, which puts the user in the request's extensions.
#[cfg(feature = "ssr")]
pub(crate) fn require(
    needed: crate::domain::Role,
) -> Result<crate::domain::UserInfo, crate::error::AppError> {
    use crate::error::AppError;
    let user = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crate::domain::UserInfo>().cloned());
    match user {
        None => {
            set_status(http::StatusCode::UNAUTHORIZED);
            Err(AppError::Unauthorized)
        }
        Some(u) if u.role.allows(needed) => Ok(u),
        Some(_) => {
            set_status(http::StatusCode::FORBIDDEN);
            Err(AppError::Forbidden)
        }
    }
}

#[cfg(feature = "ssr")]
fn set_status(status: http::StatusCode) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
}

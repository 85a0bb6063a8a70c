//! Server functions, grouped by the noun they serve. Each is thin: take the store from the
//! context, parse the input, call, map the error.

pub mod account;
pub mod actions;
pub mod affected;
pub mod customers;
pub mod dashboard;
pub mod incidents;
pub mod replies;
pub mod session;
pub mod users;

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

/// Give an error its HTTP status (the framework answers 500 otherwise), so logs and API
/// callers can tell a rejected form from a failure.
#[cfg(feature = "ssr")]
pub(crate) fn fail(e: crate::error::AppError) -> crate::error::AppError {
    use crate::error::AppError;
    set_status(match &e {
        AppError::Field { .. } | AppError::Invalid(_) => http::StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => http::StatusCode::NOT_FOUND,
        AppError::Unauthorized => http::StatusCode::UNAUTHORIZED,
        AppError::Forbidden => http::StatusCode::FORBIDDEN,
        AppError::Unavailable => http::StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal | AppError::Transport(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
    });
    e
}

#[cfg(feature = "ssr")]
fn set_status(status: http::StatusCode) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
}

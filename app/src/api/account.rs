//! The signed-in person's own account.

use crate::error::AppError;
use leptos::prelude::*;

/// Change your own password (the current one is required). Your other sessions end.
#[server(prefix = "/api/fn", endpoint = "account/password")]
pub async fn change_password(
    current: String,
    new: String,
    confirm: String,
) -> Result<(), AppError> {
    let me = super::require(crate::domain::Role::Viewer)?;
    let keep = use_context::<http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<crate::auth::CurrentSession>()
            .map(|s| s.0.clone())
    });
    change(me, current, new, confirm, keep)
        .await
        .map_err(super::fail)
}

#[cfg(feature = "ssr")]
async fn change(
    me: crate::domain::UserInfo,
    current: String,
    new: String,
    confirm: String,
    keep: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::password;
    let store = super::store()?;
    let stored = store.password_hash(me.id).await?;
    if !password::verify(current, stored).await {
        return Err(AppError::field(
            "current",
            "That is not your current password.",
        ));
    }
    password::check_strength(&new, &me.email).map_err(|m| AppError::field("new", m))?;
    if new != confirm {
        return Err(AppError::field(
            "confirm",
            "The two new passwords differ; type the same one twice.",
        ));
    }
    let hash = password::hash(new).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })?;
    Ok(store.change_password(me.id, &hash, keep.as_deref()).await?)
}

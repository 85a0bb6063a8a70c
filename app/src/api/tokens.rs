//! Personal API tokens: everyone manages their own; admins also see and revoke everyone's.

use crate::domain::token::{NewToken, TokenRow};
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::error::AppError;
use leptos::prelude::*;

/// Your own tokens, newest first.
#[server(prefix = "/api/fn", endpoint = "tokens/mine")]
pub async fn my_tokens() -> Result<Vec<TokenRow>, AppError> {
    let me = super::require(Role::Viewer)?;
    Ok(super::store()?.list_tokens(Some(me.id)).await?)
}

/// Every person's tokens (admins).
#[server(prefix = "/api/fn", endpoint = "tokens/all")]
pub async fn all_tokens() -> Result<Vec<TokenRow>, AppError> {
    super::require(Role::Admin)?;
    Ok(super::store()?.list_tokens(None).await?)
}

/// Make a token for yourself. The secret is in the answer, and nowhere else, ever again.
#[server(prefix = "/api/fn", endpoint = "tokens/create")]
pub async fn create_token(
    name: String,
    scope: String,
    expires: Option<String>,
) -> Result<NewToken, AppError> {
    let me = super::require(Role::Viewer)?;
    if super::plain_form_post().is_some() {
        // Without JavaScript the answer becomes a redirect, and the secret would be lost
        // with it: make nothing rather than a token nobody can use.
        let e = AppError::field(
            "name",
            "Showing a new token needs JavaScript in this browser; or run `amends token add` on the server.",
        );
        super::keep_typed("/api/fn/tokens/create", &e, &[]);
        return Err(e);
    }
    let form = crate::domain::token::TokenForm {
        name,
        scope,
        expires: expires.unwrap_or_default(),
    };
    let draft = form
        .parse(crate::domain::when::now_ms())
        .map_err(super::fail)?;
    let secret = crate::auth::token::new_secret();
    let token = super::store()?
        .create_token(me.id, &draft, &secret.hash, &secret.hint, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    Ok(NewToken {
        token,
        secret: secret.secret,
    })
}

/// Revoke one of your tokens; an admin may revoke anyone's.
#[server(prefix = "/api/fn", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let me = super::require(Role::Viewer)?;
    let owner = (!me.role.allows(Role::Admin)).then_some(me.id);
    super::store()?
        .revoke_token(id, owner, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    super::back_clean();
    Ok(())
}

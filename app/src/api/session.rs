//! Who is signed in (for the header); signing in and out are plain form posts handled by
//! the server (`/login`, `/setup`, `/logout`) so they work without JavaScript.

use crate::domain::UserInfo;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None`. Never an error for anonymous callers.
#[server(prefix = "/api/fn", endpoint = "session/whoami")]
pub async fn whoami() -> Result<Option<UserInfo>, AppError> {
    Ok(use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<UserInfo>().cloned()))
}

/// Whether `whoami`'s answer is someone who may record changes. Pages use it to show or
/// hide editing controls; every server function checks the role again.
pub fn can_edit(me: Result<Option<UserInfo>, AppError>) -> bool {
    me.ok()
        .flatten()
        .is_some_and(|u| u.role.allows(crate::domain::Role::Editor))
}

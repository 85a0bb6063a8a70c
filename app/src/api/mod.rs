//! Server functions, grouped by the noun they serve. Each is thin: take the store from the
//! context, parse the input, call, map the error.

pub mod account;
pub mod actions;
pub mod affected;
pub mod customers;
pub mod dashboard;
pub mod experiments;
pub mod incidents;
pub mod integrations;
pub mod replies;
pub mod reports;
pub mod session;
pub mod tokens;
pub mod users;

#[cfg(feature = "ssr")]
pub(crate) fn store() -> Result<crate::store::SharedStore, crate::error::AppError> {
    leptos::prelude::use_context::<crate::store::SharedStore>().ok_or_else(|| {
        tracing::error!("store missing from the server function context");
        crate::error::AppError::Internal
    })
}

#[cfg(feature = "ssr")]
pub(crate) fn reads() -> Result<crate::reads::SharedReads, crate::error::AppError> {
    leptos::prelude::use_context::<crate::reads::SharedReads>().ok_or_else(|| {
        tracing::error!("read service missing from the server function context");
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
    set_status(
        http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    e
}

/// A request whose body cannot be read into the server function's arguments: `400` with a
/// plain message; the deserializer's words go to the log, not to the caller.
#[cfg(feature = "ssr")]
pub(crate) fn unreadable_request(detail: &str) -> crate::error::AppError {
    tracing::info!(detail, "a server function request could not be read");
    set_status(http::StatusCode::BAD_REQUEST);
    crate::error::AppError::Invalid(
        "The request could not be read: a field is missing or not in the expected form. \
         Reload the page and try again."
            .into(),
    )
}

#[cfg(feature = "ssr")]
fn set_status(status: http::StatusCode) {
    // A plain form post is answered with a redirect back to its page (carrying the error);
    // a 4xx status would stop the browser from following it.
    if plain_form_post().is_some() {
        return;
    }
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
}

/// True when the caller is a plain HTML form post (no JavaScript): it gets redirects, not data.
#[cfg(feature = "ssr")]
pub(crate) fn plain_form_post() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    if parts.method != http::Method::POST {
        // A page being rendered (its server functions run in the page's GET request).
        return None;
    }
    let html = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
    html.then(|| referer.to_string())
}

/// A refused form posted without JavaScript goes back to its page with the error (as the
/// framework does) *and* what was typed, as `v.<field>` query parameters, so the page can
/// show the form as it was. With JavaScript the form never left the page.
#[cfg(feature = "ssr")]
pub(crate) fn keep_typed(path: &str, e: &crate::error::AppError, fields: &[(&str, String)]) {
    use leptos::server_fn::error::ServerFnUrlError;
    let Some(referer) = plain_form_post() else {
        return;
    };
    let Ok(mut url) = ServerFnUrlError::new(path, e.clone()).to_url(&referer) else {
        return;
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("v."))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        for (k, v) in fields {
            let v: String = v.chars().take(4000).collect();
            q.append_pair(&format!("v.{k}"), &v);
        }
    }
    leptos_axum::redirect(url.as_str());
}

/// After a successful plain form post that stays on its page, go back without the previous
/// attempt's error and typed values.
#[cfg(feature = "ssr")]
pub(crate) fn back_clean() {
    let Some(mut referer) = plain_form_post() else {
        return;
    };
    leptos::server_fn::error::ServerFnUrlError::<crate::error::AppError>::strip_error_info(
        &mut referer,
    );
    if let Some((path, query)) = referer.split_once('?') {
        let rest: Vec<&str> = query.split('&').filter(|p| !p.starts_with("v.")).collect();
        referer = if rest.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", rest.join("&"))
        };
    }
    leptos_axum::redirect(&referer);
}

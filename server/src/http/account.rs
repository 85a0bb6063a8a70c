//! The sign-in forms' posts. Plain HTML forms, so they work before the wasm loads; every
//! outcome is a redirect (303) back to a page that explains it.

use super::client_addr::ClientAddr;
use crate::auth::password;
use crate::auth::session::{encode, new_token, now_ms, safe_next, token_hash, AuthState};
use crate::store::login_attempts::Reservation;
use app::domain::{Role, UserInfo};
use app::error::StoreError;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn signed_in(auth: &AuthState, token: &str, to: &str) -> Response {
    let mut res = see_other(to);
    if let Ok(v) = auth.settings.cookie(token).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

use app::domain::valid_email;

/// The account a sign-in names: what was typed in the e-mail field, when it is an e-mail
/// address (at most 254 characters). Anything else — a password typed into the wrong field,
/// say — names no account and is neither stored nor sent back.
fn typed_email(typed: &str) -> Option<String> {
    let t = typed.trim();
    if t.len() > 254 {
        return None;
    }
    let email = t.to_lowercase();
    valid_email(&email).then_some(email)
}

pub async fn login(
    State(auth): State<AuthState>,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    let email = typed_email(&form.email);
    let shown = email.clone().unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let ip = client.to_string();
    // The attempt is counted before the password is checked, so parallel attempts cannot
    // all slip under the limit.
    let reservation =
        match crate::auth::throttle::reserve(&auth.db, client, email.as_deref(), now_ms()).await {
            Ok(Reservation::Granted(id)) => id,
            Ok(Reservation::Wait(wait)) => {
                tracing::warn!("sign-in throttled");
                return see_other(&format!(
                    "/login?error=throttled&wait={}&email={}&next={}",
                    (wait + 59_999) / 60_000,
                    encode(&shown),
                    encode(&next)
                ));
            }
            Err(_) => return see_other("/login?error=unavailable"),
        };
    let candidate = match &email {
        Some(email) => match auth.db.login_candidate(email).await {
            Ok(c) => c,
            Err(_) => return see_other("/login?error=unavailable"),
        },
        None => None,
    };
    let id = candidate.as_ref().map(|c| c.id);
    // Same work and the same answer whether or not the account exists.
    let ok = password::verify(form.password, candidate.map(|c| c.password_hash)).await;
    let now = now_ms();
    match (ok, id) {
        (true, Some(user_id)) => {
            let token = new_token();
            match auth
                .db
                .start_session(
                    &token_hash(&token),
                    user_id,
                    now,
                    now + auth.settings.absolute_ms,
                    Some(&ip),
                )
                .await
            {
                Ok(()) => {
                    if let Err(e) = auth.db.release_login_attempt(reservation).await {
                        // It stays counted as a failure: the safe side.
                        tracing::warn!(error = %e, "a successful sign-in stays counted");
                    }
                    tracing::info!(user_id, "signed in");
                    signed_in(&auth, &token, &next)
                }
                Err(_) => see_other("/login?error=unavailable"),
            }
        }
        _ => {
            tracing::info!("sign-in refused");
            see_other(&format!(
                "/login?error=invalid&email={}&next={}",
                encode(&shown),
                encode(&next)
            ))
        }
    }
}

pub async fn setup(
    State(auth): State<AuthState>,
    ClientAddr(client): ClientAddr,
    Form(form): Form<SetupForm>,
) -> Response {
    // Refuse a finished set-up first and cheaply: no validation, and above all no password
    // hash (19 MiB and tens of milliseconds each) for a form that cannot succeed. The store
    // checks again inside its transaction.
    match auth.db.active_user_count().await {
        Ok(0) => {}
        Ok(_) => return see_other("/login?error=already_set_up"),
        Err(_) => return see_other("/setup?error=unavailable"),
    }
    let name = form.name.trim().to_string();
    let email = form.email.trim().to_lowercase();
    let back = |error: &str| {
        see_other(&format!(
            "/setup?error={error}&name={}&email={}",
            encode(&name),
            encode(&email)
        ))
    };
    if name.is_empty() || name.chars().count() > 200 {
        return back("name");
    }
    if !valid_email(&email) {
        return back("email");
    }
    if let Err(why) = password::check_strength(&form.password, &email) {
        return see_other(&format!(
            "/setup?error=password&why={}&name={}&email={}",
            encode(&why),
            encode(&name),
            encode(&email)
        ));
    }
    if form.password != form.confirm {
        return back("confirm");
    }
    let Ok(hash) = password::hash(form.password).await else {
        return back("unavailable");
    };
    let now = now_ms();
    match auth
        .db
        .create_user(
            crate::store::NewUser {
                email: &email,
                name: &name,
                role: Role::Admin,
                password_hash: &hash,
            },
            None,
            true,
            now,
        )
        .await
    {
        Ok(id) => {
            let token = new_token();
            let ip = client.to_string();
            match auth
                .db
                .start_session(
                    &token_hash(&token),
                    id,
                    now,
                    now + auth.settings.absolute_ms,
                    Some(&ip),
                )
                .await
            {
                Ok(()) => signed_in(&auth, &token, "/"),
                Err(_) => see_other("/login"),
            }
        }
        Err(StoreError::Conflict(_)) => see_other("/login?error=already_set_up"),
        Err(_) => back("unavailable"),
    }
}

pub async fn logout(
    State(auth): State<AuthState>,
    user: Option<Extension<UserInfo>>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let (Some(token), Some(Extension(user))) = (auth.settings.token(&headers), user) {
        let _ = auth
            .db
            .end_session(&token_hash(&token), user.id, now_ms())
            .await;
    }
    let mut res = see_other("/login?signed_out=1");
    if let Ok(v) = auth.settings.clear_cookie().parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::typed_email;

    #[test]
    fn only_an_email_address_names_an_account() {
        assert_eq!(
            typed_email("  Ada@Team.Example "),
            Some("ada@team.example".into())
        );
        assert_eq!(typed_email("correct horse battery"), None);
        assert_eq!(typed_email(""), None);
        let long = format!("{}@team.example", "a".repeat(250));
        assert_eq!(typed_email(&long), None);
        let longest = format!("{}@team.example", "a".repeat(254 - 13));
        assert_eq!(typed_email(&longest).map(|e| e.len()), Some(254));
    }
}

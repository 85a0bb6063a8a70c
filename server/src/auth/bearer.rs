//! `Authorization: Bearer amends_…` on `/api/v1/*`: finds the token, acts as its owner with
//! the lesser of the token's scope and the owner's current role, limits each token's rate,
//! and names the token in the audit log of every change the request makes.
//!
//! A token request carries no cookie identity, so it needs no cross-site check: a page on
//! another site cannot make a browser send our token.

use crate::rest::problem::Problem;
use crate::store::Db;
use app::domain::UserInfo;
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Marks a request authenticated by a token (the cross-site check lets it through).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
}

/// How often a token may be used: `AMENDS_API_RATE_PER_MINUTE` requests a minute per token
/// (default 600), in bursts of up to that many.
#[derive(Clone)]
pub struct TokenLimits {
    limiter: Arc<DefaultKeyedRateLimiter<i64>>,
    /// Last-used times are written at most this often per token.
    touch_every_ms: i64,
}

impl std::fmt::Debug for TokenLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenLimits")
    }
}

impl TokenLimits {
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(n))),
            touch_every_ms: 60_000,
        }
    }

    pub fn from_env() -> Self {
        let n = std::env::var("AMENDS_API_RATE_PER_MINUTE")
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(600);
        Self::per_minute(n)
    }

    /// `Err(seconds to wait)` when this token has used up its rate.
    fn check(&self, token: i64) -> Result<(), u64> {
        self.limiter.check_key(&token).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })?;
        // Forget idle tokens now and then, so the map stays as small as the set in use.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}

/// The secret of an `Authorization: Bearer …` header, if the request has that header at
/// all (`Some(None)`: present but not a bearer secret).
pub fn presented(headers: &HeaderMap) -> Option<Option<String>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, s)| s.trim().to_string())
        .filter(|s| app::auth::token::well_formed(s));
    Some(secret)
}

/// Authenticate a request that presented a token; every failure is the same 401.
pub async fn authenticate(
    db: &Db,
    limits: &TokenLimits,
    secret: Option<String>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(secret) = secret else {
        return Problem::unauthorized().into_response();
    };
    let now = app::domain::when::now_ms();
    let found = match db.token_user(&app::auth::token::hash(&secret), now).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "token lookup failed");
            return Problem::from(e).into_response();
        }
    };
    let Some(t) = found else {
        return Problem::unauthorized().into_response();
    };
    if let Err(wait) = limits.check(t.token_id) {
        return Problem {
            retry_after: Some(wait.max(1)),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "This token has sent too many requests; wait as long as Retry-After says.",
            )
        }
        .into_response();
    }
    if t.last_used_at
        .is_none_or(|at| now - at >= limits.touch_every_ms)
    {
        if let Err(e) = db.touch_token(t.token_id, now).await {
            tracing::warn!(error = %e, "could not note a token's use");
        }
    }
    req.extensions_mut().insert(UserInfo {
        id: t.user.id,
        name: t.user.name,
        email: t.user.email,
        role: t.scope.cap(t.user.role),
    });
    req.extensions_mut().insert(ApiToken {
        id: t.token_id,
        name: t.token_name.clone(),
    });
    crate::store::AUDIT_VIA
        .scope(t.token_name, next.run(req))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_secrets_of_the_right_shape_are_taken() {
        let secret = format!("amends_{}", "ab".repeat(32));
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {secret}").parse().unwrap(),
        );
        assert_eq!(presented(&h), Some(Some(secret.clone())));
        h.insert(
            header::AUTHORIZATION,
            format!("bearer {secret}").parse().unwrap(),
        );
        assert_eq!(presented(&h), Some(Some(secret.clone())));
        h.insert(header::AUTHORIZATION, "Basic YTpi".parse().unwrap());
        assert_eq!(presented(&h), Some(None));
        h.insert(
            header::AUTHORIZATION,
            "Bearer amends_short".parse().unwrap(),
        );
        assert_eq!(presented(&h), Some(None));
    }

    #[test]
    fn a_token_is_limited_on_its_own() {
        let limits = TokenLimits::per_minute(2);
        assert!(limits.check(1).is_ok() && limits.check(1).is_ok());
        let wait = limits.check(1).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(limits.check(2).is_ok(), "another token has its own budget");
    }
}

//! Session cookies and the middleware that turns one into the signed-in user.
//!
//! The cookie holds a random 256-bit token; the database keeps only its SHA-256, so a
//! leaked database does not leak live sessions. A new token is issued at every sign-in.

use crate::store::Db;
use app::domain::{Role, UserInfo};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Session settings, from the environment.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// Serve the cookie with `Secure` and the `__Host-` prefix (set when behind HTTPS).
    pub secure: bool,
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

impl SessionSettings {
    pub fn from_env() -> Self {
        let num = |key: &str, default: i64| {
            std::env::var(key)
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| *v > 0)
                .unwrap_or(default)
        };
        let secure = secure_cookies(
            std::env::var("AMENDS_SECURE_COOKIES").ok().as_deref(),
            std::env::var("AMENDS_PUBLIC_URL").ok().as_deref(),
        );
        Self {
            secure,
            idle_ms: num("AMENDS_SESSION_IDLE_MINUTES", 30) * 60_000,
            absolute_ms: num("AMENDS_SESSION_MAX_HOURS", 12) * 3_600_000,
        }
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-amends_session"
        } else {
            "amends_session"
        }
    }

    /// `Set-Cookie` value for a new session token.
    pub fn cookie(&self, token: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.cookie_name(),
            self.absolute_ms / 1000
        )
    }

    /// `Set-Cookie` value that removes the cookie.
    pub fn clear_cookie(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
            self.cookie_name()
        )
    }

    /// The session token the browser sent, if any.
    pub fn token(&self, headers: &HeaderMap) -> Option<String> {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

/// Whether the cookie gets `Secure` and the `__Host-` prefix: when `AMENDS_SECURE_COOKIES`
/// says so, and always when the public URL (`AMENDS_PUBLIC_URL`) is `https://` — a site
/// served over HTTPS must not let its session ride on a plain-HTTP request.
pub fn secure_cookies(flag: Option<&str>, public_url: Option<&str>) -> bool {
    let flag = flag
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
    let https = public_url.is_some_and(|u| {
        u.trim()
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
    flag || https
}

/// A fresh random token (hex of 32 bytes).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub use app::domain::when::now_ms;

#[derive(Clone)]
pub struct AuthState {
    pub db: Db,
    pub settings: SessionSettings,
    pub token_limits: super::bearer::TokenLimits,
    /// Whose forwarding headers name the client (sign-in throttling and its audit).
    pub proxies: super::client_addr::TrustedProxies,
}

impl axum::extract::FromRef<AuthState> for super::client_addr::TrustedProxies {
    fn from_ref(auth: &AuthState) -> Self {
        auth.proxies.clone()
    }
}

/// Paths anyone may reach: the sign-in pages and their posts, health, static files, and the
/// `whoami` server function (it answers `None` for strangers).
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/setup"
            | "/healthz"
            | "/favicon.svg"
            | "/api/fn/session/whoami"
            | "/api/v1/openapi.json"
            | "/api/docs"
    ) || path.starts_with("/pkg/")
        // Webhook deliveries prove themselves with their signature, not a session.
        || path.starts_with("/hooks/")
}

/// Find the session's user and put it in the request; send strangers to sign in.
pub async fn authenticate(State(auth): State<AuthState>, mut req: Request, next: Next) -> Response {
    // Scripts on the REST API sign in with a token instead of a cookie.
    if req.uri().path().starts_with("/api/v1/") && !is_public(req.uri().path()) {
        if let Some(secret) = super::bearer::presented(req.headers()) {
            return super::bearer::authenticate(&auth.db, &auth.token_limits, secret, req, next)
                .await;
        }
    }
    let session = auth.settings.token(req.headers()).map(|t| token_hash(&t));
    let user = match &session {
        Some(hash) => match auth
            .db
            .session_user(hash, now_ms(), auth.settings.idle_ms)
            .await
        {
            Ok(u) => u,
            // Without the database nobody can be recognised; say so instead of
            // sending a signed-in person to the sign-in page.
            Err(app::error::StoreError::Unavailable) if !is_public(req.uri().path()) => {
                tracing::warn!("session lookup failed: database unavailable");
                return super::unavailable::response(req.uri().path());
            }
            Err(e) => {
                tracing::warn!(error = %e, "session lookup failed");
                None
            }
        },
        None => None,
    };
    let path = req.uri().path().to_string();
    // Setup is one-time: once someone can sign in, its page leads to sign-in instead.
    if path == "/setup"
        && req.method() == Method::GET
        && auth.db.active_user_count().await.unwrap_or(0) > 0
    {
        return Redirect::to("/login").into_response();
    }
    match user {
        Some(u) => {
            if let Some(hash) = session {
                req.extensions_mut().insert(app::auth::CurrentSession(hash));
            }
            req.extensions_mut().insert(UserInfo {
                id: u.id,
                name: u.name,
                email: u.email,
                role: u.role,
            });
        }
        None if is_public(&path) => {}
        None => {
            if req.method() == Method::GET && !path.starts_with("/api/") {
                let to = if auth.db.active_user_count().await.unwrap_or(1) == 0 {
                    "/setup".to_string()
                } else {
                    let wanted = req
                        .uri()
                        .path_and_query()
                        .map(|p| p.as_str())
                        .unwrap_or("/");
                    format!("/login?next={}", encode(wanted))
                };
                return Redirect::to(&to).into_response();
            }
            if path.starts_with("/api/v1/") {
                return crate::rest::problem::Problem::unauthorized().into_response();
            }
            return (StatusCode::UNAUTHORIZED, "Please sign in first.").into_response();
        }
    }
    next.run(req).await
}

/// A `next` target we may redirect to: our own path, never another site. Only a path made
/// of plain URL characters passes: browsers drop tabs and newlines and read `\\` as `/`, so
/// `/\t/evil.example` or `/\\evil.example` would leave the site; an encoded slash or
/// backslash (`%2F`, `%5C`) or an encoded control character is refused too, in case
/// something along the way decodes it.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_own_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

fn is_own_path(n: &str) -> bool {
    let bytes = n.as_bytes();
    if bytes.first() != Some(&b'/') || matches!(bytes.get(1), Some(b'/' | b'\\')) {
        return false;
    }
    if n.len() > 2000 {
        return false;
    }
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b);
    if !bytes.iter().all(|b| plain(*b)) {
        return false;
    }
    // Every `%` starts an escape of two hex digits, and none of them decodes to a slash,
    // a backslash, a space or a control character.
    bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    let v = hex_value(*h) * 16 + hex_value(*l);
                    !(v <= b' ' || v == 0x7f || v == b'/' || v == b'\\')
                }
                _ => false,
            }
    })
}

fn hex_value(h: u8) -> u8 {
    match h {
        b'0'..=b'9' => h - b'0',
        b'a'..=b'f' => h - b'a' + 10,
        b'A'..=b'F' => h - b'A' + 10,
        _ => 0,
    }
}

pub use app::format::url_encode as encode;

/// Roles as the role matrix names them.
pub fn role_name(role: Option<Role>) -> &'static str {
    role.map(Role::code).unwrap_or("anonymous")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        // SHA-256 of "abc", the FIPS 180-2 test vector.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn cookie_flags_follow_the_setting() {
        let mut s = SessionSettings {
            secure: false,
            idle_ms: 1,
            absolute_ms: 43_200_000,
        };
        assert_eq!(
            s.cookie("t"),
            "amends_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200"
        );
        s.secure = true;
        assert!(
            s.cookie("t").starts_with("__Host-amends_session=t;")
                && s.cookie("t").ends_with("; Secure")
        );
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure_whatever_the_flag() {
        assert!(secure_cookies(None, Some("https://amends.example.com")));
        assert!(secure_cookies(None, Some(" HTTPS://amends.example.com/ ")));
        assert!(secure_cookies(
            Some("0"),
            Some("https://amends.example.com")
        ));
        assert!(secure_cookies(Some("yes"), None));
        assert!(secure_cookies(Some("true"), Some("http://localhost:3000")));
        assert!(!secure_cookies(None, Some("http://localhost:3000")));
        assert!(!secure_cookies(Some("no"), None));
        assert!(!secure_cookies(None, Some("https:")));
        assert!(!secure_cookies(None, None));
    }

    #[test]
    fn only_well_formed_tokens_are_read() {
        let s = SessionSettings {
            secure: false,
            idle_ms: 1,
            absolute_ms: 1,
        };
        let mut h = HeaderMap::new();
        let t = new_token();
        h.insert(
            header::COOKIE,
            format!("x=1; amends_session={t}").parse().unwrap(),
        );
        assert_eq!(s.token(&h), Some(t));
        h.insert(
            header::COOKIE,
            "amends_session=' OR 1=1 --".parse().unwrap(),
        );
        assert_eq!(s.token(&h), None);
    }

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/incidents?page=2")), "/incidents?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/customers/7#replies")), "/");
        assert_eq!(
            safe_next(Some("/customers?q=%C3%A9mile&page=2")),
            "/customers?q=%C3%A9mile&page=2"
        );
    }

    #[test]
    fn next_refuses_what_a_browser_could_read_as_another_site() {
        for bad in [
            "/\t/evil.example",
            "/\t/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%2f/evil.example",
            "/%5C/evil.example",
            "/%5c%5cevil.example",
            "/%00",
            "/%7F",
            "/%",
            "/%4",
            "/%zz",
            "/a\\b",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            " /incidents",
            "incidents",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), "/");
        assert_eq!(safe_next(Some("/incidents/%41")), "/incidents/%41");
    }
}

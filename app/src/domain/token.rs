//! Personal API tokens: what a person types to make one, and what the token lists show.
//! The secret itself is made and hashed on the server (`crate::auth::token`).

use super::{when, TokenScope};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// Every token's secret starts with this, so secret scanners can recognise a leaked one.
pub const PREFIX: &str = "amends_";

/// At most this many live tokens per person.
pub const MAX_PER_PERSON: i64 = 50;

/// One token as its lists show it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub owner_id: i64,
    pub owner: String,
    pub name: String,
    pub scope: TokenScope,
    /// The secret's last four characters.
    pub hint: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Past its expiry when the list was read.
    pub expired: bool,
}

impl TokenRow {
    /// `live`, `expired` or `revoked`, as the lists say it.
    pub fn status(&self) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expired {
            "expired"
        } else {
            "live"
        }
    }

    /// Usable at `now`: not revoked and not expired.
    pub fn live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A valid new token, before its secret is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDraft {
    pub name: String,
    pub scope: TokenScope,
    pub expires_at: Option<i64>,
}

/// The new-token form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenForm {
    pub name: String,
    pub scope: String,
    /// A date, `2027-01-31`, or empty for a token that does not expire.
    pub expires: String,
}

impl TokenForm {
    /// `now` decides which expiry dates are in the past.
    pub fn parse(&self, now: i64) -> Result<TokenDraft, AppError> {
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::field(
                "name",
                "Name the token after what uses it (e.g. “nightly CRM sync”), up to 100 characters.",
            ));
        }
        let scope = TokenScope::parse(self.scope.trim())
            .map_err(|_| AppError::field("scope", "Choose read, or read and write."))?;
        let expires_at = match self.expires.trim() {
            "" => None,
            d => {
                // A date means "usable through that day" (UTC).
                let day = when::parse_date(d).map_err(|m| AppError::field("expires", m))?;
                let end = day + 86_400_000;
                if end <= now {
                    return Err(AppError::field(
                        "expires",
                        "That date has passed; choose a later one or leave it empty.",
                    ));
                }
                Some(end)
            }
        };
        Ok(TokenDraft {
            name,
            scope,
            expires_at,
        })
    }
}

/// A token just made: its row and the secret, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: TokenRow,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_392_000_000; // 2026-11-23T00:00Z

    fn form(name: &str, scope: &str, expires: &str) -> TokenForm {
        TokenForm {
            name: name.into(),
            scope: scope.into(),
            expires: expires.into(),
        }
    }

    #[test]
    fn a_token_is_named_scoped_and_may_expire_at_the_end_of_a_day() {
        let d = form(" sync ", "write", "2026-11-23").parse(NOW).unwrap();
        assert_eq!(d.name, "sync");
        assert_eq!(d.scope, TokenScope::Write);
        assert_eq!(d.expires_at, Some(NOW + 86_400_000));
        assert_eq!(form("x", "read", "").parse(NOW).unwrap().expires_at, None);
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |f: TokenForm| match f.parse(NOW) {
            Err(AppError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(form("", "read", "")), "name");
        assert_eq!(field(form(&"n".repeat(101), "read", "")), "name");
        assert_eq!(field(form("x", "admin", "")), "scope");
        assert_eq!(field(form("x", "read", "2026-11-22")), "expires");
        assert_eq!(field(form("x", "read", "tomorrow")), "expires");
    }

    #[test]
    fn live_means_neither_revoked_nor_expired() {
        let mut t = TokenRow {
            id: 1,
            owner_id: 1,
            owner: "Ada".into(),
            name: "x".into(),
            scope: TokenScope::Read,
            hint: "abcd".into(),
            created_at: 0,
            expires_at: Some(NOW),
            last_used_at: None,
            revoked_at: None,
            expired: false,
        };
        assert!(t.live(NOW - 1));
        assert!(!t.live(NOW));
        t.expires_at = None;
        t.revoked_at = Some(5);
        assert!(!t.live(NOW));
    }
}

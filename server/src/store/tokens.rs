//! API tokens: made, listed, revoked, and found by the hash of a presented secret.

use super::rows::{code, get};
use super::{audit, map_err, Db};
use app::domain::token::{TokenDraft, TokenRow, MAX_PER_PERSON};
use app::domain::{Role, TokenScope};
use app::error::StoreError;

/// A request's token, once its secret checked out: who owns it and what it may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenUser {
    pub token_id: i64,
    pub token_name: String,
    pub scope: TokenScope,
    pub user: super::SessionUser,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "t.id, t.user_id, u.name AS owner, t.name, t.scope, t.hint, t.created_at,
                       t.expires_at, t.last_used_at, t.revoked_at";

fn row(r: &sqlx::any::AnyRow, now: i64) -> Result<TokenRow, StoreError> {
    let expires_at: Option<i64> = get(r, "expires_at")?;
    Ok(TokenRow {
        id: get(r, "id")?,
        owner_id: get(r, "user_id")?,
        owner: get(r, "owner")?,
        name: get(r, "name")?,
        scope: code(r, "scope", TokenScope::parse)?,
        hint: get(r, "hint")?,
        created_at: get(r, "created_at")?,
        expires_at,
        last_used_at: get(r, "last_used_at")?,
        revoked_at: get(r, "revoked_at")?,
        expired: expires_at.is_some_and(|e| e <= now),
    })
}

/// Newest first; at most 500 (live tokens are capped per person, revoked ones age out of view).
pub async fn list(db: &Db, owner: Option<i64>, now: i64) -> Result<Vec<TokenRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE ($1 IS NULL OR t.user_id = $1)
         ORDER BY t.created_at DESC, t.id DESC LIMIT 500"
    ))
    .bind(owner)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| row(r, now))
    .collect()
}

pub async fn create(
    db: &Db,
    owner: i64,
    draft: &TokenDraft,
    secret_hash: &str,
    hint: &str,
    actor: i64,
    now: i64,
) -> Result<TokenRow, StoreError> {
    let mut tx = db.begin().await?;
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(owner)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    if live >= MAX_PER_PERSON {
        return Err(StoreError::field(
            "name",
            format!("You have {MAX_PER_PERSON} live tokens; revoke one you no longer use first."),
        ));
    }
    let active: Option<i64> = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    if active != Some(1) {
        return Err(StoreError::NotFound);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, scope, secret_hash, hint, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(owner)
    .bind(&draft.name)
    .bind(draft.scope.code())
    .bind(secret_hash)
    .bind(hint)
    .bind(now)
    .bind(draft.expires_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let after = serde_json::json!({
        "owner": owner, "name": draft.name, "scope": draft.scope.code(),
        "expires_at": draft.expires_at,
    });
    audit(
        &mut tx,
        now,
        Some(actor),
        "create",
        "api_token",
        Some(&id.to_string()),
        None,
        Some(after),
        None,
    )
    .await?;
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let token = row(&r, now)?;
    db.commit(tx).await?;
    Ok(token)
}

pub async fn revoke(
    db: &Db,
    id: i64,
    owner: Option<i64>,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let found = sqlx::query(
        "SELECT user_id, name, revoked_at FROM api_tokens WHERE id = $1 AND ($2 IS NULL OR user_id = $2)",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?
    .ok_or(StoreError::NotFound)?;
    if get::<Option<i64>>(&found, "revoked_at")?.is_some() {
        // Revoking twice changes nothing and is not an error.
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let name: String = get(&found, "name")?;
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "api_token",
        Some(&id.to_string()),
        Some(serde_json::json!({ "name": name, "revoked": false })),
        Some(serde_json::json!({ "name": name, "revoked": true })),
        None,
    )
    .await?;
    db.commit(tx).await
}

impl Db {
    /// The live token with this secret hash, with its active owner; `None` for anything
    /// else (unknown, revoked, expired, owner deactivated), without saying which.
    pub async fn token_user(&self, hash: &str, now: i64) -> Result<Option<TokenUser>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT t.id, t.name AS token_name, t.scope, t.last_used_at, u.id AS user_id,
                    u.name, u.email, u.role
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.secret_hash = $1 AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active = 1",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        Ok(Some(TokenUser {
            token_id: get(&r, "id")?,
            token_name: get(&r, "token_name")?,
            scope: code(&r, "scope", TokenScope::parse)?,
            last_used_at: get(&r, "last_used_at")?,
            user: super::SessionUser {
                id: get(&r, "user_id")?,
                name: get(&r, "name")?,
                email: get(&r, "email")?,
                role: code(&r, "role", Role::parse)?,
            },
        }))
    }

    /// Note a token's use (callers do this at most once a minute per token).
    pub async fn touch_token(&self, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    /// Who owns a token, if it exists.
    pub async fn token_owner(&self, id: i64) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)
    }

    /// The user with this email (any state), for `amends token add`.
    pub async fn user_id_by_email(&self, email: &str) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)
    }

    /// The longest-standing active admin, whom command-line imports act as by default.
    pub async fn first_admin(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar(
            "SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)
    }
}

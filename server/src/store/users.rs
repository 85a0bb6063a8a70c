//! Users, sessions and the login side of the audit log.

use super::rows::{code, get};
use super::{map_err, Db, Engine};
use app::domain::Role;
use app::error::StoreError;

/// The signed-in person, as the rest of the server sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// A user to create.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

/// What login needs to check a password.
pub struct LoginCandidate {
    pub id: i64,
    pub password_hash: String,
}

/// Any number: it only has to be the same in every `amends` process (and differ from the
/// sign-in throttle's).
const TEAM_LOCK_KEY: i64 = 0x616d_656e_6474;

impl Db {
    /// Make `tx` wait for every other transaction that counts admins or active users before
    /// it changes them (first-run set-up, role and activation changes), so two of them at
    /// once cannot both pass "someone else is admin" or "nobody is set up yet". PostgreSQL
    /// runs READ COMMITTED, so it takes a transaction-scoped advisory lock; on SQLite
    /// `begin` already holds the database's write lock.
    pub(super) async fn lock_team(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), StoreError> {
        if self.engine() == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(TEAM_LOCK_KEY)
                .execute(&mut **tx)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }

    /// People who can sign in; the setup page exists only while there are none.
    pub async fn active_user_count(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE active = 1")
            .fetch_one(self.pool())
            .await
            .map_err(map_err)
    }

    /// The first active user with `role` (the lowest id), if any.
    pub async fn first_user_with_role(&self, role: Role) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MIN(id) FROM users WHERE active = 1 AND role = $1")
            .bind(role.code())
            .fetch_one(self.pool())
            .await
            .map_err(map_err)
    }

    /// Create a user and its audit entry in one transaction. With `only_if_first`, refuse
    /// when an active user already exists (the one-time setup).
    pub async fn create_user(
        &self,
        user: NewUser<'_>,
        actor: Option<i64>,
        only_if_first: bool,
        now: i64,
    ) -> Result<i64, StoreError> {
        let NewUser {
            email,
            name,
            role,
            password_hash,
        } = user;
        let mut tx = self.begin().await?;
        if only_if_first {
            self.lock_team(&mut tx).await?;
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE active = 1")
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
            if n > 0 {
                return Err(StoreError::Conflict(
                    "Amends is already set up; sign in instead.".into(),
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(role.code())
        .bind(password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict("A user with that email already exists.".into())
            }
            other => other,
        })?;
        let after = serde_json::json!({ "email": email, "name": name, "role": role.code(), "active": true });
        audit(
            &mut tx,
            now,
            actor,
            "create",
            "user",
            Some(&id.to_string()),
            None,
            Some(after),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    pub async fn login_candidate(&self, email: &str) -> Result<Option<LoginCandidate>, StoreError> {
        let row =
            sqlx::query("SELECT id, password_hash FROM users WHERE email = $1 AND active = 1")
                .bind(email)
                .fetch_optional(self.pool())
                .await
                .map_err(map_err)?;
        row.map(|r| {
            Ok(LoginCandidate {
                id: get(&r, "id")?,
                password_hash: get(&r, "password_hash")?,
            })
        })
        .transpose()
    }

    /// Start a session (the id is the hash of the cookie's token) and record the login.
    pub async fn start_session(
        &self,
        id_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
        ip: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)")
            .bind(id_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // Old sessions of anyone are swept here rather than by a timer.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        audit(
            &mut tx,
            now,
            Some(user_id),
            "login_success",
            "session",
            None,
            None,
            None,
            ip,
        )
        .await?;
        self.commit(tx).await
    }

    /// The user behind a live session; `None` when unknown, expired, idle too long or the
    /// user was deactivated. Refreshes the idle clock at most once a minute.
    pub async fn session_user(
        &self,
        id_hash: &str,
        now: i64,
        idle_ms: i64,
    ) -> Result<Option<SessionUser>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.email, u.role, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.active = 1",
        )
        .bind(id_hash)
        .bind(now)
        .bind(now - idle_ms)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let last_seen: i64 = get(&r, "last_seen_at")?;
        if now - last_seen > 60_000 {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id_hash)
                .execute(self.pool())
                .await
                .map_err(map_err)?;
        }
        Ok(Some(SessionUser {
            id: get(&r, "id")?,
            name: get(&r, "name")?,
            email: get(&r, "email")?,
            role: code(&r, "role", Role::parse)?,
        }))
    }

    pub async fn end_session(
        &self,
        id_hash: &str,
        user_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id_hash)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        audit(
            &mut tx,
            now,
            Some(user_id),
            "logout",
            "session",
            None,
            None,
            None,
            None,
        )
        .await?;
        self.commit(tx).await
    }
}

tokio::task_local! {
    /// The API token (its name) a request acts through. The REST API sets it around each
    /// request made with a token, so every audit entry that request writes names the token.
    pub static AUDIT_VIA: String;
}

/// One audit row, written inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn audit(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    at: i64,
    user_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    ip: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, action, entity, entity_id, before, after, ip, via)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(at)
    .bind(user_id)
    .bind(action)
    .bind(entity)
    .bind(entity_id.map(str::to_string))
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .bind(ip.map(str::to_string))
    .bind(
        AUDIT_VIA
            .try_with(|v| v.chars().take(120).collect::<String>())
            .ok(),
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

//! The database layer: one `Db` over sqlx's `Any` driver serves SQLite and PostgreSQL with
//! the same SQL (see docs/ARCHITECTURE.md for why). Instants are epoch milliseconds, flags
//! are integers, sums are cast to BIGINT — the types `Any` decodes on both engines.

mod connect;
mod customers;
mod error;
mod incidents;
mod overview;
mod replies;
mod rows;
pub mod seed;
mod team;
mod users;

pub use connect::{redact_url, sqlite_url_in, Engine};
pub use error::map_err;
pub use users::{audit, LoginCandidate, NewUser, SessionUser};

use app::domain::{
    AuditRow, CustomerRow, IncidentDetail, IncidentRow, Overview, Page, PageRequest, ReplyRow,
    Role, UserRow,
};
use app::error::StoreError;
use sqlx::AnyPool;

/// The database handle. Cheap to clone (the pool is reference-counted).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

impl Db {
    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Close the pool, waiting for connections to be returned (used on shutdown so SQLite
    /// checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// True when any domain table holds a row (the demo refuses to write into such a database).
    pub async fn has_domain_data(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM customers LIMIT 1) c)
                  + (SELECT COUNT(*) FROM (SELECT 1 FROM incidents LIMIT 1) i)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(n > 0)
    }
}

#[async_trait::async_trait]
impl app::store::Store for Db {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn overview(&self) -> Result<Overview, StoreError> {
        overview::overview(self).await
    }

    async fn list_incidents(&self, page: PageRequest) -> Result<Page<IncidentRow>, StoreError> {
        incidents::list(self, page).await
    }

    async fn incident(&self, id: i64) -> Result<Option<IncidentDetail>, StoreError> {
        incidents::detail(self, id).await
    }

    async fn list_customers(
        &self,
        search: Option<String>,
        page: PageRequest,
    ) -> Result<Page<CustomerRow>, StoreError> {
        customers::list(self, search, page).await
    }

    async fn list_replies(&self, page: PageRequest) -> Result<Page<ReplyRow>, StoreError> {
        replies::list(self, page).await
    }

    async fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        team::list_users(self).await
    }

    async fn add_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
        actor: i64,
    ) -> Result<i64, StoreError> {
        let user = NewUser {
            email,
            name,
            role,
            password_hash,
        };
        team::add_user(self, user, actor, now_ms()).await
    }

    async fn update_user(
        &self,
        id: i64,
        role: Role,
        active: bool,
        actor: i64,
    ) -> Result<(), StoreError> {
        team::update_user(self, id, role, active, actor, now_ms()).await
    }

    async fn list_audit(
        &self,
        entity: Option<String>,
        action: Option<String>,
        page: PageRequest,
    ) -> Result<Page<AuditRow>, StoreError> {
        team::list_audit(self, entity, action, page).await
    }

    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)
    }

    async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // Never the hash itself: only that it changed.
        let after = serde_json::json!({ "password": "changed" });
        let id = user_id.to_string();
        audit(
            &mut tx,
            now,
            Some(user_id),
            "update",
            "user",
            Some(&id),
            None,
            Some(after),
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

//! Idempotency keys: the first answer to a POST that carried `Idempotency-Key`, per person,
//! kept for a day. A key is reserved before the request runs, so two concurrent requests
//! with one key cannot both make the change.

use super::rows::get;
use super::{map_err, Db};
use app::error::StoreError;

/// How long a key is remembered.
pub const KEEP_MS: i64 = 24 * 3_600_000;

/// A kept answer: status, the headers a retry needs, body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

/// What a key holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    /// The key was free and is now reserved for this request.
    Reserved,
    /// Another request with this key is still running.
    InFlight { request_hash: String },
    /// The first answer.
    Done {
        request_hash: String,
        answer: KeptAnswer,
    },
}

impl Db {
    /// Reserve `key` for a request whose method, path and body hash to `request_hash`, or
    /// say what the key already holds.
    pub async fn reserve_idempotency_key(
        &self,
        user: i64,
        key: &str,
        request_hash: &str,
        now: i64,
    ) -> Result<Kept, StoreError> {
        // Forget keys older than a day (indexed by created_at).
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now - KEEP_MS)
            .execute(self.pool())
            .await
            .map_err(map_err)?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at)
             VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(map_err)?;
        if inserted.rows_affected() == 1 {
            return Ok(Kept::Reserved);
        }
        let r = sqlx::query(
            "SELECT request_hash, status, location, etag, body FROM idempotency_keys
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?;
        let Some(r) = r else {
            // Forgotten between the two statements: the caller may try again.
            return Ok(Kept::InFlight {
                request_hash: request_hash.to_string(),
            });
        };
        let request_hash: String = get(&r, "request_hash")?;
        let status: i64 = get(&r, "status")?;
        if status == 0 {
            return Ok(Kept::InFlight { request_hash });
        }
        Ok(Kept::Done {
            request_hash,
            answer: KeptAnswer {
                status: u16::try_from(status).unwrap_or(500),
                location: get(&r, "location")?,
                etag: get(&r, "etag")?,
                body: get(&r, "body")?,
            },
        })
    }

    /// Keep the answer of the request that reserved `key`.
    pub async fn keep_idempotent_answer(
        &self,
        user: i64,
        key: &str,
        answer: &KeptAnswer,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $3, location = $4, etag = $5, body = $6
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(key)
        .bind(i64::from(answer.status))
        .bind(answer.location.clone())
        .bind(answer.etag.clone())
        .bind(&answer.body)
        .execute(self.pool())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    /// Free `key` after its request failed on our side, so a retry runs again.
    pub async fn release_idempotency_key(&self, user: i64, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0")
            .bind(user)
            .bind(key)
            .execute(self.pool())
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

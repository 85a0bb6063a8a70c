//! Committing a write transaction so that its outcome is known. On PostgreSQL a COMMIT
//! whose answer is lost with its connection (the server ended the session during the
//! commit, as a restart does) may have happened or not; answering 503 for a change that was
//! made invites the client's retry to make it twice. So the transaction's id is taken
//! before the commit and, when the answer is lost, its fate is looked up on another
//! connection (`txid_status`). SQLite commits in this process: its answer cannot be lost.

use super::retry::when_unavailable;
use super::{map_err, Db, Engine};
use app::error::StoreError;
use sqlx::{Any, Transaction};
use std::time::Duration;

impl Db {
    /// Commit `tx`, with the case facts of what it changed made again first (see
    /// `store::facts`); `Ok` exactly when its changes are kept.
    pub async fn commit(&self, mut tx: Transaction<'static, Any>) -> Result<(), StoreError> {
        super::facts::refresh(&mut tx, self.engine()).await?;
        if self.engine() != Engine::Postgres {
            return tx.commit().await.map_err(map_err);
        }
        let txid: i64 = sqlx::query_scalar("SELECT txid_current()")
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let Err(e) = tx.commit().await else {
            return Ok(());
        };
        let lost = map_err(e);
        if lost != StoreError::Unavailable {
            return Err(lost);
        }
        // The ended session's backend may still be finishing the commit: ask a few times.
        for _ in 0..20 {
            let status = when_unavailable(|| self.transaction_status(txid)).await;
            match status.as_deref() {
                Ok("committed") => {
                    tracing::info!(txid, "a commit whose answer was lost had happened");
                    return Ok(());
                }
                Ok("in progress") => tokio::time::sleep(Duration::from_millis(50)).await,
                _ => break,
            }
        }
        Err(lost)
    }

    /// `committed`, `aborted` or `in progress` (PostgreSQL's `txid_status`).
    async fn transaction_status(&self, txid: i64) -> Result<String, StoreError> {
        sqlx::query_scalar::<_, Option<String>>("SELECT txid_status($1)::text")
            .bind(txid)
            .fetch_one(self.pool())
            .await
            .map(Option::unwrap_or_default)
            .map_err(map_err)
    }
}

//! Optimistic concurrency: an edit names the version it started from, and the change claims
//! it by bumping it — the UPDATE itself is the check, so two processes cannot both win. The
//! claim comes first in each change, so its transaction holds the write lock before it reads.

use super::map_err;
use app::error::StoreError;
use sqlx::{Any, Transaction};

/// The versioned tables and what a person calls a row of each.
#[derive(Clone, Copy)]
pub enum Versioned {
    Incident,
    Customer,
}

impl Versioned {
    fn table(self) -> &'static str {
        match self {
            Versioned::Incident => "incidents",
            Versioned::Customer => "customers",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Versioned::Incident => "incident",
            Versioned::Customer => "customer",
        }
    }
}

/// Bump `id`'s version if it is still `version`; else `NotFound` or a `Conflict` that says
/// what happened and what to do.
pub async fn claim(
    tx: &mut Transaction<'static, Any>,
    what: Versioned,
    id: i64,
    version: i64,
    now: i64,
) -> Result<(), StoreError> {
    let table = what.table();
    let done = sqlx::query(&format!(
        "UPDATE {table} SET version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2"
    ))
    .bind(id)
    .bind(version)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let exists: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await
        .map_err(map_err)?;
    if exists == 0 {
        return Err(StoreError::NotFound);
    }
    Err(StoreError::Conflict(format!(
        "Someone else changed this {} while you were editing it, so nothing was saved. \
         Reload the page to see their change, then make yours again.",
        what.noun()
    )))
}

//! Turning sqlx errors into `StoreError`: the detail goes to the log, never to the user.

use app::error::StoreError;

pub fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => {
            tracing::warn!(error = %e, "database unavailable");
            StoreError::Unavailable
        }
        // SQLite's "busy"/"locked": another writer (a long import, say) held the lock past
        // the busy timeout. Worth trying again, like an unreachable database.
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "6" | "517")) => {
            tracing::warn!(error = %e, "database busy");
            StoreError::Unavailable
        }
        // PostgreSQL shutting down or restarting (class 57P: the server ended this session)
        // or a broken connection (class 08): the pool reconnects by itself.
        sqlx::Error::Database(db)
            if db
                .code()
                .is_some_and(|c| c.starts_with("57P") || c.starts_with("08")) =>
        {
            tracing::warn!(error = %e, "database connection lost");
            StoreError::Unavailable
        }
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            tracing::info!(error = %e, "unique constraint");
            StoreError::Conflict("That already exists.".into())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() || db.is_check_violation() => {
            tracing::info!(error = %e, "constraint rejected a write");
            StoreError::Invalid("The change breaks a rule of the data; nothing was saved.".into())
        }
        _ => {
            tracing::error!(error = %e, "database error");
            StoreError::Internal
        }
    }
}

//! Bulk writes for loading many rows at once (the demo generator, tests). Rows carry their
//! own ids so related rows can be built before anything is written; on PostgreSQL the
//! identity sequences are moved past them afterwards.

use super::{map_err, Db, Engine};
use app::error::StoreError;
use sqlx::{Any, Transaction};

/// One bindable value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Real(f64),
    OptReal(Option<f64>),
}

/// Rows for one table, written in multi-row INSERTs.
pub struct Batch {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Val>>,
}

/// The tables whose ids are generated, in the order the demo fills them.
pub const ID_TABLES: &[&str] = &[
    "users",
    "customers",
    "incidents",
    "incident_events",
    "recovery_actions",
    "replies",
    "experiments",
];

/// Bind parameters per statement; below SQLite's 32,766 and PostgreSQL's 65,535, and small
/// enough that statements stay cheap to prepare.
const PARAMS_PER_STATEMENT: usize = 4_000;

impl Db {
    /// A transaction for a change. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a change that reads before it writes waits for another
    /// writer instead of failing with "database is locked" half-way.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, StoreError> {
        match self.engine() {
            Engine::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await,
            _ => self.pool().begin().await,
        }
        .map_err(map_err)
    }

    /// A transaction that only reads (one consistent snapshot, no write lock).
    pub async fn begin_read(&self) -> Result<Transaction<'static, Any>, StoreError> {
        self.pool().begin().await.map_err(map_err)
    }

    /// Insert every row of `batch` inside `tx`.
    pub async fn insert_batch(
        &self,
        tx: &mut Transaction<'static, Any>,
        batch: &Batch,
    ) -> Result<(), StoreError> {
        let width = batch.columns.len();
        let per_stmt = (PARAMS_PER_STATEMENT / width).max(1);
        for chunk in batch.rows.chunks(per_stmt) {
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                batch.table,
                batch.columns.join(", ")
            );
            let mut n = 1;
            for (i, row) in chunk.iter().enumerate() {
                debug_assert_eq!(row.len(), width, "row width for {}", batch.table);
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for j in 0..width {
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('$');
                    sql.push_str(&n.to_string());
                    n += 1;
                }
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for row in chunk {
                for v in row {
                    q = match v {
                        Val::Int(x) => q.bind(*x),
                        Val::OptInt(x) => q.bind(*x),
                        Val::Text(x) => q.bind(x.clone()),
                        Val::OptText(x) => q.bind(x.clone()),
                        Val::Real(x) => q.bind(*x),
                        Val::OptReal(x) => q.bind(*x),
                    };
                }
            }
            q.execute(&mut **tx).await.map_err(map_err)?;
        }
        Ok(())
    }

    /// After writing explicit ids, make the next generated id follow the largest one.
    pub async fn reset_id_sequences(
        &self,
        tx: &mut Transaction<'static, Any>,
    ) -> Result<(), StoreError> {
        if self.engine() != Engine::Postgres {
            return Ok(()); // SQLite's rowid already continues after the maximum.
        }
        for table in ID_TABLES {
            let sql = format!(
                "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'),
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false) AS BIGINT)"
            );
            sqlx::query(&sql)
                .execute(&mut **tx)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }

    /// Remove all domain data (customers, incidents and everything hanging off them) and
    /// the audit trail of it; users and their sessions stay.
    pub async fn wipe_domain(&self, tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
        for table in [
            "experiment_arms",
            "experiments",
            "replies",
            "recovery_actions",
            "affected_customers",
            "incident_events",
            "incidents",
            "customers",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut **tx)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }

    /// Largest id in a table (0 when empty), so new explicit ids never collide.
    pub async fn max_id(
        &self,
        tx: &mut Transaction<'static, Any>,
        table: &str,
    ) -> Result<i64, StoreError> {
        debug_assert!(ID_TABLES.contains(&table));
        sqlx::query_scalar(&format!(
            "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"
        ))
        .fetch_one(&mut **tx)
        .await
        .map_err(map_err)
    }
}

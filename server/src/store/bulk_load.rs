//! Loading many rows into one table on SQLite. Each row inserted into a table with several
//! secondary indexes lands at a random place in every one of them, and once those indexes
//! outgrow the page cache each insert reads and spills pages: a million replies cost about
//! three times what the table alone costs. So when an import has already written a large
//! share of a table, it sets that table's non-unique indexes aside and builds them again,
//! sorted in one pass, just before it commits. Unique indexes stay: they are how a
//! re-imported row is recognised. The table's row triggers, which only bump the data
//! version, go aside too, and the version is bumped once at the end instead. All of it is inside the import's transaction, so readers
//! keep seeing the old rows with their indexes, and a rolled-back import leaves the schema as
//! it was. PostgreSQL keeps its indexes: dropping one would lock out every reader of the
//! table for the whole import.

use super::{map_err, Engine};
use app::error::StoreError;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Rows an import writes into a table before it considers setting the indexes aside.
const AFTER_ROWS: u64 = 50_000;
/// …and only when those rows are at least this share of the table (1 in N).
const SHARE: u64 = 4;

/// What one import has done to each table's indexes.
pub(super) struct BulkLoad {
    engine: Engine,
    /// Rows this import has written, per table.
    written: HashMap<&'static str, u64>,
    /// Tables already considered, with the `CREATE INDEX` statements set aside (if any).
    set_aside: Vec<(&'static str, Vec<String>)>,
}

impl BulkLoad {
    pub(super) fn new(engine: Engine) -> Self {
        Self {
            engine,
            written: HashMap::new(),
            set_aside: Vec::new(),
        }
    }

    /// Count `rows` written into `table`; once they are many, set its indexes aside.
    pub(super) async fn wrote(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        table: &'static str,
        rows: u64,
    ) -> Result<(), StoreError> {
        if self.engine != Engine::Sqlite {
            return Ok(());
        }
        let written = self.written.entry(table).or_default();
        *written += rows;
        let written = *written;
        if written < AFTER_ROWS || self.set_aside.iter().any(|(t, _)| *t == table) {
            return Ok(());
        }
        // `table` is one of the import's own constants, never user text.
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut **tx)
            .await
            .map_err(map_err)?;
        let mut statements = Vec::new();
        if written * SHARE >= total as u64 {
            let objects: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT type, name, sql FROM sqlite_master
                 WHERE tbl_name = $1 AND sql IS NOT NULL
                   AND ((type = 'index' AND sql NOT LIKE 'CREATE UNIQUE %')
                        OR (type = 'trigger' AND sql LIKE '%UPDATE data_version SET version = version + 1;%'))
                 ORDER BY type, name",
            )
            .bind(table)
            .fetch_all(&mut **tx)
            .await
            .map_err(map_err)?;
            for (kind, name, sql) in objects {
                let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
                sqlx::query(&format!("DROP {kind} \"{name}\""))
                    .execute(&mut **tx)
                    .await
                    .map_err(map_err)?;
                statements.push(sql);
            }
            tracing::debug!(
                table,
                set_aside = statements.len(),
                "bulk import: the table's indexes and triggers are rebuilt at the end"
            );
        }
        self.set_aside.push((table, statements));
        Ok(())
    }

    /// Build every index set aside again (before the import commits).
    pub(super) async fn restore(
        &mut self,
        tx: &mut Transaction<'static, Any>,
    ) -> Result<(), StoreError> {
        let mut any = false;
        for (_, statements) in self.set_aside.drain(..) {
            for sql in statements {
                any = true;
                sqlx::query(&sql)
                    .execute(&mut **tx)
                    .await
                    .map_err(map_err)?;
            }
        }
        if any {
            // What the triggers set aside would have done (once is enough: readers only
            // compare the version with the one they cached).
            sqlx::query("UPDATE data_version SET version = version + 1")
                .execute(&mut **tx)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }
}

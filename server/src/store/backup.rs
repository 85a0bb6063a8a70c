//! Backing up and restoring an SQLite database, as whole files.
//!
//! A backup is `VACUUM INTO` a temporary file beside the target, renamed into place when
//! complete: one consistent snapshot, taken while the server keeps serving (under WAL it only
//! reads), in rollback-journal mode so the backup is one self-contained file. A restore copies
//! the backup into a temporary file beside the live database, checks it there (an SQLite file,
//! intact, with Amends' tables and no migration this binary does not know), brings it up to
//! this binary's migrations, and renames it over the live file only when no other process has
//! the live database open. PostgreSQL has `pg_dump` for this.

use super::Engine;
use super::{map_err, Db};
use app::error::StoreError;
use sqlx::migrate::MigrateError;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a backup or restore did not happen; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose another file name, or pass --force to overwrite it")]
    Exists(PathBuf),
    #[error("the folder {0} does not exist; create it first or choose another path")]
    NoFolder(PathBuf),
    #[error("the path {0} is not valid UTF-8; choose a plainer file name")]
    PathNotUtf8(PathBuf),
    #[error("{what} {path}: {reason}")]
    Io {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{path} cannot be read as a database ({reason}); is it an Amends backup?")]
    NotADatabase { path: PathBuf, reason: String },
    #[error("{0} is an SQLite database but not an Amends one (it has no Amends tables)")]
    NotAmends(PathBuf),
    #[error("{path} is damaged: the integrity check says {report}")]
    Damaged { path: PathBuf, report: String },
    #[error(
        "{path} was written by a newer Amends (it has migration {version}, which this \
         binary does not know); restore it with that version of amends or a later one"
    )]
    Newer { path: PathBuf, version: i64 },
    #[error(
        "{path} has a migration ({version}) that differs from this binary's; restore it with \
         the version of amends that wrote it"
    )]
    Differs { path: PathBuf, version: i64 },
    #[error("{path} could not be brought up to this version's migrations: {reason}")]
    Migrate { path: PathBuf, reason: String },
    #[error(
        "another process has {0} open; stop `amends serve` and any other amends command \
         using it, then run the restore again"
    )]
    InUse(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many rows each table of a database holds, by table name (sorted).
pub type RowCounts = Vec<(String, i64)>;

/// Tables every database has rows in from its first migration: not data a restore would lose.
const BOOKKEEPING: &[&str] = &["_sqlx_migrations", "data_version"];

/// The rows of `counts` that are data (not bookkeeping).
pub fn data_rows(counts: &RowCounts) -> i64 {
    counts
        .iter()
        .filter(|(t, _)| !BOOKKEEPING.contains(&t.as_str()))
        .map(|(_, n)| n)
        .sum()
}

/// The count of `table` in `counts` (0 when the table is missing).
pub fn rows_of(counts: &RowCounts, table: &str) -> i64 {
    counts
        .iter()
        .find(|(t, _)| t == table)
        .map_or(0, |(_, n)| *n)
}

impl Db {
    /// The file of this SQLite database.
    pub async fn database_file(&self) -> Result<PathBuf, StoreError> {
        let file: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(self.pool())
                .await
                .map_err(map_err)?;
        Ok(PathBuf::from(file))
    }

    /// Rows per table of this SQLite database.
    pub async fn row_counts(&self) -> Result<RowCounts, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let tables: Vec<String> = sqlx::query_scalar(TABLES)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(tables.len());
        for t in tables {
            let n: i64 = sqlx::query_scalar(&count_sql(&t))
                .fetch_one(&mut *conn)
                .await
                .map_err(map_err)?;
            out.push((t, n));
        }
        Ok(out)
    }

    /// Write a consistent copy of this SQLite database to `out` (replacing it only when
    /// `overwrite`); returns the copy's row counts.
    pub async fn backup_to(&self, out: &Path, overwrite: bool) -> Result<RowCounts, BackupError> {
        if out.exists() && !overwrite {
            return Err(BackupError::Exists(out.to_path_buf()));
        }
        let partial = beside(out, "partial")?;
        let result = async {
            let target = partial
                .to_str()
                .ok_or_else(|| BackupError::PathNotUtf8(out.to_path_buf()))?;
            sqlx::query("VACUUM INTO $1")
                .bind(target.to_string())
                .execute(self.pool())
                .await
                .map_err(|e| io("cannot write the backup to", out, e))?;
            let mut conn = open(&partial).await?;
            // One self-contained file, whatever mode the live database runs in.
            sqlx::query("PRAGMA journal_mode = DELETE")
                .execute(&mut conn)
                .await
                .map_err(|e| io("cannot finish the backup", out, e))?;
            let counts = counts_of(&mut conn, &partial).await?;
            conn.close().await.map_err(map_err)?;
            rename(&partial, out)?;
            Ok(counts)
        }
        .await;
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }
}

/// A checked copy of a backup, beside the live database, waiting to replace it.
pub struct Staged {
    path: PathBuf,
    pub counts: RowCounts,
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Gone after `install`; otherwise it is a leftover of a refused restore.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Copy `backup` beside `live`, check it is an intact Amends database no newer than this
/// binary, and apply this binary's migrations to it. `live` is not touched.
pub async fn stage(backup: &Path, live: &Path) -> Result<Staged, BackupError> {
    let migrator = Engine::Sqlite.migrator();
    if !backup.is_file() {
        return Err(BackupError::Io {
            what: "cannot read",
            path: backup.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    let mut staged = Staged {
        path: beside(live, "restoring")?,
        counts: Vec::new(),
    };
    std::fs::copy(backup, &staged.path).map_err(|e| BackupError::Io {
        what: "cannot copy",
        path: backup.to_path_buf(),
        reason: e.to_string(),
    })?;
    let not_db = |e: sqlx::Error| BackupError::NotADatabase {
        path: backup.to_path_buf(),
        reason: short(&e),
    };
    let mut conn = open(&staged.path).await.map_err(|e| match e {
        BackupError::Io { reason, .. } => BackupError::NotADatabase {
            path: backup.to_path_buf(),
            reason,
        },
        e => e,
    })?;
    let report: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(&mut conn)
        .await
        .map_err(not_db)?;
    if report != ["ok"] {
        return Err(BackupError::Damaged {
            path: backup.to_path_buf(),
            report: report.into_iter().take(3).collect::<Vec<_>>().join("; "),
        });
    }
    let amends: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
         AND name IN ('_sqlx_migrations', 'customers', 'incidents', 'replies')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(not_db)?;
    if amends < 4 {
        return Err(BackupError::NotAmends(backup.to_path_buf()));
    }
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(not_db)?;
    if let Some(v) = newest.filter(|v| *v > known) {
        return Err(BackupError::Newer {
            path: backup.to_path_buf(),
            version: v,
        });
    }
    migrator.run(&mut conn).await.map_err(|e| match e {
        MigrateError::VersionMissing(v) => BackupError::Newer {
            path: backup.to_path_buf(),
            version: v,
        },
        MigrateError::VersionMismatch(v) => BackupError::Differs {
            path: backup.to_path_buf(),
            version: v,
        },
        e => BackupError::Migrate {
            path: backup.to_path_buf(),
            reason: e.to_string(),
        },
    })?;
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut conn)
        .await
        .map_err(not_db)?;
    staged.counts = counts_of(&mut conn, backup).await?;
    conn.close().await.map_err(map_err)?;
    Ok(staged)
}

/// Replace `live` with `staged`, unless another process has `live` open. Close every pool
/// on `live` first.
pub async fn install(mut staged: Staged, live: &Path) -> Result<RowCounts, BackupError> {
    if live.exists() {
        // Leaving WAL mode needs the only connection: this fails while anyone else has the
        // file open, and on success folds the WAL into the file and removes it.
        let options = SqliteConnectOptions::new()
            .filename(live)
            .busy_timeout(Duration::ZERO);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| io("cannot open", live, e))?;
        let mode: Result<String, _> = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
            .fetch_one(&mut conn)
            .await;
        let _ = conn.close().await;
        if !matches!(mode.as_deref(), Ok("delete")) || sidecar(live, "-wal").exists() {
            return Err(BackupError::InUse(live.to_path_buf()));
        }
    }
    rename(&staged.path, live)?;
    let _ = std::fs::remove_file(sidecar(live, "-shm"));
    Ok(std::mem::take(&mut staged.counts))
}

const TABLES: &str = "SELECT name FROM sqlite_master
     WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

fn count_sql(table: &str) -> String {
    format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""))
}

async fn counts_of(conn: &mut SqliteConnection, path: &Path) -> Result<RowCounts, BackupError> {
    let fail = |e: sqlx::Error| io("cannot count the rows of", path, e);
    let tables: Vec<String> = sqlx::query_scalar(TABLES)
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let n: i64 = sqlx::query_scalar(&count_sql(&t))
            .fetch_one(&mut *conn)
            .await
            .map_err(fail)?;
        out.push((t, n));
    }
    Ok(out)
}

/// One connection to an existing SQLite file, for this module's own work.
async fn open(path: &Path) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5));
    SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| io("cannot open", path, e))
}

/// A hidden temporary file in `path`'s folder (so the final rename stays on one file system).
fn beside(path: &Path, what: &str) -> Result<PathBuf, BackupError> {
    let name = path
        .file_name()
        .ok_or_else(|| BackupError::Io {
            what: "not a file name:",
            path: path.to_path_buf(),
            reason: "give a file, not a folder".into(),
        })?
        .to_string_lossy();
    let folder = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(BackupError::NoFolder(folder.to_path_buf()));
    }
    Ok(folder.join(format!(".{name}.{what}-{}", std::process::id())))
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Rename `from` to `to` and make the rename durable (the folder synced).
fn rename(from: &Path, to: &Path) -> Result<(), BackupError> {
    let fail = |e: std::io::Error| BackupError::Io {
        what: "cannot move the finished file to",
        path: to.to_path_buf(),
        reason: e.to_string(),
    };
    std::fs::File::open(from)
        .and_then(|f| f.sync_all())
        .map_err(fail)?;
    std::fs::rename(from, to).map_err(fail)?;
    if let Some(folder) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Directories cannot be opened for syncing everywhere; the rename is done either way.
        let _ = std::fs::File::open(folder).and_then(|f| f.sync_all());
    }
    Ok(())
}

fn short(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => d.message().to_string(),
        e => e.to_string(),
    }
}

fn io(what: &'static str, path: &Path, e: sqlx::Error) -> BackupError {
    BackupError::Io {
        what,
        path: path.to_path_buf(),
        reason: short(&e),
    }
}

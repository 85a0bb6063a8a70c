//! `amends backup` and `amends restore`: the SQLite database as one file, copied while the
//! server runs and put back whole. PostgreSQL has its own tools (`pg_dump`), which these
//! commands point to.

use crate::store::backup::{self, data_rows, rows_of, RowCounts};
use crate::store::{Db, Engine};
use app::domain::group_thousands;
use clap::Args;
use std::path::PathBuf;

pub const BACKUP_ABOUT: &str = "Copy the SQLite database to one file, safely while \
    `amends serve` is running: the copy is one consistent snapshot (SQLite's VACUUM INTO), \
    written beside FILE and renamed into place only when complete.\n\n\
    PostgreSQL databases are backed up with pg_dump instead; this command says how.";

pub const RESTORE_ABOUT: &str = "Replace the SQLite database with a backup made by \
    `amends backup`.\n\n\
    The backup is copied into the data directory and checked there first: it must be an \
    intact Amends database whose migrations this version knows (a backup from an older \
    version is brought up to date; one from a newer version is refused). The live database \
    is replaced in one rename, so it is either the old one or the backup, never a mix.\n\n\
    Stop `amends serve` first: the restore refuses while another process has the database \
    open. When the database already holds data, pass --force to replace it.";

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  amends backup --out backups/amends-$(date +%F).db\n  \
    amends --data-dir /var/lib/amends backup --out /mnt/backup/amends.db --force"
)]
pub struct BackupArgs {
    /// The file to write (its folder must exist).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  amends restore backups/amends-2026-11-23.db\n  \
    amends --data-dir /var/lib/amends restore /mnt/backup/amends.db --force"
)]
pub struct RestoreArgs {
    /// A backup written by `amends backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace the data the database holds now (refused without it).
    #[arg(long)]
    pub force: bool,
}

/// The answer to `backup` or `restore` on PostgreSQL, before connecting to it.
pub fn use_pg_dump(restore: bool) -> anyhow::Error {
    let what = if restore { "restore" } else { "backup" };
    anyhow::anyhow!(
        "`amends {what}` works on the SQLite database only, and DATABASE_URL points at \
         PostgreSQL. Use PostgreSQL's own tools:\n  \
         pg_dump --format=custom --file amends.dump \"$DATABASE_URL\"\n  \
         pg_restore --clean --if-exists --no-owner --dbname \"$DATABASE_URL\" amends.dump\n\
         (stop `amends serve` before pg_restore; start it again afterwards)"
    )
}

pub async fn run_backup(db: Db, args: BackupArgs) -> anyhow::Result<()> {
    if db.engine() == Engine::Postgres {
        return Err(use_pg_dump(false));
    }
    let live = db.database_file().await?;
    let counts = db.backup_to(&args.out, args.force).await;
    db.close().await;
    let counts = counts?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up {} to {} ({}): {}.",
        live.display(),
        args.out.display(),
        megabytes(size),
        summary(&counts)
    );
    Ok(())
}

pub async fn run_restore(db: Db, args: RestoreArgs) -> anyhow::Result<()> {
    if db.engine() == Engine::Postgres {
        return Err(use_pg_dump(true));
    }
    let live = db.database_file().await?;
    let current = db.row_counts().await?;
    if data_rows(&current) > 0 && !args.force {
        db.close().await;
        anyhow::bail!(
            "{} already holds data ({}). Restoring replaces all of it with the backup: run \
             again with --force to do that (`amends backup --out before-restore.db` keeps a \
             copy of what is there now).",
            live.display(),
            summary(&current)
        );
    }
    let staged = match backup::stage(&args.file, &live).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e.into());
        }
    };
    db.close().await;
    let counts = backup::install(staged, &live).await?;
    // Open it as the server will, so a problem shows now rather than at the next start.
    let restored = Db::connect(&format!("sqlite://{}", live.display())).await?;
    restored.migrate().await?;
    restored.close().await;
    println!(
        "Restored {} into {}: {}.",
        args.file.display(),
        live.display(),
        summary(&counts)
    );
    Ok(())
}

/// "502 customers, 60 incidents, 1,234 recovery actions, 8,000 replies, 3 users".
fn summary(counts: &RowCounts) -> String {
    [
        ("customers", "customers"),
        ("incidents", "incidents"),
        ("recovery_actions", "recovery actions"),
        ("replies", "replies"),
        ("users", "users"),
    ]
    .iter()
    .map(|(table, label)| {
        let n = rows_of(counts, table);
        format!("{} {label}", group_thousands(n.unsigned_abs()))
    })
    .collect::<Vec<_>>()
    .join(", ")
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

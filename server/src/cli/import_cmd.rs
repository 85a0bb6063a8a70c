//! `amends import customers|replies|actions|affected FILE.csv [--dry-run]`: load a CSV file
//! in one all-or-nothing transaction, with a progress bar on a terminal.

use crate::import::columns::ImportKind;
use crate::import::run::{run as import, ImportError, ImportReport, Options, Progress};
use crate::store::{Db, AUDIT_VIA};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const LONG_ABOUT: &str = "Import a CSV file of customers, replies, recovery actions or \
affected customers.\n\n\
The first line names the columns (any order; see README, \"Getting your data in\"). Customers \
and incidents are named as in the forms: a customer by ref or e-mail, an incident by its \
number. Times are RFC 3339 (2026-11-20T14:05:00Z) or 2026-11-20 14:05 in the team's time zone \
(AMENDS_TIME_ZONE); money is written like the forms (25, 1,200.50).\n\n\
The whole file is one change: if any row is refused, nothing is written and the refused rows \
are listed with their line, column and reason. Rows already imported (same ref, same \
external_id, or for replies without one the same customer, time and text) are left as they \
are, so importing a file twice adds nothing. --dry-run checks everything and writes nothing.\n\n\
Exit status: 0 when imported (or the dry run found nothing wrong), 1 when rows were refused, \
2 when the file could not be read.";

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Kind {
    Customers,
    Replies,
    Actions,
    Affected,
}

impl From<Kind> for ImportKind {
    fn from(k: Kind) -> ImportKind {
        match k {
            Kind::Customers => ImportKind::Customers,
            Kind::Replies => ImportKind::Replies,
            Kind::Actions => ImportKind::Actions,
            Kind::Affected => ImportKind::Affected,
        }
    }
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  amends import customers customers.csv --dry-run\n  \
    amends import replies helpdesk-export.csv --as ada@example.com"
)]
pub struct ImportArgs {
    /// What the file holds.
    pub kind: Kind,
    /// The CSV file (UTF-8, with a header row); `-` reads standard input.
    pub file: std::path::PathBuf,
    /// Check every row and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The team member the audit log names (default: the first admin).
    #[arg(long = "as", value_name = "EMAIL")]
    pub actor: Option<String>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(db: Db, args: ImportArgs) -> anyhow::Result<()> {
    let actor = match &args.actor {
        Some(e) => db
            .user_id_by_email(&e.trim().to_lowercase())
            .await?
            .ok_or_else(|| anyhow::anyhow!("nobody on the team has the e-mail {e}"))?,
        None => db.first_admin().await?.ok_or_else(|| {
            anyhow::anyhow!("there is no admin yet to import as: run `amends user add --role admin` first, or pass --as EMAIL")
        })?,
    };
    let (input, size): (Box<dyn std::io::Read + Send>, Option<u64>) =
        if args.file.as_os_str() == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let f = std::fs::File::open(&args.file)
                .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.file.display()))?;
            let size = f.metadata().ok().map(|m| m.len());
            (
                Box::new(std::io::BufReader::with_capacity(256 * 1024, f)),
                size,
            )
        };
    let progress = Arc::new(Progress::default());
    let bar = progress_bar(size, progress.clone());
    let opts = Options {
        kind: args.kind.into(),
        dry_run: args.dry_run,
        actor,
        zone: db.zone().clone(),
        now: app::domain::when::now_ms(),
        label: args.file.display().to_string(),
        max_bytes: None,
        progress,
    };
    let started = Instant::now();
    let result = AUDIT_VIA
        .scope("command line".to_string(), import(&db, input, opts))
        .await;
    bar.finish_and_clear();
    db.close().await;
    match result {
        Ok(report) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", describe(&report, started.elapsed()));
            }
            if report.refused > 0 {
                std::process::exit(1);
            }
            Ok(())
        }
        Err(ImportError::Store(e)) => Err(anyhow::anyhow!("{}", app::error::AppError::from(e))),
        Err(e) => {
            eprintln!("{e} Nothing was written.");
            std::process::exit(2);
        }
    }
}

/// A bar over the file's bytes with rows/s and the time left; a spinner for stdin. Drawn
/// only on a terminal.
fn progress_bar(size: Option<u64>, progress: Arc<Progress>) -> ProgressBar {
    let bar = match size {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {percent:>3}%  {binary_bytes}/{binary_total_bytes}  {msg}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner(),
    };
    let ticker = bar.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        while !ticker.is_finished() {
            let rows = progress.rows.load(Ordering::Relaxed);
            let secs = started.elapsed().as_secs_f64().max(0.001);
            ticker.set_position(progress.bytes.load(Ordering::Relaxed));
            ticker.set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    bar
}

/// The report as a person reads it.
pub fn describe(r: &ImportReport, took: Duration) -> String {
    let mut out = format!(
        "{} rows of {} read in {:.1} s: {} new, {} updated, {} unchanged, {} refused.\n",
        r.rows,
        r.kind,
        took.as_secs_f64(),
        r.new,
        r.updated,
        r.unchanged,
        r.refused
    );
    if r.marked_affected > 0 {
        out.push_str(&format!(
            "{} customers were marked affected by the incident of their action.\n",
            r.marked_affected
        ));
    }
    for f in &r.refusals {
        let column = if f.column.is_empty() {
            String::new()
        } else {
            format!(" {}:", f.column)
        };
        out.push_str(&format!("  line {}{column} {}\n", f.line, f.reason));
    }
    if r.refused > r.refusals.len() as u64 {
        out.push_str(&format!(
            "  … and {} more refused rows.\n",
            r.refused - r.refusals.len() as u64
        ));
    }
    out.push_str(if r.committed {
        "Imported.\n"
    } else if r.dry_run && r.refused == 0 {
        "Dry run: nothing was written. Run again without --dry-run to import.\n"
    } else if r.dry_run {
        "Dry run: nothing was written. Fix the refused rows, then import.\n"
    } else {
        "Nothing was written: fix the refused rows and import the file again.\n"
    });
    out
}

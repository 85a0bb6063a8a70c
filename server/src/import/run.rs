//! Running an import: a blocking thread reads the CSV and checks (and, for replies, scores)
//! each row while the async side writes the previous batch, so a file of any size streams
//! through in constant memory. The whole file is one transaction: a dry run, or a file with
//! any refused row, is rolled back and changes nothing.

use super::columns::{parse_row, Context, Header, ImportKind, Record, Refusal};
use crate::store::imports::{ImportTx, Tally};
use crate::store::Db;
use crate::zone::Zone;
use app::error::StoreError;
use serde::Serialize;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Rows per batch handed from the reader to the writer.
const BATCH: usize = 1_000;
/// Refused rows reported in full; the rest are only counted.
pub const REPORTED_REFUSALS: usize = 50;
/// A file may hold at most this many rows (split bigger ones).
pub const MAX_ROWS: u64 = 5_000_000;
/// Bytes one row may take (a reply body is at most 10,000 characters).
const MAX_ROW_BYTES: u64 = 1024 * 1024;

/// What an import did (or, for a dry run or a refused file, would have done).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// `customers`, `replies`, `actions` or `affected`.
    pub kind: String,
    pub dry_run: bool,
    /// True when the rows are now in the database.
    pub committed: bool,
    /// Data rows read (the header row not counted).
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    /// Rows already there: importing the same file twice adds nothing.
    pub unchanged: u64,
    pub refused: u64,
    /// Customers an imported action marked affected by its incident.
    pub marked_affected: u64,
    /// The first refused rows, in file order, with the column and the reason.
    pub refusals: Vec<Refusal>,
}

/// How far an import has got, for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: AtomicU64,
    pub rows: AtomicU64,
}

/// Why a whole file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file itself: its header, its encoding, a row too long, too many rows.
    #[error("{0}")]
    File(String),
    #[error("The file is larger than the {0} bytes an upload may have; import it with `amends import` instead.")]
    TooLarge(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who imports what, and how.
pub struct Options {
    pub kind: ImportKind,
    pub dry_run: bool,
    pub actor: i64,
    pub zone: Zone,
    pub now: i64,
    /// What the audit log calls the file (its name).
    pub label: String,
    /// Refuse files larger than this (uploads).
    pub max_bytes: Option<u64>,
    pub progress: Arc<Progress>,
}

/// Counts bytes for progress and refuses rows and files that are too big, so a file
/// without line breaks cannot make the reader buffer without end.
struct Capped<R> {
    inner: R,
    since_row: Arc<AtomicU64>,
    progress: Arc<Progress>,
    max_bytes: Option<u64>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if self.max_bytes.is_some_and(|m| total > m) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "too large",
            ));
        }
        if self.since_row.fetch_add(n as u64, Ordering::Relaxed) + n as u64 > MAX_ROW_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "row too long",
            ));
        }
        Ok(n)
    }
}

/// What the reader thread sends: checked rows (or refusals), in file order.
type Chunk = Vec<Result<Record, Refusal>>;

/// Import `input` (a CSV file with a header row).
pub async fn run<R: Read + Send + 'static>(
    db: &Db,
    input: R,
    opts: Options,
) -> Result<ImportReport, ImportError> {
    let (send, mut receive) = tokio::sync::mpsc::channel::<Chunk>(4);
    let reader = {
        let (kind, zone, now, max_bytes) = (opts.kind, opts.zone.clone(), opts.now, opts.max_bytes);
        let progress = opts.progress.clone();
        tokio::task::spawn_blocking(move || {
            read_file(kind, input, &zone, now, max_bytes, progress, send)
        })
    };
    let mut tx = db.begin_import(opts.actor, opts.now).await?;
    let mut report = ImportReport {
        kind: opts.kind.code().into(),
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let mut written: Result<(), StoreError> = Ok(());
    while let Some(chunk) = receive.recv().await {
        report.rows += chunk.len() as u64;
        opts.progress
            .rows
            .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        if written.is_err() {
            continue; // drain, so the reader finishes
        }
        written = write_chunk(&mut tx, opts.kind, chunk, &mut report).await;
    }
    let read = reader
        .await
        .map_err(|_| ImportError::File("The file could not be read.".into()))?;
    if let Err(e) = read.and(written.map_err(ImportError::Store)) {
        tx.finish(false, serde_json::Value::Null).await.ok();
        return Err(e);
    }
    let keep = !opts.dry_run && report.refused == 0;
    let summary = serde_json::json!({
        "kind": report.kind, "file": opts.label, "rows": report.rows, "new": report.new,
        "updated": report.updated, "unchanged": report.unchanged,
        "marked_affected": report.marked_affected,
    });
    tx.finish(keep, summary).await?;
    report.committed = keep;
    if keep && report.new + report.updated >= 10_000 {
        // A big load changes the tables' shape; let the planner see it.
        if let Err(e) = db.analyze().await {
            tracing::warn!(error = %e, "ANALYZE after an import failed");
        }
    }
    Ok(report)
}

async fn write_chunk(
    tx: &mut ImportTx,
    kind: ImportKind,
    chunk: Chunk,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let mut refused = Vec::new();
    let mut customers = Vec::new();
    let mut replies = Vec::new();
    let mut actions = Vec::new();
    let mut affected = Vec::new();
    for row in chunk {
        match row {
            Err(r) => refused.push(r),
            Ok(Record::Customer(c)) => customers.push(c),
            Ok(Record::Reply(r)) => replies.push(r),
            Ok(Record::Action(a)) => actions.push(a),
            Ok(Record::Affected(a)) => affected.push(a),
        }
    }
    let tally = match kind {
        ImportKind::Customers => tx.customers_in(&customers).await?,
        ImportKind::Replies => tx.replies(&replies).await?,
        ImportKind::Actions => tx.actions(&actions).await?,
        ImportKind::Affected => tx.affected(&affected).await?,
    };
    refused.extend(tally.refused.iter().cloned());
    refused.sort_by_key(|r| r.line);
    add(report, &tally, refused);
    Ok(())
}

fn add(report: &mut ImportReport, tally: &Tally, refused: Vec<Refusal>) {
    report.new += tally.new;
    report.updated += tally.updated;
    report.unchanged += tally.unchanged;
    report.marked_affected += tally.marked_affected;
    report.refused += refused.len() as u64;
    let room = REPORTED_REFUSALS.saturating_sub(report.refusals.len());
    report.refusals.extend(refused.into_iter().take(room));
}

/// The reader thread: header, then rows in batches.
fn read_file<R: Read>(
    kind: ImportKind,
    input: R,
    zone: &Zone,
    now: i64,
    max_bytes: Option<u64>,
    progress: Arc<Progress>,
    send: tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), ImportError> {
    let since_row = Arc::new(AtomicU64::new(0));
    let capped = Capped {
        inner: input,
        since_row: since_row.clone(),
        progress,
        max_bytes,
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(capped);
    let mut record = csv::StringRecord::new();
    let first = csv
        .read_record(&mut record)
        .map_err(|e| file_error(&e, 1, max_bytes))?;
    if !first {
        return Err(ImportError::File(format!(
            "The file is empty: its first line names the columns ({}).",
            kind.columns().join(", ")
        )));
    }
    let header = Header::parse(kind, &record).map_err(ImportError::File)?;
    let width = record.len();
    let cx = Context { zone, now };
    let mut chunk: Chunk = Vec::with_capacity(BATCH);
    let mut rows = 0u64;
    loop {
        since_row.store(0, Ordering::Relaxed);
        let line = csv.position().line() + 1;
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Utf8 { .. } = e.kind() {
                    chunk.push(Err(Refusal::new(
                        line,
                        "",
                        "This row is not UTF-8 text; save the file as UTF-8.",
                    )));
                    continue;
                }
                return Err(file_error(&e, line, max_bytes));
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        rows += 1;
        if rows > MAX_ROWS {
            return Err(ImportError::File(format!(
                "The file has more than {MAX_ROWS} rows; split it into smaller files."
            )));
        }
        if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
            rows -= 1;
            continue; // a blank line
        }
        chunk.push(if record.len() != width {
            Err(Refusal::new(
                line,
                "",
                format!(
                    "This row has {} cells; the header has {width}.",
                    record.len()
                ),
            ))
        } else {
            parse_row(&header, &record, line, &cx)
        });
        if chunk.len() == BATCH && send.blocking_send(std::mem::take(&mut chunk)).is_err() {
            return Ok(()); // the writer stopped; it reports why
        }
    }
    if !chunk.is_empty() {
        send.blocking_send(chunk).ok();
    }
    Ok(())
}

fn file_error(e: &csv::Error, line: u64, max_bytes: Option<u64>) -> ImportError {
    if let csv::ErrorKind::Io(io) = e.kind() {
        return match io.kind() {
            std::io::ErrorKind::FileTooLarge => ImportError::TooLarge(max_bytes.unwrap_or(0)),
            std::io::ErrorKind::InvalidData => ImportError::File(format!(
                "Line {line} is longer than 1 MiB; is this a CSV file?"
            )),
            _ => ImportError::File("The upload was interrupted before the file ended.".into()),
        };
    }
    ImportError::File(format!("Line {line} is not valid CSV: {e}."))
}

//! A million-row file on both engines: read as a stream (the process's peak memory grows by
//! far less than the file, let alone its rows), and one bad row on line 900,001 leaves the
//! database exactly as it was. Alone in its own test binary so the peak is this test's.

mod common;

use app::domain::Role;
use server::import::columns::ImportKind;
use server::import::run::{run, Options, Progress};
use server::zone::Zone;
use std::io::Read;
use std::sync::Arc;

const ROWS: u64 = 1_000_000;
const BAD_LINE: u64 = 900_001;
const BODIES: [&str; 4] = [
    "Thanks, that was quick.",
    "Still not working for me.",
    "ok",
    "The credit was generous, thank you!",
];

/// The CSV, made as it is read: never whole in memory.
struct Replies {
    next: u64,
    buf: Vec<u8>,
    at: usize,
}

impl Read for Replies {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.buf.len() {
            if self.next > ROWS {
                return Ok(0);
            }
            self.buf.clear();
            self.at = 0;
            if self.next == 0 {
                self.buf
                    .extend_from_slice(b"external_id,customer,received_at,body,csat\n");
            } else {
                let line = self.next + 1;
                let csat = if line == BAD_LINE { "9" } else { "" };
                let row = format!(
                    "r-{},c-{},2026-11-{:02} 10:{:02},\"{}\",{csat}\n",
                    self.next,
                    self.next % 100,
                    1 + self.next % 28,
                    self.next % 60,
                    BODIES[(self.next % 4) as usize],
                );
                self.buf.extend_from_slice(row.as_bytes());
            }
            self.next += 1;
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Peak resident memory of this process so far, in KiB (Linux).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn a_million_rows_stream_through_and_one_bad_row_near_the_end_writes_nothing() {
    let before = peak_kib();
    common::on_both(|db, engine| async move {
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        let me = db
            .user_id_by_email("ada@team.example")
            .await
            .unwrap()
            .unwrap();
        for i in 0..100 {
            common::rows::customer(&db, &format!("c-{i}"), "pro", 1_700_000_000_000, None).await;
        }
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let progress = Arc::new(Progress::default());
        let report = run(
            &db,
            Replies {
                next: 0,
                buf: Vec::new(),
                at: 0,
            },
            Options {
                kind: ImportKind::Replies,
                dry_run: false,
                actor: me,
                zone: Zone::utc(),
                now: 1_796_083_200_000,
                label: "big.csv".into(),
                max_bytes: None,
                progress: progress.clone(),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (report.rows, report.new, report.refused, report.committed),
            (ROWS, ROWS - 1, 1, false),
            "{engine}: {:?}",
            report.refusals.first()
        );
        assert_eq!(report.refusals[0].line, BAD_LINE, "{engine}");
        assert_eq!(report.refusals[0].column, "csat", "{engine}");
        let replies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM replies")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(
            (replies, audit),
            (0, existing),
            "{engine}: the database is as it was"
        );
        assert!(progress.bytes.load(std::sync::atomic::Ordering::Relaxed) > 40_000_000);
    })
    .await;
    let grew_mib = (peak_kib().saturating_sub(before)) / 1024;
    // The file is ~45 MiB and its parsed rows several times that; a streamed import keeps
    // only a few batches of rows (and the engines' bounded caches) at a time.
    assert!(
        grew_mib < 64,
        "peak memory grew by {grew_mib} MiB while importing a 1M-row file twice"
    );
}

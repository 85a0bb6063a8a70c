//! `amends bench --import N`: import N generated replies (with VADER scoring) into a scratch
//! database of the same engine, beside the anchor from the same run — the engine's own bulk
//! loader putting the same CSV into a bare table (`sqlite3 .import`, or `psql \copy`) plus
//! `amends sentiment` scoring the same bodies. Never touches the database being served.

use crate::import::columns::ImportKind;
use crate::import::run::{run as import, ImportReport, Options, Progress};
use crate::store::{Db, Engine};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 1_000;

/// Write the replies file and, beside it, the bodies alone (one per line).
fn generate(dir: &Path, rows: usize) -> anyhow::Result<()> {
    let corpus = crate::demo::text::corpus();
    let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.join("replies.csv"))?);
    let mut bodies = std::io::BufWriter::new(std::fs::File::create(dir.join("bodies.txt"))?);
    writeln!(csv, "external_id,customer,received_at,channel,csat,body")?;
    for i in 0..rows {
        let text = corpus[(i * 7919) % corpus.len()].text;
        let csat = if i % 5 == 0 {
            ((i / 5) % 5 + 1).to_string()
        } else {
            String::new()
        };
        writeln!(
            csv,
            "r-{i},c-{},2026-{:02}-{:02}T{:02}:{:02}:00Z,email,{csat},\"{}\"",
            i % CUSTOMERS,
            1 + (i / 28) % 11,
            1 + i % 28,
            i % 24,
            i % 60,
            text.replace('"', "\"\"")
        )?;
        writeln!(bodies, "{}", text.replace('\n', " "))?;
    }
    csv.flush()?;
    bodies.flush()?;
    let mut customers = std::fs::File::create(dir.join("customers.csv"))?;
    writeln!(customers, "ref,name,signed_up_at")?;
    for c in 0..CUSTOMERS {
        writeln!(customers, "c-{c},Customer {c},2025-01-01")?;
    }
    Ok(())
}

fn timed(mut cmd: Command, stdin: Option<&Path>) -> anyhow::Result<Duration> {
    if let Some(file) = stdin {
        cmd.stdin(std::fs::File::open(file)?);
    }
    let t = Instant::now();
    let out = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).output()?;
    let took = t.elapsed();
    anyhow::ensure!(
        out.status.success(),
        "{:?} failed: {}",
        cmd.get_program(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(took)
}

/// A migrated scratch database of `db`'s engine, and how to remove it.
pub(super) async fn scratch(db: &Db, dir: &Path) -> anyhow::Result<(Db, String, Option<String>)> {
    match db.engine() {
        Engine::Postgres => {
            let name = format!("amends_bench_{}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(db.pool())
                .await
                .map_err(|e| {
                    anyhow::anyhow!("the bench needs CREATEDB to make a scratch database: {e}")
                })?;
            let url = std::env::var("DATABASE_URL").unwrap_or_default();
            let (base, _) = url
                .rsplit_once('/')
                .ok_or_else(|| anyhow::anyhow!("DATABASE_URL has no database name"))?;
            let base = base.to_string();
            let scratch_url = format!("{base}/{name}");
            let s = Db::connect(&scratch_url).await?;
            s.migrate().await?;
            Ok((s, scratch_url, Some(name)))
        }
        _ => {
            let url = crate::store::sqlite_url_in(&dir.join("amends"))?;
            let s = Db::connect(&url).await?;
            s.migrate().await?;
            Ok((s, url, None))
        }
    }
}

pub async fn run(db: &Db, rows: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("amends_bench_import_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "\nImport of {rows} replies ({} engine), with VADER scoring:",
        db.engine().name()
    );
    generate(&dir, rows)?;
    let csv = dir.join("replies.csv");
    let size = std::fs::metadata(&csv)?.len();

    // The anchor: the engine's bulk loader into a bare table, plus scoring the bodies.
    let load = match db.engine() {
        Engine::Postgres => {
            let url = std::env::var("DATABASE_URL").unwrap_or_default();
            let mut cmd = Command::new("psql");
            // A meta-command must stand alone in its -c.
            cmd.arg(&url)
                .args(["-q", "-v", "ON_ERROR_STOP=1", "-c"])
                .arg(
                    "DROP TABLE IF EXISTS bench_replies_bare; \
                     CREATE TABLE bench_replies_bare (external_id text, customer text, \
                     received_at text, channel text, csat text, body text)",
                )
                .arg("-c")
                .arg(format!(
                    "\\copy bench_replies_bare FROM '{}' CSV HEADER",
                    csv.display()
                ));
            let took = timed(cmd, None)?;
            sqlx::query("DROP TABLE IF EXISTS bench_replies_bare")
                .execute(db.pool())
                .await
                .ok();
            ("psql \\copy into a bare table", took)
        }
        _ => {
            let mut cmd = Command::new("sqlite3");
            cmd.arg(dir.join("anchor.db"))
                .arg(".mode csv")
                .arg(format!(".import {} replies_bare", csv.display()));
            ("sqlite3 .import into a bare table", timed(cmd, None)?)
        }
    };
    let exe = std::env::current_exe()?;
    let mut score = Command::new(exe);
    score.arg("sentiment");
    let scoring = timed(score, Some(&dir.join("bodies.txt")))?;
    let anchor = load.1 + scoring;

    let (scratch, _url, pg_name) = scratch(db, &dir).await?;
    common_customers(&scratch, &dir).await?;
    let actor = scratch_admin(&scratch).await?;
    let (report, took) = import_file(&scratch, ImportKind::Replies, &csv, actor).await?;
    anyhow::ensure!(
        report.new == rows as u64,
        "the bench import did not import every row: {report:?}"
    );

    let s = |d: Duration| d.as_secs_f64();
    println!("  file: {:.1} MiB", size as f64 / 1024.0 / 1024.0);
    println!("  anchor: {:<40} {:>8.2} s", load.0, s(load.1));
    println!(
        "  anchor: {:<40} {:>8.2} s",
        "amends sentiment over the bodies",
        s(scoring)
    );
    println!("  anchor: {:<40} {:>8.2} s", "together", s(anchor));
    println!(
        "  amends import replies                            {:>8.2} s  ({:.0} rows/s)",
        s(took),
        rows as f64 / s(took)
    );
    println!(
        "  import ÷ anchor: {:.2}×  (goal: at most 2× on SQLite)",
        s(took) / s(anchor)
    );
    let writes = super::bench_writes::run(&scratch, &dir, actor).await;
    drop_scratch(db, scratch, pg_name, &dir).await;
    writes
}

/// Close and remove a scratch database made by [`scratch`], and its folder.
pub(super) async fn drop_scratch(db: &Db, scratch: Db, pg_name: Option<String>, dir: &Path) {
    scratch.close().await;
    if let Some(name) = pg_name {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(db.pool())
            .await
            .ok();
    }
    std::fs::remove_dir_all(dir).ok();
}

async fn common_customers(db: &Db, dir: &Path) -> anyhow::Result<()> {
    let actor = scratch_admin(db).await?;
    import_file(db, ImportKind::Customers, &dir.join("customers.csv"), actor).await?;
    Ok(())
}

/// Import `file` into the scratch database `db` as `actor`, timed; every row must go in.
pub(super) async fn import_file(
    db: &Db,
    kind: ImportKind,
    file: &Path,
    actor: i64,
) -> anyhow::Result<(ImportReport, Duration)> {
    let input = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(file)?);
    let t = Instant::now();
    let report = import(
        db,
        input,
        Options {
            kind,
            dry_run: false,
            actor,
            zone: crate::zone::Zone::utc(),
            now: app::domain::when::now_ms(),
            label: "bench".into(),
            max_bytes: None,
            progress: Arc::new(Progress::default()),
        },
    )
    .await?;
    let took = t.elapsed();
    anyhow::ensure!(
        report.committed && report.refused == 0,
        "the bench's {kind:?} import failed: {report:?}"
    );
    Ok((report, took))
}

async fn scratch_admin(db: &Db) -> anyhow::Result<i64> {
    if let Some(id) = db.first_admin().await? {
        return Ok(id);
    }
    let user = crate::store::NewUser {
        email: "bench@amends.invalid",
        name: "Bench",
        role: app::domain::Role::Admin,
        password_hash: "!",
    };
    db.create_user(user, None, false, app::domain::when::now_ms())
        .await?;
    db.first_admin()
        .await?
        .ok_or_else(|| anyhow::anyhow!("no admin in the scratch database"))
}

//! `amends bench`: how long the dashboard takes on the server, stage by stage and chart by
//! chart, and the last full week's report, on whatever data the database holds (try it
//! after `amends demo --scale large`).
//! Numbers for notes and tuning; never an assertion.

use super::analytics_cmd::QueryArgs;
use crate::reports::Format;
use crate::store::Db;
use app::charts::dashboard::dashboard;
use clap::Args;
use std::time::{Duration, Instant};

pub const LONG_ABOUT: &str = "Time the dashboard's server work on the current database: \
    reading the facts (a few set-based queries in one snapshot), computing every figure, \
    drawing each chart, answering again from the cache, and making the last full week's \
    report and rendering it as HTML, CSV and Markdown. Each stage runs --runs times; the \
    table shows the fastest and the median. Read-only.\n\n\
    With --import N it also imports N generated replies into a scratch database of the same \
    engine and prints that beside its anchor from the same run: the engine's bulk loader \
    (sqlite3 .import, or psql \\copy) filling a bare table with the same CSV, plus \
    `amends sentiment` scoring the same bodies. Needs the sqlite3 or psql program. Then, on \
    that scratch database, it times the write path: a reply saved as the form saves it, one \
    action given to 5,000 affected customers, and an import of 1,000 replies.\n\n\
    With --load SECONDS it runs --clients concurrent writers (half through the forms' server \
    functions, half through the REST API, retrying every API POST with its idempotency key) \
    against one server on a scratch database for that long, and reports throughput, \
    latency, every status answered, and whether each acknowledged write is there exactly \
    once afterwards. Add --faults on PostgreSQL to end every database session again and again \
    through the middle third of that run, as a restart does, and see how soon it recovers.\n\n\
    With --pages SECONDS it serves the app and a bare Leptos page built in the same \
    workspace on loopback (as `amends serve` does, TCP_NODELAY on) and loads each for that \
    long over --connections keep-alive connections, asking for gzip as browsers do: the bare \
    page, /login, /incidents and the warm dashboard, with requests per second, latency, the \
    size on the wire, and how many loads over one connection alone took 40 ms or more (a \
    delayed ACK). It signs in as the first active user for the run and ends that session \
    afterwards.";

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  amends demo --scale large && amends bench --runs 5\n  amends bench --runs 1 --pages 10 --connections 16"
)]
pub struct BenchArgs {
    #[command(flatten)]
    pub query: QueryArgs,
    /// How many times to run each stage.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub runs: u32,
    /// Also time importing this many generated replies (with VADER scoring) into a scratch
    /// database, beside the engine's bulk loader plus `amends sentiment` on the same file;
    /// then time saving a reply, a 5,000-customer action and a 1,000-row import there.
    #[arg(long, value_name = "ROWS", value_parser = clap::value_parser!(u64).range(1..=5_000_000))]
    pub import: Option<u64>,
    /// Also run concurrent writers (half through the forms, half through the API) for this
    /// many seconds against one server on a scratch database, then check that every
    /// acknowledged write is there exactly once and no answer was a 5xx.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub load: Option<u64>,
    /// How many concurrent writers --load runs.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(2..=256))]
    pub clients: u64,
    /// With --load on PostgreSQL: end every database session again and again through the
    /// middle third of the run, as a database restart does, and report the recovery.
    #[arg(long, requires = "load")]
    pub faults: bool,
    /// Also load pages for this many seconds each over keep-alive connections, beside a
    /// bare Leptos page: the bare page, /login, /incidents and the warm dashboard.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub pages: Option<u64>,
    /// How many keep-alive connections --pages keeps busy.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub connections: u64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Timings(Vec<f64>);

impl Timings {
    fn line(&mut self, what: &str) {
        self.0.sort_by(f64::total_cmp);
        let min = self.0.first().copied().unwrap_or(0.0);
        let median = self.0.get(self.0.len() / 2).copied().unwrap_or(0.0);
        println!("{what:<44} {min:>10.1} {median:>10.1}");
    }
}

/// The anchor of the cold dashboard: a per-kind aggregate over the raw tables of the same
/// period (cases given each kind, and the mean sentiment of their linked replies), run by
/// the engine's own shell on the same database. `None` when that program is missing.
fn anchor(db: &Db, url: &str, query: &app::domain::analytics::AnalyticsQuery) -> Option<Duration> {
    use std::process::{Command, Stdio};
    let sql = format!(
        "SELECT g.kind, COUNT(*), AVG(s.mean) FROM
           (SELECT DISTINCT incident_id, customer_id, kind FROM recovery_actions) g
           JOIN incidents i ON i.id = g.incident_id
           LEFT JOIN (SELECT incident_id, customer_id,
                             AVG(COALESCE(sentiment_manual, sentiment_auto)) AS mean
                      FROM replies WHERE incident_id IS NOT NULL
                      GROUP BY incident_id, customer_id) s
             ON s.incident_id = g.incident_id AND s.customer_id = g.customer_id
         WHERE i.started_at >= {} AND i.started_at < {}
         GROUP BY g.kind;",
        query.from_ms(),
        query.to_ms()
    );
    let mut cmd = match db.engine() {
        crate::store::Engine::Postgres => {
            let mut c = Command::new("psql");
            c.arg(url).args(["-q", "-X", "-c", &sql]);
            c
        }
        _ => {
            let path = url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string();
            let mut c = Command::new("sqlite3");
            c.args(["-readonly", &path, &sql]);
            c
        }
    };
    let t = Instant::now();
    let ok = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| t.elapsed())
}

pub async fn run(db: Db, url: &str, args: BenchArgs) -> anyhow::Result<()> {
    let query = args
        .query
        .params()
        .parse(app::domain::when::now_ms())
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.field.replace('_', "-"), e.message))?;
    let runs = args.runs as usize;
    let err = |e: app::error::StoreError| anyhow::anyhow!("{e}");

    let (mut read, mut compute) = (Timings(vec![]), Timings(vec![]));
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let (_, facts) = db.analytics_facts(&query).await.map_err(err)?;
        read.0.push(ms(t.elapsed()));
        let t = Instant::now();
        let a = crate::analytics::compute(&query, &facts, db.zone());
        compute.0.push(ms(t.elapsed()));
        last = Some((facts, a));
    }
    let Some((facts, analytics)) = last else {
        return Ok(());
    };
    println!(
        "Period {} to {} (as of {}): {} incidents, {} cases, {} actions, {} attributed replies, {} unaffected customers.\n",
        query.from,
        query.to,
        query.as_of,
        facts.incidents.len(),
        facts.cases.len(),
        facts.actions.len(),
        facts.replies.len(),
        facts.unaffected.len()
    );
    println!("Each statement alone (ms, rows):");
    for (label, n, took) in db.time_fact_reads(&query).await.map_err(err)? {
        let short: String = label.chars().skip(7).take(60).collect();
        println!("  {:>8.1} {n:>9}  {short}…", ms(took));
    }
    println!();
    println!("{:<44} {:>10} {:>10}", "stage (ms)", "fastest", "median");
    read.line("read facts (one snapshot)");
    compute.line("compute every figure");

    // Each chart on its own, as the dashboard draws it.
    let ids: Vec<String> = dashboard(&analytics)
        .charts
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut per_chart: Vec<Timings> = ids.iter().map(|_| Timings(vec![])).collect();
    let mut whole = Timings(vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        let view = dashboard(&analytics);
        whole.0.push(ms(t.elapsed()));
        drop(view);
        for (i, id) in ids.iter().enumerate() {
            let t = Instant::now();
            let view = app::charts::dashboard::chart(&analytics, id);
            per_chart[i].0.push(ms(t.elapsed()));
            drop(view);
        }
    }
    for (i, id) in ids.iter().enumerate() {
        per_chart[i].line(&format!("chart {id} (figures → SVG + table)"));
    }
    whole.line("all charts and tables");

    // The path a page load takes: cache miss once, then hits until the data changes.
    let t = Instant::now();
    let reads = crate::service::ReadService::new(db.clone());
    reads.analytics(&query).await.map_err(err)?;
    let miss = ms(t.elapsed());
    let mut hit = Timings(vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        let a = reads.analytics(&query).await.map_err(err)?;
        dashboard(&a);
        hit.0.push(ms(t.elapsed()));
    }
    println!(
        "{:<44} {miss:>10.1} {:>10}",
        "dashboard, first load (cache miss)", ""
    );
    hit.line("dashboard, later loads (cache hit + charts)");

    // The adjusted model, which the dashboard reads and fits beside the figures.
    let (mut cox_read, mut cox_fit) = (Timings(vec![]), Timings(vec![]));
    for _ in 0..runs {
        let t = Instant::now();
        let (_, cases) = db.cox_cases(&query).await.map_err(err)?;
        cox_read.0.push(ms(t.elapsed()));
        let t = Instant::now();
        drop(crate::analytics::adjusted::compute(&query, &cases));
        cox_fit.0.push(ms(t.elapsed()));
    }
    cox_read.line("adjusted model: read its cases");
    cox_fit.line("adjusted model: fit (Cox, Efron ties)");
    let t = Instant::now();
    crate::service::ReadService::new(db.clone())
        .dashboard(&query)
        .await
        .map_err(err)?;
    println!(
        "{:<44} {:>10.1} {:>10}",
        "dashboard as served, cold (≤ 200 ms for model)",
        ms(t.elapsed()),
        ""
    );
    let shell = match db.engine() {
        crate::store::Engine::Postgres => "psql",
        _ => "sqlite3",
    };
    match anchor(&db, url, &query) {
        Some(took) => {
            let a = ms(took);
            println!(
                "{:<44} {a:>10.1} {:>10}",
                format!("anchor: per-kind aggregate in {shell}"),
                ""
            );
            println!(
                "  cold dashboard ÷ anchor: {:.2}×  (goals: at most 300 ms, and at most 2×)",
                miss / a
            );
        }
        None => println!("anchor: {shell} is not installed, so the cold dashboard has no anchor"),
    }

    // The weekly report of the last full week: made afresh (as on its first request after
    // a change), then rendered in each of its forms.
    let now = app::domain::when::now_ms();
    let week = db.zone().week_of(now).prev();
    let mut made = Timings(vec![]);
    let mut report = None;
    for _ in 0..runs {
        let t = Instant::now();
        let (_, r) = reads.build_week_report(week, now).await.map_err(err)?;
        made.0.push(ms(t.elapsed()));
        report = Some(r);
    }
    made.line(&format!("weekly report {week} (read + build)"));
    if let Some(r) = report {
        for format in [Format::Html, Format::Csv, Format::Md] {
            let mut rendered = Timings(vec![]);
            for _ in 0..runs {
                let t = Instant::now();
                let text = format.render(&r, "");
                rendered.0.push(ms(t.elapsed()));
                drop(text);
            }
            rendered.line(&format!("  rendered as {}", format.extension()));
        }
    }
    if let Some(rows) = args.import {
        super::bench_import::run(&db, rows as usize).await?;
    }
    if let Some(seconds) = args.load {
        super::bench_load::bench(
            &db,
            args.clients as usize,
            Duration::from_secs(seconds),
            args.faults,
        )
        .await?;
    }
    if let Some(seconds) = args.pages {
        super::bench_pages::bench(&db, args.connections as usize, Duration::from_secs(seconds))
            .await?;
    }
    db.close().await;
    Ok(())
}

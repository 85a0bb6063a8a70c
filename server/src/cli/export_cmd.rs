//! `amends export`: the raw inputs of every figure as CSV, for analysts who check or extend
//! the numbers in R or Python. Rows stream from the database, so the large demo data set
//! (a million replies) exports in constant memory.

use crate::store::Db;
use clap::{Args, ValueEnum};
use futures_util::TryStreamExt;
use sqlx::Row;
use std::io::Write;

pub const LONG_ABOUT: &str = "Write the raw inputs of every analytics figure as CSV \
    (UTC times in RFC 3339; no names or e-mail addresses).\n\n\
    cases: one row per (incident, affected customer): incident id, kind, severity, started \
    and detected at, customer id and plan, signed up and churned at, the action kinds given \
    (sorted, ';'-separated), the first action's time, total cost per currency, and is_case \
    (false when the customer churned before the incident started, so it is not counted).\n\
    customers: id, external ref, plan, monthly revenue, signed up and churned at, incidents \
    that hit them.\n\
    replies: id, customer, linked incident, attributed incident (the linked one, or for an \
    unlinked reply the latest incident of that customer that started at most 30 days \
    before it), received at, channel, CSAT, automatic and effective sentiment, overridden.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Table {
    Cases,
    Customers,
    Replies,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  amends export cases > cases.csv\n  \
    amends export replies --out replies.csv")]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub table: Table,
    /// Output format (CSV is the only one).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

fn iso(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return String::new();
    };
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

const CASES: &str = "SELECT a.incident_id, i.kind, i.severity, i.started_at, i.detected_at,
        a.customer_id, c.plan, c.signed_up_at, c.churned_at,
        (SELECT MIN(r.given_at) FROM recovery_actions r
          WHERE r.incident_id = a.incident_id AND r.customer_id = a.customer_id) AS first_action_at
    FROM affected_customers a
    JOIN incidents i ON i.id = a.incident_id
    JOIN customers c ON c.id = a.customer_id
    ORDER BY a.incident_id, a.customer_id";

const CASE_ACTIONS: &str = "SELECT incident_id, customer_id, kind, currency,
        CAST(SUM(cost_minor) AS BIGINT) AS cost
    FROM recovery_actions GROUP BY incident_id, customer_id, kind, currency";

const CUSTOMERS: &str = "SELECT c.id, c.external_ref, c.plan, c.monthly_revenue_minor, c.currency,
        c.signed_up_at, c.churned_at,
        (SELECT COUNT(*) FROM affected_customers a WHERE a.customer_id = c.id) AS incidents
    FROM customers c ORDER BY c.id";

const REPLIES: &str = "SELECT r.id, r.customer_id, r.incident_id, r.received_at, r.channel, r.csat,
        r.sentiment_auto, COALESCE(r.sentiment_manual, r.sentiment_auto) AS sentiment_effective,
        CASE WHEN r.sentiment_manual IS NULL THEN 0 ELSE 1 END AS overridden,
        COALESCE(r.incident_id, (
            SELECT i.id FROM affected_customers a JOIN incidents i ON i.id = a.incident_id
            WHERE a.customer_id = r.customer_id AND i.started_at <= r.received_at
              AND i.started_at > r.received_at - $1
            ORDER BY i.started_at DESC, i.id DESC LIMIT 1)) AS attributed_incident_id
    FROM replies r ORDER BY r.id";

type Csv = csv::Writer<Box<dyn Write>>;

pub async fn run(db: Db, args: ExportArgs) -> anyhow::Result<()> {
    let out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut w: Csv = csv::Writer::from_writer(out);
    let n = match args.table {
        Table::Cases => cases(&db, &mut w).await?,
        Table::Customers => customers(&db, &mut w).await?,
        Table::Replies => replies(&db, &mut w).await?,
    };
    w.flush()?;
    if let Some(path) = &args.out {
        eprintln!("Wrote {n} rows to {}.", path.display());
    }
    db.close().await;
    Ok(())
}

async fn cases(db: &Db, w: &mut Csv) -> anyhow::Result<u64> {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    // Per case: the kinds given and the cost per currency (one grouped read).
    type Given = (BTreeSet<String>, BTreeMap<String, i64>);
    let mut given: HashMap<(i64, i64), Given> = HashMap::new();
    let mut rows = sqlx::query(CASE_ACTIONS).fetch(db.pool());
    while let Some(r) = rows.try_next().await? {
        let e = given
            .entry((r.try_get("incident_id")?, r.try_get("customer_id")?))
            .or_default();
        e.0.insert(r.try_get("kind")?);
        *e.1.entry(r.try_get("currency")?).or_default() += r.try_get::<i64, _>("cost")?;
    }
    drop(rows);
    w.write_record([
        "incident_id",
        "incident_kind",
        "severity",
        "incident_started_at",
        "incident_detected_at",
        "customer_id",
        "plan",
        "customer_signed_up_at",
        "customer_churned_at",
        "treatment_kinds",
        "first_action_at",
        "cost",
        "is_case",
    ])?;
    let mut n = 0;
    let mut rows = sqlx::query(CASES).fetch(db.pool());
    while let Some(r) = rows.try_next().await? {
        let key: (i64, i64) = (r.try_get("incident_id")?, r.try_get("customer_id")?);
        let started: i64 = r.try_get("started_at")?;
        let churned: Option<i64> = r.try_get("churned_at")?;
        let (kinds, cost) = given.remove(&key).unwrap_or_default();
        let cost = cost
            .into_iter()
            .map(|(c, m)| crate::analytics::report::plain_money(&app::domain::Money::new(m, c)))
            .collect::<Vec<_>>()
            .join(" + ");
        w.write_record([
            key.0.to_string(),
            r.try_get::<String, _>("kind")?,
            r.try_get::<String, _>("severity")?,
            iso(Some(started)),
            iso(r.try_get("detected_at")?),
            key.1.to_string(),
            crate::spreadsheet::safe_cell(&r.try_get::<String, _>("plan")?),
            iso(r.try_get("signed_up_at")?),
            iso(churned),
            kinds.into_iter().collect::<Vec<_>>().join(";"),
            iso(r.try_get("first_action_at")?),
            cost,
            churned.is_none_or(|c| c >= started).to_string(),
        ])?;
        n += 1;
    }
    Ok(n)
}

async fn customers(db: &Db, w: &mut Csv) -> anyhow::Result<u64> {
    w.write_record([
        "customer_id",
        "external_ref",
        "plan",
        "monthly_revenue_minor",
        "currency",
        "signed_up_at",
        "churned_at",
        "incidents",
    ])?;
    let mut n = 0;
    let mut rows = sqlx::query(CUSTOMERS).fetch(db.pool());
    while let Some(r) = rows.try_next().await? {
        w.write_record([
            r.try_get::<i64, _>("id")?.to_string(),
            crate::spreadsheet::safe_cell(&r.try_get::<String, _>("external_ref")?),
            crate::spreadsheet::safe_cell(&r.try_get::<String, _>("plan")?),
            r.try_get::<i64, _>("monthly_revenue_minor")?.to_string(),
            r.try_get::<String, _>("currency")?,
            iso(r.try_get("signed_up_at")?),
            iso(r.try_get("churned_at")?),
            r.try_get::<i64, _>("incidents")?.to_string(),
        ])?;
        n += 1;
    }
    Ok(n)
}

async fn replies(db: &Db, w: &mut Csv) -> anyhow::Result<u64> {
    w.write_record([
        "reply_id",
        "customer_id",
        "incident_id",
        "attributed_incident_id",
        "received_at",
        "channel",
        "csat",
        "sentiment_auto",
        "sentiment_effective",
        "overridden",
    ])?;
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut n = 0;
    let mut rows = sqlx::query(REPLIES)
        .bind(crate::store::ATTRIBUTION_MS)
        .fetch(db.pool());
    while let Some(r) = rows.try_next().await? {
        w.write_record([
            r.try_get::<i64, _>("id")?.to_string(),
            r.try_get::<i64, _>("customer_id")?.to_string(),
            opt(r.try_get("incident_id")?),
            opt(r.try_get("attributed_incident_id")?),
            iso(r.try_get("received_at")?),
            r.try_get::<String, _>("channel")?,
            opt(r.try_get("csat")?),
            format!("{:.4}", r.try_get::<f64, _>("sentiment_auto")?),
            format!("{:.4}", r.try_get::<f64, _>("sentiment_effective")?),
            (r.try_get::<i64, _>("overridden")? == 1).to_string(),
        ])?;
        n += 1;
    }
    Ok(n)
}

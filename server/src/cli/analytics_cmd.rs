//! `amends analytics`: the figures of the API, from the same code, on the command line.

use crate::analytics::report::Report;
use crate::store::Db;
use app::domain::analytics::AnalyticsParams;
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

/// The question, as flags (shared with `amends bench`).
#[derive(Args, Debug, Clone, Default)]
pub struct QueryArgs {
    /// First day of the period of incident starts (YYYY-MM-DD). Default: a year before --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Day after the period (exclusive, YYYY-MM-DD). Default: tomorrow, so today is in.
    #[arg(long)]
    pub to: Option<String>,
    /// Follow retention up to this day (YYYY-MM-DD). Default: --to.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Only incidents of this kind (outage, degradation, bug, data_loss, billing_error,
    /// security, other).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only incidents of this severity (sev1 … sev4).
    #[arg(long)]
    pub severity: Option<String>,
    /// Only customers on this plan.
    #[arg(long)]
    pub plan: Option<String>,
    /// Only this incident's cases (its number).
    #[arg(long)]
    pub incident: Option<String>,
}

impl QueryArgs {
    pub fn params(&self) -> AnalyticsParams {
        AnalyticsParams {
            from: self.from.clone(),
            to: self.to.clone(),
            as_of: self.as_of.clone(),
            kind: self.kind.clone(),
            severity: self.severity.clone(),
            plan: self.plan.clone(),
            incident: self.incident.clone(),
        }
    }
}

pub const LONG_ABOUT: &str = "Print one analytics report, exactly as GET \
    /api/v1/analytics/<report> returns it (see docs/API-analytics.md): sentiment and CSAT by action \
    kind, Kaplan–Meier retention by action kind, time to first contact, repeat pain, the \
    weekly trend, how much to give (credits and refunds by their share of monthly revenue), \
    or the adjusted effect of each action kind on churn (a Cox model holding severity, plan \
    and monthly revenue equal). The unit is the case (an incident and a customer it hit) for \
    incidents that started in [--from, --to).";

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  amends analytics retention --from 2026-01-01 --to 2026-07-01\n  \
    amends analytics sentiment --kind outage --format csv > sentiment.csv\n  \
    amends analytics weekly --from 2026-09-01 --to 2026-11-23 --as-of 2026-11-23\n  \
    amends analytics adjusted --from 2026-01-01 --format csv"
)]
pub struct AnalyticsArgs {
    /// Which report.
    #[arg(value_enum)]
    pub report: Report,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

pub async fn run(db: Db, args: AnalyticsArgs) -> anyhow::Result<()> {
    let query = args
        .query
        .params()
        .parse(app::domain::when::now_ms())
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.field.replace('_', "-"), e.message))?;
    let answer = crate::service::ReadService::new(db.clone())
        .answer(args.report, &query)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let out = match args.format {
        Format::Json => args.report.json_text(&answer),
        Format::Csv => args.report.csv(&answer),
    };
    print!("{out}");
    db.close().await;
    Ok(())
}

//! `amends demo`.

use crate::demo::{simulate, write_reporting, Scale};
use crate::store::Db;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;
use time::{Date, OffsetDateTime, Time};

#[derive(Args, Debug)]
#[command(
    long_about = "Generate a realistic, deterministic data set: customers with plans and \
    revenue, a year of incidents of every kind and severity, affected customers, recovery actions \
    with costs, replies with real text and sentiment, churn, and three holdout experiments (two \
    with a real effect built in, one without).\n\nThe same --seed, --scale and \
    --until always produce the same data. Refuses to write into a database that already holds \
    customers or incidents unless --force, which first deletes them (users are kept)."
)]
pub struct DemoArgs {
    /// Random seed; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How much data: small (~500 customers), medium (~10k customers, ~100k replies) or
    /// large (100k customers, ~1M replies).
    #[arg(long, value_enum, default_value_t = Scale::Small)]
    pub scale: Scale,
    /// Last day of the simulated year (YYYY-MM-DD, UTC); the data runs to the end of that
    /// day. Default: up to now.
    #[arg(long, value_parser = parse_date)]
    pub until: Option<Date>,
    /// Replace existing customers and incidents (and everything linked to them).
    #[arg(long)]
    pub force: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("“{s}” is not a date like 2026-11-23"))
}

pub async fn run(db: Db, args: DemoArgs) -> anyhow::Result<()> {
    let has_data = db.has_domain_data().await?;
    if has_data && !args.force {
        anyhow::bail!(
            "the database already holds customers or incidents; nothing was written. \
             Run with --force to replace them with demo data."
        );
    }
    let now = OffsetDateTime::now_utc();
    let until_date = args.until.unwrap_or_else(|| now.date());
    let end_of_day = until_date
        .with_time(Time::MIDNIGHT)
        .assume_utc()
        .unix_timestamp()
        * 1000
        + 86_400_000;
    // Never simulate the future: a year ending today ends now.
    let until = end_of_day.min((now.unix_timestamp_nanos() / 1_000_000) as i64);
    let started = Instant::now();
    // A sign of life on a terminal (hidden when output is not one): the simulation, then
    // the rows going in, incident by incident.
    let spinner = ProgressBar::new_spinner().with_message("simulating a year of incidents…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let world = simulate(args.seed, args.scale, until);
    spinner.finish_and_clear();
    let simulated = started.elapsed();
    let bar = ProgressBar::new(world.incidents.len() as u64).with_style(
        ProgressStyle::with_template(
            "writing [{bar:30}] {pos}/{len} incidents with their cases, actions and replies  {per_sec}  ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let written = write_reporting(&db, &world, has_data, &|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    // The planner's statistics would otherwise describe the empty tables, and the first
    // dashboard over the new rows would pick slow plans.
    let spinner = ProgressBar::new_spinner().with_message("refreshing the planner's statistics…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    db.analyze().await?;
    spinner.finish_and_clear();
    let total = started.elapsed();
    db.close().await;
    println!(
        "Demo data written ({:?}, seed {}, year ending {until_date}):\n  \
         {} customers ({} churned)\n  {} incidents ({} with a holdout experiment)\n  {} affected customers (cases)\n  \
         {} recovery actions\n  {} replies\nin {:.1} s (simulation {:.1} s, writing {:.1} s).",
        args.scale,
        args.seed,
        written.customers,
        written.churned,
        written.incidents,
        written.experiments,
        written.cases,
        written.actions,
        written.replies,
        total.as_secs_f64(),
        simulated.as_secs_f64(),
        (total - simulated).as_secs_f64(),
    );
    Ok(())
}

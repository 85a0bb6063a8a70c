//! Subcommands of `amends`.

use crate::config::Global;
use crate::store::{redact_url, Db, Engine};
use clap::{Parser, Subcommand};

pub mod analytics_cmd;
mod backup_cmd;
mod bench_cmd;
mod bench_import;
pub mod bench_load;
mod bench_pages;
mod bench_writes;
mod demo_cmd;
mod export_cmd;
mod facts_cmd;
mod import_cmd;
mod report_cmd;
mod sentiment_cmd;
mod serve;
mod token_cmd;
mod user_cmd;

#[derive(Parser, Debug)]
#[command(
    name = "amends",
    version,
    about = "Amends — learn how to recover well when you let customers down.",
    long_about = "Amends records incidents, the customers each one hit, the recovery actions \
        given to them and their replies, and shows which recoveries move sentiment and \
        retention.\n\nWithout a subcommand, `amends` serves the web app (like `amends serve`).\n\
        Data lives in SQLite inside --data-dir unless DATABASE_URL points at PostgreSQL.",
    after_help = "Examples:\n  amends serve --bind 0.0.0.0:8080\n  amends demo --scale medium\n  \
        DATABASE_URL=postgres://amends@db/amends amends migrate"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (runs pending migrations first).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Fill the database with a realistic, deterministic sample data set.
    Demo(demo_cmd::DemoArgs),
    /// Manage team accounts (e.g. `amends user add --email E --role admin`).
    User(user_cmd::UserArgs),
    /// Make, list and revoke API tokens (e.g. `amends token add --email E --scope write --name sync`).
    #[command(long_about = token_cmd::LONG_ABOUT)]
    Token(token_cmd::TokenArgs),
    /// Print an analytics report (sentiment, retention, speed, repeat, weekly) as JSON or CSV.
    #[command(long_about = analytics_cmd::LONG_ABOUT)]
    Analytics(analytics_cmd::AnalyticsArgs),
    /// Time the dashboard's server work, stage by stage and chart by chart.
    #[command(long_about = bench_cmd::LONG_ABOUT)]
    Bench(bench_cmd::BenchArgs),
    /// Write the raw inputs of every figure (cases, customers, replies) as CSV.
    #[command(long_about = export_cmd::LONG_ABOUT)]
    Export(export_cmd::ExportArgs),
    /// Import customers, replies, recovery actions or affected customers from a CSV file.
    #[command(long_about = import_cmd::LONG_ABOUT)]
    Import(import_cmd::ImportArgs),
    /// Render the weekly report (HTML, CSV, Markdown or JSON), or send it by e-mail.
    #[command(long_about = report_cmd::LONG_ABOUT)]
    Report(report_cmd::ReportArgs),
    /// Score text with VADER: one reply per line on stdin → "compound<TAB>label" per line.
    #[command(long_about = sentiment_cmd::LONG_ABOUT)]
    Sentiment(sentiment_cmd::SentimentArgs),
    /// Copy the SQLite database to one file, safely while the server runs.
    #[command(long_about = backup_cmd::BACKUP_ABOUT)]
    Backup(backup_cmd::BackupArgs),
    /// Replace the SQLite database with a backup (stop the server first).
    #[command(long_about = backup_cmd::RESTORE_ABOUT)]
    Restore(backup_cmd::RestoreArgs),
    /// Make the case facts behind every figure again from the raw rows (or --check them).
    #[command(long_about = facts_cmd::LONG_ABOUT)]
    RebuildFacts(facts_cmd::FactsArgs),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli
        .command
        .unwrap_or(Command::Serve(serve::ServeArgs::default()));
    // Needs no database: handled before one is opened (or created).
    if let Command::Sentiment(args) = command {
        return sentiment_cmd::run(args);
    }
    let url = cli.global.database_url()?;
    // PostgreSQL has pg_dump: say so without connecting.
    if let (Command::Backup(_) | Command::Restore(_), Engine::Postgres) =
        (&command, Engine::of_url(&url))
    {
        return Err(backup_cmd::use_pg_dump(matches!(
            command,
            Command::Restore(_)
        )));
    }
    let zone = cli.global.zone()?;
    let db = Db::connect(&url).await?.with_zone(zone);
    db.migrate().await?;
    tracing::info!(database = %redact_url(&url), engine = db.engine().name(), "database ready");
    match command {
        Command::Serve(args) => serve::run(db, args).await,
        Command::Migrate => {
            println!("Migrations are up to date ({}).", db.engine().name());
            db.close().await;
            Ok(())
        }
        Command::Demo(args) => demo_cmd::run(db, args).await,
        Command::User(args) => user_cmd::run(db, args).await,
        Command::Token(args) => token_cmd::run(db, args).await,
        Command::Analytics(args) => analytics_cmd::run(db, args).await,
        Command::Export(args) => export_cmd::run(db, args).await,
        Command::Import(args) => import_cmd::run(db, args).await,
        Command::Bench(args) => bench_cmd::run(db, &url, args).await,
        Command::Report(args) => report_cmd::run(db, args).await,
        Command::Backup(args) => backup_cmd::run_backup(db, args).await,
        Command::Restore(args) => backup_cmd::run_restore(db, args).await,
        Command::RebuildFacts(args) => facts_cmd::run(db, args).await,
        Command::Sentiment(_) => unreachable!("handled before the database is opened"),
    }
}

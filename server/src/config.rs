//! Settings shared by every subcommand, from flags or the environment.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Directory for Amends' own files; the SQLite database lives inside it as `amends.db`.
    #[arg(long, env = "AMENDS_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Use this database instead of the SQLite file: a `postgres://user:pass@host/db` URL
    /// (or a `sqlite://` URL). The password is never logged.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Log filter: a level (error, warn, info, debug, trace) or a tracing directive such as
    /// `info,sqlx=warn`.
    #[arg(
        long,
        env = "AMENDS_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub log: String,

    /// The team's time zone, an IANA name (Europe/Berlin, America/New_York): weeks of the
    /// weekly report and the dashboard's weekly figures start on Monday 00:00 there.
    #[arg(long, env = "AMENDS_TIME_ZONE", default_value = "UTC", global = true)]
    pub time_zone: String,

    /// Log line format.
    #[arg(long, env = "AMENDS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl Global {
    /// The configured time zone, or why it is not one.
    pub fn zone(&self) -> anyhow::Result<crate::zone::Zone> {
        crate::zone::Zone::parse(&self.time_zone).map_err(|e| anyhow::anyhow!("--time-zone: {e}"))
    }

    /// The database URL in force: `DATABASE_URL` if set, else the SQLite file in the data dir.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => Ok(url.trim().to_string()),
            _ => Ok(crate::store::sqlite_url_in(&self.data_dir)?),
        }
    }
}

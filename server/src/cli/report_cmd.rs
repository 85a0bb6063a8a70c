//! `amends report`: the weekly report from the same code as the page, without the server.

use crate::reports::{email, public_base, Format};
use crate::store::Db;
use app::domain::week::IsoWeek;
use app::domain::when::now_ms;
use clap::Args;
use std::path::PathBuf;

pub const LONG_ABOUT: &str = "Render the weekly report of one ISO week (Monday to Sunday in \
    the team's time zone, --time-zone / AMENDS_TIME_ZONE) exactly as the page \
    /reports/weekly/<week> shows it: HTML (one printable file, styles inlined), the report's \
    tables as CSV, Markdown for chat, or JSON. With --email it is sent as HTML (with a \
    plain-text Markdown part) through the SMTP server of --smtp-url.";

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  amends report                          # last full week, HTML on stdout\n  \
    amends report --week 2026-W47 --format md\n  \
    amends report --week 2026-W47 --format csv --out week47.csv\n  \
    AMENDS_SMTP_URL=smtp://mail.internal:25 AMENDS_MAIL_FROM='Amends <amends@example.com>' \\\n    \
    amends report --email team@example.com"
)]
pub struct ReportArgs {
    /// The ISO week, like 2026-W47. Default: the last full week.
    #[arg(long)]
    pub week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Send the HTML report to these addresses (repeat the flag or separate with commas).
    #[arg(long, value_name = "TO")]
    pub email: Vec<String>,
    /// SMTP server for --email: smtp://host:25, smtp://user:pass@host:587?tls=required
    /// (STARTTLS) or smtps://user:pass@host. Never printed.
    #[arg(long, env = "AMENDS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender for --email, like "Amends <amends@example.com>".
    #[arg(long, env = "AMENDS_MAIL_FROM")]
    pub mail_from: Option<String>,
}

/// The week asked for, or the last full one; a week that has not started is refused.
pub fn week_of(arg: Option<&str>, this_week: IsoWeek) -> anyhow::Result<IsoWeek> {
    let week = match arg {
        Some(s) => IsoWeek::parse(s).map_err(|m| anyhow::anyhow!("--week: {m}"))?,
        None => this_week.prev(),
    };
    if week > this_week {
        anyhow::bail!(
            "--week: {week} has not started yet. The latest full week is {}.",
            this_week.prev()
        );
    }
    Ok(week)
}

pub async fn run(db: Db, args: ReportArgs) -> anyhow::Result<()> {
    let now = now_ms();
    let week = week_of(args.week.as_deref(), db.zone().week_of(now))?;
    // Check the e-mail settings before doing any work.
    let mail = if args.email.is_empty() {
        None
    } else {
        let to = email::recipients(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
        let url = args
            .smtp_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!("--email needs an SMTP server: set AMENDS_SMTP_URL or --smtp-url")
            })?;
        let from = args
            .mail_from
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!("--email needs a sender: set AMENDS_MAIL_FROM or --mail-from")
            })?;
        let smtp = email::Smtp::new(url, from).map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?;
        Some((smtp, to))
    };
    let report = crate::service::ReadService::new(db.clone())
        .week_report(week, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let base = public_base();
    if let Some((smtp, to)) = &mail {
        let message = email::message(&report, smtp, to, &base).map_err(|e| anyhow::anyhow!(e))?;
        email::send(smtp, message)
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        let names: Vec<String> = to.iter().map(|m| m.email.to_string()).collect();
        eprintln!(
            "Sent the weekly report {} to {}.",
            report.week,
            names.join(", ")
        );
    }
    let text = args.format.render(&report, &base);
    match &args.out {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "Wrote the weekly report {} to {}.",
                report.week,
                path.display()
            );
        }
        // Sent by e-mail and not asked for a file: nothing more to print.
        None if mail.is_some() => {}
        None => print!("{text}"),
    }
    db.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_week_is_the_last_full_one_and_future_weeks_are_refused() {
        let now = IsoWeek::parse("2026-W49").unwrap();
        assert_eq!(week_of(None, now).unwrap().label(), "2026-W48");
        assert_eq!(week_of(Some("2026-W49"), now).unwrap().label(), "2026-W49");
        let e = week_of(Some("2026-W50"), now).unwrap_err().to_string();
        assert!(
            e.contains("has not started") && e.contains("2026-W48"),
            "{e}"
        );
        let e = week_of(Some("2025-W53"), now).unwrap_err().to_string();
        assert!(e.starts_with("--week:") && e.contains("01 to 52"), "{e}");
    }
}

//! The weekly report sent by itself. Each `amends serve` process checks the schedule every
//! minute; once the team's weekday and hour have come, the last full week's report is
//! claimed in the database per channel (e-mail, Slack) and sent by the one process whose
//! claim won, so it goes out exactly once however many processes run. A failed delivery
//! is retried later (5, 15, then 45 minutes on), up to five attempts, and shows on the
//! Reports page with its error; an admin can also send it now.

use super::email::{self, Smtp};
use crate::service::ReadService;
use crate::store::report_schedule::StoredSchedule;
use app::domain::report::WeekReport;
use app::domain::schedule::{slack_hint, ReportSchedule};
use app::domain::week::IsoWeek;
use app::error::StoreError;
use std::time::Duration;

/// How often a process checks whether a report is due.
pub const TICK: Duration = Duration::from_secs(60);

/// Where reports go besides the schedule's own addresses: the SMTP server (from
/// `AMENDS_SMTP_URL` and `AMENDS_MAIL_FROM`) and the address links lead to.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    pub smtp: Option<Smtp>,
    pub base: String,
}

impl Outbox {
    /// From the environment; an SMTP setting that cannot be used is logged and left out.
    pub fn from_env() -> Outbox {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let smtp = match (var("AMENDS_SMTP_URL"), var("AMENDS_MAIL_FROM")) {
            (Some(url), Some(from)) => match Smtp::new(&url, &from) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "the weekly report cannot be e-mailed");
                    None
                }
            },
            _ => None,
        };
        Outbox {
            smtp,
            base: super::public_base(),
        }
    }
}

/// The schedule as the page shows it.
pub fn shown(s: &StoredSchedule, zone: &str, outbox: &Outbox) -> ReportSchedule {
    ReportSchedule {
        enabled: s.enabled,
        weekday: s.weekday,
        hour: s.hour,
        recipients: s.recipients.clone(),
        slack_hint: s.slack_url.as_deref().map(slack_hint),
        zone: zone.to_string(),
        email_ready: outbox.smtp.is_some(),
    }
}

/// The week whose report is due at `now`, if any: the last full week, once this week's
/// chosen weekday and hour have come in the team's zone.
pub fn due(s: &StoredSchedule, zone: &crate::zone::Zone, now: i64) -> Option<IsoWeek> {
    if !s.enabled {
        return None;
    }
    let this = zone.week_of(now);
    let day = this.monday() + time::Duration::days(i64::from(s.weekday.clamp(1, 7)) - 1);
    let at = zone.start_of(day) + i64::from(s.hour) * 3_600_000;
    (now >= at).then(|| this.prev())
}

/// The short Markdown a chat channel gets: the week's headline figures and the link.
pub fn chat_summary(r: &WeekReport, base: &str) -> String {
    let mut out = format!("*Amends weekly report {}* ({})", r.week, r.range());
    for key in [
        "incidents_opened",
        "incidents_resolved",
        "customers_affected",
        "replies",
        "mean_sentiment",
        "churned",
    ] {
        if let Some(f) = r.figure(key) {
            out.push_str(&format!("\n• {}: {}", f.label, f.show(f.value)));
        }
    }
    let link = format!("{base}/reports/weekly/{}", r.week);
    if base.is_empty() {
        out.push_str(&format!("\nOpen it in Amends at {link}"));
    } else {
        out.push_str(&format!("\n<{link}|Open the report>"));
    }
    out
}

async fn post_chat(http: &reqwest::Client, url: &str, text: String) -> Result<(), String> {
    let hint = slack_hint(url);
    let res = http
        .post(url)
        .timeout(Duration::from_secs(20))
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await
        .map_err(|e| {
            format!(
                "the webhook {hint} could not be reached: {}",
                e.without_url()
            )
        })?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook {hint} answered {}", res.status()))
    }
}

/// The channels a schedule sends to.
fn channels(s: &StoredSchedule) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !s.recipients.is_empty() {
        out.push("email");
    }
    if s.slack_url.is_some() {
        out.push("slack");
    }
    out
}

async fn send(
    reads: &ReadService,
    s: &StoredSchedule,
    week: IsoWeek,
    channel: &str,
    now: i64,
) -> Result<(), String> {
    let report = reads
        .week_report(week, now)
        .await
        .map_err(|e| format!("the report could not be made: {e}"))?;
    let outbox = reads.outbox();
    match channel {
        "email" => {
            let smtp = outbox.smtp.as_ref().ok_or(
                "no SMTP server is set (AMENDS_SMTP_URL and AMENDS_MAIL_FROM)".to_string(),
            )?;
            let to = email::recipients(&s.recipients)?;
            email::send(smtp, email::message(&report, smtp, &to, &outbox.base)?).await
        }
        _ => {
            let url = s
                .slack_url
                .as_deref()
                .ok_or("no webhook is set".to_string())?;
            post_chat(reads.http(), url, chat_summary(&report, &outbox.base)).await
        }
    }
}

/// Send whatever is due at `now` and this process wins the claim for; returns the ids of
/// the deliveries it tried. Reports go through the service's outbox and HTTP client.
pub async fn run_due(reads: &ReadService, now: i64) -> Result<Vec<i64>, StoreError> {
    let db = reads.db();
    let s = db.report_schedule().await?;
    let Some(week) = due(&s, reads.zone(), now) else {
        return Ok(Vec::new());
    };
    let mut tried = Vec::new();
    for channel in channels(&s) {
        let Some(id) = db.claim_report_delivery(week, channel, now).await? else {
            continue;
        };
        let outcome = send(reads, &s, week, channel, now).await;
        if let Err(e) = &outcome {
            tracing::warn!(week = %week, channel, error = %e, "the weekly report was not delivered");
        } else {
            tracing::info!(week = %week, channel, "the weekly report was delivered");
        }
        db.finish_report_delivery(id, outcome, app::domain::when::now_ms().max(now))
            .await?;
        tried.push(id);
    }
    Ok(tried)
}

/// "Send now": the last full week's report to every channel set, whatever the schedule.
pub async fn send_now(reads: &ReadService, actor: i64, now: i64) -> Result<usize, StoreError> {
    let db = reads.db();
    let s = db.report_schedule().await?;
    let week = reads.zone().week_of(now).prev();
    let list = channels(&s);
    if list.is_empty() {
        return Err(StoreError::field(
            "recipients",
            "Add recipients or a webhook first, then send.",
        ));
    }
    for channel in &list {
        let id = db.start_report_delivery(week, channel, actor, now).await?;
        let outcome = send(reads, &s, week, channel, now).await;
        db.finish_report_delivery(id, outcome, app::domain::when::now_ms().max(now))
            .await?;
    }
    Ok(list.len())
}

/// Check every [`TICK`] for as long as the server runs.
pub async fn keep_sending(reads: ReadService) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = run_due(&reads, app::domain::when::now_ms()).await {
            tracing::warn!(error = %e, "could not check the weekly report's schedule");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(enabled: bool, weekday: u8, hour: u8) -> StoredSchedule {
        StoredSchedule {
            enabled,
            weekday,
            hour,
            recipients: vec!["lead@example.com".into()],
            slack_url: None,
        }
    }

    #[test]
    fn due_once_the_weekday_and_hour_have_come_in_the_zone() {
        let zone = crate::zone::Zone::parse("Europe/Berlin").unwrap();
        // Monday 2026-11-30 09:00 in Berlin is 08:00 UTC.
        let at = |s: &str| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
                * 1000
        };
        let last = IsoWeek::parse("2026-W48").unwrap();
        let monday_nine = schedule(true, 1, 9);
        assert_eq!(due(&monday_nine, &zone, at("2026-11-30T07:59:59Z")), None);
        assert_eq!(
            due(&monday_nine, &zone, at("2026-11-30T08:00:00Z")),
            Some(last)
        );
        assert_eq!(
            due(&monday_nine, &zone, at("2026-12-06T22:00:00Z")),
            Some(last)
        );
        assert_eq!(
            due(&schedule(false, 1, 9), &zone, at("2026-12-01T12:00:00Z")),
            None
        );
        let friday = schedule(true, 5, 17);
        assert_eq!(due(&friday, &zone, at("2026-12-03T12:00:00Z")), None);
        assert_eq!(due(&friday, &zone, at("2026-12-04T16:00:00Z")), Some(last));
        // At 23:30 UTC on Sunday 29 November it is already Monday 00:30 in Berlin, week 49
        // there: a Monday-midnight schedule sends week 48 (in UTC it would still be 47).
        assert_eq!(
            due(&schedule(true, 1, 0), &zone, at("2026-11-29T23:30:00Z")),
            Some(last)
        );
    }
}

//! The weekly report, for the page. Every role may read it.

use crate::domain::report::WeekReport;
use crate::domain::week::IsoWeek;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where the calendar is now: the week running in the team's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportCalendar {
    pub this_week: IsoWeek,
    pub zone: String,
}

impl ReportCalendar {
    /// The report a reader wants by default: the last week that has ended.
    pub fn last_full(&self) -> IsoWeek {
        self.this_week.prev()
    }
}

/// A week's report; a week that is not a week, or has not started, is refused at `week`.
#[server(prefix = "/api/fn", endpoint = "reports/weekly")]
pub async fn get_week_report(week: String) -> Result<WeekReport, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let reads = super::reads()?;
    let wanted = IsoWeek::parse(&week).map_err(|message| {
        super::fail(AppError::Field {
            field: "week".into(),
            message,
        })
    })?;
    let (now, _) = reads.this_week();
    if wanted > now {
        return Err(super::fail(AppError::Field {
            field: "week".into(),
            message: format!(
                "{wanted} has not started yet. The latest full week is {}.",
                now.prev()
            ),
        }));
    }
    Ok((*reads.week_report(wanted).await?).clone())
}

#[server(prefix = "/api/fn", endpoint = "reports/calendar")]
pub async fn get_report_calendar() -> Result<ReportCalendar, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let (this_week, zone) = super::reads()?.this_week();
    Ok(ReportCalendar { this_week, zone })
}

/// The weekly report's schedule and its latest deliveries, for an admin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub schedule: crate::domain::schedule::ReportSchedule,
    pub deliveries: Vec<crate::domain::schedule::DeliveryRow>,
}

#[server(prefix = "/api/fn", endpoint = "reports/schedule")]
pub async fn get_report_schedule() -> Result<ScheduleView, AppError> {
    super::require(crate::domain::Role::Admin)?;
    let (schedule, deliveries) = super::reads()?.report_schedule().await?;
    Ok(ScheduleView {
        schedule,
        deliveries,
    })
}

/// Save when and where the weekly report is sent. An empty `slack` keeps the webhook set.
#[server(prefix = "/api/fn", endpoint = "reports/schedule/save")]
pub async fn save_report_schedule(
    enabled: Option<String>,
    weekday: String,
    hour: String,
    recipients: String,
    slack: Option<String>,
    remove_slack: Option<String>,
) -> Result<(), AppError> {
    let me = super::require(crate::domain::Role::Admin)?;
    let draft = crate::domain::schedule::ScheduleDraft::parse(
        enabled.is_some(),
        &weekday,
        &hour,
        &recipients,
        slack.as_deref().unwrap_or(""),
        remove_slack.is_some(),
    )
    .map_err(super::fail)?;
    super::store()?
        .save_report_schedule(&draft, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    leptos_axum::redirect("/reports?saved=1#schedule-h");
    Ok(())
}

/// Send the last full week's report to every channel set, now.
#[server(prefix = "/api/fn", endpoint = "reports/send")]
pub async fn send_report_now() -> Result<usize, AppError> {
    let me = super::require(crate::domain::Role::Admin)?;
    let n = super::reads()?
        .send_report_now(me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    leptos_axum::redirect("/reports?sent=1#schedule-h");
    Ok(n)
}

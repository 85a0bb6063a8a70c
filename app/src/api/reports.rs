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

//! Making a weekly report: the store's reads for its week (the facts of its period, the
//! week's incidents, open incidents with customers not yet contacted, the notable replies),
//! then the pure build in `crate::reports::weekly`.

use crate::analytics::weekly::Span;
use crate::reports::weekly::{build as build_report, Inputs, LOOKBACK_WEEKS};
use crate::store::Db;
use app::domain::analytics::{date_of, AnalyticsParams, DAY_MS};
use app::domain::report::WeekReport;
use app::domain::week::IsoWeek;
use app::error::StoreError;

/// The weekly report of `week` as of `now`, with the data version its facts were read at.
pub async fn build(db: &Db, week: IsoWeek, now: i64) -> Result<(i64, WeekReport), StoreError> {
    let zone = db.zone();
    let span = Span::of(zone, week);
    let heads = db.week_incidents(span.start, span.end).await?;
    // The facts cover the 13 weeks before (the average and 90 days of repeat history)
    // and any incident resolved this week that started earlier still.
    let from = heads
        .iter()
        .map(|h| h.started_at)
        .fold(Span::of(zone, week.back(LOOKBACK_WEEKS)).start, i64::min);
    let to = span.end;
    // A period spans at most ten years.
    let from = from.max(to - 3_650 * DAY_MS);
    let query = AnalyticsParams {
        from: Some(date_of(from.div_euclid(DAY_MS) * DAY_MS)),
        to: Some(date_of((to + DAY_MS - 1).div_euclid(DAY_MS) * DAY_MS)),
        ..Default::default()
    }
    .parse(now)
    .map_err(|e| {
        tracing::error!(error = %e, "weekly report period out of range");
        StoreError::Internal
    })?;
    let (version, facts) = db.report_facts(&query).await?;
    let uncontacted = db.uncontacted(span.end).await?;
    let most_positive = db.notable(span.start, span.end, true).await?;
    let most_negative = db.notable(span.start, span.end, false).await?;
    let input = Inputs {
        week,
        zone: zone.clone(),
        now,
        query,
        facts,
        heads,
        uncontacted,
        most_positive,
        most_negative,
    };
    let report = tokio::task::spawn_blocking(move || {
        let report = build_report(input);
        // The input's facts (13 weeks of cases) are dropped by now.
        super::release_freed_memory();
        report
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "weekly report failed");
        StoreError::Internal
    })?;
    Ok((version, report))
}

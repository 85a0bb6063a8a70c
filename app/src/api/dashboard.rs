//! Headline numbers for the dashboard.

use crate::domain::Overview;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    Ok(super::store()?.overview().await?)
}

/// The dashboard's figures and charts for the question in the URL.
#[server(prefix = "/api/fn", endpoint = "dashboard")]
pub async fn get_dashboard(
    #[server(default)] query: crate::domain::analytics::AnalyticsParams,
) -> Result<crate::domain::dashboard::DashboardView, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let q = query.parse(crate::domain::when::now_ms()).map_err(|e| {
        super::fail(AppError::Field {
            field: e.field.to_string(),
            message: e.message,
        })
    })?;
    Ok((*super::reads()?.dashboard(&q).await?).clone())
}

/// One incident's recovery figures (its cases only), followed up to today.
#[server(prefix = "/api/fn", endpoint = "incidents/analytics")]
pub async fn get_incident_analytics(
    id: i64,
) -> Result<crate::domain::dashboard::IncidentAnalyticsView, AppError> {
    use crate::domain::analytics::{date_of, AnalyticsParams, DAY_MS};
    super::require(crate::domain::Role::Viewer)?;
    // Both taken before the first await: when the page that asked is gone (the reader moved
    // on mid-render), its context goes with it.
    let (store, reads) = (super::store()?, super::reads()?);
    let incident = store
        .incident(id)
        .await?
        .ok_or_else(|| super::fail(AppError::NotFound))?;
    let now = crate::domain::when::now_ms();
    let q = AnalyticsParams {
        from: Some(date_of(incident.started_at)),
        to: Some(date_of(incident.started_at + DAY_MS)),
        as_of: Some(date_of(now.max(incident.started_at) + DAY_MS)),
        incident: Some(id.to_string()),
        ..Default::default()
    }
    .parse(now)
    .map_err(|_| super::fail(AppError::Internal))?;
    let analytics = reads.analytics(&q).await?;
    Ok(crate::charts::dashboard::incident(&analytics))
}

/// One customer's reply sentiment over time, as SVG (none with fewer than two replies).
#[server(prefix = "/api/fn", endpoint = "customers/sentiment-chart")]
pub async fn get_customer_sentiment_chart(id: i64) -> Result<Option<String>, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let customer = super::store()?
        .customer(id)
        .await?
        .ok_or_else(|| super::fail(AppError::NotFound))?;
    let points: Vec<(i64, f64)> = customer
        .replies
        .iter()
        .map(|r| (r.received_at, r.effective_sentiment()))
        .collect();
    Ok(crate::charts::guarded(|| {
        crate::charts::sentiment_over_time(&points)
    }))
}

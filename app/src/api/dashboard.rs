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
    let analytics = super::store()?.analytics(&q).await?;
    Ok(crate::charts::dashboard::dashboard(&analytics))
}

//! Headline numbers for the dashboard.

use crate::domain::Overview;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    Ok(super::store()?.overview().await?)
}

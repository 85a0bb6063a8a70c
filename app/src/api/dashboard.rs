//! Headline numbers for the dashboard.

use crate::domain::Overview;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    Ok(super::store()?.overview().await?)
}

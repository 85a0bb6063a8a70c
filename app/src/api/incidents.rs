//! Reading incidents.

use crate::domain::{IncidentDetail, IncidentRow, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "incidents/list")]
pub async fn list_incidents(page: Option<u32>) -> Result<Page<IncidentRow>, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let req = crate::domain::PageRequest::new(page, None);
    Ok(super::store()?.list_incidents(req).await?)
}

#[server(prefix = "/api/fn", endpoint = "incidents/get")]
pub async fn get_incident(id: i64) -> Result<IncidentDetail, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    super::store()?
        .incident(id)
        .await?
        .ok_or(AppError::NotFound)
}

//! Reading customers.

use crate::domain::{CustomerRow, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "customers/list")]
pub async fn list_customers(
    q: Option<String>,
    page: Option<u32>,
) -> Result<Page<CustomerRow>, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let search = q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::Invalid(
            "Search is limited to 200 characters.".into(),
        ));
    }
    let req = crate::domain::PageRequest::new(page, None);
    Ok(super::store()?.list_customers(search, req).await?)
}

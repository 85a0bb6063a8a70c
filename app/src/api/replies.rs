//! Reading replies.

use crate::domain::{Page, ReplyRow};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "replies/list")]
pub async fn list_replies(page: Option<u32>) -> Result<Page<ReplyRow>, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let req = crate::domain::PageRequest::new(page, None);
    Ok(super::store()?.list_replies(req).await?)
}

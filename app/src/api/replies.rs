//! Replies: the filtered list, logging one (scored on the spot) and correcting its score.

use crate::domain::reply::ReplyQuery;
#[cfg(feature = "ssr")]
use crate::domain::reply::{parse_override, ReplyForm};
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::domain::{Page, ReplyRow};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "replies/list")]
pub async fn list_replies(
    #[server(default)] query: ReplyQuery,
    page: Option<u32>,
) -> Result<Page<ReplyRow>, AppError> {
    super::require(Role::Viewer)?;
    let filter = query.parse().map_err(super::fail)?;
    let req = crate::domain::PageRequest::new(page, None);
    Ok(super::store()?.list_replies(&filter, req).await?)
}

/// Log a reply; its sentiment is scored with VADER as it is saved. Returns the reply's id
/// and its automatic score.
#[server(prefix = "/api/fn", endpoint = "replies/create")]
pub async fn create_reply(
    customer: String,
    incident_id: Option<String>,
    channel: String,
    received_at: Option<String>,
    csat: Option<String>,
    body: String,
) -> Result<(i64, f64), AppError> {
    let me = super::require(Role::Editor)?;
    let form = ReplyForm {
        customer,
        incident_id: incident_id.unwrap_or_default(),
        channel,
        received_at: received_at.unwrap_or_default(),
        csat: csat.unwrap_or_default(),
        body,
    };
    let now = crate::domain::when::now_ms();
    let saved = async {
        let draft = form.parse(now)?;
        let score = crate::sentiment::compound(&draft.body);
        let id = super::store()?.create_reply(&draft, score, me.id).await?;
        Ok((id, score))
    }
    .await;
    match saved {
        Ok(done) => {
            super::back_clean();
            Ok(done)
        }
        Err(e) => {
            super::keep_typed("/api/fn/replies/create", &e, &form.pairs());
            Err(super::fail(e))
        }
    }
}

/// Replace the automatic score with a person's, keeping both and the reason.
#[server(prefix = "/api/fn", endpoint = "replies/override")]
pub async fn override_sentiment(id: i64, score: String, reason: String) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    let (score, reason) = parse_override(&score, &reason).map_err(super::fail)?;
    super::store()?
        .override_sentiment(id, score, &reason, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

//! Marking customers affected: preview a pasted list or CSV, confirm it, remove one.

#[cfg(feature = "ssr")]
use crate::domain::affected::{parse_list, ParsedList};
use crate::domain::affected::{AffectedAdded, AffectedPreview};
#[cfg(feature = "ssr")]
use crate::domain::{AffectedSource, Role};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn parse(list: &str) -> Result<ParsedList, AppError> {
    if list.trim().is_empty() {
        return Err(AppError::field(
            "list",
            "Paste refs or emails, or choose a CSV file.",
        ));
    }
    parse_list(list).map_err(|m| AppError::field("list", m))
}

/// What adding `list` would do; changes nothing.
#[server(prefix = "/api/fn", endpoint = "affected/preview")]
pub async fn preview_affected(incident: i64, list: String) -> Result<AffectedPreview, AppError> {
    super::require(Role::Editor)?;
    let parsed = parse(&list).map_err(super::fail)?;
    super::store()?
        .preview_affected(incident, &parsed)
        .await
        .map_err(|e| super::fail(e.into()))
}

/// Add everyone usable in `list` (creating unknown customers), all in one transaction;
/// then back to the incident.
#[server(prefix = "/api/fn", endpoint = "affected/confirm")]
pub async fn confirm_affected(incident: i64, list: String) -> Result<AffectedAdded, AppError> {
    let me = super::require(Role::Editor)?;
    let parsed = parse(&list).map_err(super::fail)?;
    let source = if parsed.csv {
        AffectedSource::Import
    } else {
        AffectedSource::Manual
    };
    let added = super::store()?
        .confirm_affected(incident, &parsed, source, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    leptos_axum::redirect(&format!(
        "/incidents/{incident}?added={}#affected-h",
        added.linked
    ));
    Ok(added)
}

/// Unmark one customer (their actions for this incident go too).
#[server(prefix = "/api/fn", endpoint = "affected/remove")]
pub async fn remove_affected(incident: i64, customer: i64) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    super::store()?
        .remove_affected(incident, customer, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

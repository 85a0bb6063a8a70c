//! Giving recovery actions.

// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::domain::action::{ActionForm, ActionTarget};
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::error::AppError;
use leptos::prelude::*;

/// Give one action to a customer, or to all / a filtered set of the incident's affected
/// customers; all or nothing. Returns how many received it.
#[server(prefix = "/api/fn", endpoint = "actions/give")]
pub async fn give_actions(
    incident: i64,
    target: String,
    kind: String,
    value: Option<String>,
    cost: Option<String>,
    currency: String,
    channel: String,
    note: Option<String>,
    given_at: Option<String>,
) -> Result<usize, AppError> {
    let me = super::require(Role::Editor)?;
    let target = ActionTarget::parse(&target).map_err(super::fail)?;
    let form = ActionForm {
        kind,
        value: value.unwrap_or_default(),
        cost: cost.unwrap_or_default(),
        currency,
        channel,
        note: note.unwrap_or_default(),
        given_at: given_at.unwrap_or_default(),
    };
    let now = crate::domain::when::now_ms();
    let draft = form.parse(now).map_err(super::fail)?;
    let n = super::store()?
        .give_actions(incident, &target, &draft, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    leptos_axum::redirect(&format!("/incidents/{incident}?given={n}#actions-h"));
    Ok(n)
}

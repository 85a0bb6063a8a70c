//! Giving recovery actions.

// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::domain::action::{ActionForm, ActionTarget};
#[cfg(feature = "ssr")]
use crate::domain::experiment::Holdout;
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::error::AppError;
use leptos::prelude::*;

/// Give one action to a customer, or to all / a filtered set of the incident's affected
/// customers; all or nothing. Returns how many received it. With a `holdout` share, the
/// first post leads to a page that shows how many get it and how many are held out; the
/// post from there (`confirmed=yes`) gives it and starts the experiment.
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
    holdout: Option<String>,
    control: Option<String>,
    confirmed: Option<String>,
) -> Result<usize, AppError> {
    let me = super::require(Role::Editor)?;
    let target_code = target.clone();
    let target = ActionTarget::parse(&target).map_err(super::fail)?;
    let form = ActionForm {
        kind: kind.clone(),
        value: value.unwrap_or_default(),
        cost: cost.unwrap_or_default(),
        currency,
        channel,
        note: note.unwrap_or_default(),
        given_at: given_at.unwrap_or_default(),
    };
    let now = crate::domain::when::now_ms();
    let draft = form.parse(now).map_err(super::fail)?;
    let holdout = Holdout::parse(
        holdout.as_deref().unwrap_or(""),
        control.as_deref().unwrap_or(""),
        draft.kind,
    )
    .map_err(super::fail)?;
    if let Some(h) = holdout {
        let store = super::store()?;
        if confirmed.as_deref() != Some("yes") {
            // Shown before it is done: how many get it and how many are held out.
            store
                .preview_holdout(incident, &target, draft.kind, &h)
                .await
                .map_err(|e| super::fail(e.into()))?;
            let fields = [
                ("target", target_code.as_str()),
                ("kind", form.kind.as_str()),
                ("value", form.value.as_str()),
                ("cost", form.cost.as_str()),
                ("currency", form.currency.as_str()),
                ("channel", form.channel.as_str()),
                ("note", form.note.as_str()),
                ("given_at", form.given_at.as_str()),
                ("holdout", &h.share_pct.to_string()),
                ("control", h.control.map_or("", |c| c.code())),
            ]
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::domain::analytics::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
            leptos_axum::redirect(&format!("/incidents/{incident}/holdout?{fields}"));
            return Ok(0);
        }
        let started = store
            .give_with_holdout(incident, &target, &draft, &h, None, me.id)
            .await
            .map_err(|e| super::fail(e.into()))?;
        leptos_axum::redirect(&format!("/experiments/{}?started=1", started.experiment_id));
        return Ok(started.treated as usize);
    }
    let n = super::store()?
        .give_actions(incident, &target, &draft, me.id)
        .await
        .map_err(|e| super::fail(e.into()))?;
    leptos_axum::redirect(&format!("/incidents/{incident}?given={n}#actions-h"));
    Ok(n)
}

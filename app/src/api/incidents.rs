//! Incidents: the filtered list, one incident, and every change to it.

// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

use crate::domain::incident::IncidentQuery;
#[cfg(feature = "ssr")]
use crate::domain::incident::{check_note, IncidentForm, StatusChange};
use crate::domain::{IncidentDetail, IncidentRow, Page, Person};
#[cfg(feature = "ssr")]
use crate::domain::{IncidentStatus, Role};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "incidents/list")]
pub async fn list_incidents(
    #[server(default)] query: IncidentQuery,
    page: Option<u32>,
) -> Result<Page<IncidentRow>, AppError> {
    super::require(Role::Viewer)?;
    let filter = query.parse().map_err(super::fail)?;
    let req = crate::domain::PageRequest::new(page, None);
    let page = super::reads()?.incidents(&filter, req).await?;
    Ok(std::sync::Arc::unwrap_or_clone(page))
}

#[server(prefix = "/api/fn", endpoint = "incidents/get")]
pub async fn get_incident(id: i64) -> Result<IncidentDetail, AppError> {
    super::require(Role::Viewer)?;
    super::store()?
        .incident(id)
        .await?
        .ok_or_else(|| super::fail(AppError::NotFound))
}

/// Who may own an incident (for the owner picker).
#[server(prefix = "/api/fn", endpoint = "people/list")]
pub async fn list_people() -> Result<Vec<Person>, AppError> {
    super::require(Role::Viewer)?;
    Ok(super::store()?.people().await?)
}

/// Open a new incident; the browser then goes to its page.
#[server(prefix = "/api/fn", endpoint = "incidents/create")]
pub async fn create_incident(
    title: String,
    description: Option<String>,
    kind: String,
    severity: String,
    started_at: String,
    detected_at: Option<String>,
    owner_id: Option<String>,
) -> Result<i64, AppError> {
    let me = super::require(Role::Editor)?;
    let form = IncidentForm {
        title,
        description: description.unwrap_or_default(),
        kind,
        severity,
        started_at,
        detected_at: detected_at.unwrap_or_default(),
        resolved_at: String::new(),
        owner_id: owner_id.unwrap_or_default(),
    };
    let saved = async {
        let draft = form.parse(IncidentStatus::Open)?;
        if draft.started_at > crate::domain::when::now_ms() + 60_000 {
            return Err(AppError::field(
                "started_at",
                "An incident cannot start in the future.",
            ));
        }
        Ok(super::store()?.create_incident(&draft, me.id).await?)
    }
    .await;
    match saved {
        Ok(id) => {
            leptos_axum::redirect(&format!("/incidents/{id}"));
            Ok(id)
        }
        Err(e) => {
            super::keep_typed("/api/fn/incidents/create", &e, &form.pairs());
            Err(super::fail(e))
        }
    }
}

/// Save an edit made from `version`; refused when someone else saved in between.
#[server(prefix = "/api/fn", endpoint = "incidents/update")]
pub async fn update_incident(
    id: i64,
    version: i64,
    title: String,
    description: Option<String>,
    kind: String,
    severity: String,
    started_at: String,
    detected_at: Option<String>,
    resolved_at: Option<String>,
    owner_id: Option<String>,
) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    let store = super::store()?;
    let status = store
        .incident(id)
        .await?
        .ok_or_else(|| super::fail(AppError::NotFound))?
        .status;
    let form = IncidentForm {
        title,
        description: description.unwrap_or_default(),
        kind,
        severity,
        started_at,
        detected_at: detected_at.unwrap_or_default(),
        resolved_at: resolved_at.unwrap_or_default(),
        owner_id: owner_id.unwrap_or_default(),
    };
    let draft = form.parse(status).map_err(super::fail)?;
    store
        .update_incident(id, version, &draft, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

/// Move the incident along open → mitigated → resolved (or reopen it), with a note.
#[server(prefix = "/api/fn", endpoint = "incidents/status")]
pub async fn change_status(
    id: i64,
    version: i64,
    status: String,
    at: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    let store = super::store()?;
    let from = store
        .incident(id)
        .await?
        .ok_or_else(|| super::fail(AppError::NotFound))?
        .status;
    let at = at
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| crate::domain::when::to_input(crate::domain::when::now_ms()));
    let change = StatusChange::parse(from, &status, &at, note.as_deref().unwrap_or(""))
        .map_err(super::fail)?;
    store
        .change_status(id, version, &change, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

/// Add a note to the incident's timeline.
#[server(prefix = "/api/fn", endpoint = "incidents/note")]
pub async fn add_note(id: i64, note: String) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    let note = check_note(&note).map_err(super::fail)?;
    if note.is_empty() {
        return Err(super::fail(AppError::field(
            "note",
            "Write the note first.",
        )));
    }
    super::store()?
        .add_incident_note(id, &note, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

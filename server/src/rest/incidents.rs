//! `/api/v1/incidents`: list with the incident page's filters, get with its counts, create,
//! patch (If-Match), status changes with a note, and the timeline's notes.

use super::body::Body;
use super::caller::{Reader, Writer};
use super::concurrency::{claimed, if_match, stale, version_to_claim, with_etag};
use super::extract::{Path, Query};
use super::paging::{respond, Listed, Paging};
use super::problem::Problem;
use super::values::{form_time, instant, instant_opt, parse_instant, Amount};
use crate::store::Db;
use app::domain::incident::{check_note, IncidentForm, IncidentQuery, StatusChange};
use app::domain::when::now_ms;
use app::domain::{IncidentDetail, IncidentRow, IncidentStatus, TimelineEvent};
use app::error::StoreError;
use app::store::Store;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An incident in a list, with its counts.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    /// `outage`, `degradation`, `bug`, `data_loss`, `billing_error`, `security` or `other`.
    #[schema(schema_with = super::values::codes::incident_kind)]
    pub kind: String,
    /// `sev1` (worst) to `sev4`.
    #[schema(schema_with = super::values::codes::severity)]
    pub severity: String,
    /// `open`, `mitigated` or `resolved`.
    #[schema(schema_with = super::values::codes::status)]
    pub status: String,
    pub started_at: String,
    pub resolved_at: Option<String>,
    /// Customers marked affected.
    pub affected: i64,
    pub actions: i64,
    pub replies: i64,
    /// What its recovery actions cost, per currency.
    pub cost: Vec<Amount>,
}

impl From<IncidentRow> for IncidentSummary {
    fn from(r: IncidentRow) -> Self {
        IncidentSummary {
            id: r.id,
            title: r.title,
            kind: r.kind.code().into(),
            severity: r.severity.code().into(),
            status: r.status.code().into(),
            started_at: instant(r.started_at),
            resolved_at: instant_opt(r.resolved_at),
            affected: r.affected,
            actions: r.actions,
            replies: r.replies,
            cost: r.cost.iter().map(Amount::from).collect(),
        }
    }
}

/// An incident with its counts.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub description: String,
    #[schema(schema_with = super::values::codes::incident_kind)]
    pub kind: String,
    #[schema(schema_with = super::values::codes::severity)]
    pub severity: String,
    #[schema(schema_with = super::values::codes::status)]
    pub status: String,
    pub started_at: String,
    pub detected_at: String,
    pub resolved_at: Option<String>,
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    /// Bumped by every change; the `ETag`.
    pub version: i64,
    pub affected: i64,
    pub actions: i64,
    pub replies: i64,
    pub cost: Vec<Amount>,
}

impl From<&IncidentDetail> for Incident {
    fn from(d: &IncidentDetail) -> Self {
        Incident {
            id: d.id,
            title: d.title.clone(),
            description: d.description.clone(),
            kind: d.kind.code().into(),
            severity: d.severity.code().into(),
            status: d.status.code().into(),
            started_at: instant(d.started_at),
            detected_at: instant(d.detected_at),
            resolved_at: instant_opt(d.resolved_at),
            owner_id: d.owner_id,
            owner: d.owner.clone(),
            version: d.version,
            affected: d.affected_total,
            actions: d.actions_total,
            replies: d.replies_total,
            cost: d.cost.iter().map(Amount::from).collect(),
        }
    }
}

/// One entry of an incident's timeline.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub at: String,
    /// `created`, `status`, `note` or `edit`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    /// Who wrote it.
    pub by: Option<String>,
}

impl From<&TimelineEvent> for Event {
    fn from(e: &TimelineEvent) -> Self {
        Event {
            at: instant(e.at),
            kind: e.kind.clone(),
            from_status: e.from_status.map(|s| s.code().into()),
            to_status: e.to_status.map(|s| s.code().into()),
            note: e.note.clone(),
            by: e.by.clone(),
        }
    }
}

/// The incident list's filters.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentListQuery {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub kind: Option<String>,
    /// Started on or after this date (`2026-11-01`).
    pub from: Option<String>,
    /// Started on or before this date.
    pub to: Option<String>,
    /// Part of the title or description.
    pub q: Option<String>,
    /// `newest` (default), `oldest`, `severity`, `affected` or `replies`.
    pub sort: Option<String>,
}

/// A new incident (it starts open).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// Up to 200 characters.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[schema(schema_with = super::values::codes::incident_kind)]
    pub kind: String,
    #[schema(schema_with = super::values::codes::severity)]
    pub severity: String,
    /// RFC 3339.
    pub started_at: String,
    /// Default: when it started.
    #[serde(default)]
    pub detected_at: Option<String>,
    /// A team member's user id.
    #[serde(default)]
    pub owner_id: Option<i64>,
}

/// A change to some of an incident's details; what is absent stays. `owner_id: null` leaves
/// it without an owner. `resolved_at` applies to a resolved incident only.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    #[schema(schema_with = super::values::codes::incident_kind)]
    pub kind: Option<String>,
    #[schema(schema_with = super::values::codes::severity)]
    pub severity: Option<String>,
    pub started_at: Option<String>,
    pub detected_at: Option<String>,
    pub resolved_at: Option<String>,
    #[serde(default, deserialize_with = "super::customers::double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
}

/// A move to another status, with an optional note for the timeline.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusMove {
    /// `open` (reopen), `mitigated` or `resolved`.
    #[schema(schema_with = super::values::codes::status)]
    pub status: String,
    /// When it happened (RFC 3339); default now.
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A note for an incident's timeline.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// Up to 5,000 characters.
    pub note: String,
}

fn time_field(field: &str, v: &Option<String>) -> Result<String, Problem> {
    match v {
        Some(s) => Ok(form_time(parse_instant(field, s)?)),
        None => Ok(String::new()),
    }
}

/// The exact instant sent for `field`, or `keep` when none was.
fn exact(field: &str, v: &Option<String>, keep: i64) -> Result<i64, Problem> {
    v.as_deref().map_or(Ok(keep), |s| parse_instant(field, s))
}

/// One incident. Also the answer to a change already made, so it is read through a
/// restarting database rather than answered 503 (and retried into a double).
pub(super) async fn detail(db: &Db, id: i64) -> Result<IncidentDetail, Problem> {
    crate::store::retry::when_unavailable(|| db.incident(id))
        .await?
        .ok_or_else(|| Problem::not_found("incident"))
}

async fn answer(db: &Db, id: i64, status: StatusCode) -> Result<Response, Problem> {
    let d = detail(db, id).await?;
    Ok(with_etag(
        (status, Json(Incident::from(&d))).into_response(),
        d.version,
    ))
}

/// List incidents, newest first unless `sort` says otherwise.
#[utoipa::path(get, operation_id = "listIncidents", path = "/api/v1/incidents", tag = "incidents",
    params(IncidentListQuery, Paging),
    responses((status = 200, body = Listed<IncidentSummary>, description = "One page of incidents",
        headers(("Link" = String, description = "`<…>; rel=\"next\"` while there is a next page")))))]
pub async fn list(
    _reader: Reader,
    State(db): State<Db>,
    uri: Uri,
    Query(q): Query<IncidentListQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    let query = IncidentQuery {
        status: q.status,
        severity: q.severity,
        kind: q.kind,
        from: q.from,
        to: q.to,
        q: q.q,
        sort: q.sort,
    };
    let filter = query.parse().map_err(|e| {
        // The page's parser says what is wrong; find which parameter by asking it about
        // each one alone (a `to` before `from` fails only with both: it is `to`).
        let alone = |q: IncidentQuery| q.parse().is_err();
        let d = IncidentQuery::default;
        let field = [
            (
                "status",
                alone(IncidentQuery {
                    status: query.status.clone(),
                    ..d()
                }),
            ),
            (
                "severity",
                alone(IncidentQuery {
                    severity: query.severity.clone(),
                    ..d()
                }),
            ),
            (
                "kind",
                alone(IncidentQuery {
                    kind: query.kind.clone(),
                    ..d()
                }),
            ),
            (
                "from",
                alone(IncidentQuery {
                    from: query.from.clone(),
                    ..d()
                }),
            ),
            (
                "q",
                alone(IncidentQuery {
                    q: query.q.clone(),
                    ..d()
                }),
            ),
        ]
        .into_iter()
        .find(|(_, bad)| *bad)
        .map_or("to", |(f, _)| f);
        super::problem::named(e.into(), field)
    })?;
    let page = db.list_incidents(&filter, paging.request()?).await?;
    Ok(respond(&uri, page, IncidentSummary::from))
}

/// One incident with its counts.
#[utoipa::path(get, operation_id = "getIncident", path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's number")),
    responses((status = 200, body = Incident, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such incident")))]
pub async fn get(
    _reader: Reader,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    answer(&db, id, StatusCode::OK).await
}

/// Open an incident.
#[utoipa::path(post, operation_id = "createIncident", path = "/api/v1/incidents", tag = "incidents",
    request_body = NewIncident,
    responses((status = 201, body = Incident, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    Writer(me): Writer,
    State(db): State<Db>,
    Body(n): Body<NewIncident>,
) -> Result<Response, Problem> {
    let form = IncidentForm {
        title: n.title,
        description: n.description.unwrap_or_default(),
        kind: n.kind,
        severity: n.severity,
        started_at: form_time(parse_instant("started_at", &n.started_at)?),
        detected_at: time_field("detected_at", &n.detected_at)?,
        resolved_at: String::new(),
        owner_id: n.owner_id.map(|i| i.to_string()).unwrap_or_default(),
    };
    let mut draft = form.parse(IncidentStatus::Open)?;
    draft.started_at = parse_instant("started_at", &n.started_at)?;
    draft.detected_at = exact("detected_at", &n.detected_at, draft.started_at)?;
    if draft.detected_at < draft.started_at {
        return Err(Problem::invalid(
            "detected_at",
            "It cannot have been detected before it started.",
        ));
    }
    let id = db.create_incident(&draft, me.id).await?;
    let mut res = answer(&db, id, StatusCode::CREATED).await?;
    if let Ok(v) = format!("/api/v1/incidents/{id}").parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Change some of an incident's details.
#[utoipa::path(patch, operation_id = "patchIncident", path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's number"),
        ("If-Match" = String, Header, description = "The ETag of the version you changed")),
    request_body = IncidentPatch,
    responses((status = 200, body = Incident, headers(("ETag" = String))),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "The incident changed since that ETag"),
        (status = 428, body = Problem, content_type = "application/problem+json", description = "If-Match is missing")))]
pub async fn patch(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Body(p): Body<IncidentPatch>,
) -> Result<Response, Problem> {
    let pre = if_match(&headers, true)?;
    let current = detail(&db, id).await?;
    let version = version_to_claim(pre, current.version)?;
    let mut form = IncidentForm::from_draft(&current.draft());
    // The form shows minutes; keep the stored seconds unless a new time is sent.
    form.started_at = form_time(current.started_at);
    form.detected_at = form_time(current.detected_at);
    form.resolved_at = current.resolved_at.map(form_time).unwrap_or_default();
    if let Some(v) = p.title {
        form.title = v;
    }
    if let Some(v) = p.description {
        form.description = v;
    }
    if let Some(v) = p.kind {
        form.kind = v;
    }
    if let Some(v) = p.severity {
        form.severity = v;
    }
    if p.started_at.is_some() {
        form.started_at = time_field("started_at", &p.started_at)?;
    }
    if p.detected_at.is_some() {
        form.detected_at = time_field("detected_at", &p.detected_at)?;
    }
    if p.resolved_at.is_some() {
        form.resolved_at = time_field("resolved_at", &p.resolved_at)?;
    }
    if let Some(owner) = p.owner_id {
        form.owner_id = owner.map(|i| i.to_string()).unwrap_or_default();
    }
    let mut draft = form.parse(current.status)?;
    // The form works in whole seconds; keep every instant to the millisecond.
    draft.started_at = exact("started_at", &p.started_at, current.started_at)?;
    draft.detected_at = exact("detected_at", &p.detected_at, current.detected_at)?;
    if draft.resolved_at.is_some() {
        draft.resolved_at = Some(exact(
            "resolved_at",
            &p.resolved_at,
            current.resolved_at.unwrap_or(draft.started_at),
        )?);
    }
    if draft.detected_at < draft.started_at {
        return Err(Problem::invalid(
            "detected_at",
            "It cannot have been detected before it started.",
        ));
    }
    if draft == current.draft() {
        // Nothing changes: nothing is written and the version stays.
        return answer(&db, id, StatusCode::OK).await;
    }
    claimed(db.update_incident(id, version, &draft, me.id).await)?;
    answer(&db, id, StatusCode::OK).await
}

/// Move an incident to another status (open → mitigated → resolved, or reopen), with a note.
/// `If-Match` is optional here; when sent, it must match.
#[utoipa::path(post, operation_id = "changeIncidentStatus", path = "/api/v1/incidents/{id}/status", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's number"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version you moved")),
    request_body = StatusMove,
    responses((status = 200, body = Incident, headers(("ETag" = String))),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "The incident changed since that ETag")))]
pub async fn change_status(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Body(m): Body<StatusMove>,
) -> Result<Response, Problem> {
    let pre = if_match(&headers, false)?;
    let current = detail(&db, id).await?;
    let version = version_to_claim(pre, current.version)?;
    let at = match &m.at {
        Some(s) => form_time(parse_instant("at", s)?),
        None => form_time(now_ms()),
    };
    let mut change = StatusChange::parse(
        current.status,
        &m.status,
        &at,
        m.note.as_deref().unwrap_or(""),
    )?;
    change.at = exact("at", &m.at, change.at)?;
    match db.change_status(id, version, &change, me.id).await {
        Ok(()) => answer(&db, id, StatusCode::OK).await,
        Err(StoreError::Conflict(m))
            if matches!(pre, super::concurrency::Precondition::Version(_)) =>
        {
            tracing::debug!(reason = %m, "status change lost a race");
            Err(stale())
        }
        Err(e) => Err(e.into()),
    }
}

/// An incident's timeline: creation, status changes, edits and notes, oldest first.
#[utoipa::path(get, operation_id = "listIncidentNotes", path = "/api/v1/incidents/{id}/notes", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's number")),
    responses((status = 200, body = Vec<Event>),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such incident")))]
pub async fn timeline(
    _reader: Reader,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Event>>, Problem> {
    let d = detail(&db, id).await?;
    Ok(Json(d.events.iter().map(Event::from).collect()))
}

/// Add a note to an incident's timeline.
#[utoipa::path(post, operation_id = "addIncidentNote", path = "/api/v1/incidents/{id}/notes", tag = "incidents",
    params(("id" = i64, Path, description = "The incident's number")),
    request_body = NewNote,
    responses((status = 201, body = Vec<Event>, description = "The timeline with the note")))]
pub async fn add_note(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Body(n): Body<NewNote>,
) -> Result<Response, Problem> {
    let note = check_note(&n.note)?;
    if note.is_empty() {
        return Err(Problem::invalid("note", "Write the note."));
    }
    db.add_incident_note(id, &note, me.id).await?;
    let d = detail(&db, id).await?;
    let events: Vec<Event> = d.events.iter().map(Event::from).collect();
    Ok((StatusCode::CREATED, Json(events)).into_response())
}

//! Changing incidents: create, edit (with optimistic concurrency), status moves and notes.
//! Each change is one transaction that also writes the timeline and the audit log.

use super::rows::{code, get};
use super::users::audit;
use super::version::{claim, Versioned};
use super::{map_err, Db};
use app::domain::incident::{IncidentDraft, StatusChange};
use app::domain::{IncidentKind, IncidentStatus, Person, Severity};
use app::error::StoreError;
use serde_json::json;
use sqlx::{Any, Transaction};

type Tx = Transaction<'static, Any>;

fn snapshot(d: &IncidentDraft, status: IncidentStatus) -> serde_json::Value {
    json!({
        "title": d.title, "description": d.description, "kind": d.kind.code(),
        "severity": d.severity.code(), "status": status.code(), "started_at": d.started_at,
        "detected_at": d.detected_at, "resolved_at": d.resolved_at, "owner_id": d.owner_id,
    })
}

async fn check_owner(tx: &mut Tx, owner: Option<i64>) -> Result<(), StoreError> {
    if let Some(id) = owner {
        let ok: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND active = 1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await
            .map_err(map_err)?;
        if ok == 0 {
            return Err(StoreError::field(
                "owner_id",
                "That owner is not an active team member.",
            ));
        }
    }
    Ok(())
}

async fn event(
    tx: &mut Tx,
    incident: i64,
    at: i64,
    kind: &str,
    status: (Option<IncidentStatus>, Option<IncidentStatus>),
    note: &str,
    actor: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO incident_events (incident_id, at, kind, from_status, to_status, note, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(incident)
    .bind(at)
    .bind(kind)
    .bind(status.0.map(|s| s.code()))
    .bind(status.1.map(|s| s.code()))
    .bind(note)
    .bind(actor)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub async fn create(db: &Db, d: &IncidentDraft, actor: i64, now: i64) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    check_owner(&mut tx, d.owner_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (title, description, kind, severity, status, started_at, detected_at,
                                resolved_at, owner_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'open', $5, $6, NULL, $7, $8, $8) RETURNING id",
    )
    .bind(&d.title)
    .bind(&d.description)
    .bind(d.kind.code())
    .bind(d.severity.code())
    .bind(d.started_at)
    .bind(d.detected_at)
    .bind(d.owner_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    event(
        &mut tx,
        id,
        now,
        "created",
        (None, Some(IncidentStatus::Open)),
        "",
        actor,
    )
    .await?;
    let after = snapshot(d, IncidentStatus::Open);
    audit(
        &mut tx,
        now,
        Some(actor),
        "create",
        "incident",
        Some(&id.to_string()),
        None,
        Some(after),
        None,
    )
    .await?;
    db.commit(tx).await?;
    Ok(id)
}

/// The stored incident, as this transaction sees it.
async fn current(tx: &mut Tx, id: i64) -> Result<(IncidentDraft, IncidentStatus, i64), StoreError> {
    let r = sqlx::query(
        "SELECT title, description, kind, severity, status, started_at, detected_at, resolved_at,
                owner_id, version
         FROM incidents WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_err)?
    .ok_or(StoreError::NotFound)?;
    let draft = IncidentDraft {
        title: get(&r, "title")?,
        description: get(&r, "description")?,
        kind: code(&r, "kind", IncidentKind::parse)?,
        severity: code(&r, "severity", Severity::parse)?,
        started_at: get(&r, "started_at")?,
        detected_at: get(&r, "detected_at")?,
        resolved_at: get(&r, "resolved_at")?,
        owner_id: get(&r, "owner_id")?,
    };
    Ok((
        draft,
        code(&r, "status", IncidentStatus::parse)?,
        get(&r, "version")?,
    ))
}

pub async fn update(
    db: &Db,
    id: i64,
    version: i64,
    d: &IncidentDraft,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    claim(&mut tx, Versioned::Incident, id, version, now).await?;
    let (before, status, _) = current(&mut tx, id).await?;
    check_owner(&mut tx, d.owner_id).await?;
    if status == IncidentStatus::Resolved && d.resolved_at.is_none() {
        return Err(StoreError::field(
            "resolved_at",
            "A resolved incident needs its resolved time.",
        ));
    }
    let resolved_at = if status == IncidentStatus::Resolved {
        d.resolved_at
    } else {
        None
    };
    sqlx::query(
        "UPDATE incidents SET title = $2, description = $3, kind = $4, severity = $5, started_at = $6,
                detected_at = $7, resolved_at = $8, owner_id = $9
         WHERE id = $1",
    )
    .bind(id)
    .bind(&d.title)
    .bind(&d.description)
    .bind(d.kind.code())
    .bind(d.severity.code())
    .bind(d.started_at)
    .bind(d.detected_at)
    .bind(resolved_at)
    .bind(d.owner_id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let after = IncidentDraft {
        resolved_at,
        ..d.clone()
    };
    let changed = changed_fields(&before, &after);
    if changed.is_empty() {
        // Nothing to record; do not bump the version for a no-op save.
        tx.rollback().await.map_err(map_err)?;
        return Ok(());
    }
    event(
        &mut tx,
        id,
        now,
        "edit",
        (None, None),
        &format!("Changed {}", changed.join(", ")),
        actor,
    )
    .await?;
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "incident",
        Some(&id.to_string()),
        Some(snapshot(&before, status)),
        Some(snapshot(&after, status)),
        None,
    )
    .await?;
    db.commit(tx).await
}

fn changed_fields(a: &IncidentDraft, b: &IncidentDraft) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |same: bool, name| {
        if !same {
            out.push(name)
        }
    };
    check(a.title == b.title, "title");
    check(a.description == b.description, "description");
    check(a.kind == b.kind, "kind");
    check(a.severity == b.severity, "severity");
    check(a.started_at == b.started_at, "start");
    check(a.detected_at == b.detected_at, "detection time");
    check(a.resolved_at == b.resolved_at, "resolution time");
    check(a.owner_id == b.owner_id, "owner");
    out
}

pub async fn change_status(
    db: &Db,
    id: i64,
    version: i64,
    change: &StatusChange,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    claim(&mut tx, Versioned::Incident, id, version, now).await?;
    let (draft, from, _) = current(&mut tx, id).await?;
    if from == change.to {
        return Err(StoreError::field(
            "status",
            format!("The incident is already {}.", from.label().to_lowercase()),
        ));
    }
    let resolved_at = match change.to {
        IncidentStatus::Resolved if change.at < draft.started_at => {
            return Err(StoreError::field(
                "at",
                "It cannot be resolved before it started.",
            ))
        }
        IncidentStatus::Resolved => Some(change.at),
        _ => None,
    };
    sqlx::query("UPDATE incidents SET status = $2, resolved_at = $3 WHERE id = $1")
        .bind(id)
        .bind(change.to.code())
        .bind(resolved_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    event(
        &mut tx,
        id,
        change.at,
        "status",
        (Some(from), Some(change.to)),
        &change.note,
        actor,
    )
    .await?;
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "incident",
        Some(&id.to_string()),
        Some(json!({ "status": from.code(), "resolved_at": draft.resolved_at })),
        Some(
            json!({ "status": change.to.code(), "resolved_at": resolved_at, "note": change.note }),
        ),
        None,
    )
    .await?;
    db.commit(tx).await
}

pub async fn add_note(
    db: &Db,
    id: i64,
    note: &str,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    current(&mut tx, id).await?;
    event(&mut tx, id, now, "note", (None, None), note, actor).await?;
    audit(
        &mut tx,
        now,
        Some(actor),
        "create",
        "incident_note",
        Some(&id.to_string()),
        None,
        Some(json!({ "note": note })),
        None,
    )
    .await?;
    db.commit(tx).await
}

/// Active team members, by name: who may own an incident.
pub async fn people(db: &Db) -> Result<Vec<Person>, StoreError> {
    sqlx::query("SELECT id, name FROM users WHERE active = 1 ORDER BY name, id")
        .fetch_all(db.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| {
            Ok(Person {
                id: get(r, "id")?,
                name: get(r, "name")?,
            })
        })
        .collect()
}

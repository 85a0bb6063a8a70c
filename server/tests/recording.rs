//! The recording workflow's store contract, on SQLite and PostgreSQL alike: incidents (edits
//! with optimistic concurrency, status moves, notes), the incident list, marking customers
//! affected, giving recovery actions all or nothing, and logging replies. Inputs are built
//! with the domain parsers, as the server functions build them; row counts taken with plain
//! SQL prove what changed and, after every refusal, that nothing did.

mod common;

use app::domain::action::{ActionDraft, ActionForm, ActionTarget};
use app::domain::affected::{parse_list, ParsedList, PreviewLine};
use app::domain::incident::{
    IncidentDraft, IncidentFilter, IncidentForm, IncidentSort, StatusChange,
};
use app::domain::reply::{ReplyDraft, ReplyFilter, ReplyForm};
use app::domain::when::now_ms;
use app::domain::{
    when, ActionKind, AffectedSource, Channel, IncidentKind, IncidentStatus, Money, PageRequest,
    Role, SentimentLabel, Severity,
};
use app::error::StoreError;
use app::store::Store;
use common::on_both;
use serde_json::Value;
use server::store::{Db, NewUser};
use sqlx::Row;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Every table the recording workflow writes to.
const TABLES: &[&str] = &[
    "users",
    "customers",
    "incidents",
    "incident_events",
    "affected_customers",
    "recovery_actions",
    "replies",
    "audit_log",
];

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Row counts of every domain table and the audit log.
async fn counts(db: &Db) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push((*t, count(db, t).await));
    }
    out
}

/// An active editor; the password hash is never checked by these tests.
async fn user(db: &Db, email: &str, name: &str) -> i64 {
    let new = NewUser {
        email,
        name,
        role: Role::Editor,
        password_hash: "not-a-real-hash",
    };
    db.create_user(new, None, false, 0).await.unwrap()
}

/// A customer inserted directly, as an import would leave it.
async fn customer(db: &Db, external_ref: &str, name: &str, email: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO customers (external_ref, name, email, signed_up_at, created_at, updated_at)
         VALUES ($1, $2, $3, 0, 0, 0) RETURNING id",
    )
    .bind(external_ref.to_string())
    .bind(name.to_string())
    .bind(email.map(str::to_string))
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn customer_id(db: &Db, external_ref: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT id FROM customers WHERE external_ref = $1")
        .bind(external_ref.to_string())
        .fetch_optional(db.pool())
        .await
        .unwrap()
}

fn at(s: &str) -> i64 {
    when::parse_input(s).unwrap()
}

fn form(title: &str, kind: &str, severity: &str, started: &str) -> IncidentForm {
    IncidentForm {
        title: title.into(),
        kind: kind.into(),
        severity: severity.into(),
        started_at: started.into(),
        ..Default::default()
    }
}

fn draft(title: &str, kind: &str, severity: &str, started: &str) -> IncidentDraft {
    form(title, kind, severity, started)
        .parse(IncidentStatus::Open)
        .unwrap()
}

fn status(from: IncidentStatus, to: &str, when: &str, note: &str) -> StatusChange {
    StatusChange::parse(from, to, when, note).unwrap()
}

fn list(text: &str) -> ParsedList {
    parse_list(text).unwrap()
}

fn action(kind: &str, value: &str, currency: &str, note: &str) -> ActionDraft {
    ActionForm {
        kind: kind.into(),
        value: value.into(),
        cost: value.into(),
        currency: currency.into(),
        channel: "email".into(),
        note: note.into(),
        given_at: String::new(),
    }
    .parse(now_ms())
    .unwrap()
}

fn reply(customer: &str, incident: Option<i64>, received: &str, body: &str) -> ReplyDraft {
    ReplyForm {
        customer: customer.into(),
        incident_id: incident.map(|i| i.to_string()).unwrap_or_default(),
        channel: "email".into(),
        received_at: received.into(),
        csat: String::new(),
        body: body.into(),
    }
    .parse(now_ms())
    .unwrap()
}

/// One audit log row, its JSON parsed.
#[derive(Debug)]
struct Audit {
    user_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
}

async fn last_audit_id(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM audit_log")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Audit rows written after the row `since`, oldest first.
async fn audit_since(db: &Db, since: i64) -> Vec<Audit> {
    let json =
        |s: Option<String>| s.map(|s| serde_json::from_str::<Value>(&s).expect("audit JSON"));
    sqlx::query(
        "SELECT user_id, action, entity, entity_id, before, after FROM audit_log
         WHERE id > $1 ORDER BY id",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| Audit {
        user_id: r.try_get("user_id").unwrap(),
        action: r.try_get("action").unwrap(),
        entity: r.try_get("entity").unwrap(),
        entity_id: r.try_get("entity_id").unwrap(),
        before: json(r.try_get("before").unwrap()),
        after: json(r.try_get("after").unwrap()),
    })
    .collect()
}

fn field_of(err: &StoreError) -> Option<&str> {
    match err {
        StoreError::Field { field, .. } => Some(field.as_str()),
        _ => None,
    }
}

fn lines(p: &[PreviewLine]) -> Vec<(usize, &str)> {
    p.iter().map(|l| (l.line, l.text.as_str())).collect()
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<i64> {
    items.iter().map(id).collect()
}

// ---------------------------------------------------------------------------------------
// 1. Incident lifecycle
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn incident_lifecycle_edits_conflicts_statuses_and_notes() {
    on_both(|db, engine| async move {
        let ada = user(&db, "ada@team.example", "Ada Owner").await;
        let bob = user(&db, "bob@team.example", "Bob Editor").await;
        let typed = IncidentForm {
            description: "Payments fail at the last step".into(),
            detected_at: "2026-11-20T14:10".into(),
            owner_id: ada.to_string(),
            ..form("Checkout down", "outage", "sev1", "2026-11-20T14:05")
        };
        let d = typed.parse(IncidentStatus::Open).unwrap();

        // Create.
        let mark = last_audit_id(&db).await;
        let id = db.create_incident(&d, ada).await.unwrap();
        let det = db
            .incident(id)
            .await
            .unwrap()
            .expect("detail of a new incident");
        assert_eq!(
            (det.status, det.version, det.resolved_at),
            (IncidentStatus::Open, 1, None),
            "{engine}: a new incident"
        );
        assert_eq!(det.draft(), d, "{engine}: stored fields are the draft's");
        assert_eq!(det.owner.as_deref(), Some("Ada Owner"), "{engine}");
        assert_eq!(det.events.len(), 1, "{engine}: {:?}", det.events);
        let created = &det.events[0];
        assert_eq!(
            (
                created.kind.as_str(),
                created.from_status,
                created.to_status,
                created.by.as_deref()
            ),
            (
                "created",
                None,
                Some(IncidentStatus::Open),
                Some("Ada Owner")
            ),
            "{engine}: the created event"
        );
        let audit = audit_since(&db, mark).await;
        assert_eq!(audit.len(), 1, "{engine}: one audit row for create");
        assert_eq!(
            (
                audit[0].action.as_str(),
                audit[0].entity.as_str(),
                audit[0].entity_id.clone(),
                audit[0].user_id
            ),
            ("create", "incident", Some(id.to_string()), Some(ada)),
            "{engine}"
        );
        assert_eq!(
            audit[0].after.as_ref().unwrap()["title"],
            "Checkout down",
            "{engine}"
        );

        // Edit from the right version: fields change, version 2, an edit event names them.
        let edited = IncidentForm {
            title: "Checkout down in the EU".into(),
            severity: "sev2".into(),
            ..typed.clone()
        }
        .parse(IncidentStatus::Open)
        .unwrap();
        let mark = last_audit_id(&db).await;
        db.update_incident(id, 1, &edited, bob).await.unwrap();
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.title.as_str(), det.severity, det.kind, det.version),
            (
                "Checkout down in the EU",
                Severity::Sev2,
                IncidentKind::Outage,
                2
            ),
            "{engine}: after the edit"
        );
        let edit = det
            .events
            .iter()
            .find(|e| e.kind == "edit")
            .expect("an edit event");
        assert!(
            edit.note.contains("title") && edit.note.contains("severity"),
            "{engine}: edit event names the changed fields: {:?}",
            edit.note
        );
        assert!(
            !edit.note.contains("kind")
                && !edit.note.contains("description")
                && !edit.note.contains("owner"),
            "{engine}: edit event names only the changed fields: {:?}",
            edit.note
        );
        assert_eq!(edit.by.as_deref(), Some("Bob Editor"), "{engine}");
        let audit = audit_since(&db, mark).await;
        assert_eq!(audit.len(), 1, "{engine}: one audit row for the edit");
        assert_eq!(
            (audit[0].action.as_str(), audit[0].user_id),
            ("update", Some(bob)),
            "{engine}"
        );
        assert_eq!(
            audit[0].before.as_ref().unwrap()["title"],
            "Checkout down",
            "{engine}"
        );
        assert_eq!(
            audit[0].after.as_ref().unwrap()["title"],
            "Checkout down in the EU",
            "{engine}"
        );

        // Saving the same values again is not a change.
        let before = counts(&db).await;
        db.update_incident(id, 2, &edited, bob).await.unwrap();
        assert_eq!(
            db.incident(id).await.unwrap().unwrap().version,
            2,
            "{engine}: a no-op save bumped the version"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a no-op save wrote something"
        );

        // Two people edit from version 1: the second save is refused and changes nothing.
        let theirs = IncidentDraft {
            title: "Someone else's title".into(),
            ..edited.clone()
        };
        let err = db.update_incident(id, 1, &theirs, ada).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: stale edit gave {err:?}"
        );
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.title.as_str(), det.version),
            ("Checkout down in the EU", 2),
            "{engine}: stale edit"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a stale edit wrote something"
        );

        // open → mitigated → resolved, each with a note.
        let mark = last_audit_id(&db).await;
        db.change_status(
            id,
            2,
            &status(
                IncidentStatus::Open,
                "mitigated",
                "2026-11-20T15:00",
                "Rolled back",
            ),
            ada,
        )
        .await
        .unwrap();
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.status, det.resolved_at, det.version),
            (IncidentStatus::Mitigated, None, 3),
            "{engine}"
        );
        // A status change from a stale version is refused too.
        let resolve = status(
            IncidentStatus::Mitigated,
            "resolved",
            "2026-11-20T16:30",
            "Fixed for good",
        );
        let err = db.change_status(id, 2, &resolve, ada).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: stale status change gave {err:?}"
        );
        db.change_status(id, 3, &resolve, bob).await.unwrap();
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.status, det.resolved_at, det.version),
            (IncidentStatus::Resolved, Some(at("2026-11-20T16:30")), 4),
            "{engine}: resolved at the change's time"
        );
        let moves: Vec<_> = det
            .events
            .iter()
            .filter(|e| e.kind == "status")
            .map(|e| {
                (
                    e.at,
                    e.from_status,
                    e.to_status,
                    e.note.as_str(),
                    e.by.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            moves,
            vec![
                (
                    at("2026-11-20T15:00"),
                    Some(IncidentStatus::Open),
                    Some(IncidentStatus::Mitigated),
                    "Rolled back",
                    Some("Ada Owner")
                ),
                (
                    at("2026-11-20T16:30"),
                    Some(IncidentStatus::Mitigated),
                    Some(IncidentStatus::Resolved),
                    "Fixed for good",
                    Some("Bob Editor")
                ),
            ],
            "{engine}: status events in order"
        );
        let audit = audit_since(&db, mark).await;
        assert_eq!(
            audit.len(),
            2,
            "{engine}: one audit row per status change: {audit:?}"
        );
        assert_eq!(
            audit[1].before.as_ref().unwrap()["status"],
            "mitigated",
            "{engine}"
        );
        assert_eq!(
            audit[1].after.as_ref().unwrap()["status"],
            "resolved",
            "{engine}"
        );

        // Reopening clears the resolved time.
        db.change_status(
            id,
            4,
            &status(
                IncidentStatus::Resolved,
                "open",
                "2026-11-21T09:00",
                "It is back",
            ),
            ada,
        )
        .await
        .unwrap();
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.status, det.resolved_at, det.version),
            (IncidentStatus::Open, None, 5),
            "{engine}: reopened"
        );

        // Resolving before it started is refused, and nothing changes.
        let before = counts(&db).await;
        let early = status(IncidentStatus::Open, "resolved", "2026-11-19T00:00", "");
        let err = db.change_status(id, 5, &early, ada).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Field { .. } | StoreError::Invalid(_)),
            "{engine}: resolving before the start gave {err:?}"
        );
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.status, det.resolved_at, det.version),
            (IncidentStatus::Open, None, 5),
            "{engine}: early resolve"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: an early resolve wrote something"
        );

        // A missing incident.
        let missing = id + 1000;
        assert_eq!(
            db.update_incident(missing, 1, &edited, ada).await,
            Err(StoreError::NotFound),
            "{engine}"
        );
        assert_eq!(
            db.change_status(missing, 1, &resolve, ada).await,
            Err(StoreError::NotFound),
            "{engine}"
        );
        assert_eq!(
            db.add_incident_note(missing, "hello", ada).await,
            Err(StoreError::NotFound),
            "{engine}"
        );
        assert_eq!(db.incident(missing).await.unwrap(), None, "{engine}");
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: changes to a missing incident wrote something"
        );

        // An owner who does not exist, or who was deactivated, is refused on the owner field.
        let nobody = IncidentDraft {
            owner_id: Some(ada + bob + 1000),
            ..det.draft()
        };
        let err = db.update_incident(id, 5, &nobody, ada).await.unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("owner_id"),
            "{engine}: unknown owner gave {err:?}"
        );
        db.update_user(bob, Role::Editor, false, ada).await.unwrap();
        assert!(
            db.people().await.unwrap().iter().all(|p| p.id != bob),
            "{engine}: a deactivated user is offered as owner"
        );
        let before = counts(&db).await;
        let to_bob = IncidentDraft {
            owner_id: Some(bob),
            ..det.draft()
        };
        let err = db.update_incident(id, 5, &to_bob, ada).await.unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("owner_id"),
            "{engine}: deactivated owner gave {err:?}"
        );
        let err = db.create_incident(&to_bob, ada).await.unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("owner_id"),
            "{engine}: create with a deactivated owner gave {err:?}"
        );
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.owner_id, det.version),
            (Some(ada), 5),
            "{engine}: refused owner change"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a refused owner wrote something"
        );

        // A note is appended to the timeline.
        let events = det.events.len();
        let mark = last_audit_id(&db).await;
        db.add_incident_note(id, "Status page updated", ada)
            .await
            .unwrap();
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(det.events.len(), events + 1, "{engine}");
        let notes: Vec<_> = det
            .events
            .iter()
            .filter(|e| e.kind == "note")
            .map(|e| (e.note.as_str(), e.by.as_deref()))
            .collect();
        assert_eq!(
            notes,
            vec![("Status page updated", Some("Ada Owner"))],
            "{engine}: the note event"
        );
        assert_eq!(
            audit_since(&db, mark).await.len(),
            1,
            "{engine}: one audit row for the note"
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_edits_from_one_version_let_exactly_one_win() {
    on_both(|db, engine| async move {
        let me = user(&db, "lead@team.example", "Lead").await;
        let d = draft("Checkout down", "outage", "sev1", "2026-11-20T14:05");
        let id = db.create_incident(&d, me).await.unwrap();
        // Six people save an edit they all started from version 1, at the same time.
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let db = db.clone();
                let mine = IncidentDraft {
                    title: format!("Edit {i}"),
                    ..d.clone()
                };
                tokio::spawn(async move { db.update_incident(id, 1, &mine, me).await })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let winners: Vec<usize> = (0..results.len()).filter(|i| results[*i].is_ok()).collect();
        assert_eq!(
            winners.len(),
            1,
            "{engine}: exactly one concurrent edit wins: {results:?}"
        );
        assert!(
            results
                .iter()
                .all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict(_)))),
            "{engine}: the others are conflicts: {results:?}"
        );
        let det = db.incident(id).await.unwrap().unwrap();
        assert_eq!(
            (det.title, det.version),
            (format!("Edit {}", winners[0]), 2),
            "{engine}: the winner's edit is stored"
        );
        assert_eq!(
            det.events.iter().filter(|e| e.kind == "edit").count(),
            1,
            "{engine}: one edit event"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 2. Incident list
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn incident_list_filters_sorts_and_pages() {
    on_both(|db, engine| async move {
        let me = user(&db, "lead@team.example", "Lead").await;
        let mut make = Vec::new();
        for (title, description, kind, severity, started) in [
            (
                "Checkout outage",
                "Payments failed for 100% of EU users",
                "outage",
                "sev1",
                "2026-11-01T10:00",
            ),
            (
                "Slow search",
                "p99 latency up",
                "degradation",
                "sev3",
                "2026-11-05T09:00",
            ),
            (
                "Billing double charge",
                "Some CHECKOUT invoices were charged twice",
                "billing_error",
                "sev2",
                "2026-11-10T12:00",
            ),
            (
                "Login bug",
                "Users hit the rate_limit wall",
                "bug",
                "sev4",
                "2026-11-15T08:00",
            ),
            (
                "Data loss in exports",
                "Exports truncated",
                "data_loss",
                "sev1",
                "2026-11-20T16:00",
            ),
        ] {
            let d = IncidentForm {
                description: description.into(),
                ..form(title, kind, severity, started)
            }
            .parse(IncidentStatus::Open)
            .unwrap();
            make.push(db.create_incident(&d, me).await.unwrap());
        }
        let [a, b, c, d, e] = make[..] else {
            unreachable!()
        };
        db.change_status(
            a,
            1,
            &status(IncidentStatus::Open, "resolved", "2026-11-02T10:00", ""),
            me,
        )
        .await
        .unwrap();
        db.change_status(
            b,
            1,
            &status(IncidentStatus::Open, "mitigated", "2026-11-05T10:00", ""),
            me,
        )
        .await
        .unwrap();
        // Affected: c 3, a 2, b 1. Replies: d 2, b 1.
        db.confirm_affected(c, &list("K-1\nK-2\nK-3"), AffectedSource::Manual, me)
            .await
            .unwrap();
        db.confirm_affected(a, &list("K-1\nK-2"), AffectedSource::Manual, me)
            .await
            .unwrap();
        db.confirm_affected(b, &list("K-1"), AffectedSource::Manual, me)
            .await
            .unwrap();
        for (inc, when) in [
            (d, "2026-11-16T10:00"),
            (d, "2026-11-17T10:00"),
            (b, "2026-11-06T10:00"),
        ] {
            db.create_reply(&reply("K-1", Some(inc), when, "Noted"), 0.0, me)
                .await
                .unwrap();
        }

        let run = |f: IncidentFilter| {
            let db = db.clone();
            async move {
                let p = db
                    .list_incidents(&f, PageRequest::new(Some(1), Some(50)))
                    .await
                    .unwrap();
                assert_eq!(p.total as usize, p.items.len(), "total matches the rows");
                ids(&p.items, |r| r.id)
            }
        };
        let all = IncidentFilter::default();
        assert_eq!(
            run(all.clone()).await,
            vec![e, d, c, b, a],
            "{engine}: newest first"
        );
        // (filter, expected ids in order, what it checks)
        let cases = [
            (
                IncidentFilter {
                    sort: IncidentSort::Oldest,
                    ..all.clone()
                },
                vec![a, b, c, d, e],
                "oldest",
            ),
            (
                IncidentFilter {
                    sort: IncidentSort::Severity,
                    ..all.clone()
                },
                vec![e, a, c, b, d],
                "severity, then newest",
            ),
            (
                IncidentFilter {
                    sort: IncidentSort::MostAffected,
                    ..all.clone()
                },
                vec![c, a, b, e, d],
                "most affected, then newest",
            ),
            (
                IncidentFilter {
                    sort: IncidentSort::MostReplies,
                    ..all.clone()
                },
                vec![d, b, e, c, a],
                "most replies, then newest",
            ),
            (
                IncidentFilter {
                    status: Some(IncidentStatus::Open),
                    ..all.clone()
                },
                vec![e, d, c],
                "open",
            ),
            (
                IncidentFilter {
                    status: Some(IncidentStatus::Resolved),
                    ..all.clone()
                },
                vec![a],
                "resolved",
            ),
            (
                IncidentFilter {
                    status: Some(IncidentStatus::Mitigated),
                    ..all.clone()
                },
                vec![b],
                "mitigated",
            ),
            (
                IncidentFilter {
                    severity: Some(Severity::Sev1),
                    ..all.clone()
                },
                vec![e, a],
                "sev1",
            ),
            (
                IncidentFilter {
                    kind: Some(IncidentKind::Bug),
                    ..all.clone()
                },
                vec![d],
                "bug",
            ),
            (
                IncidentFilter {
                    status: Some(IncidentStatus::Open),
                    severity: Some(Severity::Sev1),
                    ..all.clone()
                },
                vec![e],
                "open and sev1",
            ),
            // [from, to): b starts exactly at `from` (in), d exactly at `to` (out).
            (
                IncidentFilter {
                    from: Some(at("2026-11-05T09:00")),
                    to: Some(at("2026-11-15T08:00")),
                    ..all.clone()
                },
                vec![c, b],
                "date range [from, to)",
            ),
            (
                IncidentFilter {
                    from: Some(at("2026-11-15T08:00")),
                    ..all.clone()
                },
                vec![e, d],
                "from only",
            ),
        ];
        for (filter, want, what) in cases {
            assert_eq!(run(filter).await, want, "{engine}: {what}");
        }

        let search = |q: &str| IncidentFilter {
            search: Some(q.into()),
            ..all.clone()
        };
        let searches: [(&str, Vec<i64>, &str); 8] = [
            ("checkout", vec![c, a], "title or description, any case"),
            ("CHECKOUT", vec![c, a], "upper-case search"),
            ("LaTeNcY", vec![b], "description only"),
            ("100%", vec![a], "a literal %"),
            ("%", vec![a], "% must be literal"),
            ("_", vec![d], "_ must be literal"),
            ("rate_limit", vec![d], "a literal _"),
            ("nothing like this", vec![], "no match"),
        ];
        for (q, want, what) in searches {
            assert_eq!(run(search(q)).await, want, "{engine}: {what}");
        }
        assert_eq!(
            run(IncidentFilter {
                search: Some("checkout".into()),
                status: Some(IncidentStatus::Open),
                ..all.clone()
            })
            .await,
            vec![c],
            "{engine}: search and status"
        );

        // Rows carry their counts.
        let p = db
            .list_incidents(&all, PageRequest::default())
            .await
            .unwrap();
        let row = p.items.iter().find(|r| r.id == c).unwrap();
        assert_eq!(
            (row.affected, row.actions, row.replies, row.status),
            (3, 0, 0, IncidentStatus::Open),
            "{engine}"
        );
        let row = p.items.iter().find(|r| r.id == a).unwrap();
        assert_eq!(
            (row.status, row.resolved_at),
            (IncidentStatus::Resolved, Some(at("2026-11-02T10:00"))),
            "{engine}"
        );

        // Pages of two: no overlap, the right total everywhere.
        let page = |n, f: IncidentFilter| {
            let db = db.clone();
            async move {
                db.list_incidents(&f, PageRequest::new(Some(n), Some(2)))
                    .await
                    .unwrap()
            }
        };
        let (p1, p2, p3, p4) = (
            page(1, all.clone()).await,
            page(2, all.clone()).await,
            page(3, all.clone()).await,
            page(4, all.clone()).await,
        );
        assert_eq!(
            (
                ids(&p1.items, |r| r.id),
                ids(&p2.items, |r| r.id),
                ids(&p3.items, |r| r.id),
                p4.items.len()
            ),
            (vec![e, d], vec![c, b], vec![a], 0),
            "{engine}: pages"
        );
        assert_eq!(
            (
                p1.total,
                p3.total,
                p1.page_count(),
                p2.has_next(),
                p3.has_next()
            ),
            (5, 5, 3, true, false),
            "{engine}"
        );
        let open2 = page(
            2,
            IncidentFilter {
                status: Some(IncidentStatus::Open),
                ..all.clone()
            },
        )
        .await;
        assert_eq!(
            (open2.total, ids(&open2.items, |r| r.id)),
            (3, vec![c]),
            "{engine}: filtered page 2"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 3. Affected customers
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn affected_customers_preview_confirm_and_remove() {
    on_both(|db, engine| async move {
        let me = user(&db, "lead@team.example", "Lead").await;
        let ada = customer(&db, "C-1", "Ada Lovelace", Some("ada@engine.example")).await;
        let grace = customer(&db, "C-2", "Grace Hopper", Some("grace@navy.example")).await;
        let alan = customer(&db, "C-3", "Alan Turing", Some("alan@bletchley.example")).await;
        customer(&db, "C-4", "Twin One", Some("shared@twins.example")).await;
        customer(&db, "C-5", "Twin Two", Some("shared@twins.example")).await;
        let edsger = customer(&db, "C-6", "Edsger Dijkstra", None).await;
        let started = "2026-11-20T14:05";
        let inc = db
            .create_incident(&draft("Checkout down", "outage", "sev1", started), me)
            .await
            .unwrap();

        // 3 known refs, 1 unknown, 1 malformed line and a duplicate: preview changes nothing.
        let pasted = list("C-1\nC-2\nC-3\nNEW-9\nnot a ref\nC-2\n");
        let before = counts(&db).await;
        let p = db.preview_affected(inc, &pasted).await.unwrap();
        assert_eq!(
            lines(&p.matched),
            vec![(1, "C-1"), (2, "C-2"), (3, "C-3")],
            "{engine}: matched"
        );
        assert_eq!(
            p.matched
                .iter()
                .map(|l| l.customer.as_str())
                .collect::<Vec<_>>(),
            vec!["Ada Lovelace", "Grace Hopper", "Alan Turing"],
            "{engine}: matched names"
        );
        assert_eq!(lines(&p.unknown), vec![(4, "NEW-9")], "{engine}: unknown");
        assert_eq!(
            lines(&p.duplicates),
            vec![(6, "C-2")],
            "{engine}: duplicates"
        );
        assert_eq!(
            lines(&p.malformed),
            vec![(5, "not a ref")],
            "{engine}: malformed"
        );
        assert!(p.already.is_empty(), "{engine}");
        assert_eq!(p.to_add(), 4, "{engine}");
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: preview wrote something"
        );

        // Confirm: 4 linked, 1 created, one audit row.
        let mark = last_audit_id(&db).await;
        let added = db
            .confirm_affected(inc, &pasted, AffectedSource::Import, me)
            .await
            .unwrap();
        assert_eq!((added.linked, added.created), (4, 1), "{engine}: confirm");
        assert_eq!(
            count(&db, "customers").await,
            before[1].1 + 1,
            "{engine}: one customer created"
        );
        assert_eq!(count(&db, "affected_customers").await, 4, "{engine}");
        let new9 = customer_id(&db, "NEW-9").await.expect("NEW-9 created");
        let (name, plan, signed_up): (String, String, i64) =
            sqlx::query_as("SELECT name, plan, signed_up_at FROM customers WHERE id = $1")
                .bind(new9)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(
            (name.as_str(), plan.as_str()),
            ("NEW-9", "unknown"),
            "{engine}: the new customer"
        );
        assert!(
            signed_up <= at(started),
            "{engine}: signed up after the incident"
        );
        let audit = audit_since(&db, mark).await;
        assert_eq!(
            audit.len(),
            1,
            "{engine}: one audit row for confirm: {audit:?}"
        );
        assert_eq!(
            (
                audit[0].action.as_str(),
                audit[0].entity.as_str(),
                audit[0].entity_id.clone(),
                audit[0].user_id
            ),
            (
                "create",
                "affected_customers",
                Some(inc.to_string()),
                Some(me)
            ),
            "{engine}"
        );
        assert_eq!(audit[0].after.as_ref().unwrap()["linked"], 4, "{engine}");
        let det = db.incident(inc).await.unwrap().unwrap();
        assert_eq!(det.affected_total, 4, "{engine}");
        let mut linked = ids(&det.affected, |a| a.customer_id);
        linked.sort();
        let mut want = vec![ada, grace, alan, new9];
        want.sort();
        assert_eq!(linked, want, "{engine}: linked customers");
        assert!(
            det.affected
                .iter()
                .all(|a| a.source == AffectedSource::Import),
            "{engine}: source"
        );

        // The same list again: everyone is already there, and confirming it changes nothing.
        let p = db.preview_affected(inc, &pasted).await.unwrap();
        assert_eq!(
            lines(&p.already),
            vec![(1, "C-1"), (2, "C-2"), (3, "C-3"), (4, "NEW-9")],
            "{engine}: already"
        );
        assert_eq!(
            (p.matched.len(), p.unknown.len(), p.to_add()),
            (0, 0, 0),
            "{engine}"
        );
        let before = counts(&db).await;
        let again = db
            .confirm_affected(inc, &pasted, AffectedSource::Import, me)
            .await
            .unwrap();
        assert_eq!(
            (again.linked, again.created),
            (0, 0),
            "{engine}: confirm again"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: confirming nothing new wrote something"
        );

        // Emails match whatever their case; an email two customers share is not linked.
        let inc2 = db
            .create_incident(&draft("Login bug", "bug", "sev3", started), me)
            .await
            .unwrap();
        let by_email =
            list("GRACE@Navy.Example\nalan@bletchley.example\nshared@twins.example\nC-6");
        let p = db.preview_affected(inc2, &by_email).await.unwrap();
        assert_eq!(
            p.matched
                .iter()
                .map(|l| l.customer.as_str())
                .collect::<Vec<_>>(),
            vec!["Grace Hopper", "Alan Turing", "Edsger Dijkstra"],
            "{engine}: matched by email"
        );
        assert_eq!(
            lines(&p.malformed),
            vec![(3, "shared@twins.example")],
            "{engine}: shared email is ambiguous"
        );
        assert!(
            p.unknown.is_empty(),
            "{engine}: a shared email must not create a customer: {:?}",
            p.unknown
        );
        let added = db
            .confirm_affected(inc2, &by_email, AffectedSource::Manual, me)
            .await
            .unwrap();
        assert_eq!(
            (added.linked, added.created),
            (3, 0),
            "{engine}: confirm by email"
        );
        let mut linked = ids(&db.incident(inc2).await.unwrap().unwrap().affected, |a| {
            a.customer_id
        });
        linked.sort();
        let mut want = vec![grace, alan, edsger];
        want.sort();
        assert_eq!(linked, want, "{engine}: twins were not linked");

        // A CSV brings the new customer's name, email and plan; known customers keep theirs.
        let inc3 = db
            .create_incident(&draft("Slow search", "degradation", "sev4", started), me)
            .await
            .unwrap();
        let csv = list(concat!(
            "ref,name,email,plan\n",
            "C-1,Someone Else,,\n",
            "NEW-CSV,Barbara Liskov,Barbara@MIT.example,enterprise\n",
        ));
        let p = db.preview_affected(inc3, &csv).await.unwrap();
        assert_eq!(lines(&p.matched), vec![(2, "C-1")], "{engine}");
        assert_eq!(
            p.unknown
                .iter()
                .map(|l| (l.line, l.customer.as_str()))
                .collect::<Vec<_>>(),
            vec![(3, "Barbara Liskov")],
            "{engine}: a new customer is shown with the CSV's name"
        );
        let added = db
            .confirm_affected(inc3, &csv, AffectedSource::Import, me)
            .await
            .unwrap();
        assert_eq!(
            (added.linked, added.created),
            (2, 1),
            "{engine}: CSV confirm"
        );
        let row: (String, Option<String>, String) = sqlx::query_as(
            "SELECT name, email, plan FROM customers WHERE external_ref = 'NEW-CSV'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            row,
            (
                "Barbara Liskov".into(),
                Some("barbara@mit.example".into()),
                "enterprise".into()
            ),
            "{engine}: the CSV's customer"
        );
        let ada_name: String = sqlx::query_scalar("SELECT name FROM customers WHERE id = $1")
            .bind(ada)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(
            ada_name, "Ada Lovelace",
            "{engine}: a known customer's name is not overwritten"
        );

        // Removing a link takes that customer's actions for the incident with it.
        db.give_actions(
            inc,
            &ActionTarget::All,
            &action("credit", "10", "usd", ""),
            me,
        )
        .await
        .unwrap();
        db.give_actions(
            inc3,
            &ActionTarget::Customer(ada),
            &action("gift", "5", "usd", ""),
            me,
        )
        .await
        .unwrap();
        let actions = count(&db, "recovery_actions").await;
        assert_eq!(actions, 5, "{engine}");
        let mark = last_audit_id(&db).await;
        db.remove_affected(inc, ada, me).await.unwrap();
        assert_eq!(
            count(&db, "recovery_actions").await,
            actions - 1,
            "{engine}: Ada's action stays"
        );
        let det = db.incident(inc).await.unwrap().unwrap();
        assert_eq!(
            (det.affected_total, det.actions_total),
            (3, 3),
            "{engine}: after removal"
        );
        assert!(
            det.affected.iter().all(|a| a.customer_id != ada),
            "{engine}: Ada still linked"
        );
        assert!(
            det.actions.iter().all(|a| a.customer_id != ada),
            "{engine}: Ada's action survived"
        );
        let det3 = db.incident(inc3).await.unwrap().unwrap();
        assert_eq!(
            (det3.affected_total, det3.actions_total),
            (2, 1),
            "{engine}: other incidents untouched"
        );
        assert!(
            customer_id(&db, "C-1").await.is_some(),
            "{engine}: the customer itself stays"
        );
        let audit = audit_since(&db, mark).await;
        assert_eq!(audit.len(), 1, "{engine}: one audit row for the removal");
        assert_eq!(
            (audit[0].action.as_str(), audit[0].entity.as_str()),
            ("delete", "affected_customer"),
            "{engine}"
        );
        assert_eq!(
            audit[0].before.as_ref().unwrap()["actions_removed"],
            1,
            "{engine}"
        );

        // Removing what is not linked, or from a missing incident, is NotFound and writes nothing.
        let before = counts(&db).await;
        assert_eq!(
            db.remove_affected(inc, ada, me).await,
            Err(StoreError::NotFound),
            "{engine}: removed twice"
        );
        assert_eq!(
            db.remove_affected(inc, edsger, me).await,
            Err(StoreError::NotFound),
            "{engine}: never linked"
        );
        let missing = inc3 + 1000;
        assert_eq!(
            db.remove_affected(missing, grace, me).await,
            Err(StoreError::NotFound),
            "{engine}"
        );
        assert_eq!(
            db.preview_affected(missing, &pasted).await,
            Err(StoreError::NotFound),
            "{engine}: preview, missing incident"
        );
        assert_eq!(
            db.confirm_affected(missing, &pasted, AffectedSource::Manual, me)
                .await,
            Err(StoreError::NotFound),
            "{engine}: confirm, missing incident"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a refused change wrote something"
        );
    })
    .await;
}

#[tokio::test]
async fn a_customer_named_by_ref_and_by_email_is_linked_once() {
    // Both engines run before anything is asserted, so a failure reports both.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    on_both(|db, engine| {
        let seen = seen.clone();
        async move {
            let me = user(&db, "lead@team.example", "Lead").await;
            let ada = customer(&db, "C-1", "Ada Lovelace", Some("ada@engine.example")).await;
            let inc = db
                .create_incident(
                    &draft("Checkout down", "outage", "sev1", "2026-11-20T14:05"),
                    me,
                )
                .await
                .unwrap();
            // Two different keys for the same person: the parser cannot know, only the store can.
            let both = list("C-1\nada@engine.example");
            let to_add = db.preview_affected(inc, &both).await.unwrap().to_add();
            let added = db
                .confirm_affected(inc, &both, AffectedSource::Manual, me)
                .await
                .map(|a| (a.linked, a.created));
            let linked = ids(&db.incident(inc).await.unwrap().unwrap().affected, |a| {
                a.customer_id
            });
            seen.lock()
                .unwrap()
                .push((engine, to_add, added, linked == vec![ada]));
        }
    })
    .await;
    let seen = seen.lock().unwrap().clone();
    let got: Vec<_> = seen
        .iter()
        .map(|(_, to_add, added, linked)| (*to_add, added.clone(), *linked))
        .collect();
    // Named once by ref and once by email, Ada is one customer: the preview promises one
    // link and confirm links her once (the second line is reported as a duplicate).
    assert_eq!(
        got,
        vec![(1, Ok((1, 0)), true); seen.len()],
        "engines {:?}: one customer named by ref and by email",
        seen.iter().map(|s| s.0).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------
// 4. Recovery actions
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn bulk_actions_target_merge_and_are_all_or_nothing() {
    on_both(|db, engine| async move {
        let me = user(&db, "lead@team.example", "Lead").await;
        let ada = customer(&db, "C-1", "Ada Lovelace", Some("ada@engine.example")).await;
        let grace = customer(&db, "C-2", "Grace Hopper", Some("grace@navy.example")).await;
        let alan = customer(&db, "C-3", "Alan Turing", Some("alan@bletchley.example")).await;
        let outsider = customer(&db, "C-4", "Not Affected", None).await;
        let edsger = customer(&db, "C-5", "Edsger Dijkstra", None).await;
        let title = "the checkout outage";
        let inc = db
            .create_incident(&draft(title, "outage", "sev1", "2026-11-20T14:05"), me)
            .await
            .unwrap();
        db.confirm_affected(inc, &list("C-1\nC-2\nC-3"), AffectedSource::Manual, me)
            .await
            .unwrap();

        // A credit to everyone: same kind, value, cost and currency; the note merged per person.
        let credit = ActionForm {
            kind: "credit".into(),
            value: "25".into(),
            cost: "20".into(),
            currency: "usd".into(),
            channel: "email".into(),
            note: "Hi {first_name}, we added {credit} to your account.".into(),
            given_at: "2026-11-21T10:00".into(),
        }
        .parse(now_ms())
        .unwrap();
        let mark = last_audit_id(&db).await;
        assert_eq!(
            db.give_actions(inc, &ActionTarget::All, &credit, me).await,
            Ok(3),
            "{engine}: all"
        );
        assert_eq!(count(&db, "recovery_actions").await, 3, "{engine}");
        let det = db.incident(inc).await.unwrap().unwrap();
        let mut got: Vec<_> = det
            .actions
            .iter()
            .map(|a| {
                (
                    a.customer_id,
                    a.kind,
                    a.value.clone(),
                    a.cost.clone(),
                    a.channel,
                    a.given_at,
                    a.note.clone(),
                )
            })
            .collect();
        got.sort_by_key(|g| g.0);
        let row = |id, first: &str| {
            (
                id,
                ActionKind::Credit,
                Money::new(2500, "USD"),
                Money::new(2000, "USD"),
                Channel::Email,
                at("2026-11-21T10:00"),
                format!("Hi {first}, we added $25.00 to your account."),
            )
        };
        assert_eq!(
            got,
            vec![row(ada, "Ada"), row(grace, "Grace"), row(alan, "Alan")],
            "{engine}: the credits"
        );
        assert_eq!(
            det.cost,
            vec![Money::new(6000, "USD")],
            "{engine}: the incident's cost"
        );
        let audit = audit_since(&db, mark).await;
        assert_eq!(
            audit.len(),
            1,
            "{engine}: one audit row for a bulk give: {audit:?}"
        );
        assert_eq!(
            (
                audit[0].action.as_str(),
                audit[0].entity.as_str(),
                audit[0].entity_id.clone()
            ),
            ("create", "recovery_actions", Some(inc.to_string())),
            "{engine}"
        );
        assert_eq!(audit[0].after.as_ref().unwrap()["customers"], 3, "{engine}");

        // Nobody uncontacted now, and the outsider is not affected: refused, nothing written.
        let before = counts(&db).await;
        let apology = action("apology", "", "usd", "Sorry, {name}.");
        let err = db
            .give_actions(inc, &ActionTarget::Uncontacted, &apology, me)
            .await
            .unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("target"),
            "{engine}: uncontacted gave {err:?}"
        );
        let err = db
            .give_actions(inc, &ActionTarget::Customer(outsider), &apology, me)
            .await
            .unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("target"),
            "{engine}: a customer not affected gave {err:?}"
        );
        let err = db
            .give_actions(inc, &ActionTarget::WithoutThisKind, &credit, me)
            .await
            .unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("target"),
            "{engine}: everyone has a credit, yet {err:?}"
        );
        assert_eq!(
            db.give_actions(inc + 1000, &ActionTarget::All, &apology, me)
                .await,
            Err(StoreError::NotFound),
            "{engine}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a refused give wrote something"
        );

        // Without this kind: an apology still reaches all three.
        assert_eq!(
            db.give_actions(inc, &ActionTarget::WithoutThisKind, &apology, me)
                .await,
            Ok(3),
            "{engine}: without apology"
        );
        // A newly affected customer is the only uncontacted one.
        db.confirm_affected(inc, &list("C-5"), AffectedSource::Manual, me)
            .await
            .unwrap();
        assert_eq!(
            db.give_actions(inc, &ActionTarget::Uncontacted, &apology, me)
                .await,
            Ok(1),
            "{engine}: uncontacted"
        );
        let edsger_actions: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_actions WHERE customer_id = $1")
                .bind(edsger)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(edsger_actions, 1, "{engine}: the uncontacted one got it");
        // One customer: the note's {credit} includes this refund.
        let refund = action("refund", "5", "usd", "Refunded; in all {credit}.");
        assert_eq!(
            db.give_actions(inc, &ActionTarget::Customer(ada), &refund, me)
                .await,
            Ok(1),
            "{engine}: one customer"
        );
        let note: String = sqlx::query_scalar(
            "SELECT note FROM recovery_actions WHERE customer_id = $1 AND kind = 'refund'",
        )
        .bind(ada)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            note, "Refunded; in all $30.00.",
            "{engine}: {{credit}} sums credit and refund"
        );
        db.give_actions(
            inc,
            &ActionTarget::Customer(ada),
            &action("refund", "5", "eur", ""),
            me,
        )
        .await
        .unwrap();
        // Only those who have not churned.
        sqlx::query("UPDATE customers SET churned_at = 1000 WHERE id = $1")
            .bind(alan)
            .execute(db.pool())
            .await
            .unwrap();
        let mark = last_audit_id(&db).await;
        assert_eq!(
            db.give_actions(
                inc,
                &ActionTarget::Active,
                &action("gift", "3", "usd", ""),
                me
            )
            .await,
            Ok(3),
            "{engine}: active"
        );
        let alan_gifts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_actions WHERE customer_id = $1 AND kind = 'gift'",
        )
        .bind(alan)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(alan_gifts, 0, "{engine}: a churned customer got the gift");
        assert_eq!(audit_since(&db, mark).await.len(), 1, "{engine}");

        // The mail merge: one line per affected customer, by name, with their credits and refunds.
        let merged = db
            .mail_merge(inc, "Dear {name}: {credit} for {incident}.")
            .await
            .unwrap();
        let line = |name: &str, email: Option<&str>, credit: &str| {
            (
                name.to_string(),
                email.map(str::to_string),
                format!("Dear {name}: {credit} for {title}."),
            )
        };
        assert_eq!(
            merged,
            vec![
                line("Ada Lovelace", Some("ada@engine.example"), "€5.00 + $30.00"),
                line("Alan Turing", Some("alan@bletchley.example"), "$25.00"),
                line("Edsger Dijkstra", None, "a credit"),
                line("Grace Hopper", Some("grace@navy.example"), "$25.00"),
            ],
            "{engine}: mail merge"
        );
        assert_eq!(
            db.mail_merge(inc + 1000, "x").await,
            Err(StoreError::NotFound),
            "{engine}"
        );

        // All or nothing. A value only the database refuses (the parser would not allow a
        // negative cost): every insert fails, nothing is written.
        let before = counts(&db).await;
        let negative = ActionDraft {
            cost: Money::new(-1, "USD"),
            ..action("credit", "1", "usd", "")
        };
        let err = db
            .give_actions(inc, &ActionTarget::All, &negative, me)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(_)),
            "{engine}: negative cost gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a failed bulk give left rows behind"
        );

        // Now the batch fails in the middle: the note is merged per customer, and with Grace's
        // (second of four by id) long name it passes 5,000 characters; Ada's row, inserted
        // before hers, must be rolled back with it.
        sqlx::query("UPDATE customers SET name = $2 WHERE id = $1")
            .bind(grace)
            .bind(format!("Grace {}", "H".repeat(190)))
            .execute(db.pool())
            .await
            .unwrap();
        let long = action(
            "apology",
            "",
            "usd",
            &format!("{{name}}{}", "x".repeat(4850)),
        );
        let err = db
            .give_actions(inc, &ActionTarget::All, &long, me)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Field { field, message } if field == "note" && message.contains("Grace")),
            "{engine}: overlong merged note gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: the rows before the failing insert survived"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 5. Replies
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn replies_are_logged_overridden_and_filtered() {
    on_both(|db, engine| async move {
        let me = user(&db, "lead@team.example", "Lead").await;
        let ada = customer(&db, "C-1", "Ada Lovelace", Some("ada@engine.example")).await;
        let grace = customer(&db, "C-2", "Grace Hopper", Some("grace@navy.example")).await;
        customer(&db, "C-4", "Twin One", Some("shared@twins.example")).await;
        customer(&db, "C-5", "Twin Two", Some("shared@twins.example")).await;
        let title = "Checkout down";
        let inc = db
            .create_incident(&draft(title, "outage", "sev1", "2026-11-20T14:05"), me)
            .await
            .unwrap();
        db.confirm_affected(inc, &list("C-1\nC-2"), AffectedSource::Manual, me)
            .await
            .unwrap();
        db.give_actions(
            inc,
            &ActionTarget::Customer(ada),
            &action("credit", "25", "usd", ""),
            me,
        )
        .await
        .unwrap();
        db.give_actions(
            inc,
            &ActionTarget::Customer(grace),
            &action("apology", "", "usd", ""),
            me,
        )
        .await
        .unwrap();

        // By ref and by email (any case), with the score the server computed.
        let mark = last_audit_id(&db).await;
        let d1 = ReplyDraft {
            csat: Some(5),
            ..reply(
                "C-1",
                Some(inc),
                "2026-11-21T10:00",
                "Thanks, great service!",
            )
        };
        let r1 = db.create_reply(&d1, 0.8, me).await.unwrap();
        let d2 = ReplyDraft {
            channel: Channel::Chat,
            ..reply(
                "GRACE@Navy.example",
                Some(inc),
                "2026-11-22T10:00",
                "Still broken.",
            )
        };
        let r2 = db.create_reply(&d2, -0.6, me).await.unwrap();
        let r3 = db
            .create_reply(
                &reply("ada@engine.example", None, "2026-11-23T09:00", "Okay."),
                0.0,
                me,
            )
            .await
            .unwrap();
        let audit = audit_since(&db, mark).await;
        assert_eq!(audit.len(), 3, "{engine}: one audit row per reply");
        assert!(
            audit
                .iter()
                .all(|a| a.entity == "reply" && a.action == "create"),
            "{engine}: {audit:?}"
        );

        let all = db
            .list_replies(&ReplyFilter::default(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(
            (all.total, ids(&all.items, |r| r.id)),
            (3, vec![r3, r2, r1]),
            "{engine}: newest first"
        );
        let first = all.items.iter().find(|r| r.id == r1).unwrap();
        assert_eq!(
            (
                first.customer_id,
                first.customer_name.as_str(),
                first.incident_id,
                first.incident_title.as_deref()
            ),
            (ada, "Ada Lovelace", Some(inc), Some(title)),
            "{engine}: reply 1"
        );
        assert_eq!(
            (
                first.channel,
                first.received_at,
                first.csat,
                first.body.as_str()
            ),
            (
                Channel::Email,
                at("2026-11-21T10:00"),
                Some(5),
                "Thanks, great service!"
            ),
            "{engine}"
        );
        assert_eq!(
            (
                first.sentiment_auto,
                first.sentiment_manual,
                first.override_reason.clone()
            ),
            (0.8, None, None),
            "{engine}"
        );
        let second = all.items.iter().find(|r| r.id == r2).unwrap();
        assert_eq!(
            (second.customer_id, second.channel, second.sentiment_auto),
            (grace, Channel::Chat, -0.6),
            "{engine}: by email"
        );
        let third = all.items.iter().find(|r| r.id == r3).unwrap();
        assert_eq!(
            (
                third.customer_id,
                third.incident_id,
                third.incident_title.clone()
            ),
            (ada, None, None),
            "{engine}"
        );

        // Unknown or ambiguous customers and missing incidents are refused on their field.
        let before = counts(&db).await;
        for who in ["NOPE-1", "nobody@nowhere.example", "shared@twins.example"] {
            let err = db
                .create_reply(&reply(who, None, "2026-11-21T10:00", "Hi"), 0.1, me)
                .await
                .unwrap_err();
            assert_eq!(
                field_of(&err),
                Some("customer"),
                "{engine}: reply from {who} gave {err:?}"
            );
        }
        let err = db
            .create_reply(
                &reply("C-1", Some(inc + 1000), "2026-11-21T10:00", "Hi"),
                0.1,
                me,
            )
            .await
            .unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("incident_id"),
            "{engine}: reply to a missing incident gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: a refused reply wrote something"
        );

        // Label filters work on the effective score.
        let label = |s: SentimentLabel| ReplyFilter {
            sentiment: Some(s),
            ..Default::default()
        };
        let run = |f: ReplyFilter| {
            let db = db.clone();
            async move {
                let p = db.list_replies(&f, PageRequest::default()).await.unwrap();
                assert_eq!(p.total as usize, p.items.len());
                ids(&p.items, |r| r.id)
            }
        };
        assert_eq!(
            run(label(SentimentLabel::Positive)).await,
            vec![r1],
            "{engine}: positive"
        );
        assert_eq!(
            run(label(SentimentLabel::Negative)).await,
            vec![r2],
            "{engine}: negative"
        );
        assert_eq!(
            run(label(SentimentLabel::Neutral)).await,
            vec![r3],
            "{engine}: neutral"
        );

        // Override: the automatic score is kept, the manual one wins, the audit has both sides.
        let mark = last_audit_id(&db).await;
        db.override_sentiment(r1, -0.7, "Sarcasm", me)
            .await
            .unwrap();
        let all = db
            .list_replies(&ReplyFilter::default(), PageRequest::default())
            .await
            .unwrap();
        let first = all.items.iter().find(|r| r.id == r1).unwrap();
        assert_eq!(
            (
                first.sentiment_auto,
                first.sentiment_manual,
                first.override_reason.as_deref()
            ),
            (0.8, Some(-0.7), Some("Sarcasm")),
            "{engine}: after override"
        );
        assert_eq!(first.effective_sentiment(), -0.7, "{engine}");
        let audit = audit_since(&db, mark).await;
        assert_eq!(audit.len(), 1, "{engine}: one audit row for an override");
        assert_eq!(
            (
                audit[0].action.as_str(),
                audit[0].entity.as_str(),
                audit[0].entity_id.clone(),
                audit[0].user_id
            ),
            ("update", "reply", Some(r1.to_string()), Some(me)),
            "{engine}"
        );
        let (b, a) = (
            audit[0].before.as_ref().unwrap(),
            audit[0].after.as_ref().unwrap(),
        );
        assert_eq!(
            (
                b["sentiment_auto"].as_f64(),
                b["sentiment_manual"].is_null()
            ),
            (Some(0.8), true),
            "{engine}: before {b}"
        );
        assert_eq!(
            (
                a["sentiment_manual"].as_f64(),
                a["override_reason"].as_str()
            ),
            (Some(-0.7), Some("Sarcasm")),
            "{engine}: after {a}"
        );
        let before = counts(&db).await;
        assert_eq!(
            db.override_sentiment(r3 + 1000, 0.5, "x", me).await,
            Err(StoreError::NotFound),
            "{engine}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: overriding a missing reply wrote something"
        );

        // The overridden reply moved from positive to negative.
        assert_eq!(
            run(label(SentimentLabel::Positive)).await,
            Vec::<i64>::new(),
            "{engine}: positive after override"
        );
        assert_eq!(
            run(label(SentimentLabel::Negative)).await,
            vec![r2, r1],
            "{engine}: negative after override"
        );

        // Incident, action kind, customer and date range.
        let f = ReplyFilter::default();
        assert_eq!(
            run(ReplyFilter {
                incident_id: Some(inc),
                ..f.clone()
            })
            .await,
            vec![r2, r1],
            "{engine}: incident"
        );
        assert_eq!(
            run(ReplyFilter {
                incident_id: Some(inc + 1000),
                ..f.clone()
            })
            .await,
            Vec::<i64>::new(),
            "{engine}"
        );
        assert_eq!(
            run(ReplyFilter {
                action: Some(ActionKind::Credit),
                ..f.clone()
            })
            .await,
            vec![r1],
            "{engine}: got a credit"
        );
        assert_eq!(
            run(ReplyFilter {
                action: Some(ActionKind::Apology),
                ..f.clone()
            })
            .await,
            vec![r2],
            "{engine}: got an apology"
        );
        assert_eq!(
            run(ReplyFilter {
                action: Some(ActionKind::Gift),
                ..f.clone()
            })
            .await,
            Vec::<i64>::new(),
            "{engine}: gift"
        );
        assert_eq!(
            run(ReplyFilter {
                customer_id: Some(ada),
                ..f.clone()
            })
            .await,
            vec![r3, r1],
            "{engine}: customer"
        );
        // [from, to): r1 exactly at `from` is in, r3 exactly at `to` is out.
        assert_eq!(
            run(ReplyFilter {
                from: Some(at("2026-11-21T10:00")),
                to: Some(at("2026-11-23T09:00")),
                ..f.clone()
            })
            .await,
            vec![r2, r1],
            "{engine}: date range"
        );
        assert_eq!(
            run(ReplyFilter {
                sentiment: Some(SentimentLabel::Negative),
                action: Some(ActionKind::Credit),
                from: Some(at("2026-11-21T00:00")),
                ..f.clone()
            })
            .await,
            vec![r1],
            "{engine}: combined"
        );
        let p2 = db
            .list_replies(&f, PageRequest::new(Some(2), Some(2)))
            .await
            .unwrap();
        assert_eq!(
            (p2.total, ids(&p2.items, |r| r.id)),
            (3, vec![r1]),
            "{engine}: page 2"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 6. A failed form changes nothing
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_failed_form_changes_nothing() {
    on_both(|db, engine| async move {
        let me = user(&db, "lead@team.example", "Lead").await;
        customer(&db, "C-1", "Ada Lovelace", Some("ada@engine.example")).await;
        let d = draft("Checkout down", "outage", "sev1", "2026-11-20T14:05");
        let inc = db.create_incident(&d, me).await.unwrap();
        db.confirm_affected(inc, &list("C-1"), AffectedSource::Manual, me)
            .await
            .unwrap();
        db.give_actions(
            inc,
            &ActionTarget::All,
            &action("credit", "25", "usd", ""),
            me,
        )
        .await
        .unwrap();
        db.update_incident(
            inc,
            1,
            &IncidentDraft {
                title: "Checkout down (EU)".into(),
                ..d.clone()
            },
            me,
        )
        .await
        .unwrap();

        let before = counts(&db).await;
        let detail = db.incident(inc).await.unwrap();

        let bad_owner = IncidentDraft {
            owner_id: Some(me + 1000),
            ..d.clone()
        };
        let err = db.create_incident(&bad_owner, me).await.unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("owner_id"),
            "{engine}: create_incident gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: create_incident with an invalid owner"
        );

        let err = db.update_incident(inc, 1, &d, me).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{engine}: update_incident gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: update_incident from a stale version"
        );

        let err = db
            .give_actions(
                inc,
                &ActionTarget::Uncontacted,
                &action("gift", "5", "usd", ""),
                me,
            )
            .await
            .unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("target"),
            "{engine}: give_actions gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: give_actions to nobody"
        );

        let err = db
            .confirm_affected(
                inc + 1000,
                &list("C-1\nNEW-1\nNEW-2"),
                AffectedSource::Manual,
                me,
            )
            .await
            .unwrap_err();
        assert_eq!(err, StoreError::NotFound, "{engine}: confirm_affected");
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: confirm_affected on a missing incident"
        );
        assert_eq!(
            customer_id(&db, "NEW-1").await,
            None,
            "{engine}: a customer was created anyway"
        );

        let err = db
            .create_reply(
                &reply("NOPE-1", Some(inc), "2026-11-21T10:00", "Hello"),
                0.3,
                me,
            )
            .await
            .unwrap_err();
        assert_eq!(
            field_of(&err),
            Some("customer"),
            "{engine}: create_reply gave {err:?}"
        );
        assert_eq!(
            counts(&db).await,
            before,
            "{engine}: create_reply from an unknown customer"
        );

        assert_eq!(
            db.incident(inc).await.unwrap(),
            detail,
            "{engine}: the incident changed"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 7. Writers wait for each other
// ---------------------------------------------------------------------------------------

/// Every recording change, run while another request holds a write transaction open for
/// 300 ms, must wait for it (SQLite's busy_timeout is 5 s) and then succeed.
#[tokio::test]
async fn recording_changes_wait_for_a_concurrent_writer() {
    const OPS: &[&str] = &[
        "create_incident with an owner",
        "update_incident",
        "change_status",
        "add_incident_note",
        "confirm_affected",
        "remove_affected",
        "give_actions",
        "create_reply",
        "override_sentiment",
    ];
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    on_both(|db, engine| {
        let seen = seen.clone();
        async move {
            let me = user(&db, "lead@team.example", "Lead").await;
            customer(&db, "C-1", "Ada Lovelace", None).await;
            let grace = customer(&db, "C-2", "Grace Hopper", None).await;
            let d = draft("Checkout down", "outage", "sev1", "2026-11-20T14:05");
            let inc = db.create_incident(&d, me).await.unwrap();
            db.confirm_affected(inc, &list("C-1\nC-2"), AffectedSource::Manual, me)
                .await
                .unwrap();
            let r = db
                .create_reply(
                    &reply("C-1", Some(inc), "2026-11-21T10:00", "Thanks"),
                    0.5,
                    me,
                )
                .await
                .unwrap();
            for (i, op) in OPS.iter().enumerate() {
                // Another request, mid-transaction, holding the write lock (SQLite's is the
                // whole database; PostgreSQL's row locks do not touch what the change writes).
                let mut other = db.begin().await.unwrap();
                sqlx::query(
                    "INSERT INTO audit_log (at, action, entity) \
                     VALUES (0, 'create', 'other request')",
                )
                .execute(&mut *other)
                .await
                .unwrap();
                let db2 = db.clone();
                let d = d.clone();
                let change = tokio::spawn(async move {
                    let version = db2.incident(inc).await.unwrap().unwrap().version;
                    match i {
                        0 => db2
                            .create_incident(
                                &IncidentDraft {
                                    owner_id: Some(me),
                                    ..d
                                },
                                me,
                            )
                            .await
                            .map(|_| ()),
                        1 => {
                            db2.update_incident(
                                inc,
                                version,
                                &IncidentDraft {
                                    title: "Renamed".into(),
                                    ..d
                                },
                                me,
                            )
                            .await
                        }
                        2 => {
                            db2.change_status(
                                inc,
                                version,
                                &status(IncidentStatus::Open, "mitigated", "2026-11-20T15:00", ""),
                                me,
                            )
                            .await
                        }
                        3 => db2.add_incident_note(inc, "A note", me).await,
                        4 => db2
                            .confirm_affected(inc, &list("NEW-1"), AffectedSource::Manual, me)
                            .await
                            .map(|_| ()),
                        5 => db2.remove_affected(inc, grace, me).await,
                        6 => db2
                            .give_actions(
                                inc,
                                &ActionTarget::All,
                                &action("gift", "1", "usd", ""),
                                me,
                            )
                            .await
                            .map(|_| ()),
                        7 => db2
                            .create_reply(
                                &reply("C-1", Some(inc), "2026-11-22T10:00", "Again"),
                                0.1,
                                me,
                            )
                            .await
                            .map(|_| ()),
                        _ => db2.override_sentiment(r, -0.5, "Sarcasm", me).await,
                    }
                });
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                other.commit().await.unwrap();
                let result = change.await.unwrap();
                seen.lock().unwrap().push((engine, *op, result));
            }
        }
    })
    .await;
    let seen = seen.lock().unwrap().clone();
    let failed: Vec<_> = seen.iter().filter(|(_, _, r)| r.is_err()).collect();
    // A change that reads before it writes must wait for the lock (SQLite: `BEGIN
    // IMMEDIATE` in `Db::begin`), not fail with "database is locked".
    assert!(
        failed.is_empty(),
        "changes that did not wait for a concurrent writer: {failed:?}"
    );
    assert_eq!(seen.len(), 2 * OPS.len());
}

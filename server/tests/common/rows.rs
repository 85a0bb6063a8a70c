//! Raw rows for the hand-built data sets of the analytics and weekly-report tests. They go
//! straight into the tables, so a test states exactly the facts its hand-worked figures
//! rest on, with no workflow rule in between.

use server::store::Db;
use sqlx::Row;

/// Runs an `INSERT … RETURNING id`; texts bind first, then integers, in placeholder order.
async fn insert_id(db: &Db, sql: &str, texts: &[&str], ints: &[Option<i64>]) -> i64 {
    let mut q = sqlx::query(sql);
    for t in texts {
        q = q.bind(t.to_string());
    }
    for i in ints {
        q = q.bind(*i);
    }
    q.fetch_one(db.pool()).await.unwrap().get::<i64, _>(0)
}

/// A customer named "Customer {external_ref}", created when they signed up.
pub async fn customer(
    db: &Db,
    external_ref: &str,
    plan: &str,
    signed_up: i64,
    churned: Option<i64>,
) -> i64 {
    insert_id(
        db,
        "INSERT INTO customers (external_ref, name, plan, signed_up_at, churned_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[external_ref, &format!("Customer {external_ref}"), plan],
        &[Some(signed_up), churned, Some(signed_up), Some(signed_up)],
    )
    .await
}

pub async fn churn(db: &Db, customer: i64, at: i64) {
    sqlx::query("UPDATE customers SET churned_at = $1 WHERE id = $2")
        .bind(at)
        .bind(customer)
        .execute(db.pool())
        .await
        .unwrap();
}

/// An incident as stored: codes as the tables spell them (`outage`, `sev2`, `open`).
pub struct Incident<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub severity: &'a str,
    pub status: &'a str,
    pub started: i64,
    pub detected: i64,
    pub resolved: Option<i64>,
}

pub async fn incident(db: &Db, i: Incident<'_>) -> i64 {
    insert_id(
        db,
        "INSERT INTO incidents (title, kind, severity, status, started_at, detected_at, resolved_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        &[i.title, i.kind, i.severity, i.status],
        &[
            Some(i.started),
            Some(i.detected),
            i.resolved,
            Some(i.started),
            Some(i.started),
        ],
    )
    .await
}

/// Marks `customer` as hit by `incident`.
pub async fn affected(db: &Db, incident: i64, customer: i64) {
    sqlx::query(
        "INSERT INTO affected_customers (incident_id, customer_id, source, added_at)
         VALUES ($1, $2, 'manual', 0)",
    )
    .bind(incident)
    .bind(customer)
    .execute(db.pool())
    .await
    .unwrap();
}

/// A recovery action by e-mail whose value to the customer equals its cost.
pub async fn action(
    db: &Db,
    incident: i64,
    customer: i64,
    kind: &str,
    cost: i64,
    currency: &str,
    at: i64,
) {
    insert_id(
        db,
        "INSERT INTO recovery_actions (kind, currency, channel, incident_id, customer_id, value_minor, cost_minor, given_at, created_at)
         VALUES ($1, $2, 'email', $3, $4, $5, $6, $7, $8) RETURNING id",
        &[kind, currency],
        &[Some(incident), Some(customer), Some(cost), Some(cost), Some(at), Some(at)],
    )
    .await;
}

/// A reply by e-mail, scored `auto`; `manual` is a person's correction of that score.
pub struct Reply<'a> {
    pub customer: i64,
    pub incident: Option<i64>,
    pub at: i64,
    pub auto: f64,
    pub manual: Option<f64>,
    pub csat: Option<i64>,
    pub body: &'a str,
}

pub async fn reply(db: &Db, r: Reply<'_>) {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO replies (customer_id, incident_id, channel, received_at, body, csat,
                              sentiment_auto, created_at)
         VALUES ($1, $2, 'email', $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(r.customer)
    .bind(r.incident)
    .bind(r.at)
    .bind(r.body.to_string())
    .bind(r.csat)
    .bind(r.auto)
    .bind(r.at)
    .fetch_one(db.pool())
    .await
    .unwrap();
    if let Some(m) = r.manual {
        sqlx::query(
            "UPDATE replies SET sentiment_manual = $1, override_reason = 'Read by a person'
             WHERE id = $2",
        )
        .bind(m)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    }
}

/// The indexes (and on SQLite the triggers) on `replies`, by name and definition.
pub async fn reply_schema(db: &Db) -> Vec<(String, String)> {
    let sql = match db.engine() {
        server::store::Engine::Sqlite => {
            "SELECT name, COALESCE(sql, '') FROM sqlite_master
             WHERE type IN ('index', 'trigger') AND tbl_name = 'replies' ORDER BY name"
        }
        server::store::Engine::Postgres => {
            "SELECT indexname::text, indexdef FROM pg_indexes
             WHERE tablename = 'replies' ORDER BY indexname"
        }
    };
    sqlx::query_as(sql).fetch_all(db.pool()).await.unwrap()
}

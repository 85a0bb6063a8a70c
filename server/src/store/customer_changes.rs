//! One customer: their page (incidents, actions, replies) and every change to them —
//! create, edit with optimistic concurrency, churned / reactivated — audited.

use super::rows::{code, get, money};
use super::users::audit;
use super::version::{claim, Versioned};
use super::{map_err, Db};
use app::domain::customer::CustomerDraft;
use app::domain::{
    CustomerDetail, CustomerIncident, CustomerRow, IncidentStatus, Severity, CUSTOMER_REPLIES_SHOWN,
};
use app::error::StoreError;
use serde_json::json;

const LIMIT: i64 = 100;

pub async fn detail(db: &Db, id: i64) -> Result<Option<CustomerDetail>, StoreError> {
    let pool = db.pool();
    let Some(r) = sqlx::query(
        "SELECT c.id, c.external_ref, c.name, c.email, c.plan, c.monthly_revenue_minor, c.currency,
                c.signed_up_at, c.churned_at, c.version,
                (SELECT COUNT(*) FROM affected_customers a WHERE a.customer_id = c.id) AS incidents
         FROM customers c WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    else {
        return Ok(None);
    };
    let customer = CustomerRow {
        id: get(&r, "id")?,
        external_ref: get(&r, "external_ref")?,
        name: get(&r, "name")?,
        email: get(&r, "email")?,
        plan: get(&r, "plan")?,
        monthly_revenue: money(&r, "monthly_revenue_minor", "currency")?,
        signed_up_at: get(&r, "signed_up_at")?,
        churned_at: get(&r, "churned_at")?,
        incidents: get(&r, "incidents")?,
    };
    let incidents = sqlx::query(
        "SELECT i.id, i.title, i.severity, i.status, i.started_at
         FROM affected_customers a JOIN incidents i ON i.id = a.incident_id
         WHERE a.customer_id = $1 ORDER BY i.started_at DESC, i.id DESC LIMIT $2",
    )
    .bind(id)
    .bind(LIMIT)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|i| {
        Ok(CustomerIncident {
            id: get(i, "id")?,
            title: get(i, "title")?,
            severity: code(i, "severity", Severity::parse)?,
            status: code(i, "status", IncidentStatus::parse)?,
            started_at: get(i, "started_at")?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let actions = super::incidents::actions_of_customer(db, id, LIMIT).await?;
    let replies = super::replies::for_customer(db, id, CUSTOMER_REPLIES_SHOWN).await?;
    let sentiment = super::replies::sentiment_of_customer(db, id).await?;
    Ok(Some(CustomerDetail {
        customer,
        version: get(&r, "version")?,
        incidents,
        actions,
        replies,
        sentiment,
    }))
}

fn snapshot(d: &CustomerDraft) -> serde_json::Value {
    json!({
        "external_ref": d.external_ref, "name": d.name, "email": d.email, "plan": d.plan,
        "monthly_revenue_minor": d.monthly_revenue.minor, "currency": d.monthly_revenue.currency,
        "signed_up_at": d.signed_up_at,
    })
}

fn taken(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict(_) => {
            StoreError::field("external_ref", "Another customer already has this ref.")
        }
        e => e,
    }
}

pub async fn create(db: &Db, d: &CustomerDraft, actor: i64, now: i64) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, d, actor, now).await?;
    db.commit(tx).await?;
    Ok(id)
}

/// Insert a customer and audit it, inside the caller's transaction.
pub(super) async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    d: &CustomerDraft,
    actor: i64,
    now: i64,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (external_ref, name, email, plan, monthly_revenue_minor, currency, signed_up_at,
                                created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&d.external_ref)
    .bind(&d.name)
    .bind(d.email.clone())
    .bind(&d.plan)
    .bind(d.monthly_revenue.minor)
    .bind(&d.monthly_revenue.currency)
    .bind(d.signed_up_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| taken(map_err(e)))?;
    audit(
        tx,
        now,
        Some(actor),
        "create",
        "customer",
        Some(&id.to_string()),
        None,
        Some(snapshot(d)),
        None,
    )
    .await?;
    Ok(id)
}

pub async fn update(
    db: &Db,
    id: i64,
    version: i64,
    d: &CustomerDraft,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    claim(&mut tx, Versioned::Customer, id, version, now).await?;
    write_fields(&mut tx, id, d, actor, now).await?;
    db.commit(tx).await
}

/// Write a customer's fields and audit it, inside a transaction that has claimed its version.
pub(super) async fn write_fields(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    d: &CustomerDraft,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let before = sqlx::query(
        "SELECT external_ref, name, email, plan, monthly_revenue_minor, currency, signed_up_at, churned_at
         FROM customers WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    if let Some(churned) = get::<Option<i64>>(&before, "churned_at")? {
        if churned < d.signed_up_at {
            return Err(StoreError::field(
                "signed_up_at",
                "They cannot have signed up after they churned.",
            ));
        }
    }
    let before = json!({
        "external_ref": get::<String>(&before, "external_ref")?, "name": get::<String>(&before, "name")?,
        "email": get::<Option<String>>(&before, "email")?, "plan": get::<String>(&before, "plan")?,
        "monthly_revenue_minor": get::<i64>(&before, "monthly_revenue_minor")?,
        "currency": get::<String>(&before, "currency")?, "signed_up_at": get::<i64>(&before, "signed_up_at")?,
    });
    sqlx::query(
        "UPDATE customers SET external_ref = $2, name = $3, email = $4, plan = $5, monthly_revenue_minor = $6,
                currency = $7, signed_up_at = $8
         WHERE id = $1",
    )
    .bind(id)
    .bind(&d.external_ref)
    .bind(&d.name)
    .bind(d.email.clone())
    .bind(&d.plan)
    .bind(d.monthly_revenue.minor)
    .bind(&d.monthly_revenue.currency)
    .bind(d.signed_up_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| taken(map_err(e)))?;
    audit(
        tx,
        now,
        Some(actor),
        "update",
        "customer",
        Some(&id.to_string()),
        Some(before),
        Some(snapshot(d)),
        None,
    )
    .await
}

/// Mark churned at `at`, or reactivated (`None`).
pub async fn set_churn(
    db: &Db,
    id: i64,
    version: i64,
    at: Option<i64>,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    claim(&mut tx, Versioned::Customer, id, version, now).await?;
    write_churn(&mut tx, id, at, actor, now).await?;
    db.commit(tx).await
}

/// Set or clear a customer's churn date and audit it, inside a transaction that has claimed
/// its version.
pub(super) async fn write_churn(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    at: Option<i64>,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let (signed_up, before): (i64, Option<i64>) = {
        let r = sqlx::query("SELECT signed_up_at, churned_at FROM customers WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await
            .map_err(map_err)?;
        (get(&r, "signed_up_at")?, get(&r, "churned_at")?)
    };
    if at.is_some_and(|t| t < signed_up) {
        return Err(StoreError::field(
            "at",
            "They cannot churn before they signed up.",
        ));
    }
    sqlx::query("UPDATE customers SET churned_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    audit(
        tx,
        now,
        Some(actor),
        "update",
        "customer",
        Some(&id.to_string()),
        Some(json!({ "churned_at": before })),
        Some(json!({ "churned_at": at })),
        None,
    )
    .await
}

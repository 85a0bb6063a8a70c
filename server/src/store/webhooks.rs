//! Webhook sources and their inbox: what is stored when a delivery arrives, before it is
//! processed, and what processing concluded. Secrets are written here but never read back
//! to a page or a log; only the receiving side asks for them (`source_by_slug`).

use super::rows::{get, limit_offset};
use super::users::audit;
use super::{map_err, Db};
use app::domain::integration::{DeliveryRow, SourceRow};
use app::domain::{Page, PageRequest};
use app::error::StoreError;
use serde_json::json;

/// What the receiving side needs of a source.
#[derive(Clone, Debug)]
pub struct SourceKeys {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub active: bool,
    pub acts_as: Option<i64>,
    /// The secrets accepted now: the current one, and the previous during a rotation.
    pub secrets: Vec<String>,
}

/// What storing a delivery found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    New(i64),
    /// Already in the inbox (a retried delivery): its id and status.
    Again(i64, String),
}

/// A delivery with what processing it needs.
#[derive(Clone, Debug)]
pub struct Inboxed {
    pub row: DeliveryRow,
    pub kind: String,
    pub body: String,
    pub acts_as: Option<i64>,
}

const SOURCE: &str = "SELECT s.id, s.kind, s.name, s.slug, s.active, s.created_at, s.previous_until,
        s.rejected, s.last_rejected_at, s.last_rejection,
        (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.source_id = s.id) AS deliveries,
        (SELECT MAX(d.received_at) FROM webhook_deliveries d WHERE d.source_id = s.id) AS last_delivery_at,
        (SELECT COUNT(*) FROM webhook_deliveries d
          WHERE d.source_id = s.id AND d.status IN ('held', 'failed')) AS needing_attention
    FROM webhook_sources s";

/// Finish a change to source `id` that touched `rows` rows: audited, or `NotFound`.
async fn changed(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    rows: u64,
    after: serde_json::Value,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "webhook_source",
        Some(&id.to_string()),
        None,
        Some(after),
        None,
    )
    .await?;
    tx.commit().await.map_err(map_err)
}

fn source_row(r: &sqlx::any::AnyRow) -> Result<SourceRow, StoreError> {
    Ok(SourceRow {
        id: get(r, "id")?,
        kind: get(r, "kind")?,
        name: get(r, "name")?,
        slug: get(r, "slug")?,
        active: get::<i64>(r, "active")? == 1,
        created_at: get(r, "created_at")?,
        previous_until: get(r, "previous_until")?,
        rejected: get(r, "rejected")?,
        last_rejected_at: get(r, "last_rejected_at")?,
        last_rejection: get(r, "last_rejection")?,
        deliveries: get(r, "deliveries")?,
        last_delivery_at: get(r, "last_delivery_at")?,
        needing_attention: get(r, "needing_attention")?,
    })
}

const DELIVERY: &str =
    "SELECT d.id, d.source_id, s.name AS source_name, d.delivery_id, d.event_type,
        d.received_at, d.status, d.outcome, d.attempts, d.processed_at, d.body, s.kind, s.acts_as
    FROM webhook_deliveries d JOIN webhook_sources s ON s.id = d.source_id";

fn delivery_row(r: &sqlx::any::AnyRow) -> Result<DeliveryRow, StoreError> {
    Ok(DeliveryRow {
        id: get(r, "id")?,
        source_id: get(r, "source_id")?,
        source_name: get(r, "source_name")?,
        delivery_id: get(r, "delivery_id")?,
        event_type: get(r, "event_type")?,
        received_at: get(r, "received_at")?,
        status: get(r, "status")?,
        outcome: get(r, "outcome")?,
        attempts: get(r, "attempts")?,
        processed_at: get(r, "processed_at")?,
    })
}

impl Db {
    pub async fn webhook_source_rows(&self) -> Result<Vec<SourceRow>, StoreError> {
        sqlx::query(&format!("{SOURCE} ORDER BY s.id"))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?
            .iter()
            .map(source_row)
            .collect()
    }

    pub async fn webhook_source_row(&self, id: i64) -> Result<Option<SourceRow>, StoreError> {
        sqlx::query(&format!("{SOURCE} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .as_ref()
            .map(source_row)
            .transpose()
    }

    /// The source a delivery URL names, with the secrets accepted at `now`.
    pub async fn source_by_slug(
        &self,
        slug: &str,
        now: i64,
    ) -> Result<Option<SourceKeys>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT id, kind, name, active, acts_as, secret, previous_secret, previous_until
             FROM webhook_sources WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        let mut secrets = vec![get::<String>(&r, "secret")?];
        let until: Option<i64> = get(&r, "previous_until")?;
        if let (Some(prev), Some(until)) = (get::<Option<String>>(&r, "previous_secret")?, until) {
            if until > now {
                secrets.push(prev);
            }
        }
        Ok(Some(SourceKeys {
            id: get(&r, "id")?,
            kind: get(&r, "kind")?,
            name: get(&r, "name")?,
            active: get::<i64>(&r, "active")? == 1,
            acts_as: get(&r, "acts_as")?,
            secrets,
        }))
    }

    pub async fn insert_webhook_source(
        &self,
        kind: &str,
        name: &str,
        slug: &str,
        secret: &str,
        actor: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhook_sources (kind, name, slug, secret, acts_as, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind)
        .bind(name)
        .bind(slug)
        .bind(secret)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        audit(
            &mut tx,
            now,
            Some(actor),
            "create",
            "webhook_source",
            Some(&id.to_string()),
            None,
            Some(json!({ "kind": kind, "name": name })),
            None,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A new secret; the current one becomes the previous, accepted until `grace_until`.
    pub async fn replace_webhook_secret(
        &self,
        id: i64,
        secret: &str,
        grace_until: i64,
        actor: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE webhook_sources
             SET previous_secret = secret, previous_until = $3, secret = $2
             WHERE id = $1",
        )
        .bind(id)
        .bind(secret)
        .bind(grace_until)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        let after = json!({ "secret": "rotated", "previous_accepted_until": grace_until });
        changed(tx, id, n, after, actor, now).await
    }

    pub async fn set_webhook_active(
        &self,
        id: i64,
        active: bool,
        actor: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE webhook_sources SET active = $2 WHERE id = $1")
            .bind(id)
            .bind(i64::from(active))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        changed(tx, id, n, json!({ "active": active }), actor, now).await
    }

    /// Count a refused delivery: per day and reason, and on its source when it names one.
    pub async fn count_webhook_rejection(
        &self,
        source: Option<i64>,
        reason: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO webhook_rejections (day, reason, count) VALUES ($1, $2, 1)
             ON CONFLICT (day, reason) DO UPDATE SET count = webhook_rejections.count + 1",
        )
        .bind(now.div_euclid(86_400_000))
        .bind(reason)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(id) = source {
            sqlx::query(
                "UPDATE webhook_sources
                 SET rejected = rejected + 1, last_rejected_at = $2, last_rejection = $3
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(reason)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        self.commit(tx).await
    }

    /// Refused deliveries per reason since `since` (all sources, known or not).
    pub async fn webhook_rejections(&self, since: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT reason, CAST(SUM(count) AS BIGINT) AS n FROM webhook_rejections
             WHERE day >= $1 GROUP BY reason ORDER BY reason",
        )
        .bind(since.div_euclid(86_400_000))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((get(r, "reason")?, get(r, "n")?)))
            .collect()
    }

    /// Put a verified delivery in the inbox, unless its id is already there.
    pub async fn store_delivery(
        &self,
        source: i64,
        delivery_id: &str,
        event_type: &str,
        body: &str,
        now: i64,
    ) -> Result<Stored, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO webhook_deliveries (source_id, delivery_id, event_type, received_at, body, status)
             VALUES ($1, $2, $3, $4, $5, 'pending')
             ON CONFLICT (source_id, delivery_id) DO NOTHING RETURNING id",
        )
        .bind(source)
        .bind(delivery_id)
        .bind(event_type)
        .bind(now)
        .bind(body)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?;
        if let Some(id) = id {
            return Ok(Stored::New(id));
        }
        let r = sqlx::query(
            "SELECT id, status FROM webhook_deliveries WHERE source_id = $1 AND delivery_id = $2",
        )
        .bind(source)
        .bind(delivery_id)
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        Ok(Stored::Again(get(&r, "id")?, get(&r, "status")?))
    }

    pub async fn inboxed(&self, id: i64) -> Result<Option<Inboxed>, StoreError> {
        let Some(r) = sqlx::query(&format!("{DELIVERY} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        Ok(Some(Inboxed {
            row: delivery_row(&r)?,
            kind: get(&r, "kind")?,
            body: get(&r, "body")?,
            acts_as: get(&r, "acts_as")?,
        }))
    }

    /// Record what processing concluded.
    pub async fn finish_delivery(
        &self,
        id: i64,
        status: &str,
        outcome: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let outcome: String = outcome.chars().take(1000).collect();
        sqlx::query(
            "UPDATE webhook_deliveries
             SET status = $2, outcome = $3, attempts = attempts + 1, processed_at = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(outcome)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    pub async fn delivery_page(
        &self,
        source: Option<i64>,
        status: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<DeliveryRow>, StoreError> {
        let mut conds = vec!["1 = 1".to_string()];
        if source.is_some() {
            conds.push("d.source_id = $1".into());
        }
        if status.is_some() {
            conds.push("d.status = $2".into());
        }
        let w = conds.join(" AND ");
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM webhook_deliveries d WHERE {w} AND $1 = $1 AND $2 = $2"
        ))
        .bind(source.unwrap_or(0))
        .bind(status.unwrap_or("").to_string())
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        let (limit, offset) = limit_offset(page);
        let items = sqlx::query(&format!(
            "{DELIVERY} WHERE {w} AND $1 = $1 AND $2 = $2
             ORDER BY d.received_at DESC, d.id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(source.unwrap_or(0))
        .bind(status.unwrap_or("").to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(delivery_row)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::of(items, page, total))
    }
}

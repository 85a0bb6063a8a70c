//! Reply queries.

use super::rows::{code, get, limit_offset};
use super::{map_err, Db};
use app::domain::{Channel, Page, PageRequest, ReplyRow};
use app::error::StoreError;

const SELECT: &str = "SELECT y.id, y.customer_id, c.name AS customer_name, y.incident_id,
        i.title AS incident_title, y.channel, y.received_at, y.body, y.csat,
        y.sentiment_auto, y.sentiment_manual
    FROM replies y
    JOIN customers c ON c.id = y.customer_id
    LEFT JOIN incidents i ON i.id = y.incident_id";

fn reply_row(r: &sqlx::any::AnyRow) -> Result<ReplyRow, StoreError> {
    Ok(ReplyRow {
        id: get(r, "id")?,
        customer_id: get(r, "customer_id")?,
        customer_name: get(r, "customer_name")?,
        incident_id: get(r, "incident_id")?,
        incident_title: get(r, "incident_title")?,
        channel: code(r, "channel", Channel::parse)?,
        received_at: get(r, "received_at")?,
        body: get(r, "body")?,
        csat: get(r, "csat")?,
        sentiment_auto: get(r, "sentiment_auto")?,
        sentiment_manual: get(r, "sentiment_manual")?,
    })
}

pub async fn list(db: &Db, page: PageRequest) -> Result<Page<ReplyRow>, StoreError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM replies")
        .fetch_one(db.pool())
        .await
        .map_err(map_err)?;
    let (limit, offset) = limit_offset(page);
    let items = sqlx::query(&format!(
        // Page through the (received_at, id) index alone, then join the 25 rows it yields:
        // deep pages stay fast because skipped rows are never joined.
        "WITH page AS (SELECT id FROM replies ORDER BY received_at DESC, id DESC LIMIT $1 OFFSET $2)
         {SELECT} WHERE y.id IN (SELECT id FROM page)
         ORDER BY y.received_at DESC, y.id DESC"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(reply_row)
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

pub async fn for_incident(
    db: &Db,
    incident_id: i64,
    limit: i64,
) -> Result<Vec<ReplyRow>, StoreError> {
    sqlx::query(&format!(
        "{SELECT} WHERE y.incident_id = $1 ORDER BY y.received_at, y.id LIMIT $2"
    ))
    .bind(incident_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(reply_row)
    .collect()
}

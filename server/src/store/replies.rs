//! Reply queries.

use super::rows::{bind_args, bind_scalar_args, code, get, limit_offset, Arg, Where};
use super::users::audit;
use super::{map_err, Db};
use app::domain::affected::CustomerKey;
use app::domain::reply::{ReplyDraft, ReplyFilter};
use app::domain::{Channel, Page, PageRequest, ReplyRow, ReplySentiment, SentimentLabel};
use app::error::StoreError;
use serde_json::json;

const SELECT: &str = "SELECT y.id, y.customer_id, c.name AS customer_name, y.incident_id,
        i.title AS incident_title, y.channel, y.received_at, y.body, y.csat,
        y.sentiment_auto, y.sentiment_manual, y.override_reason
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
        override_reason: get(r, "override_reason")?,
    })
}

pub async fn list(
    db: &Db,
    filter: &ReplyFilter,
    page: PageRequest,
) -> Result<Page<ReplyRow>, StoreError> {
    let mut w = Where::default();
    let effective = "COALESCE(y.sentiment_manual, y.sentiment_auto)";
    match filter.sentiment {
        Some(SentimentLabel::Positive) => w.and_raw(&format!("{effective} >= 0.05")),
        Some(SentimentLabel::Negative) => w.and_raw(&format!("{effective} <= -0.05")),
        Some(SentimentLabel::Neutral) => {
            w.and_raw(&format!("{effective} > -0.05 AND {effective} < 0.05"))
        }
        None => {}
    }
    if let Some(i) = filter.incident_id {
        w.and("y.incident_id = {}", Arg::Int(i));
    }
    if let Some(c) = filter.customer_id {
        w.and("y.customer_id = {}", Arg::Int(c));
    }
    if let Some(k) = filter.action {
        w.and(
            "EXISTS (SELECT 1 FROM recovery_actions r WHERE r.incident_id = y.incident_id
                     AND r.customer_id = y.customer_id AND r.kind = {})",
            Arg::Text(k.code().into()),
        );
    }
    if let Some(f) = filter.from {
        w.and("y.received_at >= {}", Arg::Int(f));
    }
    if let Some(t) = filter.to {
        w.and("y.received_at < {}", Arg::Int(t));
    }
    let where_sql = w.sql();
    let total: i64 = bind_scalar_args(
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM replies y WHERE {where_sql}")),
        &w.args,
    )
    .fetch_one(db.pool())
    .await
    .map_err(map_err)?;
    let (limit, offset) = limit_offset(page);
    let n = w.args.len();
    let sql = format!(
        // Page through the (received_at, id) index alone, then join the 25 rows it yields:
        // deep pages stay fast because skipped rows are never joined.
        "WITH page AS (SELECT y.id FROM replies y WHERE {where_sql}
                       ORDER BY y.received_at DESC, y.id DESC LIMIT ${} OFFSET ${})
         {SELECT} WHERE y.id IN (SELECT id FROM page)
         ORDER BY y.received_at DESC, y.id DESC",
        n + 1,
        n + 2
    );
    let items = bind_args(sqlx::query(&sql), &w.args)
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

pub async fn for_customer(db: &Db, customer: i64, limit: i64) -> Result<Vec<ReplyRow>, StoreError> {
    sqlx::query(&format!(
        "{SELECT} WHERE y.customer_id = $1 ORDER BY y.received_at DESC, y.id DESC LIMIT $2"
    ))
    .bind(customer)
    .bind(limit)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(reply_row)
    .collect()
}

/// How many replies a customer has sent and their mean effective sentiment, over all of
/// them (the page lists only the latest).
pub async fn sentiment_of_customer(db: &Db, customer: i64) -> Result<ReplySentiment, StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS replies, AVG(COALESCE(sentiment_manual, sentiment_auto)) AS mean
         FROM replies WHERE customer_id = $1",
    )
    .bind(customer)
    .fetch_one(db.pool())
    .await
    .map_err(map_err)?;
    Ok(ReplySentiment {
        replies: get(&r, "replies")?,
        mean: get(&r, "mean")?,
    })
}

/// Store a reply with its automatic score. The customer is found by ref or email; an
/// unknown one, or an email two customers share, is refused with a message for that field.
pub async fn create(
    db: &Db,
    d: &ReplyDraft,
    score: f64,
    actor: i64,
    now: i64,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let sql = match &d.customer {
        CustomerKey::Ref(_) => "SELECT id FROM customers WHERE external_ref = $1",
        CustomerKey::Email(_) => {
            "SELECT id FROM customers WHERE email = $1 OR external_ref = $1 LIMIT 2"
        }
    };
    let ids: Vec<i64> = sqlx::query_scalar(sql)
        .bind(d.customer.text())
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
    let customer = match ids.as_slice() {
        [one] => *one,
        [] => {
            return Err(StoreError::field(
                "customer",
                format!("No customer has the ref or email “{}”.", d.customer.text()),
            ))
        }
        _ => {
            return Err(StoreError::field(
                "customer",
                "Several customers share that email; choose one by ref.",
            ))
        }
    };
    if let Some(i) = d.incident_id {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE id = $1")
            .bind(i)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::field(
                "incident_id",
                format!("There is no incident #{i}."),
            ));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO replies (customer_id, incident_id, channel, received_at, body, csat, sentiment_auto,
                              created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(customer)
    .bind(d.incident_id)
    .bind(d.channel.code())
    .bind(d.received_at)
    .bind(&d.body)
    .bind(d.csat)
    .bind(score)
    .bind(now)
    .bind(actor)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let after = json!({ "customer_id": customer, "incident_id": d.incident_id, "channel": d.channel.code(),
                        "csat": d.csat, "sentiment_auto": score });
    audit(
        &mut tx,
        now,
        Some(actor),
        "create",
        "reply",
        Some(&id.to_string()),
        None,
        Some(after),
        None,
    )
    .await?;
    db.commit(tx).await?;
    Ok(id)
}

/// A person's correction of the automatic score; both are kept.
pub async fn override_sentiment(
    db: &Db,
    id: i64,
    score: f64,
    reason: &str,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let before = sqlx::query(
        "SELECT sentiment_auto, sentiment_manual, override_reason FROM replies WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_err)?
    .ok_or(StoreError::NotFound)?;
    let before = json!({
        "sentiment_auto": get::<f64>(&before, "sentiment_auto")?,
        "sentiment_manual": get::<Option<f64>>(&before, "sentiment_manual")?,
        "override_reason": get::<Option<String>>(&before, "override_reason")?,
    });
    sqlx::query(
        "UPDATE replies SET sentiment_manual = $2, override_reason = $3, overridden_by = $4, overridden_at = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(score)
    .bind(reason)
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let after = json!({ "sentiment_manual": score, "override_reason": reason });
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "reply",
        Some(&id.to_string()),
        Some(before),
        Some(after),
        None,
    )
    .await?;
    db.commit(tx).await
}

/// Remove a person's correction: the automatic score counts again.
pub async fn clear_override(db: &Db, id: i64, actor: i64, now: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let before = sqlx::query("SELECT sentiment_manual, override_reason FROM replies WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    let manual: Option<f64> = get(&before, "sentiment_manual")?;
    if manual.is_none() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE replies SET sentiment_manual = NULL, override_reason = NULL, overridden_by = NULL,
                overridden_at = NULL
         WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    let before = json!({
        "sentiment_manual": manual,
        "override_reason": get::<Option<String>>(&before, "override_reason")?,
    });
    let after = json!({ "sentiment_manual": null, "override_reason": null });
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "reply",
        Some(&id.to_string()),
        Some(before),
        Some(after),
        None,
    )
    .await?;
    db.commit(tx).await
}

impl Db {
    /// One reply, as the lists show it.
    pub async fn reply(&self, id: i64) -> Result<Option<ReplyRow>, StoreError> {
        sqlx::query(&format!("{SELECT} WHERE y.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .as_ref()
            .map(reply_row)
            .transpose()
    }

    pub async fn clear_sentiment_override(&self, id: i64, actor: i64) -> Result<(), StoreError> {
        clear_override(self, id, actor, app::domain::when::now_ms()).await
    }
}

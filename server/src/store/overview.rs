//! Dashboard headline counts, each one aggregate statement.

use super::rows::{get, money};
use super::{map_err, Db};
use app::domain::{Overview, PageRequest};
use app::error::StoreError;

pub async fn overview(db: &Db) -> Result<Overview, StoreError> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM incidents) AS incidents,
                (SELECT COUNT(*) FROM incidents WHERE status <> 'resolved') AS open_incidents,
                (SELECT COUNT(*) FROM customers) AS customers,
                (SELECT COUNT(*) FROM customers WHERE churned_at IS NOT NULL) AS churned,
                (SELECT COUNT(*) FROM affected_customers) AS cases,
                (SELECT COUNT(*) FROM recovery_actions) AS actions,
                (SELECT COUNT(*) FROM replies) AS replies,
                (SELECT CAST(AVG(COALESCE(sentiment_manual, sentiment_auto)) AS DOUBLE PRECISION)
                   FROM replies) AS mean_sentiment",
    )
    .fetch_one(db.pool())
    .await
    .map_err(map_err)?;
    let cost = sqlx::query(
        "SELECT currency, CAST(SUM(cost_minor) AS BIGINT) AS cost
         FROM recovery_actions GROUP BY currency ORDER BY currency",
    )
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|c| money(c, "cost", "currency"))
    .collect::<Result<Vec<_>, StoreError>>()?;
    let latest =
        super::incidents::list(db, &Default::default(), PageRequest::new(Some(1), Some(5)))
            .await?
            .items;
    Ok(Overview {
        incidents: get(&r, "incidents")?,
        open_incidents: get(&r, "open_incidents")?,
        customers: get(&r, "customers")?,
        churned_customers: get(&r, "churned")?,
        cases: get(&r, "cases")?,
        actions: get(&r, "actions")?,
        replies: get(&r, "replies")?,
        mean_sentiment: get(&r, "mean_sentiment")?,
        cost,
        latest,
    })
}

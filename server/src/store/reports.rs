//! Reading what the weekly report needs besides the facts of its period (the analytics'
//! own statements): the week's incidents, open incidents with customers not yet contacted,
//! and the week's most positive and most negative replies.

use super::rows::{code, get};
use super::{map_err, Db};
use crate::analytics::facts::IncidentHead;
use app::domain::report::{NotableReply, Uncontacted};
use app::domain::{IncidentKind, IncidentStatus, Severity};
use app::error::StoreError;

/// How many replies each notable list shows.
const NOTABLE: i64 = 3;
/// Replies are quoted up to about this many characters.
const EXCERPT: usize = 280;

impl Db {
    /// Incidents that started or were resolved in the week `[start, end)`.
    pub async fn week_incidents(
        &self,
        start: i64,
        end: i64,
    ) -> Result<Vec<IncidentHead>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title, kind, severity, status, started_at, detected_at, resolved_at
             FROM incidents
             WHERE (started_at >= $1 AND started_at < $2)
                OR (resolved_at >= $3 AND resolved_at < $4)
             ORDER BY started_at, id",
        )
        .bind(start)
        .bind(end)
        .bind(start)
        .bind(end)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(IncidentHead {
                    id: get(r, "id")?,
                    title: get(r, "title")?,
                    kind: code(r, "kind", IncidentKind::parse)?,
                    severity: code(r, "severity", Severity::parse)?,
                    status: code(r, "status", IncidentStatus::parse)?,
                    started_at: get(r, "started_at")?,
                    detected_at: get(r, "detected_at")?,
                    resolved_at: get(r, "resolved_at")?,
                })
            })
            .collect()
    }

    /// Incidents not resolved now, started before `before`, with affected customers who
    /// have been given nothing yet; worst severity first.
    pub async fn uncontacted(&self, before: i64) -> Result<Vec<Uncontacted>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.id, i.title, i.severity, i.status, i.started_at,
                    COUNT(*) AS affected,
                    SUM(CASE WHEN NOT EXISTS (
                        SELECT 1 FROM recovery_actions r
                        WHERE r.incident_id = a.incident_id AND r.customer_id = a.customer_id
                    ) THEN 1 ELSE 0 END) AS not_contacted
             FROM incidents i JOIN affected_customers a ON a.incident_id = i.id
             WHERE i.status <> 'resolved' AND i.started_at < $1
             GROUP BY i.id, i.title, i.severity, i.status, i.started_at
             ORDER BY i.severity, i.started_at, i.id",
        )
        .bind(before)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let zone = self.zone();
        let mut out = Vec::new();
        for r in &rows {
            let not_contacted: i64 = get(r, "not_contacted")?;
            if not_contacted == 0 {
                continue;
            }
            out.push(Uncontacted {
                id: get(r, "id")?,
                title: get(r, "title")?,
                severity: code(r, "severity", Severity::parse)?,
                status: code(r, "status", IncidentStatus::parse)?,
                started: zone.format(get(r, "started_at")?, "%Y-%m-%d %H:%M"),
                affected: get::<i64>(r, "affected")? as u64,
                not_contacted: not_contacted as u64,
            });
        }
        Ok(out)
    }

    /// The most positive (or most negative) replies received in `[start, end)` by
    /// effective sentiment.
    pub async fn notable(
        &self,
        start: i64,
        end: i64,
        positive: bool,
    ) -> Result<Vec<NotableReply>, StoreError> {
        let (condition, order) = if positive {
            (
                "COALESCE(r.sentiment_manual, r.sentiment_auto) >= 0.05",
                "DESC",
            )
        } else {
            (
                "COALESCE(r.sentiment_manual, r.sentiment_auto) <= -0.05",
                "ASC",
            )
        };
        let sql = format!(
            "SELECT r.customer_id, c.name AS customer, r.incident_id, i.title AS incident,
                    r.received_at, r.body, COALESCE(r.sentiment_manual, r.sentiment_auto) AS score
             FROM replies r
             JOIN customers c ON c.id = r.customer_id
             LEFT JOIN incidents i ON i.id = r.incident_id
             WHERE r.received_at >= $1 AND r.received_at < $2 AND {condition}
             ORDER BY score {order}, r.received_at, r.id
             LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(start)
            .bind(end)
            .bind(NOTABLE)
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        let zone = self.zone();
        rows.iter()
            .map(|r| {
                Ok(NotableReply {
                    customer_id: get(r, "customer_id")?,
                    customer: get(r, "customer")?,
                    incident_id: get(r, "incident_id")?,
                    incident: get(r, "incident")?,
                    received: zone.format(get(r, "received_at")?, "%a %Y-%m-%d %H:%M"),
                    score: get(r, "score")?,
                    excerpt: excerpt(&get::<String>(r, "body")?, EXCERPT),
                })
            })
            .collect()
    }
}

/// `text` on one line, cut at a word boundary before `max` characters with an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at = cut.rfind(' ').filter(|i| *i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_cut_at_a_word_and_flatten_lines() {
        assert_eq!(
            excerpt("Thanks,\n\nall good now.", 280),
            "Thanks, all good now."
        );
        assert_eq!(excerpt("one two three four", 12), "one two…");
        assert_eq!(excerpt("abcdefghijklmnop", 5), "abcde…");
        assert_eq!(excerpt("ééé ééé ééé", 9), "ééé ééé…");
    }
}

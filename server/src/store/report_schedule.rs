//! The weekly report's schedule and its deliveries. A scheduled delivery is claimed by
//! inserting its (week, channel) row — the unique index lets one process win however many
//! try at once — or, after a failure, by moving a failed row whose retry time has come
//! (or a claim left `sending` by a process that died) back to `sending` in one statement.

use super::rows::get;
use super::users::audit;
use super::{map_err, Db};
use app::domain::schedule::{slack_hint, DeliveryRow, ScheduleDraft, SlackChange, MAX_ATTEMPTS};
use app::domain::week::IsoWeek;
use app::error::StoreError;
use serde_json::json;
use sqlx::any::AnyRow;

/// A claim left `sending` this long belongs to a process that stopped; it may be taken over.
pub const STALE_CLAIM_MS: i64 = 10 * 60_000;

/// The schedule as stored, with the webhook address (a secret: never log it).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSchedule {
    pub enabled: bool,
    pub weekday: u8,
    pub hour: u8,
    pub recipients: Vec<String>,
    pub slack_url: Option<String>,
}

impl std::fmt::Debug for StoredSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSchedule")
            .field("enabled", &self.enabled)
            .field("weekday", &self.weekday)
            .field("hour", &self.hour)
            .field("recipients", &self.recipients)
            .field("slack_url", &self.slack_url.as_deref().map(slack_hint))
            .finish()
    }
}

/// How long to wait before retrying after the `attempts`-th failure: 5, 15, 45 minutes…
pub fn retry_after_ms(attempts: i64) -> i64 {
    5 * 60_000 * 3_i64.pow(u32::try_from(attempts.clamp(1, 6) - 1).unwrap_or(0))
}

fn delivery(r: &AnyRow) -> Result<DeliveryRow, StoreError> {
    let week: String = get(r, "week")?;
    let scheduled: i64 = get(r, "scheduled")?;
    Ok(DeliveryRow {
        id: get(r, "id")?,
        week: IsoWeek::parse(&week).map_err(|_| StoreError::Internal)?,
        channel: get(r, "channel")?,
        scheduled: scheduled != 0,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        claimed_at: get(r, "claimed_at")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        sent_at: get(r, "sent_at")?,
        last_error: get(r, "last_error")?,
    })
}

impl Db {
    /// The schedule; off, Mondays at 09:00 and to nobody until an admin saves one.
    pub async fn report_schedule(&self) -> Result<StoredSchedule, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT enabled, weekday, hour, recipients, slack_url FROM report_schedule WHERE id = 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?
        else {
            return Ok(StoredSchedule {
                enabled: false,
                weekday: 1,
                hour: 9,
                recipients: Vec::new(),
                slack_url: None,
            });
        };
        let (enabled, weekday, hour): (i64, i64, i64) =
            (get(&r, "enabled")?, get(&r, "weekday")?, get(&r, "hour")?);
        let recipients: String = get(&r, "recipients")?;
        Ok(StoredSchedule {
            enabled: enabled != 0,
            weekday: u8::try_from(weekday).unwrap_or(1),
            hour: u8::try_from(hour).unwrap_or(9),
            recipients: recipients
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            slack_url: get(&r, "slack_url")?,
        })
    }

    /// Save the schedule, audited (the webhook address only as its hint).
    pub async fn save_report_schedule(
        &self,
        draft: &ScheduleDraft,
        actor: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let slack_sql = match &draft.slack {
            SlackChange::Keep => "slack_url",
            SlackChange::Set(_) => "$6",
            SlackChange::Remove => "NULL",
        };
        // The row exists once saved: written the first time, then updated.
        sqlx::query("INSERT INTO report_schedule (id) VALUES (1) ON CONFLICT DO NOTHING")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let sql = format!(
            "UPDATE report_schedule SET enabled = $1, weekday = $2, hour = $3, recipients = $4,
                 updated_at = $5, slack_url = {slack_sql}, updated_by = $7 WHERE id = 1"
        );
        let url = match &draft.slack {
            SlackChange::Set(u) => Some(u.as_str()),
            _ => None,
        };
        sqlx::query(&sql)
            .bind(i64::from(draft.enabled))
            .bind(i64::from(draft.weekday))
            .bind(i64::from(draft.hour))
            .bind(draft.recipients.join(", "))
            .bind(now)
            .bind(url)
            .bind(actor)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let slack = match &draft.slack {
            SlackChange::Keep => json!("kept"),
            SlackChange::Set(u) => json!(slack_hint(u)),
            SlackChange::Remove => json!(null),
        };
        let after = json!({
            "enabled": draft.enabled, "weekday": draft.weekday, "hour": draft.hour,
            "recipients": draft.recipients, "slack": slack,
        });
        audit(
            &mut tx,
            now,
            Some(actor),
            "update",
            "report_schedule",
            Some("1"),
            None,
            Some(after),
            None,
        )
        .await?;
        self.commit(tx).await
    }

    /// Claim the scheduled delivery of `week` on `channel`: its id when this caller is to
    /// send it now, `None` when it is sent, being sent, or waiting for its next retry.
    pub async fn claim_report_delivery(
        &self,
        week: IsoWeek,
        channel: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let fresh: Option<i64> = sqlx::query_scalar(
            "INSERT INTO report_deliveries (week, channel, scheduled, status, attempts, claimed_at)
             VALUES ($1, $2, 1, 'sending', 1, $3) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(week.to_string())
        .bind(channel)
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?;
        if fresh.is_some() {
            return Ok(fresh);
        }
        sqlx::query_scalar(
            "UPDATE report_deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = $3
             WHERE week = $1 AND channel = $2 AND scheduled = 1
               AND ((status = 'failed' AND next_attempt_at <= $3 AND attempts < $4)
                 OR (status = 'sending' AND claimed_at < $5))
             RETURNING id",
        )
        .bind(week.to_string())
        .bind(channel)
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .bind(now - STALE_CLAIM_MS)
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)
    }

    /// A delivery asked for by a person ("send now"), claimed for them.
    pub async fn start_report_delivery(
        &self,
        week: IsoWeek,
        channel: &str,
        actor: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO report_deliveries (week, channel, scheduled, status, attempts, claimed_at, requested_by)
             VALUES ($1, $2, 0, 'sending', 1, $3, $4) RETURNING id",
        )
        .bind(week.to_string())
        .bind(channel)
        .bind(now)
        .bind(actor)
        .fetch_one(self.pool())
        .await
        .map_err(map_err)
    }

    /// Record how a claimed delivery went; a failure is retried later (scheduled ones).
    pub async fn finish_report_delivery(
        &self,
        id: i64,
        outcome: Result<(), String>,
        now: i64,
    ) -> Result<(), StoreError> {
        match outcome {
            Ok(()) => sqlx::query(
                "UPDATE report_deliveries SET status = 'sent', sent_at = $2, last_error = NULL,
                     next_attempt_at = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(map_err)?,
            Err(e) => {
                let error: String = e.chars().take(500).collect();
                sqlx::query(
                    "UPDATE report_deliveries SET status = 'failed', last_error = $2,
                         next_attempt_at = CASE WHEN scheduled = 1 AND attempts < $4
                                                THEN $3 + CASE attempts WHEN 1 THEN $5 WHEN 2 THEN $6 ELSE $7 END
                                                ELSE NULL END
                     WHERE id = $1",
                )
                .bind(id)
                .bind(error)
                .bind(now)
                .bind(MAX_ATTEMPTS)
                .bind(retry_after_ms(1))
                .bind(retry_after_ms(2))
                .bind(retry_after_ms(3))
                .execute(self.pool())
                .await
                .map_err(map_err)?
            }
        };
        Ok(())
    }

    /// The latest deliveries, newest first.
    pub async fn report_deliveries(&self, limit: i64) -> Result<Vec<DeliveryRow>, StoreError> {
        sqlx::query(
            "SELECT id, week, channel, scheduled, status, attempts, claimed_at, next_attempt_at,
                    sent_at, last_error
             FROM report_deliveries ORDER BY claimed_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(delivery)
        .collect()
    }
}

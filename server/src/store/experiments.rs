//! Reading holdout experiments for their figures: each experiment with its incident's
//! title, and every assigned customer's arm, churn date and case replies, from one snapshot
//! whose case facts are up to date.

use super::rows::{code, get, opt_code};
use super::{map_err, Db};
use crate::analytics::facts::{ArmCase, ExperimentFacts};
use app::domain::ActionKind;
use app::error::StoreError;
use futures_util::TryStreamExt;
use std::collections::HashMap;

/// At most this many experiments are read, the most recent first.
pub const MAX_EXPERIMENTS: i64 = 500;

const EXPERIMENTS: &str = "
    SELECT e.id, e.incident_id, i.title, e.kind, e.control_kind, e.share_pct, e.seed, e.started_at
    FROM experiments e JOIN incidents i ON i.id = e.incident_id
    ORDER BY e.started_at DESC, e.id DESC LIMIT $1";

const ARMS: &str = "
    SELECT a.experiment_id, a.held_out, c.churned_at,
           CAST(COALESCE(f.replies, 0) AS BIGINT) AS replies,
           CAST(COALESCE(f.score_sum, 0) AS DOUBLE PRECISION) AS score_sum
    FROM experiment_arms a
    JOIN customers c ON c.id = a.customer_id
    LEFT JOIN case_facts f ON f.incident_id = a.incident_id AND f.customer_id = a.customer_id
    WHERE a.experiment_id IN (SELECT id FROM experiments ORDER BY started_at DESC, id DESC LIMIT $1)
    ORDER BY a.experiment_id, a.customer_id";

impl Db {
    /// The data version and the latest [`MAX_EXPERIMENTS`] experiments, newest first.
    pub async fn experiment_facts(&self) -> Result<(i64, Vec<ExperimentFacts>), StoreError> {
        self.read_fresh(|tx| {
            Box::pin(async move {
                let mut out: Vec<ExperimentFacts> = Vec::new();
                let mut index = HashMap::new();
                {
                    let mut rows = sqlx::query(EXPERIMENTS)
                        .bind(MAX_EXPERIMENTS)
                        .fetch(&mut **tx);
                    while let Some(r) = rows.try_next().await.map_err(map_err)? {
                        let share: i64 = get(&r, "share_pct")?;
                        let id: i64 = get(&r, "id")?;
                        index.insert(id, out.len());
                        out.push(ExperimentFacts {
                            id,
                            incident_id: get(&r, "incident_id")?,
                            incident_title: get(&r, "title")?,
                            kind: code(&r, "kind", ActionKind::parse)?,
                            control: opt_code(&r, "control_kind", ActionKind::parse)?,
                            share_pct: u32::try_from(share).unwrap_or(0),
                            seed: get(&r, "seed")?,
                            started_at: get(&r, "started_at")?,
                            arms: Vec::new(),
                        });
                    }
                }
                let mut rows = sqlx::query(ARMS).bind(MAX_EXPERIMENTS).fetch(&mut **tx);
                while let Some(r) = rows.try_next().await.map_err(map_err)? {
                    let id: i64 = get(&r, "experiment_id")?;
                    let Some(&k) = index.get(&id) else { continue };
                    let held_out: i64 = get(&r, "held_out")?;
                    let replies: i64 = get(&r, "replies")?;
                    out[k].arms.push(ArmCase {
                        held_out: held_out != 0,
                        churned_at: get(&r, "churned_at")?,
                        replies: u64::try_from(replies).unwrap_or(0),
                        score_sum: get(&r, "score_sum")?,
                    });
                }
                Ok(out)
            })
        })
        .await
    }
}

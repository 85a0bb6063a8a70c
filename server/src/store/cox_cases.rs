//! Reading the cases of a question for the adjusted (Cox) model: one row per case from
//! `case_facts`, with the customer's plan and monthly revenue, all from one snapshot whose
//! facts are up to date.

use super::analytics::{case_where, facts_version};
use super::rows::{bind_args, code, get};
use super::{map_err, Db};
use crate::analytics::facts::CoxCase;
use app::domain::analytics::AnalyticsQuery;
use app::domain::Severity;
use app::error::StoreError;
use futures_util::TryStreamExt;

impl Db {
    /// The data version and the cases of `q`, each with its model covariates.
    pub async fn cox_cases(&self, q: &AnalyticsQuery) -> Result<(i64, Vec<CoxCase>), StoreError> {
        let w = case_where(q);
        let sql = format!(
            "SELECT f.started_at, f.churned_at, f.kinds, f.severity, f.plan,
                    c.monthly_revenue_minor, c.currency
             FROM case_facts f JOIN customers c ON c.id = f.customer_id
             WHERE {}",
            w.sql()
        );
        // Changes made around the app may leave customers to catch up between the catch-up
        // and the snapshot: such a snapshot is read again, twice, as the analytics are.
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.catch_up_facts().await?;
            let mut tx = self.begin_snapshot().await?;
            let version = match facts_version(&mut tx).await? {
                Some(v) => v,
                None if attempt < 3 => {
                    tx.rollback().await.map_err(map_err)?;
                    continue;
                }
                None => Self::data_version(&mut tx).await?,
            };
            let mut cases = Vec::new();
            {
                let mut rows = bind_args(sqlx::query(&sql), &w.args).fetch(&mut *tx);
                while let Some(r) = rows.try_next().await.map_err(map_err)? {
                    cases.push(CoxCase {
                        started_at: get(&r, "started_at")?,
                        churned_at: get(&r, "churned_at")?,
                        kinds: u8::try_from(get::<i64>(&r, "kinds")?)
                            .map_err(|_| StoreError::Internal)?,
                        severity: code(&r, "severity", Severity::parse)?,
                        plan: get(&r, "plan")?,
                        monthly_revenue_minor: get(&r, "monthly_revenue_minor")?,
                        currency: get(&r, "currency")?,
                    });
                }
            }
            tx.rollback().await.map_err(map_err)?;
            return Ok((version, cases));
        }
    }
}

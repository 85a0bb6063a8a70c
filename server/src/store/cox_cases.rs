//! Reading the cases of a question for the adjusted (Cox) model from `case_facts`, with
//! each customer's plan and monthly revenue, all from one snapshot whose facts are up to
//! date: one row per incident, holding its cases.

use super::analytics::case_where;
use super::case_lines::garbled;
use super::rows::{bind_args, code, get};
use super::{map_err, Db, Engine};
use crate::analytics::facts::CoxCase;
use app::domain::analytics::AnalyticsQuery;
use app::domain::Severity;
use app::error::StoreError;
use futures_util::TryStreamExt;

impl Db {
    /// The data version and the cases of `q`, each with its model covariates.
    pub async fn cox_cases(&self, q: &AnalyticsQuery) -> Result<(i64, Vec<CoxCase>), StoreError> {
        let w = case_where(q);
        // One row per incident, its cases as one JSON array: the driver's cost per row is
        // paid hundreds of times rather than once per case.
        let (cases, group) = match self.engine() {
            Engine::Postgres => (
                "json_agg(json_build_array(f.churned_at, f.kinds, c.monthly_revenue_minor,
                                           c.currency, f.plan))::text",
                "f.incident_id",
            ),
            _ => (
                "json_group_array(json_array(f.churned_at, f.kinds, c.monthly_revenue_minor,
                                             c.currency, f.plan))",
                "f.started_at, f.incident_id",
            ),
        };
        let sql = format!(
            "SELECT MIN(f.started_at) AS started_at, MIN(f.severity) AS severity, {cases} AS cases
             FROM case_facts f JOIN customers c ON c.id = f.customer_id
             WHERE {} GROUP BY {group}",
            w.sql()
        );
        self.read_fresh(|tx| {
            let (sql, args) = (sql.clone(), w.args.clone());
            Box::pin(async move {
                let mut out = Vec::new();
                let mut rows = bind_args(sqlx::query(&sql), &args).fetch(&mut **tx);
                while let Some(r) = rows.try_next().await.map_err(map_err)? {
                    let started_at: i64 = get(&r, "started_at")?;
                    let severity = code(&r, "severity", Severity::parse)?;
                    let json: String = get(&r, "cases")?;
                    // Customers' plans stay out of the log.
                    let cases: Vec<(Option<i64>, i64, i64, String, String)> =
                        serde_json::from_str(&json).map_err(|_| garbled("cases", ""))?;
                    for (churned_at, kinds, revenue, currency, plan) in cases {
                        out.push(CoxCase {
                            started_at,
                            churned_at,
                            kinds: u8::try_from(kinds).map_err(|_| garbled("kinds", ""))?,
                            severity,
                            plan,
                            monthly_revenue_minor: revenue,
                            currency,
                        });
                    }
                }
                Ok(out)
            })
        })
        .await
    }
}

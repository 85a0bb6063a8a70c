//! What scripts need of customers beyond the forms: a filtered list, lookup by ref, a patch
//! that may also set churn (one transaction), and the upsert by ref a nightly sync runs.

use super::customer_changes::{snapshot, taken, write_churn, write_fields};
use super::customers::like_pattern;
use super::rows::{get, limit_offset, money};
use super::users::audit;
use super::version::{claim, Versioned};
use super::{map_err, Db};
use app::domain::customer::CustomerDraft;
use app::domain::{CustomerRow, Page, PageRequest};
use app::error::StoreError;

/// The customer list's filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    /// Matches ref, name or email (case-insensitive).
    pub search: Option<String>,
    pub plan: Option<String>,
    /// `Some(true)`: only churned customers; `Some(false)`: only active ones.
    pub churned: Option<bool>,
    /// Whether `search` may match e-mail addresses (not for callers who see them masked).
    pub search_email: bool,
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

impl Db {
    pub async fn customers_page(
        &self,
        filter: &CustomerFilter,
        page: PageRequest,
    ) -> Result<Page<CustomerRow>, StoreError> {
        let pattern = filter.search.as_deref().map(like_pattern);
        let churned = filter.churned.map(i64::from);
        let email = if filter.search_email {
            "OR COALESCE(c.email, '') LIKE $1 ESCAPE '\\'"
        } else {
            ""
        };
        let cond = format!(
            "($1 IS NULL OR lower(c.external_ref) LIKE $1 ESCAPE '\\'
                      OR lower(c.name) LIKE $1 ESCAPE '\\' {email})
                    AND ($2 IS NULL OR c.plan = $2)
                    AND ($3 IS NULL OR (c.churned_at IS NOT NULL) = ($3 = 1))"
        );
        let total: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customers c WHERE {cond}"))
                .bind(pattern.clone())
                .bind(filter.plan.clone())
                .bind(churned)
                .fetch_one(self.pool())
                .await
                .map_err(map_err)?;
        let (limit, offset) = limit_offset(page);
        let rows = sqlx::query(&format!(
            "SELECT c.id, c.external_ref, c.name, c.email, c.plan, c.monthly_revenue_minor,
                    c.currency, c.signed_up_at, c.churned_at,
                    (SELECT COUNT(*) FROM affected_customers a WHERE a.customer_id = c.id) AS incidents
             FROM customers c WHERE {cond}
             ORDER BY c.id LIMIT $4 OFFSET $5"
        ))
        .bind(pattern)
        .bind(filter.plan.clone())
        .bind(churned)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(CustomerRow {
                    id: get(r, "id")?,
                    external_ref: get(r, "external_ref")?,
                    name: get(r, "name")?,
                    email: get(r, "email")?,
                    plan: get(r, "plan")?,
                    monthly_revenue: money(r, "monthly_revenue_minor", "currency")?,
                    signed_up_at: get(r, "signed_up_at")?,
                    churned_at: get(r, "churned_at")?,
                    incidents: get(r, "incidents")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Page {
            items,
            page: page.page,
            per_page: page.per_page,
            total: total as u64,
        })
    }

    pub async fn customer_id_by_ref(&self, external_ref: &str) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT id FROM customers WHERE external_ref = $1")
            .bind(external_ref)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)
    }

    /// Change a customer's fields and/or churn date (`Some(None)` reactivates) as one change,
    /// if it is still at `version`.
    pub async fn patch_customer(
        &self,
        id: i64,
        version: i64,
        fields: Option<&CustomerDraft>,
        churn: Option<Option<i64>>,
        actor: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        claim(&mut tx, Versioned::Customer, id, version, now).await?;
        if let Some(d) = fields {
            write_fields(&mut tx, id, d, actor, now).await?;
        }
        if let Some(at) = churn {
            write_churn(&mut tx, id, at, actor, now).await?;
        }
        tx.commit().await.map_err(map_err)
    }

    /// Create the customer with `draft.external_ref`, or bring the existing one to `draft`
    /// (and `churn`, when given); one transaction. Returns the id and what happened.
    pub async fn upsert_customer(
        &self,
        draft: &CustomerDraft,
        churn: Option<Option<i64>>,
        actor: i64,
        now: i64,
    ) -> Result<(i64, Upserted), StoreError> {
        let mut tx = self.begin().await?;
        let found = sqlx::query(
            "SELECT id, version, name, email, plan, monthly_revenue_minor, currency, signed_up_at,
                    churned_at
             FROM customers WHERE external_ref = $1",
        )
        .bind(&draft.external_ref)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(r) = found else {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO customers (external_ref, name, email, plan, monthly_revenue_minor,
                                        currency, signed_up_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&draft.external_ref)
            .bind(&draft.name)
            .bind(draft.email.clone())
            .bind(&draft.plan)
            .bind(draft.monthly_revenue.minor)
            .bind(&draft.monthly_revenue.currency)
            .bind(draft.signed_up_at)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| taken(map_err(e)))?;
            audit(
                &mut tx,
                now,
                Some(actor),
                "create",
                "customer",
                Some(&id.to_string()),
                None,
                Some(snapshot(draft)),
                None,
            )
            .await?;
            if let Some(Some(at)) = churn {
                write_churn(&mut tx, id, Some(at), actor, now).await?;
            }
            tx.commit().await.map_err(map_err)?;
            return Ok((id, Upserted::Created));
        };
        let id: i64 = get(&r, "id")?;
        let current = CustomerDraft {
            external_ref: draft.external_ref.clone(),
            name: get(&r, "name")?,
            email: get(&r, "email")?,
            plan: get(&r, "plan")?,
            monthly_revenue: money(&r, "monthly_revenue_minor", "currency")?,
            signed_up_at: get(&r, "signed_up_at")?,
        };
        let churned_at: Option<i64> = get(&r, "churned_at")?;
        let fields_change = current != *draft;
        let churn_change = churn.filter(|c| *c != churned_at);
        if !fields_change && churn_change.is_none() {
            return Ok((id, Upserted::Unchanged));
        }
        claim(&mut tx, Versioned::Customer, id, get(&r, "version")?, now).await?;
        if fields_change {
            write_fields(&mut tx, id, draft, actor, now).await?;
        }
        if let Some(at) = churn_change {
            write_churn(&mut tx, id, at, actor, now).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok((id, Upserted::Updated))
    }
}

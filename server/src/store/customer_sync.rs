//! What scripts need of customers beyond the forms: a filtered list, lookup by ref, a patch
//! that may also set churn (one transaction), and the upsert by ref a nightly sync runs.

use super::customer_changes::{insert, write_churn, write_fields};
pub use super::customers::CustomerFilter;
use super::rows::{get, money};
use super::version::{claim, Versioned};
use super::{map_err, Db};
use app::domain::customer::CustomerDraft;
use app::domain::{CustomerRow, Page, PageRequest};
use app::error::StoreError;

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
        super::customers::list(self, filter, page).await
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
        self.commit(tx).await
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
            let id = insert(&mut tx, draft, actor, now).await?;
            if let Some(Some(at)) = churn {
                write_churn(&mut tx, id, Some(at), actor, now).await?;
            }
            self.commit(tx).await?;
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
        self.commit(tx).await?;
        Ok((id, Upserted::Updated))
    }
}

//! Paged lists of an incident's cases for the REST API: its affected customers, and
//! recovery actions by incident and/or customer.

use super::incidents::{action_row, affected_row, ACTION_SELECT};
use super::rows::limit_offset;
use super::{map_err, Db};
use app::domain::{ActionRow, AffectedRow, Page, PageRequest};
use app::error::StoreError;

impl Db {
    /// An incident's affected customers, by customer id; `NotFound` for no such incident.
    pub async fn affected_page(
        &self,
        incident: i64,
        page: PageRequest,
    ) -> Result<Page<AffectedRow>, StoreError> {
        if !self.exists(Record::Incident, incident).await? {
            return Err(StoreError::NotFound);
        }
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM affected_customers WHERE incident_id = $1")
                .bind(incident)
                .fetch_one(self.pool())
                .await
                .map_err(map_err)?;
        let (limit, offset) = limit_offset(page);
        let items = sqlx::query(
            "SELECT c.id, c.external_ref, c.name, c.plan, c.churned_at, a.source, a.added_at
             FROM affected_customers a JOIN customers c ON c.id = a.customer_id
             WHERE a.incident_id = $1 ORDER BY a.customer_id LIMIT $2 OFFSET $3",
        )
        .bind(incident)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(affected_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Page::of(items, page, total))
    }

    /// Recovery actions of one incident and/or one customer, in the order they were given.
    pub async fn actions_page(
        &self,
        incident: Option<i64>,
        customer: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<ActionRow>, StoreError> {
        let cond = "($1 IS NULL OR r.incident_id = $1) AND ($2 IS NULL OR r.customer_id = $2)";
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM recovery_actions r WHERE {cond}"
        ))
        .bind(incident)
        .bind(customer)
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        let (limit, offset) = limit_offset(page);
        let items = sqlx::query(&format!(
            "{ACTION_SELECT} WHERE {cond} ORDER BY r.given_at, r.id LIMIT $3 OFFSET $4"
        ))
        .bind(incident)
        .bind(customer)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?
        .iter()
        .map(action_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Page::of(items, page, total))
    }

    /// Whether a row with this id exists (for a 404 on an empty sub-list).
    pub async fn exists(&self, what: Record, id: i64) -> Result<bool, StoreError> {
        let table = match what {
            Record::Incident => "incidents",
            Record::Customer => "customers",
        };
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_one(self.pool())
            .await
            .map_err(map_err)?;
        Ok(n > 0)
    }
}

/// The records `exists` can check.
#[derive(Clone, Copy, Debug)]
pub enum Record {
    Incident,
    Customer,
}

impl Record {
    /// What a person calls one.
    pub fn noun(self) -> &'static str {
        match self {
            Record::Incident => "incident",
            Record::Customer => "customer",
        }
    }
}

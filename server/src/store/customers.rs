//! Customer queries.

use super::rows::{get, limit_offset, money};
use super::{map_err, Db};
use app::domain::{CustomerRow, Page, PageRequest};
use app::error::StoreError;

/// `%term%` for LIKE, with LIKE's own wildcards in the term escaped, and without the
/// control characters no stored text holds (PostgreSQL refuses a NUL in a parameter).
pub fn like_pattern(term: &str) -> String {
    let escaped = app::domain::text::without_controls(term)
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

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
    /// By name (the page), or by id (the API: stable while customers are added).
    pub by_name: bool,
}

pub(super) fn customer_row(r: &sqlx::any::AnyRow) -> Result<CustomerRow, StoreError> {
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
}

/// The columns `customer_row` reads, of customers `c`.
pub(super) const CUSTOMER_COLUMNS: &str =
    "c.id, c.external_ref, c.name, c.email, c.plan, c.monthly_revenue_minor, c.currency,
     c.signed_up_at, c.churned_at,
     (SELECT COUNT(*) FROM affected_customers a WHERE a.customer_id = c.id) AS incidents";

pub async fn list(
    db: &Db,
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
    // One statement for every combination: a NULL parameter matches everything.
    let cond = format!(
        "($1 IS NULL OR lower(c.external_ref) LIKE $1 ESCAPE '\\'
                     OR lower(c.name) LIKE $1 ESCAPE '\\' {email})
         AND ($2 IS NULL OR c.plan = $2)
         AND ($3 IS NULL OR (c.churned_at IS NOT NULL) = ($3 = 1))"
    );
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customers c WHERE {cond}"))
        .bind(pattern.clone())
        .bind(filter.plan.clone())
        .bind(churned)
        .fetch_one(db.pool())
        .await
        .map_err(map_err)?;
    let order = if filter.by_name {
        "c.name, c.id"
    } else {
        "c.id"
    };
    let (limit, offset) = limit_offset(page);
    let items = sqlx::query(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE {cond}
         ORDER BY {order} LIMIT $4 OFFSET $5"
    ))
    .bind(pattern)
    .bind(filter.plan.clone())
    .bind(churned)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(customer_row)
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page::of(items, page, total))
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(super::like_pattern("50%_Off"), "%50\\%\\_off%");
        assert_eq!(super::like_pattern("a\0b"), "%ab%");
    }
}

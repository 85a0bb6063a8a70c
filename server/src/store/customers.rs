//! Customer queries.

use super::rows::{get, limit_offset, money};
use super::{map_err, Db};
use app::domain::{CustomerRow, Page, PageRequest};
use app::error::StoreError;

/// `%term%` for LIKE, with LIKE's own wildcards in the term escaped.
pub fn like_pattern(term: &str) -> String {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub async fn list(
    db: &Db,
    search: Option<String>,
    page: PageRequest,
) -> Result<Page<CustomerRow>, StoreError> {
    let pattern = search.as_deref().map(like_pattern);
    // One statement for both cases: a NULL pattern matches everything.
    let filter = "($1 IS NULL OR lower(c.external_ref) LIKE $1 ESCAPE '\\'
                  OR lower(c.name) LIKE $1 ESCAPE '\\'
                  OR COALESCE(c.email, '') LIKE $1 ESCAPE '\\')";
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customers c WHERE {filter}"))
            .bind(pattern.clone())
            .fetch_one(db.pool())
            .await
            .map_err(map_err)?;
    let (limit, offset) = limit_offset(page);
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.external_ref, c.name, c.email, c.plan, c.monthly_revenue_minor, c.currency,
                c.signed_up_at, c.churned_at,
                (SELECT COUNT(*) FROM affected_customers a WHERE a.customer_id = c.id) AS incidents
         FROM customers c WHERE {filter}
         ORDER BY c.name, c.id LIMIT $2 OFFSET $3"
    ))
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
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

#[cfg(test)]
mod tests {
    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(super::like_pattern("50%_Off"), "%50\\%\\_off%");
    }
}

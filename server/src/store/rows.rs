//! Decoding rows into domain types. A stored code that does not parse means the database
//! holds something our CHECKs should have refused: log it and fail the request.

use app::domain::Money;
use app::error::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;

pub fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(col).map_err(|e| {
        tracing::error!(column = col, error = %e, "cannot decode column");
        StoreError::Internal
    })
}

pub fn code<T, E: std::fmt::Display>(
    row: &AnyRow,
    col: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let raw: String = get(row, col)?;
    parse(&raw).map_err(|e| {
        tracing::error!(column = col, error = %e, "unexpected code in database");
        StoreError::Internal
    })
}

pub fn opt_code<T, E: std::fmt::Display>(
    row: &AnyRow,
    col: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    let raw: Option<String> = get(row, col)?;
    raw.map(|s| {
        parse(&s).map_err(|e| {
            tracing::error!(column = col, error = %e, "unexpected code in database");
            StoreError::Internal
        })
    })
    .transpose()
}

pub fn money(row: &AnyRow, minor: &str, currency: &str) -> Result<Money, StoreError> {
    Ok(Money::new(
        get::<i64>(row, minor)?,
        get::<String>(row, currency)?,
    ))
}

/// `$first, $first+1, …` placeholders for an IN list of `n` values.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn limit_offset(page: app::domain::PageRequest) -> (i64, i64) {
    (i64::from(page.per_page), page.offset() as i64)
}

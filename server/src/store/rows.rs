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

/// A value for a statement whose WHERE clause is built from a filter.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// A WHERE clause under construction: conditions joined by AND, values numbered in order.
#[derive(Default)]
pub struct Where {
    conditions: Vec<String>,
    pub args: Vec<Arg>,
}

impl Where {
    /// The next placeholder, `$n`, for a value about to be added.
    pub fn next(&self) -> String {
        format!("${}", self.args.len() + 1)
    }

    /// Add a condition; `{}` in it stands for the value's placeholder.
    pub fn and(&mut self, condition: &str, value: Arg) {
        let p = self.next();
        self.conditions.push(condition.replace("{}", &p));
        self.args.push(value);
    }

    /// Add a condition that takes no value.
    pub fn and_raw(&mut self, condition: &str) {
        self.conditions.push(condition.to_string());
    }

    pub fn sql(&self) -> String {
        if self.conditions.is_empty() {
            "1 = 1".into()
        } else {
            self.conditions.join(" AND ")
        }
    }
}

pub fn bind_args<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

pub fn bind_scalar_args<'q, O>(
    mut q: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

//! Customers: search, one customer's page, and changes to them.

// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::domain::customer::{sees_emails, CustomerForm};
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::domain::{CustomerDetail, CustomerRow, Page};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "customers/list")]
pub async fn list_customers(
    q: Option<String>,
    page: Option<u32>,
) -> Result<Page<CustomerRow>, AppError> {
    let me = super::require(Role::Viewer)?;
    let search = q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(super::fail(AppError::Invalid(
            "Search is limited to 200 characters.".into(),
        )));
    }
    let req = crate::domain::PageRequest::new(page, None);
    Ok(super::store()?
        .list_customers(search, sees_emails(me.role), req)
        .await?
        .for_role(me.role))
}

#[server(prefix = "/api/fn", endpoint = "customers/get")]
pub async fn get_customer(id: i64) -> Result<CustomerDetail, AppError> {
    let me = super::require(Role::Viewer)?;
    super::store()?
        .customer(id)
        .await?
        .map(|d| d.for_role(me.role))
        .ok_or_else(|| super::fail(AppError::NotFound))
}

#[cfg(feature = "ssr")]
fn form(
    external_ref: String,
    name: Option<String>,
    email: Option<String>,
    plan: Option<String>,
    monthly_revenue: Option<String>,
    currency: Option<String>,
    signed_up_at: String,
) -> CustomerForm {
    CustomerForm {
        external_ref,
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
        plan: plan.unwrap_or_default(),
        monthly_revenue: monthly_revenue.unwrap_or_default(),
        currency: currency.unwrap_or_default(),
        signed_up_at,
    }
}

#[server(prefix = "/api/fn", endpoint = "customers/create")]
pub async fn create_customer(
    external_ref: String,
    name: Option<String>,
    email: Option<String>,
    plan: Option<String>,
    monthly_revenue: Option<String>,
    currency: Option<String>,
    signed_up_at: String,
) -> Result<i64, AppError> {
    let me = super::require(Role::Editor)?;
    let typed = form(
        external_ref,
        name,
        email,
        plan,
        monthly_revenue,
        currency,
        signed_up_at,
    );
    let saved = async {
        let draft = typed.parse()?;
        Ok(super::store()?.create_customer(&draft, me.id).await?)
    }
    .await;
    match saved {
        Ok(id) => {
            leptos_axum::redirect(&format!("/customers/{id}"));
            Ok(id)
        }
        Err(e) => {
            super::keep_typed("/api/fn/customers/create", &e, &typed.pairs());
            Err(super::fail(e))
        }
    }
}

#[server(prefix = "/api/fn", endpoint = "customers/update")]
pub async fn update_customer(
    id: i64,
    version: i64,
    external_ref: String,
    name: Option<String>,
    email: Option<String>,
    plan: Option<String>,
    monthly_revenue: Option<String>,
    currency: Option<String>,
    signed_up_at: String,
) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    let draft = form(
        external_ref,
        name,
        email,
        plan,
        monthly_revenue,
        currency,
        signed_up_at,
    )
    .parse()
    .map_err(super::fail)?;
    super::store()?
        .update_customer(id, version, &draft, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

/// Mark a customer churned (on `at`, a date; empty means today) or, with
/// `churned=false`, reactivated.
#[server(prefix = "/api/fn", endpoint = "customers/churn")]
pub async fn set_churn(
    id: i64,
    version: i64,
    churned: bool,
    at: Option<String>,
) -> Result<(), AppError> {
    let me = super::require(Role::Editor)?;
    let now = crate::domain::when::now_ms();
    let at = if churned {
        match at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(now),
            Some(d) => Some(
                crate::domain::when::parse_date(d)
                    .map_err(|m| super::fail(AppError::field("at", m)))?,
            ),
        }
    } else {
        None
    };
    if at.is_some_and(|t| t > now) {
        return Err(super::fail(AppError::field(
            "at",
            "A churn date cannot be in the future.",
        )));
    }
    super::store()?
        .set_churn(id, version, at, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

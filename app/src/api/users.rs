//! Team administration (admins only): users and the audit log.

#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::domain::{AuditRow, Page, UserRow};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    super::require(Role::Admin)?;
    Ok(super::store()?.list_users().await?)
}

/// Create a team member with a first password the admin passes on to them.
#[server(prefix = "/api/fn", endpoint = "users/create")]
pub async fn create_user(
    name: String,
    email: String,
    role: String,
    password: String,
) -> Result<i64, AppError> {
    let me = super::require(Role::Admin)?;
    add_member(me.id, name, email, role, password)
        .await
        .map_err(super::fail)
}

#[cfg(feature = "ssr")]
async fn add_member(
    actor: i64,
    name: String,
    email: String,
    role: String,
    password: String,
) -> Result<i64, AppError> {
    let name = name.trim().to_string();
    let email = email.trim().to_lowercase();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field(
            "name",
            "Enter their name (up to 200 characters).",
        ));
    }
    if !crate::domain::valid_email(&email) {
        return Err(AppError::field(
            "email",
            "Enter an email address like ada@example.com.",
        ));
    }
    let role = Role::parse(&role).map_err(|e| AppError::field("role", e.to_string()))?;
    crate::auth::password::check_strength(&password, &email)
        .map_err(|m| AppError::field("password", m))?;
    let hash = crate::auth::password::hash(password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })?;
    super::store()?
        .add_user(&email, &name, role, &hash, actor)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Invalid(m) => AppError::field("email", m),
            other => other,
        })
}

/// Change someone's role or whether they may sign in.
#[server(prefix = "/api/fn", endpoint = "users/update")]
pub async fn update_user(id: i64, role: String, active: bool) -> Result<(), AppError> {
    let me = super::require(Role::Admin)?;
    let role = Role::parse(&role).map_err(|e| super::fail(AppError::Invalid(e.to_string())))?;
    super::store()?
        .update_user(id, role, active, me.id)
        .await
        .map_err(|e| super::fail(e.into()))
}

#[server(prefix = "/api/fn", endpoint = "audit/list")]
pub async fn list_audit(
    entity: Option<String>,
    action: Option<String>,
    page: Option<u32>,
) -> Result<Page<AuditRow>, AppError> {
    super::require(Role::Admin)?;
    let clean = |s: Option<String>| {
        s.map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s.len() <= 60)
    };
    let req = crate::domain::PageRequest::new(page, Some(50));
    Ok(super::store()?
        .list_audit(clean(entity), clean(action), req)
        .await?)
}

//! The team admin's queries: users and the audit log.

use super::rows::{code, get, limit_offset};
use super::users::audit;
use super::{map_err, Db, NewUser};
use app::domain::{AuditRow, Page, PageRequest, Role, UserRow};
use app::error::StoreError;

pub async fn list_users(db: &Db) -> Result<Vec<UserRow>, StoreError> {
    sqlx::query(
        "SELECT u.id, u.name, u.email, u.role, u.active, u.created_at,
                (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at
         FROM users u
         ORDER BY u.active DESC, CASE u.role WHEN 'admin' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, u.name, u.id",
    )
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(UserRow {
            id: get(r, "id")?,
            name: get(r, "name")?,
            email: get(r, "email")?,
            role: code(r, "role", Role::parse)?,
            active: get::<i64>(r, "active")? == 1,
            created_at: get(r, "created_at")?,
            last_seen_at: get(r, "last_seen_at")?,
        })
    })
    .collect()
}

pub async fn add_user(db: &Db, user: NewUser<'_>, actor: i64, now: i64) -> Result<i64, StoreError> {
    db.create_user(user, Some(actor), false, now).await
}

pub async fn update_user(
    db: &Db,
    id: i64,
    role: Role,
    active: bool,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    db.lock_team(&mut tx).await?;
    let Some(r) = sqlx::query("SELECT role, active, email, name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
    else {
        return Err(StoreError::NotFound);
    };
    let old_role = code(&r, "role", Role::parse)?;
    let old_active = get::<i64>(&r, "active")? == 1;
    let was_admin = old_role == Role::Admin && old_active;
    let stays_admin = role == Role::Admin && active;
    if was_admin && !stays_admin {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        if others == 0 {
            return Err(StoreError::Conflict(
                "Amends needs at least one admin: make someone else an admin first.".into(),
            ));
        }
    }
    sqlx::query("UPDATE users SET role = $2, active = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(role.code())
        .bind(i64::from(active))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    if !active {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // Their scripts stop with them: reactivating does not bring the tokens back.
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    let before = serde_json::json!({ "role": old_role.code(), "active": old_active });
    let after = serde_json::json!({ "role": role.code(), "active": active });
    audit(
        &mut tx,
        now,
        Some(actor),
        "update",
        "user",
        Some(&id.to_string()),
        Some(before),
        Some(after),
        None,
    )
    .await?;
    db.commit(tx).await
}

pub async fn list_audit(
    db: &Db,
    entity: Option<String>,
    action: Option<String>,
    page: PageRequest,
) -> Result<Page<AuditRow>, StoreError> {
    let filter = "($1 IS NULL OR a.entity = $1) AND ($2 IS NULL OR a.action = $2)";
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM audit_log a WHERE {filter}"))
            .bind(entity.clone())
            .bind(action.clone())
            .fetch_one(db.pool())
            .await
            .map_err(map_err)?;
    let (limit, offset) = limit_offset(page);
    let items = sqlx::query(&format!(
        "SELECT a.id, a.at, u.name AS user_name, a.action, a.entity, a.entity_id, a.before, a.after, a.ip, a.via
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE {filter} ORDER BY a.at DESC, a.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(entity)
    .bind(action)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(|r| {
        Ok(AuditRow {
            id: get(r, "id")?,
            at: get(r, "at")?,
            user: get(r, "user_name")?,
            action: get(r, "action")?,
            entity: get(r, "entity")?,
            entity_id: get(r, "entity_id")?,
            before: get(r, "before")?,
            after: get(r, "after")?,
            ip: get(r, "ip")?,
            via: get(r, "via")?,
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

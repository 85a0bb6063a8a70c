//! Incident queries: the paginated list with per-row counts, and the detail page.

use super::rows::{
    bind_args, bind_scalar_args, code, get, limit_offset, money, opt_code, placeholders, Arg, Where,
};
use super::{map_err, Db};
use app::domain::incident::{IncidentFilter, IncidentSort};
use app::domain::*;
use app::error::StoreError;
use sqlx::Row;
use std::collections::HashMap;

/// How many related rows the detail page shows before "and N more".
pub const DETAIL_LIMIT: i64 = 50;

pub async fn list(
    db: &Db,
    filter: &IncidentFilter,
    page: PageRequest,
) -> Result<Page<IncidentRow>, StoreError> {
    let mut w = Where::default();
    if let Some(s) = filter.status {
        w.and("i.status = {}", Arg::Text(s.code().into()));
    }
    if let Some(s) = filter.severity {
        w.and("i.severity = {}", Arg::Text(s.code().into()));
    }
    if let Some(k) = filter.kind {
        w.and("i.kind = {}", Arg::Text(k.code().into()));
    }
    if let Some(f) = filter.from {
        w.and("i.started_at >= {}", Arg::Int(f));
    }
    if let Some(t) = filter.to {
        w.and("i.started_at < {}", Arg::Int(t));
    }
    if let Some(q) = &filter.search {
        let p = w.next();
        w.and(
            &format!("(lower(i.title) LIKE {p} ESCAPE '\\' OR lower(i.description) LIKE {p} ESCAPE '\\')"),
            Arg::Text(super::customers::like_pattern(q)),
        );
    }
    let where_sql = w.sql();
    let total: i64 = bind_scalar_args(
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM incidents i WHERE {where_sql}"
        )),
        &w.args,
    )
    .fetch_one(db.pool())
    .await
    .map_err(map_err)?;
    let (limit, offset) = limit_offset(page);
    let order = match filter.sort {
        IncidentSort::Newest => "i.started_at DESC, i.id DESC",
        IncidentSort::Oldest => "i.started_at ASC, i.id ASC",
        IncidentSort::Severity => "i.severity ASC, i.started_at DESC, i.id DESC",
        IncidentSort::MostAffected => "affected DESC, i.started_at DESC, i.id DESC",
        IncidentSort::MostReplies => "replies DESC, i.started_at DESC, i.id DESC",
    };
    let n = w.args.len();
    let sql = format!(
        "SELECT i.id, i.title, i.kind, i.severity, i.status, i.started_at, i.resolved_at,
                (SELECT COUNT(*) FROM affected_customers a WHERE a.incident_id = i.id) AS affected,
                (SELECT COUNT(*) FROM recovery_actions r WHERE r.incident_id = i.id) AS actions,
                (SELECT COUNT(*) FROM replies y WHERE y.incident_id = i.id) AS replies
         FROM incidents i
         WHERE {where_sql}
         ORDER BY {order}
         LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let rows = bind_args(sqlx::query(&sql), &w.args)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await
        .map_err(map_err)?;

    let mut items = rows
        .iter()
        .map(|r| {
            Ok(IncidentRow {
                id: get(r, "id")?,
                title: get(r, "title")?,
                kind: code(r, "kind", IncidentKind::parse)?,
                severity: code(r, "severity", Severity::parse)?,
                status: code(r, "status", IncidentStatus::parse)?,
                started_at: get(r, "started_at")?,
                resolved_at: get(r, "resolved_at")?,
                affected: get(r, "affected")?,
                actions: get(r, "actions")?,
                replies: get(r, "replies")?,
                cost: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut costs = costs_by_incident(db, &ids).await?;
    for item in &mut items {
        item.cost = costs.remove(&item.id).unwrap_or_default();
    }
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

/// Total action cost per incident and currency, for a set of incidents, in one query.
pub async fn costs_by_incident(
    db: &Db,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Money>>, StoreError> {
    let mut out: HashMap<i64, Vec<Money>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT incident_id, currency, CAST(SUM(cost_minor) AS BIGINT) AS cost
         FROM recovery_actions WHERE incident_id IN ({})
         GROUP BY incident_id, currency ORDER BY incident_id, currency",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    for r in q.fetch_all(db.pool()).await.map_err(map_err)? {
        out.entry(get(&r, "incident_id")?)
            .or_default()
            .push(money(&r, "cost", "currency")?);
    }
    Ok(out)
}

pub async fn detail(db: &Db, id: i64) -> Result<Option<IncidentDetail>, StoreError> {
    let pool = db.pool();
    let Some(r) = sqlx::query(
        "SELECT i.id, i.title, i.description, i.kind, i.severity, i.status, i.started_at,
                i.detected_at, i.resolved_at, i.owner_id, i.version, u.name AS owner
         FROM incidents i LEFT JOIN users u ON u.id = i.owner_id
         WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(map_err)?
    else {
        return Ok(None);
    };

    let counts = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM affected_customers WHERE incident_id = $1) AS affected,
                (SELECT COUNT(*) FROM recovery_actions WHERE incident_id = $1) AS actions,
                (SELECT COUNT(*) FROM replies WHERE incident_id = $1) AS replies",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .map_err(map_err)?;

    let events = sqlx::query(
        "SELECT e.at, e.kind, e.from_status, e.to_status, e.note, u.name AS by_name
         FROM incident_events e LEFT JOIN users u ON u.id = e.user_id
         WHERE e.incident_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(|e| {
        Ok(TimelineEvent {
            at: get(e, "at")?,
            kind: get(e, "kind")?,
            from_status: opt_code(e, "from_status", IncidentStatus::parse)?,
            to_status: opt_code(e, "to_status", IncidentStatus::parse)?,
            note: get(e, "note")?,
            by: get(e, "by_name")?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;

    let affected = sqlx::query(
        "SELECT c.id, c.external_ref, c.name, c.plan, c.churned_at, a.source, a.added_at
         FROM affected_customers a JOIN customers c ON c.id = a.customer_id
         WHERE a.incident_id = $1 ORDER BY c.name, c.id LIMIT $2",
    )
    .bind(id)
    .bind(DETAIL_LIMIT)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(affected_row)
    .collect::<Result<Vec<_>, StoreError>>()?;

    let actions = sqlx::query(&format!(
        "{ACTION_SELECT} WHERE r.incident_id = $1 ORDER BY r.given_at, r.id LIMIT $2"
    ))
    .bind(id)
    .bind(DETAIL_LIMIT)
    .fetch_all(pool)
    .await
    .map_err(map_err)?
    .iter()
    .map(action_row)
    .collect::<Result<Vec<_>, StoreError>>()?;

    let replies = super::replies::for_incident(db, id, DETAIL_LIMIT).await?;
    let cost = costs_by_incident(db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();

    Ok(Some(IncidentDetail {
        id: get(&r, "id")?,
        title: get(&r, "title")?,
        description: get(&r, "description")?,
        kind: code(&r, "kind", IncidentKind::parse)?,
        severity: code(&r, "severity", Severity::parse)?,
        status: code(&r, "status", IncidentStatus::parse)?,
        started_at: get(&r, "started_at")?,
        detected_at: get(&r, "detected_at")?,
        resolved_at: get(&r, "resolved_at")?,
        owner: get(&r, "owner")?,
        owner_id: get(&r, "owner_id")?,
        version: get(&r, "version")?,
        events,
        affected,
        affected_total: counts.try_get("affected").map_err(map_err)?,
        actions,
        actions_total: counts.try_get("actions").map_err(map_err)?,
        replies,
        replies_total: counts.try_get("replies").map_err(map_err)?,
        cost,
    }))
}

/// A customer's actions across incidents, newest first.
pub async fn actions_of_customer(
    db: &Db,
    customer: i64,
    limit: i64,
) -> Result<Vec<ActionRow>, StoreError> {
    sqlx::query(&format!(
        "{ACTION_SELECT} WHERE r.customer_id = $1 ORDER BY r.given_at DESC, r.id DESC LIMIT $2"
    ))
    .bind(customer)
    .bind(limit)
    .fetch_all(db.pool())
    .await
    .map_err(map_err)?
    .iter()
    .map(action_row)
    .collect()
}

/// An affected customer, from `c.id, c.external_ref, c.name, c.plan, c.churned_at,
/// a.source, a.added_at`.
pub(super) fn affected_row(a: &sqlx::any::AnyRow) -> Result<AffectedRow, StoreError> {
    Ok(AffectedRow {
        customer_id: get(a, "id")?,
        external_ref: get(a, "external_ref")?,
        name: get(a, "name")?,
        plan: get(a, "plan")?,
        source: code(a, "source", AffectedSource::parse)?,
        added_at: get(a, "added_at")?,
        churned_at: get(a, "churned_at")?,
    })
}

/// The columns `action_row` reads.
pub(super) const ACTION_SELECT: &str =
    "SELECT r.id, r.incident_id, r.customer_id, c.name AS customer_name,
        r.kind, r.value_minor, r.cost_minor, r.currency, r.channel, r.note, r.given_at
    FROM recovery_actions r JOIN customers c ON c.id = r.customer_id";

pub(super) fn action_row(a: &sqlx::any::AnyRow) -> Result<ActionRow, StoreError> {
    Ok(ActionRow {
        id: get(a, "id")?,
        incident_id: get(a, "incident_id")?,
        customer_id: get(a, "customer_id")?,
        customer_name: get(a, "customer_name")?,
        kind: code(a, "kind", ActionKind::parse)?,
        value: money(a, "value_minor", "currency")?,
        cost: money(a, "cost_minor", "currency")?,
        channel: code(a, "channel", Channel::parse)?,
        note: get(a, "note")?,
        given_at: get(a, "given_at")?,
    })
}

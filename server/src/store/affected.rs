//! Marking customers affected by an incident: preview a pasted list, confirm it (creating
//! unknown customers) in one transaction, and remove one link.

use super::rows::{get, placeholders};
use super::users::audit;
use super::{map_err, Db};
use app::domain::affected::{
    AffectedAdded, AffectedEntry, AffectedPreview, CustomerKey, ParsedList, PreviewLine,
};
use app::domain::AffectedSource;
use app::error::StoreError;
use serde_json::json;
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

type Tx = Transaction<'static, Any>;

/// A customer the list names.
#[derive(Clone)]
struct Known {
    id: i64,
    external_ref: String,
    name: String,
}

/// Where each usable entry goes.
enum Fate {
    Link(Known),
    Create,
    Already(Known),
    Ambiguous(usize),
    /// The same customer as an earlier line (named once by ref, once by email).
    Same(usize),
}

async fn incident_started(tx: &mut Tx, incident: i64) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT started_at FROM incidents WHERE id = $1")
        .bind(incident)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)
}

/// Look every key up in a few set-based queries (chunks of 500 values).
async fn classify(
    tx: &mut Tx,
    incident: i64,
    entries: &[AffectedEntry],
) -> Result<Vec<Fate>, StoreError> {
    let keys: Vec<String> = entries.iter().map(|e| e.key.text().to_string()).collect();
    let mut by_ref: HashMap<String, Known> = HashMap::new();
    let mut by_email: HashMap<String, Vec<Known>> = HashMap::new();
    let mut linked: HashSet<i64> = HashSet::new();
    for chunk in keys.chunks(500) {
        let sql = format!(
            "SELECT c.id, c.external_ref, c.name, c.email,
                    (SELECT COUNT(*) FROM affected_customers a
                     WHERE a.incident_id = $1 AND a.customer_id = c.id) AS linked
             FROM customers c
             WHERE c.external_ref IN ({p}) OR c.email IN ({p})",
            p = placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(incident);
        for k in chunk {
            q = q.bind(k.clone());
        }
        for r in q.fetch_all(&mut **tx).await.map_err(map_err)? {
            let known = Known {
                id: get(&r, "id")?,
                external_ref: get(&r, "external_ref")?,
                name: get(&r, "name")?,
            };
            if get::<i64>(&r, "linked")? > 0 {
                linked.insert(known.id);
            }
            if let Some(email) = get::<Option<String>>(&r, "email")? {
                let list = by_email.entry(email).or_default();
                if !list.iter().any(|k| k.id == known.id) {
                    list.push(known.clone());
                }
            }
            by_ref.insert(known.external_ref.clone(), known);
        }
    }
    let mut first_line: HashMap<i64, usize> = HashMap::new();
    Ok(entries
        .iter()
        .map(|e| {
            let found = match &e.key {
                CustomerKey::Ref(r) => by_ref.get(r).cloned().map(Ok),
                CustomerKey::Email(m) => match by_email.get(m).map(Vec::as_slice) {
                    Some([one]) => Some(Ok(one.clone())),
                    Some(many) if many.len() > 1 => Some(Err(many.len())),
                    _ => by_ref.get(m).cloned().map(Ok),
                },
            };
            if let Some(Ok(k)) = &found {
                if let Some(line) = first_line.get(&k.id) {
                    return Fate::Same(*line);
                }
                first_line.insert(k.id, e.line);
            }
            match found {
                Some(Ok(k)) if linked.contains(&k.id) => Fate::Already(k),
                Some(Ok(k)) => Fate::Link(k),
                Some(Err(n)) => Fate::Ambiguous(n),
                None => Fate::Create,
            }
        })
        .collect())
}

fn new_name(e: &AffectedEntry) -> String {
    e.name.clone().unwrap_or_else(|| e.key.text().to_string())
}

fn preview_of(list: &ParsedList, fates: &[Fate]) -> AffectedPreview {
    let mut p = AffectedPreview::default();
    for (e, fate) in list.entries.iter().zip(fates) {
        let line = |customer: String, note: String| PreviewLine {
            line: e.line,
            text: e.key.text().to_string(),
            customer,
            note,
        };
        match fate {
            Fate::Link(k) => p
                .matched
                .push(line(k.name.clone(), format!("ref {}", k.external_ref))),
            Fate::Create => p.unknown.push(line(
                new_name(e),
                "new customer, created when you confirm".into(),
            )),
            Fate::Already(k) => p
                .already
                .push(line(k.name.clone(), "already marked affected".into())),
            Fate::Same(first) => p.duplicates.push(line(
                String::new(),
                format!("same customer as line {first}"),
            )),
            Fate::Ambiguous(n) => p.malformed.push(line(
                String::new(),
                format!("{n} customers share this email; use their ref instead"),
            )),
        }
    }
    for (l, text, first) in &list.duplicates {
        p.duplicates.push(PreviewLine {
            line: *l,
            text: text.clone(),
            customer: String::new(),
            note: format!("same as line {first}"),
        });
    }
    for m in &list.malformed {
        p.malformed.push(PreviewLine {
            line: m.line,
            text: m.text.clone(),
            customer: String::new(),
            note: m.reason.clone(),
        });
    }
    p.malformed.sort_by_key(|l| l.line);
    p.duplicates.sort_by_key(|l| l.line);
    p
}

pub async fn preview(
    db: &Db,
    incident: i64,
    list: &ParsedList,
) -> Result<AffectedPreview, StoreError> {
    // Only reads: a snapshot, so a preview neither waits for nor blocks a writer.
    let mut tx = db.begin_snapshot().await?;
    incident_started(&mut tx, incident).await?;
    let fates = classify(&mut tx, incident, &list.entries).await?;
    tx.rollback().await.map_err(map_err)?;
    Ok(preview_of(list, &fates))
}

/// Link every usable entry, creating unknown customers; all or nothing.
pub async fn confirm(
    db: &Db,
    incident: i64,
    list: &ParsedList,
    source: AffectedSource,
    actor: i64,
    now: i64,
) -> Result<AffectedAdded, StoreError> {
    let mut tx = db.begin().await?;
    let started = incident_started(&mut tx, incident).await?;
    let fates = classify(&mut tx, incident, &list.entries).await?;
    let mut added = AffectedAdded::default();
    let mut refs = Vec::new();
    for (e, fate) in list.entries.iter().zip(&fates) {
        let id = match fate {
            Fate::Link(k) => k.id,
            Fate::Create => {
                added.created += 1;
                // Signed up no later than the incident that hit them.
                sqlx::query_scalar(
                    "INSERT INTO customers (external_ref, name, email, plan, signed_up_at, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(e.key.text())
                .bind(new_name(e))
                .bind(e.email.clone())
                .bind(e.plan.clone().unwrap_or_else(|| "unknown".into()))
                .bind(started.min(now))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?
            }
            Fate::Already(_) | Fate::Ambiguous(_) | Fate::Same(_) => continue,
        };
        sqlx::query(
            "INSERT INTO affected_customers (incident_id, customer_id, source, added_at, added_by)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(incident)
        .bind(id)
        .bind(source.code())
        .bind(now)
        .bind(actor)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        added.linked += 1;
        if refs.len() < 100 {
            refs.push(e.key.text().to_string());
        }
    }
    if added.linked > 0 {
        let after = json!({ "linked": added.linked, "created": added.created, "refs": refs });
        audit(
            &mut tx,
            now,
            Some(actor),
            "create",
            "affected_customers",
            Some(&incident.to_string()),
            None,
            Some(after),
            None,
        )
        .await?;
    }
    db.commit(tx).await?;
    Ok(added)
}

/// Unlink one customer; their actions for this incident go with the link.
pub async fn remove(
    db: &Db,
    incident: i64,
    customer: i64,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let actions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_actions WHERE incident_id = $1 AND customer_id = $2",
    )
    .bind(incident)
    .bind(customer)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let done =
        sqlx::query("DELETE FROM affected_customers WHERE incident_id = $1 AND customer_id = $2")
            .bind(incident)
            .bind(customer)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let before =
        json!({ "incident_id": incident, "customer_id": customer, "actions_removed": actions });
    audit(
        &mut tx,
        now,
        Some(actor),
        "delete",
        "affected_customer",
        Some(&format!("{incident}/{customer}")),
        Some(before),
        None,
        None,
    )
    .await?;
    db.commit(tx).await
}

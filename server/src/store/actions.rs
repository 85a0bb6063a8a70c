//! Giving recovery actions — to one affected customer or to a filtered set of them at once,
//! all or nothing — and the apology mail merge.

use super::rows::{get, money};
use super::users::audit;
use super::{map_err, Db};
use app::domain::action::{
    merge_too_large, render_note, ActionDraft, ActionTarget, MergeValues, MAX_MERGE_BYTES,
};
use app::domain::experiment::{assign, ExperimentStarted, Holdout, HoldoutPreview};
use app::domain::{ActionKind, Money};
use app::error::StoreError;
use serde_json::json;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

type Tx = Transaction<'static, Any>;

struct Target {
    id: i64,
    name: String,
    email: Option<String>,
}

async fn incident_title(tx: &mut Tx, incident: i64) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT title FROM incidents WHERE id = $1")
        .bind(incident)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)
}

async fn targets(
    tx: &mut Tx,
    incident: i64,
    target: &ActionTarget,
    kind: ActionKind,
) -> Result<Vec<Target>, StoreError> {
    let condition = match target {
        ActionTarget::All => "1 = 1".to_string(),
        ActionTarget::Uncontacted => "NOT EXISTS (SELECT 1 FROM recovery_actions r WHERE r.incident_id = a.incident_id AND r.customer_id = a.customer_id)".to_string(),
        ActionTarget::WithoutThisKind => "NOT EXISTS (SELECT 1 FROM recovery_actions r WHERE r.incident_id = a.incident_id
                         AND r.customer_id = a.customer_id AND r.kind = $2)".to_string(),
        ActionTarget::Active => "c.churned_at IS NULL".to_string(),
        ActionTarget::Customer(_) => "c.id = $2".to_string(),
        ActionTarget::Customers(ids) => format!("c.id IN ({})", super::rows::placeholders(2, ids.len().max(1))),
    };
    let sql = format!(
        "SELECT c.id, c.name, c.email FROM affected_customers a JOIN customers c ON c.id = a.customer_id
         WHERE a.incident_id = $1 AND {condition} ORDER BY c.id"
    );
    let mut q = sqlx::query(&sql).bind(incident);
    match target {
        ActionTarget::Customer(id) => q = q.bind(*id),
        ActionTarget::WithoutThisKind => q = q.bind(kind.code()),
        ActionTarget::Customers(ids) if ids.is_empty() => q = q.bind(0_i64),
        ActionTarget::Customers(ids) => {
            for id in ids {
                q = q.bind(*id);
            }
        }
        _ => {}
    }
    q.fetch_all(&mut **tx)
        .await
        .map_err(map_err)?
        .iter()
        .map(|r| {
            Ok(Target {
                id: get(r, "id")?,
                name: get(r, "name")?,
                email: get(r, "email")?,
            })
        })
        .collect()
}

/// Credits and refunds given for the incident, per customer and currency.
async fn credits(tx: &mut Tx, incident: i64) -> Result<HashMap<i64, Vec<Money>>, StoreError> {
    let mut out: HashMap<i64, Vec<Money>> = HashMap::new();
    let rows = sqlx::query(
        "SELECT customer_id, currency, CAST(SUM(value_minor) AS BIGINT) AS value
         FROM recovery_actions WHERE incident_id = $1 AND kind IN ('credit', 'refund')
         GROUP BY customer_id, currency ORDER BY customer_id, currency",
    )
    .bind(incident)
    .fetch_all(&mut **tx)
    .await
    .map_err(map_err)?;
    for r in rows {
        out.entry(get(&r, "customer_id")?)
            .or_default()
            .push(money(&r, "value", "currency")?);
    }
    Ok(out)
}

fn add_money(list: &mut Vec<Money>, m: &Money) {
    match list.iter_mut().find(|x| x.currency == m.currency) {
        Some(x) => x.minor += m.minor,
        None => list.push(m.clone()),
    }
}

/// The customers `target` selects, refusing an empty or incomplete selection so a person
/// never thinks they gave something they did not.
async fn selected(
    tx: &mut Tx,
    incident: i64,
    target: &ActionTarget,
    kind: ActionKind,
) -> Result<Vec<Target>, StoreError> {
    let people = targets(tx, incident, target, kind).await?;
    if people.is_empty() {
        return Err(StoreError::field(
            "target",
            match target {
                ActionTarget::Customer(_) => {
                    "That customer is not marked affected by this incident."
                }
                _ => "No affected customer matches that choice, so nothing was given.",
            },
        ));
    }
    if let ActionTarget::Customers(ids) = target {
        // All or nothing: every named customer must be one this incident hit.
        let found: std::collections::HashSet<i64> = people.iter().map(|p| p.id).collect();
        if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
            return Err(StoreError::field(
                "customer_ids",
                format!("Customer {missing} is not marked affected by this incident; nothing was given."),
            ));
        }
    }
    Ok(people)
}

/// What giving `kind` to `target` with `holdout` would do, changing nothing.
pub async fn preview_holdout(
    db: &Db,
    incident: i64,
    target: &ActionTarget,
    kind: ActionKind,
    holdout: &Holdout,
) -> Result<HoldoutPreview, StoreError> {
    let mut tx = db.begin_snapshot().await?;
    let title = incident_title(&mut tx, incident).await?;
    let people = selected(&mut tx, incident, target, kind).await?;
    tx.rollback().await.map_err(map_err)?;
    let selected = people.len() as u64;
    let held_out = holdout
        .held_out_of(selected)
        .map_err(|m| StoreError::field("holdout", m))?;
    Ok(HoldoutPreview {
        incident_id: incident,
        incident_title: title,
        kind,
        control: holdout.control,
        share_pct: holdout.share_pct,
        selected,
        treated: selected - held_out,
        held_out,
    })
}

/// Give `draft` to every customer `target` selects; returns how many got it.
pub async fn give(
    db: &Db,
    incident: i64,
    target: &ActionTarget,
    draft: &ActionDraft,
    actor: i64,
    now: i64,
) -> Result<usize, StoreError> {
    let given = give_with(db, incident, target, draft, None, actor, now).await?;
    Ok(given.treated as usize)
}

/// Give `draft` to the customers `target` selects, holding out `holdout`'s share of them
/// at random, drawn from `seed`; the experiment and every customer's arm are written in the
/// same transaction as the actions.
pub async fn give_with_holdout(
    db: &Db,
    incident: i64,
    target: &ActionTarget,
    draft: &ActionDraft,
    holdout: (&Holdout, u64),
    actor: i64,
    now: i64,
) -> Result<ExperimentStarted, StoreError> {
    give_with(db, incident, target, draft, Some(holdout), actor, now).await
}

async fn give_with(
    db: &Db,
    incident: i64,
    target: &ActionTarget,
    draft: &ActionDraft,
    holdout: Option<(&Holdout, u64)>,
    actor: i64,
    now: i64,
) -> Result<ExperimentStarted, StoreError> {
    let mut tx = db.begin().await?;
    let title = incident_title(&mut tx, incident).await?;
    let people = selected(&mut tx, incident, target, draft.kind).await?;
    let (held, experiment) = match holdout {
        None => (vec![false; people.len()], None),
        Some((h, seed)) => {
            let n = h
                .held_out_of(people.len() as u64)
                .map_err(|m| StoreError::field("holdout", m))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO experiments (incident_id, kind, control_kind, share_pct, seed, started_at,
                                          created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(incident)
            .bind(draft.kind.code())
            .bind(h.control.map(|c| c.code()))
            .bind(i64::from(h.share_pct))
            .bind(seed.to_string())
            .bind(draft.given_at)
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            (
                assign(people.len(), n as usize, seed),
                Some((id, h.control, seed)),
            )
        }
    };
    let mut credit = if draft.note.contains("{credit}") {
        credits(&mut tx, incident).await?
    } else {
        HashMap::new()
    };
    for (p, &held_out) in people.iter().zip(&held) {
        if let Some((experiment, control, _)) = experiment {
            sqlx::query(
                "INSERT INTO experiment_arms (experiment_id, incident_id, customer_id, held_out)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(experiment)
            .bind(incident)
            .bind(p.id)
            .bind(i64::from(held_out))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            if held_out {
                if let Some(control) = control {
                    insert_action(
                        &mut tx,
                        incident,
                        p.id,
                        &control_draft(draft, control),
                        String::new(),
                        actor,
                        now,
                    )
                    .await?;
                }
                continue;
            }
        }
        let note = if draft.note.contains('{') {
            let list = credit.entry(p.id).or_default();
            if matches!(draft.kind, ActionKind::Credit | ActionKind::Refund) {
                add_money(list, &draft.value);
            }
            render_note(
                &draft.note,
                &MergeValues {
                    name: &p.name,
                    incident: &title,
                    credit: list,
                },
            )
        } else {
            draft.note.clone()
        };
        if note.chars().count() > 5000 {
            return Err(StoreError::field(
                "note",
                format!(
                    "Filled in for {}, the note is over 5,000 characters; shorten it.",
                    p.name
                ),
            ));
        }
        insert_action(&mut tx, incident, p.id, draft, note, actor, now).await?;
    }
    let held_out = held.iter().filter(|h| **h).count() as u64;
    let treated = people.len() as u64 - held_out;
    let mut after = json!({
        "kind": draft.kind.code(), "customers": treated, "value_minor": draft.value.minor,
        "cost_minor": draft.cost.minor, "currency": draft.value.currency, "channel": draft.channel.code(),
    });
    if let Some((id, control, seed)) = experiment {
        after["experiment"] = json!({
            "id": id, "held_out": held_out, "control": control.map(|c| c.code()), "seed": seed.to_string(),
        });
    }
    audit(
        &mut tx,
        now,
        Some(actor),
        "create",
        "recovery_actions",
        Some(&incident.to_string()),
        None,
        Some(after),
        None,
    )
    .await?;
    db.commit(tx).await?;
    Ok(ExperimentStarted {
        experiment_id: experiment.map_or(0, |e| e.0),
        treated,
        held_out,
        seed: experiment.map_or(0, |e| e.2),
    })
}

/// The control action a held-out customer gets: the same channel and time, no value, no
/// cost and no note.
fn control_draft(draft: &ActionDraft, control: ActionKind) -> ActionDraft {
    ActionDraft {
        kind: control,
        value: Money::new(0, draft.value.currency.clone()),
        cost: Money::new(0, draft.value.currency.clone()),
        channel: draft.channel,
        note: String::new(),
        given_at: draft.given_at,
    }
}

async fn insert_action(
    tx: &mut Tx,
    incident: i64,
    customer: i64,
    draft: &ActionDraft,
    note: String,
    actor: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO recovery_actions (incident_id, customer_id, kind, value_minor, cost_minor, currency,
                                       channel, note, given_at, given_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(incident)
    .bind(customer)
    .bind(draft.kind.code())
    .bind(draft.value.minor)
    .bind(draft.cost.minor)
    .bind(&draft.value.currency)
    .bind(draft.channel.code())
    .bind(note)
    .bind(draft.given_at)
    .bind(actor)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// One line of the mail merge: name, email and the note filled in for them.
pub type MergeLine = (String, Option<String>, String);

/// The apology note rendered for every affected customer, by name.
pub async fn mail_merge(
    db: &Db,
    incident: i64,
    template: &str,
) -> Result<Vec<MergeLine>, StoreError> {
    // Only reads: a snapshot, so a download neither waits for nor blocks a writer.
    let mut tx = db.begin_snapshot().await?;
    let title = incident_title(&mut tx, incident).await?;
    let people = targets(&mut tx, incident, &ActionTarget::All, ActionKind::Apology).await?;
    let credit = credits(&mut tx, incident).await?;
    tx.rollback().await.map_err(map_err)?;
    let (customers, none) = (people.len(), Vec::new());
    let mut lines: Vec<MergeLine> = Vec::with_capacity(customers);
    let mut size = 0;
    for p in people {
        let note = render_note(
            template,
            &MergeValues {
                name: &p.name,
                incident: &title,
                credit: credit.get(&p.id).unwrap_or(&none),
            },
        );
        // Stop as soon as the notes pass the budget, before the rest are built.
        size += note.len();
        if size > MAX_MERGE_BYTES {
            return Err(StoreError::field("template", merge_too_large(customers)));
        }
        lines.push((p.name, p.email, note));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(lines)
}

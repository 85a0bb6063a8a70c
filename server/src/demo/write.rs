//! Storing a simulated world: one transaction, multi-row inserts, explicit ids.

use super::model::{Reply, World, DAY};
use super::text;
use crate::store::seed::{Batch, Val};
use crate::store::Db;
use app::domain::IncidentStatus;
use app::error::StoreError;

/// Row counts of what was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    pub customers: usize,
    pub incidents: usize,
    pub cases: usize,
    pub actions: usize,
    pub replies: usize,
    pub churned: usize,
    pub experiments: usize,
}

/// Rows buffered per table before they are flushed (in foreign-key order).
const FLUSH_AT: usize = 40_000;

struct Buffers {
    incidents: Vec<Vec<Val>>,
    events: Vec<Vec<Val>>,
    affected: Vec<Vec<Val>>,
    actions: Vec<Vec<Val>>,
    replies: Vec<Vec<Val>>,
}

impl Buffers {
    fn len(&self) -> usize {
        self.affected.len() + self.actions.len() + self.replies.len()
    }

    async fn flush(
        &mut self,
        db: &Db,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), StoreError> {
        let batches = [
            (
                "incidents",
                &[
                    "id",
                    "title",
                    "description",
                    "kind",
                    "severity",
                    "status",
                    "started_at",
                    "detected_at",
                    "resolved_at",
                    "owner_id",
                    "created_at",
                    "updated_at",
                ][..],
                &mut self.incidents,
            ),
            (
                "incident_events",
                &[
                    "id",
                    "incident_id",
                    "at",
                    "kind",
                    "from_status",
                    "to_status",
                    "note",
                    "user_id",
                ][..],
                &mut self.events,
            ),
            (
                "affected_customers",
                &[
                    "incident_id",
                    "customer_id",
                    "source",
                    "added_at",
                    "added_by",
                ][..],
                &mut self.affected,
            ),
            (
                "recovery_actions",
                &[
                    "id",
                    "incident_id",
                    "customer_id",
                    "kind",
                    "value_minor",
                    "cost_minor",
                    "currency",
                    "channel",
                    "note",
                    "given_at",
                    "given_by",
                    "created_at",
                ][..],
                &mut self.actions,
            ),
            (
                "replies",
                &[
                    "id",
                    "customer_id",
                    "incident_id",
                    "action_id",
                    "channel",
                    "received_at",
                    "body",
                    "csat",
                    "sentiment_auto",
                    "created_at",
                ][..],
                &mut self.replies,
            ),
        ];
        for (table, columns, rows) in batches {
            let batch = Batch {
                table,
                columns,
                rows: std::mem::take(rows),
            };
            db.insert_batch(tx, &batch).await?;
        }
        Ok(())
    }
}

/// A `replies` row in the column order of `Buffers::flush`.
fn reply_row(
    id: i64,
    customer: i64,
    incident: Option<i64>,
    action: Option<i64>,
    r: &Reply,
) -> Vec<Val> {
    vec![
        Val::Int(id),
        Val::Int(customer),
        Val::OptInt(incident),
        Val::OptInt(action),
        Val::Text(r.channel.code().into()),
        Val::Int(r.received_at),
        Val::Text(r.text.into()),
        Val::OptInt(r.csat),
        Val::Real(r.compound),
        Val::Int(r.received_at),
    ]
}

/// Write `world` in one transaction; with `wipe`, existing domain data is removed first.
pub async fn write(db: &Db, world: &World, wipe: bool) -> Result<Written, StoreError> {
    write_reporting(db, world, wipe, &|_| {}).await
}

/// `write`, calling `done` with the number of incidents written so far after each flush.
pub async fn write_reporting(
    db: &Db,
    world: &World,
    wipe: bool,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Written, StoreError> {
    let mut tx = db.begin().await?;
    if wipe {
        db.wipe_domain(&mut tx).await?;
    }
    let now = world
        .incidents
        .iter()
        .map(|i| i.started_at)
        .max()
        .unwrap_or(0)
        + DAY;

    // The demo team owns the incidents; they have no password and cannot sign in until an
    // admin sets one.
    let mut owners = Vec::new();
    for (name, email) in text::TEAM {
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(*email)
            .fetch_optional(&mut *tx)
            .await
            .map_err(crate::store::map_err)?;
        let id = match existing {
            Some(id) => id,
            None => sqlx::query_scalar(
                "INSERT INTO users (email, name, role, password_hash, active, created_at, updated_at)
                 VALUES ($1, $2, 'editor', '!', 0, $3, $3) RETURNING id",
            )
            .bind(*email)
            .bind(*name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(crate::store::map_err)?,
        };
        owners.push(id);
    }

    let base_customer = db.max_id(&mut tx, "customers").await?;
    let customers = Batch {
        table: "customers",
        columns: &[
            "id",
            "external_ref",
            "name",
            "email",
            "plan",
            "monthly_revenue_minor",
            "currency",
            "signed_up_at",
            "churned_at",
            "created_at",
            "updated_at",
        ],
        rows: world
            .customers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    Val::Int(base_customer + i as i64 + 1),
                    Val::Text(c.external_ref.clone()),
                    Val::Text(c.name.clone()),
                    Val::OptText(Some(c.email.clone())),
                    Val::Text(c.plan.to_string()),
                    Val::Int(c.revenue_minor),
                    Val::Text(c.currency.to_string()),
                    Val::Int(c.signed_up_at),
                    Val::OptInt(c.churned_at),
                    Val::Int(c.signed_up_at),
                    Val::Int(c.churned_at.unwrap_or(c.signed_up_at)),
                ]
            })
            .collect(),
    };
    db.insert_batch(&mut tx, &customers).await?;
    drop(customers);
    let customer_id = |i: usize| base_customer + i as i64 + 1;

    let mut next_incident = db.max_id(&mut tx, "incidents").await? + 1;
    let first_incident = next_incident;
    let mut next_event = db.max_id(&mut tx, "incident_events").await? + 1;
    let mut next_action = db.max_id(&mut tx, "recovery_actions").await? + 1;
    let mut next_reply = db.max_id(&mut tx, "replies").await? + 1;
    let mut buf = Buffers {
        incidents: vec![],
        events: vec![],
        affected: vec![],
        actions: vec![],
        replies: vec![],
    };
    let mut written = Written {
        customers: world.customers.len(),
        incidents: world.incidents.len(),
        experiments: world.experiments.len(),
        ..Default::default()
    };

    for (done_incidents, inc) in world.incidents.iter().enumerate() {
        let iid = next_incident;
        next_incident += 1;
        let owner = owners.get(inc.owner).copied();
        let updated = inc
            .resolved_at
            .or(inc.mitigated_at)
            .unwrap_or(inc.detected_at);
        buf.incidents.push(vec![
            Val::Int(iid),
            Val::Text(inc.title.clone()),
            Val::Text(inc.description.clone()),
            Val::Text(inc.kind.code().into()),
            Val::Text(inc.severity.code().into()),
            Val::Text(inc.status.code().into()),
            Val::Int(inc.started_at),
            Val::Int(inc.detected_at),
            Val::OptInt(inc.resolved_at),
            Val::OptInt(owner),
            Val::Int(inc.detected_at),
            Val::Int(updated),
        ]);
        let mut event = |at: i64,
                         kind: &str,
                         from: Option<IncidentStatus>,
                         to: Option<IncidentStatus>,
                         note: &str| {
            buf.events.push(vec![
                Val::Int(next_event),
                Val::Int(iid),
                Val::Int(at),
                Val::Text(kind.into()),
                Val::OptText(from.map(|s| s.code().into())),
                Val::OptText(to.map(|s| s.code().into())),
                Val::Text(note.into()),
                Val::OptInt(owner),
            ]);
            next_event += 1;
        };
        event(
            inc.detected_at,
            "created",
            None,
            Some(IncidentStatus::Open),
            "Opened from an alert.",
        );
        if let Some(m) = inc.mitigated_at {
            event(
                m,
                "status",
                Some(IncidentStatus::Open),
                Some(IncidentStatus::Mitigated),
                "Impact contained; monitoring.",
            );
        }
        if let Some(r) = inc.resolved_at {
            event(
                r,
                "status",
                Some(IncidentStatus::Mitigated),
                Some(IncidentStatus::Resolved),
                "Root cause fixed and verified.",
            );
        }

        for case in &inc.cases {
            let cid = customer_id(case.customer);
            let currency = world.customers[case.customer].currency;
            buf.affected.push(vec![
                Val::Int(iid),
                Val::Int(cid),
                Val::Text("import".into()),
                Val::Int(case.added_at),
                Val::OptInt(owner),
            ]);
            written.cases += 1;
            let first_action = next_action;
            for a in &case.actions {
                buf.actions.push(vec![
                    Val::Int(next_action),
                    Val::Int(iid),
                    Val::Int(cid),
                    Val::Text(a.kind.code().into()),
                    Val::Int(a.value_minor),
                    Val::Int(a.cost_minor),
                    Val::Text(currency.into()),
                    Val::Text(a.channel.code().into()),
                    Val::Text(a.note.into()),
                    Val::Int(a.given_at),
                    Val::OptInt(owner),
                    Val::Int(a.given_at),
                ]);
                next_action += 1;
                written.actions += 1;
            }
            for r in &case.replies {
                let incident = r.linked.then_some(iid);
                let action = r.action.map(|k| first_action + k as i64);
                buf.replies
                    .push(reply_row(next_reply, cid, incident, action, r));
                next_reply += 1;
                written.replies += 1;
            }
        }
        if buf.len() >= FLUSH_AT {
            buf.flush(db, &mut tx).await?;
            done(done_incidents + 1);
        }
    }
    for loose in &world.loose_replies {
        let r = &loose.reply;
        buf.replies.push(reply_row(
            next_reply,
            customer_id(loose.customer),
            None,
            None,
            r,
        ));
        next_reply += 1;
        written.replies += 1;
    }
    buf.flush(db, &mut tx).await?;
    write_experiments(db, &mut tx, world, first_incident, &customer_id).await?;
    db.reset_id_sequences(&mut tx).await?;
    crate::store::facts::refresh(&mut tx, db.engine()).await?;
    tx.commit().await.map_err(crate::store::map_err)?;
    written.churned = world
        .customers
        .iter()
        .filter(|c| c.churned_at.is_some())
        .count();
    Ok(written)
}

/// The experiments and every case's arm, once their incidents' cases are written.
async fn write_experiments(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    world: &World,
    first_incident: i64,
    customer_id: &dyn Fn(usize) -> i64,
) -> Result<(), StoreError> {
    let first = db.max_id(tx, "experiments").await? + 1;
    let mut experiments = Vec::new();
    let mut arms = Vec::new();
    for (k, e) in world.experiments.iter().enumerate() {
        let id = first + k as i64;
        let iid = first_incident + e.incident as i64;
        experiments.push(vec![
            Val::Int(id),
            Val::Int(iid),
            Val::Text(e.kind.code().into()),
            Val::OptText(e.control.map(|c| c.code().into())),
            Val::Int(i64::from(e.share_pct)),
            Val::Text(e.seed.to_string()),
            Val::Int(e.given_at),
            Val::Int(e.given_at),
        ]);
        for (case, held) in world.incidents[e.incident].cases.iter().zip(&e.held_out) {
            arms.push(vec![
                Val::Int(id),
                Val::Int(iid),
                Val::Int(customer_id(case.customer)),
                Val::Int(i64::from(*held)),
            ]);
        }
    }
    db.insert_batch(
        tx,
        &Batch {
            table: "experiments",
            columns: &[
                "id",
                "incident_id",
                "kind",
                "control_kind",
                "share_pct",
                "seed",
                "started_at",
                "created_at",
            ],
            rows: experiments,
        },
    )
    .await?;
    db.insert_batch(
        tx,
        &Batch {
            table: "experiment_arms",
            columns: &["experiment_id", "incident_id", "customer_id", "held_out"],
            rows: arms,
        },
    )
    .await
}

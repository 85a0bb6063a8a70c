//! Writing imported records: one transaction for a whole file (or one webhook delivery),
//! fed in batches. Customers and incidents are matched per batch with set-based queries;
//! replies, actions and affected customers go in as multi-row INSERTs that skip rows whose
//! natural key is already there, so importing the same file twice adds nothing.

use super::bulk_load::BulkLoad;
use super::customer_changes::{insert, write_churn, write_fields};
use super::rows::{get, money};
use super::users::audit;
use super::version::{claim, Versioned};
use super::{map_err, Db, Engine};
use crate::import::columns::Refusal;
use crate::import::rows::{ActionIn, AffectedIn, CustomerIn, ReplyIn};
use app::domain::affected::CustomerKey;
use app::domain::customer::CustomerDraft;
use app::domain::Money;
use app::error::StoreError;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// What a batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Customers marked affected by an incident because an action for it named them.
    pub marked_affected: u64,
    pub refused: Vec<Refusal>,
}

/// Keys per `IN (…)` list and rows per INSERT: well under both engines' bind limits.
const KEYS_PER_QUERY: usize = 500;
const ROWS_PER_INSERT: usize = 300;

/// An import in progress: everything it writes is one transaction.
pub struct ImportTx {
    tx: Transaction<'static, Any>,
    actor: i64,
    now: i64,
    engine: Engine,
    bulk: BulkLoad,
    /// Customer keys already matched in this import, so a file naming the same customers
    /// again and again asks for each once. Only matches are kept (a customer the import
    /// has not seen yet may still come), and any customer write clears it.
    known: HashMap<CustomerKey, Found>,
}

/// Matched customer keys remembered per import, at most.
const KNOWN_CUSTOMERS: usize = 100_000;

impl Db {
    /// Start an import made by `actor` (the audit names them).
    pub async fn begin_import(&self, actor: i64, now: i64) -> Result<ImportTx, StoreError> {
        Ok(ImportTx {
            tx: self.begin().await?,
            actor,
            now,
            engine: self.engine(),
            bulk: BulkLoad::new(self.engine()),
            known: HashMap::new(),
        })
    }

    /// Refresh the query planner's statistics after a bulk write, so the first queries over
    /// the new rows pick their indexes well.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        // SQLite reads every index entry unless told to sample; a thousand rows per index
        // (the figure SQLite recommends) gives the planner the same choices in milliseconds.
        let statements: &[&str] = match self.engine() {
            Engine::Sqlite => &[
                "PRAGMA analysis_limit = 1000",
                "ANALYZE",
                "PRAGMA analysis_limit = 0",
            ],
            Engine::Postgres => &["ANALYZE"],
        };
        for sql in statements {
            sqlx::query(sql)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }
}

/// How a batch's customer keys matched.
#[derive(Clone, Copy)]
enum Found {
    One(i64),
    Several,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sha256:` + hex of the parts, for rows that came without an id of their own.
fn derived_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl ImportTx {
    /// Commit (`keep`) or roll back, after auditing what the import did.
    pub async fn finish(
        mut self,
        keep: bool,
        summary: serde_json::Value,
    ) -> Result<(), StoreError> {
        if !keep {
            return self.tx.rollback().await.map_err(map_err);
        }
        self.bulk.restore(&mut self.tx).await?;
        audit(
            &mut self.tx,
            self.now,
            Some(self.actor),
            "create",
            "import",
            None,
            None,
            Some(summary),
            None,
        )
        .await?;
        super::facts::refresh(&mut self.tx, self.engine).await?;
        self.tx.commit().await.map_err(map_err)
    }

    /// Match customer keys the way the reply form does: a ref names one customer; an e-mail
    /// matches a customer's e-mail (or ref), and two customers sharing it is ambiguous.
    async fn customers(
        &mut self,
        keys: impl Iterator<Item = &CustomerKey>,
    ) -> Result<HashMap<CustomerKey, Found>, StoreError> {
        let mut found = HashMap::new();
        let keys: HashSet<&CustomerKey> = keys
            .filter(|k| match self.known.get(*k) {
                Some(hit) => {
                    found.insert((*k).clone(), *hit);
                    false
                }
                None => true,
            })
            .collect();
        let texts: Vec<&str> = keys
            .iter()
            .map(|k| k.text())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut by_ref: HashMap<String, i64> = HashMap::new();
        let mut by_email: HashMap<String, Vec<i64>> = HashMap::new();
        for chunk in texts.chunks(KEYS_PER_QUERY) {
            let list = placeholders(1, chunk.len());
            let sql = format!(
                "SELECT id, external_ref, email FROM customers
                 WHERE external_ref IN ({list}) OR email IN ({list})"
            );
            let mut q = sqlx::query(&sql);
            for t in chunk {
                q = q.bind(t.to_string());
            }
            for r in q.fetch_all(&mut *self.tx).await.map_err(map_err)? {
                let id: i64 = get(&r, "id")?;
                by_ref.insert(get(&r, "external_ref")?, id);
                if let Some(e) = get::<Option<String>>(&r, "email")? {
                    by_email.entry(e).or_default().push(id);
                }
            }
        }
        if self.known.len() > KNOWN_CUSTOMERS {
            self.known.clear();
        }
        for k in keys {
            let hit = match k {
                CustomerKey::Ref(r) => by_ref.get(r).map(|id| Found::One(*id)),
                CustomerKey::Email(e) => {
                    let mut ids: Vec<i64> = by_email.get(e).cloned().unwrap_or_default();
                    ids.extend(by_ref.get(e));
                    ids.sort_unstable();
                    ids.dedup();
                    match ids.as_slice() {
                        [] => None,
                        [one] => Some(Found::One(*one)),
                        _ => Some(Found::Several),
                    }
                }
            };
            if let Some(hit) = hit {
                self.known.insert(k.clone(), hit);
                found.insert(k.clone(), hit);
            }
        }
        Ok(found)
    }

    async fn incidents(
        &mut self,
        ids: impl Iterator<Item = i64>,
    ) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<i64> = ids.collect::<HashSet<_>>().into_iter().collect();
        let mut found = HashSet::new();
        for chunk in ids.chunks(KEYS_PER_QUERY) {
            let sql = format!(
                "SELECT id FROM incidents WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            found.extend(q.fetch_all(&mut *self.tx).await.map_err(map_err)?);
        }
        Ok(found)
    }

    /// Insert rows of `width` values each, skipping conflicts on `conflict`; returns how many
    /// went in.
    async fn insert_new(
        &mut self,
        table: &'static str,
        head: &str,
        width: usize,
        conflict: &str,
        rows: &[Vec<Value>],
    ) -> Result<u64, StoreError> {
        let mut added = 0;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            // Numbered placeholders cost SQLite a scan of every parameter's name per bound
            // value (quadratic in the row count); plain `?` binds in order at no cost.
            let values: Vec<String> = (0..chunk.len())
                .map(|i| match self.engine {
                    Engine::Sqlite => format!("({})", vec!["?"; width].join(", ")),
                    Engine::Postgres => format!("({})", placeholders(i * width + 1, width)),
                })
                .collect();
            let sql = format!(
                "{head} VALUES {} ON CONFLICT ({conflict}) DO NOTHING",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for row in chunk {
                for v in row {
                    q = match v {
                        Value::Int(x) => q.bind(*x),
                        Value::OptInt(x) => q.bind(*x),
                        Value::Real(x) => q.bind(*x),
                        Value::Text(x) => q.bind(x.clone()),
                    };
                }
            }
            added += q
                .execute(&mut *self.tx)
                .await
                .map_err(map_err)?
                .rows_affected();
        }
        self.bulk.wrote(&mut self.tx, table, added).await?;
        Ok(added)
    }

    /// Resolve a row's customer, or say why not.
    fn one(
        found: &HashMap<CustomerKey, Found>,
        key: &CustomerKey,
        line: u64,
    ) -> Result<i64, Refusal> {
        match found.get(key) {
            Some(Found::One(id)) => Ok(*id),
            Some(Found::Several) => Err(Refusal::new(
                line,
                "customer",
                format!(
                    "Several customers have the e-mail “{}”; name one by ref.",
                    key.text()
                ),
            )),
            None => Err(Refusal::new(
                line,
                "customer",
                format!(
                    "No customer has the ref or e-mail “{}” (import customers first).",
                    key.text()
                ),
            )),
        }
    }

    fn no_incident(line: u64, id: i64) -> Refusal {
        Refusal::new(line, "incident", format!("There is no incident #{id}."))
    }

    pub async fn replies(&mut self, rows: &[ReplyIn]) -> Result<Tally, StoreError> {
        let found = self.customers(rows.iter().map(|r| &r.customer)).await?;
        let incidents = self
            .incidents(rows.iter().filter_map(|r| r.incident))
            .await?;
        let mut tally = Tally::default();
        let mut values = Vec::with_capacity(rows.len());
        for r in rows {
            let customer = match Self::one(&found, &r.customer, r.line) {
                Ok(id) => id,
                Err(refusal) => {
                    tally.refused.push(refusal);
                    continue;
                }
            };
            if let Some(i) = r.incident.filter(|i| !incidents.contains(i)) {
                tally.refused.push(Self::no_incident(r.line, i));
                continue;
            }
            let key = r.external_id.clone().unwrap_or_else(|| {
                derived_key(&[&customer.to_string(), &r.received_at.to_string(), &r.body])
            });
            values.push(vec![
                Value::Int(customer),
                Value::OptInt(r.incident),
                Value::Text(r.channel.code().into()),
                Value::Int(r.received_at),
                Value::Text(r.body.clone()),
                Value::OptInt(r.csat),
                Value::Real(r.score),
                Value::Int(self.now),
                Value::Int(self.actor),
                Value::Text(key),
            ]);
        }
        tally.new = self
            .insert_new(
                "replies",
                "INSERT INTO replies (customer_id, incident_id, channel, received_at, body, csat,
                                      sentiment_auto, created_at, created_by, external_id)",
                10,
                "external_id",
                &values,
            )
            .await?;
        tally.unchanged = values.len() as u64 - tally.new;
        Ok(tally)
    }

    pub async fn affected(&mut self, rows: &[AffectedIn]) -> Result<Tally, StoreError> {
        let found = self.customers(rows.iter().map(|r| &r.customer)).await?;
        let incidents = self.incidents(rows.iter().map(|r| r.incident)).await?;
        let mut tally = Tally::default();
        let mut values = Vec::with_capacity(rows.len());
        for r in rows {
            match Self::one(&found, &r.customer, r.line) {
                Err(refusal) => tally.refused.push(refusal),
                Ok(_) if !incidents.contains(&r.incident) => {
                    tally.refused.push(Self::no_incident(r.line, r.incident))
                }
                Ok(customer) => values.push(self.affected_row(r.incident, customer)),
            }
        }
        tally.new = self.link(&values).await?;
        tally.unchanged = values.len() as u64 - tally.new;
        Ok(tally)
    }

    fn affected_row(&self, incident: i64, customer: i64) -> Vec<Value> {
        vec![
            Value::Int(incident),
            Value::Int(customer),
            Value::Text("import".into()),
            Value::Int(self.now),
            Value::Int(self.actor),
        ]
    }

    async fn link(&mut self, values: &[Vec<Value>]) -> Result<u64, StoreError> {
        self.insert_new(
            "affected_customers",
            "INSERT INTO affected_customers (incident_id, customer_id, source, added_at, added_by)",
            5,
            "incident_id, customer_id",
            values,
        )
        .await
    }

    pub async fn actions(&mut self, rows: &[ActionIn]) -> Result<Tally, StoreError> {
        let found = self.customers(rows.iter().map(|r| &r.customer)).await?;
        let incidents = self.incidents(rows.iter().map(|r| r.incident)).await?;
        let mut tally = Tally::default();
        let mut links = Vec::new();
        let mut values = Vec::with_capacity(rows.len());
        for r in rows {
            let customer = match Self::one(&found, &r.customer, r.line) {
                Ok(id) => id,
                Err(refusal) => {
                    tally.refused.push(refusal);
                    continue;
                }
            };
            if !incidents.contains(&r.incident) {
                tally.refused.push(Self::no_incident(r.line, r.incident));
                continue;
            }
            links.push(self.affected_row(r.incident, customer));
            let key = r.external_id.clone().unwrap_or_else(|| {
                derived_key(&[
                    &r.incident.to_string(),
                    &customer.to_string(),
                    r.kind.code(),
                    &r.given_at.to_string(),
                    &r.value.minor.to_string(),
                    &r.value.currency,
                ])
            });
            values.push(vec![
                Value::Int(r.incident),
                Value::Int(customer),
                Value::Text(r.kind.code().into()),
                Value::Int(r.value.minor),
                Value::Int(r.cost_minor),
                Value::Text(r.value.currency.clone()),
                Value::Text(r.channel.code().into()),
                Value::Text(r.note.clone()),
                Value::Int(r.given_at),
                Value::Int(self.actor),
                Value::Int(self.now),
                Value::Text(key),
            ]);
        }
        tally.marked_affected = self.link(&links).await?;
        tally.new = self
            .insert_new(
                "recovery_actions",
                "INSERT INTO recovery_actions (incident_id, customer_id, kind, value_minor, cost_minor,
                     currency, channel, note, given_at, given_by, created_at, external_id)",
                12,
                "external_id",
                &values,
            )
            .await?;
        tally.unchanged = values.len() as u64 - tally.new;
        Ok(tally)
    }

    /// Customers by ref, one at a time (a ref may come twice in a file, and each change is
    /// audited like the form's): created, brought up to date, or left as they are.
    pub async fn customers_in(&mut self, rows: &[CustomerIn]) -> Result<Tally, StoreError> {
        self.known.clear();
        let mut tally = Tally::default();
        for r in rows {
            match self.customer(r).await? {
                Ok(Change::New) => tally.new += 1,
                Ok(Change::Updated) => tally.updated += 1,
                Ok(Change::Unchanged) => tally.unchanged += 1,
                Err(refusal) => tally.refused.push(refusal),
            }
        }
        Ok(tally)
    }

    async fn customer(&mut self, r: &CustomerIn) -> Result<Result<Change, Refusal>, StoreError> {
        let (actor, now) = (self.actor, self.now);
        let found = sqlx::query(
            "SELECT id, version, name, email, plan, monthly_revenue_minor, currency, signed_up_at,
                    churned_at
             FROM customers WHERE external_ref = $1",
        )
        .bind(&r.external_ref)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map_err)?;
        let Some(row) = found else {
            let Some(signed_up_at) = r.signed_up_at else {
                return Ok(Err(Refusal::new(
                    r.line,
                    "signed_up_at",
                    format!(
                        "“{}” is a new customer: give the day they signed up.",
                        r.external_ref
                    ),
                )));
            };
            let draft = CustomerDraft {
                external_ref: r.external_ref.clone(),
                name: r.name.clone().unwrap_or_default(),
                email: r.email.clone().flatten(),
                plan: r.plan.clone().unwrap_or_else(|| "unknown".into()),
                monthly_revenue: r
                    .monthly_revenue
                    .clone()
                    .unwrap_or_else(|| Money::new(0, "USD")),
                signed_up_at,
            };
            if let Some(Some(at)) = r.churned_at {
                if at < signed_up_at {
                    return Ok(Err(churn_before(r.line)));
                }
            }
            let id = insert(&mut self.tx, &draft, actor, now).await?;
            if let Some(Some(at)) = r.churned_at {
                write_churn(&mut self.tx, id, Some(at), actor, now).await?;
            }
            return Ok(Ok(Change::New));
        };
        let id: i64 = get(&row, "id")?;
        let current = CustomerDraft {
            external_ref: r.external_ref.clone(),
            name: get(&row, "name")?,
            email: get(&row, "email")?,
            plan: get(&row, "plan")?,
            monthly_revenue: money(&row, "monthly_revenue_minor", "currency")?,
            signed_up_at: get(&row, "signed_up_at")?,
        };
        let churned_at: Option<i64> = get(&row, "churned_at")?;
        let wanted = CustomerDraft {
            external_ref: r.external_ref.clone(),
            name: r.name.clone().unwrap_or_else(|| current.name.clone()),
            email: r.email.clone().unwrap_or_else(|| current.email.clone()),
            plan: r.plan.clone().unwrap_or_else(|| current.plan.clone()),
            monthly_revenue: r
                .monthly_revenue
                .clone()
                .unwrap_or_else(|| current.monthly_revenue.clone()),
            signed_up_at: r.signed_up_at.unwrap_or(current.signed_up_at),
        };
        let churn = r.churned_at.unwrap_or(churned_at);
        if churn.is_some_and(|at| at < wanted.signed_up_at) {
            return Ok(Err(churn_before(r.line)));
        }
        let fields_change = wanted != current;
        let churn_change = churn != churned_at;
        if !fields_change && !churn_change {
            return Ok(Ok(Change::Unchanged));
        }
        claim(
            &mut self.tx,
            Versioned::Customer,
            id,
            get(&row, "version")?,
            now,
        )
        .await?;
        // The row must satisfy "churned after signing up" after each write: the churn date
        // goes first unless it moves before the current sign-up date (then the sign-up date,
        // moving earlier too, goes first).
        let churn_first = churn_change && churn.is_none_or(|at| at >= current.signed_up_at);
        if churn_first {
            write_churn(&mut self.tx, id, churn, actor, now).await?;
        }
        if fields_change {
            write_fields(&mut self.tx, id, &wanted, actor, now).await?;
        }
        if churn_change && !churn_first {
            write_churn(&mut self.tx, id, churn, actor, now).await?;
        }
        Ok(Ok(Change::Updated))
    }
}

fn churn_before(line: u64) -> Refusal {
    Refusal::new(
        line,
        "churned_at",
        "A customer cannot churn before they signed up.",
    )
}

enum Change {
    New,
    Updated,
    Unchanged,
}

/// One bound value of an imported row.
enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(String),
}

//! Reading the facts behind the analytics from `case_facts` (kept at write time, see
//! `super::facts`): five statements whose answers are a few long rows — the period's
//! incidents, their cases one row per incident with each case's actions and replies as
//! compact text, the unaffected customers, the names of customers hit twice and the
//! revenue of customers given a credit or refund, each as one row — never a row per action
//! or reply. The figures themselves are computed in
//! `crate::analytics` from what these return.

use super::case_lines::{garbled, int, opt_int, push_cases};
use super::facts::Dialect;
use super::rows::{bind_args, code, get, Arg, Where};
use super::{map_err, Db, Engine};
use crate::analytics::facts::{
    kind_bit, CustomerName, CustomerRevenue, Facts, IncidentFact, Unaffected,
};
use app::domain::analytics::{AnalyticsQuery, DAY_MS};
use app::domain::{ActionKind, IncidentKind, Severity};
use app::error::StoreError;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// Unlinked replies count for the latest incident that started at most this long before.
pub const ATTRIBUTION_MS: i64 = 30 * DAY_MS;

/// Conditions on the incident columns of `t` (the incidents table, or `case_facts`) that
/// select the period.
fn period(q: &AnalyticsQuery, t: &str) -> Where {
    let mut w = Where::default();
    w.and(&format!("{t}.started_at >= {{}}"), Arg::Int(q.from_ms()));
    w.and(&format!("{t}.started_at < {{}}"), Arg::Int(q.to_ms()));
    if let Some(k) = q.kind {
        w.and(&format!("{t}.kind = {{}}"), Arg::Text(k.code().into()));
    }
    if let Some(s) = q.severity {
        w.and(&format!("{t}.severity = {{}}"), Arg::Text(s.code().into()));
    }
    let id = if t == "i" { "i.id" } else { "f.incident_id" };
    if let Some(incident) = q.incident {
        w.and(&format!("{id} = {{}}"), Arg::Int(incident));
    }
    w
}

/// Conditions on `case_facts f` that select the period's cases.
pub(super) fn case_where(q: &AnalyticsQuery) -> Where {
    let mut w = period(q, "f");
    if let Some(p) = &q.plan {
        w.and("f.plan = {}", Arg::Text(p.clone()));
    }
    // A customer who churned before the incident started is not a case.
    w.and_raw("(f.churned_at IS NULL OR f.churned_at >= f.started_at)");
    w
}

impl Db {
    /// A read-only transaction that sees one snapshot for all its statements.
    pub async fn begin_snapshot(&self) -> Result<Transaction<'static, Any>, StoreError> {
        match self.engine() {
            Engine::Postgres => {
                self.pool()
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
            _ => self.pool().begin().await,
        }
        .map_err(map_err)
    }

    /// The counter every change to the analytics' data moves (see migration 0003).
    pub async fn data_version(tx: &mut Transaction<'static, Any>) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&mut **tx)
            .await
            .map_err(map_err)
    }
}

impl Db {
    /// The data version now (one small read).
    pub async fn current_data_version(&self) -> Result<i64, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let version = Self::data_version(&mut tx).await?;
        tx.rollback().await.map_err(map_err)?;
        Ok(version)
    }

    /// The data version and every fact of `q`'s period, all as of that version. Each
    /// statement's rows are decoded as they arrive, so only the typed facts are ever held.
    pub async fn analytics_facts(&self, q: &AnalyticsQuery) -> Result<(i64, Facts), StoreError> {
        let stmts = statements(q, self.engine(), Need::Everything);
        let (version, results) = self.fetch_consistent(stmts).await?;
        Ok((version, assemble(results)))
    }

    /// The facts a weekly report is made from: those of [`Db::analytics_facts`] but the
    /// unaffected customers and the revenues, which none of its figures use (they are the
    /// baseline of the retention figures and the base of "how much to give").
    pub async fn report_facts(&self, q: &AnalyticsQuery) -> Result<(i64, Facts), StoreError> {
        let stmts = statements(q, self.engine(), Need::Report);
        let (version, results) = self.fetch_consistent(stmts).await?;
        Ok((version, assemble(results)))
    }
}

/// Which of the facts a reader needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Everything,
    Report,
}

/// What one statement's rows decode into.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Incidents,
    Cases,
    Unaffected { period_start: i64 },
    Names,
    Revenues,
}

/// One statement of the facts: its text, arguments and the shape of its rows.
#[derive(Clone, Debug)]
struct Statement {
    sql: String,
    args: Vec<Arg>,
    shape: Shape,
}

/// One statement's rows, typed.
enum Rows {
    Incidents(Vec<IncidentFact>),
    /// Cases with their actions and replies (indices into `cases`).
    Cases(Facts),
    Unaffected(Vec<Unaffected>),
    Names(Vec<CustomerName>),
    Revenues(Vec<CustomerRevenue>),
}

impl Rows {
    fn new(shape: Shape) -> Rows {
        match shape {
            Shape::Incidents => Rows::Incidents(vec![]),
            Shape::Cases => Rows::Cases(Facts::default()),
            Shape::Unaffected { .. } => Rows::Unaffected(vec![]),
            Shape::Names => Rows::Names(vec![]),
            Shape::Revenues => Rows::Revenues(vec![]),
        }
    }

    /// Decode one row of a statement of `shape` and keep it.
    fn push(&mut self, shape: Shape, r: &AnyRow) -> Result<(), StoreError> {
        match self {
            Rows::Incidents(v) => v.push(IncidentFact {
                id: get(r, "id")?,
                kind: code(r, "kind", IncidentKind::parse)?,
                severity: code(r, "severity", Severity::parse)?,
                started_at: get(r, "started_at")?,
                resolved_at: get(r, "resolved_at")?,
            }),
            Rows::Cases(facts) => {
                let text: String = get(r, "cases")?;
                push_cases(
                    facts,
                    get(r, "incident_id")?,
                    get(r, "started_at")?,
                    get(r, "detected_at")?,
                    &text,
                )?;
            }
            Rows::Unaffected(v) => {
                let period_start = match shape {
                    Shape::Unaffected { period_start } => period_start,
                    _ => 0,
                };
                let Some(text) = get::<Option<String>>(r, "list")? else {
                    return Ok(());
                };
                for line in text.split('\n') {
                    let (signed_up, churned) = line
                        .split_once(' ')
                        .ok_or_else(|| garbled("customer", line))?;
                    v.push(Unaffected {
                        start: int("signed up", signed_up)?.max(period_start),
                        churned_at: opt_int("churned", churned)?,
                    });
                }
            }
            Rows::Names(v) => {
                let Some(json) = get::<Option<String>>(r, "list")? else {
                    return Ok(());
                };
                let names: Vec<(i64, String, String)> =
                    // Customers' names stay out of the log.
                    serde_json::from_str(&json).map_err(|_| garbled("names", ""))?;
                v.extend(
                    names
                        .into_iter()
                        .map(|(id, name, external_ref)| CustomerName {
                            id,
                            name,
                            external_ref,
                        }),
                );
            }
            Rows::Revenues(v) => {
                let Some(json) = get::<Option<String>>(r, "list")? else {
                    return Ok(());
                };
                let revenues: Vec<(i64, i64, String)> =
                    serde_json::from_str(&json).map_err(|_| garbled("revenues", ""))?;
                v.extend(
                    revenues
                        .into_iter()
                        .map(|(id, minor, currency)| CustomerRevenue {
                            id,
                            monthly_revenue_minor: minor,
                            currency,
                        }),
                );
            }
        }
        Ok(())
    }
}

/// How many of an answer's statements run at once (each on its own connection).
const PARALLEL_READS: usize = 3;

/// Run `stmt` on `conn`, decoding each row as it arrives.
async fn read_rows(conn: &mut sqlx::AnyConnection, stmt: &Statement) -> Result<Rows, StoreError> {
    use futures_util::TryStreamExt;
    let mut out = Rows::new(stmt.shape);
    let mut stream = bind_args(sqlx::query(&stmt.sql), &stmt.args).fetch(&mut *conn);
    while let Some(row) = stream.try_next().await.map_err(map_err)? {
        out.push(stmt.shape, &row)?;
    }
    Ok(out)
}

/// The data version a snapshot sees, or `None` when it also sees customers whose case
/// facts a change made around the app has not brought up to date yet.
pub(super) async fn facts_version(
    tx: &mut Transaction<'static, Any>,
) -> Result<Option<i64>, StoreError> {
    let (version, pending): (i64, i64) = sqlx::query_as(
        "SELECT version, (SELECT COUNT(*) FROM (SELECT 1 FROM facts_dirty LIMIT 1) d)
         FROM data_version WHERE id = 1",
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok((pending == 0).then_some(version))
}

/// A read run inside one snapshot (see [`Db::read_fresh`]).
pub(super) type SnapshotRead<'a, T> = futures_util::future::BoxFuture<'a, Result<T, StoreError>>;

impl Db {
    /// Run `read` in one snapshot whose case facts are up to date, with the data version it
    /// saw. Changes made around the app may leave customers to catch up between the catch-up
    /// and the snapshot: such a snapshot is read again, twice, then read as it is.
    pub(super) async fn read_fresh<T>(
        &self,
        mut read: impl for<'a> FnMut(&'a mut Transaction<'static, Any>) -> SnapshotRead<'a, T>,
    ) -> Result<(i64, T), StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.catch_up_facts().await?;
            let mut tx = self.begin_snapshot().await?;
            let version = match facts_version(&mut tx).await? {
                Some(v) => v,
                None if attempt < 3 => {
                    tx.rollback().await.map_err(map_err)?;
                    continue;
                }
                None => Self::data_version(&mut tx).await?,
            };
            let out = read(&mut tx).await?;
            tx.rollback().await.map_err(map_err)?;
            return Ok((version, out));
        }
    }

    /// Run `stmts`, several at once, each in its own read-only snapshot; the answer is
    /// consistent when every snapshot saw the same data version (else it retries, and in the
    /// end reads them one after another in a single snapshot).
    async fn fetch_consistent(
        &self,
        stmts: Vec<Statement>,
    ) -> Result<(i64, Vec<Rows>), StoreError> {
        let stmts = std::sync::Arc::new(stmts);
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(PARALLEL_READS));
        for _ in 0..3 {
            self.catch_up_facts().await?;
            let tasks: Vec<_> = (0..stmts.len())
                .map(|i| {
                    let (db, gate, stmts) = (self.clone(), gate.clone(), stmts.clone());
                    tokio::spawn(async move {
                        let _permit = gate
                            .acquire_owned()
                            .await
                            .map_err(|_| StoreError::Internal)?;
                        let mut tx = db.begin_snapshot().await?;
                        let version = facts_version(&mut tx).await?;
                        let rows = read_rows(&mut tx, &stmts[i]).await?;
                        tx.rollback().await.map_err(map_err)?;
                        Ok::<_, StoreError>((version, rows))
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(tasks.len());
            for t in tasks {
                out.push(t.await.map_err(|_| StoreError::Internal)??);
            }
            let first = out.first().and_then(|(v, _)| *v);
            if let Some(first) = first.filter(|f| out.iter().all(|(v, _)| *v == Some(*f))) {
                return Ok((first, out.into_iter().map(|(_, r)| r).collect()));
            }
        }
        // Writers kept moving: read everything from one snapshot instead.
        self.catch_up_facts().await?;
        let mut tx = self.begin_snapshot().await?;
        let version = Self::data_version(&mut tx).await?;
        let mut out = Vec::with_capacity(stmts.len());
        for stmt in stmts.iter() {
            out.push(read_rows(&mut tx, stmt).await?);
        }
        tx.rollback().await.map_err(map_err)?;
        Ok((version, out))
    }
}

impl Db {
    /// Each statement of `q`'s facts run alone (for `amends bench`): the start of its text,
    /// its rows and how long fetching them took.
    pub async fn time_fact_reads(
        &self,
        q: &AnalyticsQuery,
    ) -> Result<Vec<(String, usize, std::time::Duration)>, StoreError> {
        use futures_util::TryStreamExt;
        let mut out = Vec::new();
        for stmt in statements(q, self.engine(), Need::Everything) {
            let started = std::time::Instant::now();
            let mut n = 0;
            let mut stream = bind_args(sqlx::query(&stmt.sql), &stmt.args).fetch(self.pool());
            while stream.try_next().await.map_err(map_err)?.is_some() {
                n += 1;
            }
            let label: String = stmt.sql.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push((label, n, started.elapsed()));
        }
        Ok(out)
    }
}

/// The statements of `q`'s facts; `assemble` picks their rows by shape. Everything but the
/// incidents comes from `case_facts` as a few long rows (one per incident, or one in all),
/// so the driver's cost per row is paid hundreds of times, not millions.
fn statements(q: &AnalyticsQuery, engine: Engine, need: Need) -> Vec<Statement> {
    let sql = Dialect::of(engine);
    let nl = sql.newline();
    let mut out = Vec::new();
    let mut add =
        |sql: String, args: Vec<Arg>, shape: Shape| out.push(Statement { sql, args, shape });

    let w = period(q, "i");
    add(
        format!(
            "SELECT i.id, i.kind, i.severity, i.started_at, i.resolved_at FROM incidents i
             WHERE {}",
            w.sql()
        ),
        w.args.clone(),
        Shape::Incidents,
    );

    let w = case_where(q);
    // SQLite keeps the facts in (start, incident, customer) order, so a period's scan meets
    // each incident's lines together, already grouped; PostgreSQL is told the order.
    let (lines, group) = match engine {
        Engine::Postgres => (
            "string_agg(f.line, chr(10) ORDER BY f.customer_id)",
            "f.incident_id",
        ),
        _ => (
            "group_concat(f.line, char(10))",
            "f.started_at, f.incident_id",
        ),
    };
    add(
        format!(
            "SELECT f.incident_id, MIN(f.started_at) AS started_at,
                    MIN(f.detected_at) AS detected_at, {lines} AS cases
             FROM case_facts f WHERE {} GROUP BY {group}",
            w.sql()
        ),
        w.args.clone(),
        Shape::Cases,
    );

    // Customers in no incident of the period, followed from the later of the period start
    // and their sign-up. One incident's figures have no unaffected baseline.
    if q.incident.is_none() && need == Need::Everything {
        let mut u = Where::default();
        u.and("c.signed_up_at < {}", Arg::Int(q.to_ms()));
        if let Some(p) = &q.plan {
            u.and("c.plan = {}", Arg::Text(p.clone()));
        }
        let from = u.next();
        u.args.push(Arg::Int(q.from_ms()));
        let to = u.next();
        u.args.push(Arg::Int(q.to_ms()));
        add(
            format!(
                "SELECT {} AS list FROM customers c
                 WHERE {} AND NOT EXISTS (
                     SELECT 1 FROM case_facts f
                     WHERE f.customer_id = c.id AND f.started_at >= {from} AND f.started_at < {to})",
                sql.concat_any(
                    "c.signed_up_at || ' ' || COALESCE(c.churned_at || '', '')",
                    nl
                ),
                u.sql()
            ),
            u.args,
            Shape::Unaffected {
                period_start: q.from_ms(),
            },
        );
    }

    // Names of customers hit more than once (for the repeat-pain list), as one JSON array.
    let names = match engine {
        Engine::Postgres => "json_agg(json_build_array(c.id, c.name, c.external_ref))::text",
        _ => "json_group_array(json_array(c.id, c.name, c.external_ref))",
    };
    add(
        format!(
            "SELECT {names} AS list FROM customers c WHERE c.id IN (
                 SELECT f.customer_id FROM case_facts f WHERE {}
                 GROUP BY f.customer_id HAVING COUNT(*) >= 2)",
            w.sql()
        ),
        w.args.clone(),
        Shape::Names,
    );

    if need == Need::Report {
        return out;
    }
    // Monthly revenue of the customers given a credit or a refund (how much to give), as
    // one JSON array.
    let revenues = match engine {
        Engine::Postgres => {
            "json_agg(json_build_array(c.id, c.monthly_revenue_minor, c.currency))::text"
        }
        _ => "json_group_array(json_array(c.id, c.monthly_revenue_minor, c.currency))",
    };
    let given = kind_bit(ActionKind::Credit) | kind_bit(ActionKind::Refund);
    add(
        format!(
            "SELECT {revenues} AS list FROM customers c WHERE c.id IN (
                 SELECT f.customer_id FROM case_facts f WHERE {} AND (f.kinds & {given}) <> 0)",
            w.sql()
        ),
        w.args.clone(),
        Shape::Revenues,
    );
    out
}

/// The facts from their statements' rows.
fn assemble(results: Vec<Rows>) -> Facts {
    let mut facts = Facts::default();
    for rows in results {
        match rows {
            Rows::Incidents(v) => facts.incidents = v,
            Rows::Cases(f) => {
                facts.cases = f.cases;
                facts.actions = f.actions;
                facts.replies = f.replies;
            }
            Rows::Unaffected(v) => facts.unaffected = v,
            Rows::Names(v) => facts.names = v,
            Rows::Revenues(v) => facts.revenues = v,
        }
    }
    facts
}

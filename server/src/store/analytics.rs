//! Reading the facts behind the analytics: a handful of set-based statements in one
//! read-only snapshot, never a query per row. The figures themselves are computed in
//! `crate::analytics` from what these return.

use super::rows::{bind_args, code, get, Arg, Where};
use super::{map_err, Db, Engine};
use crate::analytics::facts::{
    ActionFact, Case, CustomerName, Facts, IncidentFact, ReplyFact, Unaffected,
};
use app::domain::analytics::{AnalyticsQuery, DAY_MS};
use app::domain::{ActionKind, IncidentKind, Severity};
use app::error::StoreError;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Unlinked replies count for the latest incident that started at most this long before.
pub const ATTRIBUTION_MS: i64 = 30 * DAY_MS;

/// Conditions on incident `i` and customer `c` that select the period's cases.
fn period(q: &AnalyticsQuery) -> Where {
    let mut w = Where::default();
    w.and("i.started_at >= {}", Arg::Int(q.from_ms()));
    w.and("i.started_at < {}", Arg::Int(q.to_ms()));
    if let Some(k) = q.kind {
        w.and("i.kind = {}", Arg::Text(k.code().into()));
    }
    if let Some(s) = q.severity {
        w.and("i.severity = {}", Arg::Text(s.code().into()));
    }
    if let Some(id) = q.incident {
        w.and("i.id = {}", Arg::Int(id));
    }
    w
}

fn case_where(q: &AnalyticsQuery) -> Where {
    let mut w = period(q);
    if let Some(p) = &q.plan {
        w.and("c.plan = {}", Arg::Text(p.clone()));
    }
    // A customer who churned before the incident started is not a case.
    w.and_raw("(c.churned_at IS NULL OR c.churned_at >= i.started_at)");
    w
}

const CASE_JOIN: &str = "affected_customers a
     JOIN incidents i ON i.id = a.incident_id
     JOIN customers c ON c.id = a.customer_id";

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
        let (version, results) = self.fetch_consistent(statements(q)).await?;
        Ok((version, assemble(results)))
    }
}

/// What one statement's rows decode into.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Incidents,
    Cases,
    Actions,
    Replies,
    Candidates,
    Claims,
    Unaffected { period_start: i64 },
    Names,
}

/// One statement of the facts: its text, arguments and the shape of its rows.
#[derive(Clone, Debug)]
struct Statement {
    sql: String,
    args: Vec<Arg>,
    shape: Shape,
}

/// A reply as its statement returns it, before it is matched to its case.
struct ReplyRow {
    incident_id: i64,
    customer_id: i64,
    received_at: i64,
    score: f64,
    csat: Option<i64>,
}

/// An action as its statement returns it, before it is matched to its case.
struct ActionRow {
    incident_id: i64,
    customer_id: i64,
    kind: ActionKind,
    cost_minor: i64,
    currency: String,
    given_at: i64,
}

/// An unlinked reply that may count for a case, with the start of that case's incident.
struct Candidate {
    reply: ReplyRow,
    started_at: i64,
}

/// A customer's incident start that could claim an unlinked reply.
struct Claim {
    customer_id: i64,
    started_at: i64,
    incident_id: i64,
}

/// One statement's rows, typed.
enum Rows {
    Incidents(Vec<IncidentFact>),
    Cases(Vec<Case>),
    Actions(Vec<ActionRow>),
    Replies(Vec<ReplyRow>),
    Candidates(Vec<Candidate>),
    Claims(Vec<Claim>),
    Unaffected(Vec<Unaffected>),
    Names(Vec<CustomerName>),
}

fn reply_row(r: &AnyRow) -> Result<ReplyRow, StoreError> {
    Ok(ReplyRow {
        incident_id: get(r, "incident_id")?,
        customer_id: get(r, "customer_id")?,
        received_at: get(r, "received_at")?,
        score: get(r, "score")?,
        csat: get(r, "csat")?,
    })
}

impl Rows {
    fn new(shape: Shape) -> Rows {
        match shape {
            Shape::Incidents => Rows::Incidents(vec![]),
            Shape::Cases => Rows::Cases(vec![]),
            Shape::Actions => Rows::Actions(vec![]),
            Shape::Replies => Rows::Replies(vec![]),
            Shape::Candidates => Rows::Candidates(vec![]),
            Shape::Claims => Rows::Claims(vec![]),
            Shape::Unaffected { .. } => Rows::Unaffected(vec![]),
            Shape::Names => Rows::Names(vec![]),
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
            Rows::Cases(v) => v.push(Case {
                incident_id: get(r, "incident_id")?,
                customer_id: get(r, "customer_id")?,
                started_at: get(r, "started_at")?,
                detected_at: get(r, "detected_at")?,
                signed_up_at: get(r, "signed_up_at")?,
                churned_at: get(r, "churned_at")?,
                kinds: 0,
                first_action_at: None,
            }),
            Rows::Actions(v) => v.push(ActionRow {
                incident_id: get(r, "incident_id")?,
                customer_id: get(r, "customer_id")?,
                kind: code(r, "kind", ActionKind::parse)?,
                cost_minor: get(r, "cost_minor")?,
                currency: get(r, "currency")?,
                given_at: get(r, "given_at")?,
            }),
            Rows::Replies(v) => v.push(reply_row(r)?),
            Rows::Candidates(v) => v.push(Candidate {
                reply: reply_row(r)?,
                started_at: get(r, "started_at")?,
            }),
            Rows::Claims(v) => v.push(Claim {
                customer_id: get(r, "customer_id")?,
                started_at: get(r, "started_at")?,
                incident_id: get(r, "id")?,
            }),
            Rows::Unaffected(v) => {
                let signed_up: i64 = get(r, "signed_up_at")?;
                let start = match shape {
                    Shape::Unaffected { period_start } => signed_up.max(period_start),
                    _ => signed_up,
                };
                v.push(Unaffected {
                    start,
                    churned_at: get(r, "churned_at")?,
                })
            }
            Rows::Names(v) => v.push(CustomerName {
                id: get(r, "id")?,
                name: get(r, "name")?,
                external_ref: get(r, "external_ref")?,
            }),
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

impl Db {
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
            let tasks: Vec<_> = (0..stmts.len())
                .map(|i| {
                    let (db, gate, stmts) = (self.clone(), gate.clone(), stmts.clone());
                    tokio::spawn(async move {
                        let _permit = gate
                            .acquire_owned()
                            .await
                            .map_err(|_| StoreError::Internal)?;
                        let mut tx = db.begin_snapshot().await?;
                        let version = Db::data_version(&mut tx).await?;
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
            let first = out.first().map_or(0, |(v, _)| *v);
            if out.iter().all(|(v, _)| *v == first) {
                return Ok((first, out.into_iter().map(|(_, r)| r).collect()));
            }
        }
        // Writers kept moving: read everything from one snapshot instead.
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
        for stmt in statements(q) {
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

/// The statements of `q`'s facts; `assemble` picks their rows by shape.
fn statements(q: &AnalyticsQuery) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut add =
        |sql: String, args: Vec<Arg>, shape: Shape| out.push(Statement { sql, args, shape });

    let w = period(q);
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
    add(
        format!(
            "SELECT a.incident_id, a.customer_id, i.started_at, i.detected_at,
                    c.signed_up_at, c.churned_at
             FROM {CASE_JOIN} WHERE {}",
            w.sql()
        ),
        w.args.clone(),
        Shape::Cases,
    );

    add(
        format!(
            "SELECT r.incident_id, r.customer_id, r.kind, r.cost_minor, r.currency, r.given_at
             FROM recovery_actions r
             JOIN incidents i ON i.id = r.incident_id
             JOIN customers c ON c.id = r.customer_id
             WHERE {}",
            w.sql()
        ),
        w.args.clone(),
        Shape::Actions,
    );

    // Replies linked to a case.
    add(
        format!(
            "SELECT r.incident_id, r.customer_id, r.received_at, r.csat,
                    COALESCE(r.sentiment_manual, r.sentiment_auto) AS score
             FROM replies r
             JOIN incidents i ON i.id = r.incident_id
             JOIN customers c ON c.id = r.customer_id
             WHERE {}",
            w.sql()
        ),
        w.args.clone(),
        Shape::Replies,
    );

    // Unlinked replies received within 30 days after a case's incident started, each
    // counted for the latest incident of that customer that started at or before it (any
    // incident, filtered or not). Candidates come from one range read; which incident is
    // the latest is settled in `assemble` from every incident start that could claim them,
    // instead of a correlated subquery per reply.
    // Written as CROSS JOINs with the join conditions in WHERE: PostgreSQL plans it as any
    // join, and SQLite keeps this order — the period's incidents, their cases, then each
    // case's unlinked replies by range on `replies_unlinked` — instead of starting from
    // every unlinked reply ever received (4× slower on a million replies).
    let span = w.next();
    let mut args = w.args.clone();
    args.push(Arg::Int(ATTRIBUTION_MS));
    // Placeholders must appear in the text in their numeric order (SQLite numbers `$n`
    // by first appearance).
    add(
        format!(
            "SELECT a.incident_id, a.customer_id, i.started_at, r.received_at, r.csat,
                    COALESCE(r.sentiment_manual, r.sentiment_auto) AS score
             FROM incidents i
             CROSS JOIN affected_customers a
             CROSS JOIN customers c
             CROSS JOIN replies r
             WHERE a.incident_id = i.id AND c.id = a.customer_id
               AND r.customer_id = a.customer_id AND r.incident_id IS NULL
               AND r.received_at >= i.started_at
               AND {} AND r.received_at < i.started_at + {span}",
            w.sql()
        ),
        args,
        Shape::Candidates,
    );
    // Incidents that could claim a candidate start after the period starts and before the
    // last candidate (at most 30 days after the period ends).
    add(
        "SELECT a.customer_id, i.id, i.started_at
         FROM affected_customers a JOIN incidents i ON i.id = a.incident_id
         WHERE i.started_at >= $1 AND i.started_at < $2"
            .into(),
        vec![Arg::Int(q.from_ms()), Arg::Int(q.to_ms() + ATTRIBUTION_MS)],
        Shape::Claims,
    );

    // Customers in no incident of the period, followed from the later of the period start
    // and their sign-up. One incident's figures have no unaffected baseline.
    if q.incident.is_none() {
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
                "SELECT c.signed_up_at, c.churned_at FROM customers c
                 WHERE {} AND NOT EXISTS (
                     SELECT 1 FROM affected_customers a JOIN incidents i ON i.id = a.incident_id
                     WHERE a.customer_id = c.id AND i.started_at >= {from} AND i.started_at < {to})",
                u.sql()
            ),
            u.args,
            Shape::Unaffected {
                period_start: q.from_ms(),
            },
        );
    }

    // Names of customers hit more than once (for the repeat-pain list).
    add(
        format!(
            "SELECT c.id, c.name, c.external_ref FROM customers c WHERE c.id IN (
                 SELECT a.customer_id FROM {CASE_JOIN} WHERE {}
                 GROUP BY a.customer_id HAVING COUNT(*) >= 2)
             ORDER BY c.id",
            w.sql()
        ),
        w.args.clone(),
        Shape::Names,
    );
    out
}

/// The facts from their statements' rows: actions and replies matched to their cases,
/// unlinked replies kept only for the latest incident that could claim them.
fn assemble(results: Vec<Rows>) -> Facts {
    let mut facts = Facts::default();
    let (mut actions, mut linked, mut candidates, mut claims) = (vec![], vec![], vec![], vec![]);
    for rows in results {
        match rows {
            Rows::Incidents(v) => facts.incidents = v,
            Rows::Cases(v) => facts.cases = v,
            Rows::Actions(v) => actions = v,
            Rows::Replies(v) => linked = v,
            Rows::Candidates(v) => candidates = v,
            Rows::Claims(v) => claims = v,
            Rows::Unaffected(v) => facts.unaffected = v,
            Rows::Names(v) => facts.names = v,
        }
    }
    let index: HashMap<(i64, i64), usize> = facts
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.incident_id, c.customer_id), i))
        .collect();

    facts.actions.reserve(actions.len());
    for a in actions {
        let Some(&case) = index.get(&(a.incident_id, a.customer_id)) else {
            continue;
        };
        let c = &mut facts.cases[case];
        c.kinds |= crate::analytics::facts::kind_bit(a.kind);
        c.first_action_at = Some(c.first_action_at.map_or(a.given_at, |f| f.min(a.given_at)));
        facts.actions.push(ActionFact {
            case,
            kind: a.kind,
            cost_minor: a.cost_minor,
            currency: a.currency,
            given_at: a.given_at,
        });
    }

    push_replies(&mut facts, &index, linked);

    let mut starts: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for c in claims {
        starts
            .entry(c.customer_id)
            .or_default()
            .push((c.started_at, c.incident_id));
    }
    for v in starts.values_mut() {
        v.sort_unstable();
    }
    let kept = candidates.into_iter().filter_map(|c| {
        let claimed = latest_before(
            starts
                .get(&c.reply.customer_id)
                .map_or(&[][..], Vec::as_slice),
            c.reply.received_at,
        );
        (claimed == Some((c.started_at, c.reply.incident_id))).then_some(c.reply)
    });
    push_replies(&mut facts, &index, kept);
    facts
}

/// The latest (start, incident) at or before `t` in a sorted list; ties on start go to the
/// higher incident id.
pub fn latest_before(sorted: &[(i64, i64)], t: i64) -> Option<(i64, i64)> {
    let i = sorted.partition_point(|(start, _)| *start <= t);
    i.checked_sub(1).map(|j| sorted[j])
}

fn push_replies(
    facts: &mut Facts,
    index: &HashMap<(i64, i64), usize>,
    rows: impl IntoIterator<Item = ReplyRow>,
) {
    for r in rows {
        // A reply naming an incident its customer was not affected by is no case's.
        let Some(&case) = index.get(&(r.incident_id, r.customer_id)) else {
            continue;
        };
        facts.replies.push(ReplyFact {
            case,
            received_at: r.received_at,
            score: r.score,
            csat: r.csat,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::latest_before;

    #[test]
    fn a_reply_belongs_to_the_latest_incident_started_by_then() {
        let starts = [(10, 1), (40, 2), (40, 5), (70, 3)];
        assert_eq!(latest_before(&starts, 9), None);
        assert_eq!(latest_before(&starts, 10), Some((10, 1)));
        assert_eq!(latest_before(&starts, 39), Some((10, 1)));
        // Two incidents starting together: the higher id, as the SQL order has it.
        assert_eq!(latest_before(&starts, 40), Some((40, 5)));
        assert_eq!(latest_before(&starts, 1_000), Some((70, 3)));
        assert_eq!(latest_before(&[], 5), None);
    }
}

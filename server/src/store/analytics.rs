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

    /// The data version and every fact of `q`'s period, all as of that version.
    pub async fn analytics_facts(&self, q: &AnalyticsQuery) -> Result<(i64, Facts), StoreError> {
        let (version, results) = self.fetch_consistent(&statements(q)).await?;
        let facts = read_facts(&mut Source::Replay(results.into_iter()), q)?;
        Ok((version, facts))
    }
}

/// Where `read_facts` gets its rows: recording the statements it needs (a dry run on no
/// rows), or replaying rows fetched for those statements, in the same order.
enum Source {
    Record(Vec<(String, Vec<Arg>)>),
    Replay(std::vec::IntoIter<Vec<AnyRow>>),
}

/// The rows of the next statement.
fn rows(src: &mut Source, sql: &str, args: &[Arg]) -> Vec<AnyRow> {
    match src {
        Source::Record(v) => {
            v.push((sql.to_string(), args.to_vec()));
            vec![]
        }
        Source::Replay(it) => it.next().unwrap_or_default(),
    }
}

/// The statements `q` needs, in the order `read_facts` consumes their rows.
fn statements(q: &AnalyticsQuery) -> Vec<(String, Vec<Arg>)> {
    let mut src = Source::Record(vec![]);
    // A dry run on no rows decodes nothing, so it cannot fail.
    let _ = read_facts(&mut src, q);
    match src {
        Source::Record(v) => v,
        Source::Replay(_) => vec![],
    }
}

/// How many of an answer's statements run at once (each on its own connection).
const PARALLEL_READS: usize = 3;

impl Db {
    /// Run `stmts`, several at once, each in its own read-only snapshot; the answer is
    /// consistent when every snapshot saw the same data version (else it retries, and in the
    /// end reads them one after another in a single snapshot).
    async fn fetch_consistent(
        &self,
        stmts: &[(String, Vec<Arg>)],
    ) -> Result<(i64, Vec<Vec<AnyRow>>), StoreError> {
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(PARALLEL_READS));
        for _ in 0..3 {
            let tasks: Vec<_> = stmts
                .iter()
                .cloned()
                .map(|(sql, args)| {
                    let (db, gate) = (self.clone(), gate.clone());
                    tokio::spawn(async move {
                        let _permit = gate
                            .acquire_owned()
                            .await
                            .map_err(|_| StoreError::Internal)?;
                        let mut tx = db.begin_snapshot().await?;
                        let version = Db::data_version(&mut tx).await?;
                        let rows = bind_args(sqlx::query(&sql), &args)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(map_err)?;
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
        for (sql, args) in stmts {
            out.push(
                bind_args(sqlx::query(sql), args)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map_err)?,
            );
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
        let mut out = Vec::new();
        for (sql, args) in statements(q) {
            let started = std::time::Instant::now();
            let rows = bind_args(sqlx::query(&sql), &args)
                .fetch_all(self.pool())
                .await
                .map_err(map_err)?;
            let label: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            out.push((label, rows.len(), started.elapsed()));
        }
        Ok(out)
    }
}

fn read_facts(src: &mut Source, q: &AnalyticsQuery) -> Result<Facts, StoreError> {
    let mut facts = Facts::default();

    let w = period(q);
    let sql = format!(
        "SELECT i.id, i.kind, i.severity, i.started_at, i.resolved_at FROM incidents i
         WHERE {}",
        w.sql()
    );
    for r in rows(src, &sql, &w.args) {
        facts.incidents.push(IncidentFact {
            id: get(&r, "id")?,
            kind: code(&r, "kind", IncidentKind::parse)?,
            severity: code(&r, "severity", Severity::parse)?,
            started_at: get(&r, "started_at")?,
            resolved_at: get(&r, "resolved_at")?,
        });
    }

    let w = case_where(q);
    let sql = format!(
        "SELECT a.incident_id, a.customer_id, i.started_at, i.detected_at,
                c.signed_up_at, c.churned_at
         FROM {CASE_JOIN} WHERE {}",
        w.sql()
    );
    let mut index: HashMap<(i64, i64), usize> = HashMap::new();
    for r in rows(src, &sql, &w.args) {
        let case = Case {
            incident_id: get(&r, "incident_id")?,
            customer_id: get(&r, "customer_id")?,
            started_at: get(&r, "started_at")?,
            detected_at: get(&r, "detected_at")?,
            signed_up_at: get(&r, "signed_up_at")?,
            churned_at: get(&r, "churned_at")?,
            kinds: 0,
            first_action_at: None,
        };
        index.insert((case.incident_id, case.customer_id), facts.cases.len());
        facts.cases.push(case);
    }

    let sql = format!(
        "SELECT r.incident_id, r.customer_id, r.kind, r.cost_minor, r.currency, r.given_at
         FROM recovery_actions r
         JOIN incidents i ON i.id = r.incident_id
         JOIN customers c ON c.id = r.customer_id
         WHERE {}",
        w.sql()
    );
    for r in rows(src, &sql, &w.args) {
        let key = (get(&r, "incident_id")?, get(&r, "customer_id")?);
        let Some(&case) = index.get(&key) else {
            continue;
        };
        let action = ActionFact {
            case,
            kind: code(&r, "kind", ActionKind::parse)?,
            cost_minor: get(&r, "cost_minor")?,
            currency: get(&r, "currency")?,
            given_at: get(&r, "given_at")?,
        };
        let c = &mut facts.cases[case];
        c.kinds |= crate::analytics::facts::kind_bit(action.kind);
        c.first_action_at = Some(
            c.first_action_at
                .map_or(action.given_at, |f| f.min(action.given_at)),
        );
        facts.actions.push(action);
    }

    // Replies linked to a case.
    let sql = format!(
        "SELECT r.incident_id, r.customer_id, r.received_at, r.csat,
                COALESCE(r.sentiment_manual, r.sentiment_auto) AS score
         FROM replies r
         JOIN incidents i ON i.id = r.incident_id
         JOIN customers c ON c.id = r.customer_id
         WHERE {}",
        w.sql()
    );
    let linked = rows(src, &sql, &w.args);
    push_replies(&mut facts, &index, &linked)?;

    // Unlinked replies received within 30 days after a case's incident started, each
    // counted for the latest incident of that customer that started at or before it (any
    // incident, filtered or not). Candidates come from one range read; which incident is
    // the latest is settled here from every incident start that could claim them, instead
    // of a correlated subquery per reply.
    // Written as CROSS JOINs with the join conditions in WHERE: PostgreSQL plans it as any
    // join, and SQLite keeps this order — the period's incidents, their cases, then each
    // case's unlinked replies by range on `replies_unlinked` — instead of starting from
    // every unlinked reply ever received (4× slower on a million replies).
    let span = w.next();
    let sql = format!(
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
    );
    let mut args = w.args.clone();
    args.push(Arg::Int(ATTRIBUTION_MS));
    // Placeholders must appear in the text in their numeric order (SQLite numbers `$n`
    // by first appearance).
    let candidates = rows(src, &sql, &args);
    // Incidents that could claim a candidate start after the period starts and before the
    // last candidate (at most 30 days after the period ends).
    let claims = rows(
        src,
        "SELECT a.customer_id, i.id, i.started_at
         FROM affected_customers a JOIN incidents i ON i.id = a.incident_id
         WHERE i.started_at >= $1 AND i.started_at < $2",
        &[Arg::Int(q.from_ms()), Arg::Int(q.to_ms() + ATTRIBUTION_MS)],
    );
    let mut starts: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for r in &claims {
        starts
            .entry(get(r, "customer_id")?)
            .or_default()
            .push((get(r, "started_at")?, get(r, "id")?));
    }
    for v in starts.values_mut() {
        v.sort_unstable();
    }
    let mut kept = Vec::with_capacity(candidates.len());
    for r in candidates {
        let customer: i64 = get(&r, "customer_id")?;
        let incident: i64 = get(&r, "incident_id")?;
        let started: i64 = get(&r, "started_at")?;
        let received: i64 = get(&r, "received_at")?;
        if latest_before(
            starts.get(&customer).map_or(&[][..], Vec::as_slice),
            received,
        ) == Some((started, incident))
        {
            kept.push(r);
        }
    }
    push_replies(&mut facts, &index, &kept)?;

    // Customers in no incident of the period, followed from the later of the period start
    // and their sign-up.
    let mut u = Where::default();
    u.and("c.signed_up_at < {}", Arg::Int(q.to_ms()));
    if let Some(p) = &q.plan {
        u.and("c.plan = {}", Arg::Text(p.clone()));
    }
    let from = u.next();
    u.args.push(Arg::Int(q.from_ms()));
    let to = u.next();
    u.args.push(Arg::Int(q.to_ms()));
    let sql = format!(
        "SELECT c.signed_up_at, c.churned_at FROM customers c
         WHERE {} AND NOT EXISTS (
             SELECT 1 FROM affected_customers a JOIN incidents i ON i.id = a.incident_id
             WHERE a.customer_id = c.id AND i.started_at >= {from} AND i.started_at < {to})",
        u.sql()
    );
    let period_start = q.from_ms();
    // One incident's figures have no unaffected baseline.
    let unaffected = match q.incident {
        Some(_) => vec![],
        None => rows(src, &sql, &u.args),
    };
    for r in unaffected {
        let signed_up: i64 = get(&r, "signed_up_at")?;
        facts.unaffected.push(Unaffected {
            start: signed_up.max(period_start),
            churned_at: get(&r, "churned_at")?,
        });
    }

    // Names of customers hit more than once (for the repeat-pain list).
    let sql = format!(
        "SELECT c.id, c.name, c.external_ref FROM customers c WHERE c.id IN (
             SELECT a.customer_id FROM {CASE_JOIN} WHERE {}
             GROUP BY a.customer_id HAVING COUNT(*) >= 2)
         ORDER BY c.id",
        w.sql()
    );
    for r in rows(src, &sql, &w.args) {
        facts.names.push(CustomerName {
            id: get(&r, "id")?,
            name: get(&r, "name")?,
            external_ref: get(&r, "external_ref")?,
        });
    }
    Ok(facts)
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
    rows: &[AnyRow],
) -> Result<(), StoreError> {
    for r in rows {
        let key = (get(r, "incident_id")?, get(r, "customer_id")?);
        // A reply naming an incident its customer was not affected by is no case's.
        let Some(&case) = index.get(&key) else {
            continue;
        };
        facts.replies.push(ReplyFact {
            case,
            received_at: get(r, "received_at")?,
            score: get(r, "score")?,
            csat: get(r, "csat")?,
        });
    }
    Ok(())
}

impl Db {
    /// Every figure for `q`: from this process's cache when the data has not changed since
    /// it was computed, else read and computed afresh (off the async threads).
    pub async fn cached_analytics(
        &self,
        q: &AnalyticsQuery,
    ) -> Result<std::sync::Arc<app::domain::analytics::Analytics>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let version = Self::data_version(&mut tx).await?;
        if let Some(hit) = self.analytics.get(q, version) {
            tx.rollback().await.map_err(map_err)?;
            return Ok(hit);
        }
        tx.rollback().await.map_err(map_err)?;
        let (version, facts) = self.analytics_facts(q).await?;
        let (query, zone) = (q.clone(), self.zone.clone());
        let computed =
            tokio::task::spawn_blocking(move || crate::analytics::compute(&query, &facts, &zone))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "analytics computation failed");
                    StoreError::Internal
                })?;
        let computed = std::sync::Arc::new(computed);
        self.analytics.put(q.clone(), version, computed.clone());
        Ok(computed)
    }

    /// How many analytics answers this process keeps (for tests and the bench).
    pub fn analytics_cached(&self) -> usize {
        self.analytics.len()
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

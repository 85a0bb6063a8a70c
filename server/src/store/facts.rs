//! The case facts (migration 0006): one row per case with what the analytics need of its
//! actions and replies, kept current by the transaction that changes them.
//!
//! Triggers list the customer of every changed row in `facts_dirty`. [`refresh`] — which
//! `Db::commit` and the other write paths run just before they commit — makes those
//! customers' facts again from the raw rows with the same statement a full rebuild uses, so
//! the table can only ever equal a rebuild. Facts depend on nothing but the customer's own
//! rows (a reply is attributed among that customer's incidents), so a customer is the unit.
//!
//! On PostgreSQL two transactions touching one customer must not each make its facts from a
//! snapshot that misses the other's change; the refresh first locks those customers' rows
//! (`FOR NO KEY UPDATE`, in id order, which does not conflict with the key-share locks that
//! foreign keys take), so the second waits for the first to commit and then reads it.

use super::{map_err, Db, Engine};
use crate::analytics::facts::{kind_bit, CSAT_SATISFIED_AT};
use crate::store::analytics::ATTRIBUTION_MS;
use app::domain::{ActionKind, SentimentLabel};
use app::error::StoreError;
use sqlx::{Any, Transaction};

/// The columns of `case_facts`, in the order the source statement yields them.
const COLUMNS: &str = "incident_id, customer_id, started_at, detected_at, kind, severity, plan,
    signed_up_at, churned_at, kinds, first_action_at, actions, replies, score_sum,
    score_squares, positive, csat_answers, csat_satisfied, line";

/// Which customers a statement covers: those listed in `facts_dirty`, or everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Listed,
    Everyone,
}

impl Scope {
    /// `table` (aliased) as a FROM item limited to the scope's customers, by its
    /// `customer` column. The listed customers come first (a CROSS JOIN keeps SQLite's
    /// planner to that order), so a refresh reads only their rows.
    fn from(self, engine: Engine, table: &str, customer: &str) -> String {
        match self {
            Scope::Listed => {
                let join = match engine {
                    Engine::Sqlite => "CROSS JOIN",
                    _ => "JOIN",
                };
                // Only listed customers with a case have facts to make (the DELETE before
                // took the others' away): an import of replies from customers no incident
                // hit reads none of them again.
                format!(
                    "(SELECT DISTINCT l.customer_id FROM facts_dirty l
                      WHERE EXISTS (SELECT 1 FROM affected_customers e
                                    WHERE e.customer_id = l.customer_id)) d
                     {join} {table} ON {customer} = d.customer_id"
                )
            }
            Scope::Everyone => table.into(),
        }
    }
}

/// The engine's spelling of a few expressions.
pub(super) struct Dialect {
    engine: Engine,
}

impl Dialect {
    pub(super) fn of(engine: Engine) -> Self {
        Self { engine }
    }

    /// `items` joined with `sep`, in `order`.
    pub(super) fn concat(&self, items: &str, sep: &str, order: &str) -> String {
        match self.engine {
            Engine::Postgres => format!("string_agg({items}, {sep} ORDER BY {order})"),
            _ => format!("group_concat({items}, {sep} ORDER BY {order})"),
        }
    }

    /// `items` joined with `sep`, in whatever order the rows come.
    pub(super) fn concat_any(&self, items: &str, sep: &str) -> String {
        match self.engine {
            Engine::Postgres => format!("string_agg({items}, {sep})"),
            _ => format!("group_concat({items}, {sep})"),
        }
    }

    /// A double as text that reads back as the same double.
    pub(super) fn exact(&self, x: &str) -> String {
        match self.engine {
            Engine::Postgres => format!("({x})::text"),
            _ => format!("printf('%.17g', {x})"),
        }
    }

    /// A line break, as a string.
    pub(super) fn newline(&self) -> &'static str {
        match self.engine {
            Engine::Postgres => "chr(10)",
            _ => "char(10)",
        }
    }
}

/// The facts of the cases of `scope`'s customers, made from the raw rows, with each case's
/// `line` (see migration 0006; `store::case_lines` reads it back). Sums add each case's
/// replies in id order, so the same replies always give the same bits.
pub fn source(engine: Engine, scope: Scope) -> String {
    let sql = Dialect::of(engine);
    let kinds = ActionKind::ALL
        .iter()
        .map(|k| {
            format!(
                "{} * MAX(CASE WHEN g.kind = '{}' THEN 1 ELSE 0 END)",
                kind_bit(*k),
                k.code()
            )
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let positive = SentimentLabel::POSITIVE_AT;
    let cases = scope.from(engine, "affected_customers a", "a.customer_id");
    let actions = scope.from(engine, "recovery_actions g", "g.customer_id");
    let replies = scope.from(engine, "replies r", "r.customer_id");
    let action_list = sql.concat(
        "g.kind || ',' || g.cost_minor || ',' || g.currency || ',' || g.given_at",
        "';'",
        "g.id",
    );
    let reply_list = sql.concat(
        &format!(
            "received_at || ',' || {} || ',' || COALESCE(csat || '', '')",
            sql.exact("score")
        ),
        "';'",
        "id",
    );
    format!(
        "SELECT a.incident_id, a.customer_id, i.started_at, i.detected_at, i.kind, i.severity,
                c.plan, c.signed_up_at, c.churned_at,
                COALESCE(x.kinds, 0), x.first_at, COALESCE(x.n, 0),
                COALESCE(y.n, 0), COALESCE(y.s, 0.0), COALESCE(y.ss, 0.0), COALESCE(y.pos, 0),
                COALESCE(y.csat, 0), COALESCE(y.sat, 0),
                a.customer_id || ' ' || c.signed_up_at || ' ' || COALESCE(c.churned_at || '', '')
                || ' ' || COALESCE(x.kinds, 0) || ' ' || COALESCE(x.first_at || '', '')
                || ' ' || COALESCE(x.list, '') || ' ' || COALESCE(y.list, '')
         FROM {cases}
         JOIN incidents i ON i.id = a.incident_id
         JOIN customers c ON c.id = a.customer_id
         LEFT JOIN (
             SELECT g.incident_id, g.customer_id, {kinds} AS kinds, MIN(g.given_at) AS first_at,
                    COUNT(*) AS n, {action_list} AS list
             FROM {actions}
             GROUP BY g.incident_id, g.customer_id
         ) x ON x.incident_id = a.incident_id AND x.customer_id = a.customer_id
         LEFT JOIN (
             SELECT incident_id, customer_id, COUNT(*) AS n,
                    SUM(score ORDER BY id) AS s, SUM(score * score ORDER BY id) AS ss,
                    SUM(CASE WHEN score >= {positive:?} THEN 1 ELSE 0 END) AS pos,
                    COUNT(csat) AS csat,
                    SUM(CASE WHEN csat >= {CSAT_SATISFIED_AT} THEN 1 ELSE 0 END) AS sat,
                    {reply_list} AS list
             FROM (
                 SELECT r.id, r.incident_id, r.customer_id, r.received_at, r.csat,
                        COALESCE(r.sentiment_manual, r.sentiment_auto) AS score
                 FROM {replies}
                 WHERE r.incident_id IS NOT NULL
                 UNION ALL
                 SELECT u.id, u.claimed, u.customer_id, u.received_at, u.csat, u.score
                 FROM (
                     SELECT r.id, r.customer_id, r.received_at, r.csat,
                            COALESCE(r.sentiment_manual, r.sentiment_auto) AS score,
                            (SELECT i2.id FROM affected_customers a2
                             JOIN incidents i2 ON i2.id = a2.incident_id
                             WHERE a2.customer_id = r.customer_id
                               AND i2.started_at <= r.received_at
                             ORDER BY i2.started_at DESC, i2.id DESC LIMIT 1) AS claimed
                     FROM {replies}
                     WHERE r.incident_id IS NULL
                 ) u
                 JOIN incidents ic ON ic.id = u.claimed
                 WHERE u.received_at < ic.started_at + {ATTRIBUTION_MS}
             ) t
             GROUP BY incident_id, customer_id
         ) y ON y.incident_id = a.incident_id AND y.customer_id = a.customer_id"
    )
}

/// Make the facts of every customer listed in `facts_dirty` again and empty the list. Run
/// inside the write transaction, just before it commits. On PostgreSQL it is one round trip;
/// SQLite, in this process, first looks whether anyone is listed at all.
pub async fn refresh(tx: &mut Transaction<'static, Any>, engine: Engine) -> Result<(), StoreError> {
    if engine == Engine::Sqlite {
        let listed: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM facts_dirty)")
            .fetch_one(&mut **tx)
            .await
            .map_err(map_err)?;
        if listed == 0 {
            return Ok(());
        }
    }
    // A bare string runs as a simple query: every statement in one round trip.
    sqlx::Executor::execute(&mut **tx, refresh_sql(engine))
        .await
        .map_err(map_err)?;
    Ok(())
}

fn refresh_sql(engine: Engine) -> &'static str {
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let make = |lock: &str| {
        format!(
            "{lock}
             DELETE FROM case_facts WHERE customer_id IN (SELECT customer_id FROM facts_dirty);
             INSERT INTO case_facts ({COLUMNS}) {};
             DELETE FROM facts_dirty;",
            source(engine, Scope::Listed)
        )
    };
    match engine {
        Engine::Postgres => POSTGRES.get_or_init(|| {
            make(
                "SELECT 1 FROM customers WHERE id IN (SELECT customer_id FROM facts_dirty)
                 ORDER BY id FOR NO KEY UPDATE;",
            )
        }),
        _ => SQLITE.get_or_init(|| make("")),
    }
}

/// What `rebuild_facts` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rebuilt {
    /// Cases whose stored facts differed from the raw rows (wrong, extra or missing).
    pub drifted: u64,
    /// Cases now stored.
    pub cases: u64,
}

impl Db {
    /// Cases whose stored facts differ from what the raw rows give now (wrong, extra or
    /// missing). Zero whenever every write went through the application.
    pub async fn facts_drift(&self) -> Result<u64, StoreError> {
        let mut tx = self.begin_read().await?;
        let n = drift(&mut tx, self.engine()).await?;
        tx.rollback().await.map_err(map_err)?;
        Ok(n)
    }

    /// Make every case's facts again from the raw rows, in one transaction; reports how
    /// many had drifted.
    pub async fn rebuild_facts(&self) -> Result<Rebuilt, StoreError> {
        let mut tx = self.begin().await?;
        if self.engine() == Engine::Postgres {
            // Writers' refreshes wait until the rebuild commits (reads go on).
            sqlx::query("LOCK TABLE case_facts IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let drifted = drift(&mut tx, self.engine()).await?;
        sqlx::query("DELETE FROM case_facts")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let done = sqlx::query(&format!(
            "INSERT INTO case_facts ({COLUMNS}) {}",
            source(self.engine(), Scope::Everyone)
        ))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query("DELETE FROM facts_dirty")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        self.commit(tx).await?;
        Ok(Rebuilt {
            drifted,
            cases: done.rows_affected(),
        })
    }

    /// Bring the facts of customers changed around the application (listed in
    /// `facts_dirty` by a commit that did not refresh them) up to date. Cheap when none are.
    pub async fn catch_up_facts(&self) -> Result<(), StoreError> {
        let pending: Option<i64> =
            sqlx::query_scalar("SELECT customer_id FROM facts_dirty LIMIT 1")
                .fetch_optional(self.pool())
                .await
                .map_err(map_err)?;
        if pending.is_none() {
            return Ok(());
        }
        let tx = self.begin().await?;
        // `commit` refreshes whatever is listed.
        self.commit(tx).await
    }
}

/// Cases with a row in `case_facts` or in the source statement that is not in the other:
/// stored wrongly, stored but no longer a case, or a case not stored.
async fn drift(tx: &mut Transaction<'static, Any>, engine: Engine) -> Result<u64, StoreError> {
    let made = source(engine, Scope::Everyone);
    let sql = format!(
        "SELECT COUNT(*) FROM (
             SELECT incident_id, customer_id
             FROM (SELECT {COLUMNS} FROM case_facts EXCEPT {made}) extra
             UNION
             SELECT incident_id, customer_id
             FROM ({made} EXCEPT SELECT {COLUMNS} FROM case_facts) missing
         ) differing"
    );
    let n: i64 = sqlx::query_scalar(&sql)
        .fetch_one(&mut **tx)
        .await
        .map_err(map_err)?;
    Ok(n as u64)
}

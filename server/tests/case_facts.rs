//! The case facts stay equal to a rebuild from the raw rows, on SQLite and PostgreSQL:
//! random sequences of the app's writes (incidents created and edited, customers marked
//! affected and removed, actions given, replies logged and overridden, customers churned,
//! reactivated and moved to another plan), checked after every step. Drift is a bug, never
//! a tolerance: the comparison is exact. Also: rows changed around the app are caught up by
//! the next read, and `rebuild-facts` repairs and reports rows that were tampered with.

mod common;

use app::domain::action::{ActionDraft, ActionTarget};
use app::domain::affected::{parse_list, CustomerKey};
use app::domain::analytics::DAY_MS;
use app::domain::customer::CustomerDraft;
use app::domain::incident::IncidentDraft;
use app::domain::reply::ReplyDraft;
use app::domain::{ActionKind, AffectedSource, Channel, IncidentKind, Money, Role, Severity};
use app::error::StoreError;
use app::store::Store;
use common::TestDb;
use proptest::prelude::*;
use server::store::{Db, NewUser};

const T0: i64 = common::UNTIL - 200 * DAY_MS;
const HOUR: i64 = 3_600_000;
const PLANS: [&str; 3] = ["basic", "pro", "team"];

/// One write, with indices taken modulo what exists when it runs.
#[derive(Clone, Debug)]
enum Op {
    Customer {
        plan: usize,
        day: i64,
    },
    Incident {
        kind: usize,
        severity: usize,
        day: i64,
    },
    EditIncident {
        incident: usize,
        day: i64,
        kind: usize,
        severity: usize,
    },
    Affect {
        incident: usize,
        customer: usize,
    },
    Unaffect {
        incident: usize,
        customer: usize,
    },
    Give {
        incident: usize,
        customer: Option<usize>,
        kind: usize,
        cost: i64,
        day: i64,
    },
    Reply {
        customer: usize,
        incident: Option<usize>,
        day: i64,
        hour: i64,
        csat: Option<i64>,
        body: usize,
    },
    Override {
        reply: usize,
        score: i64,
    },
    Churn {
        customer: usize,
        day: Option<i64>,
    },
    Plan {
        customer: usize,
        plan: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..8;
    prop_oneof![
        1 => (0..3usize, 0..40i64).prop_map(|(plan, day)| Op::Customer { plan, day }),
        1 => (0..7usize, 0..4usize, 0..60i64).prop_map(|(kind, severity, day)| Op::Incident {
            kind,
            severity,
            day
        }),
        1 => (idx.clone(), 0..60i64, 0..7usize, 0..4usize).prop_map(
            |(incident, day, kind, severity)| Op::EditIncident { incident, day, kind, severity }
        ),
        3 => (idx.clone(), idx.clone())
            .prop_map(|(incident, customer)| Op::Affect { incident, customer }),
        1 => (idx.clone(), idx.clone())
            .prop_map(|(incident, customer)| Op::Unaffect { incident, customer }),
        3 => (idx.clone(), proptest::option::of(idx.clone()), 0..7usize, 0..5_000i64, 0..90i64)
            .prop_map(|(incident, customer, kind, cost, day)| Op::Give {
                incident,
                customer,
                kind,
                cost,
                day
            }),
        4 => (
            idx.clone(),
            proptest::option::weighted(0.4, idx.clone()),
            0..100i64,
            0..3i64,
            proptest::option::of(1..=5i64),
            0..4usize
        )
            .prop_map(|(customer, incident, day, hour, csat, body)| Op::Reply {
                customer,
                incident,
                day,
                hour,
                csat,
                body
            }),
        1 => (0usize..20, -10..=10i64).prop_map(|(reply, score)| Op::Override { reply, score }),
        1 => (idx.clone(), proptest::option::of(40..120i64))
            .prop_map(|(customer, day)| Op::Churn { customer, day }),
        1 => (idx, 0..3usize).prop_map(|(customer, plan)| Op::Plan { customer, plan }),
    ]
}

const BODIES: [&str; 4] = [
    "Thanks, that credit made up for it.",
    "This is the third outage this month. Terrible.",
    "ok",
    "I am not happy at all, cancel my account.",
];

/// The ids made so far, in order.
#[derive(Default)]
struct World {
    customers: Vec<i64>,
    incidents: Vec<i64>,
    replies: Vec<i64>,
}

fn pick(ids: &[i64], i: usize) -> Option<i64> {
    (!ids.is_empty()).then(|| ids[i % ids.len()])
}

async fn version(db: &Db, table: &str, id: i64) -> i64 {
    sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn external_ref(db: &Db, customer: i64) -> String {
    sqlx::query_scalar("SELECT external_ref FROM customers WHERE id = $1")
        .bind(customer)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

fn incident_draft(kind: usize, severity: usize, day: i64) -> IncidentDraft {
    let started_at = T0 + day * DAY_MS + HOUR;
    IncidentDraft {
        title: format!("Incident on day {day}"),
        description: String::new(),
        kind: IncidentKind::ALL[kind % IncidentKind::ALL.len()],
        severity: Severity::ALL[severity % Severity::ALL.len()],
        started_at,
        detected_at: started_at + HOUR,
        resolved_at: None,
        owner_id: None,
    }
}

fn customer_draft(n: usize, plan: usize, day: i64) -> CustomerDraft {
    CustomerDraft {
        external_ref: format!("C-{n}"),
        name: format!("Customer {n}"),
        email: None,
        plan: PLANS[plan % PLANS.len()].into(),
        monthly_revenue: Money::new(5_000, "USD"),
        signed_up_at: T0 - 100 * DAY_MS + day * DAY_MS,
    }
}

/// A write's outcome: done, or refused for what was asked (nothing there, not allowed by the
/// workflow). A database error, or a conflict when every version was just read, fails.
fn fine<T>(op: &Op, r: Result<T, StoreError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(StoreError::NotFound | StoreError::Invalid(_) | StoreError::Field { .. }) => None,
        Err(e) => panic!("{op:?} failed: {e:?}"),
    }
}

/// Apply `op`; refusals (a customer not affected, a churn before sign-up, …) are outcomes too.
async fn apply(db: &Db, me: i64, w: &mut World, op: &Op) {
    match *op {
        Op::Customer { plan, day } => {
            let draft = customer_draft(w.customers.len(), plan, day);
            if let Some(id) = fine(op, db.create_customer(&draft, me).await) {
                w.customers.push(id);
            }
        }
        Op::Incident {
            kind,
            severity,
            day,
        } => {
            let id = db
                .create_incident(&incident_draft(kind, severity, day), me)
                .await
                .unwrap();
            w.incidents.push(id);
        }
        Op::EditIncident {
            incident,
            day,
            kind,
            severity,
        } => {
            let Some(id) = pick(&w.incidents, incident) else {
                return;
            };
            let v = version(db, "incidents", id).await;
            let r = db
                .update_incident(id, v, &incident_draft(kind, severity, day), me)
                .await;
            fine(op, r);
        }
        Op::Affect { incident, customer } => {
            let (Some(i), Some(c)) = (pick(&w.incidents, incident), pick(&w.customers, customer))
            else {
                return;
            };
            let r = external_ref(db, c).await;
            let list = parse_list(&r).unwrap();
            fine(
                op,
                db.confirm_affected(i, &list, AffectedSource::Manual, me)
                    .await,
            );
        }
        Op::Unaffect { incident, customer } => {
            let (Some(i), Some(c)) = (pick(&w.incidents, incident), pick(&w.customers, customer))
            else {
                return;
            };
            fine(op, db.remove_affected(i, c, me).await);
        }
        Op::Give {
            incident,
            customer,
            kind,
            cost,
            day,
        } => {
            let Some(i) = pick(&w.incidents, incident) else {
                return;
            };
            let target = match customer.and_then(|c| pick(&w.customers, c)) {
                Some(c) => ActionTarget::Customer(c),
                None => ActionTarget::All,
            };
            let draft = ActionDraft {
                kind: ActionKind::ALL[kind % ActionKind::ALL.len()],
                value: Money::new(cost, "USD"),
                cost: Money::new(cost, "USD"),
                channel: Channel::Email,
                note: String::new(),
                given_at: T0 + day * DAY_MS,
            };
            fine(op, db.give_actions(i, &target, &draft, me).await);
        }
        Op::Reply {
            customer,
            incident,
            day,
            hour,
            csat,
            body,
        } => {
            let Some(c) = pick(&w.customers, customer) else {
                return;
            };
            let r = external_ref(db, c).await;
            let draft = ReplyDraft {
                customer: CustomerKey::Ref(r),
                incident_id: incident.and_then(|i| pick(&w.incidents, i)),
                channel: Channel::Email,
                // On the hour an incident starts, an hour before and an hour after.
                received_at: T0 + day * DAY_MS + hour * HOUR,
                csat,
                body: BODIES[body].into(),
            };
            let score = app::sentiment::compound(BODIES[body]);
            if let Some(id) = fine(op, db.create_reply(&draft, score, me).await) {
                w.replies.push(id);
            }
        }
        Op::Override { reply, score } => {
            let Some(r) = pick(&w.replies, reply) else {
                return;
            };
            let r = db
                .override_sentiment(r, score as f64 / 10.0, "read by a person", me)
                .await;
            fine(op, r);
        }
        Op::Churn { customer, day } => {
            let Some(c) = pick(&w.customers, customer) else {
                return;
            };
            let v = version(db, "customers", c).await;
            fine(
                op,
                db.set_churn(c, v, day.map(|d| T0 + d * DAY_MS), me).await,
            );
        }
        Op::Plan { customer, plan } => {
            let Some(c) = pick(&w.customers, customer) else {
                return;
            };
            let v = version(db, "customers", c).await;
            let n = w.customers.iter().position(|x| *x == c).unwrap_or(0);
            let r = db
                .update_customer(c, v, &customer_draft(n, plan, 0), me)
                .await;
            fine(op, r);
        }
    }
}

async fn editor(db: &Db) -> i64 {
    let new = NewUser {
        email: "editor@example.com",
        name: "Editor",
        role: Role::Editor,
        password_hash: "not-a-real-hash",
    };
    db.create_user(new, None, false, 0).await.unwrap()
}

async fn cases(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM case_facts")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Run `ops` on a fresh database, checking the facts after every step.
async fn run(t: TestDb, ops: &[Op]) -> Result<(), TestCaseError> {
    let db = t.db.clone();
    let me = editor(&db).await;
    let mut w = World::default();
    let mut outcome = Ok(());
    for (step, op) in ops.iter().enumerate() {
        apply(&db, me, &mut w, op).await;
        let drift = db.facts_drift().await.unwrap();
        if drift != 0 {
            outcome = Err(TestCaseError::fail(format!(
                "{}: the facts of {drift} cases differ from a rebuild after step {step} ({op:?})",
                t.engine
            )));
            break;
        }
    }
    if outcome.is_ok() {
        let affected: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM affected_customers")
            .fetch_one(db.pool())
            .await
            .unwrap();
        if cases(&db).await != affected {
            outcome = Err(TestCaseError::fail("one fact row per case"));
        }
    }
    t.drop_async().await;
    outcome
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_facts_equal_a_rebuild_after_every_write(
        ops in proptest::collection::vec(op(), 10..60)
    ) {
        // Enough customers and incidents first that most writes find something to act on.
        let mut all = vec![
            Op::Customer { plan: 0, day: 1 },
            Op::Customer { plan: 1, day: 2 },
            Op::Customer { plan: 2, day: 3 },
            Op::Incident { kind: 0, severity: 0, day: 10 },
            Op::Incident { kind: 1, severity: 1, day: 20 },
        ];
        all.extend(ops);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            run(TestDb::sqlite().await, &all).await?;
            run(TestDb::postgres().await, &all).await
        })?;
    }
}

/// A fixed data set with every kind of fact: two incidents, linked and unlinked replies (one
/// claimed by the later incident), an override, two action kinds, a churned customer.
async fn small_world(db: &Db) -> World {
    let me = editor(db).await;
    let mut w = World::default();
    let ops = [
        Op::Customer { plan: 0, day: 1 },
        Op::Customer { plan: 1, day: 2 },
        Op::Incident {
            kind: 0,
            severity: 0,
            day: 10,
        },
        Op::Incident {
            kind: 2,
            severity: 1,
            day: 20,
        },
        Op::Affect {
            incident: 0,
            customer: 0,
        },
        Op::Affect {
            incident: 0,
            customer: 1,
        },
        Op::Affect {
            incident: 1,
            customer: 0,
        },
        Op::Give {
            incident: 0,
            customer: None,
            kind: 0,
            cost: 500,
            day: 11,
        },
        Op::Give {
            incident: 0,
            customer: Some(0),
            kind: 3,
            cost: 0,
            day: 12,
        },
        Op::Reply {
            customer: 0,
            incident: Some(0),
            day: 13,
            hour: 0,
            csat: Some(5),
            body: 0,
        },
        Op::Reply {
            customer: 0,
            incident: None,
            day: 21,
            hour: 2,
            csat: None,
            body: 1,
        },
        Op::Reply {
            customer: 1,
            incident: None,
            day: 15,
            hour: 1,
            csat: Some(2),
            body: 3,
        },
        Op::Override {
            reply: 2,
            score: -6,
        },
        Op::Churn {
            customer: 1,
            day: Some(50),
        },
    ];
    for op in &ops {
        apply(db, me, &mut w, op).await;
    }
    w
}

type FactRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, f64, i64, i64);

async fn facts(db: &Db) -> Vec<FactRow> {
    use sqlx::Row;
    sqlx::query(
        "SELECT incident_id, customer_id, kinds, COALESCE(first_action_at, 0) AS first,
                actions, replies, positive, csat_answers, csat_satisfied, score_sum,
                COALESCE(churned_at, 0) AS churned, started_at
         FROM case_facts ORDER BY incident_id, customer_id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get("incident_id"),
            r.get("customer_id"),
            r.get("kinds"),
            r.get("first"),
            r.get("actions"),
            r.get("replies"),
            r.get("positive"),
            r.get("csat_answers"),
            r.get("csat_satisfied"),
            r.get("score_sum"),
            r.get("churned"),
            r.get("started_at"),
        )
    })
    .collect()
}

#[tokio::test]
async fn each_case_holds_what_was_given_and_the_replies_that_count_for_it() {
    common::on_both(|db, engine| async move {
        let w = small_world(&db).await;
        let (c0, c1) = (w.customers[0], w.customers[1]);
        let (i0, i1) = (w.incidents[0], w.incidents[1]);
        let credit = i64::from(server::analytics::facts::kind_bit(ActionKind::Credit));
        let apology = i64::from(server::analytics::facts::kind_bit(ActionKind::Apology));
        let score = |b: usize| app::sentiment::compound(BODIES[b]);
        let start = |day: i64| T0 + day * DAY_MS + HOUR;
        let positive = |b: usize| i64::from(score(b) >= app::domain::SentimentLabel::POSITIVE_AT);
        let got = facts(&db).await;
        let want: Vec<FactRow> = vec![
            // Credit and apology; its linked reply (CSAT 5). The unlinked reply of day 21
            // belongs to the later incident that started on day 20.
            (
                i0,
                c0,
                credit | apology,
                T0 + 11 * DAY_MS,
                2,
                1,
                positive(0),
                1,
                1,
                score(0),
                0,
                start(10),
            ),
            // Credit; an unlinked reply of day 15, overridden to −0.6, CSAT 2; churned.
            (
                i0,
                c1,
                credit,
                T0 + 11 * DAY_MS,
                1,
                1,
                0,
                1,
                0,
                -0.6,
                T0 + 50 * DAY_MS,
                start(10),
            ),
            (
                i1,
                c0,
                0,
                0,
                0,
                1,
                positive(1),
                0,
                0,
                score(1),
                0,
                start(20),
            ),
        ];
        assert_eq!(got, want, "{engine}");
        assert_eq!(db.facts_drift().await.unwrap(), 0, "{engine}");
    })
    .await;
}

#[tokio::test]
async fn rows_changed_around_the_app_are_caught_up_and_tampering_is_repaired() {
    common::on_both(|db, engine| async move {
        small_world(&db).await;
        // Plain SQL: the reply of day 21 moves before the later incident started, so it
        // now counts for the first incident's case.
        sqlx::query("UPDATE replies SET received_at = received_at - 2 * $1 WHERE incident_id IS NULL AND csat IS NULL")
            .bind(DAY_MS)
            .execute(db.pool())
            .await
            .unwrap();
        // Two cases changed.
        assert_eq!(db.facts_drift().await.unwrap(), 2, "{engine}");
        db.catch_up_facts().await.unwrap();
        assert_eq!(db.facts_drift().await.unwrap(), 0, "{engine}");
        let got = facts(&db).await;
        assert_eq!((got[0].5, got[2].5), (2, 0), "{engine}: replies moved between cases");

        // A stored row tampered with, one deleted: the rebuild reports and repairs both.
        sqlx::query("UPDATE case_facts SET replies = 99 WHERE incident_id = (SELECT MIN(incident_id) FROM case_facts)
                     AND customer_id = (SELECT MIN(customer_id) FROM case_facts)")
            .execute(db.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM case_facts WHERE incident_id = (SELECT MAX(incident_id) FROM case_facts)")
            .execute(db.pool())
            .await
            .unwrap();
        assert_eq!(db.facts_drift().await.unwrap(), 2, "{engine}");
        let done = db.rebuild_facts().await.unwrap();
        assert_eq!((done.drifted, done.cases), (2, 3), "{engine}");
        assert_eq!(db.facts_drift().await.unwrap(), 0, "{engine}");
        assert_eq!(facts(&db).await, got, "{engine}");
    })
    .await;
}

#[tokio::test]
async fn removing_an_affected_customer_takes_their_case_and_its_actions_away() {
    common::on_both(|db, engine| async move {
        let w = small_world(&db).await;
        let (c0, c1) = (w.customers[0], w.customers[1]);
        let (i0, i1) = (w.incidents[0], w.incidents[1]);
        // Their two actions go with the case (a cascade); the reply that named the action
        // keeps its text but no longer counts for any case.
        db.remove_affected(i0, c0, 1).await.unwrap();
        let got: Vec<(i64, i64)> = facts(&db).await.iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(got, vec![(i0, c1), (i1, c0)], "{engine}");
        assert_eq!(db.facts_drift().await.unwrap(), 0, "{engine}");
    })
    .await;
}

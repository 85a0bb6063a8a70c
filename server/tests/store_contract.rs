//! The store contract: the same behaviour on SQLite and PostgreSQL.

mod common;

use app::domain::{IncidentStatus, PageRequest};
use app::error::StoreError;
use app::store::Store;
use common::{on_both, UNTIL};
use server::demo::{simulate, write, Scale};
use server::store::seed::{Batch, Val};
use server::store::Db;
use std::collections::HashMap;

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn migrations_are_idempotent_and_empty_store_reads_cleanly() {
    on_both(|db, engine| async move {
        db.migrate()
            .await
            .unwrap_or_else(|e| panic!("{engine}: second migrate failed: {e}"));
        db.ping().await.unwrap();
        let page = db
            .list_incidents(&Default::default(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(
            (page.total, page.items.len(), page.page_count()),
            (0, 0, 1),
            "{engine}"
        );
        assert_eq!(db.incident(1).await.unwrap(), None, "{engine}");
        let o = db.overview().await.unwrap();
        assert_eq!(
            (o.incidents, o.customers, o.replies, o.mean_sentiment),
            (0, 0, 0, None),
            "{engine}"
        );
        assert!(!db.has_domain_data().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn demo_data_round_trips_with_consistent_counts() {
    on_both(|db, engine| async move {
        let world = simulate(7, Scale::Small, UNTIL);
        let written = write(&db, &world, false).await.unwrap();
        assert!(db.has_domain_data().await.unwrap());
        assert_eq!(
            count(&db, "customers").await as usize,
            written.customers,
            "{engine}"
        );
        assert_eq!(
            count(&db, "incidents").await as usize,
            world.incidents.len()
        );
        assert_eq!(
            count(&db, "affected_customers").await as usize,
            written.cases
        );
        assert_eq!(
            count(&db, "recovery_actions").await as usize,
            written.actions
        );
        assert_eq!(count(&db, "replies").await as usize, written.replies);

        // Newest first, paginated without overlap, totals right.
        let p1 = db
            .list_incidents(&Default::default(), PageRequest::new(Some(1), Some(25)))
            .await
            .unwrap();
        let p2 = db
            .list_incidents(&Default::default(), PageRequest::new(Some(2), Some(25)))
            .await
            .unwrap();
        assert_eq!(p1.total as usize, world.incidents.len());
        assert_eq!(p1.items.len(), 25);
        let all: Vec<_> = p1.items.iter().chain(&p2.items).collect();
        assert!(
            all.windows(2).all(|w| w[0].started_at >= w[1].started_at),
            "{engine}: not newest first"
        );
        assert!(p1
            .items
            .iter()
            .all(|a| p2.items.iter().all(|b| a.id != b.id)));

        // Every row's counts and cost match the simulated incident it came from.
        for row in &p1.items {
            let sim = world
                .incidents
                .iter()
                .find(|i| i.started_at == row.started_at && i.title == row.title)
                .expect("row from the world");
            assert_eq!(
                row.affected as usize,
                sim.cases.len(),
                "{engine}: affected of {}",
                row.title
            );
            let actions: usize = sim.cases.iter().map(|c| c.actions.len()).sum();
            assert_eq!(row.actions as usize, actions);
            let linked: usize = sim
                .cases
                .iter()
                .flat_map(|c| &c.replies)
                .filter(|r| r.linked)
                .count();
            assert_eq!(row.replies as usize, linked);
            let mut cost: HashMap<&str, i64> = HashMap::new();
            for c in &sim.cases {
                let cur = world.customers[c.customer].currency;
                for a in &c.actions {
                    *cost.entry(cur).or_default() += a.cost_minor;
                }
            }
            let got: HashMap<&str, i64> = row
                .cost
                .iter()
                .map(|m| (m.currency.as_str(), m.minor))
                .collect();
            assert_eq!(got, cost, "{engine}: cost of {}", row.title);
        }

        // The detail page agrees with the list.
        let first = &p1.items[0];
        let d = db.incident(first.id).await.unwrap().expect("detail");
        assert_eq!(d.affected_total, first.affected);
        assert_eq!(d.actions_total, first.actions);
        assert_eq!(d.replies_total, first.replies);
        assert_eq!(d.cost, first.cost);
        assert!(d.affected.len() as i64 <= d.affected_total.min(50));
        assert_eq!(
            d.events.first().and_then(|e| e.to_status),
            Some(IncidentStatus::Open)
        );
        assert!(d.owner.is_some(), "{engine}: demo incidents have owners");

        // Replies page newest first, without overlap, and carry their incident's title.
        let r1 = db
            .list_replies(&Default::default(), PageRequest::new(Some(1), Some(50)))
            .await
            .unwrap();
        let r2 = db
            .list_replies(&Default::default(), PageRequest::new(Some(2), Some(50)))
            .await
            .unwrap();
        assert_eq!(r1.total as usize, written.replies, "{engine}");
        assert_eq!((r1.items.len(), r2.items.len()), (50, 50));
        let replies: Vec<_> = r1.items.iter().chain(&r2.items).collect();
        assert!(
            replies
                .windows(2)
                .all(|w| (w[0].received_at, w[0].id) > (w[1].received_at, w[1].id)),
            "{engine}: replies not newest first"
        );
        for r in &replies {
            assert_eq!(r.incident_id.is_some(), r.incident_title.is_some());
        }

        // Overview sums the whole data set.
        let o = db.overview().await.unwrap();
        assert_eq!(o.incidents as usize, world.incidents.len());
        assert_eq!(o.cases as usize, written.cases);
        assert_eq!(o.churned_customers as usize, written.churned);
        let all_replies: Vec<f64> = world
            .incidents
            .iter()
            .flat_map(|i| &i.cases)
            .flat_map(|c| &c.replies)
            .map(|r| r.compound)
            .chain(world.loose_replies.iter().map(|l| l.reply.compound))
            .collect();
        let mean = all_replies.iter().sum::<f64>() / all_replies.len() as f64;
        assert!(
            (o.mean_sentiment.unwrap() - mean).abs() < 1e-9,
            "{engine}: mean sentiment"
        );
    })
    .await;
}

#[tokio::test]
async fn a_failed_batch_leaves_nothing_behind() {
    on_both(|db, engine| async move {
        let good = |id: i64, r: &str| {
            vec![Val::Int(id), Val::Text(r.into()), Val::Text("Ada".into()), Val::Int(1000), Val::Int(1000), Val::Int(1000)]
        };
        let cols: &'static [&'static str] = &["id", "external_ref", "name", "signed_up_at", "created_at", "updated_at"];
        // A duplicate external ref in the same batch breaks the unique constraint.
        let batch = Batch { table: "customers", columns: cols, rows: vec![good(1, "C-1"), good(2, "C-2"), good(3, "C-1")] };
        let mut tx = db.begin().await.unwrap();
        let err = db.insert_batch(&mut tx, &batch).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{engine}: {err:?}");
        tx.rollback().await.unwrap();
        assert_eq!(count(&db, "customers").await, 0, "{engine}: partial write survived");

        // CHECK constraints: negative money and unknown codes are refused by the schema itself.
        for (sql, what) in [
            ("INSERT INTO customers (external_ref, name, monthly_revenue_minor, signed_up_at, created_at, updated_at) VALUES ('X', 'x', -1, 0, 0, 0)", "negative revenue"),
            ("INSERT INTO customers (external_ref, name, currency, signed_up_at, created_at, updated_at) VALUES ('Y', 'y', 'usd', 0, 0, 0)", "lowercase currency"),
            ("INSERT INTO incidents (title, kind, severity, status, started_at, detected_at, created_at, updated_at) VALUES ('t', 'meteor', 'sev1', 'open', 0, 0, 0, 0)", "unknown kind"),
            ("INSERT INTO incidents (title, kind, severity, status, started_at, detected_at, created_at, updated_at) VALUES ('t', 'bug', 'sev1', 'resolved', 0, 0, 0, 0)", "resolved without time"),
            ("INSERT INTO incidents (title, kind, severity, status, started_at, detected_at, created_at, updated_at) VALUES ('t', 'bug', 'sev1', 'open', 10, 5, 0, 0)", "detected before start"),
            ("INSERT INTO recovery_actions (incident_id, customer_id, kind, value_minor, cost_minor, currency, channel, given_at, created_at) VALUES (1, 1, 'credit', 1, 1, 'USD', 'email', 0, 0)", "action without a case"),
        ] {
            let err = sqlx::query(sql).execute(db.pool()).await.map_err(server::store::map_err).unwrap_err();
            assert!(matches!(err, StoreError::Invalid(_)), "{engine}: {what} gave {err:?}");
        }
        assert_eq!(count(&db, "customers").await + count(&db, "incidents").await, 0);
    })
    .await;
}

#[tokio::test]
async fn customer_search_is_case_insensitive_and_literal() {
    on_both(|db, engine| async move {
        let cols: &'static [&'static str] = &[
            "id",
            "external_ref",
            "name",
            "email",
            "signed_up_at",
            "created_at",
            "updated_at",
        ];
        let row = |id: i64, r: &str, n: &str, e: &str| {
            vec![
                Val::Int(id),
                Val::Text(r.into()),
                Val::Text(n.into()),
                Val::OptText(Some(e.into())),
                Val::Int(0),
                Val::Int(0),
                Val::Int(0),
            ]
        };
        let batch = Batch {
            table: "customers",
            columns: cols,
            rows: vec![
                row(1, "ACME-1", "Grace Hopper", "grace@navy.example"),
                row(2, "ACME-2", "Alan 100% Turing", "alan@bletchley.example"),
                row(3, "BETA_3", "Ada Lovelace", "ada@engine.example"),
            ],
        };
        let mut tx = db.begin().await.unwrap();
        db.insert_batch(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();
        let names = |p: app::domain::Page<app::domain::CustomerRow>| {
            p.items.into_iter().map(|c| c.name).collect::<Vec<_>>()
        };
        let search = |q: &str| db.list_customers(Some(q.into()), true, PageRequest::default());
        assert_eq!(
            names(search("grace").await.unwrap()),
            vec!["Grace Hopper"],
            "{engine}"
        );
        assert_eq!(
            names(search("acme").await.unwrap()),
            vec!["Alan 100% Turing", "Grace Hopper"]
        );
        assert_eq!(
            names(search("BLETCHLEY").await.unwrap()),
            vec!["Alan 100% Turing"]
        );
        assert_eq!(
            names(search("100%").await.unwrap()),
            vec!["Alan 100% Turing"]
        );
        assert_eq!(
            names(search("%").await.unwrap()),
            vec!["Alan 100% Turing"],
            "{engine}: % must be literal"
        );
        assert_eq!(
            names(search("_").await.unwrap()),
            vec!["Ada Lovelace"],
            "{engine}: _ must be literal"
        );
        assert_eq!(
            db.list_customers(None, true, PageRequest::default())
                .await
                .unwrap()
                .total,
            3
        );
        let page2 = db
            .list_customers(None, true, PageRequest::new(Some(2), Some(2)))
            .await
            .unwrap();
        assert_eq!(names(page2), vec!["Grace Hopper"]);
    })
    .await;
}

#[tokio::test]
async fn demo_force_replaces_data_and_keeps_ids_growing() {
    on_both(|db, engine| async move {
        let world = simulate(1, Scale::Small, UNTIL);
        write(&db, &world, false).await.unwrap();
        let first = count(&db, "replies").await;
        let again = write(&db, &world, true).await.unwrap();
        assert_eq!(count(&db, "replies").await, first, "{engine}: wipe then write gives the same data");
        assert_eq!(again.replies as i64, first);
        assert_eq!(count(&db, "users").await, 5, "{engine}: demo team is not duplicated");
        // Generated ids continue after the explicit ones (PostgreSQL sequences were moved).
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO customers (external_ref, name, signed_up_at, created_at, updated_at) VALUES ('NEW-1', 'New', 0, 0, 0) RETURNING id",
        )
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{engine}: insert after demo failed: {e}"));
        let max: i64 = sqlx::query_scalar("SELECT MAX(id) FROM customers").fetch_one(db.pool()).await.unwrap();
        assert_eq!(id, max);
    })
    .await;
}

#[tokio::test]
async fn sqlite_connections_use_the_documented_pragmas() {
    let t = common::TestDb::sqlite().await;
    let mut conn = t.db.pool().acquire().await.unwrap();
    for (pragma, want) in [
        ("journal_mode", "wal"),
        ("foreign_keys", "1"),
        ("busy_timeout", "5000"),
        ("synchronous", "1"),
    ] {
        let row = sqlx::query(&format!("PRAGMA {pragma}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let got: String = sqlx::Row::try_get::<String, _>(&row, 0)
            .or_else(|_| sqlx::Row::try_get::<i64, _>(&row, 0).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(got, want, "PRAGMA {pragma}");
    }
    drop(conn);
    t.drop_async().await;
}

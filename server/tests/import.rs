//! Bulk import on both engines: customers (how churn history gets in), replies, actions and
//! affected customers; all or nothing; idempotent by each row's natural key; and the
//! command line's report and exit status.

mod common;

use app::domain::Role;
use common::rows::{self, Incident};
use common::TestDb;
use server::import::columns::ImportKind;
use server::import::run::{run, ImportError, ImportReport, Options, Progress};
use server::store::Db;
use server::zone::Zone;
use std::process::Command;
use std::sync::Arc;

/// 2026-12-01 00:00 UTC: "now" for every import here.
const NOW: i64 = 1_796_083_200_000;

async fn admin(db: &Db) -> i64 {
    common::add_user(db, "ada@team.example", "Ada", Role::Admin).await;
    db.user_id_by_email("ada@team.example")
        .await
        .unwrap()
        .unwrap()
}

fn options(kind: ImportKind, actor: i64, dry_run: bool) -> Options {
    Options {
        kind,
        dry_run,
        actor,
        zone: Zone::parse("Europe/Berlin").unwrap(),
        now: NOW,
        label: "test.csv".into(),
        max_bytes: None,
        progress: Arc::new(Progress::default()),
    }
}

async fn import(db: &Db, kind: ImportKind, actor: i64, dry_run: bool, csv: &str) -> ImportReport {
    run(
        db,
        std::io::Cursor::new(csv.to_string().into_bytes()),
        options(kind, actor, dry_run),
    )
    .await
    .unwrap_or_else(|e| panic!("{kind:?} import failed: {e}"))
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

fn counts(r: &ImportReport) -> (u64, u64, u64, u64, u64) {
    (r.rows, r.new, r.updated, r.unchanged, r.refused)
}

const CUSTOMERS: &str =
    "external_ref,name,email,plan,monthly_revenue,currency,signed_up_at,churned_at
c-1,Ada Lovelace,Ada@Example.com,pro,49.00,EUR,2025-01-15,
c-2,Grace Hopper,grace@example.com,team,\"1,200.50\",USD,2025-02-01 09:30,2026-03-01
c-3,Edsger Dijkstra,,starter,0,USD,2025-03-01T00:00:00Z,
";

#[tokio::test]
async fn customers_come_in_with_their_churn_history_and_a_second_import_changes_nothing() {
    common::on_both(|db, engine| async move {
        let me = admin(&db).await;
        let dry = import(&db, ImportKind::Customers, me, true, CUSTOMERS).await;
        assert_eq!(counts(&dry), (3, 3, 0, 0, 0), "{engine}");
        assert!(!dry.committed);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM customers").await,
            0,
            "{engine}: a dry run writes nothing"
        );

        let r = import(&db, ImportKind::Customers, me, false, CUSTOMERS).await;
        assert_eq!(counts(&r), (3, 3, 0, 0, 0), "{engine}");
        assert!(r.committed);
        let row = sqlx::query_as::<_, (String, Option<String>, i64, String, i64, Option<i64>)>(
            "SELECT name, email, monthly_revenue_minor, currency, signed_up_at, churned_at
             FROM customers WHERE external_ref = 'c-2'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        // 09:30 in Berlin (UTC+1 in February) is 08:30 UTC; the churn date is Berlin's midnight.
        assert_eq!(
            row,
            (
                "Grace Hopper".into(),
                Some("grace@example.com".into()),
                120_050,
                "USD".into(),
                1_738_398_600_000,
                Some(1_772_319_600_000)
            ),
            "{engine}"
        );
        let email: Option<String> =
            sqlx::query_scalar("SELECT email FROM customers WHERE external_ref = 'c-1'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(email.as_deref(), Some("ada@example.com"));

        let again = import(&db, ImportKind::Customers, me, false, CUSTOMERS).await;
        assert_eq!(
            counts(&again),
            (3, 0, 0, 3, 0),
            "{engine}: the same file again"
        );

        // Only the columns a file has are written: this one churns c-1 and reactivates c-2.
        let churn = "ref,churned_at\nc-1,2026-06-30 18:00\nc-2,\nc-3,\n";
        let r = import(&db, ImportKind::Customers, me, false, churn).await;
        assert_eq!(counts(&r), (3, 0, 2, 1, 0), "{engine}");
        let churned: Vec<(String, Option<i64>, String)> = sqlx::query_as(
            "SELECT external_ref, churned_at, plan FROM customers ORDER BY external_ref",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(
            churned,
            vec![
                ("c-1".into(), Some(1_782_835_200_000), "pro".into()),
                ("c-2".into(), None, "team".into()),
                ("c-3".into(), None, "starter".into()),
            ],
            "{engine}"
        );
        // Each change is audited like the form's, and the import itself once.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'import'"
            )
            .await,
            3,
            "{engine}"
        );
    })
    .await;
}

async fn world(db: &Db) -> (i64, i64) {
    let me = admin(db).await;
    import(db, ImportKind::Customers, me, false, CUSTOMERS).await;
    let incident = rows::incident(
        db,
        Incident {
            title: "Checkout down",
            kind: "outage",
            severity: "sev1",
            status: "resolved",
            started: 1_795_000_000_000,
            detected: 1_795_000_000_000,
            resolved: Some(1_795_010_000_000),
        },
    )
    .await;
    (me, incident)
}

#[tokio::test]
async fn replies_are_scored_matched_and_never_added_twice() {
    common::on_both(|db, engine| async move {
        let (me, incident) = world(&db).await;
        let file = format!(
            "customer,received_at,body,incident,channel,csat,external_id
c-1,2026-11-20 14:05,\"Thanks, the credit was generous!\",{incident},chat,5,zd-1
grace@example.com,2026-11-20T16:00:00Z,\"Still broken, very disappointed.\",#{incident},,1,
c-3,2026-11-21 08:00,\"ok\",,email,,
c-1,2026-11-20 14:05,\"Thanks, the credit was generous!\",{incident},chat,5,zd-1
"
        );
        let r = import(&db, ImportKind::Replies, me, false, &file).await;
        // The fourth row repeats the first's external id: it is already there.
        assert_eq!(counts(&r), (4, 3, 0, 1, 0), "{engine}");
        let stored: Vec<(String, f64, Option<i64>, String, i64)> = sqlx::query_as(
            "SELECT c.external_ref, y.sentiment_auto, y.incident_id, y.channel, y.received_at
             FROM replies y JOIN customers c ON c.id = y.customer_id ORDER BY y.received_at",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(stored.len(), 3);
        assert_eq!(stored[0].0, "c-1");
        assert_eq!(
            stored[0].1,
            app::sentiment::compound("Thanks, the credit was generous!")
        );
        // 14:05 Berlin = 13:05 UTC.
        assert_eq!(stored[0].4, 1_795_179_900_000);
        assert_eq!(
            (stored[1].0.as_str(), stored[1].2, stored[1].3.as_str()),
            ("c-2", Some(incident), "email")
        );
        assert_eq!(
            stored[1].1,
            app::sentiment::compound("Still broken, very disappointed.")
        );

        let again = import(&db, ImportKind::Replies, me, false, &file).await;
        assert_eq!(
            counts(&again),
            (4, 0, 0, 4, 0),
            "{engine}: a second import adds nothing"
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM replies").await, 3);

        // One bad row anywhere: nothing is written, and the row is named.
        let bad = format!(
            "customer,received_at,body,incident,csat
c-1,2026-11-22 10:00,New one,{incident},4
c-9,2026-11-22 10:00,Who?,,
c-2,2026-11-22 11:00,Fine,999,
c-3,2026-11-22 12:00,Meh,,9
c-3,2026-11-22 12:00,Short row
c-3,2026-11-22 13:00,Nul\0here,,
"
        );
        let r = import(&db, ImportKind::Replies, me, false, &bad).await;
        assert_eq!(counts(&r), (6, 1, 0, 0, 5), "{engine}");
        assert!(!r.committed);
        let named: Vec<(u64, &str)> = r
            .refusals
            .iter()
            .map(|f| (f.line, f.column.as_str()))
            .collect();
        assert_eq!(
            named,
            vec![
                (3, "customer"),
                (4, "incident"),
                (5, "csat"),
                (6, ""),
                (7, "body")
            ],
            "{engine}"
        );
        assert_eq!(r.refusals[1].reason, "There is no incident #999.");
        assert!(r.refusals[4].reason.contains("control character (U+0000)"));
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM replies").await,
            3,
            "{engine}: nothing written"
        );
    })
    .await;
}

#[tokio::test]
async fn actions_mark_their_customers_affected_and_affected_lists_load() {
    common::on_both(|db, engine| async move {
        let (me, incident) = world(&db).await;
        let affected = format!("incident,customer\n{incident},c-3\n{incident},c-3\n");
        let r = import(&db, ImportKind::Affected, me, false, &affected).await;
        assert_eq!(counts(&r), (2, 1, 0, 1, 0), "{engine}");

        let actions = format!(
            "incident,customer,kind,given_at,value,cost,currency,channel,note,external_id
{incident},c-1,credit,2026-11-20 12:00,25,10,EUR,email,Sorry!,cn_1
{incident},c-3,apology,2026-11-20 12:30,,,,phone,,
{incident},grace@example.com,refund,2026-11-20 13:00,\"1,000.00\",,USD,,,
"
        );
        let r = import(&db, ImportKind::Actions, me, false, &actions).await;
        assert_eq!(counts(&r), (3, 3, 0, 0, 0), "{engine}");
        assert_eq!(
            r.marked_affected, 2,
            "{engine}: c-1 and c-2 were not yet affected"
        );
        let rows: Vec<(String, String, i64, i64, String, String)> = sqlx::query_as(
            "SELECT c.external_ref, r.kind, r.value_minor, r.cost_minor, r.currency, r.channel
             FROM recovery_actions r JOIN customers c ON c.id = r.customer_id ORDER BY r.given_at",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    "c-1".into(),
                    "credit".into(),
                    2_500,
                    1_000,
                    "EUR".into(),
                    "email".into()
                ),
                (
                    "c-3".into(),
                    "apology".into(),
                    0,
                    0,
                    "USD".into(),
                    "phone".into()
                ),
                (
                    "c-2".into(),
                    "refund".into(),
                    100_000,
                    100_000,
                    "USD".into(),
                    "email".into()
                ),
            ],
            "{engine}"
        );
        let again = import(&db, ImportKind::Actions, me, false, &actions).await;
        assert_eq!(counts(&again), (3, 0, 0, 3, 0), "{engine}");
        assert_eq!(again.marked_affected, 0);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM affected_customers").await,
            3
        );
    })
    .await;
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_whole() {
    common::on_both(|db, engine| async move {
        let me = admin(&db).await;
        let refuse = |csv: &'static str, opts: Options| {
            let db = db.clone();
            async move {
                run(&db, std::io::Cursor::new(csv.as_bytes().to_vec()), opts)
                    .await
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            }
        };
        let e = refuse("", options(ImportKind::Replies, me, false)).await;
        assert!(e.contains("The file is empty"), "{engine}: {e}");
        let e = refuse(
            "customer,when,body\n",
            options(ImportKind::Replies, me, false),
        )
        .await;
        assert!(e.contains("“when”"), "{engine}: {e}");
        let mut small = options(ImportKind::Customers, me, false);
        small.max_bytes = Some(64);
        let e = run(
            &db,
            std::io::Cursor::new(
                format!("ref,signed_up_at\n{}", "c,2025-01-01\n".repeat(100)).into_bytes(),
            ),
            small,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, ImportError::TooLarge(64)), "{engine}: {e}");
        let one_long_line = format!("ref,name\nc-1,{}\n", "x".repeat(2 * 1024 * 1024));
        let e = run(
            &db,
            std::io::Cursor::new(one_long_line.into_bytes()),
            options(ImportKind::Customers, me, false),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("longer than 1 MiB"), "{engine}: {e}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM customers").await, 0);
    })
    .await;
}

fn amends(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amends"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("AMENDS_LOG", "warn")
        .env("AMENDS_TIME_ZONE", "UTC")
        .output()
        .expect("run amends")
}

#[tokio::test]
async fn the_command_line_reports_refused_rows_and_exits_1_and_imports_a_good_file() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine, url) = (t.db.clone(), t.engine, t.url.clone());
        admin(&db).await;
        let dir =
            std::env::temp_dir().join(format!("amends_import_cli_{}_{engine}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.csv");
        std::fs::write(
            &bad,
            "ref,signed_up_at,plan\nc-1,2025-01-01,pro\nc-2,someday,pro\n",
        )
        .unwrap();
        let out = amends(&url, &["import", "customers", bad.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(out.status.code(), Some(1), "{engine}: {stdout}");
        assert!(stdout.contains("2 rows of customers read"), "{stdout}");
        assert!(
            stdout.contains("1 new, 0 updated, 0 unchanged, 1 refused"),
            "{stdout}"
        );
        assert!(
            stdout.contains("line 3 signed_up_at: “someday” is not a date or time"),
            "{stdout}"
        );
        assert!(stdout.contains("Nothing was written"), "{stdout}");
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM customers").await,
            0,
            "{engine}"
        );

        let good = dir.join("good.csv");
        std::fs::write(
            &good,
            "ref,signed_up_at,plan\nc-1,2025-01-01,pro\nc-2,2025-02-01,pro\n",
        )
        .unwrap();
        let out = amends(
            &url,
            &["import", "customers", good.to_str().unwrap(), "--dry-run"],
        );
        assert_eq!(out.status.code(), Some(0), "{engine}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Dry run: nothing was written"));
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM customers").await,
            0,
            "{engine}"
        );
        let out = amends(
            &url,
            &["import", "customers", good.to_str().unwrap(), "--json"],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            (report["new"].as_u64(), report["committed"].as_bool()),
            (Some(2), Some(true))
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM customers").await,
            2,
            "{engine}"
        );
        // The audit log says it came from the command line, made by the first admin.
        let via: Option<String> =
            sqlx::query_scalar("SELECT via FROM audit_log WHERE entity = 'import'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(via.as_deref(), Some("command line"));

        let out = amends(
            &url,
            &[
                "import",
                "replies",
                dir.join("missing.csv").to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
        std::fs::remove_dir_all(&dir).ok();
        t.drop_async().await;
    }
}

#[tokio::test]
async fn scripts_and_the_import_page_post_the_file_as_text_csv() {
    common::on_both(|db, engine| async move {
        let me = admin(&db).await;
        common::add_user(&db, "vic@team.example", "Vic", Role::Viewer).await;
        let viewer = db
            .user_id_by_email("vic@team.example")
            .await
            .unwrap()
            .unwrap();
        let write = common::api::token(&db, me, app::domain::TokenScope::Write, "import").await;
        let read = common::api::token(&db, viewer, app::domain::TokenScope::Write, "viewer").await;
        let base = common::spawn(db.clone()).await;
        let post = |token: String, query: &'static str, kind: &'static str, body: &'static str| {
            let base = base.clone();
            async move {
                let res = common::client()
                    .post(format!("{base}/api/v1/imports/customers?{query}"))
                    .bearer_auth(token)
                    .header("content-type", kind)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.json::<serde_json::Value>().await.unwrap())
            }
        };
        let good = "ref,signed_up_at,plan\nc-1,2025-01-01,pro\nc-2,2025-02-01,team\n";
        let bad = "ref,signed_up_at,plan\nc-1,2025-01-01,pro\nc-2,soon,team\n";

        let (status, r) = post(write.clone(), "dry_run=true", "text/csv", good).await;
        assert_eq!(
            (status, r["new"].as_u64(), r["committed"].as_bool()),
            (200, Some(2), Some(false)),
            "{engine}: {r}"
        );
        let (status, r) = post(write.clone(), "", "text/csv; charset=utf-8", bad).await;
        assert_eq!(
            (status, r["refused"].as_u64()),
            (422, Some(1)),
            "{engine}: {r}"
        );
        assert_eq!(
            (
                r["refusals"][0]["line"].as_u64(),
                r["refusals"][0]["column"].as_str()
            ),
            (Some(3), Some("signed_up_at")),
            "{engine}: {r}"
        );
        let (status, r) = post(write.clone(), "file_name=crm.csv", "text/csv", good).await;
        assert_eq!(
            (status, r["new"].as_u64(), r["committed"].as_bool()),
            (200, Some(2), Some(true)),
            "{engine}: {r}"
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM customers").await, 2);

        let (status, r) = post(write.clone(), "", "application/json", good).await;
        assert_eq!(
            (status, r["field"].as_str()),
            (415, Some("Content-Type")),
            "{engine}"
        );
        let (status, r) = post(write.clone(), "", "text/csv", "customer,when\n").await;
        assert_eq!(
            (status, r["field"].as_str()),
            (422, Some("body")),
            "{engine}: {r}"
        );
        let (status, _) = post(read, "", "text/csv", good).await;
        assert_eq!(status, 403, "{engine}: a viewer's token cannot import");
    })
    .await;
}

#[tokio::test]
async fn a_big_file_leaves_every_index_as_it_was_and_in_use() {
    common::on_both(|db, engine| async move {
        let (me, incident) = world(&db).await;
        let before = common::rows::reply_schema(&db).await;
        assert!(before.len() >= 6, "{engine}: {before:?}");
        // Enough rows that SQLite sets the secondary indexes aside and builds them again.
        let mut file = String::from("customer,received_at,body,incident\n");
        for i in 0..60_000 {
            let linked = if i % 3 == 0 {
                incident.to_string()
            } else {
                String::new()
            };
            file.push_str(&format!(
                "c-{},2026-{:02}-{:02} {:02}:{:02},Reply number {i},{linked}\n",
                1 + i % 3,
                1 + i % 11,
                1 + i % 28,
                i % 24,
                i % 60
            ));
        }
        let version = "SELECT version FROM data_version";
        let was = count(&db, version).await;
        let r = import(&db, ImportKind::Replies, me, false, &file).await;
        assert_eq!(counts(&r), (60_000, 60_000, 0, 0, 0), "{engine}");
        assert!(
            count(&db, version).await > was,
            "{engine}: cached analytics see the change"
        );
        assert_eq!(common::rows::reply_schema(&db).await, before, "{engine}");
        if engine == "sqlite" {
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(db.pool())
                .await
                .unwrap();
            assert_eq!(check, "ok");
        }
        // The rebuilt indexes hold every row: reads through them count them all.
        assert_eq!(
            count(
                &db,
                &format!("SELECT COUNT(*) FROM replies WHERE incident_id = {incident}")
            )
            .await,
            20_000,
            "{engine}"
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM replies r JOIN customers c ON c.id = r.customer_id
                 WHERE c.external_ref = 'c-2' AND r.incident_id IS NULL"
            )
            .await,
            20_000,
            "{engine}"
        );
        // A second run of the same file finds every row already there.
        let again = import(&db, ImportKind::Replies, me, false, &file).await;
        assert_eq!(counts(&again), (60_000, 0, 0, 60_000, 0), "{engine}");
    })
    .await;
}

#[tokio::test]
async fn bench_times_an_import_beside_its_anchor_and_the_write_path() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine, url) = (t.db.clone(), t.engine, t.url.clone());
        admin(&db).await;
        let out = amends(&url, &["bench", "--runs", "1", "--import", "3000"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Each timed line ends in a number and its unit.
        for (row, unit) in [
            ("anchor: together", "s"),
            ("amends import replies", "rows/s)"),
            ("a reply saved (median of 51)", "ms"),
            ("one action given to 5000 customers", "ms"),
            ("import of 1000 replies", "ms"),
        ] {
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(row))
                .unwrap_or_else(|| panic!("{engine}: no {row:?} line in:\n{text}"));
            assert!(line.ends_with(unit), "{engine}: {line}");
        }
        assert!(text.contains("import ÷ anchor: "), "{engine}: {text}");
        // The served database is left as it was.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM replies").await, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM customers").await, 0);
        t.drop_async().await;
    }
}

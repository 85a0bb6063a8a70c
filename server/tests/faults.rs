//! Faults: `amends` killed with SIGKILL in the middle of a large import, or of an action
//! given to every affected customer of a big incident, leaves a database that passes its
//! integrity check and holds none of that transaction — on SQLite also while the import had
//! set the table's indexes aside — and the same work then goes in whole. PostgreSQL ending
//! every session under load gets 503s, never a wrong answer, and Amends recovers by itself.

mod common;

use app::domain::Role;
use common::TestDb;
use server::store::{Db, Engine};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: usize = 600_000;

fn write_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let customers = dir.join("customers.csv");
    let mut f = std::fs::File::create(&customers).unwrap();
    writeln!(f, "ref,name,signed_up_at").unwrap();
    for c in 0..500 {
        writeln!(f, "c-{c},Customer {c},2025-01-01").unwrap();
    }
    let replies = dir.join("replies.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&replies).unwrap());
    writeln!(f, "customer,received_at,body").unwrap();
    for i in 0..ROWS {
        writeln!(
            f,
            "c-{},2026-{:02}-{:02} {:02}:{:02},Thanks for the credit number {i}",
            i % 500,
            1 + i % 11,
            1 + i % 28,
            i % 24,
            i % 60
        )
        .unwrap();
    }
    f.flush().unwrap();
    (customers, replies)
}

fn amends(url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_amends"));
    cmd.env("DATABASE_URL", url)
        .env("AMENDS_LOG", "warn")
        .env("AMENDS_TIME_ZONE", "UTC")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Bytes a transaction has written so far but not committed: SQLite's write-ahead log, or
/// the PostgreSQL table's pages (rows of an open transaction take space before they are
/// seen).
async fn pending_bytes(db: &Db, url: &str, table: &str) -> u64 {
    match db.engine() {
        Engine::Sqlite => {
            let path = url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default();
            std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len())
        }
        Engine::Postgres => {
            sqlx::query_scalar::<_, i64>("SELECT pg_total_relation_size($1::regclass)")
                .bind(table)
                .fetch_one(db.pool())
                .await
                .unwrap() as u64
        }
    }
}

/// What a restart finds after a SIGKILL: on SQLite a fresh connection recovers from the
/// write-ahead log as SQLite does after a crash, and the file passes its integrity check;
/// PostgreSQL rolls back the transaction whose client vanished.
async fn after_the_kill(db: &Db, engine: &str) {
    if engine == "sqlite" {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(check, "ok");
    } else {
        let deadline = Instant::now() + Duration::from_secs(30);
        while sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND xact_start IS NOT NULL",
        )
        .fetch_one(db.pool())
        .await
        .unwrap()
            > 0
        {
            assert!(Instant::now() < deadline, "the killed session lingers");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn replies(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM replies")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_killed_import_leaves_nothing_and_a_sound_database() {
    let dir = std::env::temp_dir().join(format!("amends_faults_{}", std::process::id()));
    let (customers, file) = write_files(&dir);
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine, url) = (t.db.clone(), t.engine, t.url.clone());
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        let ok = amends(&url)
            .args(["import", "customers"])
            .arg(&customers)
            .status()
            .unwrap();
        assert!(ok.success(), "{engine}: customers import");
        let before = common::rows::reply_schema(&db).await;

        let mut child = amends(&url)
            .args(["import", "replies"])
            .arg(&file)
            .spawn()
            .unwrap();
        // Wait until a good part of the file is written, well past the point where SQLite
        // sets the indexes aside, then kill the process where it stands.
        let started = Instant::now();
        loop {
            assert!(
                child.try_wait().unwrap().is_none(),
                "{engine}: the import ended before it could be killed; make the file bigger"
            );
            if pending_bytes(&db, &url, "replies").await > 32 * 1024 * 1024 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "{engine}: the import wrote too little"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        after_the_kill(&db, engine).await;
        assert_eq!(replies(&db).await, 0, "{engine}: none of the import");
        assert_eq!(
            common::rows::reply_schema(&db).await,
            before,
            "{engine}: indexes as they were"
        );

        // The same file then goes in whole.
        let ok = amends(&url)
            .args(["import", "replies"])
            .arg(&file)
            .status()
            .unwrap();
        assert!(ok.success(), "{engine}: the second import");
        assert_eq!(replies(&db).await, ROWS as i64, "{engine}");
        assert_eq!(common::rows::reply_schema(&db).await, before, "{engine}");
        t.drop_async().await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Customers in the incident a killed action is given to.
const AFFECTED: i64 = 30_000;

/// `amends serve` on a free port of `url`'s database, ready to answer.
async fn serve(url: &str) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = amends(url)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "amends serve did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, base)
}

/// Give one credit to every affected customer of `incident`, as the incident page does.
async fn give_to_all(c: &reqwest::Client, base: &str, incident: i64) -> reqwest::Result<u16> {
    c.post(format!("{base}/api/fn/actions/give"))
        .header("origin", base)
        .form(&[
            ("incident", incident.to_string().as_str()),
            ("target", "all"),
            ("kind", "credit"),
            ("value", "10"),
            ("cost", "10"),
            ("currency", "USD"),
            ("channel", "email"),
        ])
        .send()
        .await
        .map(|r| r.status().as_u16())
}

async fn actions(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM recovery_actions")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_server_killed_in_a_bulk_action_keeps_none_of_it_and_restarts_sound() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine, url) = (t.db.clone(), t.engine, t.url.clone());
        common::add_user(&db, "ed@team.example", "Ed", Role::Editor).await;
        let incident = common::rows::incident(
            &db,
            common::rows::Incident {
                title: "Everyone down",
                kind: "outage",
                severity: "sev1",
                status: "resolved",
                started: common::UNTIL - 86_400_000,
                detected: common::UNTIL - 86_400_000,
                resolved: Some(common::UNTIL - 3_600_000),
            },
        )
        .await;
        sqlx::query(&format!(
            "INSERT INTO customers (external_ref, name, signed_up_at, created_at, updated_at)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {AFFECTED})
             SELECT 'k-' || i, 'Customer ' || i, 0, 0, 0 FROM n"
        ))
        .execute(db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO affected_customers (incident_id, customer_id, source, added_at)
             SELECT $1, id, 'manual', 0 FROM customers",
        )
        .bind(incident)
        .execute(db.pool())
        .await
        .unwrap();

        let (mut server, base) = serve(&url).await;
        let c = common::api::sign_in(&base, "ed@team.example").await;
        let request = tokio::spawn({
            let (c, base) = (c.clone(), base.clone());
            async move { give_to_all(&c, &base, incident).await }
        });
        // Kill the server once the action has written a good part of its rows.
        let started = Instant::now();
        loop {
            assert!(
                !request.is_finished(),
                "{engine}: the action ended before the server could be killed"
            );
            if pending_bytes(&db, &url, "recovery_actions").await > 1024 * 1024 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{engine}: the action wrote too little"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        assert!(
            request.await.unwrap().is_err(),
            "{engine}: the request was never answered"
        );
        after_the_kill(&db, engine).await;
        assert_eq!(actions(&db).await, 0, "{engine}: none of the action");

        // Restarted, the server gives the same action to everyone at once (a debug build on
        // a busy machine may take minutes).
        let (mut server, base) = serve(&url).await;
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        let signed = c
            .post(format!("{base}/login"))
            .header("origin", &base)
            .form(&[("email", "ed@team.example"), ("password", common::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(signed.headers()["location"], "/", "{engine}");
        assert_eq!(
            give_to_all(&c, &base, incident).await.unwrap(),
            200,
            "{engine}"
        );
        assert_eq!(actions(&db).await, AFFECTED, "{engine}: all of it");
        server.kill().unwrap();
        server.wait().unwrap();
        t.drop_async().await;
    }
}

#[tokio::test]
async fn postgresql_sessions_ended_under_load_answer_503_and_amends_recovers_by_itself() {
    use app::domain::TokenScope;
    let t = TestDb::postgres().await;
    let db = t.db.clone();
    common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
    let me = db
        .user_id_by_email("ada@team.example")
        .await
        .unwrap()
        .unwrap();
    let token = common::api::token(&db, me, TokenScope::Read, "probe").await;
    let base = common::spawn(db.clone()).await;
    let client = common::client();
    let get = || {
        client
            .get(format!("{base}/api/v1/customers"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 200);

    // What a restart does to every open session, again and again for two seconds while
    // four clients keep asking: the server ends each session, some in mid-request.
    let admin = Db::connect(&common::pg_admin_url()).await.unwrap();
    let name: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let until = Instant::now() + Duration::from_secs(2);
    let terminator = async {
        let mut ended = 0;
        while Instant::now() < until {
            ended += sqlx::query_scalar::<_, bool>(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            )
            .bind(&name)
            .fetch_all(admin.pool())
            .await
            .unwrap()
            .len();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        ended
    };
    let load = |_| async {
        let mut statuses = Vec::new();
        while Instant::now() < until {
            statuses.push(get().await.unwrap().status().as_u16());
        }
        statuses
    };
    let (ended, a, b, c, d) = tokio::join!(terminator, load(0), load(1), load(2), load(3));
    admin.close().await;
    let statuses: Vec<u16> = [a, b, c, d].concat();
    assert!(ended > 10, "sessions ended: {ended}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "only answers or 'try again': {statuses:?}"
    );
    // Afterwards Amends answers again without a restart.
    for _ in 0..5 {
        assert_eq!(get().await.unwrap().status(), 200, "recovered by itself");
    }
    t.drop_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_through_postgresql_sessions_ending_lose_nothing_and_recover() {
    let t = TestDb::postgres().await;
    let o = server::cli::bench_load::run(&t.db, 6, Duration::from_secs(12), true)
        .await
        .unwrap();
    server::cli::bench_load::print(&o);
    assert!(o.sessions_ended > 0, "no session was ended");
    // 503 while sessions end and shortly after, never anything else; nothing acknowledged
    // is lost or doubled.
    assert_eq!(o.server_errors(), 0, "{:?}", o.statuses);
    assert_eq!((o.lost, o.doubled), (0, 0));
    assert_eq!(o.facts_drift, 0, "case facts differ from a rebuild");
    assert!(o
        .recovered_after
        .is_some_and(|d| d <= Duration::from_secs(5)));
    // Writes went through before, during and after.
    assert!(o.acknowledged >= 30, "{}", o.acknowledged);
    t.drop_async().await;
}

//! Faults: `amends` killed with SIGKILL in the middle of a large import leaves a database
//! that passes its integrity check and holds none of the import — on SQLite also while the
//! import had set the table's indexes aside — and the same file then imports whole.

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

/// Bytes the import has written so far but not committed: SQLite's write-ahead log, or the
/// PostgreSQL table's pages (rows of an open transaction take space before they are seen).
async fn pending_bytes(db: &Db, url: &str) -> u64 {
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
            sqlx::query_scalar::<_, i64>("SELECT pg_total_relation_size('replies')")
                .fetch_one(db.pool())
                .await
                .unwrap() as u64
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
            if pending_bytes(&db, &url).await > 32 * 1024 * 1024 {
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

        if engine == "sqlite" {
            // A fresh connection recovers from the write-ahead log as SQLite does after a crash.
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(db.pool())
                .await
                .unwrap();
            assert_eq!(check, "ok");
        } else {
            // The server rolls back a transaction whose client vanished.
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

//! Concurrent writers against one server, on both engines at once: for a minute, clients
//! write through the forms' server functions (session cookie) and through the REST API
//! (token, every POST retried with its idempotency key), and all edit one shared incident
//! with its version. Afterwards every acknowledged write is there exactly once, the shared
//! incident's version counts every acknowledged edit, and no answer was a 5xx.
//!
//! `AMENDS_LOAD_SECONDS` shortens or lengthens the run (default 60).

mod common;

use common::TestDb;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_nothing_double_nothing_and_never_fail() {
    let seconds: u64 = std::env::var("AMENDS_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let (sqlite, postgres) = (TestDb::sqlite().await, TestDb::postgres().await);
    let run = |t: &TestDb| {
        let db = t.db.clone();
        async move { server::cli::bench_load::run(&db, 8, Duration::from_secs(seconds), false).await }
    };
    let (a, b) = tokio::join!(run(&sqlite), run(&postgres));
    for (engine, outcome) in [(sqlite.engine, a), (postgres.engine, b)] {
        let o = outcome.unwrap();
        server::cli::bench_load::print(&o);
        assert_eq!(o.server_errors(), 0, "{engine}: {:?}", o.statuses);
        assert_eq!((o.lost, o.doubled), (0, 0), "{engine}");
        assert_eq!(
            o.facts_drift, 0,
            "{engine}: case facts differ from a rebuild"
        );
        // Nothing was refused but edits of a version another writer had just replaced.
        assert_eq!(o.refused, 0, "{engine}: {:?}", o.statuses);
        assert_eq!(
            o.replay_mismatches, 0,
            "{engine}: a retry answered differently"
        );
        // Both kinds of client got writes through: server functions answer 200, the API
        // 201 (and its replays 201 too).
        let ok = |s: u16| o.statuses.get(&s).copied().unwrap_or(0);
        assert!(ok(200) >= 20 && ok(201) >= 20, "{engine}: {:?}", o.statuses);
        assert!(o.acknowledged >= 40, "{engine}: {}", o.acknowledged);
        // Every API write was retried, and the shared incident was edited.
        assert!(
            o.replays >= 20 && o.edits >= 5,
            "{engine}: {} replays, {} edits",
            o.replays,
            o.edits
        );
    }
    sqlite.drop_async().await;
    postgres.drop_async().await;
}

//! `amends bench --pages`: the app's pages loaded over keep-alive connections beside a bare
//! Leptos page, on both engines. Timings are printed, never asserted; what is asserted is
//! that every page row is there with its requests all answered 200, the ratio is printed,
//! and the bench's session is ended afterwards.

mod common;

use app::domain::Role;
use common::TestDb;

const ARGS: &[&str] = &["bench", "--runs", "1", "--pages", "1", "--connections", "2"];

#[tokio::test]
async fn pages_are_loaded_beside_a_bare_leptos_page() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine, url) = (t.db.clone(), t.engine, t.url.clone());

        // Signed-in pages need someone to sign in as; without anyone the bench says so.
        let out = common::amends_on(&url, ARGS);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{engine}");
        assert!(err.contains("amends user add"), "{engine}: {err}");

        common::add_user(&db, "vera@team.example", "Vera", Role::Viewer).await;
        let out = common::amends_on(&url, ARGS);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{engine}: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        for page in [
            "bare Leptos page",
            "/login",
            "/incidents (signed in)",
            "/ dashboard, warm (signed in)",
        ] {
            let line = text
                .lines()
                .find(|l| l.trim_start().starts_with(page))
                .unwrap_or_else(|| panic!("{engine}: no {page:?} row in:\n{text}"));
            let cols: Vec<&str> = line[line.find(page).unwrap() + page.len()..]
                .split_whitespace()
                .collect();
            // req/s, p50, p99, ≥ 40 ms, failed, KB
            assert_eq!(cols.len(), 6, "{engine}: {line}");
            let per_second: f64 = cols[0].parse().unwrap();
            assert!(per_second > 0.0, "{engine}: {line}");
            assert_eq!(cols[4], "0", "{engine}: failed loads in {line}");
            let kb: f64 = cols[5].parse().unwrap();
            assert!(kb > 0.1, "{engine}: an empty page in {line}");
        }
        assert!(
            text.contains("/incidents ÷ bare Leptos page:"),
            "{engine}: {text}"
        );
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0, "{engine}: the bench's session was not ended");
    }
}

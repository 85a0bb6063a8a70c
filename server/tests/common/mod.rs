//! Test databases: every store test runs once on a fresh SQLite file and once on a fresh
//! PostgreSQL database (created on the server at `AMENDS_TEST_PG_URL`, default the local
//! trust-auth server, and dropped afterwards).

#![allow(dead_code)]

use server::store::Db;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

pub mod api;
pub mod rows;
pub mod smtp;
pub mod webhooks;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), n, nanos)
}

pub fn pg_admin_url() -> String {
    std::env::var("AMENDS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database for one test; `drop_async` removes it.
pub struct TestDb {
    pub db: Db,
    pub engine: &'static str,
    /// The database's URL, for running the `amends` binary against it.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("amends_test"));
        let url = server::store::sqlite_url_in(&dir).expect("temp dir");
        let db = Db::connect(&url).await.expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            engine: "sqlite",
            url,
            cleanup: Cleanup::File(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        let admin = pg_admin_url();
        let name = unique("amends_test");
        let admin_db = Db::connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is needed for the store tests ({e}); set AMENDS_TEST_PG_URL")
        });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin_db.pool())
            .await
            .expect("create test database");
        admin_db.close().await;
        let (base, _) = admin.rsplit_once('/').expect("URL with a database name");
        let url = format!("{base}/{name}");
        let db = Db::connect(&url).await.expect("open postgres");
        db.migrate().await.expect("migrate postgres");
        TestDb {
            db,
            engine: "postgresql",
            url,
            cleanup: Cleanup::Postgres { admin, name },
        }
    }

    pub async fn drop_async(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin, name } => {
                if let Ok(admin_db) = Db::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(admin_db.pool())
                        .await;
                    admin_db.close().await;
                }
            }
        }
    }
}

/// Run `test` against a fresh SQLite database and a fresh PostgreSQL database.
pub async fn on_both<F, Fut>(test: F)
where
    F: Fn(Db, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        test(t.db.clone(), t.engine).await;
        t.drop_async().await;
    }
}

/// Midnight UTC at the start of 2026-11-23, a fixed anchor for deterministic demo data.
pub const UNTIL: i64 = 1_795_392_000_000;

/// Serve the real router on a random local port; returns its base URL.
pub async fn spawn(db: Db) -> String {
    spawn_with(db, server::auth::bearer::TokenLimits::from_env()).await
}

/// `spawn` with the API's per-token rate limit given.
pub async fn spawn_with(db: Db, limits: server::auth::bearer::TokenLimits) -> String {
    serve_router(db, limits, Default::default()).await
}

/// `spawn` behind reverse proxies: requests from these addresses (the tests come from
/// 127.0.0.1) name their client in `X-Forwarded-For` / `Forwarded`.
pub async fn spawn_behind(db: Db, proxies: &str) -> String {
    let proxies = server::http::client_addr::TrustedProxies::parse(proxies).unwrap();
    serve_router(db, server::auth::bearer::TokenLimits::from_env(), proxies).await
}

async fn serve_router(
    db: Db,
    limits: server::auth::bearer::TokenLimits,
    proxies: server::http::client_addr::TrustedProxies,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: std::net::SocketAddr = listener.local_addr().unwrap();
    let app = server::http::router_with(db, server::http::leptos_options(addr), limits, proxies);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

/// Create an active user with `PASSWORD`.
pub async fn add_user(db: &Db, email: &str, name: &str, role: app::domain::Role) {
    let hash = server::auth::password::hash(PASSWORD.into()).await.unwrap();
    let user = server::store::NewUser {
        email,
        name,
        role,
        password_hash: &hash,
    };
    db.create_user(user, None, false, 0).await.unwrap();
}

/// A client with its own cookie jar that does not follow redirects (tests read them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A request that never answers fails its test with its URL instead of hanging CI.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Run the `amends` binary with `args` against the database at `url`, as a person would.
pub fn amends_on(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_amends"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("AMENDS_LOG", "warn")
        .output()
        .expect("run amends")
}

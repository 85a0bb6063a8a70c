//! Opening the pool and running migrations for either engine.

use super::Db;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::Connection;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database engine a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }
    /// This binary's migrations for the engine.
    pub fn migrator(self) -> &'static Migrator {
        match self {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
        }
    }
}

/// Why the database could not be opened; the message is safe to print (no password).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open the database at {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("migrating the database at {url} failed: {reason}")]
    Migrate { url: String, reason: String },
    #[error("cannot create the data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
}

/// The URL with any password replaced by `***`, for logs and messages: the one in the
/// user-info part (read the way the drivers read it, so a password holding `@` is hidden
/// whole) and any query parameter that carries one (`?password=…`, `sslpassword`, …).
/// A URL that cannot be read at all is not shown, in case it holds a secret.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw.trim()) else {
        return match raw.split_once("://") {
            Some((scheme, _))
                if scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+') =>
            {
                format!("{scheme}://(a URL that cannot be read; not shown)")
            }
            _ => "(a URL that cannot be read; not shown)".into(),
        };
    };
    let mut changed = false;
    if url.password().is_some() {
        changed |= url.set_password(Some("***")).is_ok();
    }
    let secret = |key: &str| {
        let k = key.to_ascii_lowercase();
        ["pass", "pwd", "secret", "token"]
            .iter()
            .any(|s| k.contains(s))
    };
    if url.query_pairs().any(|(k, _)| secret(&k)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    if changed {
        url.to_string()
    } else {
        raw.to_string()
    }
}

/// The SQLite URL for a file in the data directory, creating the directory if needed.
pub fn sqlite_url_in(data_dir: &Path) -> Result<String, ConnectError> {
    std::fs::create_dir_all(data_dir).map_err(|e| ConnectError::DataDir {
        path: data_dir.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("amends.db").display()
    ))
}

impl Db {
    /// Open a pool for `url` (SQLite file or `postgres://`), with the engine's settings.
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(url);
        if engine == Engine::Sqlite {
            super::unicode_lower::install();
        }
        let open_err = |e: sqlx::Error| ConnectError::Open {
            url: redact_url(url),
            reason: describe(&e),
        };
        let options = AnyConnectOptions::from_str(url).map_err(open_err)?;
        let max = match engine {
            // One writer at a time anyway; a few readers run beside it under WAL.
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_err)?;
        // Fail early with a clear message rather than on the first request.
        let mut conn = pool.acquire().await.map_err(open_err)?;
        conn.ping().await.map_err(open_err)?;
        drop(conn);
        Ok(Db {
            pool,
            engine,
            zone: Default::default(),
        })
    }

    /// Apply pending migrations of this engine.
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        let failed = |reason: String| ConnectError::Migrate {
            url: "(configured database)".into(),
            reason,
        };
        self.engine
            .migrator()
            .run(&self.pool)
            .await
            .map_err(|e| failed(e.to_string()))?;
        // A migration that adds to the case facts lists the customers whose facts it needs.
        self.catch_up_facts()
            .await
            .map_err(|e| failed(format!("making the case facts: {e}")))
    }
}

fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => format!("connection failed ({io})"),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".into(),
        sqlx::Error::Configuration(c) => format!("invalid database URL ({c})"),
        sqlx::Error::Database(d) => d.message().to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password_only() {
        assert_eq!(
            redact_url("postgres://amends:s3cret@db:5432/amends"),
            "postgres://amends:***@db:5432/amends"
        );
        assert_eq!(
            redact_url("postgres://root@127.0.0.1/x"),
            "postgres://root@127.0.0.1/x"
        );
        assert_eq!(
            redact_url("sqlite://data/amends.db?mode=rwc"),
            "sqlite://data/amends.db?mode=rwc"
        );
    }

    #[test]
    fn a_password_holding_an_at_sign_is_hidden_whole() {
        let shown = redact_url("postgres://amends:p@ss@w0rd@db.internal:5432/amends");
        assert_eq!(shown, "postgres://amends:***@db.internal:5432/amends");
        let shown = redact_url("postgres://amends:p%40ss@db:5432/amends?sslmode=require");
        assert_eq!(
            shown,
            "postgres://amends:***@db:5432/amends?sslmode=require"
        );
    }

    #[test]
    fn passwords_in_the_query_are_hidden() {
        let shown =
            redact_url("postgres://db:5432/amends?user=amends&password=s3cr%40t&sslmode=require");
        assert_eq!(
            shown,
            "postgres://db:5432/amends?user=amends&password=***&sslmode=require"
        );
        let shown = redact_url("postgresql:///amends?host=/run/pg&PassWord=s3cret&sslpassword=k3y");
        assert!(
            !shown.contains("s3cret") && !shown.contains("k3y"),
            "{shown}"
        );
        assert!(shown.contains("host="), "{shown}");
    }

    #[test]
    fn an_unreadable_url_is_not_shown() {
        let shown = redact_url("postgres://amends:s3cret@[db:5432/amends");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.starts_with("postgres://"), "{shown}");
    }

    #[test]
    fn engine_from_url() {
        assert_eq!(Engine::of_url("postgresql://x/y"), Engine::Postgres);
        assert_eq!(Engine::of_url("sqlite://a.db"), Engine::Sqlite);
    }
}

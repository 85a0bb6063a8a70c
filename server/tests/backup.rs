//! `amends backup` and `amends restore` as an operator runs them: a backup taken while
//! another connection is mid-write, data changed, the backup restored, and every table
//! compared row by row with the backup; and each refusal (existing data without --force, a
//! database in use, files that are not Amends backups or come from a newer version,
//! PostgreSQL) leaving the live database as it was.

use sqlx::{Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn amends(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amends"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("AMENDS_LOG", "warn")
        .output()
        .expect("run amends")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amends_backup_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "amends failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "amends should have refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn connect(file: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap()
}

/// Every table's rows, each row as the SQL literals of its columns, sorted.
async fn dump(file: &Path) -> Vec<(String, Vec<String>)> {
    let mut conn = connect(file).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(&t)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let mut rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{t}\""))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        rows.sort();
        out.push((t, rows));
    }
    conn.close().await.unwrap();
    out
}

async fn count(file: &Path, table: &str) -> i64 {
    let mut conn = connect(file).await;
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    n
}

#[tokio::test]
async fn a_backup_taken_while_writing_restores_every_table() {
    let dir = temp_dir("roundtrip");
    let data = dir.join("data");
    let live = data.join("amends.db");
    let copy = dir.join("amends-backup.db");
    ok(&amends(
        &data,
        &["demo", "--seed", "5", "--until", "2026-11-23"],
    ));
    let customers = count(&live, "customers").await;

    // Another connection (the server, say) is in the middle of a write: the backup neither
    // waits for it nor includes what it has not committed.
    let mut writer = connect(&live).await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut writer)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO customers (external_ref, name, signed_up_at, created_at, updated_at)
         VALUES ('UNCOMMITTED', 'Not yet', 0, 0, 0)",
    )
    .execute(&mut writer)
    .await
    .unwrap();
    let copy_arg = copy.to_str().unwrap();
    let said = ok(&amends(&data, &["backup", "--out", copy_arg]));
    assert!(
        said.contains("Backed up") && said.contains(&format!("{customers} customers")),
        "{said}"
    );
    sqlx::query("COMMIT").execute(&mut writer).await.unwrap();
    writer.close().await.unwrap();
    let backup = dump(&copy).await;
    assert_eq!(count(&copy, "customers").await, customers);
    assert!(backup
        .iter()
        .any(|(t, rows)| t == "replies" && !rows.is_empty()));

    // A second backup to the same file needs --force.
    let err = refused(&amends(&data, &["backup", "--out", copy_arg]));
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );

    // Change the data after the backup.
    let mut conn = connect(&live).await;
    for change in [
        "DELETE FROM replies WHERE id % 2 = 0",
        "UPDATE incidents SET title = title || ' (edited)'",
        "INSERT INTO customers (external_ref, name, signed_up_at, created_at, updated_at)
         VALUES ('AFTER', 'After the backup', 0, 0, 0)",
    ] {
        sqlx::query(change).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    // Changed around the app: the next `amends` brings the case facts up to date.
    ok(&amends(&data, &["migrate"]));
    let changed = dump(&live).await;
    assert_ne!(changed, backup);

    // Existing data is replaced only with --force.
    let err = refused(&amends(&data, &["restore", copy_arg]));
    assert!(
        err.contains("already holds data") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(dump(&live).await, changed);

    // Not while another process has the database open.
    let mut server = connect(&live).await;
    sqlx::query("SELECT COUNT(*) FROM customers")
        .execute(&mut server)
        .await
        .unwrap();
    let err = refused(&amends(&data, &["restore", copy_arg, "--force"]));
    assert!(err.contains("another process has"), "{err}");
    server.close().await.unwrap();
    assert_eq!(dump(&live).await, changed);

    let said = ok(&amends(&data, &["restore", copy_arg, "--force"]));
    assert!(said.contains("Restored"), "{said}");
    assert_eq!(dump(&live).await, backup, "every table as in the backup");
    // Nothing of the restore is left behind, and the server's next start finds it ready.
    let leftovers: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    ok(&amends(&data, &["migrate"]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn restore_refuses_files_that_are_not_amends_backups_of_this_version() {
    let dir = temp_dir("refusals");
    let data = dir.join("data");
    let live = data.join("amends.db");
    ok(&amends(&data, &["migrate"]));
    let empty = dump(&live).await;

    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, just some text that is long enough\n".repeat(200),
    )
    .unwrap();
    let err = refused(&amends(&data, &["restore", text.to_str().unwrap()]));
    assert!(err.contains("cannot be read as a database"), "{err}");

    let other = dir.join("other.db");
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let err = refused(&amends(&data, &["restore", other.to_str().unwrap()]));
    assert!(err.contains("not an Amends one"), "{err}");

    let newer = dir.join("newer.db");
    ok(&amends(
        &data,
        &["backup", "--out", newer.to_str().unwrap()],
    ));
    let mut conn = connect(&newer).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = refused(&amends(&data, &["restore", newer.to_str().unwrap()]));
    assert!(
        err.contains("newer Amends") && err.contains("99990101000000"),
        "{err}"
    );

    let missing = dir.join("missing.db");
    let err = refused(&amends(&data, &["restore", missing.to_str().unwrap()]));
    assert!(err.contains("no such file"), "{err}");

    assert_eq!(
        dump(&live).await,
        empty,
        "refusals leave the database alone"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn postgresql_is_pointed_to_pg_dump() {
    for args in [&["backup", "--out", "x.db"][..], &["restore", "x.db"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_amends"))
            .args(args)
            // Nothing listens here: the answer must come without connecting.
            .env("DATABASE_URL", "postgres://amends@127.0.0.1:1/amends")
            .env("AMENDS_LOG", "warn")
            .output()
            .unwrap();
        let err = refused(&out);
        assert!(err.contains("pg_dump") && err.contains("SQLite"), "{err}");
    }
}

#[test]
fn help_explains_backup_and_restore() {
    let dir = temp_dir("help");
    let top = ok(&amends(&dir, &["--help"]));
    assert!(top.contains("backup") && top.contains("restore"), "{top}");
    let backup = ok(&amends(&dir, &["backup", "--help"]));
    for needle in ["--out", "--force", "VACUUM INTO", "pg_dump"] {
        assert!(
            backup.contains(needle),
            "backup --help lacks {needle}:\n{backup}"
        );
    }
    let restore = ok(&amends(&dir, &["restore", "--help"]));
    for needle in ["FILE", "--force", "newer", "Stop `amends serve`"] {
        assert!(
            restore.contains(needle),
            "restore --help lacks {needle}:\n{restore}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! The `amends` binary as a user runs it.

use std::process::{Command, Output};

fn amends(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amends"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("AMENDS_LOG", "warn")
        .output()
        .expect("run amends")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("amends_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn help_explains_every_command() {
    let dir = temp_dir("help");
    let out = amends(&dir, &["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "serve",
        "migrate",
        "demo",
        "--data-dir",
        "DATABASE_URL",
        "--log",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
    let demo = String::from_utf8_lossy(&amends(&dir, &["demo", "--help"]).stdout).to_string();
    for needle in ["--seed", "--scale", "small", "large", "--force", "--until"] {
        assert!(demo.contains(needle), "demo --help lacks {needle}");
    }
}

#[test]
fn demo_refuses_to_overwrite_without_force_and_is_deterministic() {
    let dir = temp_dir("demo");
    let first = amends(&dir, &["demo", "--seed", "5", "--until", "2026-11-23"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let summary = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        summary.contains("63 incidents (3 with a holdout experiment)"),
        "{summary}"
    );
    // The planner's statistics describe the rows just written, not empty tables.
    let stats = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}?mode=ro", dir.join("amends.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar::<_, String>(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = 'replies' AND idx = 'replies_customer'",
        )
        .fetch_optional(&mut conn)
        .await
        .unwrap()
    });
    let rows: u64 = stats
        .as_deref()
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let replies: u64 = summary
        .lines()
        .find_map(|l| l.trim().strip_suffix(" replies"))
        .and_then(|n| n.parse().ok())
        .expect("the summary counts the replies");
    // Sampled, so an estimate: within a quarter of the true count.
    assert!(
        rows * 4 >= replies * 3 && rows * 4 <= replies * 5,
        "replies_customer statistics {stats:?} for {replies} replies"
    );

    let again = amends(&dir, &["demo", "--seed", "5", "--until", "2026-11-23"]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already holds") && err.contains("--force"),
        "{err}"
    );

    // --force replaces the data; the same seed and end date give the same counts.
    let forced = amends(
        &dir,
        &["demo", "--seed", "5", "--until", "2026-11-23", "--force"],
    );
    assert!(forced.status.success());
    let counts = |s: &str| {
        s.lines()
            .skip(1)
            .take(5)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counts(&String::from_utf8_lossy(&forced.stdout)),
        counts(&summary)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_refused_clearly() {
    let dir = temp_dir("bad");
    let out = amends(&dir, &["demo", "--until", "23/11/2026"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a date like"));

    let out = Command::new(env!("CARGO_BIN_EXE_amends"))
        .args(["migrate"])
        .env(
            "DATABASE_URL",
            "postgres://amends:hunter2@127.0.0.1:1/amends",
        )
        .env("AMENDS_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the database at postgres://amends:***@127.0.0.1:1/amends"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "password leaked: {err}");
}

#[test]
fn plain_amends_listens_where_amends_bind_says() {
    let dir = temp_dir("bind");
    let plain = |bind: &str| {
        Command::new(env!("CARGO_BIN_EXE_amends"))
            .arg("--data-dir")
            .arg(&dir)
            .env_remove("DATABASE_URL")
            .env_remove("LEPTOS_SITE_ADDR")
            .env("AMENDS_LOG", "warn")
            .env("AMENDS_BIND", bind)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run amends")
    };
    // A bad value stops the start, naming the setting.
    let out = plain("localhost").wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AMENDS_BIND") && err.contains("localhost"),
        "{err}"
    );

    // A free port, then `amends` with no subcommand serves there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = plain(&format!("127.0.0.1:{port}"));
    let healthy = (0..300).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok_and(|mut s| {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(healthy, "amends did not serve on AMENDS_BIND's port {port}");
}

#[test]
fn migrate_creates_the_sqlite_file_in_the_data_dir() {
    let dir = temp_dir("migrate");
    let out = amends(&dir, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("amends.db").exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `amends sentiment` with `stdin`, a database URL nothing listens on and a data dir
/// that does not exist: the command must not need either.
fn amends_sentiment(args: &[&str], stdin: &[u8]) -> (Output, std::path::PathBuf) {
    use std::io::Write;
    use std::process::Stdio;
    let dir = temp_dir("sentiment");
    let mut child = Command::new(env!("CARGO_BIN_EXE_amends"))
        .arg("--data-dir")
        .arg(&dir)
        .arg("sentiment")
        .args(args)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("AMENDS_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run amends sentiment");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    (child.wait_with_output().expect("wait for amends"), dir)
}

#[test]
fn sentiment_scores_stdin_like_the_reference_without_a_database() {
    let texts = [
        "No worries, these things happen.",
        "When will the corrected invoice be issued?",
        "This is UNACCEPTABLE!!!",
    ];
    // The expected compound scores come from the Python reference file.
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sentiment/reference.tsv"),
    )
    .expect("reference.tsv");
    let compound_of = |text: &str| -> f64 {
        reference
            .lines()
            .find_map(|l| {
                let (compound, rest) = l.split_once('\t')?;
                (rest.rsplit('\t').next() == Some(text)).then(|| compound.parse().unwrap())
            })
            .unwrap_or_else(|| panic!("{text:?} is not in reference.tsv"))
    };

    let input = format!("{}\n", texts.join("\n"));
    let (out, dir) = amends_sentiment(&[], input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), texts.len(), "{stdout}");
    for (line, text) in lines.iter().zip(texts) {
        let expected = compound_of(text);
        let label = if expected >= 0.05 {
            "positive"
        } else if expected <= -0.05 {
            "negative"
        } else {
            "neutral"
        };
        assert_eq!(*line, format!("{expected:.4}\t{label}"), "for {text:?}");
    }
    assert!(!dir.exists(), "amends sentiment created the data dir");

    // An empty line is neutral; invalid UTF-8 is refused with its line number.
    let (out, _) = amends_sentiment(&[], b"\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0.0000\tneutral\n");
    let (out, _) = amends_sentiment(&[], b"fine\nbad \xff\n");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("UTF-8"), "{err}");

    let (out, _) = amends_sentiment(&["--help"], b"");
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "printf",
        "--json",
        "compound<TAB>label",
        "Never opens a database",
    ] {
        assert!(
            help.contains(needle),
            "sentiment --help lacks {needle}:\n{help}"
        );
    }
}

#[test]
fn bench_times_the_dashboard_and_the_weekly_report() {
    let dir = temp_dir("bench");
    let demo = amends(&dir, &["demo", "--seed", "3", "--until", "2026-11-23"]);
    assert!(demo.status.success());
    let out = amends(&dir, &["bench", "--runs", "2"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every stage is a row with a fastest and a median time, in milliseconds.
    for stage in [
        "read facts (one snapshot)",
        "compute every figure",
        "dashboard, later loads",
        "weekly report ",
        "rendered as html",
        "rendered as csv",
        "rendered as md",
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(stage))
            .unwrap_or_else(|| panic!("no {stage:?} row in:\n{text}"));
        let times: Vec<f64> = line
            .split_whitespace()
            .rev()
            .take(2)
            .map(|t| t.parse().unwrap_or_else(|_| panic!("{line:?}")))
            .collect();
        assert!(times.iter().all(|t| *t >= 0.0), "{line}");
        assert!(times[1] <= times[0], "fastest after median: {line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! `amends report` as a user runs it, without a server: every format from the same report,
//! and the report sent by e-mail to a real SMTP server (Python's aiosmtpd, started here,
//! writing what it receives to a Maildir).

mod common;

use common::smtp::SmtpSink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WEEK: &str = "2026-W44";

fn amends(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amends"));
    c.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("AMENDS_SMTP_URL")
        .env_remove("AMENDS_MAIL_FROM")
        .env_remove("AMENDS_TIME_ZONE")
        .env("AMENDS_LOG", "warn");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run amends")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "amends failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn demo_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amends_report_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    ok(&amends(
        &dir,
        &["demo", "--seed", "9", "--until", "2026-11-23"],
        &[],
    ));
    dir
}

#[test]
fn every_format_comes_from_the_same_report() {
    let dir = demo_dir("formats");
    let json = ok(&amends(
        &dir,
        &["report", "--week", WEEK, "--format", "json"],
        &[],
    ));
    let report: app::domain::report::WeekReport = serde_json::from_str(&json).unwrap();
    assert_eq!(report.week, WEEK);
    assert!(!report.incidents.is_empty());

    let md = ok(&amends(
        &dir,
        &["report", "--week", WEEK, "--format", "md"],
        &[],
    ));
    assert!(md.starts_with(&format!("# Weekly report {WEEK}\n")), "{md}");
    let csv = ok(&amends(
        &dir,
        &["report", "--week", WEEK, "--format", "csv"],
        &[],
    ));
    let out = dir.join("week.html");
    let wrote = amends(
        &dir,
        &["report", "--week", WEEK, "--out", out.to_str().unwrap()],
        &[],
    );
    assert!(String::from_utf8_lossy(&ok_err(&wrote)).contains("Wrote the weekly report"));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<style>"));

    for f in &report.figures {
        let shown = format!(
            "| {} | {} | {} | {} | {} |",
            server::reports::markdown::escape(&f.label),
            f.show(f.value),
            f.show(f.previous),
            f.show_change(),
            f.show(f.average)
        );
        assert!(md.contains(&shown), "Markdown lacks {shown}");
        assert!(
            csv.contains(&format!("figures,{},", f.key)),
            "CSV lacks {}",
            f.key
        );
        assert!(html.contains(&format!("data-figure=\"{}\"", f.key)));
    }
    for i in &report.incidents {
        assert!(md.contains(&format!("| #{} ", i.id)));
        assert!(csv.contains(&format!("\nincidents,{},", i.id)));
        assert!(html.contains(&format!("/incidents/{}", i.id)));
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn ok_err(out: &Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stderr.clone()
}

#[test]
fn bad_weeks_and_mail_settings_are_refused_before_any_work() {
    let dir = std::env::temp_dir().join(format!("amends_report_bad_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 7] = [
        (
            &["report", "--week", "2025-W53"],
            &[],
            "--week: 2025 has weeks 01 to 52",
        ),
        (
            &["report", "--week", "2199-W01"],
            &[],
            "has not started yet",
        ),
        (
            &["report", "--week", "2999-W01"],
            &[],
            "--week: Pick a week of the years 1970 to 2200, not 2999.",
        ),
        (
            &["report", "--week", "last week"],
            &[],
            "is not a week like 2026-W47",
        ),
        (
            &["report", "--email", "team@example.com"],
            &[],
            "needs an SMTP server",
        ),
        (
            &["report", "--email", "not an address"],
            &[("AMENDS_SMTP_URL", "smtp://127.0.0.1:1")],
            "--email: “not an address” is not an e-mail address",
        ),
        (
            &[
                "report",
                "--email",
                "a@example.com",
                "--time-zone",
                "Mars/Olympus",
            ],
            &[],
            "--time-zone: “Mars/Olympus” is not a time zone",
        ),
    ];
    for (args, env, needle) in cases {
        let out = amends(&dir, args, env);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let help = ok(&amends(&dir, &["report", "--help"], &[]));
    for needle in [
        "--week",
        "--format",
        "--out",
        "--email",
        "AMENDS_SMTP_URL",
        "html",
        "md",
    ] {
        assert!(help.contains(needle), "report --help lacks {needle}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_report_is_sent_by_email_as_html_with_a_plain_text_part() {
    let dir = demo_dir("email");
    let sink = SmtpSink::start(&dir);
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let out = amends(
        &dir,
        &[
            "report",
            "--week",
            WEEK,
            "--email",
            "lead@example.com, team@example.com",
        ],
        &[
            ("AMENDS_SMTP_URL", url.as_str()),
            ("AMENDS_MAIL_FROM", "Amends <amends@example.com>"),
        ],
    );
    let err = String::from_utf8_lossy(&ok_err(&out)).to_string();
    assert!(
        err.contains("Sent the weekly report 2026-W44 to lead@example.com, team@example.com"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing printed when the report was mailed"
    );

    let new = sink.maildir.join("new");
    let files: Vec<PathBuf> = std::fs::read_dir(&new)
        .unwrap_or_else(|e| panic!("no Maildir at {}: {e}", new.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "one message for both recipients");
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    let json = ok(&amends(
        &dir,
        &["report", "--week", WEEK, "--format", "json"],
        &[],
    ));
    let report: app::domain::report::WeekReport = serde_json::from_str(&json).unwrap();
    let subject = server::reports::email::subject(&report);
    assert!(raw.contains(&format!("Subject: {subject}")), "{raw}");
    assert!(subject.starts_with("Amends weekly report 2026-W44: "));
    assert!(raw.contains("From: Amends <amends@example.com>"));
    assert!(raw.contains("lead@example.com") && raw.contains("team@example.com"));
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("Content-Type: text/plain") && raw.contains("Content-Type: text/html"));
    // The parts are quoted-printable; undo the soft line breaks to read them.
    let body = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(
        body.contains("# Weekly report 2026-W44"),
        "the plain part is the Markdown"
    );
    assert!(body.contains("<!DOCTYPE html>") && body.contains("data-figure=\"incidents_opened\""));
    drop(sink);
    let _ = std::fs::remove_dir_all(dir);
}

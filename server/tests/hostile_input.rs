//! Input meant to hurt, over HTTP on both engines: far-away dates, form bodies the server
//! functions cannot read, pastes and mail merges that would grow without bound, and
//! spreadsheet formulas in exports, NUL and other control characters in free text. Each is
//! refused with a 4xx and a plain message (or made harmless), never a 500.

mod common;

use app::domain::Role;
use common::api::sign_in;
use common::rows::{self, Incident};
use common::{spawn, TestDb};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01

async fn one_incident(db: &server::store::Db, title: &str) -> i64 {
    rows::incident(
        db,
        Incident {
            title,
            kind: "outage",
            severity: "sev2",
            status: "resolved",
            started: T0 + 10 * DAY,
            detected: T0 + 10 * DAY,
            resolved: Some(T0 + 11 * DAY),
        },
    )
    .await
}

#[tokio::test]
async fn far_dates_answer_a_named_refusal_on_the_dashboard_and_every_report() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let c0 = rows::customer(&db, "C-1", "pro", T0, None).await;
        let i0 = one_incident(&db, "Checkout down").await;
        rows::affected(&db, i0, c0).await;
        common::add_user(&db, "vi@team.example", "Vi", Role::Viewer).await;
        let base = spawn(db.clone()).await;
        let c = sign_in(&base, "vi@team.example").await;

        for (param, far) in [
            ("to", "9999-12-31"),
            ("to", "0001-01-01"),
            ("from", "0001-01-01"),
            ("as_of", "9999-12-31"),
        ] {
            let res = c
                .get(format!("{base}/?{param}={far}"))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let page = res.text().await.unwrap();
            assert!(
                status.is_success() || status.is_client_error(),
                "{engine}: dashboard {param}={far} answered {status}"
            );
            assert!(
                page.contains("between 1970-01-01 and 2200-12-31"),
                "{engine}: dashboard {param}={far} does not say why"
            );
            for report in ["sentiment", "retention", "speed", "repeat", "weekly"] {
                let res = c
                    .get(format!("{base}/api/v1/analytics/{report}?{param}={far}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 422, "{engine}: {report} {param}={far}");
                let problem: serde_json::Value = res.json().await.unwrap();
                let text = problem.to_string();
                assert!(
                    text.contains(&format!("\"{param}\""))
                        && text.contains("between 1970-01-01 and 2200-12-31"),
                    "{engine}: {report} {param}={far}: {text}"
                );
            }
        }
        // The calendar's edges in a week's address are no crash either.
        for week in ["9999-W52", "0001-W01"] {
            let res = c
                .get(format!("{base}/reports/weekly/{week}"))
                .send()
                .await
                .unwrap();
            assert!(
                res.status().as_u16() < 500,
                "{engine}: weekly report {week} answered {}",
                res.status()
            );
        }
        // The range's own edges are fine.
        let res = c
            .get(format!(
                "{base}/api/v1/analytics/weekly?from=2200-01-01&to=2200-12-31"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{engine}");
        t.drop_async().await;
    }
}

#[tokio::test]
async fn a_server_function_body_it_cannot_read_is_a_plain_400() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ed@team.example", "Ed", Role::Editor).await;
        let base = spawn(db.clone()).await;
        let c = sign_in(&base, "ed@team.example").await;

        // The issue's own example: a reply without its channel.
        let res = c
            .post(format!("{base}/api/fn/replies/create"))
            .header("origin", &base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("customer=C-1&body=Thanks")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{engine}");
        let text = res.text().await.unwrap();
        assert!(
            text.contains("could not be read") && !text.contains("deserializ"),
            "{engine}: {text}"
        );

        // Every registered server function: an empty body, or one whose values are of the
        // wrong type, is never a 500. Those that need an argument say 400.
        let mut refused = 0;
        for (path, method) in leptos::server_fn::axum::server_fn_paths() {
            for body in ["", "id=x&incident=x&customer=x&page=x&query[=x"] {
                let req = if method == http::Method::GET {
                    c.get(format!("{base}{path}?{body}"))
                } else {
                    c.request(method.clone(), format!("{base}{path}"))
                        .header("origin", &base)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body)
                };
                let res = req.send().await.unwrap();
                let status = res.status();
                let text = res.text().await.unwrap_or_default();
                assert!(
                    status.as_u16() < 500,
                    "{engine}: {method} {path} with {body:?} answered {status}: {text}"
                );
                assert!(
                    !text.contains("deserializ"),
                    "{engine}: {path} shows the deserializer: {text}"
                );
                if status == 400 {
                    refused += 1;
                }
            }
        }
        assert!(refused > 20, "{engine}: only {refused} refusals");
        t.drop_async().await;
    }
}

#[tokio::test]
async fn pastes_and_mail_merges_are_bounded_with_a_clear_message() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        // A long title, filled in five hundred times a note, for two hundred customers:
        // twenty megabytes of notes from one GET.
        let title = "T".repeat(200);
        let incident = one_incident(&db, &title).await;
        for n in 0..200 {
            let c = rows::customer(&db, &format!("C-{n}"), "pro", T0, None).await;
            rows::affected(&db, incident, c).await;
        }
        common::add_user(&db, "ed@team.example", "Ed", Role::Editor).await;
        let base = spawn(db.clone()).await;
        let c = sign_in(&base, "ed@team.example").await;

        let template = "{incident}".repeat(500);
        let res = c
            .get(format!("{base}/incidents/{incident}/apology.csv"))
            .query(&[("template", &template)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{engine}");
        let text = res.text().await.unwrap();
        assert!(
            text.contains("200 customers") && text.contains("more than 16 MB"),
            "{engine}: {text}"
        );
        // An ordinary note still merges.
        let res = c
            .get(format!("{base}/incidents/{incident}/apology.csv"))
            .query(&[("template", "Dear {first_name}, sorry about {incident}.")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{engine}");

        // One wide line of a paste is refused by its number, before anything is kept.
        let wide = format!("C-1\n{}", "x,".repeat(100_000));
        let res = c
            .post(format!("{base}/api/fn/affected/preview"))
            .header("origin", &base)
            .form(&[("incident", incident.to_string()), ("list", wide)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{engine}");
        let text = res.text().await.unwrap();
        assert!(
            text.contains("Line 2 has 100000 entries"),
            "{engine}: {text}"
        );
        t.drop_async().await;
    }
}

#[tokio::test]
async fn exported_cases_defuse_spreadsheet_formulas() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let customer = rows::customer(&db, "C-1", "=HYPERLINK(\"x\")", T0, None).await;
        let incident = one_incident(&db, "Checkout down").await;
        rows::affected(&db, incident, customer).await;
        let dir =
            std::env::temp_dir().join(format!("amends_export_{engine}_{}", std::process::id()));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_amends"))
            .arg("--data-dir")
            .arg(&dir)
            .args(["export", "cases"])
            .env("DATABASE_URL", &t.url)
            .env("AMENDS_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let row = text.lines().nth(1).unwrap_or_default();
        assert!(
            row.contains(",\"'=HYPERLINK(\"\"x\"\")\","),
            "{engine}: {row}"
        );
        let _ = std::fs::remove_dir_all(&dir);
        t.drop_async().await;
    }
}

#[tokio::test]
async fn nul_in_free_text_is_refused_by_name_on_both_engines() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ed@team.example", "Ed", Role::Editor).await;
        let base = spawn(db.clone()).await;
        let c = sign_in(&base, "ed@team.example").await;

        // A form: the field is named, nothing is written.
        let res = c
            .post(format!("{base}/api/fn/incidents/create"))
            .header("origin", &base)
            .form(&[
                ("title", "Checkout\0 down"),
                ("kind", "outage"),
                ("severity", "sev3"),
                ("started_at", "2026-11-01T10:00"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{engine}");
        let text = res.text().await.unwrap();
        assert!(
            text.contains("title") && text.contains("control character (U+0000)"),
            "{engine}: {text}"
        );
        // The API: a problem naming the field.
        let res = c
            .post(format!("{base}/api/v1/customers"))
            .header("origin", &base)
            .json(&serde_json::json!({
                "external_ref": "C-1", "name": "Ada\u{0}", "signed_up_at": "2025-01-01"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{engine}");
        let problem: serde_json::Value = res.json().await.unwrap();
        assert_eq!(problem["field"], "name", "{engine}: {problem}");
        let stored: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM incidents) + (SELECT COUNT(*) FROM customers)",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(stored, 0, "{engine}");
        // A search: the character is dropped, the page answers.
        for path in [
            "/customers?q=a%00b",
            "/incidents?q=%00",
            "/api/v1/customers?search=%00",
        ] {
            let res = c.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(res.status(), 200, "{engine}: {path}");
        }
        t.drop_async().await;
    }
}

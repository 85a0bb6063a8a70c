//! The weekly report sent by itself, on SQLite and PostgreSQL: four "processes" (read
//! services over their own connection pools to one database) check the schedule at the
//! same moment and the report goes out exactly once per channel — one e-mail into a real
//! SMTP server (aiosmtpd) and one post to a local stand-in for a Slack incoming webhook. A
//! delivery that fails is retried after its wait, not before; "send now" sends again.

mod common;

use app::domain::schedule::{ScheduleDraft, SlackChange};
use app::domain::week::IsoWeek;
use axum::http::StatusCode;
use common::smtp::SmtpSink;
use common::TestDb;
use server::reports::deliver::{run_due, send_now, Outbox};
use server::reports::email::Smtp;
use server::service::ReadService;
use server::store::{Db, NewUser};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A local stand-in for an incoming webhook: keeps every posted body; fails while told to.
#[derive(Clone, Default)]
struct Hook {
    posts: Arc<Mutex<Vec<serde_json::Value>>>,
    failing: Arc<AtomicUsize>,
}

async fn hook_server(hook: Hook) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            |axum::extract::State(h): axum::extract::State<Hook>,
             axum::Json(body): axum::Json<serde_json::Value>| async move {
                if h.failing.load(Ordering::SeqCst) > 0 {
                    h.failing.fetch_sub(1, Ordering::SeqCst);
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                h.posts.lock().unwrap().push(body);
                StatusCode::OK
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.with_state(hook)).await.unwrap();
    });
    format!("http://{addr}/hook")
}

fn at(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
        * 1000
}

async fn admin(db: &Db) -> i64 {
    db.create_user(
        NewUser {
            email: "ada@team.example",
            name: "Ada",
            role: app::domain::Role::Admin,
            password_hash: "not-a-real-hash",
        },
        None,
        false,
        0,
    )
    .await
    .unwrap()
}

type Row = (String, String, i64, String, i64, Option<String>);

async fn deliveries(db: &Db) -> Vec<Row> {
    sqlx::query_as(
        "SELECT week, channel, scheduled, status, attempts, last_error FROM report_deliveries
         ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_report_goes_out_once_per_week_and_channel_with_retries_and_send_now() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, e) = (t.db.clone(), t.engine);
        let dir = std::env::temp_dir().join(format!("amends-schedule-{e}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let smtp = SmtpSink::start(&dir);
        let hook = Hook::default();
        let url = hook_server(hook.clone()).await;
        let me = admin(&db).await;
        db.save_report_schedule(
            &ScheduleDraft {
                enabled: true,
                weekday: 1,
                hour: 9,
                recipients: vec!["lead@example.com".into(), "team@example.com".into()],
                slack: SlackChange::Set(url.clone()),
            },
            me,
            0,
        )
        .await
        .unwrap();
        let outbox = Outbox {
            smtp: Some(
                Smtp::new(
                    &format!("smtp://127.0.0.1:{}", smtp.port),
                    "Amends <amends@example.com>",
                )
                .unwrap(),
            ),
            base: "https://amends.example".into(),
        };
        // Four processes: each its own pool to the one database.
        let mut processes = Vec::new();
        for _ in 0..4 {
            let pool = Db::connect(&t.url).await.unwrap();
            processes.push(ReadService::new(pool).with_outbox(outbox.clone()));
        }

        // Before Monday 09:00 UTC nothing is due.
        let early = at("2026-11-30T08:59:00Z");
        assert!(run_due(&processes[0], early).await.unwrap().is_empty());

        // At 09:30 all four check at once: one e-mail, one post.
        let now = at("2026-11-30T09:30:00Z");
        let runs = futures_util::future::join_all(processes.iter().map(|p| run_due(p, now))).await;
        let tried: usize = runs.into_iter().map(|r| r.unwrap().len()).sum();
        assert_eq!(tried, 2, "{e}: one claim per channel wins");
        let mails = smtp.messages();
        assert_eq!(mails.len(), 1, "{e}: one message for both recipients");
        assert!(
            mails[0].contains("Subject: Amends weekly report 2026-W48"),
            "{e}"
        );
        assert!(mails[0].contains("lead@example.com") && mails[0].contains("team@example.com"));
        {
            let posts = hook.posts.lock().unwrap();
            assert_eq!(posts.len(), 1, "{e}");
            let text = posts[0]["text"].as_str().unwrap();
            assert!(
                text.starts_with("*Amends weekly report 2026-W48* (2026-11-23 to 2026-11-29)"),
                "{text}"
            );
            assert!(
                text.contains("<https://amends.example/reports/weekly/2026-W48|Open the report>"),
                "{text}"
            );
        }
        // Checked again later that week: nothing more.
        for p in &processes {
            assert!(run_due(p, now + 3_600_000).await.unwrap().is_empty());
        }
        assert_eq!(
            deliveries(&db).await,
            vec![
                ("2026-W48".into(), "email".into(), 1, "sent".into(), 1, None),
                ("2026-W48".into(), "slack".into(), 1, "sent".into(), 1, None),
            ],
            "{e}"
        );

        // The next week the webhook is down: failed, visible, retried after five minutes.
        hook.failing.store(1, Ordering::SeqCst);
        let next = at("2026-12-07T09:00:00Z");
        run_due(&processes[1], next).await.unwrap();
        let rows = deliveries(&db).await;
        assert_eq!(rows[3].1, "slack");
        assert_eq!((rows[3].3.as_str(), rows[3].4), ("failed", 1), "{e}");
        assert!(
            rows[3].5.as_deref().unwrap().contains("answered 503"),
            "{e}: {:?}",
            rows[3].5
        );
        assert!(
            run_due(&processes[2], next + 4 * 60_000)
                .await
                .unwrap()
                .is_empty(),
            "{e}: not retried before its wait"
        );
        let retried = run_due(&processes[3], next + 6 * 60_000).await.unwrap();
        assert_eq!(retried.len(), 1, "{e}");
        let rows = deliveries(&db).await;
        assert_eq!(
            (rows[3].3.as_str(), rows[3].4, rows[3].5.clone()),
            ("sent", 2, None),
            "{e}"
        );
        assert_eq!(smtp.messages().len(), 2, "{e}: week 49 by e-mail once");
        assert_eq!(hook.posts.lock().unwrap().len(), 2, "{e}");

        // "Send now" sends the last full week again, to both, and says so.
        assert_eq!(
            send_now(&processes[0], me, next + 3_600_000).await.unwrap(),
            2
        );
        assert_eq!(smtp.messages().len(), 3);
        let rows = deliveries(&db).await;
        assert_eq!(
            rows[4..]
                .iter()
                .map(|r| (r.0.as_str(), r.1.as_str(), r.2, r.3.as_str()))
                .collect::<Vec<_>>(),
            [
                ("2026-W49", "email", 0, "sent"),
                ("2026-W49", "slack", 0, "sent")
            ],
            "{e}"
        );
        // Week 49 was the week due; the schedule's page lists the latest first.
        let listed = db.report_deliveries(20).await.unwrap();
        assert_eq!(listed[0].week, IsoWeek::parse("2026-W49").unwrap());
        assert!(!listed[0].scheduled);
        for p in processes {
            p.db().close().await;
        }
        drop(smtp);
        let _ = std::fs::remove_dir_all(&dir);
        t.drop_async().await;
    }
}

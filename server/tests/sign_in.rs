//! Sign-in under pressure, over HTTP on both engines: a burst of parallel wrong passwords,
//! what the audit log keeps of an attempt, and set-up refused once it is done.

mod common;

use app::domain::Role;
use common::{client, spawn, TestDb, PASSWORD};
use reqwest::Client;

async fn post_form(c: &Client, base: &str, path: &str, form: &[(&str, &str)]) -> String {
    let res = c
        .post(format!("{base}{path}"))
        .header("origin", base)
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{path}");
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn failures(db: &server::store::Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failure'")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn parallel_wrong_passwords_are_counted_before_they_are_checked() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        let base = spawn(db.clone()).await;

        // A right password leaves no failure behind.
        let ok = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "ada@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(ok, "/", "{engine}");
        assert_eq!(failures(&db).await, 0, "{engine}");

        // Forty at once from one address: only the limit's worth get their password checked.
        let attempts = (0..40).map(|_| {
            let base = base.clone();
            tokio::spawn(async move {
                post_form(
                    &client(),
                    &base,
                    "/login",
                    &[
                        ("email", "ada@team.example"),
                        ("password", "wrong password here"),
                    ],
                )
                .await
            })
        });
        let answers: Vec<String> = futures_util::future::join_all(attempts)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let checked = answers
            .iter()
            .filter(|l| l.starts_with("/login?error=invalid"))
            .count();
        let throttled = answers
            .iter()
            .filter(|l| l.starts_with("/login?error=throttled"))
            .count();
        let limit = server::auth::throttle::PER_IP.0 as usize;
        assert_eq!(
            (checked, throttled),
            (limit, 40 - limit),
            "{engine}: {answers:?}"
        );
        assert_eq!(failures(&db).await, limit as i64, "{engine}");
        t.drop_async().await;
    }
}

#[tokio::test]
async fn the_audit_log_keeps_the_attempt_not_what_was_typed_when_it_is_no_email() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        let base = spawn(db.clone()).await;

        // A password typed into the e-mail field, and an e-mail too long to be one.
        let long = format!("{}@team.example", "a".repeat(300));
        for typed in ["correct horse battery staple", long.as_str()] {
            let to = post_form(
                &client(),
                &base,
                "/login",
                &[("email", typed), ("password", "wrong password here")],
            )
            .await;
            assert!(to.starts_with("/login?error=invalid"), "{engine}: {to}");
            assert!(
                !to.contains("horse") && !to.contains("aaaa"),
                "{engine}: sent back in {to}"
            );
        }
        let rows: Vec<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT entity_id, after, ip FROM audit_log WHERE action = 'login_failure' ORDER BY id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(rows.len(), 2, "{engine}: each attempt is audited");
        for (entity_id, after, ip) in &rows {
            assert_eq!(entity_id, &None, "{engine}");
            let after = after.clone().unwrap_or_default();
            assert!(
                !after.contains("horse") && !after.contains("aaaa"),
                "{engine}: {after}"
            );
            assert!(after.contains("not_an_email"), "{engine}: {after}");
            assert_eq!(ip.as_deref(), Some("127.0.0.1"), "{engine}");
        }

        // An e-mail address is kept, so failures still count per account.
        post_form(
            &client(),
            &base,
            "/login",
            &[
                ("email", "Ada@Team.example"),
                ("password", "wrong password here"),
            ],
        )
        .await;
        let kept: Option<String> = sqlx::query_scalar(
            "SELECT entity_id FROM audit_log WHERE action = 'login_failure' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(kept.as_deref(), Some("ada@team.example"), "{engine}");
        t.drop_async().await;
    }
}

#[tokio::test]
async fn setup_once_done_is_refused_before_the_form_is_even_read() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        let base = spawn(db.clone()).await;
        // Forms that validation would refuse get the set-up answer first: nothing of them is
        // looked at, so no password is hashed either.
        for form in [
            [
                ("name", "Eve"),
                ("email", "eve@evil.example"),
                ("password", PASSWORD),
                ("confirm", "something else entirely"),
            ],
            [
                ("name", ""),
                ("email", "not an email"),
                ("password", "short"),
                ("confirm", "short"),
            ],
        ] {
            let to = post_form(&client(), &base, "/setup", &form).await;
            assert_eq!(to, "/login?error=already_set_up", "{engine}");
        }
        assert_eq!(db.active_user_count().await.unwrap(), 1, "{engine}");
        t.drop_async().await;
    }
}

//! Webhooks in, over HTTP on both engines, signed by the senders' own libraries: a delivery
//! is stored then processed; a retried one changes nothing; bad signatures, stale
//! timestamps and unknown endpoints are refused with nothing stored but a count; an unknown
//! customer is held and processed after a retry.

mod common;

use app::domain::integration::SourceDraft;
use app::domain::Role;
use app::store::Store;
use common::rows::{self, Incident};
use server::store::Db;

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn admin(db: &Db) -> i64 {
    common::add_user(db, "ada@team.example", "Ada", Role::Admin).await;
    db.user_id_by_email("ada@team.example")
        .await
        .unwrap()
        .unwrap()
}

/// A source of `kind`; returns its URL path and secret.
async fn source(db: &Db, me: i64, kind: &str, pasted: Option<&str>) -> (String, String) {
    let (row, shown) = db
        .create_webhook_source(
            &SourceDraft {
                kind: kind.into(),
                name: format!("{kind} test"),
                secret: pasted.map(str::to_string),
            },
            me,
        )
        .await
        .unwrap();
    let secret = shown.or(pasted.map(str::to_string)).unwrap();
    (app::domain::integration::hook_path(&row.slug), secret)
}

async fn post(
    base: &str,
    path: &str,
    headers: &[(String, String)],
    body: &str,
) -> (u16, serde_json::Value) {
    let mut req = common::client()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn customer_with_email(db: &Db, r: &str, email: &str) -> i64 {
    let id = rows::customer(db, r, "pro", 1_700_000_000_000, None).await;
    sqlx::query("UPDATE customers SET email = $1 WHERE id = $2")
        .bind(email)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    id
}

async fn incident(db: &Db) -> i64 {
    rows::incident(
        db,
        Incident {
            title: "Checkout down",
            kind: "outage",
            severity: "sev1",
            status: "resolved",
            started: 1_790_000_000_000,
            detected: 1_790_000_000_000,
            resolved: Some(1_790_000_600_000),
        },
    )
    .await
}

#[tokio::test]
async fn standard_webhooks_deliveries_are_stored_processed_once_and_refused_when_unsigned() {
    common::on_both(|db, engine| async move {
        let me = admin(&db).await;
        customer_with_email(&db, "c-1", "ada@example.com").await;
        let incident = incident(&db).await;
        let (path, secret) = source(&db, me, "standard", None).await;
        assert!(secret.starts_with("whsec_"), "{engine}");
        let base = common::spawn(db.clone()).await;

        let body = format!(
            r#"{{"type":"reply.created","timestamp":"2026-11-20T10:00:00Z","data":{{"id":"msg-1","customer":"Ada@Example.com","incident":{incident},"channel":"chat","received_at":"2026-11-20T09:59:00Z","body":"Thank you, that credit was kind.","csat":5}}}}"#
        );
        let headers = common::webhooks::sign("standard", &secret, now_s(), "msg_1", body.as_bytes());
        let (status, answer) = post(&base, &path, &headers, &body).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("processed")), "{engine}: {answer}");
        let stored: (String, f64, Option<i64>, String) = sqlx::query_as(
            "SELECT body, sentiment_auto, incident_id, channel FROM replies",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            stored,
            (
                "Thank you, that credit was kind.".into(),
                app::sentiment::compound("Thank you, that credit was kind."),
                Some(incident),
                "chat".into()
            ),
            "{engine}"
        );
        // The audit log names the source.
        let via: Option<String> =
            sqlx::query_scalar("SELECT via FROM audit_log WHERE entity = 'import'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(via.as_deref(), Some("webhook “standard test”"), "{engine}");

        // The sender retries the same delivery: nothing changes.
        let (status, answer) = post(&base, &path, &headers, &body).await;
        assert_eq!((status, answer["duplicate"].as_bool()), (200, Some(true)), "{engine}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM replies").await, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM webhook_deliveries").await, 1);

        // Tampered body, stale timestamp, unknown endpoint: 401, nothing stored, counted.
        let tampered = body.replace("kind", "mean");
        let (status, _) = post(&base, &path, &headers, &tampered).await;
        assert_eq!(status, 401, "{engine}");
        let stale = common::webhooks::sign("standard", &secret, now_s() - 600, "msg_2", body.as_bytes());
        let (status, _) = post(&base, &path, &stale, &body).await;
        assert_eq!(status, 401, "{engine}");
        let (status, _) = post(&base, "/hooks/00000000000000000000000000000000", &headers, &body).await;
        assert_eq!(status, 401, "{engine}");
        let (status, _) = post(&base, "/hooks/nonsense", &headers, &body).await;
        assert_eq!(status, 401, "{engine}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM webhook_deliveries").await, 1, "{engine}");
        let reasons = db.webhook_rejections(0).await.unwrap();
        assert_eq!(
            reasons,
            vec![
                ("bad_signature".to_string(), 1),
                ("stale_timestamp".to_string(), 1),
                ("unknown_source".to_string(), 2)
            ],
            "{engine}"
        );
        let row = &db.webhook_sources().await.unwrap()[0];
        assert_eq!((row.rejected, row.deliveries), (2, 1), "{engine}");

        // Rotation: the old secret keeps working during the grace period, the new one too.
        let rotated = db.rotate_webhook_secret(row.id, None, me).await.unwrap().unwrap();
        assert_ne!(rotated, secret);
        for (i, s) in [&secret, &rotated].into_iter().enumerate() {
            let churn = format!(
                r#"{{"type":"customer.churned","timestamp":"2026-11-21T00:00:00Z","data":{{"ref":"c-1","churned_at":"2026-11-2{}T00:00:00Z"}}}}"#,
                i + 1
            );
            let h = common::webhooks::sign("standard", s, now_s(), &format!("churn_{i}"), churn.as_bytes());
            let (status, answer) = post(&base, &path, &h, &churn).await;
            assert_eq!((status, answer["status"].as_str()), (200, Some("processed")), "{engine}: {answer}");
        }
        let churned: Option<i64> = sqlx::query_scalar("SELECT churned_at FROM customers WHERE external_ref = 'c-1'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(churned, Some(1_795_305_600_000), "{engine}: 2026-11-22");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_customer_is_held_and_a_retry_after_the_fix_processes_it() {
    common::on_both(|db, engine| async move {
        let me = admin(&db).await;
        let (path, secret) = source(&db, me, "intercom", Some("intercom-client-secret")).await;
        let base = common::spawn(db.clone()).await;
        let body = r#"{"type":"notification_event","topic":"conversation.user.replied","id":"notif_1","created_at":1795179900,
            "data":{"type":"notification_event_data","item":{"type":"conversation","id":"147","created_at":1795170000,
            "source":{"type":"conversation","id":"1","body":"<p>Hello</p>","author":{"type":"user","id":"u1","email":"new@example.com"}},
            "conversation_parts":{"type":"conversation_part.list","conversation_parts":[
              {"type":"conversation_part","id":"900","part_type":"comment","body":"<p>Still down &amp; I&#39;m annoyed.</p>","created_at":1795179900,
               "author":{"type":"user","id":"u1","name":"Nia","email":"New@Example.com"}}],"total_count":1}}}}"#;
        let headers = common::webhooks::sign("intercom", &secret, now_s(), "", body.as_bytes());
        let (status, answer) = post(&base, &path, &headers, body).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("held")), "{engine}: {answer}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM replies").await, 0, "{engine}: no one invented");
        let page = db
            .webhook_deliveries(None, Some("held".into()), app::domain::PageRequest { page: 1, per_page: 25 })
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        let held = &page.items[0];
        assert!(held.outcome.contains("new@example.com"), "{engine}: {}", held.outcome);
        assert_eq!((held.event_type.as_str(), held.delivery_id.as_str()), ("conversation.user.replied", "notif_1"));

        // The team adds the customer, then retries from the page.
        customer_with_email(&db, "c-9", "new@example.com").await;
        let done = db.retry_delivery(held.id, me).await.unwrap();
        assert_eq!((done.status.as_str(), done.attempts), ("processed", 2), "{engine}: {}", done.outcome);
        let reply: (String, String, i64) = sqlx::query_as("SELECT body, channel, received_at FROM replies")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(reply, ("Still down & I'm annoyed.".into(), "chat".into(), 1_795_179_900_000), "{engine}");
        // A processed delivery is not processed again.
        assert!(db.retry_delivery(held.id, me).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn stripe_cancellations_churn_and_tagged_credit_notes_become_credits() {
    common::on_both(|db, engine| async move {
        let me = admin(&db).await;
        let customer = customer_with_email(&db, "cus_NffrFeUfNV2Hib", "ada@example.com").await;
        let incident = incident(&db).await;
        let (path, secret) = source(&db, me, "stripe", Some("whsec_test_secret_0123456789")).await;
        let base = common::spawn(db.clone()).await;

        let deleted = r#"{"id":"evt_1","object":"event","api_version":"2024-06-20","created":1795200000,"type":"customer.subscription.deleted",
            "data":{"object":{"id":"sub_1","object":"subscription","customer":"cus_NffrFeUfNV2Hib","status":"canceled",
            "canceled_at":1795190000,"ended_at":1795195000,"metadata":{}}}}"#;
        let h = common::webhooks::sign("stripe", &secret, now_s(), "", deleted.as_bytes());
        let (status, answer) = post(&base, &path, &h, deleted).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("processed")), "{engine}: {answer}");
        let churned: Option<i64> = sqlx::query_scalar("SELECT churned_at FROM customers WHERE id = $1")
            .bind(customer)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(churned, Some(1_795_195_000_000), "{engine}: ended_at");

        let credit = format!(
            r#"{{"id":"evt_2","object":"event","created":1795200100,"type":"credit_note.created",
            "data":{{"object":{{"id":"cn_1","object":"credit_note","number":"ABC-0001-CN-01","customer":"cus_NffrFeUfNV2Hib",
            "currency":"eur","total":2500,"amount":2500,"created":1795200050,"metadata":{{"amends_incident":"{incident}"}}}}}}}}"#
        );
        let h = common::webhooks::sign("stripe", &secret, now_s(), "", credit.as_bytes());
        let (status, answer) = post(&base, &path, &h, &credit).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("processed")), "{engine}: {answer}");
        let action: (String, i64, String, Option<String>, String) = sqlx::query_as(
            "SELECT kind, value_minor, currency, external_id, note FROM recovery_actions",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            action,
            ("credit".into(), 2_500, "EUR".into(), Some("stripe:cn_1".into()), "Stripe credit note ABC-0001-CN-01".into()),
            "{engine}"
        );
        // Stripe retries: the event id is already in the inbox.
        let (status, answer) = post(&base, &path, &h, &credit).await;
        assert_eq!((status, answer["duplicate"].as_bool()), (200, Some(true)));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM recovery_actions").await, 1, "{engine}");

        // An event Amends does not use is kept as ignored.
        let other = r#"{"id":"evt_3","object":"event","created":1795200200,"type":"invoice.paid","data":{"object":{"id":"in_1"}}}"#;
        let h = common::webhooks::sign("stripe", &secret, now_s(), "", other.as_bytes());
        let (status, answer) = post(&base, &path, &h, other).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("ignored")), "{engine}");
        // Signed with another secret: refused.
        let h = common::webhooks::sign("stripe", "whsec_someone_else_000000", now_s(), "", other.as_bytes());
        assert_eq!(post(&base, &path, &h, other).await.0, 401);
    })
    .await;
}

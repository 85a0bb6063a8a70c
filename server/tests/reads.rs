//! What reading answers, the same on SQLite and PostgreSQL: search folds case alike for every
//! alphabet, read-only requests neither wait for nor block a writer, and a customer's mean
//! sentiment covers every one of their replies, not only those the page lists.

mod common;

use app::domain::affected::{parse_list, ParsedList};
use app::domain::incident::{IncidentFilter, IncidentForm};
use app::domain::reply::ReplyForm;
use app::domain::when::now_ms;
use app::domain::{AffectedSource, IncidentStatus, PageRequest, Role, CUSTOMER_REPLIES_SHOWN};
use app::store::Store;
use common::on_both;
use server::store::{Db, NewUser};
use std::time::Duration;

async fn editor(db: &Db) -> i64 {
    let new = NewUser {
        email: "lead@team.example",
        name: "Lead",
        role: Role::Editor,
        password_hash: "not-a-real-hash",
    };
    db.create_user(new, None, false, 0).await.unwrap()
}

async fn customer(db: &Db, external_ref: &str, name: &str, email: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO customers (external_ref, name, email, signed_up_at, created_at, updated_at)
         VALUES ($1, $2, $3, 0, 0, 0) RETURNING id",
    )
    .bind(external_ref.to_string())
    .bind(name.to_string())
    .bind(email.map(str::to_string))
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn incident(db: &Db, title: &str, description: &str, me: i64) -> i64 {
    let draft = IncidentForm {
        title: title.into(),
        description: description.into(),
        kind: "outage".into(),
        severity: "sev2".into(),
        started_at: "2026-11-20T14:05".into(),
        ..Default::default()
    }
    .parse(IncidentStatus::Open)
    .unwrap();
    db.create_incident(&draft, me).await.unwrap()
}

fn list(text: &str) -> ParsedList {
    parse_list(text).unwrap()
}

async fn customers_found(db: &Db, term: &str) -> Vec<String> {
    let page = db
        .list_customers(Some(term.into()), true, PageRequest::default())
        .await
        .unwrap();
    page.items.into_iter().map(|c| c.name).collect()
}

#[tokio::test]
async fn search_folds_case_the_same_for_every_alphabet() {
    on_both(|db, engine| async move {
        let me = editor(&db).await;
        customer(&db, "C-1", "Émile Zola", None).await;
        customer(&db, "C-2", "Ayşe Öztürk", Some("ayse@example.com")).await;
        customer(&db, "C-3", "Σοφία Παππά", None).await;
        customer(&db, "ÅR-4", "Anders Ångström", None).await;
        customer(&db, "C-5", "Emile Plain", None).await;
        for (term, want) in [
            ("émile", vec!["Émile Zola"]),
            ("ÉMILE", vec!["Émile Zola"]),
            ("ÖZTÜRK", vec!["Ayşe Öztürk"]),
            ("öztürk", vec!["Ayşe Öztürk"]),
            ("σοφία", vec!["Σοφία Παππά"]),
            ("ΠΑΠΠΆ", vec!["Σοφία Παππά"]),
            ("år-4", vec!["Anders Ångström"]),
            ("EMILE", vec!["Emile Plain"]),
        ] {
            assert_eq!(customers_found(&db, term).await, want, "{engine}: {term}");
        }
        incident(
            &db,
            "Panne SOCIÉTÉ GÉNÉRALE",
            "Über-Ausfall im Zahlungsverkehr",
            me,
        )
        .await;
        for term in ["société", "ÜBER-AUSFALL"] {
            let filter = IncidentFilter {
                search: Some(term.into()),
                ..Default::default()
            };
            let page = db
                .list_incidents(&filter, PageRequest::default())
                .await
                .unwrap();
            assert_eq!(page.total, 1, "{engine}: incidents matching {term}");
        }
        // The SQL function itself agrees with Rust's lower-casing on both engines.
        let folded: String = sqlx::query_scalar("SELECT lower($1)")
            .bind("ÉMILE ÖZTÜRK ΣΟΦΊΑ Ångström")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(
            folded,
            "ÉMILE ÖZTÜRK ΣΟΦΊΑ Ångström".to_lowercase(),
            "{engine}"
        );
    })
    .await;
}

/// While another request holds a write transaction, the affected-customers preview and the
/// mail merge still answer at once: they only read.
#[tokio::test]
async fn read_only_requests_do_not_wait_for_a_writer() {
    on_both(|db, engine| async move {
        let me = editor(&db).await;
        customer(&db, "C-1", "Ada Lovelace", Some("ada@example.com")).await;
        let inc = incident(&db, "Checkout down", "", me).await;
        db.confirm_affected(inc, &list("C-1"), AffectedSource::Manual, me)
            .await
            .unwrap();
        let mut writer = db.begin().await.unwrap();
        sqlx::query("INSERT INTO audit_log (at, action, entity) VALUES (0, 'create', 'writer')")
            .execute(&mut *writer)
            .await
            .unwrap();
        // SQLite waits up to busy_timeout (5 s) for a lock; a read must not need one.
        let quick = Duration::from_secs(2);
        let preview = tokio::time::timeout(quick, db.preview_affected(inc, &list("C-1\nC-9")))
            .await
            .unwrap_or_else(|_| panic!("{engine}: the preview waited for the writer"))
            .unwrap_or_else(|e| panic!("{engine}: the preview failed: {e:?}"));
        assert_eq!(
            (preview.already.len(), preview.unknown.len()),
            (1, 1),
            "{engine}"
        );
        let merge = tokio::time::timeout(quick, db.mail_merge(inc, "Sorry, {first_name}."))
            .await
            .unwrap_or_else(|_| panic!("{engine}: the mail merge waited for the writer"))
            .unwrap_or_else(|e| panic!("{engine}: the mail merge failed: {e:?}"));
        assert_eq!(merge.len(), 1, "{engine}");
        assert_eq!(merge[0].2, "Sorry, Ada.", "{engine}");
        writer.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_customers_mean_sentiment_covers_every_reply() {
    on_both(|db, engine| async move {
        let me = editor(&db).await;
        let id = customer(&db, "C-1", "Ada Lovelace", None).await;
        // 50 old glowing replies, then 100 lukewarm ones: the page lists only the latest 100.
        let total = 150;
        let mut last = 0;
        for i in 0..total {
            let draft = ReplyForm {
                customer: "C-1".into(),
                incident_id: String::new(),
                channel: "email".into(),
                received_at: format!("2026-{:02}-{:02}T10:00", 1 + i / 28, 1 + i % 28),
                csat: String::new(),
                body: format!("Reply {i}"),
            }
            .parse(now_ms())
            .unwrap();
            let score = if i < 50 { 0.9 } else { -0.3 };
            last = db.create_reply(&draft, score, me).await.unwrap();
        }
        // A person's correction counts instead of the automatic score.
        db.override_sentiment(last, 0.7, "Sarcasm misread", me)
            .await
            .unwrap();
        let d = db.customer(id).await.unwrap().unwrap();
        assert_eq!(d.replies.len() as i64, CUSTOMER_REPLIES_SHOWN, "{engine}");
        assert_eq!(d.sentiment.replies, total, "{engine}");
        let want = (50.0 * 0.9 + 99.0 * -0.3 + 0.7) / 150.0;
        let mean = d.sentiment.mean.expect("a mean");
        assert!((mean - want).abs() < 1e-9, "{engine}: {mean} != {want}");
        assert_eq!(
            d.replies_shown(),
            "only the latest 100 of their 150 replies",
            "{engine}"
        );
        let none = customer(&db, "C-2", "Grace Hopper", None).await;
        let d = db.customer(none).await.unwrap().unwrap();
        assert_eq!(
            (d.sentiment.replies, d.sentiment.mean),
            (0, None),
            "{engine}"
        );
    })
    .await;
}

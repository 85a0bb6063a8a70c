//! Who sees customers' e-mail addresses, on both engines. Editors and admins see them whole;
//! viewers, and read-scoped API tokens, see them masked (`g…@navy.example`) wherever a
//! customer is read — the customer list and page (their server functions and the rendered
//! pages), the REST API — and nowhere else do they meet one: incident and reply pages, their
//! server functions and API routes, and the files a viewer may download. A viewer's search
//! by an address finds nothing, so the search cannot undo the mask.

mod common;

use app::domain::affected::parse_list;
use app::domain::customer::CustomerForm;
use app::domain::incident::IncidentForm;
use app::domain::reply::ReplyForm;
use app::domain::when::now_ms;
use app::domain::{AffectedSource, IncidentStatus, Role, TokenScope};
use app::store::Store;
use common::api::{sign_in, token, Api, Caller};
use common::on_both;
use reqwest::Client;
use serde_json::Value;
use server::store::Db;

const FULL: &str = "grace@navy.example";
const MASKED: &str = "g…@navy.example";
const VIEWER: &str = "vic@team.example";
const EDITOR: &str = "eddie@team.example";

/// A running server with one customer (with an address), affected by one incident and with
/// one reply, and a signed-in viewer and editor.
struct World {
    base: String,
    viewer: Client,
    editor: Client,
    editor_id: i64,
    customer: i64,
    incident: i64,
}

async fn world(db: &Db) -> World {
    common::add_user(db, VIEWER, "Vic", Role::Viewer).await;
    common::add_user(db, EDITOR, "Eddie", Role::Editor).await;
    let editor_id = db.user_id_by_email(EDITOR).await.unwrap().unwrap();
    let customer = CustomerForm {
        external_ref: "C-GRACE".into(),
        name: "Grace Hopper".into(),
        email: FULL.into(),
        signed_up_at: "2025-03-01".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let customer = db.create_customer(&customer, editor_id).await.unwrap();
    let incident = IncidentForm {
        title: "Checkout outage".into(),
        kind: "outage".into(),
        severity: "sev2".into(),
        started_at: "2026-11-20T14:05".into(),
        ..Default::default()
    }
    .parse(IncidentStatus::Open)
    .unwrap();
    let incident = db.create_incident(&incident, editor_id).await.unwrap();
    db.confirm_affected(
        incident,
        &parse_list("C-GRACE").unwrap(),
        AffectedSource::Manual,
        editor_id,
    )
    .await
    .unwrap();
    let reply = ReplyForm {
        customer: "C-GRACE".into(),
        incident_id: incident.to_string(),
        channel: "email".into(),
        body: "Thanks for fixing it so fast.".into(),
        ..Default::default()
    }
    .parse(now_ms())
    .unwrap();
    db.create_reply(&reply, 0.6, editor_id).await.unwrap();
    let base = common::spawn(db.clone()).await;
    World {
        viewer: sign_in(&base, VIEWER).await,
        editor: sign_in(&base, EDITOR).await,
        base,
        editor_id,
        customer,
        incident,
    }
}

impl World {
    /// A server function's answer, called as a page calls it.
    async fn call(&self, who: &Client, path: &str, form: &[(&str, &str)]) -> String {
        let res = who
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.text().await.unwrap()
    }

    /// A page or file, read whole.
    async fn get(&self, who: &Client, path: &str) -> (u16, String) {
        let res = who
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// What a viewer may see: the mask, never the address.
fn masked(engine: &str, what: &str, body: &str) {
    assert!(
        !body.contains(FULL),
        "{engine}: {what} shows a viewer {FULL}"
    );
    assert!(body.contains(MASKED), "{engine}: {what} lacks {MASKED}");
}

fn whole(engine: &str, what: &str, body: &str) {
    assert!(body.contains(FULL), "{engine}: {what} lacks {FULL}");
}

#[tokio::test]
async fn the_customer_list_and_page_mask_addresses_for_viewers_only() {
    on_both(|db, engine| async move {
        let w = world(&db).await;
        let id = w.customer.to_string();

        let list = w.call(&w.viewer, "/api/fn/customers/list", &[]).await;
        assert_eq!(json(&list)["items"][0]["email"], MASKED, "{engine}");
        let one = w
            .call(&w.viewer, "/api/fn/customers/get", &[("id", &id)])
            .await;
        assert_eq!(json(&one)["customer"]["email"], MASKED, "{engine}");
        for path in ["/customers".to_string(), format!("/customers/{id}")] {
            let (status, page) = w.get(&w.viewer, &path).await;
            assert_eq!(status, 200, "{engine} {path}");
            masked(engine, &path, &page);
        }

        let list = w.call(&w.editor, "/api/fn/customers/list", &[]).await;
        assert_eq!(json(&list)["items"][0]["email"], FULL, "{engine}");
        let one = w
            .call(&w.editor, "/api/fn/customers/get", &[("id", &id)])
            .await;
        assert_eq!(json(&one)["customer"]["email"], FULL, "{engine}");
        for path in ["/customers".to_string(), format!("/customers/{id}")] {
            let (status, page) = w.get(&w.editor, &path).await;
            assert_eq!(status, 200, "{engine} {path}");
            whole(engine, &path, &page);
        }
    })
    .await;
}

#[tokio::test]
async fn the_api_masks_addresses_for_viewers_and_read_tokens() {
    on_both(|db, engine| async move {
        let w = world(&db).await;
        let api = Api::new(&w.base);
        let read = Caller::Token(token(&db, w.editor_id, TokenScope::Read, "read").await);
        let write = Caller::Token(token(&db, w.editor_id, TokenScope::Write, "write").await);
        let paths = [
            "/api/v1/customers".to_string(),
            format!("/api/v1/customers/{}", w.customer),
            "/api/v1/customers/by-ref/C-GRACE".to_string(),
        ];
        for (who, sees) in [
            (Caller::Cookie(w.viewer.clone()), MASKED),
            (read, MASKED),
            (Caller::Cookie(w.editor.clone()), FULL),
            (write, FULL),
        ] {
            for path in &paths {
                let a = api.get(&who, path).await;
                assert_eq!(a.status, 200, "{engine} {path}");
                let email = match a.json.get("items") {
                    Some(items) => &items[0]["email"],
                    None => &a.json["email"],
                };
                assert_eq!(email, sees, "{engine} {path}");
            }
        }
        api.check_contract().await;
    })
    .await;
}

#[tokio::test]
async fn a_viewer_cannot_find_a_customer_by_address() {
    on_both(|db, engine| async move {
        let w = world(&db).await;
        let api = Api::new(&w.base);
        let read = Caller::Token(token(&db, w.editor_id, TokenScope::Read, "read").await);
        let write = Caller::Token(token(&db, w.editor_id, TokenScope::Write, "write").await);
        let found = |text: &str| json(text)["total"].as_u64();

        for term in [FULL, "navy"] {
            let viewer = w
                .call(&w.viewer, "/api/fn/customers/list", &[("q", term)])
                .await;
            assert_eq!(found(&viewer), Some(0), "{engine}: {term}");
            let editor = w
                .call(&w.editor, "/api/fn/customers/list", &[("q", term)])
                .await;
            assert_eq!(found(&editor), Some(1), "{engine}: {term}");
        }
        // By name or ref a viewer finds them as before.
        let by_name = w
            .call(&w.viewer, "/api/fn/customers/list", &[("q", "hopper")])
            .await;
        assert_eq!(found(&by_name), Some(1), "{engine}");

        let (_, page) = w.get(&w.viewer, "/customers?q=grace%40navy.example").await;
        assert!(page.contains("No customers found"), "{engine}");
        assert!(!page.contains("Grace Hopper"), "{engine}");
        let (_, page) = w.get(&w.editor, "/customers?q=grace%40navy.example").await;
        assert!(page.contains("Grace Hopper"), "{engine}");

        let by_mail = "/api/v1/customers?search=grace%40navy.example";
        for (who, total) in [
            (Caller::Cookie(w.viewer.clone()), 0),
            (read, 0),
            (Caller::Cookie(w.editor.clone()), 1),
            (write, 1),
        ] {
            let a = api.get(&who, by_mail).await;
            assert_eq!(a.json["total"], total, "{engine}");
        }
    })
    .await;
}

#[tokio::test]
async fn incident_and_reply_reads_and_a_viewers_downloads_hold_no_address() {
    on_both(|db, engine| async move {
        let w = world(&db).await;
        let api = Api::new(&w.base);
        let read = Caller::Token(token(&db, w.editor_id, TokenScope::Read, "read").await);
        let inc = w.incident.to_string();
        let week = db.zone().week_of(now_ms());

        // Pages and the server functions behind them.
        for path in [format!("/incidents/{inc}"), "/replies".to_string()] {
            let (status, page) = w.get(&w.viewer, &path).await;
            assert_eq!(status, 200, "{engine} {path}");
            assert!(page.contains("Grace Hopper"), "{engine}: {path} lists her");
            assert!(!page.contains(FULL), "{engine}: {path}");
        }
        for (path, form) in [
            ("/api/fn/incidents/get", vec![("id", inc.as_str())]),
            ("/api/fn/replies/list", vec![]),
        ] {
            let body = w.call(&w.viewer, path, &form).await;
            assert!(body.contains("Grace Hopper"), "{engine}: {path} lists her");
            assert!(!body.contains(FULL), "{engine}: {path}");
        }
        // The API's incident and reply routes.
        for path in [
            format!("/api/v1/incidents/{inc}"),
            format!("/api/v1/incidents/{inc}/affected"),
            "/api/v1/replies".to_string(),
        ] {
            let a = api.get(&read, &path).await;
            assert_eq!(a.status, 200, "{engine} {path}");
            assert!(!a.text.contains(FULL), "{engine}: {path}");
        }
        // Every file a viewer may download: the weekly report in each format.
        for file in ["report.csv", "report.json", "report.md", "report.html"] {
            let path = format!("/reports/weekly/{week}/{file}");
            let (status, body) = w.get(&w.viewer, &path).await;
            assert_eq!(status, 200, "{engine} {path}");
            assert!(!body.contains(FULL), "{engine}: {path}");
        }
        // The mail merge holds addresses: editors only, whole.
        let merge = format!("/incidents/{inc}/apology.csv");
        assert_eq!(w.get(&w.viewer, &merge).await.0, 403, "{engine}");
        let (status, csv) = w.get(&w.editor, &merge).await;
        assert_eq!(status, 200, "{engine}");
        whole(engine, "the mail merge", &csv);
    })
    .await;
}

//! The REST API's records on both engines: customers (create, ETag/If-Match patch with churn,
//! the upsert a nightly sync runs, filters and cursor paging), replies (scored on save,
//! corrected and cleared), incidents with their status, notes, affected customers and
//! recovery actions, idempotent retries, and the errors bad requests get. Every answer is
//! checked against the OpenAPI document at the end.

mod common;

use app::domain::{Role, TokenScope};
use common::api::{token, Answer, Api, Caller};
use common::TestDb;
use reqwest::Method;
use serde_json::{json, Value};

struct Fixture {
    api: Api,
    w: Caller,
    engine: &'static str,
}

async fn fixture(t: &TestDb) -> Fixture {
    let base = common::spawn(t.db.clone()).await;
    common::add_user(&t.db, "ada@team.example", "Ada", Role::Admin).await;
    let admin =
        t.db.user_id_by_email("ada@team.example")
            .await
            .unwrap()
            .unwrap();
    Fixture {
        api: Api::new(&base),
        w: Caller::Token(token(&t.db, admin, TokenScope::Write, "nightly sync").await),
        engine: t.engine,
    }
}

impl Fixture {
    async fn send(&self, m: Method, path: &str, body: Option<Value>, h: &[(&str, &str)]) -> Answer {
        self.api.send(&self.w, m, path, body, h).await
    }
    async fn get(&self, path: &str) -> Answer {
        self.api.get(&self.w, path).await
    }
    async fn post(&self, path: &str, body: Value) -> Answer {
        self.api.post(&self.w, path, body).await
    }
}

fn problem(a: &Answer, status: u16, field: Option<&str>) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(a.json["status"], status);
    assert_eq!(a.json["field"].as_str(), field, "{}", a.text);
}

#[tokio::test]
async fn customers_create_patch_upsert_filter_and_page() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let f = fixture(&t).await;
        let e = f.engine;
        let made = f
            .post(
                "/api/v1/customers",
                json!({
                    "external_ref": "CRM-1", "name": "Grace Hopper", "email": "Grace@Navy.example",
                    "plan": "Pro", "monthly_revenue": {"amount": "99.50", "currency": "eur"},
                    "signed_up_at": "2025-03-01T09:30:00.250Z"
                }),
            )
            .await;
        assert_eq!(made.status, 201, "{e}: {}", made.text);
        let id = made.json["id"].as_i64().unwrap();
        assert_eq!(
            made.header("location"),
            Some(format!("/api/v1/customers/{id}"))
        );
        assert_eq!(made.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(made.json["email"], "grace@navy.example");
        assert_eq!(
            made.json["monthly_revenue"],
            json!({"amount": "99.50", "currency": "EUR"})
        );
        assert_eq!(
            made.json["signed_up_at"], "2025-03-01T09:30:00.250Z",
            "{e}: kept to the ms"
        );
        problem(
            &f.post(
                "/api/v1/customers",
                json!({"external_ref": "CRM-1", "signed_up_at": "2025-01-01"}),
            )
            .await,
            409,
            Some("external_ref"),
        );
        problem(
            &f.post(
                "/api/v1/customers",
                json!({"external_ref": "two words", "signed_up_at": "2025-01-01"}),
            )
            .await,
            422,
            Some("external_ref"),
        );
        problem(
            &f.post(
                "/api/v1/customers",
                json!({"external_ref": "C-9", "signed_up_at": "soon"}),
            )
            .await,
            422,
            Some("signed_up_at"),
        );
        problem(
            &f.post(
                "/api/v1/customers",
                json!({"external_ref": "C-9", "signed_up_at": "2025-01-01", "colour": "red"}),
            )
            .await,
            422,
            Some("colour"),
        );
        problem(&f.post("/api/v1/customers", json!({"external_ref": "C-9", "signed_up_at": "2025-01-01", "monthly_revenue": {"amount": "1.234", "currency": "USD"}})).await, 422, Some("monthly_revenue"));

        // Patch: If-Match is required, checked, and the answer carries the new version.
        let path = format!("/api/v1/customers/{id}");
        problem(
            &f.send(Method::PATCH, &path, Some(json!({"plan": "Team"})), &[])
                .await,
            428,
            Some("If-Match"),
        );
        problem(
            &f.send(
                Method::PATCH,
                &path,
                Some(json!({"plan": "Team"})),
                &[("if-match", "\"7\"")],
            )
            .await,
            412,
            Some("If-Match"),
        );
        let p = f
            .send(
                Method::PATCH,
                &path,
                Some(json!({"plan": "Team", "churned_at": "2026-10-01T12:00:00.000Z"})),
                &[("if-match", "\"1\"")],
            )
            .await;
        assert_eq!(p.status, 200, "{e}: {}", p.text);
        assert_eq!(
            p.header("etag").as_deref(),
            Some("\"2\""),
            "{e}: one change, one version"
        );
        assert_eq!(
            (p.json["plan"].as_str(), p.json["churned_at"].as_str()),
            (Some("Team"), Some("2026-10-01T12:00:00.000Z"))
        );
        assert_eq!(
            p.json["signed_up_at"], "2025-03-01T09:30:00.250Z",
            "{e}: untouched fields stay exact"
        );
        assert_eq!(p.json["name"], "Grace Hopper");
        problem(
            &f.send(
                Method::PATCH,
                &path,
                Some(json!({"plan": "X"})),
                &[("if-match", "\"1\"")],
            )
            .await,
            412,
            Some("If-Match"),
        );
        let back = f
            .send(
                Method::PATCH,
                &path,
                Some(json!({"churned_at": null, "email": null})),
                &[("if-match", "\"2\"")],
            )
            .await;
        assert_eq!(
            (back.json["churned_at"].clone(), back.json["email"].clone()),
            (Value::Null, Value::Null),
            "{e}"
        );
        problem(
            &f.send(
                Method::PATCH,
                &path,
                Some(json!({"churned_at": "2020-01-01"})),
                &[("if-match", "\"3\"")],
            )
            .await,
            422,
            Some("churned_at"),
        );
        let same = f
            .send(
                Method::PATCH,
                &path,
                Some(json!({"plan": "Team"})),
                &[("if-match", "\"3\"")],
            )
            .await;
        assert_eq!(
            same.header("etag").as_deref(),
            Some("\"3\""),
            "{e}: nothing changed, nothing written"
        );
        problem(
            &f.post("/api/v1/customers", json!({"external_ref": "C-10"}))
                .await,
            422,
            Some("signed_up_at"),
        );
        problem(
            &f.send(
                Method::PATCH,
                "/api/v1/customers/999999",
                Some(json!({})),
                &[("if-match", "\"1\"")],
            )
            .await,
            404,
            None,
        );

        // The nightly sync: created, then unchanged, then updated (churn set, then cleared).
        let body = json!({"name": "Nine", "plan": "Pro", "signed_up_at": "2025-05-01", "churned_at": "2026-11-01"});
        let a = f
            .send(
                Method::PUT,
                "/api/v1/customers/by-ref/CRM-9",
                Some(body.clone()),
                &[],
            )
            .await;
        assert_eq!(
            (a.status, a.json["outcome"].as_str()),
            (201, Some("created")),
            "{e}: {}",
            a.text
        );
        let a = f
            .send(
                Method::PUT,
                "/api/v1/customers/by-ref/CRM-9",
                Some(body),
                &[],
            )
            .await;
        assert_eq!(
            (a.status, a.json["outcome"].as_str()),
            (200, Some("unchanged")),
            "{e}"
        );
        let a = f
            .send(
                Method::PUT,
                "/api/v1/customers/by-ref/CRM-9",
                Some(json!({"name": "Nine", "plan": "Pro", "signed_up_at": "2025-05-01"})),
                &[],
            )
            .await;
        assert_eq!(
            a.json["outcome"], "unchanged",
            "{e}: absent churned_at leaves churn alone"
        );
        assert_eq!(a.json["customer"]["churned_at"], "2026-11-01T00:00:00.000Z");
        let a = f.send(Method::PUT, "/api/v1/customers/by-ref/CRM-9", Some(json!({"name": "Nine", "plan": "Enterprise", "signed_up_at": "2025-05-01", "churned_at": null})), &[]).await;
        assert_eq!(
            (
                a.json["outcome"].as_str(),
                a.json["customer"]["plan"].as_str()
            ),
            (Some("updated"), Some("Enterprise")),
            "{e}"
        );
        assert_eq!(a.json["customer"]["churned_at"], Value::Null);
        assert_eq!(
            f.get("/api/v1/customers/by-ref/CRM-9").await.json["version"],
            2,
            "{e}"
        );
        problem(&f.get("/api/v1/customers/by-ref/NOPE").await, 404, None);
        let early = json!({"signed_up_at": "2025-05-01", "churned_at": "2025-04-01"});
        problem(
            &f.send(
                Method::PUT,
                "/api/v1/customers/by-ref/CRM-10",
                Some(early),
                &[],
            )
            .await,
            422,
            Some("churned_at"),
        );
        problem(&f.get("/api/v1/customers/by-ref/CRM-10").await, 404, None);

        // Filters and paging: 3 more on plan Pro, pages of 2 with a Link to the next.
        for n in 0..3 {
            f.post("/api/v1/customers", json!({"external_ref": format!("P-{n}"), "plan": "Pro", "signed_up_at": "2025-01-01"})).await;
        }
        let first = f.get("/api/v1/customers?plan=Pro&limit=2").await;
        assert_eq!(
            (
                first.json["total"].as_u64(),
                first.json["items"].as_array().unwrap().len()
            ),
            (Some(3), 2),
            "{e}"
        );
        let cursor = first.json["next_cursor"].as_str().unwrap().to_string();
        assert_eq!(
            first.header("link"),
            Some(format!(
                "</api/v1/customers?plan=Pro&cursor={cursor}>; rel=\"next\""
            ))
        );
        let second = f
            .get(&format!("/api/v1/customers?plan=Pro&cursor={cursor}"))
            .await;
        let refs: Vec<&str> = first.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .chain(second.json["items"].as_array().unwrap())
            .map(|c| c["external_ref"].as_str().unwrap())
            .collect();
        assert_eq!(refs, ["P-0", "P-1", "P-2"], "{e}");
        assert_eq!(
            (second.json["next_cursor"].clone(), second.header("link")),
            (Value::Null, None)
        );
        assert_eq!(
            f.get("/api/v1/customers?churned=false&search=crm")
                .await
                .json["total"],
            2,
            "{e}"
        );
        assert_eq!(
            f.get("/api/v1/customers?churned=true").await.json["total"],
            0,
            "{e}"
        );
        problem(
            &f.get("/api/v1/customers?limit=0").await,
            422,
            Some("limit"),
        );
        problem(
            &f.get("/api/v1/customers?limit=lots").await,
            422,
            Some("limit"),
        );
        problem(
            &f.get("/api/v1/customers?cursor=forged").await,
            422,
            Some("cursor"),
        );
        problem(
            &f.get("/api/v1/customers?churned=maybe").await,
            422,
            Some("churned"),
        );
        problem(&f.get("/api/v1/customers/abc").await, 422, Some("path"));

        f.api.check_contract().await;
        t.drop_async().await;
    }
}

#[tokio::test]
async fn replies_are_scored_on_save_corrected_listed_and_retried_safely() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let f = fixture(&t).await;
        let e = f.engine;
        let c = f.post("/api/v1/customers", json!({"external_ref": "CRM-1", "name": "Grace", "email": "grace@navy.example", "signed_up_at": "2025-01-01"})).await.json["id"].as_i64().unwrap();
        let body = "Thanks, that was fast! Really appreciate the credit.";
        let a = f.post("/api/v1/replies", json!({"customer_email": "Grace@Navy.example", "channel": "email", "csat": 5, "body": body, "received_at": "2026-11-20T15:05:00+01:00"})).await;
        assert_eq!(a.status, 201, "{e}: {}", a.text);
        let score = app::sentiment::compound(body);
        assert_eq!(a.json["sentiment"]["auto"].as_f64(), Some(score));
        assert_eq!(a.json["sentiment"]["label"], "positive");
        assert_eq!(
            a.json["received_at"], "2026-11-20T14:05:00.000Z",
            "{e}: stored in UTC"
        );
        assert_eq!(a.json["customer_id"], c);
        let id = a.json["id"].as_i64().unwrap();
        assert_eq!(a.header("location"), Some(format!("/api/v1/replies/{id}")));
        let by_ref = f.post("/api/v1/replies", json!({"customer_ref": "CRM-1", "channel": "chat", "body": "This is the third outage this month. Terrible."})).await;
        assert_eq!(by_ref.json["sentiment"]["label"], "negative", "{e}");
        assert_eq!(
            f.post(
                "/api/v1/replies",
                json!({"customer_id": c, "channel": "phone", "body": "ok"})
            )
            .await
            .status,
            201
        );
        problem(
            &f.post(
                "/api/v1/replies",
                json!({"customer_ref": "NOPE", "channel": "email", "body": "x"}),
            )
            .await,
            422,
            Some("customer_ref"),
        );
        problem(
            &f.post(
                "/api/v1/replies",
                json!({"customer_id": c, "customer_ref": "CRM-1", "channel": "email", "body": "x"}),
            )
            .await,
            422,
            Some("customer_id"),
        );
        problem(
            &f.post(
                "/api/v1/replies",
                json!({"customer_id": c, "channel": "fax", "body": "x"}),
            )
            .await,
            422,
            Some("channel"),
        );
        problem(
            &f.post(
                "/api/v1/replies",
                json!({"customer_id": c, "channel": "email", "body": "x", "csat": 9}),
            )
            .await,
            422,
            Some("csat"),
        );
        problem(&f.post("/api/v1/replies", json!({"customer_id": c, "channel": "email", "body": "x", "received_at": "2099-01-01T00:00:00.000Z"})).await, 422, Some("received_at"));
        problem(
            &f.post(
                "/api/v1/replies",
                json!({"customer_id": c, "channel": "email", "body": " "}),
            )
            .await,
            422,
            Some("body"),
        );

        // A correction wins and is kept beside the automatic score; clearing restores it.
        let path = format!("/api/v1/replies/{id}/sentiment");
        let set = f
            .send(
                Method::PUT,
                &path,
                Some(json!({"score": -0.5, "reason": "sarcasm"})),
                &[],
            )
            .await;
        assert_eq!(
            (
                set.json["sentiment"]["effective"].as_f64(),
                set.json["sentiment"]["label"].as_str()
            ),
            (Some(-0.5), Some("negative")),
            "{e}"
        );
        assert_eq!(set.json["sentiment"]["auto"].as_f64(), Some(score));
        problem(
            &f.send(
                Method::PUT,
                &path,
                Some(json!({"score": 2, "reason": "x"})),
                &[],
            )
            .await,
            422,
            Some("score"),
        );
        problem(
            &f.send(
                Method::PUT,
                &path,
                Some(json!({"score": 0.1, "reason": ""})),
                &[],
            )
            .await,
            422,
            Some("reason"),
        );
        assert_eq!(
            f.get("/api/v1/replies?sentiment=negative").await.json["total"],
            2,
            "{e}"
        );
        let cleared = f.send(Method::DELETE, &path, None, &[]).await;
        assert_eq!(cleared.json["sentiment"]["manual"], Value::Null, "{e}");
        assert_eq!(cleared.json["sentiment"]["label"], "positive");
        problem(
            &f.send(
                Method::DELETE,
                "/api/v1/replies/999999/sentiment",
                None,
                &[],
            )
            .await,
            404,
            None,
        );
        assert_eq!(
            f.get(&format!("/api/v1/replies?customer={c}")).await.json["total"],
            3,
            "{e}"
        );
        problem(
            &f.get("/api/v1/replies?sentiment=happy").await,
            422,
            Some("sentiment"),
        );
        problem(
            &f.get("/api/v1/replies?incident=x").await,
            422,
            Some("incident"),
        );

        // Idempotent retries: the same key and body replays, another body is refused.
        let retry = json!({"customer_ref": "CRM-1", "channel": "chat", "body": "Still broken."});
        let k = [("idempotency-key", "0b7d1b52-retry")];
        let one = f
            .send(Method::POST, "/api/v1/replies", Some(retry.clone()), &k)
            .await;
        let two = f
            .send(Method::POST, "/api/v1/replies", Some(retry), &k)
            .await;
        assert_eq!((one.status, two.status), (201, 201), "{e}");
        assert_eq!(one.json, two.json, "{e}: the first answer, replayed");
        assert_eq!(two.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(two.header("location"), one.header("location"));
        assert_eq!(
            f.get(&format!("/api/v1/replies?customer={c}")).await.json["total"],
            4,
            "{e}: one reply, not two"
        );
        problem(
            &f.send(
                Method::POST,
                "/api/v1/replies",
                Some(json!({"customer_ref": "CRM-1", "channel": "chat", "body": "Other"})),
                &k,
            )
            .await,
            422,
            Some("Idempotency-Key"),
        );
        problem(
            &f.send(
                Method::POST,
                "/api/v1/replies",
                Some(json!({})),
                &[("idempotency-key", "")],
            )
            .await,
            422,
            Some("Idempotency-Key"),
        );

        let incident = json!({"title": "Retry me", "kind": "bug", "severity": "sev4", "started_at": "2026-11-01T00:00:00Z"});
        let k = [("idempotency-key", "incident-1")];
        let one = f
            .send(
                Method::POST,
                "/api/v1/incidents",
                Some(incident.clone()),
                &k,
            )
            .await;
        let two = f
            .send(Method::POST, "/api/v1/incidents", Some(incident), &k)
            .await;
        assert_eq!(
            (one.header("etag"), one.header("location")),
            (two.header("etag"), two.header("location")),
            "{e}: a replay keeps ETag and Location"
        );
        assert_eq!(two.header("etag").as_deref(), Some("\"1\""));

        // What bad requests get, as problems that name what is wrong.
        let url = format!("{}/api/v1/replies", f.api.base);
        let Caller::Token(tok) = &f.w else {
            unreachable!()
        };
        let raw = |body: Vec<u8>, ct: &str| {
            f.api
                .client()
                .post(&url)
                .bearer_auth(tok)
                .header("content-type", ct)
                .body(body)
        };
        problem(
            &f.api
                .send_raw(
                    Method::POST,
                    "/api/v1/replies",
                    raw(b"{".to_vec(), "application/json"),
                )
                .await,
            400,
            None,
        );
        problem(
            &f.api
                .send_raw(
                    Method::POST,
                    "/api/v1/replies",
                    raw(b"body=x".to_vec(), "application/x-www-form-urlencoded"),
                )
                .await,
            415,
            Some("Content-Type"),
        );
        problem(
            &f.api
                .send_raw(
                    Method::POST,
                    "/api/v1/replies",
                    raw(vec![b' '; 1_100_000], "application/json"),
                )
                .await,
            413,
            None,
        );
        problem(&f.get("/api/v1/no-such-thing").await, 404, None);

        f.api.check_contract().await;
        t.drop_async().await;
    }
}

#[tokio::test]
async fn incidents_statuses_notes_affected_and_actions() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let f = fixture(&t).await;
        let e = f.engine;
        let inc = f.post("/api/v1/incidents", json!({"title": "Checkout down", "kind": "outage", "severity": "sev1", "started_at": "2026-11-20T10:00:00.000Z", "detected_at": "2026-11-20T10:05:00.500Z"})).await;
        assert_eq!(inc.status, 201, "{e}: {}", inc.text);
        let i = inc.json["id"].as_i64().unwrap();
        assert_eq!(
            (
                inc.json["status"].as_str(),
                inc.json["detected_at"].as_str()
            ),
            (Some("open"), Some("2026-11-20T10:05:00.500Z"))
        );
        problem(&f.post("/api/v1/incidents", json!({"title": "x", "kind": "meteor", "severity": "sev1", "started_at": "2026-11-20T10:00:00.000Z"})).await, 422, Some("kind"));
        problem(&f.post("/api/v1/incidents", json!({"title": "x", "kind": "bug", "severity": "sev1", "started_at": "2026-11-20T10:00:00.000Z", "detected_at": "2026-11-20T09:00:00.000Z"})).await, 422, Some("detected_at"));

        let path = format!("/api/v1/incidents/{i}");
        let p = f
            .send(
                Method::PATCH,
                &path,
                Some(json!({"severity": "sev2"})),
                &[("if-match", "\"1\"")],
            )
            .await;
        assert_eq!(
            (
                p.status,
                p.json["severity"].as_str(),
                p.json["version"].as_i64()
            ),
            (200, Some("sev2"), Some(2)),
            "{e}: {}",
            p.text
        );
        assert_eq!(
            p.json["detected_at"], "2026-11-20T10:05:00.500Z",
            "{e}: untouched times stay exact"
        );
        problem(
            &f.send(Method::PATCH, &path, Some(json!({"severity": "sev3"})), &[])
                .await,
            428,
            Some("If-Match"),
        );
        problem(
            &f.send(
                Method::POST,
                &format!("{path}/status"),
                Some(json!({"status": "mitigated"})),
                &[("if-match", "\"1\"")],
            )
            .await,
            412,
            Some("If-Match"),
        );
        let s = f.post(&format!("{path}/status"), json!({"status": "resolved", "at": "2026-11-20T12:00:00.000Z", "note": "rolled back"})).await;
        assert_eq!(
            (
                s.status,
                s.json["status"].as_str(),
                s.json["resolved_at"].as_str()
            ),
            (200, Some("resolved"), Some("2026-11-20T12:00:00.000Z")),
            "{e}: {}",
            s.text
        );
        problem(
            &f.post(&format!("{path}/status"), json!({"status": "resolved"}))
                .await,
            422,
            Some("status"),
        );
        let notes = f
            .post(
                &format!("{path}/notes"),
                json!({"note": "Customers e-mailed."}),
            )
            .await;
        assert_eq!(notes.status, 201, "{e}");
        let kinds: Vec<&str> = notes
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        // In the order things happened: the status change is dated before the record was made.
        assert_eq!(kinds, ["status", "created", "edit", "note"], "{e}");
        assert_eq!(
            f.get(&format!("{path}/notes"))
                .await
                .json
                .as_array()
                .unwrap()
                .len(),
            4
        );
        problem(
            &f.post(&format!("{path}/notes"), json!({"note": ""})).await,
            422,
            Some("note"),
        );

        // Affected customers: a dry run reports and changes nothing; then all at once.
        f.post("/api/v1/customers", json!({"external_ref": "CRM-1", "name": "Grace", "email": "grace@navy.example", "signed_up_at": "2025-01-01"})).await;
        let list = json!({"customers": ["CRM-1", "new-7", "grace@navy.example", "ghost@nowhere.example", "bad ref"], "dry_run": true});
        let dry = f.post(&format!("{path}/affected"), list.clone()).await;
        assert_eq!(dry.status, 200, "{e}: {}", dry.text);
        let count = |a: &Answer, k: &str| a.json[k].as_array().unwrap().len();
        assert_eq!(
            (
                count(&dry, "matched"),
                count(&dry, "created"),
                count(&dry, "duplicate"),
                count(&dry, "malformed"),
                dry.json["linked"].as_u64()
            ),
            (1, 2, 1, 1, Some(0)),
            "{e}: {}",
            dry.text
        );
        assert_eq!(
            f.get(&format!("{path}/affected")).await.json["total"],
            0,
            "{e}: a dry run changes nothing"
        );
        let mut go = list;
        go["dry_run"] = json!(false);
        let done = f.post(&format!("{path}/affected"), go.clone()).await;
        assert_eq!(done.json["linked"], 3, "{e}: {}", done.text);
        let again = f.post(&format!("{path}/affected"), go).await;
        assert_eq!(
            (again.json["linked"].as_u64(), count(&again, "already")),
            (Some(0), 3),
            "{e}"
        );
        let affected = f.get(&format!("{path}/affected")).await;
        assert_eq!(affected.json["total"], 3);
        assert!(affected.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["source"] == "api"));
        problem(
            &f.post(&format!("{path}/affected"), json!({"customers": ["a,b"]}))
                .await,
            422,
            Some("customers[0]"),
        );
        problem(
            &f.post(
                &format!("{path}/affected"),
                json!({"customers": vec!["x"; 5001]}),
            )
            .await,
            422,
            Some("customers"),
        );
        problem(&f.get("/api/v1/incidents/999999/affected").await, 404, None);

        // Actions: to a selection, or to named customers — all or nothing.
        let g = f.post(&format!("{path}/actions"), json!({"to": "all", "kind": "credit", "value": {"amount": "10", "currency": "EUR"}, "cost": {"amount": "8", "currency": "EUR"}, "channel": "email", "note": "Sorry, {first_name}", "given_at": "2026-11-20T13:00:00.000Z"})).await;
        assert_eq!(
            (g.status, g.json["given"].as_u64()),
            (201, Some(3)),
            "{e}: {}",
            g.text
        );
        let grace = f.get("/api/v1/customers/by-ref/CRM-1").await.json["id"]
            .as_i64()
            .unwrap();
        problem(
            &f.post(
                &format!("{path}/actions"),
                json!({"customer_ids": [grace, 999999], "kind": "gift", "channel": "mail"}),
            )
            .await,
            422,
            Some("customer_ids"),
        );
        problem(
            &f.post(
                &format!("{path}/actions"),
                json!({"to": "all", "customer_ids": [grace], "kind": "gift", "channel": "mail"}),
            )
            .await,
            422,
            Some("to"),
        );
        problem(&f.post(&format!("{path}/actions"), json!({"to": "all", "kind": "gift", "channel": "mail", "value": {"amount": "1", "currency": "EUR"}, "cost": {"amount": "1", "currency": "USD"}})).await, 422, Some("cost"));
        let gift = json!({"customer_ids": [grace], "kind": "gift", "channel": "mail", "cost": {"amount": "12.5", "currency": "EUR"}});
        assert_eq!(
            f.post(&format!("{path}/actions"), gift).await.json["given"],
            1
        );
        let of_incident = f.get(&format!("{path}/actions")).await;
        assert_eq!(of_incident.json["total"], 4, "{e}");
        let first = &of_incident.json["items"][0];
        assert_eq!(
            (
                first["value"].clone(),
                first["cost"]["amount"].as_str(),
                first["given_at"].as_str()
            ),
            (
                json!({"amount": "10.00", "currency": "EUR"}),
                Some("8.00"),
                Some("2026-11-20T13:00:00.000Z")
            )
        );
        let mine = f.get(&format!("/api/v1/customers/{grace}/actions")).await;
        let notes: Vec<&str> = mine.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["note"].as_str().unwrap())
            .collect();
        assert_eq!(notes, ["Sorry, Grace", ""], "{e}");
        let counted = f.get(&path).await;
        assert_eq!(
            (
                counted.json["affected"].as_i64(),
                counted.json["actions"].as_i64(),
                counted.json["cost"].clone()
            ),
            (
                Some(3),
                Some(4),
                json!([{"amount": "36.50", "currency": "EUR"}])
            ),
            "{e}"
        );
        let listed = f
            .get("/api/v1/incidents?status=resolved&severity=sev2")
            .await;
        assert_eq!(listed.json["items"][0]["affected"], 3, "{e}");
        problem(
            &f.get("/api/v1/incidents?severity=sev9").await,
            422,
            Some("severity"),
        );
        problem(
            &f.get("/api/v1/incidents?from=2026-13-01").await,
            422,
            Some("from"),
        );
        problem(
            &f.get("/api/v1/incidents?from=2026-11-02&to=2026-11-01")
                .await,
            422,
            Some("to"),
        );

        // Removing a customer takes their actions for this incident with the link.
        let gone = f
            .send(
                Method::DELETE,
                &format!("{path}/affected/{grace}"),
                None,
                &[],
            )
            .await;
        assert_eq!(gone.status, 204, "{e}");
        assert_eq!(f.get(&format!("{path}/actions")).await.json["total"], 2);
        problem(
            &f.send(
                Method::DELETE,
                &format!("{path}/affected/{grace}"),
                None,
                &[],
            )
            .await,
            404,
            None,
        );

        // The analytics answer the same way for tokens as for the dashboard.
        let a = f
            .get("/api/v1/analytics/sentiment?from=2026-11-01&to=2026-12-01")
            .await;
        assert_eq!(a.status, 200, "{e}");
        assert_eq!(
            (
                a.json["groups"][0]["group"].as_str(),
                a.json["groups"][0]["cases"].as_u64()
            ),
            (Some("credit"), Some(2)),
            "{e}: {}",
            a.text
        );
        problem(
            &f.get("/api/v1/analytics/sentiment?from=nope").await,
            422,
            Some("from"),
        );
        problem(&f.get("/api/v1/analytics/mood").await, 404, None);

        f.api.check_contract().await;
        t.drop_async().await;
    }
}

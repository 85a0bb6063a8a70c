//! Who may use the REST API, on both engines: tokens (scope capped by role, one 401 for
//! every bad token, revoked, expired, deactivated owner), the cross-site check for cookies
//! only, the per-token rate limit, the audit of token changes, and the role matrix of every
//! documented operation × every role × cookie and both token scopes.

mod common;

use app::domain::{Role, TokenScope};
use app::store::Store;
use common::api::{sign_in, token, Api, Caller};
use common::TestDb;
use reqwest::Method;
use serde_json::json;

async fn user(db: &server::store::Db, email: &str, role: Role) -> i64 {
    common::add_user(db, email, role.label(), role).await;
    db.user_id_by_email(email).await.unwrap().unwrap()
}

fn customer(r: &str) -> serde_json::Value {
    json!({ "external_ref": r, "name": "Grace", "email": "grace@navy.example", "signed_up_at": "2025-03-01" })
}

#[tokio::test]
async fn tokens_act_as_their_owner_capped_by_scope_and_die_with_revocation_expiry_and_deactivation()
{
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let base = common::spawn(db.clone()).await;
        let api = Api::new(&base);
        let admin = user(&db, "ada@team.example", Role::Admin).await;
        let editor = user(&db, "eddie@team.example", Role::Editor).await;
        let viewer = user(&db, "vic@team.example", Role::Viewer).await;
        let admin_w = Caller::Token(token(&db, admin, TokenScope::Write, "admin sync").await);
        let admin_r = Caller::Token(token(&db, admin, TokenScope::Read, "admin read").await);
        let editor_w = Caller::Token(token(&db, editor, TokenScope::Write, "crm sync").await);
        let viewer_w = Caller::Token(token(&db, viewer, TokenScope::Write, "viewer w").await);

        // Everyone may read.
        for c in [&admin_w, &admin_r, &editor_w, &viewer_w] {
            assert_eq!(
                api.get(c, "/api/v1/customers").await.status,
                200,
                "{engine}"
            );
        }
        // Writing needs a write token of an editor or admin; no Origin header is needed.
        assert_eq!(
            api.post(&admin_w, "/api/v1/customers", customer("A-1"))
                .await
                .status,
            201
        );
        assert_eq!(
            api.post(&editor_w, "/api/v1/customers", customer("E-1"))
                .await
                .status,
            201
        );
        for c in [&admin_r, &viewer_w] {
            let a = api.post(c, "/api/v1/customers", customer("X-1")).await;
            assert_eq!(a.status, 403, "{engine}");
            assert_eq!(
                a.header("content-type").as_deref(),
                Some("application/problem+json")
            );
        }
        assert_eq!(db.customer_id_by_ref("X-1").await.unwrap(), None);
        // A read token acts as a viewer: e-mail addresses are masked.
        let seen = api.get(&admin_r, "/api/v1/customers/by-ref/A-1").await;
        assert_eq!(seen.json["email"], "g…@navy.example", "{engine}");
        let seen = api.get(&admin_w, "/api/v1/customers/by-ref/A-1").await;
        assert_eq!(seen.json["email"], "grace@navy.example", "{engine}");
        // …and cannot find customers by address either.
        let by_mail = "/api/v1/customers?search=grace%40navy";
        assert_eq!(
            api.get(&admin_r, by_mail).await.json["total"],
            0,
            "{engine}"
        );
        assert_eq!(
            api.get(&admin_w, by_mail).await.json["total"],
            2,
            "{engine}"
        );
        assert_eq!(
            api.get(&admin_r, "/api/v1/customers?search=a-1").await.json["total"],
            1
        );

        // The change is audited with the token's name, and the token's use is noted.
        let audit = db
            .list_audit(Some("customer".into()), None, Default::default())
            .await
            .unwrap();
        let e1 = audit
            .items
            .iter()
            .find(|a| a.after.as_deref().is_some_and(|s| s.contains("E-1")))
            .unwrap();
        assert_eq!(e1.via.as_deref(), Some("crm sync"), "{engine}");
        assert_eq!(e1.user.as_deref(), Some("Editor"));
        let mine = db.list_tokens(Some(editor)).await.unwrap();
        assert!(mine[0].last_used_at.is_some(), "{engine}: last use noted");

        // Every bad token gets the very same 401: unknown, malformed, revoked, expired.
        let unknown = Caller::Token(format!("amends_{}", "0".repeat(64)));
        let malformed = Caller::Token("amends_nope".into());
        let revoked_secret = token(&db, admin, TokenScope::Write, "soon revoked").await;
        let revoked_id = db.list_tokens(Some(admin)).await.unwrap()[0].id;
        db.revoke_token(revoked_id, Some(admin), admin)
            .await
            .unwrap();
        let expired_secret = token(&db, admin, TokenScope::Write, "expired").await;
        sqlx::query("UPDATE api_tokens SET expires_at = created_at + 1, created_at = created_at - 10 WHERE name = 'expired'")
            .execute(db.pool())
            .await
            .unwrap();
        let mut bodies = Vec::new();
        for c in [
            unknown,
            malformed,
            Caller::Token(revoked_secret),
            Caller::Token(expired_secret),
            Caller::Anonymous,
        ] {
            let a = api.get(&c, "/api/v1/customers").await;
            assert_eq!(a.status, 401, "{engine}");
            assert_eq!(
                a.header("www-authenticate").as_deref(),
                Some("Bearer realm=\"amends\"")
            );
            bodies.push(a.text);
        }
        bodies.dedup();
        assert_eq!(
            bodies.len(),
            1,
            "{engine}: a 401 never says why: {bodies:?}"
        );

        // Deactivating a person kills their tokens for good.
        db.update_user(editor, Role::Editor, false, admin)
            .await
            .unwrap();
        assert_eq!(api.get(&editor_w, "/api/v1/customers").await.status, 401);
        db.update_user(editor, Role::Editor, true, admin)
            .await
            .unwrap();
        assert_eq!(
            api.get(&editor_w, "/api/v1/customers").await.status,
            401,
            "{engine}"
        );
        assert!(db.list_tokens(Some(editor)).await.unwrap()[0]
            .revoked_at
            .is_some());

        // Making and revoking tokens is audited; the secret is never stored or logged.
        let audit = db
            .list_audit(Some("api_token".into()), None, Default::default())
            .await
            .unwrap();
        assert!(audit.items.iter().any(|a| a.action == "create"), "{engine}");
        assert!(audit.items.iter().any(|a| a
            .after
            .as_deref()
            .is_some_and(|s| s.contains("\"revoked\":true"))));
        let Caller::Token(secret) = &admin_w else {
            unreachable!()
        };
        let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM api_tokens")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert!(stored.iter().all(|h| !h.contains(&secret[7..])));
        assert!(audit.items.iter().all(|a| !a
            .after
            .clone()
            .unwrap_or_default()
            .contains(&secret[7..])));

        api.check_contract().await;
        t.drop_async().await;
    }
}

#[tokio::test]
async fn cookies_keep_the_cross_site_check_and_tokens_are_rate_limited() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let base =
            common::spawn_with(db.clone(), server::auth::bearer::TokenLimits::per_minute(3)).await;
        let api = Api::new(&base);
        let editor = user(&db, "eddie@team.example", Role::Editor).await;
        let cookie = sign_in(&base, "eddie@team.example").await;

        // A browser session writing without a same-site Origin is refused; with one it works.
        let res = cookie
            .post(format!("{base}/api/v1/customers"))
            .json(&customer("C-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{engine}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let ok = api
            .post(
                &Caller::Cookie(cookie.clone()),
                "/api/v1/customers",
                customer("C-2"),
            )
            .await;
        assert_eq!(ok.status, 201, "{engine}");

        // Without JavaScript the secret could not be shown: no token is made, and the page
        // says why.
        let plain = cookie
            .post(format!("{base}/api/fn/tokens/create"))
            .header("origin", &base)
            .header("referer", format!("{base}/account"))
            .header("accept", "text/html")
            .form(&[("name", "no js"), ("scope", "read"), ("expires", "")])
            .send()
            .await
            .unwrap();
        assert!(
            plain.status().is_redirection(),
            "{engine}: {}",
            plain.status()
        );
        let to = plain.headers()["location"].to_str().unwrap().to_string();
        assert!(to.contains("/account?"), "{engine}: {to}");
        let err = to
            .split("__err=")
            .nth(1)
            .expect("the refusal travels with the redirect");
        use base64::Engine;
        let said = base64::engine::general_purpose::STANDARD
            .decode(err.replace("%3D", "="))
            .unwrap();
        assert!(
            String::from_utf8_lossy(&said).contains("needs JavaScript"),
            "{engine}"
        );
        assert!(db.list_tokens(Some(editor)).await.unwrap().is_empty());

        // Three requests a minute for this token: the fourth waits, and says how long.
        let tok = Caller::Token(token(&db, editor, TokenScope::Read, "busy").await);
        for _ in 0..3 {
            assert_eq!(api.get(&tok, "/api/v1/customers").await.status, 200);
        }
        let limited = api.get(&tok, "/api/v1/customers").await;
        assert_eq!(limited.status, 429, "{engine}");
        let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{engine}: Retry-After {wait}");
        assert_eq!(limited.json["retry_after"], wait);
        // Another token has its own budget.
        let other = Caller::Token(token(&db, editor, TokenScope::Read, "quiet").await);
        assert_eq!(api.get(&other, "/api/v1/customers").await.status, 200);

        api.check_contract().await;
        t.drop_async().await;
    }
}

/// What each documented operation needs: `true` for a change (editor or admin, through a
/// cookie or a write token), `false` for a read (anyone signed in). A new operation without
/// a row here fails the matrix.
const OPERATIONS: &[(&str, &str, bool)] = &[
    ("get", "/api/v1/customers", false),
    ("post", "/api/v1/customers", true),
    ("get", "/api/v1/customers/{id}", false),
    ("patch", "/api/v1/customers/{id}", true),
    ("get", "/api/v1/customers/by-ref/{ref}", false),
    ("put", "/api/v1/customers/by-ref/{ref}", true),
    ("get", "/api/v1/customers/{id}/actions", false),
    ("get", "/api/v1/incidents", false),
    ("post", "/api/v1/incidents", true),
    ("get", "/api/v1/incidents/{id}", false),
    ("patch", "/api/v1/incidents/{id}", true),
    ("post", "/api/v1/incidents/{id}/status", true),
    ("get", "/api/v1/incidents/{id}/notes", false),
    ("post", "/api/v1/incidents/{id}/notes", true),
    ("get", "/api/v1/incidents/{id}/affected", false),
    ("post", "/api/v1/incidents/{id}/affected", true),
    (
        "delete",
        "/api/v1/incidents/{id}/affected/{customer_id}",
        true,
    ),
    ("get", "/api/v1/incidents/{id}/actions", false),
    ("post", "/api/v1/incidents/{id}/actions", true),
    ("get", "/api/v1/replies", false),
    ("post", "/api/v1/replies", true),
    ("get", "/api/v1/replies/{id}", false),
    ("put", "/api/v1/replies/{id}/sentiment", true),
    ("delete", "/api/v1/replies/{id}/sentiment", true),
    ("get", "/api/v1/analytics/{report}", false),
    ("get", "/api/v1/experiments", false),
    ("get", "/api/v1/experiments/{id}", false),
    ("post", "/api/v1/imports/{kind}", true),
];

#[tokio::test]
async fn role_matrix_of_every_operation_every_role_cookie_and_both_scopes() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let base = common::spawn(db.clone()).await;
        let api = Api::new(&base);
        let doc = api.document().await;
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
            }
        }
        for (m, p) in &documented {
            assert!(
                OPERATIONS.iter().any(|(om, op, _)| om == m && op == p),
                "{m} {p} is served but has no row in the role matrix"
            );
        }
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .map(|op| {
                op["operationId"]
                    .as_str()
                    .expect("every operation has an id")
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), OPERATIONS.len(), "operation ids are unique");
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(
            documented.len(),
            OPERATIONS.len(),
            "a matrix row names no operation"
        );

        // Records for the path parameters; bodies are `{}`, which an allowed caller gets a
        // 422 for, so the matrix changes nothing.
        let admin = user(&db, "ada@team.example", Role::Admin).await;
        let mut callers = vec![("anonymous".to_string(), None, Caller::Anonymous)];
        for (role, email) in [
            (Role::Viewer, "vic@team.example"),
            (Role::Editor, "eddie@team.example"),
            (Role::Admin, "ada@team.example"),
        ] {
            let id = if role == Role::Admin {
                admin
            } else {
                user(&db, email, role).await
            };
            let cookie = sign_in(&base, email).await;
            callers.push((
                format!("{} cookie", role.code()),
                Some((role, true)),
                Caller::Cookie(cookie),
            ));
            for scope in [TokenScope::Read, TokenScope::Write] {
                let tok = token(&db, id, scope, scope.code()).await;
                callers.push((
                    format!("{} {} token", role.code(), scope.code()),
                    Some((role, scope == TokenScope::Write)),
                    Caller::Token(tok),
                ));
            }
        }
        let owner = Caller::Token(token(&db, admin, TokenScope::Write, "setup").await);
        let c = api
            .post(&owner, "/api/v1/customers", customer("M-1"))
            .await
            .json["id"]
            .as_i64()
            .unwrap();
        let i = api
            .post(&owner, "/api/v1/incidents", json!({"title": "Down", "kind": "outage", "severity": "sev2", "started_at": "2026-11-01T10:00:00Z"}))
            .await
            .json["id"]
            .as_i64()
            .unwrap();
        let r = api
            .post(
                &owner,
                "/api/v1/replies",
                json!({"customer_id": c, "channel": "email", "body": "Thanks!"}),
            )
            .await
            .json["id"]
            .as_i64()
            .unwrap();
        for (method, template, writes) in OPERATIONS {
            let path = template
                .replace(
                    "{id}",
                    &if template.starts_with("/api/v1/customers") {
                        c
                    } else if template.starts_with("/api/v1/replies") {
                        r
                    } else {
                        i
                    }
                    .to_string(),
                )
                .replace("{ref}", "M-1")
                .replace("{customer_id}", "999999")
                .replace("{report}", "speed")
                .replace("{kind}", "replies");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body =
                matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
            for (who, rights, caller) in &callers {
                let a = api
                    .send(
                        caller,
                        method.clone(),
                        &path,
                        body.clone(),
                        &[("if-match", "*")],
                    )
                    .await;
                let expected = match rights {
                    None => Some(401),
                    Some((role, can_write))
                        if *writes && !(role.allows(Role::Editor) && *can_write) =>
                    {
                        Some(403)
                    }
                    _ => None,
                };
                match expected {
                    Some(code) => assert_eq!(
                        a.status, code,
                        "{engine}: {who} {method} {path}: {}",
                        a.text
                    ),
                    None => assert!(
                        ![401, 403].contains(&a.status) && a.status < 500,
                        "{engine}: {who} {method} {path} → {}: {}",
                        a.status,
                        a.text
                    ),
                }
            }
        }
        api.check_contract().await;
        t.drop_async().await;
    }
}

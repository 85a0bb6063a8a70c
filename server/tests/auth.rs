//! Accounts and sessions over HTTP, on both engines: first-run setup, sign-in without
//! account enumeration, session rotation and destruction, tampered cookies, and the role
//! matrix of every server function and page.

mod common;

use common::{client, spawn, PASSWORD};

use app::domain::Role;
use common::TestDb;
use reqwest::{Client, StatusCode};

async fn post_form(c: &Client, base: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(format!("{base}{path}"))
        .header("origin", base)
        .form(form)
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("amends_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

async fn add_user(db: &server::store::Db, email: &str, role: Role) {
    common::add_user(db, email, "Someone", role).await;
}

#[tokio::test]
async fn setup_login_rotation_logout_and_tampering() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let base = spawn(db.clone()).await;
        let c = client();

        // With nobody to sign in, every page leads to the one-time setup.
        let res = c.get(format!("{base}/incidents")).send().await.unwrap();
        assert_eq!(
            (res.status(), location(&res)),
            (StatusCode::SEE_OTHER, "/setup".into()),
            "{engine}"
        );

        // Setup validates at the edge and keeps what was typed (not the password).
        let weak = post_form(
            &c,
            &base,
            "/setup",
            &[
                ("name", "Ada"),
                ("email", "ada@team.example"),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
        assert!(
            location(&weak).starts_with("/setup?error=password"),
            "{engine}: {}",
            location(&weak)
        );
        assert!(
            location(&weak).contains("email=ada%40team.example")
                && !location(&weak).contains("short")
        );
        assert_eq!(db.active_user_count().await.unwrap(), 0);
        let mismatch = post_form(
            &c,
            &base,
            "/setup",
            &[
                ("name", "Ada"),
                ("email", "ada@team.example"),
                ("password", PASSWORD),
                ("confirm", "correct horse batterx"),
            ],
        )
        .await;
        assert!(location(&mismatch).starts_with("/setup?error=confirm"));

        let ok = post_form(
            &c,
            &base,
            "/setup",
            &[
                ("name", "Ada"),
                ("email", "Ada@Team.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
        assert_eq!(location(&ok), "/", "{engine}");
        let first = session_cookie(&ok).expect("setup signs the admin in");
        assert_eq!(
            c.get(format!("{base}/incidents"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );

        // Setup is one-time.
        let again = post_form(
            &client(),
            &base,
            "/setup",
            &[
                ("name", "Eve"),
                ("email", "eve@evil.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
        assert_eq!(location(&again), "/login?error=already_set_up", "{engine}");
        let page = client().get(format!("{base}/setup")).send().await.unwrap();
        assert_eq!(
            location(&page),
            "/login",
            "{engine}: setup page after setup"
        );
        assert_eq!(db.active_user_count().await.unwrap(), 1);

        // A wrong password and an unknown account get the very same answer.
        let wrong = post_form(
            &client(),
            &base,
            "/login",
            &[
                ("email", "x@team.example"),
                ("password", "wrong password here"),
            ],
        )
        .await;
        let unknown_pw = post_form(
            &client(),
            &base,
            "/login",
            &[
                ("email", "ada@team.example"),
                ("password", "wrong password here"),
            ],
        )
        .await;
        assert_eq!(
            location(&wrong).replace("x%40", "ada%40"),
            location(&unknown_pw),
            "{engine}: enumeration"
        );
        assert!(session_cookie(&wrong).is_none() && session_cookie(&unknown_pw).is_none());

        // Each sign-in issues a new session id.
        let c2 = client();
        let login = post_form(
            &c2,
            &base,
            "/login",
            &[
                ("email", "ada@team.example"),
                ("password", PASSWORD),
                ("next", "/customers?q=a"),
            ],
        )
        .await;
        assert_eq!(location(&login), "/customers?q=a");
        let second = session_cookie(&login).unwrap();
        assert_ne!(first, second, "{engine}: session id rotated");
        // An off-site `next` is ignored.
        let off = post_form(
            &client(),
            &base,
            "/login",
            &[
                ("email", "ada@team.example"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
        assert_eq!(location(&off), "/");

        // A tampered or made-up cookie is a stranger.
        let forged = no_jar_get(
            &base,
            "/incidents",
            &format!("amends_session={}", "0".repeat(64)),
        )
        .await;
        assert_eq!(forged.status(), 303);
        let altered = no_jar_get(
            &base,
            "/incidents",
            &format!(
                "{}{}",
                &second[..second.len() - 1],
                if second.ends_with('0') { '1' } else { '0' }
            ),
        )
        .await;
        assert_eq!(altered.status(), 303);

        // Logout destroys the session on the server: replaying the cookie fails.
        let out = post_form(&c2, &base, "/logout", &[]).await;
        assert_eq!(location(&out), "/login?signed_out=1");
        let replay = no_jar_get(&base, "/incidents", &second).await;
        assert_eq!(replay.status(), 303, "{engine}: session survived logout");
        assert_eq!(
            no_jar_get(&base, "/incidents", &first).await.status(),
            200,
            "other sessions live on"
        );

        // Sign-ins are in the audit log, never with a password.
        let rows: Vec<(String, Option<String>)> = sqlx::query_as::<_, (String, Option<String>)>(
            "SELECT action, after FROM audit_log ORDER BY id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert!(
            actions.starts_with(&[
                "create",
                "login_success",
                "login_failure",
                "login_failure",
                "login_success"
            ]),
            "{engine}: {actions:?}"
        );
        assert!(actions.contains(&"logout"));
        assert!(
            rows.iter()
                .all(|r| !r.1.clone().unwrap_or_default().contains("wrong password")),
            "password in audit log"
        );
        t.drop_async().await;
    }
}

async fn no_jar_get(base: &str, path: &str, cookie: &str) -> reqwest::Response {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// Who may call what, with a valid body for each. Every server function must have a row:
/// a new endpoint without one fails this test.
const SERVER_FN_MATRIX: &[(&str, Option<Role>, &str)] = &[
    // (path, least role allowed (None = anyone), form body)
    ("/api/fn/overview", Some(Role::Viewer), ""),
    (
        "/api/fn/dashboard",
        Some(Role::Viewer),
        "query[kind]=outage",
    ),
    ("/api/fn/incidents/analytics", Some(Role::Viewer), "id=1"),
    (
        "/api/fn/customers/sentiment-chart",
        Some(Role::Viewer),
        "id=1",
    ),
    ("/api/fn/incidents/list", Some(Role::Viewer), ""),
    ("/api/fn/incidents/get", Some(Role::Viewer), "id=1"),
    ("/api/fn/people/list", Some(Role::Viewer), ""),
    (
        "/api/fn/incidents/create",
        Some(Role::Editor),
        "title=Matrix&kind=outage&severity=sev3&started_at=2026-11-01T10%3A00",
    ),
    (
        "/api/fn/incidents/update",
        Some(Role::Editor),
        "id=1&version=VERSION&title=Edited+by+ME&kind=bug&severity=sev2\
         &started_at=2020-01-01T00%3A00&resolved_at=2020-01-02T00%3A00",
    ),
    (
        "/api/fn/incidents/status",
        Some(Role::Editor),
        "id=1&version=VERSION&status=NEXT&note=matrix",
    ),
    (
        "/api/fn/incidents/note",
        Some(Role::Editor),
        "id=1&note=Seen+by+ME",
    ),
    (
        "/api/fn/affected/preview",
        Some(Role::Editor),
        "incident=1&list=C-1%0Anot+a+ref",
    ),
    (
        "/api/fn/affected/confirm",
        Some(Role::Editor),
        "incident=1&list=matrix-ME",
    ),
    (
        "/api/fn/affected/remove",
        Some(Role::Editor),
        "incident=1&customer=AFFECTED",
    ),
    (
        "/api/fn/actions/give",
        Some(Role::Editor),
        "incident=1&target=all&kind=apology&currency=USD&channel=email&note=Sorry+%7Bfirst_name%7D",
    ),
    (
        "/api/fn/replies/create",
        Some(Role::Editor),
        "customer=matrix-ME&incident_id=1&channel=email&body=Thanks%2C+that+was+fast%21",
    ),
    (
        "/api/fn/replies/override",
        Some(Role::Editor),
        "id=1&score=-0.5&reason=sarcasm",
    ),
    ("/api/fn/customers/list", Some(Role::Viewer), "q=a"),
    ("/api/fn/customers/get", Some(Role::Viewer), "id=1"),
    (
        "/api/fn/customers/create",
        Some(Role::Editor),
        "external_ref=new-ME&name=New+customer&signed_up_at=2026-01-05",
    ),
    (
        "/api/fn/customers/update",
        Some(Role::Editor),
        "id=2&version=CVERSION&external_ref=edited-ME&name=Edited&signed_up_at=2000-01-01",
    ),
    (
        "/api/fn/customers/churn",
        Some(Role::Editor),
        "id=2&version=CVERSION&churned=false",
    ),
    (
        "/api/fn/replies/list",
        Some(Role::Viewer),
        "query[sentiment]=negative",
    ),
    ("/api/fn/session/whoami", None, ""),
    (
        "/api/fn/reports/weekly",
        Some(Role::Viewer),
        "week=2026-W46",
    ),
    ("/api/fn/reports/calendar", Some(Role::Viewer), ""),
    ("/api/fn/reports/schedule", Some(Role::Admin), ""),
    (
        "/api/fn/reports/schedule/save",
        Some(Role::Admin),
        "enabled=on&weekday=1&hour=9&recipients=lead%40example.com&slack=",
    ),
    ("/api/fn/reports/send", Some(Role::Admin), ""),
    ("/api/fn/experiments/list", Some(Role::Viewer), ""),
    ("/api/fn/experiments/one", Some(Role::Viewer), "id=1"),
    (
        "/api/fn/experiments/preview",
        Some(Role::Editor),
        "incident=1&target=all&kind=credit&holdout=50",
    ),
    ("/api/fn/users/list", Some(Role::Admin), ""),
    (
        "/api/fn/users/create",
        Some(Role::Admin),
        "name=New&email=NEW&role=viewer&password=seven+quiet+otters",
    ),
    (
        "/api/fn/users/update",
        Some(Role::Admin),
        "id=ME&role=admin&active=true",
    ),
    ("/api/fn/audit/list", Some(Role::Admin), "entity=user"),
    ("/api/fn/tokens/mine", Some(Role::Viewer), ""),
    ("/api/fn/tokens/all", Some(Role::Admin), ""),
    (
        "/api/fn/tokens/create",
        Some(Role::Viewer),
        "name=matrix&scope=read&expires=",
    ),
    ("/api/fn/tokens/revoke", Some(Role::Viewer), "id=MYTOKEN"),
    ("/api/fn/integrations/sources", Some(Role::Admin), ""),
    (
        "/api/fn/integrations/create",
        Some(Role::Admin),
        "kind=standard&name=matrix",
    ),
    (
        "/api/fn/integrations/rotate",
        Some(Role::Admin),
        "id=SOURCE",
    ),
    (
        "/api/fn/integrations/active",
        Some(Role::Admin),
        "id=SOURCE&active=true",
    ),
    (
        "/api/fn/integrations/deliveries",
        Some(Role::Admin),
        "status=held&page=1",
    ),
    ("/api/fn/integrations/retry", Some(Role::Admin), "id=HELD"),
    (
        "/api/fn/account/password",
        Some(Role::Viewer),
        "current=correct+horse+battery&new=another+fine+phrase&confirm=another+fine+phrase",
    ),
];

/// The role each page needs, by its route as the router lists it. The pages visited are the
/// router's own list (`pages()`), so a new page cannot be missed, and a row here for a route
/// that no longer exists fails the test.
const PAGE_ROLES: &[(&str, Option<Role>)] = &[
    ("/", Some(Role::Viewer)),
    ("/incidents", Some(Role::Viewer)),
    ("/incidents/:id", Some(Role::Viewer)),
    ("/incidents/new", Some(Role::Editor)),
    ("/incidents/:id/affected", Some(Role::Editor)),
    ("/incidents/:id/holdout", Some(Role::Editor)),
    ("/experiments", Some(Role::Viewer)),
    ("/experiments/:id", Some(Role::Viewer)),
    ("/customers", Some(Role::Viewer)),
    ("/customers/new", Some(Role::Editor)),
    ("/customers/:id", Some(Role::Viewer)),
    ("/replies", Some(Role::Viewer)),
    ("/reports", Some(Role::Viewer)),
    ("/reports/weekly/:week", Some(Role::Viewer)),
    ("/account", Some(Role::Viewer)),
    ("/admin/users", Some(Role::Admin)),
    ("/admin/audit", Some(Role::Admin)),
    ("/admin/integrations", Some(Role::Admin)),
    ("/import", Some(Role::Editor)),
    ("/login", None),
    ("/setup", None),
];

/// Pages served outside the Leptos router.
const OTHER_PAGES: &[(&str, Option<Role>)] = &[
    ("/healthz", None),
    // The API reference is public, like the sign-in pages.
    ("/api/docs", None),
    ("/api/v1/openapi.json", None),
];

/// Every page to visit: each route the router lists, with a real id and week in place of
/// its parameters, and the role it needs; then the pages outside the router.
fn pages() -> Vec<(String, Option<Role>)> {
    let routes: Vec<String> = server::http::route_list()
        .iter()
        .map(|r| r.path().replace('{', ":").replace('}', ""))
        .collect();
    for (pattern, _) in PAGE_ROLES {
        assert!(
            routes.iter().any(|r| r == pattern),
            "the role matrix lists {pattern}, which the router does not serve"
        );
    }
    let mut out: Vec<(String, Option<Role>)> = routes
        .iter()
        .map(|pattern| {
            let needed = PAGE_ROLES
                .iter()
                .find(|(p, _)| p == pattern)
                .unwrap_or_else(|| panic!("page {pattern} has no entry in the role matrix"))
                .1;
            let path = pattern.replace(":id", "1").replace(":week", "2026-W46");
            assert!(
                !path.contains(':'),
                "{pattern}: a parameter the matrix cannot fill"
            );
            (path, needed)
        })
        .collect();
    out.extend(OTHER_PAGES.iter().map(|(p, r)| (p.to_string(), *r)));
    out
}

/// Downloads and the JSON API: plain GET routes outside the pages and server functions.
const ROUTES: &[(&str, Role)] = &[
    ("/incidents/1/apology.csv", Role::Editor),
    ("/api/v1/analytics/sentiment", Role::Viewer),
    ("/api/v1/analytics/retention?format=csv", Role::Viewer),
    ("/api/v1/analytics/speed", Role::Viewer),
    ("/api/v1/analytics/repeat", Role::Viewer),
    ("/api/v1/analytics/weekly", Role::Viewer),
    ("/dashboard/sentiment.svg", Role::Viewer),
    ("/dashboard/retention.csv", Role::Viewer),
    ("/reports/weekly/2026-W46/report.csv", Role::Viewer),
    ("/reports/weekly/2026-W46/report.md", Role::Viewer),
    ("/reports/weekly/2026-W46/report.html", Role::Viewer),
    ("/reports/weekly/2026-W46/report.json", Role::Viewer),
];

/// Values the matrix's bodies need fresh before each call, so every allowed call can succeed:
/// incident 1's version, a status it is not in, one of its affected customers.
async fn matrix_value(db: &server::store::Db, what: &str) -> String {
    match what {
        "version" => sqlx::query_scalar::<_, i64>("SELECT version FROM incidents WHERE id = 1")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .to_string(),
        "cversion" => sqlx::query_scalar::<_, i64>("SELECT version FROM customers WHERE id = 2")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .to_string(),
        "next" => {
            let status: String = sqlx::query_scalar("SELECT status FROM incidents WHERE id = 1")
                .fetch_one(db.pool())
                .await
                .unwrap();
            if status == "open" {
                "mitigated"
            } else {
                "open"
            }
            .to_string()
        }
        _ => sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MIN(customer_id) FROM affected_customers WHERE incident_id = 1",
        )
        .fetch_one(db.pool())
        .await
        .unwrap()
        .unwrap_or(0)
        .to_string(),
    }
}

/// The newest webhook source (made by the matrix's own `integrations/create` row), and a
/// delivery that can be retried (held or failed; a retry leaves a failed one failed).
async fn webhook_value(db: &server::store::Db, what: &str) -> String {
    let sql = match what {
        "source" => "SELECT MAX(id) FROM webhook_sources",
        _ => "SELECT MIN(id) FROM webhook_deliveries WHERE status IN ('held', 'failed')",
    };
    sqlx::query_scalar::<_, Option<i64>>(sql)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .unwrap_or(0)
        .to_string()
}

/// The caller's newest API token (made by the matrix's own `tokens/create` row), to revoke.
async fn my_newest_token(db: &server::store::Db, user: i64) -> String {
    sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM api_tokens WHERE user_id = $1")
        .bind(user)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .unwrap_or(0)
        .to_string()
}

#[tokio::test]
async fn role_matrix_covers_every_server_function_and_page() {
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    for path in &registered {
        assert!(
            SERVER_FN_MATRIX.iter().any(|(p, _, _)| p == path),
            "server function {path} has no entry in the role matrix"
        );
    }
    assert_eq!(
        registered.len(),
        SERVER_FN_MATRIX.len(),
        "matrix lists a server function that does not exist"
    );
    // Every page the router serves has a role, and every role a page.
    let pages = pages();
    assert!(pages.len() >= PAGE_ROLES.len() + OTHER_PAGES.len());

    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        let world = server::demo::simulate(9, server::demo::Scale::Small, common::UNTIL);
        server::demo::write(&db, &world, false).await.unwrap();
        // A delivery that needs a person, for `integrations/retry`: its body cannot be
        // read, so processing it again fails it again.
        sqlx::query(
            "INSERT INTO webhook_sources (kind, name, slug, secret, created_at)
             VALUES ('standard', 'matrix', '0123456789abcdef0123456789abcdef',
                     'whsec_MDEyMzQ1Njc4OWFiY2RlZg==', 0)",
        )
        .execute(db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO webhook_deliveries (source_id, delivery_id, event_type, received_at, body, status)
             VALUES ((SELECT MIN(id) FROM webhook_sources), 'msg_matrix', '', 0, 'not json', 'failed')",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let base = spawn(db.clone()).await;
        let mut callers: Vec<(Option<Role>, Client, i64)> = vec![(None, client(), 0)];
        for role in [Role::Viewer, Role::Editor, Role::Admin] {
            let email = format!("{}@team.example", role.code());
            add_user(&db, &email, role).await;
            let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_one(db.pool())
                .await
                .unwrap();
            let c = client();
            let res = post_form(
                &c,
                &base,
                "/login",
                &[("email", &email), ("password", PASSWORD)],
            )
            .await;
            assert_eq!(location(&res), "/");
            callers.push((Some(role), c, id));
        }
        for (n, (caller_role, c, my_id)) in callers.iter().enumerate() {
            for (path, needed, body) in SERVER_FN_MATRIX {
                let body = body
                    .replace("NEW", &format!("new{n}%40team.example"))
                    .replace("MYTOKEN", &my_newest_token(&db, *my_id).await)
                    .replace("SOURCE", &webhook_value(&db, "source").await)
                    .replace("HELD", &webhook_value(&db, "held").await)
                    .replace("ME", &my_id.to_string())
                    .replace("CVERSION", &matrix_value(&db, "cversion").await)
                    .replace("VERSION", &matrix_value(&db, "version").await)
                    .replace("NEXT", &matrix_value(&db, "next").await)
                    .replace("AFFECTED", &matrix_value(&db, "affected").await);
                let res = c
                    .post(format!("{base}{path}"))
                    .header("origin", &base)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let allowed = match (needed, caller_role) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(n), Some(r)) => r.allows(*n),
                };
                let want = if allowed {
                    StatusCode::OK
                } else if caller_role.is_none() {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(res.status(), want, "{engine}: {path} as {:?}", caller_role);
            }
            for (path, needed) in ROUTES {
                let res = c.get(format!("{base}{path}")).send().await.unwrap();
                let want = match caller_role {
                    // A browser following a download link is sent to sign in first.
                    None if !path.starts_with("/api/") => StatusCode::SEE_OTHER,
                    None => StatusCode::UNAUTHORIZED,
                    Some(r) if r.allows(*needed) => StatusCode::OK,
                    Some(_) => StatusCode::FORBIDDEN,
                };
                assert_eq!(res.status(), want, "{engine}: {path} as {caller_role:?}");
            }
            for (path, needed) in &pages {
                let res = c.get(format!("{base}{path}")).send().await.unwrap();
                if path == "/setup" {
                    // One-time: with users present it leads everyone to sign-in.
                    assert_eq!(
                        (res.status(), location(&res)),
                        (StatusCode::SEE_OTHER, "/login".into()),
                        "{engine}"
                    );
                    continue;
                }
                let allowed =
                    needed.is_none() || caller_role.is_some_and(|r| r.allows(needed.unwrap()));
                if allowed {
                    assert_eq!(
                        res.status(),
                        StatusCode::OK,
                        "{engine}: page {path} as {:?}",
                        caller_role
                    );
                } else if caller_role.is_none() {
                    assert_eq!(
                        res.status(),
                        StatusCode::SEE_OTHER,
                        "{engine}: page {path} as anonymous"
                    );
                    assert!(location(&res).starts_with("/login?next="));
                } else {
                    assert_eq!(
                        res.status(),
                        StatusCode::FORBIDDEN,
                        "{engine}: page {path} as {caller_role:?}"
                    );
                    let html = res.text().await.unwrap();
                    assert!(
                        html.contains("This part of Amends is for"),
                        "{engine}: {path}"
                    );
                }
            }
        }
        t.drop_async().await;
    }
}

#[tokio::test]
async fn sign_in_is_throttled_per_address_and_per_account() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        add_user(&db, "ada@team.example", Role::Admin).await;
        let base = spawn(db.clone()).await;

        // Ten failures a minute from one address, then even the right password waits.
        for i in 0..10 {
            let res = post_form(
                &client(),
                &base,
                "/login",
                &[
                    ("email", "ada@team.example"),
                    ("password", "wrong password here"),
                ],
            )
            .await;
            assert!(
                location(&res).starts_with("/login?error=invalid"),
                "{engine}: attempt {i}"
            );
        }
        let res = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "ada@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert!(
            location(&res).starts_with("/login?error=throttled&wait=1"),
            "{engine}: {}",
            location(&res)
        );
        assert!(session_cookie(&res).is_none());
        // The same holds for an email nobody has: no hint whether the account exists.
        let res = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "nobody@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert!(
            location(&res).starts_with("/login?error=throttled"),
            "{engine}"
        );

        // A hundred failures an hour for one account, from anywhere, lock that account only.
        let now = server::auth::session::now_ms();
        sqlx::query("DELETE FROM audit_log")
            .execute(db.pool())
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        for i in 0..100 {
            let ip = format!("10.0.{}.{}", i / 250, i % 250);
            server::store::audit(
                &mut tx,
                now - 30 * 60_000 + i,
                None,
                "login_failure",
                "session",
                Some("ada@team.example"),
                None,
                None,
                Some(&ip),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let res = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "ada@team.example"), ("password", PASSWORD)],
        )
        .await;
        let loc = location(&res);
        assert!(
            loc.starts_with("/login?error=throttled&wait=30"),
            "{engine}: {loc}"
        );
        add_user(&db, "grace@team.example", Role::Viewer).await;
        let other = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "grace@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(
            location(&other),
            "/",
            "{engine}: other accounts are not locked"
        );
        t.drop_async().await;
    }
}

#[tokio::test]
async fn the_last_admin_stays_and_deactivation_ends_sessions_with_an_audit_trail() {
    use app::store::Store;
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        add_user(&db, "ada@team.example", Role::Admin).await;
        add_user(&db, "vic@team.example", Role::Viewer).await;
        let users = db.list_users().await.unwrap();
        let (ada, vic) = (users[0].id, users[1].id);
        assert_eq!(users[0].role, Role::Admin, "{engine}: admins listed first");

        // The only admin can neither be demoted nor deactivated.
        for (role, active) in [(Role::Editor, true), (Role::Admin, false)] {
            let err = db.update_user(ada, role, active, ada).await.unwrap_err();
            assert!(
                err.to_string().contains("at least one admin"),
                "{engine}: {err}"
            );
        }
        // With a second admin, the first may step down.
        db.update_user(vic, Role::Admin, true, ada).await.unwrap();
        db.update_user(ada, Role::Viewer, true, vic).await.unwrap();

        // Deactivating ends their sessions at once.
        let base = spawn(db.clone()).await;
        let c = client();
        let res = post_form(
            &c,
            &base,
            "/login",
            &[("email", "ada@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(location(&res), "/");
        assert_eq!(
            c.get(format!("{base}/customers"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        db.update_user(ada, Role::Viewer, false, vic).await.unwrap();
        assert_eq!(
            c.get(format!("{base}/customers"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "{engine}: session outlived deactivation"
        );
        let again = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "ada@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert!(
            location(&again).starts_with("/login?error=invalid"),
            "{engine}: deactivated user signed in"
        );

        let audit = db
            .list_audit(
                Some("user".into()),
                Some("update".into()),
                app::domain::PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(audit.total, 3, "{engine}");
        let last = &audit.items[0];
        assert_eq!(last.entity_id.as_deref(), Some(ada.to_string().as_str()));
        assert_eq!(
            last.before.as_deref(),
            Some(r#"{"active":true,"role":"viewer"}"#)
        );
        assert_eq!(
            last.after.as_deref(),
            Some(r#"{"active":false,"role":"viewer"}"#)
        );
        t.drop_async().await;
    }
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_other_sessions() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        add_user(&db, "ada@team.example", Role::Editor).await;
        let base = spawn(db.clone()).await;
        let (laptop, phone) = (client(), client());
        for c in [&laptop, &phone] {
            let res = post_form(
                c,
                &base,
                "/login",
                &[("email", "ada@team.example"), ("password", PASSWORD)],
            )
            .await;
            assert_eq!(location(&res), "/");
        }
        let change = |current: &'static str, new: &'static str, confirm: &'static str| {
            let laptop = laptop.clone();
            let url = format!("{base}/api/fn/account/password");
            let origin = base.clone();
            async move {
                laptop
                    .post(url)
                    .header("origin", origin)
                    .form(&[("current", current), ("new", new), ("confirm", confirm)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let wrong = change(
            "not my password",
            "another fine phrase",
            "another fine phrase",
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(wrong
            .text()
            .await
            .unwrap()
            .contains("not your current password"));
        let weak = change(PASSWORD, "short", "short").await;
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let ok = change(PASSWORD, "another fine phrase", "another fine phrase").await;
        assert_eq!(ok.status(), StatusCode::OK, "{engine}");

        assert_eq!(
            laptop
                .get(format!("{base}/customers"))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "this session lives"
        );
        assert_eq!(
            phone
                .get(format!("{base}/customers"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "{engine}: other session ended"
        );
        let old = post_form(
            &client(),
            &base,
            "/login",
            &[("email", "ada@team.example"), ("password", PASSWORD)],
        )
        .await;
        assert!(location(&old).starts_with("/login?error=invalid"));
        let new = post_form(
            &client(),
            &base,
            "/login",
            &[
                ("email", "ada@team.example"),
                ("password", "another fine phrase"),
            ],
        )
        .await;
        assert_eq!(location(&new), "/");
        let leaked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE after LIKE '%argon2%' OR after LIKE '%another fine%'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(leaked, 0, "{engine}: password or hash in the audit log");
        t.drop_async().await;
    }
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_absolute_timeouts() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        add_user(&db, "ada@team.example", Role::Viewer).await;
        let id: i64 = sqlx::query_scalar("SELECT id FROM users")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let (idle, hour) = (30 * 60_000, 3_600_000);
        let t0 = 1_000_000_000_000;
        db.start_session("s1", id, t0, t0 + 12 * hour, None)
            .await
            .unwrap();
        // A fresh session is alive just before the idle limit; another, untouched, is gone
        // just after it.
        db.start_session("s0", id, t0, t0 + 12 * hour, None)
            .await
            .unwrap();
        assert!(
            db.session_user("s0", t0 + idle - 1, idle)
                .await
                .unwrap()
                .is_some(),
            "{engine}"
        );
        assert!(
            db.session_user("s1", t0 + idle + 1, idle)
                .await
                .unwrap()
                .is_none(),
            "{engine}: idle session lived"
        );
        // Activity keeps it alive (seen more than a minute later refreshes the clock)...
        db.start_session("s2", id, t0, t0 + 12 * hour, None)
            .await
            .unwrap();
        let mut now = t0;
        while now < t0 + 12 * hour - 20 * 60_000 {
            now += 20 * 60_000;
            assert!(
                db.session_user("s2", now, idle).await.unwrap().is_some(),
                "{engine}: active session ended at {now}"
            );
        }
        // ...but never past the absolute limit.
        assert!(
            db.session_user("s2", t0 + 12 * hour + 1, idle)
                .await
                .unwrap()
                .is_none(),
            "{engine}: past 12 h"
        );
        t.drop_async().await;
    }
}

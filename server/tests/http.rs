//! HTTP behaviour of the real router on a random port: health, pages, 404, request ids.

mod common;

use common::{spawn, PASSWORD};

use app::domain::Role;
use common::{TestDb, UNTIL};
use server::demo::{simulate, write, Scale};

/// A client with its own cookie jar, signed in as a new user of `role`.
async fn signed_in(db: &server::store::Db, base: &str, role: Role) -> reqwest::Client {
    let email = format!("{}-{}@team.example", role.code(), rand_suffix());
    common::add_user(db, &email, role.label(), role).await;
    let client = common::client();
    let res = client
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/", "sign-in as {role:?} failed");
    client
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn health_pages_and_not_found() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let engine = t.engine;
        let world = simulate(3, Scale::Small, UNTIL);
        write(&t.db, &world, false).await.unwrap();
        let base = spawn(t.db.clone()).await;
        let client = signed_in(&t.db, &base, Role::Viewer).await;

        let health = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200, "{engine}");
        assert!(
            health.headers().get("x-request-id").is_some(),
            "request id echoed"
        );
        let body: serde_json::Value = health.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], "ok");

        let newest = world.incidents.iter().max_by_key(|i| i.started_at).unwrap();
        let list = client
            .get(format!("{base}/incidents"))
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), 200);
        let html = list.text().await.unwrap();
        assert!(
            html.contains(&escape(&newest.title)),
            "{engine}: newest incident listed"
        );
        assert!(html.contains("Page 1 of"), "{engine}: pager shown");

        let missing = client
            .get(format!("{base}/no/such/page"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404, "{engine}");
        let html = missing.text().await.unwrap();
        assert!(html.contains("We lost this page"));
        assert!(html.contains("href=\"/\""), "404 links home");

        let no_incident = client
            .get(format!("{base}/incidents/999999"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            no_incident.status(),
            404,
            "{engine}: unknown incident is a 404"
        );
        let bad_id = client
            .get(format!("{base}/incidents/abc"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad_id.status(), 404);

        // Pages carry a CSP whose nonce is the one on the hydration script.
        let page = client.get(format!("{base}/")).send().await.unwrap();
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(page.headers()["x-content-type-options"], "nosniff");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .expect("nonce in CSP");
        let html = page.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{engine}: script nonce matches CSP"
        );
        let again = client.get(format!("{base}/")).send().await.unwrap();
        assert!(
            !again.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains(nonce),
            "nonce is per response"
        );

        // A page goes out gzipped to a client that accepts it, and plain to one that does
        // not; unpacked, it is the same page but for its nonce (one per response).
        let nonce_of = |res: &reqwest::Response| {
            let csp = res.headers()["content-security-policy"].to_str().unwrap();
            csp.split("'nonce-")
                .nth(1)
                .and_then(|s| s.split('\'').next())
                .unwrap()
                .to_string()
        };
        let plain = client.get(format!("{base}/login")).send().await.unwrap();
        assert!(
            plain.headers().get("content-encoding").is_none(),
            "{engine}"
        );
        let plain_nonce = nonce_of(&plain);
        let plain = plain.text().await.unwrap().replace(&plain_nonce, "NONCE");
        let packed = client
            .get(format!("{base}/login"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(packed.headers()["content-encoding"], "gzip", "{engine}");
        let packed_nonce = nonce_of(&packed);
        let bytes = packed.bytes().await.unwrap();
        let mut unpacked = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unpacked)
            .unwrap();
        assert!(bytes.len() < plain.len(), "{engine}: gzip made it smaller");
        assert_eq!(unpacked.replace(&packed_nonce, "NONCE"), plain, "{engine}");

        // Unsafe requests from another origin, or with no origin at all, are refused.
        let fn_url = format!("{base}/api/fn/overview");
        let host = base.trim_start_matches("http://").to_string();
        let cross = client
            .post(&fn_url)
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(cross.status(), 403, "{engine}: cross-origin POST");
        let bare = client.post(&fn_url).send().await.unwrap();
        assert_eq!(
            bare.status(),
            403,
            "{engine}: POST without Origin or Referer"
        );
        let own = client
            .post(&fn_url)
            .header("origin", format!("http://{host}"))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 200, "{engine}: same-origin POST");
        let by_referer = client
            .post(&fn_url)
            .header("referer", format!("{base}/incidents"))
            .send()
            .await
            .unwrap();
        assert_eq!(by_referer.status(), 200, "{engine}: same-origin Referer");

        // When the database goes away, health says so.
        t.db.close().await;
        let down = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(down.status(), 503, "{engine}");
        let body: serde_json::Value = down.json().await.unwrap();
        assert_eq!(body["database"], "unavailable");
        // A signed-in person gets the friendly page (not the sign-in page), API callers a
        // sentence; neither carries the driver's error.
        let page = client
            .get(format!("{base}/incidents"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            503,
            "{engine}: page while the database is down"
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains("can’t reach its database"),
            "{engine}: {html}"
        );
        assert!(
            !html.to_lowercase().contains("pool"),
            "{engine}: no internals"
        );
        let api = client
            .post(format!("{base}/api/fn/incidents/list"))
            .header("origin", &base)
            .send()
            .await
            .unwrap();
        assert_eq!(
            api.status(),
            503,
            "{engine}: API while the database is down"
        );
        t.drop_async().await;
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#x27;")
}

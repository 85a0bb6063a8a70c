//! Whose address sign-in throttling counts, on both engines: forwarding headers only from a
//! trusted proxy, and failures from one address that pause that address for an account
//! without locking its owner out elsewhere, under the account's own cap.

mod common;

use app::domain::Role;
use common::{client, on_both, spawn, spawn_behind, TestDb, PASSWORD};
use server::auth::throttle::{reserve, PER_ACCOUNT, PER_ACCOUNT_AND_IP};
use server::store::login_attempts::Reservation;

const ADA: Option<&str> = Some("ada@team.example");
const MINUTE: i64 = 60_000;

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

/// Post the sign-in form with these extra headers; where it sends us.
async fn sign_in(base: &str, password: &str, headers: &[(&str, &str)]) -> String {
    let mut req = client()
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[("email", "ada@team.example"), ("password", password)]);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 303);
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn audited_ips(db: &server::store::Db, action: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT ip FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;

        // Straight from the client: the headers are the client's own words, ignored.
        let base = spawn(db.clone()).await;
        for i in 0..10 {
            let claimed = format!("203.0.113.{i}");
            let forwarded = format!("for={claimed}");
            let to = sign_in(
                &base,
                "wrong password here",
                &[
                    ("x-forwarded-for", claimed.as_str()),
                    ("forwarded", forwarded.as_str()),
                ],
            )
            .await;
            assert!(to.starts_with("/login?error=invalid"), "{engine}: {to}");
        }
        let to = sign_in(&base, PASSWORD, &[("x-forwarded-for", "198.51.100.7")]).await;
        assert!(to.starts_with("/login?error=throttled"), "{engine}: {to}");
        let ips = audited_ips(&db, "login_failure").await;
        assert!(
            ips.len() == 10 && ips.iter().all(|ip| ip == "127.0.0.1"),
            "{engine}: {ips:?}"
        );
        sqlx::query("DELETE FROM audit_log")
            .execute(db.pool())
            .await
            .unwrap();

        // Behind a trusted proxy (the tests connect from 127.0.0.1): the right-most hop it
        // did not write itself is the client, whatever the client put to its left.
        let base = spawn_behind(db.clone(), "127.0.0.0/8, ::1").await;
        for i in 0..10 {
            let xff = format!("198.51.100.{i}, 203.0.113.9");
            let to = sign_in(&base, "wrong password here", &[("x-forwarded-for", &xff)]).await;
            assert!(to.starts_with("/login?error=invalid"), "{engine}: {to}");
        }
        for headers in [
            [("x-forwarded-for", "203.0.113.9")],
            [("forwarded", "for=\"203.0.113.9:4711\";proto=https")],
        ] {
            let to = sign_in(&base, PASSWORD, &headers).await;
            assert!(
                to.starts_with("/login?error=throttled&wait=15"),
                "{engine}: {headers:?} {to}"
            );
        }
        // The owner, from another address behind the same proxy, signs in.
        let to = sign_in(&base, PASSWORD, &[("x-forwarded-for", "198.51.100.7")]).await;
        assert_eq!(to, "/", "{engine}");
        assert_eq!(
            audited_ips(&db, "login_failure").await,
            vec!["203.0.113.9"; 10],
            "{engine}"
        );
        assert_eq!(
            audited_ips(&db, "login_success").await,
            vec!["198.51.100.7"],
            "{engine}"
        );
        t.drop_async().await;
    }
}

#[tokio::test]
async fn an_ipv6_client_is_throttled_by_its_64_network() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine) = (t.db.clone(), t.engine);
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        let base = spawn_behind(db.clone(), "127.0.0.0/8, ::1").await;
        // Ten failures, each from another address of one /64.
        for i in 1..=10 {
            let from = format!("2001:db8:1:2::{i:x}");
            let to = sign_in(&base, "wrong password here", &[("x-forwarded-for", &from)]).await;
            assert!(to.starts_with("/login?error=invalid"), "{engine}: {to}");
        }
        // A new address of the same /64 waits, even with the right password ...
        let to = sign_in(
            &base,
            PASSWORD,
            &[("x-forwarded-for", "2001:db8:1:2:ffff::1")],
        )
        .await;
        assert!(to.starts_with("/login?error=throttled"), "{engine}: {to}");
        // ... while the next /64 over is another client.
        let to = sign_in(&base, PASSWORD, &[("x-forwarded-for", "2001:db8:1:3::1")]).await;
        assert_eq!(to, "/", "{engine}");
        // The audit log counts the network and keeps each client's own address.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT ip, after FROM audit_log WHERE action = 'login_failure' ORDER BY id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(rows.len(), 10, "{engine}");
        for (i, (net, after)) in rows.iter().enumerate() {
            assert_eq!(net, "2001:db8:1:2::/64", "{engine}");
            let after: serde_json::Value = serde_json::from_str(after).unwrap();
            assert_eq!(
                after["address"],
                format!("2001:db8:1:2::{:x}", i + 1),
                "{engine}"
            );
        }
        t.drop_async().await;
    }
}

#[tokio::test]
async fn failing_from_one_address_all_hour_does_not_lock_the_owner_out() {
    on_both(|db, engine| async move {
        let start = common::UNTIL;
        // Someone at one address tries Ada's password all hour, as fast as they are let.
        let mut checked = 0;
        for minute in 0..60 {
            for second in 0..11 {
                let now = start + minute * MINUTE + second * 1_000;
                let r = reserve(&db, ip("203.0.113.9"), ADA, now).await.unwrap();
                checked += i64::from(matches!(r, Reservation::Granted(_)));
            }
        }
        assert_eq!(checked, 4 * PER_ACCOUNT_AND_IP.0, "{engine}");
        let end = start + 59 * MINUTE;
        let from_them = reserve(&db, ip("203.0.113.9"), ADA, end).await.unwrap();
        assert!(
            matches!(from_them, Reservation::Wait(ms) if ms <= PER_ACCOUNT_AND_IP.1),
            "{engine}: {from_them:?}"
        );
        // Ada, at her own address, may still try her password.
        let from_ada = reserve(&db, ip("198.51.100.7"), ADA, end).await.unwrap();
        assert!(
            matches!(from_ada, Reservation::Granted(_)),
            "{engine}: {from_ada:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn many_addresses_together_meet_the_accounts_cap() {
    on_both(|db, engine| async move {
        let start = common::UNTIL;
        let mut checked = 0;
        for address in 0..15 {
            for i in 0..PER_ACCOUNT_AND_IP.0 {
                let from = format!("203.0.113.{address}");
                let now = start + address * MINUTE + i;
                let r = reserve(&db, ip(&from), ADA, now).await.unwrap();
                checked += i64::from(matches!(r, Reservation::Granted(_)));
            }
        }
        assert_eq!(checked, PER_ACCOUNT.0, "{engine}");
        // Now nobody, Ada included, may try this account's password for a while; other
        // accounts are untouched.
        let now = start + 20 * MINUTE;
        let from_ada = reserve(&db, ip("198.51.100.7"), ADA, now).await.unwrap();
        assert!(
            matches!(from_ada, Reservation::Wait(ms) if ms > 30 * MINUTE),
            "{engine}: {from_ada:?}"
        );
        let other = reserve(&db, ip("198.51.100.7"), Some("grace@team.example"), now)
            .await
            .unwrap();
        assert!(
            matches!(other, Reservation::Granted(_)),
            "{engine}: {other:?}"
        );
    })
    .await;
}

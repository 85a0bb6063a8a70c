//! Whose address sign-in throttling counts, on both engines: failures from one address
//! pause that address for an account without locking its owner out elsewhere, under the
//! account's own cap.

mod common;

use common::on_both;
use server::auth::throttle::{reserve, PER_ACCOUNT, PER_ACCOUNT_AND_IP};
use server::store::login_attempts::Reservation;

const ADA: Option<&str> = Some("ada@team.example");
const MINUTE: i64 = 60_000;

#[tokio::test]
async fn failing_from_one_address_all_hour_does_not_lock_the_owner_out() {
    on_both(|db, engine| async move {
        let start = common::UNTIL;
        // Someone at one address tries Ada's password all hour, as fast as they are let.
        let mut checked = 0;
        for minute in 0..60 {
            for second in 0..11 {
                let now = start + minute * MINUTE + second * 1_000;
                let r = reserve(&db, "203.0.113.9", ADA, now).await.unwrap();
                checked += i64::from(matches!(r, Reservation::Granted(_)));
            }
        }
        assert_eq!(checked, 4 * PER_ACCOUNT_AND_IP.0, "{engine}");
        let end = start + 59 * MINUTE;
        let from_them = reserve(&db, "203.0.113.9", ADA, end).await.unwrap();
        assert!(
            matches!(from_them, Reservation::Wait(ms) if ms <= PER_ACCOUNT_AND_IP.1),
            "{engine}: {from_them:?}"
        );
        // Ada, at her own address, may still try her password.
        let from_ada = reserve(&db, "198.51.100.7", ADA, end).await.unwrap();
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
                let ip = format!("203.0.113.{address}");
                let now = start + address * MINUTE + i;
                let r = reserve(&db, &ip, ADA, now).await.unwrap();
                checked += i64::from(matches!(r, Reservation::Granted(_)));
            }
        }
        assert_eq!(checked, PER_ACCOUNT.0, "{engine}");
        // Now nobody, Ada included, may try this account's password for a while; other
        // accounts are untouched.
        let now = start + 20 * MINUTE;
        let from_ada = reserve(&db, "198.51.100.7", ADA, now).await.unwrap();
        assert!(
            matches!(from_ada, Reservation::Wait(ms) if ms > 30 * MINUTE),
            "{engine}: {from_ada:?}"
        );
        let other = reserve(&db, "198.51.100.7", Some("grace@team.example"), now)
            .await
            .unwrap();
        assert!(
            matches!(other, Reservation::Granted(_)),
            "{engine}: {other:?}"
        );
    })
    .await;
}

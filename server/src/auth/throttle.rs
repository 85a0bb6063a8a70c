//! Sign-in throttling, counted from the audit log (so it holds across every `amends`
//! process sharing the database), each attempt counted before its password is checked:
//!
//! - 10 failures a minute from one address, whatever accounts they name;
//! - 10 failures in 15 minutes for one account from one address — failing from one place
//!   pauses that place, not the account's owner signing in from another;
//! - 100 failures an hour for one account from all addresses together, a cap on guessing
//!   one password from many places. One address cannot reach it alone (at most 40 an hour).
//!
//! The same rules apply to an e-mail address nobody has, so a pause says nothing about
//! whether an account exists. An IPv6 client counts by its /64 network: one subscriber
//! usually holds a whole /64 and could otherwise try from 2^64 addresses.

use crate::store::login_attempts::{Failures, LoginAttempt, Reservation};
use crate::store::Db;
use app::error::StoreError;
use std::net::{IpAddr, Ipv6Addr};

/// (failures, window in ms) from one address.
pub const PER_IP: (i64, i64) = (10, 60_000);
/// For one account from one address.
pub const PER_ACCOUNT_AND_IP: (i64, i64) = (10, 15 * 60_000);
/// For one account from anywhere.
pub const PER_ACCOUNT: (i64, i64) = (100, 3_600_000);

/// Reserve a sign-in attempt before its password is checked: `Wait` when this address or
/// account must wait first, else `Granted` with the attempt already counted as a failure
/// (so parallel attempts see each other). `email` is `None` when what was typed is not an
/// e-mail address.
pub async fn reserve(
    db: &Db,
    client: IpAddr,
    email: Option<&str>,
    now: i64,
) -> Result<Reservation, StoreError> {
    let key = address_key(client);
    let full = client.to_string();
    let attempt = LoginAttempt {
        ip: &key,
        address: (full != key).then_some(full.as_str()),
        email,
        now,
        ip_since: now - PER_IP.1,
        pair_since: now - PER_ACCOUNT_AND_IP.1,
        account_since: now - PER_ACCOUNT.1,
    };
    db.reserve_login_attempt(&attempt, |f| wait_ms(now, f))
        .await
}

/// What failures from `ip` are counted under: an IPv4 address itself (also when written
/// as IPv4-mapped IPv6), an IPv6 address's /64 network.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
}

/// How long until an address and account with these recent failures may try again.
pub fn wait_ms(now: i64, f: &Failures) -> Option<i64> {
    [
        retry_after(now, f.ip.0, f.ip.1, PER_IP),
        retry_after(now, f.pair.0, f.pair.1, PER_ACCOUNT_AND_IP),
        retry_after(now, f.account.0, f.account.1, PER_ACCOUNT),
    ]
    .into_iter()
    .flatten()
    .max()
}

/// With `n` failures in the window, the earliest at `first`: when the window frees a slot.
pub fn retry_after(
    now: i64,
    n: i64,
    first: Option<i64>,
    (limit, window): (i64, i64),
) -> Option<i64> {
    (n >= limit).then(|| {
        first
            .map(|f| (f + window - now).max(1_000))
            .unwrap_or(window)
    })
}

/// "Try again in 3 minutes."
pub fn in_words(wait_ms: i64) -> String {
    let minutes = (wait_ms + 59_999) / 60_000;
    if minutes <= 1 {
        "Try again in a minute.".into()
    } else {
        format!("Try again in {minutes} minutes.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_by_its_64_network() {
        let key = |s: &str| super::address_key(s.parse().unwrap());
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("::1"), "::/64");
    }

    #[test]
    fn waits_until_the_oldest_failure_leaves_the_window() {
        assert_eq!(retry_after(100_000, 9, Some(50_000), PER_IP), None);
        assert_eq!(retry_after(100_000, 10, Some(50_000), PER_IP), Some(10_000));
        assert_eq!(
            retry_after(100_000, 10, Some(40_000), PER_IP),
            Some(1_000),
            "at least a second"
        );
        assert_eq!(in_words(10_000), "Try again in a minute.");
        assert_eq!(in_words(3_600_000 - 1), "Try again in 60 minutes.");
        assert_eq!(in_words(150_000), "Try again in 3 minutes.");
    }

    #[test]
    fn the_longest_of_the_three_waits_applies() {
        let now = 10_000_000;
        let f = |ip: i64, pair: i64, account: i64| Failures {
            ip: (ip, Some(now - 30_000)),
            pair: (pair, Some(now - 5 * 60_000)),
            account: (account, Some(now - 50 * 60_000)),
        };
        assert_eq!(wait_ms(now, &f(9, 9, 99)), None);
        assert_eq!(wait_ms(now, &f(10, 9, 99)), Some(30_000));
        assert_eq!(wait_ms(now, &f(10, 10, 99)), Some(10 * 60_000));
        assert_eq!(wait_ms(now, &f(10, 10, 100)), Some(10 * 60_000));
        assert_eq!(wait_ms(now, &f(0, 0, 100)), Some(10 * 60_000));
        // One address alone stays far below the account's cap.
        assert!(PER_ACCOUNT_AND_IP.0 * (PER_ACCOUNT.1 / PER_ACCOUNT_AND_IP.1) < PER_ACCOUNT.0);
    }
}

//! Sign-in throttling: at most 10 failures a minute from one address and 100 an hour for
//! one account. Counted from the audit log, so it holds across every `amends` process
//! sharing the database.

use crate::store::Db;
use app::error::StoreError;

pub const PER_IP: (i64, i64) = (10, 60_000);
pub const PER_ACCOUNT: (i64, i64) = (100, 3_600_000);

/// How long until this address and account may try again; `None` when they may now.
pub async fn wait_ms(db: &Db, ip: &str, email: &str, now: i64) -> Result<Option<i64>, StoreError> {
    let ((ip_n, ip_first), (acct_n, acct_first)) = db
        .login_failures(ip, now - PER_IP.1, email, now - PER_ACCOUNT.1)
        .await?;
    Ok(retry_after(now, ip_n, ip_first, PER_IP)
        .into_iter()
        .chain(retry_after(now, acct_n, acct_first, PER_ACCOUNT))
        .max())
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
}

//! Trying a store call again while the database is unavailable, where that is safe: a read,
//! or a write that records what is already done. A change made and then answered 503
//! because the read that follows it met a broken connection would be made twice by the
//! client's retry, so the reads that answer a change go through here.

use app::error::StoreError;
use std::future::Future;
use std::time::Duration;

/// Waits before each further try, about six seconds in all: a pooled connection a restart
/// broke fails once, and the pool opens a new one for the next try; while a database is
/// restarting, several pooled connections in a row may be broken ones. A change already
/// made is answered after the restart rather than 503 (which a client would retry into a
/// second change).
const WAITS_MS: [u64; 7] = [50, 100, 250, 500, 1_000, 2_000, 2_000];

/// `call`, tried up to eight times while it answers `Unavailable`.
pub async fn when_unavailable<T, F, Fut>(call: F) -> Result<T, StoreError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut result = call().await;
    for wait in WAITS_MS {
        if !matches!(result, Err(StoreError::Unavailable)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(wait)).await;
        result = call().await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn tries_again_only_while_unavailable_and_at_most_eight_times() {
        let calls = AtomicU32::new(0);
        let flaky = || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                Err(StoreError::Unavailable)
            } else {
                Ok(n)
            }
        };
        assert_eq!(when_unavailable(flaky).await, Ok(1));
        let calls = AtomicU32::new(0);
        let down = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(StoreError::Unavailable)
        };
        assert_eq!(when_unavailable(down).await, Err(StoreError::Unavailable));
        assert_eq!(calls.load(Ordering::SeqCst), 8);
        let calls = AtomicU32::new(0);
        let missing = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(StoreError::NotFound)
        };
        assert_eq!(when_unavailable(missing).await, Err(StoreError::NotFound));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

//! Password rules and hashing: argon2id with m = 19 MiB, t = 2, p = 1, run off the async
//! threads (hashing takes tens of milliseconds on purpose).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// What is wrong with a proposed password, in words for the person choosing it.
pub fn check_strength(password: &str, email: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!(
            "Use at least {MIN_LEN} characters (a few words make a good one); this has {n}."
        ));
    }
    if n > MAX_LEN {
        return Err(format!("Use at most {MAX_LEN} characters."));
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 5 {
        return Err("That password repeats too few characters; mix in more.".into());
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if (local.len() >= 4 && lower.contains(&local))
        || ["password", "amends", "123456789", "qwerty"]
            .iter()
            .any(|w| lower.contains(w))
    {
        return Err("That password is too easy to guess; avoid your email, “password” and the product name.".into());
    }
    Ok(())
}

fn hasher() -> Argon2<'static> {
    // 19 MiB, 2 passes, 1 lane: OWASP's argon2id baseline.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How many argon2 runs may go at once: one per CPU. Each takes 19 MiB and a core for tens
/// of milliseconds, so a flood of sign-ins waits its turn here instead of exhausting memory.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// Run a hashing job on the blocking threads once a slot is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _slot = hashing_slots().acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// PHC string of `password` with a fresh salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// True when `password` matches the stored hash. A malformed or locked hash (such as the
/// demo team's `!`) never matches. Without a stored hash, a dummy is verified anyway so a
/// wrong email takes as long as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    bounded(move || {
        let dummy = dummy_hash();
        let phc = stored.as_deref().unwrap_or(dummy);
        let Ok(parsed) = PasswordHash::new(phc) else {
            let _ = hasher().verify_password(
                password.as_bytes(),
                &PasswordHash::new(dummy).expect("dummy parses"),
            );
            return false;
        };
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"not a real password, only for timing", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rules_explain_themselves() {
        assert!(check_strength("short", "a@b.c")
            .unwrap_err()
            .contains("at least 12"));
        assert!(check_strength(&"x".repeat(129), "a@b.c")
            .unwrap_err()
            .contains("at most 128"));
        assert!(check_strength("aaaaaaaaaaaaaa", "a@b.c")
            .unwrap_err()
            .contains("repeats"));
        assert!(check_strength("grace.hopper-rocks", "grace.hopper@navy.example").is_err());
        assert!(check_strength("my password is long", "x@y.z").is_err());
        assert!(check_strength("correct horse battery", "x@y.z").is_ok());
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_there_are_cpus() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs: Vec<_> = (0..slots * 4)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                tokio::spawn(bounded(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(
            (1..=slots).contains(&most),
            "{most} at once with {slots} slots"
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_with_the_agreed_cost() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(h)).await);
        assert!(
            !verify("anything".into(), Some("!".into())).await,
            "locked hash never matches"
        );
        assert!(
            !verify("not a real password, only for timing".into(), None).await,
            "dummy never logs in"
        );
    }
}

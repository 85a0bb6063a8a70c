//! API token secrets: `amends_` followed by 64 hex digits (256 random bits). The database
//! keeps only the SHA-256 of a secret; with that much entropy a fast hash is enough, and it
//! lets a request find its token by one indexed lookup.

use crate::domain::token::PREFIX;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A new secret, its hash and its hint (the last four characters).
pub struct Secret {
    pub secret: String,
    pub hash: String,
    pub hint: String,
}

pub fn new_secret() -> Secret {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", hex(&bytes));
    Secret {
        hash: hash(&secret),
        hint: secret[secret.len() - 4..].to_string(),
        secret,
    }
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// True when `s` has the shape of a secret (checked before any lookup).
pub fn well_formed(s: &str) -> bool {
    s.strip_prefix(PREFIX)
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_stored_hashed() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.secret.starts_with("amends_") && a.secret.len() == 71);
        assert!(well_formed(&a.secret));
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hint, a.secret[67..]);
        assert!(!a.hash.contains(&a.secret[7..]));
        // SHA-256 of "abc", the FIPS 180-2 test vector.
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_well_formed_secrets_are_looked_up() {
        assert!(!well_formed("amends_xyz"));
        assert!(!well_formed(&format!("other_{}", "a".repeat(64))));
        assert!(!well_formed(&format!("amends_{}", "g".repeat(64))));
    }
}

//! Secrets handed to people (session cookies, links, API tokens): random,
//! and stored only as SHA-256 hashes so a database leak opens no account.

use rand::Rng;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 hex characters, with a readable prefix.
pub fn new_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_unique_and_hashes_stable() {
        let a = super::new_secret("kz_");
        assert!(a.starts_with("kz_") && a.len() == 67);
        assert_ne!(a, super::new_secret("kz_"));
        assert_eq!(super::hash(&a), super::hash(&a));
        assert_ne!(super::hash(&a), a);
    }
}

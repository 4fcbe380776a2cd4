//! Password hashing (Argon2id, m=19456 KiB, t=2, p=1) and the shape rules of CONTRACT.md.
//!
//! Hashing is deliberately slow, so it runs on a blocking thread and never stalls the async
//! workers. Logins for unknown accounts verify against a dummy hash so that they take as long as
//! a wrong password and timing does not reveal which accounts exist.

use std::sync::OnceLock;

use argon2::{
    password_hash::{PasswordHasher, PasswordVerifier},
    Algorithm, Argon2, Params, Version,
};

use crate::{
    model::validate,
    server::{
        error::{ApiError, Error, Result},
        secret::Secret,
    },
};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A stored password hash (PHC string). Deliberately not `Serialize`: it never leaves the server.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

pub async fn hash(password: &Secret) -> Result<PasswordHash> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.expose().as_bytes())
            .map(|h| PasswordHash(h.to_string()))
            .map_err(|e| Error::internal(format!("argon2 hash: {e}")))
    })
    .await?
}

/// Whether `password` matches `stored`. With `None` (no such account) it still does the work of
/// one verification against a dummy hash, then answers false.
pub async fn verify(password: &Secret, stored: Option<&str>) -> Result<bool> {
    let password = password.clone();
    let stored = stored.map(str::to_owned);
    let known = stored.is_some();
    // The dummy hash is made (once) on the blocking pool too: hashing on an async worker would
    // stall every request that worker carries.
    let ok = tokio::task::spawn_blocking(move || {
        let hash = stored.as_deref().unwrap_or_else(|| dummy_hash());
        argon2().verify_password(password.expose().as_bytes(), hash).is_ok()
    })
    .await?;
    Ok(ok && known)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        argon2().hash_password(b"not-a-real-password-0").expect("hashing a constant cannot fail").to_string()
    })
}

/// Corp members: 6–16 characters.
pub fn check_member_password(field: &str, password: &Secret) -> Result<(), ApiError> {
    validate::member_password(field, password.expose())
}

/// Dealers, heavy buyers and organization users: 9–16 with upper, lower and a digit.
pub fn check_strong_password(field: &str, password: &Secret) -> Result<(), ApiError> {
    validate::strong_password(field, password.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let h = hash(&Secret::new("secret-1")).await.unwrap();
        assert!(h.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&Secret::new("secret-1"), Some(&h.0)).await.unwrap());
        assert!(!verify(&Secret::new("secret-2"), Some(&h.0)).await.unwrap());
        assert!(!verify(&Secret::new("not-a-real-password-0"), None).await.unwrap());
    }

    #[test]
    fn password_shapes() {
        assert!(check_member_password("password", &Secret::new("12345")).is_err());
        assert!(check_member_password("password", &Secret::new("123456")).is_ok());
        assert!(check_member_password("password", &Secret::new("12345678901234567")).is_err());
        assert!(check_strong_password("password", &Secret::new("Abcdefgh1")).is_ok());
        assert!(check_strong_password("password", &Secret::new("abcdefgh1")).is_err());
        assert!(check_strong_password("password", &Secret::new("ABCDEFGH1")).is_err());
        assert!(check_strong_password("password", &Secret::new("Abcdefghi")).is_err());
        assert!(check_strong_password("password", &Secret::new("Abc1")).is_err());
    }
}

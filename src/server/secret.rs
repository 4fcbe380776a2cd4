//! Random identifiers, the one-way hashes tokens are stored as, and the sealing of the secrets
//! the platform must be able to read back (a vendor's official-account and merchant keys).

use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// `bytes` random bytes from the OS, hex-encoded (so 16 bytes → 32 characters, 128 bits).
pub fn random_hex(bytes: usize) -> String {
    hex(&random_bytes(bytes))
}

/// SHA-256 of a token, hex-encoded. Tokens carry 256 random bits, so a fast hash suffices: the
/// stored value cannot be turned back into a usable token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Hex text back to bytes (`None` unless it is whole bytes of hex digits).
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.chunks(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

/// The 256-bit key secrets are sealed with (`SECRETS_KEY`, or the key file): never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SealKey(pub [u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(***)")
    }
}

impl SealKey {
    /// A new random key.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        key.copy_from_slice(&random_bytes(32));
        Self(key)
    }

    /// 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = unhex(text.trim())?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The key kept in `path`, made there (readable by the owner only) when there is none, so
    /// a server needs no setting to keep secrets; several app servers share one `SECRETS_KEY`.
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Self> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return Self::from_hex(&text)
                .ok_or_else(|| std::io::Error::other(format!("{}: not 64 hex digits", path.display())));
        }
        let key = Self::random();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        use std::io::Write;
        options.open(path)?.write_all(hex(&key.0).as_bytes())?;
        Ok(key)
    }

    /// `plain` sealed: `v1:` and the hex of a random nonce and the ChaCha20-Poly1305 ciphertext.
    /// The empty string stays empty (a secret that is not set).
    pub fn seal(&self, plain: &str) -> String {
        use chacha20poly1305::{aead::Aead, KeyInit, XChaCha20Poly1305, XNonce};
        if plain.is_empty() {
            return String::new();
        }
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.0));
        let nonce_bytes = random_bytes(24);
        let nonce = XNonce::from_slice(&nonce_bytes);
        let sealed = cipher.encrypt(nonce, plain.as_bytes()).expect("sealing a short secret cannot fail");
        format!("v1:{}{}", hex(&nonce_bytes), hex(&sealed))
    }

    /// What [`seal`](Self::seal) sealed; `None` when it was sealed under another key or altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        use chacha20poly1305::{aead::Aead, KeyInit, XChaCha20Poly1305, XNonce};
        if sealed.is_empty() {
            return Some(String::new());
        }
        let bytes = unhex(sealed.strip_prefix("v1:")?)?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.0));
        let plain = cipher.decrypt(XNonce::from_slice(nonce), ciphertext).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// A string that never shows its content in `Debug` output, so a password cannot reach a log
/// through a `tracing` field or a panic message.
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_long_and_distinct() {
        let a = random_hex(16);
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_hex(16));
    }

    #[test]
    fn sealed_secrets_open_only_under_their_key() {
        let key = SealKey::random();
        let sealed = key.seal("wx-merchant-secret");
        assert!(sealed.starts_with("v1:") && !sealed.contains("wx-merchant-secret"));
        assert_ne!(sealed, key.seal("wx-merchant-secret"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).as_deref(), Some("wx-merchant-secret"));
        assert_eq!(SealKey::random().open(&sealed), None);
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('0') { '1' } else { '0' });
        assert_eq!(key.open(&altered), None);
        assert_eq!(key.seal(""), "");
        assert_eq!(SealKey::from_hex(&hex(&key.0)), Some(key.clone()));
        assert_eq!(format!("{key:?}"), "SealKey(***)");
    }

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}

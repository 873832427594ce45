//! End-to-end encryption: the keys and what they seal (see ARCHITECTURE.md,
//! "End-to-end encryption"). Audited crates only — Argon2id (`argon2`),
//! HKDF-SHA-256 (`hkdf`, `sha2`), AES-256-GCM (`aes-gcm`), X25519
//! (`x25519-dalek`) — composed here; nothing in this module is a primitive
//! of its own. Plain Rust with no platform dependency: randomness comes
//! from the caller (`Random`), so the app, the server's tests and the
//! simulation run the same code.
//!
//! - [`secret`]: keys that wipe themselves, and the AEAD under them.
//! - [`kdf`]: passphrases and invite codes to keys (Argon2id, HKDF).
//! - [`envelope`]: a key sealed to a member's public key.
//! - [`recovery`]: the recovery key as a person writes it down.
//! - [`seal`]: record values sealed, padded and bound to their place.
//! - [`keyring`]: what a signed-in device holds, and record keys from it.
//! - `account` (feature `keys`): each step of accounts and group keys —
//!   new account, sign-in, invite, join, rotation, recovery.

#[cfg(feature = "keys")]
pub mod account;
pub mod envelope;
pub mod kdf;
pub mod keyring;
pub mod recovery;
pub mod seal;
pub mod secret;

pub use secret::{Key, Random};

/// Why something does not open or cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Wrong key, or altered, moved or truncated data.
    #[error("does not open (wrong key, or the data was altered)")]
    DoesNotOpen,
    /// Not in the expected shape (before any key is tried).
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The key it needs is not held on this device.
    #[error("the key {0} is not on this device")]
    NoKey(String),
}

/// Standard base64 without padding, for blobs carried in JSON strings.
pub fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The inverse of [`b64`]; refuses anything else (padding included).
pub fn unb64(text: &str) -> Result<Vec<u8>, CryptoError> {
    let value = |c: u8| -> Result<u32, CryptoError> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(CryptoError::Malformed("not base64")),
        }
        .into())
    };
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(CryptoError::Malformed("not base64"));
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    // One text per byte string: bits left over past the last byte are zero.
    if b64(&out) != text {
        return Err(CryptoError::Malformed("not canonical base64"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_refuses_other_texts() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(unb64(&b64(&bytes)).unwrap(), bytes);
        }
        assert_eq!(b64(b"nimo"), "bmltbw");
        for bad in ["bmltbw==", "bmltbx", "b", "bm!t", "bmlt bw"] {
            assert!(unb64(bad).is_err(), "{bad}");
        }
    }
}

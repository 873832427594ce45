//! From what a person types to keys: Argon2id for the slow part (a
//! passphrase, an invite code), HKDF-SHA-256 to split one secret into keys
//! for different uses.
//!
//! Argon2id's parameters are OWASP's minimum for it (19 MiB, 2 passes, one
//! lane); measured in the app, with Chrome's 4× CPU slow-down, they take
//! well under the 1.5 s a sign-in may take (BENCHMARKS.md). They travel
//! with the salt, so that later accounts can be given stronger ones.

#[cfg(feature = "keys")]
use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use sha2::Sha256;

#[cfg(feature = "keys")]
use super::CryptoError;
use super::Key;

/// Argon2id's cost, as stored with a salt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Memory in KiB.
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Cost {
    /// OWASP's minimum for Argon2id: m = 19 MiB, t = 2, p = 1.
    pub const DEFAULT: Cost = Cost { m_kib: 19 * 1024, t: 2, p: 1 };

    /// What a device accepts from a server: at least the minimum (a server
    /// must not talk it into a cheap derivation), at most 256 MiB and 10
    /// passes (a phone must not be made to hang).
    pub fn acceptable(self) -> bool {
        (Self::DEFAULT.m_kib..=256 * 1024).contains(&self.m_kib) && (Self::DEFAULT.t..=10).contains(&self.t) && self.p == 1
    }
}

#[cfg(feature = "keys")]
/// Argon2id of `secret` with `salt`.
pub fn slow(secret: &[u8], salt: &[u8], cost: Cost) -> Result<Key, CryptoError> {
    if !cost.acceptable() {
        return Err(CryptoError::Malformed("key derivation parameters out of range"));
    }
    let params = Params::new(cost.m_kib, cost.t, cost.p, Some(32)).map_err(|_| CryptoError::Malformed("argon2 parameters"))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret, salt, &mut out)
        .map_err(|_| CryptoError::Malformed("argon2 input"))?;
    Ok(Key::from_bytes(out))
}

/// A key for one use, from a secret: HKDF-SHA-256 with `label` as info.
pub fn expand(secret: &[u8], label: &str) -> Key {
    let mut out = [0u8; 32];
    // 32 bytes is well within HKDF-SHA-256's 8,160.
    let _ = Hkdf::<Sha256>::new(Some(b"nimo-v1"), secret).expand(label.as_bytes(), &mut out);
    Key::from_bytes(out)
}

/// SHA-256, for fingerprints and lookups.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    Sha256::digest(bytes).into()
}

#[cfg(feature = "keys")]
/// What a passphrase gives: the key that proves it to the server, and the
/// key that never leaves the device.
pub struct PassphraseKeys {
    pub auth: Key,
    pub wrap: Key,
}

#[cfg(feature = "keys")]
/// The passphrase's keys (slow: run it once per sign-in, outside any
/// store transaction).
pub fn passphrase(passphrase: &str, salt: &[u8], cost: Cost) -> Result<PassphraseKeys, CryptoError> {
    let master = slow(passphrase.as_bytes(), salt, cost)?;
    Ok(PassphraseKeys { auth: expand(master.bytes(), "passphrase auth"), wrap: expand(master.bytes(), "passphrase wrap") })
}

#[cfg(feature = "keys")]
/// What an invite code gives: the value the server finds the invite by,
/// and the key its copy of the group key is wrapped with. Both slow, so
/// that whoever holds the lookup value (the server) cannot try codes fast.
pub struct InviteKeys {
    pub lookup: String,
    pub wrap: Key,
}

#[cfg(feature = "keys")]
/// Invites are found by this fixed salt's derivation (a per-invite salt
/// would need the code's owner to be told the salt first).
const INVITE_SALT: &[u8] = b"nimo invite code v1";

#[cfg(feature = "keys")]
pub fn invite(code: &str) -> Result<InviteKeys, CryptoError> {
    let master = slow(code.as_bytes(), INVITE_SALT, Cost::DEFAULT)?;
    Ok(InviteKeys { lookup: super::b64(expand(master.bytes(), "invite lookup").bytes()), wrap: expand(master.bytes(), "invite wrap") })
}

#[cfg(all(test, feature = "keys"))]
mod tests {
    use super::*;

    #[test]
    fn argon2id_is_used_with_at_least_owasps_minimum() {
        assert!(Cost::DEFAULT.acceptable());
        assert!(!Cost { m_kib: 1024, t: 1, p: 1 }.acceptable(), "a server cannot ask for a cheap derivation");
        assert!(slow(b"x", b"saltsaltsaltsalt", Cost { m_kib: 8, t: 1, p: 1 }).is_err());
        // RFC 9106's Argon2id test vector shape is covered by the crate;
        // here: the same input gives the same key, another salt another.
        let a = slow(b"correct horse", b"0123456789abcdef", Cost::DEFAULT).unwrap();
        assert_eq!(a, slow(b"correct horse", b"0123456789abcdef", Cost::DEFAULT).unwrap());
        assert_ne!(a, slow(b"correct horse", b"0123456789abcdeX", Cost::DEFAULT).unwrap());
    }

    #[test]
    fn one_secret_gives_keys_that_differ_by_use() {
        let keys = passphrase("correct horse battery", b"0123456789abcdef", Cost::DEFAULT).unwrap();
        assert_ne!(keys.auth, keys.wrap);
        let i = invite("ABCD2345EFGH").unwrap();
        assert_ne!(i.lookup, super::super::b64(i.wrap.bytes()));
        assert_eq!(i.lookup, invite("ABCD2345EFGH").unwrap().lookup);
    }
}

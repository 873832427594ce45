//! The app lock: data at rest on the phone.
//!
//! A random 256-bit data key encrypts every sensitive value in IndexedDB
//! with AES-256-GCM. The data key itself is stored only wrapped (encrypted)
//! by a key derived from the user's PIN or passphrase with PBKDF2-SHA-256,
//! 600,000 iterations (OWASP's figure for PBKDF2-SHA256), computed by
//! WebCrypto. Changing the PIN rewraps the data key; nothing else changes.
//!
//! AES-GCM runs in Rust (`nimo_core::crypto::Key`, the `aes-gcm` crate, as
//! the end-to-end sealing does) rather than WebCrypto because
//! WebCrypto is asynchronous, and an IndexedDB transaction closes while
//! waiting for anything but IndexedDB: records are sealed and opened inside
//! transactions. PBKDF2 is slow on purpose and runs once per unlock, outside
//! any transaction, in WebCrypto's native code.

use js_sys::{ArrayBuffer, Uint8Array};
use nimo_core::crypto::Key;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::env::random_bytes;
use super::js;

pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// What is stored, unencrypted, to unlock: never the PIN, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockConfig {
    pub salt: Vec<u8>,
    pub iterations: u32,
    /// Nonce and ciphertext of the data key under the PIN-derived key.
    pub wrapped: Vec<u8>,
    /// Lock after this many minutes without a touch.
    pub idle_minutes: u32,
}

// Stored as serde wrote it before (byte lists as arrays of numbers).
nimo_core::wire_struct! {
    LockConfig { salt, iterations, wrapped, idle_minutes }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptError {
    /// The PIN is wrong (or the stored data was altered).
    WrongPin,
    Unavailable(String),
}

/// A data key, ready to seal and open values.
#[derive(Clone)]
pub struct Cipher {
    key: Key,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(…)")
    }
}

impl Cipher {
    fn from_key(key: &[u8; 32]) -> Self {
        Self { key: Key::from_bytes(*key) }
    }

    /// Encrypts; the output is the nonce followed by the ciphertext.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        self.key.seal(&|out: &mut [u8]| random_bytes(out), plaintext, b"")
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptError> {
        self.key.open(sealed, b"").map_err(|_| CryptError::WrongPin)
    }
}

/// PBKDF2-SHA-256 in WebCrypto.
async fn derive(passphrase: &str, salt: &[u8], iterations: u32) -> Result<[u8; 32], CryptError> {
    let unavailable = |e: JsValue| CryptError::Unavailable(js::error_text(&e));
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or_else(|| CryptError::Unavailable("WebCrypto is not available".into()))?;
    let usages = js_sys::Array::of1(&JsValue::from_str("deriveBits"));
    let raw = Uint8Array::from(passphrase.as_bytes());
    let base = subtle
        .import_key_with_str("raw", &raw, "PBKDF2", false, &usages)
        .map_err(unavailable)?;
    let base = JsFuture::from(base).await.map_err(unavailable)?;
    let params = js::object(&[
        ("name", JsValue::from_str("PBKDF2")),
        ("hash", JsValue::from_str("SHA-256")),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", JsValue::from(iterations)),
    ]);
    let bits = subtle
        .derive_bits_with_object(&params, &base.into(), 256)
        .map_err(unavailable)?;
    let bits: ArrayBuffer = JsFuture::from(bits).await.map_err(unavailable)?.into();
    let bytes = Uint8Array::new(&bits).to_vec();
    bytes.try_into().map_err(|_| CryptError::Unavailable("PBKDF2 gave the wrong length".into()))
}

/// Sets up a new lock: a fresh data key wrapped under the PIN.
pub async fn create(passphrase: &str, idle_minutes: u32) -> Result<(LockConfig, Cipher), CryptError> {
    let mut data_key = [0u8; 32];
    random_bytes(&mut data_key);
    let config = wrap(passphrase, &data_key, idle_minutes).await?;
    Ok((config, Cipher::from_key(&data_key)))
}

async fn wrap(passphrase: &str, data_key: &[u8; 32], idle_minutes: u32) -> Result<LockConfig, CryptError> {
    let mut salt = vec![0u8; 16];
    random_bytes(&mut salt);
    let kek = derive(passphrase, &salt, PBKDF2_ITERATIONS).await?;
    let wrapped = Cipher::from_key(&kek).seal(data_key);
    Ok(LockConfig { salt, iterations: PBKDF2_ITERATIONS, wrapped, idle_minutes })
}

/// Opens the lock; `WrongPin` if the PIN does not fit.
pub async fn unlock(config: &LockConfig, passphrase: &str) -> Result<Cipher, CryptError> {
    let kek = derive(passphrase, &config.salt, config.iterations).await?;
    let data_key = Cipher::from_key(&kek).open(&config.wrapped)?;
    let data_key: [u8; 32] = data_key.try_into().map_err(|_| CryptError::WrongPin)?;
    Ok(Cipher::from_key(&data_key))
}

/// A new PIN for the same data key (after checking the old one).
pub async fn change_pin(config: &LockConfig, old: &str, new: &str) -> Result<LockConfig, CryptError> {
    let kek = derive(old, &config.salt, config.iterations).await?;
    let data_key = Cipher::from_key(&kek).open(&config.wrapped)?;
    let data_key: [u8; 32] = data_key.try_into().map_err(|_| CryptError::WrongPin)?;
    wrap(new, &data_key, config.idle_minutes).await
}

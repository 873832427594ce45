//! A key sealed to a member's public key, as in HPKE's base mode: an
//! ephemeral X25519 key, HKDF-SHA-256 over the shared secret and both
//! public keys, AES-256-GCM. The envelope names its purpose (`context`:
//! which group, which epoch, for whom), so that a server cannot hand one
//! out as another.

#[cfg(feature = "keys")]
pub use pair::*;

use super::kdf::sha256;

#[cfg(feature = "keys")]
mod pair {
    use x25519_dalek::{PublicKey, StaticSecret};

    use super::super::kdf::expand;
    use super::super::{CryptoError, Key, Random};
    use super::fingerprint;

    /// A member's X25519 key pair.
    #[derive(Clone)]
    pub struct KeyPair {
        secret: StaticSecret,
        public: PublicKey,
    }

    impl std::fmt::Debug for KeyPair {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "KeyPair({})", fingerprint(self.public.as_bytes()))
        }
    }

    impl KeyPair {
        pub fn random(rng: &dyn Random) -> Self {
            let mut bytes = [0u8; 32];
            rng.fill(&mut bytes);
            Self::from_secret(Key::from_bytes(bytes))
        }

        pub fn from_secret(secret: Key) -> Self {
            let secret = StaticSecret::from(*secret.bytes());
            let public = PublicKey::from(&secret);
            Self { secret, public }
        }

        pub fn public(&self) -> [u8; 32] {
            *self.public.as_bytes()
        }

        /// The private half, to be wrapped for storage.
        pub fn secret(&self) -> Key {
            Key::from_bytes(self.secret.to_bytes())
        }

    }

    fn shared_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32], context: &str) -> Key {
        let mut ikm = Vec::with_capacity(96);
        ikm.extend_from_slice(shared);
        ikm.extend_from_slice(ephemeral);
        ikm.extend_from_slice(recipient);
        expand(&ikm, &format!("envelope {context}"))
    }

    /// Seals `payload` (a key) so that only the holder of `recipient`'s
    /// private key opens it: the ephemeral public key ‖ nonce ‖ ciphertext.
    pub fn seal(rng: &dyn Random, recipient: &[u8; 32], payload: &Key, context: &str) -> Result<Vec<u8>, CryptoError> {
        let ephemeral = KeyPair::random(rng);
        let shared = ephemeral.secret.diffie_hellman(&PublicKey::from(*recipient));
        // A low-order point gives an all-zero secret anyone could compute.
        if !shared.was_contributory() {
            return Err(CryptoError::Malformed("not a usable public key"));
        }
        let key = shared_key(shared.as_bytes(), &ephemeral.public(), recipient, context);
        let mut out = ephemeral.public().to_vec();
        out.extend_from_slice(&key.seal(rng, payload.bytes(), context.as_bytes()));
        Ok(out)
    }

    pub fn open(own: &KeyPair, envelope: &[u8], context: &str) -> Result<Key, CryptoError> {
        if envelope.len() < 32 {
            return Err(CryptoError::DoesNotOpen);
        }
        let (ephemeral, sealed) = envelope.split_at(32);
        let ephemeral: [u8; 32] = ephemeral.try_into().map_err(|_| CryptoError::DoesNotOpen)?;
        let shared = own.secret.diffie_hellman(&PublicKey::from(ephemeral));
        if !shared.was_contributory() {
            return Err(CryptoError::DoesNotOpen);
        }
        let key = shared_key(shared.as_bytes(), &ephemeral, &own.public(), context);
        Key::from_slice(&key.open(sealed, context.as_bytes())?)
    }
}

/// A public key as people compare it: 25 digits in five groups
/// (「12345 67890 …」), from its SHA-256. Two phones showing the same
/// digits for a member hold the same key for them.
pub fn fingerprint(public: &[u8; 32]) -> String {
    fingerprint_of_digest(&sha256(public))
}

/// [`fingerprint`] from the key's SHA-256 (the app takes the digest from
/// WebCrypto and carries no SHA-256 of its own).
pub fn fingerprint_of_digest(digest: &[u8; 32]) -> String {
    digest
        .chunks(4)
        .take(5)
        .map(|c| format!("{:05}", u32::from_be_bytes([c[0], c[1], c[2], c[3]]) % 100_000))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(all(test, feature = "keys"))]
mod tests {
    use super::*;
    use crate::crypto::Key;
    use crate::crypto::secret::test_rng;

    #[test]
    fn only_the_recipient_opens_and_only_for_its_purpose() {
        let rng = test_rng();
        let (alice, mallory) = (KeyPair::random(&rng), KeyPair::random(&rng));
        let group_key = Key::random(&rng);
        let env = seal(&rng, &alice.public(), &group_key, "group g1 epoch 2 for u1").unwrap();
        assert_eq!(open(&alice, &env, "group g1 epoch 2 for u1").unwrap(), group_key);
        assert!(open(&mallory, &env, "group g1 epoch 2 for u1").is_err());
        assert!(open(&alice, &env, "group g1 epoch 3 for u1").is_err(), "handed out as another epoch");
        assert!(seal(&rng, &[0u8; 32], &group_key, "x").is_err(), "a low-order key is refused");
        let back = KeyPair::from_secret(alice.secret());
        assert_eq!(back.public(), alice.public());
    }

    #[test]
    fn fingerprints_are_25_digits_and_differ_by_key() {
        let rng = test_rng();
        let (a, b) = (KeyPair::random(&rng), KeyPair::random(&rng));
        let fa = fingerprint(&a.public());
        assert_eq!(fa.len(), 29);
        assert!(fa.split(' ').all(|g| g.len() == 5 && g.bytes().all(|c| c.is_ascii_digit())));
        assert_ne!(fa, fingerprint(&b.public()));
    }
}

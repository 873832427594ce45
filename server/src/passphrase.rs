//! Passphrase hashing: Argon2id at OWASP's parameters (19 MiB, 2 passes,
//! 1 lane), on one thread that owns its working memory.
//!
//! Each hash needs 19 MiB. Hashed on whichever blocking thread was free, a
//! burst of sign-ins took that much per thread at once and the allocator
//! kept it afterwards (over 1 GiB after 500 sign-ins). One thread with one
//! buffer makes it 19 MiB for the life of the server, and a burst queues
//! instead of taking every core: hashing is the one costly thing an
//! anonymous client can make the server do at will.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::clock::random_bytes;

enum Job {
    Hash { passphrase: String, reply: oneshot::Sender<Result<String, String>> },
    /// `stored: None` checks against a dummy hash, so that an unknown login
    /// takes as long as a wrong passphrase.
    Verify { passphrase: String, stored: Option<String>, reply: oneshot::Sender<bool> },
}

/// The hashing thread: one per server (cheap to clone).
#[derive(Clone)]
pub struct Hasher {
    queue: mpsc::Sender<Job>,
    computed: Arc<AtomicU64>,
}

#[derive(Debug, thiserror::Error)]
#[error("passphrase hashing: {0}")]
pub struct HashError(String);

impl Hasher {
    /// Starts the thread.
    pub fn start() -> Self {
        let (queue, jobs) = mpsc::channel();
        let computed = Arc::new(AtomicU64::new(0));
        let count = Arc::clone(&computed);
        // Without the thread nothing can sign in; a server that cannot start
        // one thread cannot serve anyway.
        std::thread::Builder::new()
            .name("nimo-argon2".into())
            .spawn(move || work(&jobs, &count))
            .expect("the passphrase hashing thread starts");
        Self { queue, computed }
    }

    /// Hashes a new passphrase into a PHC string (`$argon2id$v=19$m=19456,…`).
    pub async fn hash(&self, passphrase: String) -> Result<String, HashError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Hash { passphrase, reply })?;
        answer.await.map_err(|_| stopped())?.map_err(HashError)
    }

    /// Whether `passphrase` matches `stored` (or, for `None`, takes the same
    /// time to say no).
    pub async fn verify(&self, passphrase: String, stored: Option<String>) -> Result<bool, HashError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Verify { passphrase, stored, reply })?;
        answer.await.map_err(|_| stopped())
    }

    /// How many Argon2 computations this hasher has run (hashes and
    /// verifications): what an anonymous client can make the server do.
    pub fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }

    fn send(&self, job: Job) -> Result<(), HashError> {
        self.queue.send(job).map_err(|_| stopped())
    }
}

fn stopped() -> HashError {
    HashError("the hashing thread stopped".into())
}

fn work(jobs: &mpsc::Receiver<Job>, computed: &AtomicU64) {
    let mut memory = vec![Block::default(); Params::DEFAULT.block_count()];
    let mut dummy: Option<String> = None;
    for job in jobs {
        computed.fetch_add(1, Ordering::Relaxed);
        match job {
            Job::Hash { passphrase, reply } => {
                let _ = reply.send(hash_with(&mut memory, &passphrase));
            }
            Job::Verify { passphrase, stored, reply } => {
                let stored = match stored {
                    Some(s) => s,
                    None => dummy.get_or_insert_with(|| hash_with(&mut memory, "nimo: no such user").unwrap_or_default()).clone(),
                };
                let _ = reply.send(verify_with(&mut memory, &passphrase, &stored));
            }
        }
    }
}

fn hash_with(memory: &mut [Block], passphrase: &str) -> Result<String, String> {
    let params = Params::DEFAULT;
    let salt: [u8; 16] = random_bytes();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(passphrase.as_bytes(), &salt, &mut out, &mut *memory)
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, passphrase: &str, stored: &str) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else { return false };
    let (Ok(params), Some(salt), Some(expected)) = (Params::try_from(&phc), phc.salt, phc.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm.as_str()) else { return false };
    let Some(version) = phc.version.and_then(|v| Version::try_from(v).ok()) else { return false };
    // A hash made under stronger parameters than today's needs more room.
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        passphrase.as_bytes(),
        salt.as_ref(),
        &mut out,
        &mut memory[..],
    );
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_look_like_argon2id() {
        let h = Hasher::start();
        let stored = h.hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(h.verify("correct horse battery".into(), Some(stored.clone())).await.unwrap());
        assert!(!h.verify("correct horse battery!".into(), Some(stored.clone())).await.unwrap());
        assert!(!h.verify("anything".into(), None).await.unwrap());
        assert!(!h.verify("anything".into(), Some("not a hash".into())).await.unwrap());
        // Two hashes of one passphrase differ (random salt).
        assert_ne!(h.hash("correct horse battery".into()).await.unwrap(), stored);
        assert_eq!(h.computed(), 6);
    }

    #[tokio::test]
    async fn reads_hashes_made_by_the_library() {
        use argon2::password_hash::PasswordHasher;
        let h = Hasher::start();
        let library = Argon2::default().hash_password(b"old passphrase").unwrap().to_string();
        assert!(h.verify("old passphrase".into(), Some(library.clone())).await.unwrap());
        assert!(!h.verify("other".into(), Some(library)).await.unwrap());
    }
}

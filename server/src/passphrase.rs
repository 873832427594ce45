//! Passphrase hashing: Argon2id at OWASP's parameters (19 MiB, 2 passes,
//! 1 lane), on one thread that owns its working memory.
//!
//! Each hash needs 19 MiB. Hashed on whichever blocking thread was free, a
//! burst of sign-ins took that much per thread at once and the allocator
//! kept it afterwards (over 1 GiB after 500 sign-ins). One thread with one
//! buffer makes it 19 MiB for the life of the server, and a burst queues
//! instead of taking every core: hashing is the one costly thing an
//! anonymous client can make the server do at will.

use std::sync::{OnceLock, mpsc};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::auth::random_bytes;
use crate::error::ApiError;

enum Job {
    Hash { passphrase: String, reply: oneshot::Sender<Result<String, String>> },
    /// `stored: None` checks against a dummy hash, so that an unknown login
    /// takes as long as a wrong passphrase.
    Verify { passphrase: String, stored: Option<String>, reply: oneshot::Sender<bool> },
}

/// Hashes a new passphrase into a PHC string (`$argon2id$v=19$m=19456,…`).
pub async fn hash(passphrase: String) -> Result<String, ApiError> {
    let (reply, answer) = oneshot::channel();
    send(Job::Hash { passphrase, reply })?;
    answer.await.map_err(|_| stopped())?.map_err(|e| ApiError::Internal(format!("argon2: {e}")))
}

/// Whether `passphrase` matches `stored` (or, for `None`, takes the same
/// time to say no).
pub async fn verify(passphrase: String, stored: Option<String>) -> Result<bool, ApiError> {
    let (reply, answer) = oneshot::channel();
    send(Job::Verify { passphrase, stored, reply })?;
    answer.await.map_err(|_| stopped())
}

fn stopped() -> ApiError {
    ApiError::Internal("the hashing thread stopped".into())
}

fn send(job: Job) -> Result<(), ApiError> {
    static QUEUE: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (sender, jobs) = mpsc::channel();
        std::thread::Builder::new().name("nimo-argon2".into()).spawn(move || work(&jobs)).ok()?;
        Some(sender)
    });
    queue.as_ref().ok_or_else(stopped)?.send(job).map_err(|_| stopped())
}

fn work(jobs: &mpsc::Receiver<Job>) {
    let mut memory = vec![Block::default(); Params::DEFAULT.block_count()];
    let mut dummy: Option<String> = None;
    for job in jobs {
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
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await.unwrap());
        assert!(!verify("correct horse battery!".into(), Some(stored.clone())).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
        assert!(!verify("anything".into(), Some("not a hash".into())).await.unwrap());
        // Two hashes of one passphrase differ (random salt).
        assert_ne!(hash("correct horse battery".into()).await.unwrap(), stored);
    }

    #[tokio::test]
    async fn reads_hashes_made_by_the_library() {
        use argon2::password_hash::PasswordHasher;
        let library = Argon2::default().hash_password(b"old passphrase").unwrap().to_string();
        assert!(verify("old passphrase".into(), Some(library.clone())).await.unwrap());
        assert!(!verify("other".into(), Some(library)).await.unwrap());
    }
}

//! Passphrases, session tokens, cookies, and who is calling.
//!
//! The auth keys devices derive from passphrases are hashed with
//! Argon2id in [`crate::passphrase`] (the passphrase never reaches the
//! server; its strength is judged on the device). Session
//! tokens are 32 random bytes; the server keeps only their SHA-256, so a
//! copy of the database lets nobody sign in. A token travels either in an
//! HttpOnly, SameSite=Strict cookie (Secure when the public URL is https),
//! or — with the app lock on — as `Authorization: Bearer`, held only by the
//! unlocked app, so that nothing else in the browser can use the session
//! while the app is locked.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::caller::Caller;
use crate::clock::{now_ms, random_bytes};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::accounts::{self, Carrier, SESSION_MAX_MS};

pub const COOKIE: &str = "nimo_session";

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal bytes, compared in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// A new session token (to send) and its hash (to store).
pub fn new_token() -> (String, Vec<u8>) {
    let token = hex(&random_bytes::<32>());
    let hash = sha256(token.as_bytes());
    (token, hash)
}

/// The value of our cookie in a request, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| is_token(v))
}

/// The bearer token of a request, if any.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && is_token(token.trim())).then(|| token.trim().to_owned())
}

fn is_token(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn set_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={}{secure}", SESSION_MAX_MS / 1000)
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (token, carrier) = match bearer_token(&parts.headers) {
            Some(token) => (token, Carrier::Bearer),
            None => (session_cookie(&parts.headers).ok_or(ApiError::Unauthenticated)?, Carrier::Cookie),
        };
        let hash = sha256(token.as_bytes());
        let now = now_ms();
        // A read: every request authenticates, and the single writer must
        // stay free for pushes. `last_seen` is refreshed at most every few
        // minutes, in a separate small write.
        let (caller, stale) = state.db.read(move |tx| accounts::authenticate(tx, &hash, carrier, now)).await?;
        if stale {
            let device = caller.device.clone();
            state.db.write(move |tx| accounts::touch_session(tx, &device, now)).await?;
        }
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_read_from_a_bearer_header_or_the_cookie() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        assert_eq!(bearer_token(&headers), Some(token.clone()));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::COOKIE, format!("other=1; {COOKIE}={token}").parse().unwrap());
        assert_eq!(session_cookie(&headers), Some(token));
    }
}

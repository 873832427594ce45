//! Passphrases, session tokens, cookies, and who is calling.
//!
//! Passphrases are hashed with Argon2id in [`crate::passphrase`]. Session
//! tokens are 32 random bytes; the server keeps only their SHA-256, so a
//! copy of the database lets nobody sign in. A token travels either in an
//! HttpOnly, SameSite=Strict cookie (Secure when the public URL is https),
//! or — with the app lock on — as `Authorization: Bearer`, held only by the
//! unlocked app, so that nothing else in the browser can use the session
//! while the app is locked.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use nimo_core::base::passphrase::{self, Problem};
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

/// Checks a new passphrase before anything is hashed: the shared quick
/// rules, then a strength estimate (zxcvbn, score 3 of 4: about 10^8
/// guesses, weeks of Argon2id on a stolen database) that knows the login
/// and the display name. The error's `detail` says why, for the app.
pub fn check_new_passphrase(passphrase: &str, login: &str, display_name: &str) -> Result<(), ApiError> {
    let refuse = |p: Problem, message: &str| ApiError::InvalidField { field: "passphrase".into(), message: message.into(), detail: Some(p.code()) };
    passphrase::quick_check(passphrase, login).map_err(|p| refuse(p, "not accepted as a passphrase"))?;
    // zxcvbn's dictionaries are English; a passphrase of eight or more
    // kana or kanji draws from thousands of characters and is not guessed
    // by them. Its cost grows with length: the first 100 characters decide.
    let non_ascii = passphrase.chars().filter(|c| !c.is_ascii()).count();
    if non_ascii >= passphrase::MIN_CHARS {
        return Ok(());
    }
    let head: String = passphrase.chars().take(100).collect();
    let estimate = zxcvbn::zxcvbn(&head, &[login, display_name]);
    if (estimate.score() as u8) < 3 {
        return Err(refuse(Problem::Weak, "too easy to guess"));
    }
    Ok(())
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

    fn detail(p: &str, login: &str) -> Option<&'static str> {
        match check_new_passphrase(p, login, "さくら") {
            Ok(()) => None,
            Err(ApiError::InvalidField { detail, .. }) => detail,
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn common_and_weak_passphrases_are_refused_with_a_reason() {
        assert_eq!(detail("password", "x"), Some("common"));
        assert_eq!(detail("12345678", "x"), Some("common"));
        assert_eq!(detail("qwertyuiop", "x"), Some("common"));
        assert_eq!(detail("sakura2024", "x"), Some("weak"));
        assert_eq!(detail("tanaka1234", "tanaka"), Some("weak"));
        assert_eq!(detail("short", "x"), Some("too_short"));
    }

    #[test]
    fn the_passphrases_people_and_tests_use_pass() {
        for ok in ["correct horse battery", "coord5 rides the blue ferry at dawn", "ひまわりが咲く坂道です", "Kobe-umi-2026-kaze!"] {
            assert_eq!(detail(ok, "coord5"), None, "{ok}");
        }
    }

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

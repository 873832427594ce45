//! Passphrases, session tokens, cookies, and who is calling.
//!
//! Passphrases are hashed with Argon2id in [`crate::passphrase`]. Session tokens are 32 random bytes; the server keeps
//! only their SHA-256, so a copy of the database lets nobody sign in. The
//! token travels in an HttpOnly, SameSite=Strict cookie (Secure when the
//! public URL is https).

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use nimo_core::collection::Role;
use nimo_core::ids::{DeviceId, GroupId, UserId};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::routes::AppState;
use crate::storage::accounts;

pub const COOKIE: &str = "nimo_session";
/// A session unused for this long has expired.
pub const SESSION_IDLE_MS: u64 = 180 * 24 * 3600 * 1000;
pub const PASSPHRASE_MIN: usize = 8;
pub const PASSPHRASE_MAX: usize = 256;

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The OS random source failing leaves no safe way to continue.
    getrandom::fill(&mut out).expect("the operating system's random source failed");
    out
}

pub fn new_uuid() -> String {
    let r: [u8; 10] = random_bytes();
    nimo_core::ids::uuid_v7(now_ms(), r)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// Checks a new passphrase; the message names what is wrong.
pub fn check_new_passphrase(passphrase: &str, login: &str) -> Result<(), ApiError> {
    let len = passphrase.chars().count();
    if len < PASSPHRASE_MIN {
        return Err(ApiError::invalid("passphrase", format!("at least {PASSPHRASE_MIN} characters")));
    }
    if len > PASSPHRASE_MAX {
        return Err(ApiError::invalid("passphrase", format!("at most {PASSPHRASE_MAX} characters")));
    }
    if passphrase.trim().eq_ignore_ascii_case(login.trim()) {
        return Err(ApiError::invalid("passphrase", "must differ from the login name"));
    }
    Ok(())
}

/// The value of our cookie in a request, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn set_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={}{secure}", SESSION_IDLE_MS / 1000)
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub group: GroupId,
    pub group_name: String,
    pub role: Role,
}

/// The signed-in user and device making a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserId,
    pub login: String,
    pub display_name: String,
    pub device: DeviceId,
    pub memberships: Vec<Membership>,
}

impl Caller {
    pub fn role_in(&self, group: &GroupId) -> Option<Role> {
        self.memberships.iter().find(|m| m.group == *group).map(|m| m.role)
    }

    /// Requires the caller to coordinate `group`; otherwise 403 (or 404 when
    /// they are not even a member, so as not to reveal the group).
    pub fn require_coordinator(&self, group: &GroupId) -> Result<(), ApiError> {
        match self.role_in(group) {
            Some(Role::Coordinator) => Ok(()),
            Some(Role::Member) => Err(ApiError::Forbidden),
            None => Err(ApiError::NotFound),
        }
    }

    pub fn require_member(&self, group: &GroupId) -> Result<Role, ApiError> {
        self.role_in(group).ok_or(ApiError::NotFound)
    }

    /// A fingerprint of what this user may see: their groups and roles. A
    /// pull cursor made under another fingerprint is refused.
    pub fn access_fingerprint(&self) -> u64 {
        let mut parts: Vec<String> = self.memberships.iter().map(|m| format!("{}:{}", m.group, m.role.id())).collect();
        parts.sort();
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for byte in parts.join(",").bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_cookie(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let hash = sha256(token.as_bytes());
        let now = now_ms();
        // A read: every request authenticates, and the single writer must
        // stay free for pushes. `last_seen` is refreshed at most every few
        // minutes, in a separate small write.
        let (caller, stale) = state.db.read(move |tx| accounts::authenticate(tx, &hash, now)).await?;
        if stale {
            let device = caller.device.clone();
            state.db.write(move |tx| accounts::touch_session(tx, &device, now)).await?;
        }
        Ok(caller)
    }
}

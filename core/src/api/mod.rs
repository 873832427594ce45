//! The HTTP API's payloads, shared by client and server (the sync messages
//! are in `crate::sync::protocol`); [`error`]: the error body and its
//! stable codes.

pub mod error;

use serde::{Deserialize, Serialize};

pub use error::{ErrorBody, ErrorCode};

/// Body of `GET /api/health`: for a monitor, nothing secret in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    /// The server's package version.
    pub version: String,
    /// The protocol/schema version it speaks, see [`crate::SCHEMA_VERSION`].
    pub schema: u32,
    /// The database file with its write-ahead log, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_bytes: Option<u64>,
    /// The last backup the server took (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_backup_ms: Option<u64>,
    /// Why the last backup failed, if none succeeded since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_failed: Option<String>,
    /// When the certificate in use ends (Unix ms), when the server has TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_expires_ms: Option<u64>,
    /// Why the last renewal (or reading of the certificate files) failed,
    /// if none succeeded since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_failed: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

use crate::sync::collection::Role;
use crate::sync::ids::{DeviceId, GroupId, UserId};

/// Who is signed in on this device, and in which groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: UserId,
    pub login: String,
    pub display_name: String,
    pub device: DeviceId,
    pub groups: Vec<GroupInfo>,
    /// The session token, only in the answer to a sign-in or join that
    /// asked for a bearer session (the app lock is on): the app keeps it
    /// sealed under the lock's key instead of a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub id: GroupId,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub passphrase: String,
    pub device_name: String,
    /// Ask for a bearer token instead of a cookie (see [`Me::session_token`]).
    #[serde(default)]
    pub bearer: bool,
}

/// Creating an account with an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub code: String,
    pub login: String,
    pub display_name: String,
    pub passphrase: String,
    pub device_name: String,
    #[serde(default)]
    pub bearer: bool,
}

/// The first run: with the one-time setup token the server printed, make
/// the first group and its first coordinator (who is signed in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    pub token: String,
    pub group_name: String,
    pub login: String,
    pub display_name: String,
    pub passphrase: String,
    pub device_name: String,
    #[serde(default)]
    pub bearer: bool,
}

/// Changing one's passphrase (which signs out one's other devices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassphraseChange {
    pub current: String,
    pub new: String,
}

/// How this device's session travels: a cookie the browser sends by itself,
/// or a bearer token only the unlocked app holds (with the app lock on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMode {
    pub bearer: bool,
}

/// The answer to a change of [`SessionMode`]: the new token when bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionToken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Joining another group with an existing account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupRequest {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub role: Role,
    /// Days until it expires, 1–30.
    pub days: u32,
    /// How many people may use it, 1–50.
    pub max_uses: u32,
}

/// A new invite; the code is shown this once and stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteCreated {
    pub id: String,
    pub code: String,
    pub role: Role,
    pub expires_ms: u64,
    pub max_uses: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub id: String,
    pub role: Role,
    pub created_ms: u64,
    pub expires_ms: u64,
    pub max_uses: u32,
    pub uses: u32,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub id: UserId,
    pub display_name: String,
    pub role: Role,
    pub joined_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRequest {
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: DeviceId,
    pub name: String,
    pub created_ms: u64,
    pub last_seen_ms: u64,
    pub current: bool,
}

/// Invite codes: 12 characters of Crockford's base32 (no I, L, O, U),
/// shown as `ABCD-EFGH-JKMN`.
pub const INVITE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Reads an invite code as a person may type it: any case, with or without
/// hyphens and spaces, O for 0 and I or L for 1. `None` if it cannot be one.
pub fn normalize_invite_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(12);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '　' | 'ー' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !INVITE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == 12).then_some(out)
}

pub fn format_invite_code(code: &str) -> String {
    code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// A login name: 2–32 letters or digits (any script) or `. _ -`, kept in
/// lower case. `Err` says what is wrong.
pub fn normalize_login(input: &str) -> Result<String, &'static str> {
    let login = input.trim().to_lowercase();
    let n = login.chars().count();
    if n < 2 {
        return Err("at least 2 characters");
    }
    if n > 32 {
        return Err("at most 32 characters");
    }
    if !login.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err("letters, digits, . _ - only");
    }
    Ok(login)
}

/// A display name or device name: one line, 1..=max characters.
pub fn check_name(input: &str, max: usize) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("required".into());
    }
    if name.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("one line, no control characters".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_are_read_forgivingly() {
        assert_eq!(normalize_invite_code("abcd-efgh-jkmn").as_deref(), Some("ABCDEFGHJKMN"));
        assert_eq!(normalize_invite_code("oil0 1234 5678").as_deref(), Some("011012345678"));
        assert_eq!(normalize_invite_code("ABCD-EFGH-JKM"), None);
        assert_eq!(normalize_invite_code("ABCD-EFGH-JKMU"), None);
        assert_eq!(format_invite_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
    }

    #[test]
    fn logins() {
        assert_eq!(normalize_login("  Tanaka.K ").as_deref(), Ok("tanaka.k"));
        assert_eq!(normalize_login("やまだ").as_deref(), Ok("やまだ"));
        assert!(normalize_login("a").is_err());
        assert!(normalize_login("a b").is_err());
        assert!(normalize_login("a;drop").is_err());
    }
}

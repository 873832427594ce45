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
    /// The user's key pair as the server keeps it (the private half wrapped
    /// by the passphrase's key), only in the answer to a sign-in, a join,
    /// a setup or a recovery: the device opens it with the passphrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<AccountKeys>,
}

/// How a passphrase is stretched: Argon2id's salt (base64) and cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub salt: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

/// The user's key pair as the server keeps it (base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountKeys {
    pub public_key: String,
    /// The private half, sealed by the passphrase's wrap key.
    pub wrapped_secret: String,
}

/// An invite's copy of a group key, wrapped by the invite code's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteKey {
    pub group: GroupId,
    pub epoch: u32,
    pub wrapped: String,
}

/// What a new account brings: nothing the server could open. The auth key
/// (base64) is derived from the passphrase on the device; the server keeps
/// only a slow hash of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub kdf: KdfParams,
    pub auth: String,
    pub public_key: String,
    pub wrapped_secret: String,
    /// The private half sealed by the recovery key.
    pub wrapped_secret_recovery: String,
    /// Proves the recovery key (derived from it; kept hashed).
    pub recovery_auth: String,
}

/// A group's first key, made on the device of its first member: sealed to
/// that member, and to the group's recovery key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupKeyInit {
    pub envelope: String,
    pub recovery_public_key: String,
    pub recovery_envelope: String,
}

/// A member's envelope of one epoch's group key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochEnvelope {
    pub epoch: u32,
    pub envelope: String,
}

/// An epoch's key sealed under the next one (`epoch` is the older one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochHistory {
    pub epoch: u32,
    pub sealed: String,
}

/// What a member holds of one group's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupKeysInfo {
    pub group: GroupId,
    /// None: the group has no key yet (its first member makes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_epoch: Option<u32>,
    pub envelopes: Vec<EpochEnvelope>,
    pub history: Vec<EpochHistory>,
    /// The group's recovery key's public half: a rotation seals the next
    /// key to it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_public_key: Option<String>,
}

/// `GET /api/keys`: the caller's keys, group by group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysInfo {
    pub account: AccountKeys,
    pub groups: Vec<GroupKeysInfo>,
}

/// A member's envelopes for themselves, of every epoch of a group they
/// had no key for (opened with the group's recovery key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnEnvelope {
    pub epochs: Vec<EpochEnvelope>,
}

/// Removing a member: the group's next key, made on the coordinator's
/// device, sealed to every member who stays and to the group's recovery
/// key, with the old key sealed under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub epoch: u32,
    pub envelopes: Vec<MemberEnvelope>,
    pub history: String,
    pub recovery_envelope: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEnvelope {
    pub member: UserId,
    pub envelope: String,
}

/// A group's recovery: its recovery key's public half and every epoch's
/// key sealed to it (for a coordinator who lost everything else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecovery {
    pub recovery_public_key: String,
    pub envelopes: Vec<EpochEnvelope>,
}

/// Step one of a recovery: the private half sealed by the recovery key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryRequest {
    pub login: String,
    pub recovery_auth: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryKeys {
    pub public_key: String,
    pub wrapped_secret_recovery: String,
}

/// Step two: a new passphrase, proven by the recovery key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoverRequest {
    pub login: String,
    pub recovery_auth: String,
    pub kdf: KdfParams,
    pub auth: String,
    pub wrapped_secret: String,
    pub device_name: String,
    #[serde(default)]
    pub bearer: bool,
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
    /// Derived from the passphrase on the device (base64); the passphrase
    /// itself never leaves it.
    pub auth: String,
    pub device_name: String,
    /// Ask for a bearer token instead of a cookie (see [`Me::session_token`]).
    #[serde(default)]
    pub bearer: bool,
}

/// Opening an invite before joining with it: `lookup` is derived from the
/// invite code on the device (slowly); the code itself never leaves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOpen {
    pub lookup: String,
}

/// What an invite leads to, for the device to make its keys before it
/// joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOpened {
    pub group: GroupId,
    pub group_name: String,
    pub role: Role,
    /// The group's key as the invite holds it, wrapped by the key only the
    /// code gives. None for an invite made on the server (`create-group`,
    /// `invite`): see `group_has_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<InviteKey>,
    /// The group already has a key: without `key`, joining needs the
    /// group's recovery key. Without either, the joiner makes the group's
    /// first key.
    pub group_has_key: bool,
    /// The invite re-admits this login (new keys, a new passphrase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readmit_login: Option<String>,
}

/// Creating an account with an invite. The group key comes sealed to the
/// new account's public key (`envelope`, of the group's current epoch), or,
/// for a group without a key yet, as its first key (`group_key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub lookup: String,
    pub account: NewAccount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<EpochEnvelope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_key: Option<GroupKeyInit>,
    pub device_name: String,
    #[serde(default)]
    pub bearer: bool,
}

/// The first run: with the one-time setup token the server printed, make
/// the first group, its first key and its first coordinator (who is signed
/// in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    pub token: String,
    /// Chosen by the device (a UUIDv7): the group key's envelopes name it.
    pub group: GroupId,
    pub group_name: String,
    pub account: NewAccount,
    pub group_key: GroupKeyInit,
    pub device_name: String,
    #[serde(default)]
    pub bearer: bool,
}

/// Changing one's passphrase (which signs out one's other devices): proven
/// by the current one's auth key, the private half wrapped anew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassphraseChange {
    pub current_auth: String,
    pub kdf: KdfParams,
    pub auth: String,
    pub wrapped_secret: String,
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

/// Joining another group with an existing account (keys as in
/// [`JoinRequest`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupRequest {
    pub lookup: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<EpochEnvelope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_key: Option<GroupKeyInit>,
}

/// An invite made on a coordinator's device: the code never reaches the
/// server, only the lookup value and the group key wrapped by the code's
/// key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub role: Role,
    /// Days until it expires, 1–30.
    pub days: u32,
    /// How many people may use it, 1–50.
    pub max_uses: u32,
    pub lookup: String,
    pub key: InviteKey,
    /// Re-admits this member (new keys, a new passphrase) instead of
    /// adding someone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readmit: Option<UserId>,
}

/// A new invite (its code is on the device that made it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteCreated {
    pub id: String,
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
    /// The member's public key (base64): its fingerprint is shown for people
    /// to compare, and a rotation seals the next key to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
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

//! Users, groups, memberships, invites and sessions.

use nimo_core::api::{DeviceInfo, InviteInfo, MemberInfo};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{DeviceId, GroupId, UserId};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{StorageError, sql};
use crate::caller::{Caller, Membership};

/// A session unused for this long has expired.
pub const SESSION_IDLE_MS: u64 = 45 * 24 * 3600 * 1000;
/// A session older than this has expired, however often it was used.
pub const SESSION_MAX_MS: u64 = 90 * 24 * 3600 * 1000;
/// How often `last_seen` is written, at most.
const TOUCH_EVERY_MS: u64 = 5 * 60 * 1000;

fn parse_role(s: &str) -> Role {
    Role::from_id(s).unwrap_or(Role::Member)
}

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

/// How a token reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    Cookie,
    /// `Authorization: Bearer`: only the unlocked app sends it.
    Bearer,
}

/// Finds the caller behind a session token hash. A bearer session is not
/// accepted from a cookie nor a cookie session from a bearer header.
/// Returns whether the session's `last_seen` is stale enough to refresh.
pub fn authenticate(tx: &Transaction<'_>, token_hash: &[u8], carrier: Carrier, now: u64) -> Result<(Caller, bool), StorageError> {
    let row = sql(tx
        .query_row(
            "SELECT s.id, s.user_id, s.last_seen_ms, s.revoked_ms, s.revoked_reason, u.login, u.display_name, s.created_ms, s.bearer
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
            [token_hash],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            },
        )
        .optional())?;
    let Some((device, user, last_seen, revoked, reason, login, display_name, created, bearer)) = row else {
        return Err(StorageError::Unauthenticated);
    };
    if (bearer != 0) != (carrier == Carrier::Bearer) {
        return Err(StorageError::Unauthenticated);
    }
    if revoked.is_some() {
        return Err(StorageError::DeviceRevoked(reason.unwrap_or_else(|| "revoked".into())));
    }
    let last_seen = last_seen as u64;
    if now.saturating_sub(last_seen) > SESSION_IDLE_MS || now.saturating_sub(created as u64) > SESSION_MAX_MS {
        return Err(StorageError::SessionExpired);
    }
    let user = UserId::parse(&user).map_err(corrupt)?;
    let memberships = memberships(tx, &user)?;
    let device = DeviceId::parse(&device).map_err(corrupt)?;
    let stale = now.saturating_sub(last_seen) > TOUCH_EVERY_MS;
    Ok((Caller { user, login, display_name, device, memberships }, stale))
}

/// Gives a session a new token, carried as a cookie or as a bearer token.
pub fn set_session_token(tx: &Transaction<'_>, device: &DeviceId, token_hash: &[u8], carrier: Carrier) -> Result<(), StorageError> {
    sql(tx.execute(
        "UPDATE sessions SET token_hash = ?2, bearer = ?3 WHERE id = ?1 AND revoked_ms IS NULL",
        params![device.as_str(), token_hash, i64::from(carrier == Carrier::Bearer)],
    ))?;
    Ok(())
}

/// Revokes every live session of `user` but `keep`.
pub fn revoke_other_sessions(tx: &Transaction<'_>, user: &UserId, keep: &DeviceId, reason: &str, now: u64) -> Result<usize, StorageError> {
    sql(tx.execute(
        "UPDATE sessions SET revoked_ms = ?3, revoked_reason = ?4 WHERE user_id = ?1 AND id <> ?2 AND revoked_ms IS NULL",
        params![user.as_str(), keep.as_str(), now as i64, reason],
    ))
}

pub fn touch_session(tx: &Transaction<'_>, device: &DeviceId, now: u64) -> Result<(), StorageError> {
    sql(tx.execute("UPDATE sessions SET last_seen_ms = ?2 WHERE id = ?1", params![device.as_str(), now as i64]))?;
    Ok(())
}

pub fn memberships(tx: &Transaction<'_>, user: &UserId) -> Result<Vec<Membership>, StorageError> {
    let mut stmt = sql(tx.prepare_cached(
        "SELECT m.group_id, g.name, m.role FROM memberships m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id = ?1 ORDER BY g.name, m.group_id",
    ))?;
    let rows = sql(stmt.query_map([user.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))))?;
    let mut out = Vec::new();
    for row in rows {
        let (group, group_name, role) = sql(row)?;
        let group = GroupId::parse(&group).map_err(corrupt)?;
        out.push(Membership { group, group_name, role: parse_role(&role) });
    }
    Ok(out)
}

pub struct Credentials {
    pub user: UserId,
    pub passphrase_hash: String,
}

pub fn credentials(tx: &Transaction<'_>, login: &str) -> Result<Option<Credentials>, StorageError> {
    let row = sql(tx
        .query_row("SELECT id, passphrase_hash FROM users WHERE login = ?1", [login], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional())?;
    row.map(|(id, hash)| {
        Ok(Credentials { user: UserId::parse(&id).map_err(corrupt)?, passphrase_hash: hash })
    })
    .transpose()
}

pub fn create_session(
    tx: &Transaction<'_>,
    user: &UserId,
    device: &DeviceId,
    token_hash: &[u8],
    device_name: &str,
    carrier: Carrier,
    now: u64,
) -> Result<(), StorageError> {
    sql(tx.execute(
        "INSERT INTO sessions (id, user_id, token_hash, device_name, created_ms, last_seen_ms, bearer) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        params![device.as_str(), user.as_str(), token_hash, device_name, now as i64, i64::from(carrier == Carrier::Bearer)],
    ))?;
    Ok(())
}

/// Revokes one session of `user`. Returns whether it existed and was live.
pub fn revoke_session(tx: &Transaction<'_>, user: &UserId, device: &str, reason: &str, now: u64) -> Result<bool, StorageError> {
    let n = sql(tx.execute(
        "UPDATE sessions SET revoked_ms = ?3, revoked_reason = ?4 WHERE id = ?1 AND user_id = ?2 AND revoked_ms IS NULL",
        params![device, user.as_str(), now as i64, reason],
    ))?;
    Ok(n == 1)
}

pub fn revoke_all_sessions(tx: &Transaction<'_>, user: &UserId, reason: &str, now: u64) -> Result<usize, StorageError> {
    sql(tx.execute(
        "UPDATE sessions SET revoked_ms = ?2, revoked_reason = ?3 WHERE user_id = ?1 AND revoked_ms IS NULL",
        params![user.as_str(), now as i64, reason],
    ))
}

pub fn devices(tx: &Transaction<'_>, user: &UserId, current: &DeviceId) -> Result<Vec<DeviceInfo>, StorageError> {
    let mut stmt = sql(tx.prepare_cached(
        "SELECT id, device_name, created_ms, last_seen_ms FROM sessions
         WHERE user_id = ?1 AND revoked_ms IS NULL ORDER BY last_seen_ms DESC",
    ))?;
    let rows = sql(stmt.query_map([user.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)? as u64,
            r.get::<_, i64>(3)? as u64,
        ))
    }))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, created_ms, last_seen_ms) = sql(row)?;
        let id = DeviceId::parse(&id).map_err(corrupt)?;
        let current = id == *current;
        out.push(DeviceInfo { id, name, created_ms, last_seen_ms, current });
    }
    Ok(out)
}

pub fn login_taken(tx: &Transaction<'_>, login: &str) -> Result<bool, StorageError> {
    sql(tx.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE login = ?1)", [login], |r| r.get(0)))
}

pub fn create_user(tx: &Transaction<'_>, id: &UserId, login: &str, display_name: &str, keys: &super::keys::StoredAccount, now: u64) -> Result<(), StorageError> {
    match tx.execute(
        "INSERT INTO users (id, login, display_name, passphrase_hash, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id.as_str(), login, display_name, keys.auth_hash, now as i64],
    ) {
        Ok(_) => super::keys::set_account(tx, id, keys),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => Err(StorageError::LoginTaken),
        Err(e) => Err(StorageError::from(e)),
    }
}

pub fn login_of(tx: &Transaction<'_>, user: &UserId) -> Result<String, StorageError> {
    sql(tx.query_row("SELECT login FROM users WHERE id = ?1", [user.as_str()], |r| r.get(0)))
}

/// How many groups the server has; none means first-run setup is due.
pub fn group_count(tx: &Transaction<'_>) -> Result<u64, StorageError> {
    let n: i64 = sql(tx.query_row("SELECT COUNT(*) FROM groups", [], |r| r.get(0)))?;
    Ok(n.unsigned_abs())
}

pub fn create_group(tx: &Transaction<'_>, id: &GroupId, name: &str, kind: &str, now: u64) -> Result<(), StorageError> {
    sql(tx.execute("INSERT INTO groups (id, name, kind, created_ms) VALUES (?1, ?2, ?3, ?4)", params![id.as_str(), name, kind, now as i64]))?;
    Ok(())
}

/// Adds `user` to `group` with `role`; an existing member keeps the higher role.
pub fn add_member(tx: &Transaction<'_>, group: &GroupId, user: &UserId, role: Role, now: u64) -> Result<(), StorageError> {
    sql(tx.execute(
        "INSERT INTO memberships (group_id, user_id, role, joined_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (group_id, user_id) DO UPDATE SET role = CASE WHEN excluded.role = 'coordinator' THEN 'coordinator' ELSE role END",
        params![group.as_str(), user.as_str(), role.id(), now as i64],
    ))?;
    Ok(())
}

pub fn remove_member(tx: &Transaction<'_>, group: &GroupId, user: &UserId) -> Result<bool, StorageError> {
    Ok(sql(tx.execute("DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2", params![group.as_str(), user.as_str()]))? == 1)
}

pub fn set_role(tx: &Transaction<'_>, group: &GroupId, user: &UserId, role: Role) -> Result<bool, StorageError> {
    Ok(sql(tx.execute(
        "UPDATE memberships SET role = ?3 WHERE group_id = ?1 AND user_id = ?2",
        params![group.as_str(), user.as_str(), role.id()],
    ))? == 1)
}

pub fn coordinators(tx: &Transaction<'_>, group: &GroupId) -> Result<usize, StorageError> {
    Ok(sql(tx.query_row(
        "SELECT count(*) FROM memberships WHERE group_id = ?1 AND role = 'coordinator'",
        [group.as_str()],
        |r| r.get::<_, i64>(0),
    ))? as usize)
}

pub fn members(tx: &Transaction<'_>, group: &GroupId) -> Result<Vec<MemberInfo>, StorageError> {
    let mut stmt = sql(tx.prepare_cached(
        "SELECT u.id, u.display_name, m.role, m.joined_ms, u.public_key FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.group_id = ?1 ORDER BY u.display_name, u.id",
    ))?;
    let rows = sql(stmt.query_map([group.as_str()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)? as u64, r.get::<_, String>(4)?))
    }))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, display_name, role, joined_ms, public_key) = sql(row)?;
        let id = UserId::parse(&id).map_err(corrupt)?;
        let public_key = (!public_key.is_empty()).then_some(public_key);
        out.push(MemberInfo { id, display_name, role: parse_role(&role), joined_ms, public_key });
    }
    Ok(out)
}

pub struct NewInvite<'a> {
    pub id: &'a str,
    pub group: &'a GroupId,
    pub code_hash: &'a [u8],
    pub role: Role,
    pub created_by: Option<&'a UserId>,
    pub expires_ms: u64,
    pub max_uses: u32,
    /// The group's key of this epoch, wrapped by the code's key.
    pub key: Option<(u32, &'a str)>,
    pub readmit: Option<&'a UserId>,
}

pub fn create_invite(tx: &Transaction<'_>, invite: &NewInvite<'_>, now: u64) -> Result<(), StorageError> {
    sql(tx.execute(
        "INSERT INTO invites (id, group_id, code_hash, role, created_by, created_ms, expires_ms, max_uses, key_epoch, wrapped_key, readmit_user)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            invite.id,
            invite.group.as_str(),
            invite.code_hash,
            invite.role.id(),
            invite.created_by.map(UserId::as_str),
            now as i64,
            invite.expires_ms as i64,
            invite.max_uses,
            invite.key.map(|k| k.0),
            invite.key.map(|k| k.1),
            invite.readmit.map(UserId::as_str),
        ],
    ))?;
    Ok(())
}

pub fn invites(tx: &Transaction<'_>, group: &GroupId) -> Result<Vec<InviteInfo>, StorageError> {
    let mut stmt = sql(tx.prepare_cached(
        "SELECT id, role, created_ms, expires_ms, max_uses, uses, revoked FROM invites WHERE group_id = ?1 ORDER BY created_ms DESC",
    ))?;
    let rows = sql(stmt.query_map([group.as_str()], |r| {
        Ok(InviteInfo {
            id: r.get(0)?,
            role: parse_role(&r.get::<_, String>(1)?),
            created_ms: r.get::<_, i64>(2)? as u64,
            expires_ms: r.get::<_, i64>(3)? as u64,
            max_uses: r.get(4)?,
            uses: r.get(5)?,
            revoked: r.get::<_, i64>(6)? != 0,
        })
    }))?;
    rows.map(sql).collect()
}

pub fn revoke_invite(tx: &Transaction<'_>, group: &GroupId, invite: &str) -> Result<bool, StorageError> {
    Ok(sql(tx.execute("UPDATE invites SET revoked = 1 WHERE id = ?1 AND group_id = ?2", params![invite, group.as_str()]))? == 1)
}

/// A live invite as stored.
pub struct InviteRow {
    pub id: String,
    pub group: GroupId,
    pub role: Role,
    pub key: Option<nimo_core::api::InviteKey>,
    pub readmit: Option<UserId>,
}

/// Checks that an invite is live (known, not expired, not used up, not
/// revoked) without using it.
pub fn invite_status(tx: &Transaction<'_>, code_hash: &[u8], now: u64) -> Result<InviteRow, StorageError> {
    type Row = (String, String, String, i64, i64, i64, i64, Option<u32>, Option<String>, Option<String>);
    let row: Option<Row> = sql(tx
        .query_row(
            "SELECT id, group_id, role, expires_ms, max_uses, uses, revoked, key_epoch, wrapped_key, readmit_user FROM invites WHERE code_hash = ?1",
            [code_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?)),
        )
        .optional())?;
    let Some((id, group, role, expires, max_uses, uses, revoked, key_epoch, wrapped_key, readmit)) = row else {
        return Err(StorageError::InviteInvalid("unknown"));
    };
    if revoked != 0 {
        return Err(StorageError::InviteInvalid("revoked"));
    }
    if (expires as u64) <= now {
        return Err(StorageError::InviteInvalid("expired"));
    }
    if uses >= max_uses {
        return Err(StorageError::InviteInvalid("used_up"));
    }
    let group = GroupId::parse(&group).map_err(corrupt)?;
    let key = match (key_epoch, wrapped_key) {
        (Some(epoch), Some(wrapped)) => Some(nimo_core::api::InviteKey { group: group.clone(), epoch, wrapped }),
        _ => None,
    };
    let readmit = readmit.map(|u| UserId::parse(&u).map_err(corrupt)).transpose()?;
    Ok(InviteRow { id, group, role: parse_role(&role), key, readmit })
}

/// What an invite leads to, for the device to make its keys.
pub fn open_invite(tx: &Transaction<'_>, code_hash: &[u8], now: u64) -> Result<nimo_core::api::InviteOpened, StorageError> {
    let row = invite_status(tx, code_hash, now)?;
    let group_name = group_name(tx, &row.group)?.ok_or(StorageError::InviteInvalid("unknown"))?;
    let group_has_key = super::keys::current_epoch(tx, &row.group)?.is_some();
    let readmit_login = row.readmit.as_ref().map(|u| login_of(tx, u)).transpose()?;
    Ok(nimo_core::api::InviteOpened { group: row.group, group_name, role: row.role, key: row.key, group_has_key, readmit_login })
}

/// Uses one invite: checks it is live and counts the use.
pub fn redeem_invite(tx: &Transaction<'_>, code_hash: &[u8], now: u64) -> Result<InviteRow, StorageError> {
    let row = invite_status(tx, code_hash, now)?;
    sql(tx.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?1", [&row.id]))?;
    Ok(row)
}

pub fn group_name(tx: &Transaction<'_>, group: &GroupId) -> Result<Option<String>, StorageError> {
    sql(tx.query_row("SELECT name FROM groups WHERE id = ?1", [group.as_str()], |r| r.get(0)).optional())
}

pub fn user_exists_in(tx: &Transaction<'_>, group: &GroupId, user: &UserId) -> Result<Option<Role>, StorageError> {
    let role: Option<String> = sql(tx
        .query_row("SELECT role FROM memberships WHERE group_id = ?1 AND user_id = ?2", params![group.as_str(), user.as_str()], |r| r.get(0))
        .optional())?;
    Ok(role.as_deref().map(parse_role))
}

/// The signed-in user's view of themselves.
pub fn me(tx: &Transaction<'_>, user: &UserId, device: &DeviceId) -> Result<nimo_core::api::Me, StorageError> {
    let (login, display_name): (String, String) =
        sql(tx.query_row("SELECT login, display_name FROM users WHERE id = ?1", [user.as_str()], |r| Ok((r.get(0)?, r.get(1)?))))?;
    let groups = memberships(tx, user)?
        .into_iter()
        .map(|m| nimo_core::api::GroupInfo { id: m.group, name: m.group_name, role: m.role })
        .collect();
    Ok(nimo_core::api::Me { user: user.clone(), login, display_name, device: device.clone(), groups, session_token: None, keys: None })
}

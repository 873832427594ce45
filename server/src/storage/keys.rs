//! What the server keeps of the end-to-end keys (ARCHITECTURE.md,
//! "End-to-end encryption"): each account's public key and its private
//! half wrapped (by the passphrase, by the recovery key), each group's
//! epochs with every member's envelope of them, and the chain that lets a
//! newer key open an older one. Nothing here opens anything: the server
//! checks only that what is handed in fits the group as it stands (the
//! right epoch, an envelope for every member), so that a device working
//! from a stale view is told to look again (`KeysChanged`).

use nimo_core::api::{AccountKeys, EpochEnvelope, EpochHistory, GroupKeyInit, GroupKeysInfo, GroupRecovery, KdfParams, KeysInfo, RecoveryKeys, Rotation};
use nimo_core::sync::ids::{GroupId, UserId};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{StorageError, accounts, sql};

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

/// An account's keys as stored, with the hashes that prove them.
pub struct StoredAccount {
    pub kdf: KdfParams,
    /// Argon2id (PHC string) of the device's auth key.
    pub auth_hash: String,
    pub public_key: String,
    pub wrapped_secret: String,
    pub wrapped_secret_recovery: String,
    /// SHA-256 of the recovery key's auth value (256 random bits behind it:
    /// a fast hash is enough).
    pub recovery_hash: Vec<u8>,
}

pub fn kdf_to_text(k: &KdfParams) -> String {
    format!("argon2id;{};{};{};{}", k.m_kib, k.t, k.p, k.salt)
}

fn kdf_from_text(s: &str) -> Result<KdfParams, StorageError> {
    let parts: Vec<&str> = s.split(';').collect();
    match parts.as_slice() {
        ["argon2id", m, t, p, salt] => Ok(KdfParams {
            m_kib: m.parse().map_err(corrupt)?,
            t: t.parse().map_err(corrupt)?,
            p: p.parse().map_err(corrupt)?,
            salt: (*salt).to_owned(),
        }),
        _ => Err(corrupt("a stored kdf")),
    }
}

/// Writes an account's keys (a new account, a re-admission, a recovery).
pub fn set_account(tx: &Transaction<'_>, user: &UserId, a: &StoredAccount) -> Result<(), StorageError> {
    sql(tx.execute(
        "UPDATE users SET kdf = ?2, passphrase_hash = ?3, public_key = ?4, wrapped_secret = ?5, wrapped_secret_recovery = ?6, recovery_hash = ?7
         WHERE id = ?1",
        params![user.as_str(), kdf_to_text(&a.kdf), a.auth_hash, a.public_key, a.wrapped_secret, a.wrapped_secret_recovery, a.recovery_hash],
    ))?;
    Ok(())
}

/// A new passphrase for the same key pair.
pub fn set_passphrase(tx: &Transaction<'_>, user: &UserId, kdf: &KdfParams, auth_hash: &str, wrapped_secret: &str) -> Result<(), StorageError> {
    sql(tx.execute(
        "UPDATE users SET kdf = ?2, passphrase_hash = ?3, wrapped_secret = ?4 WHERE id = ?1",
        params![user.as_str(), kdf_to_text(kdf), auth_hash, wrapped_secret],
    ))?;
    Ok(())
}

/// The parameters a login's passphrase is stretched with, if the login exists.
pub fn kdf_of(tx: &Transaction<'_>, login: &str) -> Result<Option<KdfParams>, StorageError> {
    let text: Option<String> = sql(tx.query_row("SELECT kdf FROM users WHERE login = ?1", [login], |r| r.get(0)).optional())?;
    text.map(|t| kdf_from_text(&t)).transpose()
}

/// The secret the stand-in salts of unknown logins are made from.
pub fn kdf_secret(tx: &Transaction<'_>) -> Result<String, StorageError> {
    sql(tx.query_row("SELECT value FROM meta WHERE key = 'kdf_secret'", [], |r| r.get(0)))
}

pub fn account_keys(tx: &Transaction<'_>, user: &UserId) -> Result<AccountKeys, StorageError> {
    let (public_key, wrapped_secret) =
        sql(tx.query_row("SELECT public_key, wrapped_secret FROM users WHERE id = ?1", [user.as_str()], |r| Ok((r.get(0)?, r.get(1)?))))?;
    Ok(AccountKeys { public_key, wrapped_secret })
}

/// What a recovery needs: the user, their public key and private half
/// wrapped by the recovery key, and the hash proving that key.
pub fn recovery_of(tx: &Transaction<'_>, login: &str) -> Result<Option<(UserId, RecoveryKeys, Vec<u8>)>, StorageError> {
    let row: Option<(String, String, String, Vec<u8>)> = sql(tx
        .query_row("SELECT id, public_key, wrapped_secret_recovery, recovery_hash FROM users WHERE login = ?1", [login], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional())?;
    row.map(|(id, public_key, wrapped_secret_recovery, hash)| {
        Ok((UserId::parse(&id).map_err(corrupt)?, RecoveryKeys { public_key, wrapped_secret_recovery }, hash))
    })
    .transpose()
}

/// The group's current epoch (None: no key yet).
pub fn current_epoch(tx: &Transaction<'_>, group: &GroupId) -> Result<Option<u32>, StorageError> {
    let epoch: Option<Option<i64>> = sql(tx.query_row("SELECT key_epoch FROM groups WHERE id = ?1", [group.as_str()], |r| r.get(0)).optional())?;
    Ok(epoch.flatten().map(|e| e as u32))
}

/// The group's first key, made by its first member's device.
pub fn init_group(tx: &Transaction<'_>, group: &GroupId, user: &UserId, init: &GroupKeyInit, now: u64) -> Result<(), StorageError> {
    if current_epoch(tx, group)?.is_some() {
        return Err(StorageError::KeysChanged("the group has a key already"));
    }
    sql(tx.execute("UPDATE groups SET key_epoch = 1, recovery_public_key = ?2 WHERE id = ?1", params![group.as_str(), init.recovery_public_key]))?;
    sql(tx.execute(
        "INSERT INTO group_epochs (group_id, epoch, history, recovery_envelope, created_ms) VALUES (?1, 1, NULL, ?2, ?3)",
        params![group.as_str(), init.recovery_envelope, now as i64],
    ))?;
    put_envelope(tx, group, user, 1, &init.envelope)
}

fn put_envelope(tx: &Transaction<'_>, group: &GroupId, user: &UserId, epoch: u32, envelope: &str) -> Result<(), StorageError> {
    sql(tx.execute(
        "INSERT OR REPLACE INTO group_keys (group_id, epoch, user_id, envelope) VALUES (?1, ?2, ?3, ?4)",
        params![group.as_str(), epoch, user.as_str(), envelope],
    ))?;
    Ok(())
}

/// The keys a joining member brings for the group: their envelope of the
/// current epoch, or the group's first key. Checked against the group as it
/// stands in this transaction.
pub fn join_keys(tx: &Transaction<'_>, group: &GroupId, user: &UserId, envelope: Option<&EpochEnvelope>, init: Option<&GroupKeyInit>, now: u64) -> Result<(), StorageError> {
    match (current_epoch(tx, group)?, envelope, init) {
        (None, _, Some(init)) => init_group(tx, group, user, init, now),
        (None, _, None) => Err(StorageError::KeysChanged("the group has no key yet: make its first")),
        (Some(current), Some(e), _) if e.epoch == current => put_envelope(tx, group, user, current, &e.envelope),
        (Some(_), Some(_), _) => Err(StorageError::KeysChanged("the group's key changed")),
        // Joined through an invite made on the server: no key to hand on;
        // the group's recovery key gives it (`add_own`).
        (Some(_), None, _) => Ok(()),
    }
}

/// A member's own envelopes of epochs they had no key for.
pub fn add_own(tx: &Transaction<'_>, group: &GroupId, user: &UserId, epochs: &[EpochEnvelope]) -> Result<(), StorageError> {
    let current = current_epoch(tx, group)?.ok_or(StorageError::KeysChanged("the group has no key yet"))?;
    for e in epochs {
        if e.epoch == 0 || e.epoch > current {
            return Err(StorageError::KeysChanged("no such epoch"));
        }
        put_envelope(tx, group, user, e.epoch, &e.envelope)?;
    }
    Ok(())
}

/// Everything the caller holds of their groups' keys.
pub fn keys_info(tx: &Transaction<'_>, user: &UserId) -> Result<KeysInfo, StorageError> {
    let account = account_keys(tx, user)?;
    let mut groups = Vec::new();
    for m in accounts::memberships(tx, user)? {
        let current_epoch = current_epoch(tx, &m.group)?;
        let mut stmt = sql(tx.prepare_cached("SELECT epoch, envelope FROM group_keys WHERE group_id = ?1 AND user_id = ?2 ORDER BY epoch"))?;
        let envelopes = sql(stmt.query_map(params![m.group.as_str(), user.as_str()], |r| Ok(EpochEnvelope { epoch: r.get(0)?, envelope: r.get(1)? })))?
            .map(sql)
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = sql(tx.prepare_cached("SELECT epoch - 1, history FROM group_epochs WHERE group_id = ?1 AND history IS NOT NULL ORDER BY epoch"))?;
        let history = sql(stmt.query_map([m.group.as_str()], |r| Ok(EpochHistory { epoch: r.get(0)?, sealed: r.get(1)? })))?
            .map(sql)
            .collect::<Result<Vec<_>, _>>()?;
        let recovery_public_key: Option<String> =
            sql(tx.query_row("SELECT recovery_public_key FROM groups WHERE id = ?1", [m.group.as_str()], |r| r.get(0)))?;
        groups.push(GroupKeysInfo { group: m.group, current_epoch, envelopes, history, recovery_public_key });
    }
    Ok(KeysInfo { account, groups })
}

/// The group's recovery key and every epoch sealed to it.
pub fn recovery(tx: &Transaction<'_>, group: &GroupId) -> Result<GroupRecovery, StorageError> {
    let public: Option<String> = sql(tx.query_row("SELECT recovery_public_key FROM groups WHERE id = ?1", [group.as_str()], |r| r.get(0)))?;
    let recovery_public_key = public.ok_or(StorageError::NotFound)?;
    let mut stmt = sql(tx.prepare_cached("SELECT epoch, recovery_envelope FROM group_epochs WHERE group_id = ?1 ORDER BY epoch"))?;
    let envelopes = sql(stmt.query_map([group.as_str()], |r| Ok(EpochEnvelope { epoch: r.get(0)?, envelope: r.get(1)? })))?
        .map(sql)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(GroupRecovery { recovery_public_key, envelopes })
}

/// The group's next epoch, made by a coordinator's device as a member
/// leaves: refused unless it is the very next epoch and seals the key to
/// exactly the members who stay. Unused invites of the group are revoked:
/// they hold the old key.
pub fn rotate(tx: &Transaction<'_>, group: &GroupId, leaving: &UserId, rotation: &Rotation, now: u64) -> Result<usize, StorageError> {
    let current = current_epoch(tx, group)?.ok_or(StorageError::KeysChanged("the group has no key yet"))?;
    if rotation.epoch != current + 1 {
        return Err(StorageError::KeysChanged("the group's key changed"));
    }
    let mut staying: Vec<String> =
        accounts::members(tx, group)?.into_iter().map(|m| m.id.to_string()).filter(|id| id != leaving.as_str()).collect();
    let mut sealed_to: Vec<String> = rotation.envelopes.iter().map(|e| e.member.to_string()).collect();
    staying.sort();
    sealed_to.sort();
    if staying != sealed_to {
        return Err(StorageError::KeysChanged("the group's members changed"));
    }
    sql(tx.execute(
        "INSERT INTO group_epochs (group_id, epoch, history, recovery_envelope, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![group.as_str(), rotation.epoch, rotation.history, rotation.recovery_envelope, now as i64],
    ))?;
    for e in &rotation.envelopes {
        put_envelope(tx, group, &e.member, rotation.epoch, &e.envelope)?;
    }
    sql(tx.execute("UPDATE groups SET key_epoch = ?2 WHERE id = ?1", params![group.as_str(), rotation.epoch]))?;
    // The leaving member's envelopes are of no more use to anyone.
    sql(tx.execute("DELETE FROM group_keys WHERE group_id = ?1 AND user_id = ?2", params![group.as_str(), leaving.as_str()]))?;
    sql(tx.execute("UPDATE invites SET revoked = 1 WHERE group_id = ?1 AND revoked = 0 AND uses < max_uses", [group.as_str()]))
}

/// A re-admitted member's keys are new: envelopes sealed to the old public
/// key go (the coordinator's invite gives the group's key again).
pub fn forget_envelopes(tx: &Transaction<'_>, user: &UserId) -> Result<(), StorageError> {
    sql(tx.execute("DELETE FROM group_keys WHERE user_id = ?1", [user.as_str()]))?;
    Ok(())
}

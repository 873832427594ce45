//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! Append new steps at the end; never edit a released one. Each runs in its
//! own transaction together with the version bump, so a crash mid-migration
//! leaves the previous version intact.

use rusqlite::Connection;

use super::StorageError;

const MIGRATIONS: &[&str] = &[
    // 1: server identity. The epoch is a random id of this database's
    // history: a database restored from a backup keeps it, so restore tools
    // must rotate it (see ARCHITECTURE.md, "epoch").
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))));",
    // 2: accounts, groups, sessions, and the records with their sync
    // bookkeeping. `records.body` is the record as JSON (nimo_core::sync::record);
    // the other columns are what the access rules and the pull need.
    "CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) STRICT;
    INSERT INTO counters (name, value) VALUES ('seq', 0), ('horizon', 0);

    CREATE TABLE users (
        id              TEXT PRIMARY KEY,
        login           TEXT NOT NULL UNIQUE,
        display_name    TEXT NOT NULL,
        passphrase_hash TEXT NOT NULL,
        created_ms      INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE groups (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('peer_support', 'family_association', 'other')),
        created_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE memberships (
        group_id  TEXT NOT NULL REFERENCES groups (id),
        user_id   TEXT NOT NULL REFERENCES users (id),
        role      TEXT NOT NULL CHECK (role IN ('coordinator', 'member')),
        joined_ms INTEGER NOT NULL,
        PRIMARY KEY (group_id, user_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX memberships_by_user ON memberships (user_id);

    CREATE TABLE invites (
        id         TEXT PRIMARY KEY,
        group_id   TEXT NOT NULL REFERENCES groups (id),
        code_hash  BLOB NOT NULL UNIQUE,
        role       TEXT NOT NULL CHECK (role IN ('coordinator', 'member')),
        created_by TEXT REFERENCES users (id),
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        max_uses   INTEGER NOT NULL CHECK (max_uses > 0),
        uses       INTEGER NOT NULL DEFAULT 0,
        revoked    INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX invites_by_group ON invites (group_id);

    CREATE TABLE sessions (
        id             TEXT PRIMARY KEY,
        user_id        TEXT NOT NULL REFERENCES users (id),
        token_hash     BLOB NOT NULL UNIQUE,
        device_name    TEXT NOT NULL,
        created_ms     INTEGER NOT NULL,
        last_seen_ms   INTEGER NOT NULL,
        revoked_ms     INTEGER,
        revoked_reason TEXT
    ) STRICT;
    CREATE INDEX sessions_by_user ON sessions (user_id);

    CREATE TABLE clients (
        id       TEXT PRIMARY KEY,
        user_id  TEXT NOT NULL REFERENCES users (id),
        last_seq INTEGER NOT NULL
    ) STRICT;

    -- Why a mutation was rejected, so that a retried push whose first
    -- answer was lost gets the same answer instead of a bare duplicate.
    CREATE TABLE rejections (
        client_id  TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        error      TEXT NOT NULL,
        field      TEXT,
        message    TEXT NOT NULL,
        changed_ms INTEGER NOT NULL,
        PRIMARY KEY (client_id, seq)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE records (
        id         TEXT PRIMARY KEY,
        group_id   TEXT NOT NULL REFERENCES groups (id),
        owner_id   TEXT NOT NULL,
        collection TEXT NOT NULL,
        visibility TEXT NOT NULL CHECK (visibility IN ('private', 'group')),
        deleted    INTEGER NOT NULL,
        seq        INTEGER NOT NULL UNIQUE,
        changed_ms INTEGER NOT NULL,
        body       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX records_by_group_seq ON records (group_id, seq);
    CREATE INDEX records_tombstones ON records (changed_ms) WHERE deleted = 1;

    -- Ids of deleted records whose tombstones were purged: a device that
    -- still holds a copy may not bring them back.
    CREATE TABLE graveyard (
        id TEXT PRIMARY KEY
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE revocations (
        seq        INTEGER PRIMARY KEY,
        group_id   TEXT NOT NULL,
        record_id  TEXT NOT NULL,
        owner_id   TEXT NOT NULL,
        changed_ms INTEGER NOT NULL
    ) STRICT;",
    // 3: attempts counted before a passphrase is checked (sign-in throttle
    // that survives restarts), and bearer sessions (the app lock keeps the
    // token sealed; such a session is never accepted from a cookie).
    "CREATE TABLE attempts (
        key   TEXT NOT NULL,
        at_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX attempts_by_key ON attempts (key, at_ms);
    ALTER TABLE sessions ADD COLUMN bearer INTEGER NOT NULL DEFAULT 0;",
    // 4: end-to-end encryption (ARCHITECTURE.md, "End-to-end encryption").
    // The server keeps what devices need to find their keys — each sealed
    // so that only a device opens it — and never a key it could use.
    // `passphrase_hash` now holds the Argon2id hash of the device's auth
    // key, not of a passphrase. A database with accounts from before this
    // step is refused (`refuse_before_encryption`), not migrated.
    "ALTER TABLE users ADD COLUMN kdf TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN wrapped_secret TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN wrapped_secret_recovery TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN recovery_hash BLOB NOT NULL DEFAULT x'';

    -- NULL: the group has no key yet (its first member makes it).
    ALTER TABLE groups ADD COLUMN key_epoch INTEGER;
    ALTER TABLE groups ADD COLUMN recovery_public_key TEXT;

    -- One row per epoch of a group's key: the previous epoch's key sealed
    -- under this one (none for the first), and this one sealed to the
    -- group's recovery key.
    CREATE TABLE group_epochs (
        group_id          TEXT NOT NULL REFERENCES groups (id),
        epoch             INTEGER NOT NULL CHECK (epoch > 0),
        history           TEXT,
        recovery_envelope TEXT NOT NULL,
        created_ms        INTEGER NOT NULL,
        PRIMARY KEY (group_id, epoch)
    ) STRICT, WITHOUT ROWID;

    -- A group key of one epoch sealed to one member's public key.
    CREATE TABLE group_keys (
        group_id TEXT NOT NULL REFERENCES groups (id),
        epoch    INTEGER NOT NULL,
        user_id  TEXT NOT NULL REFERENCES users (id),
        envelope TEXT NOT NULL,
        PRIMARY KEY (group_id, user_id, epoch)
    ) STRICT, WITHOUT ROWID;

    -- An invite holds the group's key of one epoch wrapped by a key only
    -- its code gives (none for an invite made by the server's operator);
    -- `code_hash` is now the SHA-256 of the code's slow derivation. A
    -- re-admitting invite names the member it gives new keys to.
    ALTER TABLE invites ADD COLUMN key_epoch INTEGER;
    ALTER TABLE invites ADD COLUMN wrapped_key TEXT;
    ALTER TABLE invites ADD COLUMN readmit_user TEXT REFERENCES users (id);

    -- The secret behind the stand-in salts given for unknown logins.
    INSERT INTO meta (key, value) VALUES ('kdf_secret', lower(hex(randomblob(32))));",
];

/// The first step at which records are sealed on the devices.
const ENCRYPTION: usize = 4;

/// A database from before end-to-end encryption that holds accounts: its
/// records are in clear text, and only their authors' devices could seal
/// them, so it is refused rather than mixed (see README, "Upgrading").
fn refuse_before_encryption(conn: &Connection, current: i64) -> Result<(), StorageError> {
    if current <= 0 || current >= ENCRYPTION as i64 {
        return Ok(());
    }
    let users: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
    if users > 0 { Err(StorageError::BeforeEncryption) } else { Ok(()) }
}

/// The database's version and the one this build brings it to, when a
/// database that already holds data is behind (a fresh file is not).
pub fn behind(conn: &Connection) -> Result<Option<(i64, i64)>, StorageError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    Ok((current > 0 && current < known).then_some((current, known)))
}

pub fn apply(conn: &mut Connection) -> Result<(), StorageError> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StorageError::TooNew { found: current, known });
    }
    refuse_before_encryption(conn, current)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_are_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let epoch: String = conn.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| r.get(0)).unwrap();
        assert_eq!(epoch.len(), 32);
    }

    #[test]
    fn refuses_a_database_with_accounts_from_before_encryption() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (index, sql) in MIGRATIONS.iter().enumerate().take(ENCRYPTION - 1) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", index as i64 + 1).unwrap();
        }
        conn.execute("INSERT INTO users (id, login, display_name, passphrase_hash, created_ms) VALUES ('u', 'hana', 'はな', 'h', 1)", []).unwrap();
        assert!(matches!(apply(&mut conn), Err(StorageError::BeforeEncryption)));
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, ENCRYPTION as i64 - 1, "left as it was");
        conn.execute("DELETE FROM users", []).unwrap();
        apply(&mut conn).unwrap();
    }

    #[test]
    fn refuses_a_database_from_the_future() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 9999).unwrap();
        assert!(matches!(apply(&mut conn), Err(StorageError::TooNew { found: 9999, .. })));
    }
}

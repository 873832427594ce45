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
];

pub fn apply(conn: &mut Connection) -> Result<(), StorageError> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StorageError::TooNew { found: current, known });
    }
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
    fn refuses_a_database_from_the_future() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 9999).unwrap();
        assert!(matches!(apply(&mut conn), Err(StorageError::TooNew { found: 9999, .. })));
    }
}

//! Counting attempts at things a guesser would repeat (signing in, invite
//! codes, changing a passphrase), per account and per address, in the
//! database so that the counts survive a restart.
//!
//! An attempt is counted *before* the passphrase is checked, in a write
//! transaction: the single writer orders concurrent attempts, so forty
//! guesses sent at once get at most `limit` checks and the rest a wait.

use rusqlite::{Transaction, params};

use super::{StorageError, sql};

/// Attempts are counted over this window.
pub const WINDOW_MS: u64 = 15 * 60 * 1000;
/// Attempts per account (sign-in, passphrase change) in the window.
pub const PER_ACCOUNT: usize = 5;
/// Attempts per address (sign-in, invite codes) in the window.
pub const PER_ADDRESS: usize = 20;

/// A key and how many attempts it may make in the window.
#[derive(Debug, Clone)]
pub struct Limit {
    pub key: String,
    pub max: usize,
}

impl Limit {
    pub fn account(login: &str) -> Self {
        Self { key: format!("login:{login}"), max: PER_ACCOUNT }
    }

    pub fn address(ip: std::net::IpAddr) -> Self {
        Self { key: format!("ip:{ip}"), max: PER_ADDRESS }
    }
}

/// The attempts counted for one request, to give back if it succeeds.
#[derive(Debug, Clone, Default)]
pub struct Reservation {
    rows: Vec<(String, i64)>,
}

/// Counts one attempt against every limit, unless one is already used up:
/// then nothing is counted and the error says how long to wait (seconds).
pub fn reserve(tx: &Transaction<'_>, limits: &[Limit], now: u64) -> Result<Reservation, StorageError> {
    let since = now.saturating_sub(WINDOW_MS) as i64;
    for limit in limits {
        sql(tx.execute("DELETE FROM attempts WHERE key = ?1 AND at_ms <= ?2", params![limit.key, since]))?;
        let (count, oldest): (i64, Option<i64>) =
            sql(tx.query_row("SELECT count(*), min(at_ms) FROM attempts WHERE key = ?1", [&limit.key], |r| Ok((r.get(0)?, r.get(1)?))))?;
        if count as usize >= limit.max {
            let oldest = oldest.unwrap_or(now as i64) as u64;
            let wait = WINDOW_MS.saturating_sub(now.saturating_sub(oldest)) / 1000;
            return Err(StorageError::Throttled(wait.max(1)));
        }
    }
    let mut rows = Vec::with_capacity(limits.len());
    for limit in limits {
        sql(tx.execute("INSERT INTO attempts (key, at_ms) VALUES (?1, ?2)", params![limit.key, now as i64]))?;
        rows.push((limit.key.clone(), tx.last_insert_rowid()));
    }
    Ok(Reservation { rows })
}

/// Gives back the attempts of a request that succeeded.
pub fn release(tx: &Transaction<'_>, reservation: &Reservation) -> Result<(), StorageError> {
    for (_, row) in &reservation.rows {
        sql(tx.execute("DELETE FROM attempts WHERE rowid = ?1", [row]))?;
    }
    Ok(())
}

/// Gives back only the attempt counted against `limit`'s key.
pub fn release_key(tx: &Transaction<'_>, reservation: &Reservation, limit: &Limit) -> Result<(), StorageError> {
    for (key, row) in &reservation.rows {
        if *key == limit.key {
            sql(tx.execute("DELETE FROM attempts WHERE rowid = ?1", [row]))?;
        }
    }
    Ok(())
}

/// Forgets attempts older than the window (run with the purge).
pub fn purge(tx: &Transaction<'_>, now: u64) -> Result<usize, StorageError> {
    sql(tx.execute("DELETE FROM attempts WHERE at_ms <= ?1", [now.saturating_sub(WINDOW_MS) as i64]))
}

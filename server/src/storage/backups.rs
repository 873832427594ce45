//! Backups: consistent copies of the database made while it runs (by the
//! `backup` command, and by the server itself on a schedule), pruned by a
//! retention policy, and restores from them that replay the journal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

use super::journal::{self, Replay};
use super::{Database, Durability, StorageError, create_private, make_private, open_connection, sql};

/// What a backup holds: its history (`epoch`) and how far in it (`seq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub path: PathBuf,
    pub taken_ms: u64,
    pub epoch: String,
    pub seq: u64,
}

/// When the server backs itself up, where, and what it keeps.
#[derive(Debug, Clone)]
pub struct BackupPolicy {
    /// Backups and the journal go here (0700).
    pub dir: PathBuf,
    /// How often; `None` turns scheduled backups off (the journal stays on).
    pub every: Option<Duration>,
    /// Every backup younger than this is kept…
    pub keep_all: Duration,
    /// …then one per day (the last of the day) up to this age.
    pub keep_daily: Duration,
}

impl BackupPolicy {
    pub const DEFAULT_EVERY_MINUTES: u64 = 60;

    /// `<database>.backups/` beside the database, hourly, 48 hours of every
    /// backup and 30 days of dailies.
    pub fn beside(database: &Path) -> Self {
        Self {
            dir: PathBuf::from(format!("{}.backups", database.display())),
            every: Some(Duration::from_secs(Self::DEFAULT_EVERY_MINUTES * 60)),
            keep_all: Duration::from_secs(48 * 3600),
            keep_daily: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

fn read_position(conn: &Connection) -> Result<(String, u64), StorageError> {
    let epoch: String = sql(conn.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| r.get(0)))?;
    let seq: i64 = sql(conn.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| r.get(0)))?;
    Ok((epoch, seq as u64))
}

/// Copies the database behind `conn` to `to` (a new file, 0600).
pub(super) fn snapshot(conn: &Connection, to: &Path) -> Result<Snapshot, StorageError> {
    create_private(to).map_err(StorageError::io(to))?;
    let (epoch, seq) = read_position(conn)?;
    let taken_ms = crate::clock::now_ms();
    let copied = (|| {
        conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])?;
        let copy = open_connection(to, Durability::Full)?;
        copy.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('backup_ms', ?1)", [taken_ms.to_string()])?;
        Ok::<_, StorageError>(())
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(to);
        return Err(e);
    }
    make_private(to).map_err(StorageError::io(to))?;
    Ok(Snapshot { path: to.to_owned(), taken_ms, epoch, seq })
}

/// Reads what a backup file holds (it must be a nimo database).
pub fn inspect(backup: &Path) -> Result<Snapshot, StorageError> {
    let conn = open_connection(backup, Durability::Full)?;
    let (epoch, seq) = read_position(&conn)?;
    let taken: Option<String> =
        sql(conn.query_row("SELECT value FROM meta WHERE key = 'backup_ms'", [], |r| r.get(0)).optional())?;
    Ok(Snapshot { path: backup.to_owned(), taken_ms: taken.and_then(|t| t.parse().ok()).unwrap_or(0), epoch, seq })
}

const PREFIX: &str = "nimo-backup-";
const SUFFIX: &str = ".sqlite3";

/// The backups the server made in `dir`, oldest first.
pub fn list(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StorageError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(StorageError::io(dir))? {
        let path = entry.map_err(StorageError::io(dir))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(ms) = name.strip_prefix(PREFIX).and_then(|n| n.strip_suffix(SUFFIX)).and_then(|n| n.parse().ok()) {
            out.push((ms, path));
        }
    }
    out.sort();
    Ok(out)
}

/// Takes one scheduled backup into the policy's directory and prunes.
pub async fn scheduled_once(db: &Database, policy: &BackupPolicy) -> Result<Snapshot, StorageError> {
    super::private_dir(&policy.dir)?;
    let path = policy.dir.join(format!("{PREFIX}{:013}{SUFFIX}", crate::clock::now_ms()));
    let snapshot = db.backup(&path).await?;
    prune(policy, snapshot.taken_ms)?;
    Ok(snapshot)
}

/// Backs up every `policy.every`, forever (the server's own schedule).
pub async fn scheduled(db: Database, policy: BackupPolicy, ops: crate::ops::Ops) {
    let Some(every) = policy.every else { return };
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        match scheduled_once(&db, &policy).await {
            Ok(snapshot) => {
                ops.backup_done(snapshot.taken_ms);
                tracing::info!(path = %snapshot.path.display(), "backed up");
            }
            Err(e) => {
                ops.backup_failed(&e.to_string());
                tracing::error!(error = %e, "the scheduled backup failed");
            }
        }
    }
}

/// Deletes backups the policy no longer keeps, and journal segments that
/// only hold what the oldest kept backup already has.
pub fn prune(policy: &BackupPolicy, now_ms: u64) -> Result<(), StorageError> {
    let all = list(&policy.dir)?;
    let day = |ms: u64| (ms + 9 * 3600 * 1000) / (24 * 3600 * 1000);
    let age = |ms: u64| Duration::from_millis(now_ms.saturating_sub(ms));
    let mut keep: Vec<&(u64, PathBuf)> = Vec::new();
    for (i, entry) in all.iter().enumerate() {
        let (ms, _) = entry;
        let last_of_its_day = all.get(i + 1).is_none_or(|(next, _)| day(*next) != day(*ms));
        if age(*ms) <= policy.keep_all || (age(*ms) <= policy.keep_daily && last_of_its_day) {
            keep.push(entry);
        }
    }
    for (ms, path) in &all {
        if !keep.iter().any(|(k, _)| k == ms) {
            std::fs::remove_file(path).map_err(StorageError::io(path))?;
        }
    }
    if let Some((oldest, _)) = keep.first() {
        // A segment is needed while it holds anything after the oldest
        // backup: drop those whose successor started before it.
        let segments = journal::segments(&policy.dir)?;
        for pair in segments.windows(2) {
            if pair[1].0 <= *oldest {
                std::fs::remove_file(&pair[0].1).map_err(StorageError::io(&pair[0].1))?;
            }
        }
    }
    Ok(())
}

/// Puts a backup in place of the database at `path` and gives it a new
/// epoch, so that every device notices that the server went back in time:
/// they push what they hold again instead of trusting old acknowledgements.
/// The server must be stopped. Nothing after the backup is replayed.
pub fn restore(backup: &Path, path: &Path) -> Result<(), StorageError> {
    restore_inner(backup, path, None).map(drop)
}

/// As [`restore`], then replays from the journal in `journal_dir` every
/// record state the backup lacks (up to `until_ms`, for a restore to a
/// point in time), before the new epoch.
pub fn restore_with_journal(backup: &Path, path: &Path, journal_dir: &Path, until_ms: Option<u64>) -> Result<Replay, StorageError> {
    restore_inner(backup, path, Some((journal_dir, until_ms))).map(Option::unwrap_or_default)
}

fn restore_inner(backup: &Path, path: &Path, journal: Option<(&Path, Option<u64>)>) -> Result<Option<Replay>, StorageError> {
    // Check that the backup is a database before touching anything.
    let snapshot = inspect(backup)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(StorageError::io(&side))?;
        }
    }
    let staged = PathBuf::from(format!("{}.restoring", path.display()));
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(backup, &staged).map_err(StorageError::io(&staged))?;
    make_private(&staged).map_err(StorageError::io(&staged))?;
    let replay = {
        let mut conn = open_connection(&staged, Durability::Full)?;
        let replay = match journal {
            Some((dir, until)) => {
                let tx = conn.transaction()?;
                let replay = journal::replay(&tx, dir, &snapshot.epoch, snapshot.seq, until)?;
                tx.commit()?;
                Some(replay)
            }
            None => None,
        };
        conn.execute("UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'epoch'", [])?;
        conn.execute("DELETE FROM meta WHERE key = 'backup_ms'", [])?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        replay
    };
    std::fs::rename(&staged, path).map_err(StorageError::io(path))?;
    Ok(replay)
}

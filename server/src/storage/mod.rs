//! The storage layer: every SQL statement of the server lives under this
//! module. Handlers call typed functions here and never see SQL.
//!
//! One SQLite file in WAL mode. Writes go through a single connection (SQLite
//! has one writer anyway; holding it in a mutex makes the order explicit and
//! avoids `SQLITE_BUSY`); reads use a small pool so that pulls from many
//! devices run in parallel with a push. Requests wait for a connection on
//! async semaphores, so five hundred devices at once cost five hundred
//! small futures, not five hundred threads and SQLite connections.

pub mod accounts;
mod migrations;
pub mod records;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("the database was written by a newer nimo (schema {found}, this build knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("the database task was cancelled")]
    Cancelled,
}

const READERS: usize = 4;

/// How hard SQLite works to keep a committed transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`: a commit survives a power cut. The server.
    Full,
    /// `synchronous = OFF`: survives a process crash only if the OS does not
    /// crash. For simulations that reopen the file thousands of times.
    Fast,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    durability: Durability,
    path: PathBuf,
    writer: Mutex<Connection>,
    /// One permit: the writer's turn.
    write_turn: Semaphore,
    readers: Mutex<Vec<Connection>>,
    /// As many permits as `readers` holds connections.
    read_turn: Semaphore,
}

impl Database {
    /// Opens (creating if absent) the database file, switches it to WAL and
    /// applies pending migrations. Fails early when the file is not a
    /// database or cannot be read or written.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        Self::open_with(path, Durability::Full)
    }

    pub fn open_with(path: &Path, durability: Durability) -> Result<Self, StorageError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StorageError::CreateDir { path: dir.to_owned(), source })?;
        }
        let mut writer = open_connection(path, durability)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the database could not switch to WAL mode");
        }
        migrations::apply(&mut writer)?;
        let readers = (0..READERS).map(|_| open_connection(path, durability)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                durability,
                writer: Mutex::new(writer),
                write_turn: Semaphore::new(1),
                readers: Mutex::new(readers),
                read_turn: Semaphore::new(READERS),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in one write transaction (BEGIN IMMEDIATE), committed when
    /// `f` returns `Ok`, rolled back otherwise.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        let _turn = self.inner.write_turn.acquire().await.map_err(|_| StorageError::Cancelled)?;
        let inner = Arc::clone(&self.inner);
        run_blocking(move || {
            let mut conn = lock(&inner.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StorageError::from)?;
            let value = f(&tx)?;
            tx.commit().map_err(StorageError::from)?;
            Ok(value)
        })
        .await
    }

    /// Writes a consistent copy of the database to `to` (which must not
    /// exist), while the server keeps running.
    pub async fn backup(&self, to: &Path) -> Result<(), StorageError> {
        let _turn = self.inner.write_turn.acquire().await.map_err(|_| StorageError::Cancelled)?;
        let inner = Arc::clone(&self.inner);
        let to = to.to_string_lossy().into_owned();
        run_blocking(move || {
            let conn = lock(&inner.writer);
            conn.execute("VACUUM INTO ?1", [to])?;
            Ok(())
        })
        .await
    }

    /// Runs `f` in one read transaction, so that it sees a single snapshot.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        let _turn = self.inner.read_turn.acquire().await.map_err(|_| StorageError::Cancelled)?;
        let inner = Arc::clone(&self.inner);
        run_blocking(move || {
            // With the permit, a pooled connection is free; one lost to a
            // panic is replaced.
            let mut conn = match lock(&inner.readers).pop() {
                Some(conn) => conn,
                None => open_connection(&inner.path, inner.durability)?,
            };
            let result = (|| {
                let tx = conn.transaction().map_err(StorageError::from)?;
                let value = f(&tx)?;
                tx.finish().map_err(StorageError::from)?;
                Ok(value)
            })();
            let mut pool = lock(&inner.readers);
            if pool.len() < READERS {
                pool.push(conn);
            }
            result
        })
        .await
    }
}

/// Puts a backup in place of the database at `path` and gives it a new
/// epoch, so that every device notices that the server went back in time:
/// they push what they hold again instead of trusting old acknowledgements.
/// The server must be stopped.
pub fn restore(backup: &Path, path: &Path) -> Result<(), StorageError> {
    let io = |source: std::io::Error| StorageError::CreateDir { path: path.to_owned(), source };
    // Check that the backup is a database before touching anything.
    open_connection(backup, Durability::Full)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(io)?;
        }
    }
    let staged = PathBuf::from(format!("{}.restoring", path.display()));
    std::fs::copy(backup, &staged).map_err(io)?;
    {
        let conn = open_connection(&staged, Durability::Full)?;
        conn.execute("UPDATE meta SET value = lower(hex(randomblob(16))) WHERE key = 'epoch'", [])?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    std::fs::rename(&staged, path).map_err(io)?;
    Ok(())
}

fn open_connection(path: &Path, durability: Durability) -> Result<Connection, StorageError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    // FULL: an acknowledged push must survive a power cut, not only a crash.
    conn.execute_batch(match durability {
        Durability::Full => "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        Durability::Fast => "PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    })?;
    // Reading the schema forces SQLite to open the file now, so that a file
    // that is not a database fails at start-up with a clear message.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
    Ok(conn)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves SQLite consistent (the
    // transaction rolls back on drop), so a poisoned lock is safe to reuse.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn run_blocking<T, E, F>(f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StorageError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(_) => Err(StorageError::Cancelled.into()),
    }
}

//! The storage layer: every SQL statement of the server lives under this
//! module. Handlers call typed functions here and never see SQL.
//!
//! One SQLite file in WAL mode. Writes go through a single connection on its
//! own thread (SQLite has one writer anyway; one thread makes the order
//! explicit and avoids `SQLITE_BUSY`), which commits the writes that queued
//! while it was busy together (see `writer`). Reads use a small pool so that
//! pulls from many devices run in parallel with a push. Requests wait on a
//! channel or an async semaphore, so five hundred devices at once cost five
//! hundred small futures, not five hundred threads and SQLite connections.
//!
//! Files are private: the database, its `-wal` and `-shm`, backups and the
//! journal are created mode 0600 (SQLite gives `-wal`/`-shm` the mode of the
//! database file), a directory this module creates 0700.

pub mod accounts;
pub mod attempts;
mod backups;
mod journal;
pub mod keys;
mod migrations;
pub mod records;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use writer::{Outcome, Writer};

use nimo_core::sync::protocol::ResyncReason;
use rusqlite::{Connection, OpenFlags, Transaction};
use tokio::sync::Semaphore;

pub use backups::{BackupPolicy, Snapshot, inspect as inspect_backup, list as list_backups, restore, restore_with_journal, scheduled as backups_scheduled, scheduled_once as backup_into};
pub use journal::Replay;

/// What can go wrong in storage: the infrastructure failing (a 500 for a
/// request) or a request that the data refuses (an answer with a reason).
/// `crate::error` turns each into an HTTP answer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("sqlite: {0}")]
    Sqlite(rusqlite::Error),
    /// The disk (or the filesystem) holding the database or its journal is
    /// full: the write was not stored.
    #[error("the disk holding the database is full ({0})")]
    Full(String),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the database was written by a newer nimo (schema {found}, this build knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error(
        "the database holds accounts from before end-to-end encryption: its records are in clear text and only their authors' phones could seal them. \
         Keep it with the previous version of nimo; start this version on a new database file (see README, \"Upgrading\")"
    )]
    BeforeEncryption,
    #[error("the database task was cancelled")]
    Cancelled,
    #[error("the transaction this write shared failed ({0})")]
    Aborted(String),
    #[error("a stored value is unreadable: {0}")]
    Corrupt(String),

    // Refusals.
    #[error("not found")]
    NotFound,
    #[error("no session")]
    Unauthenticated,
    #[error("the session has expired")]
    SessionExpired,
    #[error("this device was revoked ({0})")]
    DeviceRevoked(String),
    #[error("the invite cannot be used ({0})")]
    InviteInvalid(&'static str),
    #[error("that login name is taken")]
    LoginTaken,
    #[error("too many attempts; try again in {0} s")]
    Throttled(u64),
    #[error("not allowed")]
    Forbidden,
    #[error("the client speaks another protocol version")]
    ClientOutdated,
    #[error("the server's data was replaced")]
    EpochChanged,
    #[error("pull everything again ({0:?})")]
    Resync(ResyncReason),
    #[error("not a cursor this server made")]
    BadCursor,
    #[error("the device's clock is ahead of the server's")]
    ClockAhead { server_ms: u64 },
    /// A change sealed under a group key that is no longer current, or
    /// keys made for a membership that changed meanwhile.
    #[error("the group's keys changed ({0})")]
    KeysChanged(&'static str),
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Self::Full(e.to_string()),
            _ => Self::Sqlite(e),
        }
    }
}

impl StorageError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| {
            if source.kind() == std::io::ErrorKind::StorageFull {
                Self::Full(format!("{}: {source}", path.display()))
            } else {
                Self::Io { path: path.to_owned(), source }
            }
        }
    }

    /// What a write is told when the transaction it shared failed: a full
    /// disk stays a full disk (the device keeps its change and says why).
    pub(crate) fn shared(&self) -> Self {
        match self {
            Self::Full(why) => Self::Full(why.clone()),
            other => Self::Aborted(other.to_string()),
        }
    }
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
    writer: Writer,
    readers: Mutex<Vec<Connection>>,
    /// As many permits as `readers` holds connections.
    read_turn: Semaphore,
    /// Files that were already there and readable by other users.
    exposed: Vec<PathBuf>,
}

/// Records written by one transaction, for the journal.
#[derive(Default)]
pub struct Written {
    pub(crate) lines: Vec<journal::Line>,
}

impl Database {
    /// Opens (creating if absent) the database file, switches it to WAL and
    /// applies pending migrations. Fails early when the file is not a
    /// database or cannot be read or written.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        Self::open_with(path, Durability::Full, None)
    }

    /// As [`open`](Self::open); with `journal_dir`, every record state
    /// written is also appended to a journal there, so that a restore from
    /// a backup can bring back what came after it.
    pub fn open_with(path: &Path, durability: Durability, journal_dir: Option<&Path>) -> Result<Self, StorageError> {
        let exposed = private_file(path)?;
        let mut writer = open_connection(path, durability)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the database could not switch to WAL mode");
        }
        if let Some((from, to)) = migrations::behind(&writer)? {
            // An upgrade: a backup first, with the scheduled ones, so that
            // `backups` lists it and `restore --from` takes it.
            let dir = journal_dir.map(Path::to_owned).unwrap_or_else(|| BackupPolicy::beside(path).dir);
            private_dir(&dir)?;
            let copy = dir.join(format!("nimo-backup-{:013}.sqlite3", crate::clock::now_ms()));
            backups::snapshot(&writer, &copy)?;
            tracing::warn!(backup = %copy.display(), from, to, "backed up the database before migrating it to a new version");
        }
        migrations::apply(&mut writer)?;
        let readers = (0..READERS).map(|_| open_connection(path, durability)).collect::<Result<Vec<_>, _>>()?;
        let journal = journal_dir.map(journal::Journal::open).transpose()?;
        let mut exposed = exposed;
        for side in ["-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{side}", path.display()));
            if readable_by_others(&file) {
                exposed.push(file);
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                durability,
                writer: Writer::start(writer, journal, path)?,
                readers: Mutex::new(readers),
                read_turn: Semaphore::new(READERS),
                exposed,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Existing files of the database that other users of the machine can
    /// read (the server says so at start: notes are in them).
    pub fn exposed_files(&self) -> &[PathBuf] {
        &self.inner.exposed
    }

    /// Runs `f` in a write transaction, committed when `f` returns `Ok`,
    /// rolled back otherwise. Other writes may share the transaction (each
    /// in its own savepoint); the answer comes after the commit.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, E> + Send + 'static,
    {
        self.write_journaled(move |tx, _| f(tx)).await
    }

    /// As [`write`](Self::write), for transactions that store records: what
    /// `f` puts in `Written` reaches the journal (and the disk) before the
    /// transaction commits, so the journal holds every acknowledged state.
    /// A line for a transaction that then fails is harmless: replaying a
    /// record state merges, and merging is idempotent.
    pub async fn write_journaled<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(&Transaction<'_>, &mut Written) -> Result<T, E> + Send + 'static,
    {
        match self.inner.writer.write(f)?.await {
            Ok(Outcome::Done(result)) => result,
            Ok(Outcome::Panicked(panic)) => std::panic::resume_unwind(panic),
            Err(_) => Err(StorageError::Cancelled.into()),
        }
    }

    /// The database file and its write-ahead log, in bytes.
    pub fn size_bytes(&self) -> u64 {
        ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", self.inner.path.display())).ok()).map(|m| m.len()).sum()
    }

    /// Write transactions committed since `open`: each one waited for the
    /// disk once, however many writes it held.
    pub fn commits(&self) -> u64 {
        self.inner.writer.commits()
    }

    /// Writes a consistent copy of the database to `to` (which must not
    /// exist), mode 0600, while the server keeps running. The copy notes
    /// its own time and sequence so that a restore knows what in the
    /// journal came after it; a journal starts a new segment there.
    pub async fn backup(&self, to: &Path) -> Result<Snapshot, StorageError> {
        let to = to.to_owned();
        let answer = self.inner.writer.alone(move |conn, journal| {
            let snapshot = backups::snapshot(conn, &to).inspect_err(|_| {
                // A half-written copy must not pass for a backup.
                let _ = std::fs::remove_file(&to);
            })?;
            if let Some(journal) = journal {
                journal.rotate(snapshot.taken_ms)?;
            }
            Ok(snapshot)
        })?;
        answer.await.map_err(|_| StorageError::Cancelled)?
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

    /// Answers only if the database answers (the health check).
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.read(|tx| tx.query_row("SELECT 1", [], |_| Ok(())).map_err(StorageError::from)).await
    }
}

/// Creates the database's directory (0700) and file (0600) when absent, so
/// that SQLite never makes them with the process's umask. Returns the file
/// if it existed and others can read it.
fn private_file(path: &Path) -> Result<Vec<PathBuf>, StorageError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    match create_private(path) {
        Ok(()) => Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(if readable_by_others(path) { vec![path.to_owned()] } else { Vec::new() })
        }
        Err(source) => Err(StorageError::Io { path: path.to_owned(), source }),
    }
}

/// Creates `dir` and its missing parents with mode 0700.
pub(crate) fn private_dir(dir: &Path) -> Result<(), StorageError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(StorageError::io(dir))
}

/// Creates an empty file readable by its owner only; fails if it exists.
pub(crate) fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)?;
    make_private(path)
}

/// Sets mode 0600 whatever the umask was.
pub(crate) fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    let _ = path;
    Ok(())
}

fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
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

fn sql<T>(r: rusqlite::Result<T>) -> Result<T, StorageError> {
    r.map_err(StorageError::from)
}

#[cfg(test)]
mod tests;

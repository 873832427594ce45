//! What an operator needs to know about the running server — the last
//! backup and whether one failed, the certificate's end and whether a
//! renewal failed — for `GET /api/health` and `nimo-server status`.
//!
//! Kept in memory and, on every change, in `<database>.status.json`
//! (0600), so that `nimo-server status` can say it without asking the
//! server. Nothing in it is a secret: times, sizes and error messages.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::clock::now_ms;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// When the server started (Unix ms).
    pub started_ms: u64,
    pub last_backup_ms: Option<u64>,
    /// The last backup that failed, if none succeeded since: when and why.
    pub backup_failed: Option<Failure>,
    pub certificate_expires_ms: Option<u64>,
    pub certificate_renewed_ms: Option<u64>,
    /// The last failed renewal (or reading of the files), if none succeeded since.
    pub certificate_failed: Option<Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub at_ms: u64,
    pub error: String,
}

/// The shared status; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Ops {
    inner: Arc<Mutex<Status>>,
    file: Option<Arc<PathBuf>>,
}

impl Ops {
    /// The status of a server on `database`, kept beside it.
    pub fn beside(database: &Path) -> Self {
        let ops = Self { inner: Arc::new(Mutex::new(Status { started_ms: now_ms(), ..Status::default() })), file: Some(Arc::new(file_for(database))) };
        ops.save();
        ops
    }

    pub fn status(&self) -> Status {
        self.inner.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn change(&self, f: impl FnOnce(&mut Status)) {
        if let Ok(mut s) = self.inner.lock() {
            f(&mut s);
        }
        self.save();
    }

    pub fn backup_done(&self, at_ms: u64) {
        self.change(|s| {
            s.last_backup_ms = Some(at_ms);
            s.backup_failed = None;
        });
    }

    pub fn backup_failed(&self, error: &str) {
        self.change(|s| s.backup_failed = Some(Failure { at_ms: now_ms(), error: error.to_owned() }));
    }

    /// A certificate is in use; `renewed_ms` when it was just obtained.
    pub fn certificate(&self, expires_ms: Option<u64>, renewed_ms: Option<u64>) {
        self.change(|s| {
            s.certificate_expires_ms = expires_ms;
            if renewed_ms.is_some() {
                s.certificate_renewed_ms = renewed_ms;
            }
            s.certificate_failed = None;
        });
    }

    pub fn certificate_failed(&self, error: &str) {
        self.change(|s| s.certificate_failed = Some(Failure { at_ms: now_ms(), error: error.to_owned() }));
    }

    /// Best effort: a full disk must not stop the server, and the status
    /// in memory (the health page) still says what happened.
    fn save(&self) {
        let Some(path) = &self.file else { return };
        let Ok(text) = serde_json::to_vec_pretty(&self.status()) else { return };
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let staged = path.with_extension("json.new");
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&staged)
            .and_then(|mut f| f.write_all(&text))
            .and_then(|()| std::fs::rename(&staged, path.as_path()));
        if let Err(e) = written {
            tracing::warn!(error = %e, path = %path.display(), "the status file could not be written");
        }
    }
}

pub fn file_for(database: &Path) -> PathBuf {
    PathBuf::from(format!("{}.status.json", database.display()))
}

/// The status a server last wrote beside `database`.
pub fn read(database: &Path) -> Option<Status> {
    serde_json::from_slice(&std::fs::read(file_for(database)).ok()?).ok()
}

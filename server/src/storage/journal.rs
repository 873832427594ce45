//! The journal: every record state the server stores is also appended, as
//! one JSON line, to a file beside the backups (`journal-<ms>.jsonl`, a new
//! segment at each backup). A restore from a backup replays the lines that
//! came after it, so that a member's shared record made after the last
//! backup is not lost even when that member's phone is gone.
//!
//! A line is `{"epoch":…,"seq":…,"ms":…,"r":<record>}`: `epoch` and `seq`
//! are the database's history id and the record's sequence number, so a
//! replay takes exactly the states of the backup's history that the backup
//! does not hold (`seq` greater than the backup's counter). Records merge
//! field by field and merging is idempotent, so a line replayed twice, or a
//! line of a transaction that did not commit, changes nothing it should not.
//!
//! Accounts, groups, invites and sessions are not journaled: they come from
//! the backup (see ARCHITECTURE.md, "What a restore brings back").

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use nimo_core::sync::record::Record;
use rusqlite::Transaction;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{StorageError, create_private, private_dir, records};

/// One stored record state.
pub struct Line {
    pub epoch: String,
    pub seq: u64,
    pub ms: u64,
    pub body: String,
}

pub struct Journal {
    dir: PathBuf,
    file: File,
}

const PREFIX: &str = "journal-";
const SUFFIX: &str = ".jsonl";

impl Journal {
    /// Opens the latest segment in `dir` for appending, or starts one.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        private_dir(dir)?;
        let path = match segments(dir)?.pop() {
            Some((_, path)) => path,
            None => segment_path(dir, crate::clock::now_ms()),
        };
        Ok(Self { dir: dir.to_owned(), file: open_append(&path)? })
    }

    /// Appends the lines and waits until they are on the disk.
    pub fn append(&mut self, lines: &[Line]) -> std::io::Result<()> {
        let mut buffer = String::new();
        for line in lines {
            buffer.push_str(&format!("{{\"epoch\":\"{}\",\"seq\":{},\"ms\":{},\"r\":", line.epoch, line.seq, line.ms));
            buffer.push_str(&line.body);
            buffer.push_str("}\n");
        }
        self.file.write_all(buffer.as_bytes())?;
        self.file.sync_data()
    }

    /// Starts a new segment (after a backup at `ms`): older segments can be
    /// dropped with the backups they follow.
    pub fn rotate(&mut self, ms: u64) -> Result<(), StorageError> {
        self.file = open_append(&segment_path(&self.dir, ms))?;
        Ok(())
    }
}

fn segment_path(dir: &Path, start_ms: u64) -> PathBuf {
    dir.join(format!("{PREFIX}{start_ms:013}{SUFFIX}"))
}

fn open_append(path: &Path) -> Result<File, StorageError> {
    if !path.exists() {
        create_private(path).map_err(StorageError::io(path))?;
    }
    std::fs::OpenOptions::new().append(true).open(path).map_err(StorageError::io(path))
}

/// The journal's segments in `dir`, oldest first, with their start times.
pub fn segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StorageError> {
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

/// What a replay did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Replay {
    /// Record states merged into the restored database.
    pub merged: usize,
    /// Lines of this history already in the backup, or past `until`.
    pub skipped: usize,
    /// States of records whose group the backup does not have (made after
    /// it): they cannot be kept without their group.
    pub without_group: usize,
    /// Lines that could not be read (a torn last line after a crash).
    pub unreadable: usize,
}

#[derive(Deserialize)]
struct Stored<'a> {
    epoch: &'a str,
    seq: u64,
    ms: u64,
    #[serde(borrow)]
    r: &'a RawValue,
}

/// Merges every state of history `epoch` after sequence `after_seq` (and
/// at or before `until_ms`, if given) into the database.
pub fn replay(tx: &Transaction<'_>, dir: &Path, epoch: &str, after_seq: u64, until_ms: Option<u64>) -> Result<Replay, StorageError> {
    let mut report = Replay::default();
    for (_, path) in segments(dir)? {
        let file = File::open(&path).map_err(StorageError::io(&path))?;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(StorageError::io(&path))?;
            if line.trim().is_empty() {
                continue;
            }
            let Ok(stored) = serde_json::from_str::<Stored<'_>>(&line) else {
                report.unreadable += 1;
                continue;
            };
            if stored.epoch != epoch || stored.seq <= after_seq || until_ms.is_some_and(|u| stored.ms > u) {
                report.skipped += 1;
                continue;
            }
            let Ok(record) = serde_json::from_str::<Record>(stored.r.get()) else {
                report.unreadable += 1;
                continue;
            };
            match records::merge_in(tx, &record, stored.ms)? {
                records::MergeIn::Merged | records::MergeIn::Unchanged => report.merged += 1,
                records::MergeIn::NoGroup => report.without_group += 1,
                records::MergeIn::Buried => report.skipped += 1,
            }
        }
    }
    Ok(report)
}

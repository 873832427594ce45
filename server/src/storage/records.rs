//! Records on the server: the push (apply mutations exactly once) and the
//! pull (what changed after a cursor that this caller may see).
//!
//! The access rules are applied here and only here: [`visible_sql`] is the
//! one SQL filter for reading records, and [`apply_one`] the one gate for
//! writing them. Handlers never touch the `records` table.

use nimo_core::api::ErrorCode;
use nimo_core::sync::collection::{Visibility, access};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::protocol::{Ack, AckResult, Cursor, Mutation, Op, PushRequest, ResyncReason};
use nimo_core::sync::record::Record;
use nimo_core::crypto::seal::{KeyCheck, check_keys};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::value::RawValue;

use super::journal::Line;
use super::{StorageError, Written, sql};
use crate::caller::Caller;

use nimo_core::sync::protocol::MAX_CLOCK_AHEAD_MS;
/// A record larger than this (as stored JSON) is refused: no member can
/// make every device download megabytes.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// A pull page stops after this many bytes of records, whatever its count.
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

pub fn epoch(tx: &Transaction<'_>) -> Result<String, StorageError> {
    sql(sql(tx.prepare_cached("SELECT value FROM meta WHERE key = 'epoch'"))?.query_row([], |r| r.get(0)))
}

fn counter(tx: &Transaction<'_>, name: &str) -> Result<u64, StorageError> {
    Ok(sql(tx.query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| r.get::<_, i64>(0)))? as u64)
}

fn next_seq(tx: &Transaction<'_>) -> Result<u64, StorageError> {
    Ok(sql(tx.query_row("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", [], |r| r.get::<_, i64>(0)))?
        as u64)
}

/// The filter that decides which records a caller sees, as SQL over
/// `records r` joined to the caller's membership `m` (?1 is the user id).
/// Must agree with `nimo_core::sync::collection::access::can_read`.
const VISIBLE: &str = "(r.owner_id = ?1 OR (r.visibility = 'group' AND (r.collection <> 'correction' OR m.role = 'coordinator')))";

fn visible_sql(select: &str, tail: &str) -> String {
    format!("{select} FROM records r JOIN memberships m ON m.group_id = r.group_id AND m.user_id = ?1 WHERE {VISIBLE} {tail}")
}

fn load(tx: &Transaction<'_>, id: &RecordId) -> Result<Option<Record>, StorageError> {
    let body: Option<String> =
        sql(tx.query_row("SELECT body FROM records WHERE id = ?1", [id.as_str()], |r| r.get(0)).optional())?;
    body.map(|b| serde_json::from_str(&b).map_err(|e| corrupt(format!("stored record {id}: {e}")))).transpose()
}

fn body_of(record: &Record) -> Result<String, StorageError> {
    serde_json::to_string(record).map_err(corrupt)
}

/// Stores a record under a new sequence number (and in the journal).
fn store(tx: &Transaction<'_>, record: &Record, previous: Option<Visibility>, now: u64, written: &mut Written) -> Result<(), StorageError> {
    let body = body_of(record)?;
    store_body(tx, record, body, previous, now, written)
}

fn store_body(tx: &Transaction<'_>, record: &Record, body: String, previous: Option<Visibility>, now: u64, written: &mut Written) -> Result<(), StorageError> {
    let seq = next_seq(tx)?;
    sql(tx.execute(
        "INSERT INTO records (id, group_id, owner_id, collection, visibility, deleted, seq, changed_ms, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET visibility = excluded.visibility, deleted = excluded.deleted,
             seq = excluded.seq, changed_ms = excluded.changed_ms, body = excluded.body",
        params![
            record.id.as_str(),
            record.group.as_str(),
            record.owner.as_str(),
            record.collection.id(),
            record.visibility.v.id(),
            record.is_deleted(),
            seq as i64,
            now as i64,
            &body
        ],
    ))?;
    written.lines.push(Line { epoch: epoch(tx)?, seq, ms: now, body });
    if previous == Some(Visibility::Group) && record.visibility.v == Visibility::Private {
        // Members who hold a copy must drop it: tell them in their next pull.
        let seq = next_seq(tx)?;
        sql(tx.execute(
            "INSERT INTO revocations (seq, group_id, record_id, owner_id, changed_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq as i64, record.group.as_str(), record.id.as_str(), record.owner.as_str(), now as i64],
        ))?;
    }
    Ok(())
}

/// Applies a push in one transaction. Each mutation is applied once: its
/// client's last sequence number moves in the same transaction, a repeat is
/// acknowledged as a duplicate, and a gap stops the batch (the client
/// resends from `next_seq`). A mutation that can never apply is rejected
/// and counted as processed, so that no client is stuck behind it.
pub fn push(tx: &Transaction<'_>, caller: &Caller, request: &PushRequest, now: u64, written: &mut Written) -> Result<(String, Vec<Ack>, u64), StorageError> {
    if request.schema != nimo_core::SCHEMA_VERSION {
        return Err(StorageError::ClientOutdated);
    }
    let epoch = epoch(tx)?;
    if request.epoch.as_ref().is_some_and(|e| *e != epoch) {
        return Err(StorageError::EpochChanged);
    }
    let client: Option<(String, i64)> = sql(tx
        .query_row("SELECT user_id, last_seq FROM clients WHERE id = ?1", [request.client.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional())?;
    if let Some((user, last)) = &client {
        if user != caller.user.as_str() {
            tracing::warn!(user = %caller.user, login = %caller.login, client = %request.client, "refused: another user's mutation stream");
            return Err(StorageError::Forbidden);
        }
        // Only new mutations are checked: one already applied was in time then.
        let fresh = request.mutations.iter().filter(|m| m.seq > *last as u64);
        if fresh.filter_map(Mutation::max_stamp).any(|t| t.ms() > now + MAX_CLOCK_AHEAD_MS) {
            return Err(StorageError::ClockAhead { server_ms: now });
        }
    } else if request.mutations.iter().filter_map(Mutation::max_stamp).any(|t| t.ms() > now + MAX_CLOCK_AHEAD_MS) {
        return Err(StorageError::ClockAhead { server_ms: now });
    }
    let last_seq = match client {
        Some((_, last)) => last as u64,
        None => {
            sql(tx.execute("INSERT INTO clients (id, user_id, last_seq) VALUES (?1, ?2, 0)", params![request.client.as_str(), caller.user.as_str()]))?;
            0
        }
    };
    let mut expected = last_seq + 1;
    let mut acks = Vec::with_capacity(request.mutations.len());
    for mutation in &request.mutations {
        if mutation.seq < expected {
            let result = earlier_rejection(tx, caller, request, mutation)?.unwrap_or(AckResult::Duplicate);
            acks.push(Ack { seq: mutation.seq, result });
            continue;
        }
        if mutation.seq > expected {
            break;
        }
        let result = apply_one(tx, caller, mutation, now, written)?;
        if let AckResult::Rejected { error, field, message, .. } = &result {
            sql(tx.execute(
                "INSERT INTO rejections (client_id, seq, error, field, message, changed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![request.client.as_str(), mutation.seq as i64, error_id(*error), field, message, now as i64],
            ))?;
        }
        acks.push(Ack { seq: mutation.seq, result });
        expected += 1;
    }
    sql(tx.execute("UPDATE clients SET last_seq = ?2 WHERE id = ?1", params![request.client.as_str(), (expected - 1) as i64]))?;
    Ok((epoch, acks, expected))
}

fn error_id(code: ErrorCode) -> String {
    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The answer a mutation got the first time, if it was a rejection.
fn earlier_rejection(tx: &Transaction<'_>, caller: &Caller, request: &PushRequest, m: &Mutation) -> Result<Option<AckResult>, StorageError> {
    let row: Option<(String, Option<String>, String)> = sql(tx
        .query_row(
            "SELECT error, field, message FROM rejections WHERE client_id = ?1 AND seq = ?2",
            params![request.client.as_str(), m.seq as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional())?;
    let Some((error, field, message)) = row else { return Ok(None) };
    let error = serde_json::from_value(serde_json::Value::String(error)).unwrap_or(ErrorCode::Unknown);
    let current = match (caller.role_in(&m.group), load(tx, &m.id)?) {
        (Some(role), Some(r)) if r.group == m.group && access::can_read(r.collection, role, r.owner == caller.user, r.visibility.v) => Some(r),
        _ => None,
    };
    Ok(Some(rejected(error, field.as_deref(), message, current)))
}

fn rejected(error: ErrorCode, field: Option<&str>, message: impl Into<String>, current: Option<Record>) -> AckResult {
    AckResult::Rejected { error, field: field.map(str::to_owned), message: message.into(), current: current.map(Box::new) }
}

/// The one gate for writing a record.
fn apply_one(tx: &Transaction<'_>, caller: &Caller, m: &Mutation, now: u64, written: &mut Written) -> Result<AckResult, StorageError> {
    let Some(role) = caller.role_in(&m.group) else {
        tracing::warn!(user = %caller.user, login = %caller.login, group = %m.group, "refused write: not a member");
        return Ok(rejected(ErrorCode::Forbidden, Some("group"), "not a member of this group", None));
    };
    let existing = load(tx, &m.id)?;
    // What the caller may be told about the record as it stands.
    let current = |r: &Option<Record>| {
        r.as_ref()
            .filter(|r| r.group == m.group && access::can_read(r.collection, role, r.owner == caller.user, r.visibility.v))
            .cloned()
    };
    let schema = nimo_core::collections::schema(m.collection);
    // The values are sealed: their shape, names and keys are what can be
    // checked here; the devices check the values themselves.
    if let Err(e) = m.validate_sealed(schema) {
        return Ok(rejected(ErrorCode::InvalidField, Some(&e.path), e.message, current(&existing)));
    }
    let visible_to_caller = existing.as_ref().is_none_or(|r| r.group == m.group && access::can_read(r.collection, role, r.owner == caller.user, r.visibility.v));
    if visible_to_caller && !existing.as_ref().is_some_and(Record::is_deleted) {
        match check_keys(existing.as_ref(), m, super::keys::current_epoch(tx, &m.group)?) {
            Ok(()) => {}
            // The whole push is refused (its savepoint rolled back): the
            // device seals its queue again under the new keys and resends.
            Err(KeyCheck::Stale(why)) => return Err(StorageError::KeysChanged(why)),
            Err(KeyCheck::Invalid { field, message }) => return Ok(rejected(ErrorCode::InvalidField, Some(&field), message, current(&existing))),
        }
    }
    match existing {
        None => {
            let buried: bool =
                sql(tx.query_row("SELECT EXISTS(SELECT 1 FROM graveyard WHERE id = ?1)", [m.id.as_str()], |r| r.get(0)))?;
            if buried {
                return Ok(match m.op {
                    Op::Delete { .. } | Op::Resolve { .. } => AckResult::Applied,
                    Op::Put { .. } => rejected(ErrorCode::Deleted, None, "this record was deleted", None),
                });
            }
            match &m.op {
                Op::Delete { t } => {
                    // Deleting what the server does not have (created and
                    // deleted offline, or lost in a restore): keep a
                    // tombstone anyway, so that no other copy brings it back.
                    // A derived id can be guessed before its record exists
                    // (one attendance per meeting and member): only someone
                    // who may delete others' records may bury it in advance.
                    if m.id.is_derived() && !access::can_delete(m.collection, role, false) {
                        tracing::warn!(user = %caller.user, login = %caller.login, record = %m.id, "refused: delete of a record that does not exist yet");
                        return Ok(rejected(ErrorCode::Forbidden, None, "not allowed to delete this record", None));
                    }
                    if access::can_delete(m.collection, role, true) {
                        let vis = nimo_core::sync::record::Stamped::new(Visibility::Group, *t);
                        let mut tombstone = Record::new(m.id.clone(), m.collection, m.group.clone(), caller.user.clone(), vis);
                        tombstone.delete(*t);
                        store(tx, &tombstone, None, now, written)?;
                    }
                    return Ok(AckResult::Applied);
                }
                Op::Resolve { .. } => return Ok(rejected(ErrorCode::NotFound, None, "no such record", None)),
                Op::Put { .. } => {}
            }
            if !access::can_create(m.collection, role) {
                tracing::warn!(user = %caller.user, login = %caller.login, collection = m.collection.id(), "refused: create");
                return Ok(rejected(ErrorCode::Forbidden, Some("collection"), format!("only coordinators create {} records", m.collection.id()), None));
            }
            if let Some(missing) = m.missing_required(schema) {
                return Ok(rejected(ErrorCode::InvalidField, Some(&missing.path), missing.message, None));
            }
            if let Err(why) = nimo_core::collections::check_create(m.collection, &m.id, &m.group, &caller.user) {
                tracing::warn!(user = %caller.user, login = %caller.login, record = %m.id, "refused: {why}");
                return Ok(rejected(ErrorCode::Forbidden, Some("id"), why, None));
            }
            let Some(record) = m.create(caller.user.clone()) else {
                return Ok(rejected(ErrorCode::InvalidField, Some("visibility"), "required for a new record", None));
            };
            let body = body_of(&record)?;
            if body.len() > MAX_RECORD_BYTES {
                return Ok(rejected(ErrorCode::PayloadTooLarge, Some("record"), format!("a record is at most {MAX_RECORD_BYTES} bytes"), None));
            }
            store_body(tx, &record, body, None, now, written)?;
            Ok(AckResult::Applied)
        }
        Some(mut record) => {
            let is_owner = record.owner == caller.user;
            let visible = record.group == m.group && access::can_read(record.collection, role, is_owner, record.visibility.v);
            if !visible {
                // Someone else's private record, or another group's: the
                // caller learns nothing about it.
                return Ok(rejected(ErrorCode::NotFound, None, "no such record", None));
            }
            if record.collection != m.collection {
                return Ok(rejected(ErrorCode::InvalidField, Some("collection"), "the record belongs to another collection", Some(record)));
            }
            if record.is_deleted() {
                // Delete wins: an edit made elsewhere without seeing the
                // delete cannot apply, and its author must be told, not
                // thanked (their text stays in their refused-changes log).
                return Ok(match m.op {
                    Op::Put { .. } => rejected(ErrorCode::Deleted, None, "this record was deleted", Some(record)),
                    Op::Delete { .. } | Op::Resolve { .. } => AckResult::Applied,
                });
            }
            let allowed = match &m.op {
                Op::Delete { .. } => access::can_delete(record.collection, role, is_owner),
                Op::Put { visibility: Some(v), .. } if v.v != record.visibility.v && !is_owner => false,
                _ => access::can_update(record.collection, role, is_owner, record.visibility.v),
            };
            if !allowed {
                tracing::warn!(user = %caller.user, login = %caller.login, record = %m.id, "refused: change of a record");
                return Ok(rejected(ErrorCode::Forbidden, None, "not allowed to change this record", Some(record)));
            }
            let previous = record.visibility.v;
            let before = record.clone();
            if m.apply_to(&mut record, Some(schema)) {
                let body = body_of(&record)?;
                if body.len() > MAX_RECORD_BYTES {
                    return Ok(rejected(ErrorCode::PayloadTooLarge, Some("record"), format!("a record is at most {MAX_RECORD_BYTES} bytes"), Some(before)));
                }
                store_body(tx, &record, body, Some(previous), now, written)?;
            }
            Ok(AckResult::Applied)
        }
    }
}

/// What merging a journaled state into a restored database did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeIn {
    Merged,
    Unchanged,
    /// Its group is not in this database.
    NoGroup,
    /// Its id was purged after a delete.
    Buried,
}

/// Merges a record state (from the journal) into the database.
pub fn merge_in(tx: &Transaction<'_>, incoming: &Record, now: u64) -> Result<MergeIn, StorageError> {
    let buried: bool = sql(tx.query_row("SELECT EXISTS(SELECT 1 FROM graveyard WHERE id = ?1)", [incoming.id.as_str()], |r| r.get(0)))?;
    if buried {
        return Ok(MergeIn::Buried);
    }
    let group: bool = sql(tx.query_row("SELECT EXISTS(SELECT 1 FROM groups WHERE id = ?1)", [incoming.group.as_str()], |r| r.get(0)))?;
    if !group {
        return Ok(MergeIn::NoGroup);
    }
    let mut unused = Written::default();
    match load(tx, &incoming.id)? {
        None => {
            store(tx, incoming, None, now, &mut unused)?;
            Ok(MergeIn::Merged)
        }
        Some(mut record) => {
            let previous = record.visibility.v;
            if record.merge(incoming).map_err(corrupt)? {
                store(tx, &record, Some(previous), now, &mut unused)?;
                Ok(MergeIn::Merged)
            } else {
                Ok(MergeIn::Unchanged)
            }
        }
    }
}

/// A pull answer with the stored record bodies passed through as they are.
#[derive(Serialize)]
pub struct RawPull {
    pub epoch: String,
    pub records: Vec<Box<RawValue>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    pub cursor: String,
    pub more: bool,
    pub server_ms: u64,
}

/// One page of what changed after `cursor` that `caller` may see.
pub fn pull(tx: &Transaction<'_>, caller: &Caller, cursor: Option<&str>, limit: u32, now: u64) -> Result<RawPull, StorageError> {
    let epoch = epoch(tx)?;
    let access = caller.access_fingerprint();
    let horizon = counter(tx, "horizon")?;
    let after = match cursor {
        None => 0,
        Some(text) => {
            let c = Cursor::decode(text).ok_or(StorageError::BadCursor)?;
            if c.epoch != epoch {
                return Err(StorageError::Resync(ResyncReason::Epoch));
            }
            if c.access != access {
                return Err(StorageError::Resync(ResyncReason::Access));
            }
            if c.horizon != horizon && c.seq < horizon {
                // Deletes after this cursor were forgotten since it was made.
                return Err(StorageError::Resync(ResyncReason::Horizon));
            }
            c.seq
        }
    };
    let tip = counter(tx, "seq")?;
    let mut stmt = sql(tx.prepare_cached(&visible_sql("SELECT r.seq, r.body", "AND r.seq > ?2 ORDER BY r.seq LIMIT ?3")))?;
    let rows = sql(stmt.query_map(params![caller.user.as_str(), after as i64, i64::from(limit) + 1], |r| {
        Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
    }))?;
    let mut records = Vec::new();
    let mut last = after;
    let mut more = false;
    let mut bytes = 0;
    for row in rows {
        let (seq, body) = sql(row)?;
        if records.len() == limit as usize || (bytes + body.len() > MAX_PAGE_BYTES && !records.is_empty()) {
            more = true;
            break;
        }
        last = seq;
        bytes += body.len();
        records.push(RawValue::from_string(body).map_err(corrupt)?);
    }
    // A complete answer reaches the tip, so the cursor skips the sequence
    // numbers of records this caller may not see.
    let upto = if more { last } else { tip.max(after) };
    let mut stmt = sql(tx.prepare_cached(
        "SELECT v.record_id FROM revocations v JOIN memberships m ON m.group_id = v.group_id AND m.user_id = ?1
         WHERE v.seq > ?2 AND v.seq <= ?3 AND v.owner_id <> ?1 ORDER BY v.seq",
    ))?;
    let removed = sql(stmt.query_map(params![caller.user.as_str(), after as i64, upto as i64], |r| r.get::<_, String>(0)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(StorageError::from)?;
    let cursor = Cursor { epoch: epoch.clone(), seq: upto, access, horizon }.encode();
    Ok(RawPull { epoch, records, removed, cursor, more, server_ms: now })
}

/// Forgets tombstones (keeping only their ids, in the graveyard) and
/// revocations older than `before_ms`, and moves the horizon past them: a device whose cursor is older must pull everything
/// again (it might have missed a delete). Returns how many rows went.
pub fn purge(tx: &Transaction<'_>, before_ms: u64) -> Result<usize, StorageError> {
    let max_records: Option<i64> =
        sql(tx.query_row("SELECT max(seq) FROM records WHERE deleted = 1 AND changed_ms < ?1", [before_ms as i64], |r| r.get(0)))?;
    let max_revocations: Option<i64> =
        sql(tx.query_row("SELECT max(seq) FROM revocations WHERE changed_ms < ?1", [before_ms as i64], |r| r.get(0)))?;
    sql(tx.execute(
        "INSERT OR IGNORE INTO graveyard (id) SELECT id FROM records WHERE deleted = 1 AND changed_ms < ?1",
        [before_ms as i64],
    ))?;
    let n = sql(tx.execute("DELETE FROM records WHERE deleted = 1 AND changed_ms < ?1", [before_ms as i64]))?
        + sql(tx.execute("DELETE FROM revocations WHERE changed_ms < ?1", [before_ms as i64]))?;
    // Rejections are kept: a retried push may come after any time away, and
    // must get its rejection again rather than a bare "duplicate". They are
    // few and small.
    if let Some(horizon) = max_records.max(max_revocations) {
        sql(tx.execute("UPDATE counters SET value = max(value, ?1) WHERE name = 'horizon'", [horizon]))?;
    }
    Ok(n)
}

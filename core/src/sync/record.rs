//! Records and how they merge.
//!
//! A record is a bag of fields, each stamped with the [`Hlc`] of its last
//! write. Two copies merge field by field, the greater stamp winning, so
//! every device ends with the same record whatever order the writes arrive
//! in (the merge is commutative, associative and idempotent). A delete is a
//! tombstone that wins over everything and clears the content.
//!
//! Conflicts: when the server applies a write to a free-text field (`Kind::Note`)
//! that was made without seeing the current text, the text that loses is
//! kept in `conflicts` for the UI to show (「別の端末でも編集されました」).
//! Only the server detects conflicts (it sees every write in one order);
//! devices receive them with the record and merge them as a set.

use crate::base::map::SortedMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{Collection, Visibility};
use super::hlc::Hlc;
use super::ids::{GroupId, RecordId, UserId};

/// A value with the stamp of the write that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped<T> {
    pub v: T,
    pub t: Hlc,
}

impl<T> Stamped<T> {
    pub fn new(v: T, t: Hlc) -> Self {
        Self { v, t }
    }
}

/// A text that lost to a concurrent edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    /// The losing value; `null` once resolved (the text is not kept longer
    /// than the user needs it).
    pub v: Value,
    /// The stamp of the losing write; with `field`, the conflict's identity.
    pub t: Hlc,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: RecordId,
    pub collection: Collection,
    pub group: GroupId,
    pub owner: UserId,
    pub visibility: Stamped<Visibility>,
    /// Set once deleted: the stamp of the delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Hlc>,
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub fields: SortedMap<String, Stamped<Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("the two copies are not of the same record ({0} differs)")]
    Identity(&'static str),
}

/// What applying one field write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The write is now the field's value.
    Won,
    /// A later write was already there.
    Lost,
    /// This very write was already applied.
    AlreadyApplied,
    /// The record is deleted; writes no longer apply.
    Deleted,
}

/// A total order on values, the same on every device (no serialisation).
pub fn compare_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            x.iter().zip(y).map(|(p, q)| compare_values(p, q)).find(|o| *o != Ordering::Equal).unwrap_or(x.len().cmp(&y.len()))
        }
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .zip(y)
            .map(|((k1, v1), (k2, v2))| k1.cmp(k2).then_with(|| compare_values(v1, v2)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(x.len().cmp(&y.len())),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Whether a value counts as empty text (nothing worth keeping as a conflict).
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

impl Record {
    pub fn new(id: RecordId, collection: Collection, group: GroupId, owner: UserId, visibility: Stamped<Visibility>) -> Self {
        Self { id, collection, group, owner, visibility, deleted: None, fields: SortedMap::new(), conflicts: Vec::new() }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).map(|s| &s.v).filter(|v| !v.is_null())
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(Value::as_str)
    }

    pub fn stamp(&self, field: &str) -> Option<&Hlc> {
        self.fields.get(field).map(|s| &s.t)
    }

    /// Unresolved conflicts, for the UI.
    pub fn open_conflicts(&self) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(|c| !c.resolved)
    }

    /// The greatest stamp anywhere in the record.
    pub fn max_stamp(&self) -> &Hlc {
        let mut max = &self.visibility.t;
        for t in self.fields.values().map(|s| &s.t).chain(self.deleted.iter()) {
            if t > max {
                max = t;
            }
        }
        max
    }

    /// The least stamp in the record: when it was created (a creation
    /// writes every field with one stamp; later writes only add greater
    /// ones), so records of the same minute list in the order they were made.
    pub fn first_stamp(&self) -> &Hlc {
        self.fields.values().map(|s| &s.t).fold(&self.visibility.t, |min, t| if t < min { t } else { min })
    }

    /// Merges another copy of the same record into this one. Returns whether
    /// anything changed.
    pub fn merge(&mut self, other: &Record) -> Result<bool, MergeError> {
        if self.id != other.id {
            return Err(MergeError::Identity("id"));
        }
        if self.collection != other.collection {
            return Err(MergeError::Identity("collection"));
        }
        if self.group != other.group {
            return Err(MergeError::Identity("group"));
        }
        if self.owner != other.owner {
            return Err(MergeError::Identity("owner"));
        }
        let before = self.clone();
        if other.visibility.t > self.visibility.t {
            self.visibility = other.visibility.clone();
        }
        self.deleted = match (self.deleted.take(), &other.deleted) {
            (Some(a), Some(b)) => Some(if *b > a { *b } else { a }),
            (a, b) => a.or(*b),
        };
        if self.deleted.is_some() {
            self.fields.clear();
            self.conflicts.clear();
            return Ok(*self != before);
        }
        for (name, theirs) in &other.fields {
            match self.fields.get_mut(name) {
                None => {
                    self.fields.insert(name.clone(), theirs.clone());
                }
                Some(ours) => {
                    // Equal stamps with different values cannot come from
                    // honest writers; order by the value so all agree anyway.
                    if theirs.t > ours.t || (theirs.t == ours.t && compare_values(&theirs.v, &ours.v) == std::cmp::Ordering::Greater) {
                        *ours = theirs.clone();
                    }
                }
            }
        }
        for c in &other.conflicts {
            self.add_conflict(c.clone());
        }
        Ok(*self != before)
    }

    /// Merges the server's copy into this device's copy. As [`merge`], except
    /// that the server's list of conflicts is the truth (only the server
    /// records conflicts): entries it lacks are dropped, and local
    /// `resolved` marks are kept for entries it has.
    ///
    /// [`merge`]: Record::merge
    pub fn merge_from_server(&mut self, server: &Record) -> Result<bool, MergeError> {
        let before = self.clone();
        self.merge(server)?;
        self.conflicts.retain(|c| server.conflicts.iter().any(|s| s.field == c.field && s.t == c.t));
        Ok(*self != before)
    }

    fn add_conflict(&mut self, c: Conflict) {
        match self.conflicts.iter_mut().find(|x| x.field == c.field && x.t == c.t) {
            Some(existing) => {
                if c.resolved && !existing.resolved {
                    existing.resolved = true;
                    existing.v = Value::Null;
                }
            }
            None => {
                let mut c = c;
                if c.resolved {
                    c.v = Value::Null;
                }
                let at = self.conflicts.partition_point(|x| (&x.field, &x.t) < (&c.field, &c.t));
                self.conflicts.insert(at, c);
            }
        }
    }

    /// Applies one field write as the author's own device does: last writer
    /// wins, no conflict bookkeeping.
    pub fn write(&mut self, field: &str, v: Value, t: Hlc) -> WriteOutcome {
        self.write_detecting(field, v, t, None, false)
    }

    /// Applies one field write as the server does. `base` is the stamp of
    /// the value the writer saw when editing (None: it saw no value).
    /// For free-text fields (`note`), a write that loses, or that wins over
    /// a text its writer never saw, keeps the other text as a conflict.
    pub fn write_detecting(&mut self, field: &str, v: Value, t: Hlc, base: Option<&Hlc>, note: bool) -> WriteOutcome {
        if self.deleted.is_some() {
            return WriteOutcome::Deleted;
        }
        let Some(current) = self.fields.get(field) else {
            self.fields.insert(field.to_owned(), Stamped::new(v, t));
            return WriteOutcome::Won;
        };
        if current.t == t {
            return WriteOutcome::AlreadyApplied;
        }
        if t > current.t {
            let saw_current = base.is_some_and(|b| *b >= current.t);
            if note && !saw_current && current.v != v && !is_blank(&current.v) {
                let lost = Conflict { field: field.to_owned(), v: current.v.clone(), t: current.t, resolved: false };
                self.add_conflict(lost);
            }
            self.fields.insert(field.to_owned(), Stamped::new(v, t));
            WriteOutcome::Won
        } else {
            if note && current.v != v && !is_blank(&v) {
                self.add_conflict(Conflict { field: field.to_owned(), v, t, resolved: false });
            }
            WriteOutcome::Lost
        }
    }

    pub fn set_visibility(&mut self, v: Visibility, t: Hlc) {
        if t > self.visibility.t {
            self.visibility = Stamped::new(v, t);
        }
    }

    /// Deletes: a tombstone keeps only the record's identity.
    pub fn delete(&mut self, t: Hlc) {
        let keep = match &self.deleted {
            Some(existing) if *existing >= t => *existing,
            _ => t,
        };
        self.deleted = Some(keep);
        self.fields.clear();
        self.conflicts.clear();
    }

    /// Marks a conflict as dealt with. Returns whether there was one.
    pub fn resolve(&mut self, field: &str, t: &Hlc) -> bool {
        match self.conflicts.iter_mut().find(|c| c.field == field && c.t == *t) {
            Some(c) => {
                c.resolved = true;
                c.v = Value::Null;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::ids::ClientId;
    use serde_json::json;

    fn hlc(ms: u64, node: u8) -> Hlc {
        Hlc::new(ms, 0, ClientId::from_random([node; 8]))
    }

    fn record() -> Record {
        Record::new(
            RecordId::new_v7(1, [1; 10]),
            Collection::Contact,
            GroupId::new_v7(1, [2; 10]),
            UserId::new_v7(1, [3; 10]),
            Stamped::new(Visibility::Private, hlc(1, 1)),
        )
    }

    #[test]
    fn later_write_wins_whatever_the_order() {
        let mut a = record();
        let mut b = record();
        a.write("note", json!("first"), hlc(10, 1));
        b.write("note", json!("second"), hlc(20, 2));
        let mut ab = a.clone();
        ab.merge(&b).unwrap();
        let mut ba = b.clone();
        ba.merge(&a).unwrap();
        assert_eq!(ab, ba);
        assert_eq!(ab.text("note"), Some("second"));
    }

    #[test]
    fn merge_is_idempotent_and_keeps_other_fields() {
        let mut a = record();
        a.write("person", json!("Aさん"), hlc(10, 1));
        let mut b = record();
        b.write("mode", json!("phone"), hlc(11, 2));
        a.merge(&b).unwrap();
        let once = a.clone();
        assert!(!a.merge(&b).unwrap());
        assert_eq!(a, once);
        assert_eq!(a.text("person"), Some("Aさん"));
        assert_eq!(a.text("mode"), Some("phone"));
    }

    #[test]
    fn delete_wins_and_clears_content() {
        let mut a = record();
        a.write("note", json!("secret"), hlc(10, 1));
        let mut b = a.clone();
        b.delete(hlc(5, 2));
        a.write("note", json!("later edit"), hlc(50, 1));
        a.merge(&b).unwrap();
        assert!(a.is_deleted());
        assert!(a.fields.is_empty());
        assert_eq!(a.write("note", json!("resurrect?"), hlc(99, 1)), WriteOutcome::Deleted);
        assert!(a.fields.is_empty());
    }

    #[test]
    fn concurrent_note_edits_keep_the_losing_text() {
        let mut server = record();
        server.write_detecting("note", json!("original"), hlc(10, 1), None, true);
        // Two devices both saw "original" (stamp 10) and edited offline.
        let base = hlc(10, 1);
        server.write_detecting("note", json!("phone edit"), hlc(20, 2), Some(&base), true);
        assert!(server.conflicts.is_empty(), "the first edit saw the original");
        server.write_detecting("note", json!("tablet edit"), hlc(15, 3), Some(&base), true);
        assert_eq!(server.text("note"), Some("phone edit"));
        let open: Vec<_> = server.open_conflicts().collect();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].v, json!("tablet edit"));
    }

    #[test]
    fn a_winning_edit_that_never_saw_the_text_keeps_it_as_conflict() {
        let mut server = record();
        server.write_detecting("note", json!("original"), hlc(10, 1), None, true);
        server.write_detecting("note", json!("edited on the tablet"), hlc(12, 3), Some(&hlc(10, 1)), true);
        // The phone edited "original" too, later by its clock, without seeing the tablet's edit.
        server.write_detecting("note", json!("edited on the phone"), hlc(30, 2), Some(&hlc(10, 1)), true);
        assert_eq!(server.text("note"), Some("edited on the phone"));
        assert_eq!(server.open_conflicts().map(|c| c.v.clone()).collect::<Vec<_>>(), vec![json!("edited on the tablet")]);
    }

    #[test]
    fn sequential_edits_are_not_conflicts() {
        let mut server = record();
        server.write_detecting("note", json!("a"), hlc(10, 1), None, true);
        server.write_detecting("note", json!("b"), hlc(20, 2), Some(&hlc(10, 1)), true);
        server.write_detecting("note", json!("c"), hlc(30, 1), Some(&hlc(20, 2)), true);
        assert!(server.conflicts.is_empty());
        // Non-note fields never record conflicts.
        server.write_detecting("person", json!("X"), hlc(40, 1), None, false);
        server.write_detecting("person", json!("Y"), hlc(35, 2), None, false);
        assert!(server.conflicts.is_empty());
        assert_eq!(server.text("person"), Some("X"));
    }

    #[test]
    fn resolving_is_kept_by_merge_and_drops_the_text() {
        let mut server = record();
        server.write_detecting("note", json!("a"), hlc(10, 1), None, true);
        server.write_detecting("note", json!("b"), hlc(5, 2), None, true);
        let t = server.conflicts[0].t;
        let mut device = server.clone();
        assert!(device.resolve("note", &t));
        server.merge(&device).unwrap();
        assert!(server.conflicts[0].resolved);
        assert_eq!(server.conflicts[0].v, Value::Null);
        assert_eq!(server.open_conflicts().count(), 0);
    }

    #[test]
    fn identity_must_match() {
        let a = record();
        let mut b = record();
        b.owner = UserId::new_v7(2, [9; 10]);
        assert_eq!(b.clone().merge(&a), Err(MergeError::Identity("owner")));
    }

    #[test]
    fn serialises_compactly() {
        let mut a = record();
        a.write("mode", json!("phone"), hlc(10, 1));
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("deleted") && !json.contains("conflicts"), "{json}");
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
}

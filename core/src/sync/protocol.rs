//! The sync protocol's messages, and how a mutation is checked and applied.
//! See ARCHITECTURE.md, "Sync protocol", for the exchange itself.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{Collection, Visibility};
use super::hlc::Hlc;
use super::ids::{ClientId, GroupId, RecordId, UserId};
use super::record::{Record, Stamped, WriteOutcome};
pub use crate::api::error::ResyncReason;
use crate::api::error::ErrorCode;
use crate::schema::Schema;

/// At most this many mutations in one push.
pub const MAX_PUSH_MUTATIONS: usize = 500;
/// At most this many field writes in one mutation.
pub const MAX_FIELDS_PER_MUTATION: usize = 64;
/// A push carrying a stamp further ahead of the server's clock than this is
/// refused as a whole (`clock_ahead`): the device corrects its clock and
/// stamps its queued changes again. One phone with a fast clock must not
/// win every edit, nor drag the others ahead when they observe its stamps;
/// five minutes covers a device's correction error with a wide margin.
pub const MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;
/// A page of a pull holds at most this many records.
pub const MAX_PULL_LIMIT: u32 = 1000;
pub const DEFAULT_PULL_LIMIT: u32 = 500;

/// One local change, as queued in the outbox and sent in a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutation {
    /// Position in this client's stream: 1, 2, 3… without gaps.
    pub seq: u64,
    pub id: RecordId,
    pub collection: Collection,
    pub group: GroupId,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Op {
    /// Create or change fields (and/or the visibility).
    Put {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visibility: Option<Stamped<Visibility>>,
        #[serde(default)]
        fields: Vec<FieldWrite>,
    },
    Delete { t: Hlc },
    /// Dismiss a conflict (the losing text of `field` written at `t`).
    Resolve { field: String, t: Hlc },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldWrite {
    pub field: String,
    pub v: Value,
    pub t: Hlc,
    /// Stamp of the value the writer saw, if any (conflict detection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Hlc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub schema: u32,
    pub client: ClientId,
    /// The server epoch this client last saw; `None` before its first sync.
    #[serde(default)]
    pub epoch: Option<String>,
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub epoch: String,
    pub acks: Vec<Ack>,
    /// The next sequence number the server expects from this client.
    pub next_seq: u64,
    pub server_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub seq: u64,
    pub result: AckResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AckResult {
    Applied,
    /// Applied by an earlier delivery of the same push.
    Duplicate,
    /// Can never be applied; the client drops it, keeps it in its log of
    /// rejected changes, and takes `current` as the record's true state.
    Rejected {
        error: ErrorCode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current: Option<Box<Record>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub epoch: String,
    pub records: Vec<Record>,
    /// Records this user may no longer see (made private by their owner).
    /// Apply these before `records`: a record listed in both was shared
    /// again later, and its copy in `records` is the current one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<RecordId>,
    /// Give this back to continue after this page.
    pub cursor: String,
    /// More pages follow.
    pub more: bool,
    pub server_ms: u64,
}

/// The pull cursor, opaque to clients: `epoch.seq.access.horizon`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: String,
    /// Everything up to this server sequence number has been sent.
    pub seq: u64,
    /// Fingerprint of the user's groups and roles when it was made.
    pub access: u64,
    /// The tombstone horizon when it was made: a purge since then may have
    /// removed deletes this device has not seen.
    pub horizon: u64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}.{:016x}.{}", self.epoch, self.seq, self.access, self.horizon)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let epoch = parts.next()?;
        let seq = parts.next()?.parse().ok()?;
        let access = u64::from_str_radix(parts.next()?, 16).ok()?;
        let horizon = parts.next()?.parse().ok()?;
        if parts.next().is_some() || epoch.is_empty() || epoch.len() > 64 || !epoch.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        Some(Self { epoch: epoch.to_owned(), seq, access, horizon })
    }
}

/// A field that failed validation: `path` names it, e.g. `fields.note`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl FieldError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl Mutation {
    /// Checks a mutation as the server can, its values sealed: known
    /// fields (or record keys, `_key.<id>`), each value sealed (or empty),
    /// each record key in its shape, the allowed visibility. The values
    /// themselves are checked on the devices ([`Self::validate`] before
    /// sealing, the schema again after opening).
    pub fn validate_sealed(&self, schema: &Schema) -> Result<(), FieldError> {
        match &self.op {
            Op::Put { visibility, fields } => {
                if let Some(vis) = visibility
                    && vis.v == Visibility::Private && !self.collection.allows_private()
                {
                    return Err(FieldError::new("visibility", format!("{} records are always shared with the group", self.collection.id())));
                }
                if fields.len() > MAX_FIELDS_PER_MUTATION {
                    return Err(FieldError::new("fields", format!("at most {MAX_FIELDS_PER_MUTATION} fields per change")));
                }
                for (i, w) in fields.iter().enumerate() {
                    let path = || format!("fields.{}", w.field);
                    if crate::crypto::seal::is_key_field(&w.field) {
                        if crate::crypto::seal::scope_of(&w.v).is_none() {
                            return Err(FieldError::new(path(), "not a record key"));
                        }
                    } else if schema.field(&w.field).is_none() {
                        return Err(FieldError::new(path(), format!("no such field in {}", self.collection.id())));
                    } else if !crate::crypto::seal::is_sealed(&w.v) {
                        return Err(FieldError::new(path(), "not a sealed value"));
                    }
                    if fields[..i].iter().any(|earlier| earlier.field == w.field) {
                        return Err(FieldError::new(path(), "written twice in one change"));
                    }
                }
                Ok(())
            }
            Op::Delete { .. } => Ok(()),
            Op::Resolve { field, .. } => match schema.kind(field) {
                Some(kind) if kind.is_note() => Ok(()),
                _ => Err(FieldError::new("field", format!("{field} is not a free-text field of {}", self.collection.id()))),
            },
        }
    }

    /// Checks the mutation's own shape against its collection's schema
    /// (`crate::collections::schema`) on the device, before its values are
    /// sealed: known fields, well-typed values, allowed visibility.
    pub fn validate(&self, schema: &Schema) -> Result<(), FieldError> {
        match &self.op {
            Op::Put { visibility, fields } => {
                if let Some(vis) = visibility
                    && vis.v == Visibility::Private && !self.collection.allows_private()
                {
                    return Err(FieldError::new("visibility", format!("{} records are always shared with the group", self.collection.id())));
                }
                if fields.len() > MAX_FIELDS_PER_MUTATION {
                    return Err(FieldError::new("fields", format!("at most {MAX_FIELDS_PER_MUTATION} fields per change")));
                }
                for (i, w) in fields.iter().enumerate().filter(|(_, w)| !crate::crypto::seal::is_key_field(&w.field)) {
                    let checked = (schema.check)(&w.field, &w.v).ok_or_else(|| {
                        FieldError::new(format!("fields.{}", w.field), format!("no such field in {}", self.collection.id()))
                    })?;
                    checked.map_err(|m| FieldError::new(format!("fields.{}", w.field), m))?;
                    if fields[..i].iter().any(|earlier| earlier.field == w.field) {
                        return Err(FieldError::new(format!("fields.{}", w.field), "written twice in one change"));
                    }
                }
                Ok(())
            }
            Op::Delete { .. } => Ok(()),
            Op::Resolve { field, .. } => match schema.kind(field) {
                Some(kind) if kind.is_note() => Ok(()),
                _ => Err(FieldError::new("field", format!("{field} is not a free-text field of {}", self.collection.id()))),
            },
        }
    }

    /// The greatest stamp the mutation carries.
    pub fn max_stamp(&self) -> Option<&Hlc> {
        match &self.op {
            Op::Put { visibility, fields } => visibility.iter().map(|v| &v.t).chain(fields.iter().map(|w| &w.t)).max(),
            Op::Delete { t } => Some(t),
            Op::Resolve { .. } => None,
        }
    }

    /// Fields a new record lacks among the required ones, as the path of
    /// the first missing.
    pub fn missing_required(&self, schema: &Schema) -> Option<FieldError> {
        let given: Vec<&str> = match &self.op {
            Op::Put { fields, .. } => fields.iter().filter(|w| !w.v.is_null()).map(|w| w.field.as_str()).collect(),
            _ => Vec::new(),
        };
        if let Op::Put { visibility: None, .. } = self.op {
            return Some(FieldError::new("visibility", "required for a new record"));
        }
        schema
            .required()
            .find(|r| !given.contains(r))
            .map(|r| FieldError::new(format!("fields.{r}"), "required for a new record"))
    }

    /// Creates the record a first mutation describes (owner: its author).
    pub fn create(&self, owner: UserId) -> Option<Record> {
        let Op::Put { visibility: Some(vis), .. } = &self.op else { return None };
        let mut record = Record::new(self.id.clone(), self.collection, self.group.clone(), owner, vis.clone());
        self.apply_to(&mut record, None);
        Some(record)
    }

    /// Applies the mutation to a record. With the collection's schema (the
    /// server), free-text fields keep losing texts as conflicts.
    pub fn apply_to(&self, record: &mut Record, detect_conflicts: Option<&Schema>) -> bool {
        let mut changed = false;
        match &self.op {
            Op::Put { visibility, fields } => {
                if let Some(vis) = visibility {
                    let before = record.visibility.clone();
                    record.set_visibility(vis.v, vis.t);
                    changed |= record.visibility != before;
                }
                for w in fields {
                    let note = detect_conflicts.and_then(|s| s.kind(&w.field)).is_some_and(|k| k.is_note());
                    let before_conflicts = record.conflicts.len();
                    let outcome = record.write_detecting(&w.field, w.v.clone(), w.t, w.base.as_ref(), note);
                    changed |= outcome == WriteOutcome::Won || record.conflicts.len() != before_conflicts;
                }
            }
            Op::Delete { t } => {
                changed = !record.is_deleted();
                record.delete(*t);
            }
            Op::Resolve { field, t } => changed = record.resolve(field, t),
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hlc(ms: u64) -> Hlc {
        Hlc::new(ms, 0, ClientId::from_random([1; 8]))
    }

    fn put(collection: Collection, fields: Vec<(&str, Value)>, vis: Option<Visibility>) -> Mutation {
        Mutation {
            seq: 1,
            id: RecordId::new_v7(1, [1; 10]),
            collection,
            group: GroupId::new_v7(1, [2; 10]),
            op: Op::Put {
                visibility: vis.map(|v| Stamped::new(v, hlc(1))),
                fields: fields.into_iter().map(|(f, v)| FieldWrite { field: f.into(), v, t: hlc(2), base: None }).collect(),
            },
        }
    }

    #[test]
    fn validation_names_the_field() {
        let v = |m: &Mutation| m.validate(crate::collections::schema(m.collection));
        let m = put(Collection::Contact, vec![("mode", json!("carrier pigeon"))], Some(Visibility::Private));
        assert_eq!(v(&m).unwrap_err().path, "fields.mode");
        let m = put(Collection::Contact, vec![("full_name", json!("山田太郎"))], Some(Visibility::Private));
        assert_eq!(v(&m).unwrap_err().path, "fields.full_name");
        let m = put(Collection::Contact, vec![("duration_min", json!("ten"))], None);
        assert_eq!(v(&m).unwrap_err().path, "fields.duration_min");
        let m = put(Collection::Meeting, vec![], Some(Visibility::Private));
        assert_eq!(v(&m).unwrap_err().path, "visibility");
        let m = put(Collection::Contact, vec![("note", json!("a")), ("note", json!("b"))], None);
        assert_eq!(v(&m).unwrap_err().path, "fields.note");
    }

    #[test]
    fn a_new_record_needs_its_required_fields() {
        let schema = crate::collections::schema(Collection::Contact);
        let m = put(Collection::Contact, vec![("at", json!("2026-11-24T10:00"))], Some(Visibility::Private));
        assert_eq!(m.missing_required(schema).unwrap().path, "fields.mode");
        let m = put(Collection::Contact, vec![("at", json!("2026-11-24T10:00")), ("mode", json!("phone"))], None);
        assert_eq!(m.missing_required(schema).unwrap().path, "visibility");
        let m = put(Collection::Contact, vec![("at", json!("2026-11-24T10:00")), ("mode", json!("phone"))], Some(Visibility::Private));
        assert_eq!(m.missing_required(schema), None);
        assert!(m.validate(schema).is_ok());
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor { epoch: "ab12".into(), seq: 42, access: 7, horizon: 3 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "a.b.c", "ab.1", "ab.1.2", "ab.1.2.3.4", "a-b.1.0000000000000001.0"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn messages_have_a_stable_shape() {
        let ack = Ack { seq: 3, result: AckResult::Applied };
        assert_eq!(serde_json::to_value(&ack).unwrap(), json!({"seq": 3, "result": {"kind": "applied"}}));
        let m = put(Collection::Contact, vec![("mode", json!("phone"))], None);
        let back: Mutation = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}

//! The sync messages and stored records as JSON values, written by hand.
//!
//! The server speaks these through serde's derives; the app reads and
//! writes the same JSON through this module instead, so that the
//! WebAssembly carries one small reader per type rather than serde's
//! generated visitors (dozens of copies of `deserialize_struct`, buffering
//! for tagged enums). The tests check both ways agree on every type.

use serde_json::{Map, Value};

use crate::base::json::Cursor;

use super::client::{Rejected, SyncState};
use super::collection::{Collection, Role, Visibility};
use super::hlc::{Clock, Hlc};
use super::ids::{ClientId, DeviceId, GroupId, RecordId, UserId};
use super::protocol::{Ack, AckResult, FieldWrite, Mutation, Op, PullResponse, PushRequest, PushResponse};
use super::record::{Conflict, Record, Stamped};
use crate::api::error::ErrorCode;
use crate::api::{
    AccountKeys, DeviceInfo, EpochEnvelope, EpochHistory, GroupInfo, GroupKeyInit, GroupKeysInfo, GroupRecovery, InviteCreated, InviteInfo, InviteKey, InviteOpen, InviteOpened, InviteRequest,
    JoinGroupRequest, JoinRequest, KdfParams, KeysInfo, LoginRequest, Me, MemberEnvelope, MemberInfo, NewAccount, OwnEnvelope, PassphraseChange, RecoverRequest,
    RecoveryKeys, RecoveryRequest, RoleRequest, Rotation, SessionMode, SessionToken, SetupRequest,
};

/// What does not read as the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

type Result<T> = std::result::Result<T, WireError>;

fn err(what: &str) -> WireError {
    WireError(format!("expected {what}"))
}

/// A type read from and written to a JSON value.
pub trait Wire: Sized {
    fn to_wire(&self) -> Value;
    fn from_wire(v: &Value) -> Result<Self>;
}

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| err(what))
}

fn field<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a Value> {
    o.get(key).ok_or_else(|| WireError(format!("missing {key}")))
}

fn opt<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn string(v: &Value) -> Result<&str> {
    v.as_str().ok_or_else(|| err("a string"))
}

fn u64_of(v: &Value) -> Result<u64> {
    v.as_u64().ok_or_else(|| err("a whole number"))
}

fn list<T: Wire>(v: Option<&Value>) -> Result<Vec<T>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(T::from_wire).collect(),
        Some(_) => Err(err("a list")),
    }
}

fn array<T: Wire>(items: &[T]) -> Value {
    Value::Array(items.iter().map(Wire::to_wire).collect())
}

/// An object from pairs, leaving out the absent ones.
fn object(pairs: Vec<(&str, Option<Value>)>) -> Value {
    crate::base::json::object_from(pairs.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))))
}

macro_rules! wire_by_string {
    ($($ty:ty),*) => {$(
        impl Wire for $ty {
            fn to_wire(&self) -> Value {
                Value::String(self.to_string())
            }

            fn from_wire(v: &Value) -> Result<Self> {
                <$ty>::parse(string(v)?).map_err(|e| WireError(e.to_string()))
            }
        }
    )*};
}

wire_by_string!(Hlc, RecordId, GroupId, UserId, ClientId, DeviceId);

impl Wire for Collection {
    fn to_wire(&self) -> Value {
        Value::String(self.id().to_owned())
    }

    fn from_wire(v: &Value) -> Result<Self> {
        Collection::from_id(string(v)?).ok_or_else(|| err("a collection"))
    }
}

impl Wire for Visibility {
    fn to_wire(&self) -> Value {
        Value::String(self.id().to_owned())
    }

    fn from_wire(v: &Value) -> Result<Self> {
        Visibility::from_id(string(v)?).ok_or_else(|| err("a visibility"))
    }
}

impl Wire for Role {
    fn to_wire(&self) -> Value {
        Value::String(self.id().to_owned())
    }

    fn from_wire(v: &Value) -> Result<Self> {
        Role::from_id(string(v)?).ok_or_else(|| err("a role"))
    }
}

// The account API's payloads, as the app sends and reads them.
crate::wire_struct! {
    Me { user, login, display_name, device, groups, session_token, keys }
    GroupInfo { id, name, role }
    LoginRequest { login, auth, device_name, bearer }
    JoinRequest { lookup, account, envelope, group_key, device_name, bearer }
    InviteOpen { lookup }
    InviteOpened { group, group_name, role, key, group_has_key, readmit_login }
    SetupRequest { token, group, group_name, account, group_key, device_name, bearer }
    PassphraseChange { current_auth, kdf, auth, wrapped_secret }
    SessionMode { bearer }
    SessionToken { token }
    JoinGroupRequest { lookup, envelope, group_key }
    InviteRequest { role, days, max_uses, lookup, key, readmit }
    InviteCreated { id, role, expires_ms, max_uses }
    InviteInfo { id, role, created_ms, expires_ms, max_uses, uses, revoked }
    MemberInfo { id, display_name, role, joined_ms, public_key }
    RoleRequest { role }
    DeviceInfo { id, name, created_ms, last_seen_ms, current }
    KdfParams { salt, m_kib, t, p }
    AccountKeys { public_key, wrapped_secret }
    InviteKey { group, epoch, wrapped }
    NewAccount { login, display_name, kdf, auth, public_key, wrapped_secret, wrapped_secret_recovery, recovery_auth }
    GroupKeyInit { envelope, recovery_public_key, recovery_envelope }
    EpochEnvelope { epoch, envelope }
    EpochHistory { epoch, sealed }
    GroupKeysInfo { group, current_epoch, envelopes, history, recovery_public_key }
    KeysInfo { account, groups }
    OwnEnvelope { epochs }
    Rotation { epoch, envelopes, history, recovery_envelope }
    MemberEnvelope { member, envelope }
    GroupRecovery { recovery_public_key, envelopes }
    RecoveryRequest { login, recovery_auth }
    RecoveryKeys { public_key, wrapped_secret_recovery }
    RecoverRequest { login, recovery_auth, kdf, auth, wrapped_secret, device_name, bearer }
}

impl Wire for Value {
    fn to_wire(&self) -> Value {
        self.clone()
    }

    fn from_wire(v: &Value) -> Result<Self> {
        Ok(v.clone())
    }
}

impl Wire for String {
    fn to_wire(&self) -> Value {
        Value::String(self.clone())
    }

    fn from_wire(v: &Value) -> Result<Self> {
        string(v).map(str::to_owned)
    }
}

impl Wire for bool {
    fn to_wire(&self) -> Value {
        Value::Bool(*self)
    }

    fn from_wire(v: &Value) -> Result<Self> {
        v.as_bool().ok_or_else(|| err("true or false"))
    }
}

impl Wire for u64 {
    fn to_wire(&self) -> Value {
        Value::from(*self)
    }

    fn from_wire(v: &Value) -> Result<Self> {
        u64_of(v)
    }
}

macro_rules! wire_by_narrowing {
    ($($ty:ty),*) => {$(
        impl Wire for $ty {
            fn to_wire(&self) -> Value {
                Value::from(*self)
            }

            fn from_wire(v: &Value) -> Result<Self> {
                <$ty>::try_from(u64_of(v)?).map_err(|_| err(concat!("a number that fits ", stringify!($ty))))
            }
        }
    )*};
}

wire_by_narrowing!(u8, u32);

impl<T: Wire> Wire for Vec<T> {
    fn to_wire(&self) -> Value {
        array(self)
    }

    fn from_wire(v: &Value) -> Result<Self> {
        match v {
            Value::Array(items) => items.iter().map(T::from_wire).collect(),
            _ => Err(err("a list")),
        }
    }
}

/// One field of an object: required unless it is an `Option`, which is left
/// out when `None` (as serde's `default, skip_serializing_if` does).
pub trait Slot: Sized {
    fn take(v: Option<&Value>, key: &str) -> Result<Self>;
    fn put(&self) -> Option<Value>;
}

impl<T: Wire> Slot for T {
    fn take(v: Option<&Value>, key: &str) -> Result<Self> {
        T::from_wire(v.ok_or_else(|| WireError(format!("missing {key}")))?).map_err(|e| WireError(format!("{key}: {e}")))
    }

    fn put(&self) -> Option<Value> {
        Some(self.to_wire())
    }
}

impl<T: Wire> Slot for Option<T> {
    fn take(v: Option<&Value>, key: &str) -> Result<Self> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::take(Some(v), key).map(Some),
        }
    }

    fn put(&self) -> Option<Value> {
        self.as_ref().map(Wire::to_wire)
    }
}

/// [`Wire`] for a plain struct, field by field under their own names, the
/// JSON serde's derive writes for it.
#[macro_export]
macro_rules! wire_struct {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl $crate::sync::wire::Wire for $ty {
            fn to_wire(&self) -> ::serde_json::Value {
                let mut o = ::serde_json::Map::new();
                $(
                    if let Some(v) = $crate::sync::wire::Slot::put(&self.$field) {
                        o.insert(stringify!($field).to_owned(), v);
                    }
                )*
                ::serde_json::Value::Object(o)
            }

            fn from_wire(v: &::serde_json::Value) -> ::std::result::Result<Self, $crate::sync::wire::WireError> {
                let o = v.as_object().ok_or_else(|| $crate::sync::wire::WireError(concat!("expected ", stringify!($ty)).to_owned()))?;
                Ok(Self { $($field: $crate::sync::wire::Slot::take(o.get(stringify!($field)), stringify!($field))?,)* })
            }
        }
    )*};
}

impl<T: Wire> Wire for Stamped<T> {
    fn to_wire(&self) -> Value {
        object(vec![("v", Some(self.v.to_wire())), ("t", Some(self.t.to_wire()))])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a stamped value")?;
        Ok(Stamped { v: T::from_wire(field(o, "v")?)?, t: Hlc::from_wire(field(o, "t")?)? })
    }
}

impl Wire for Conflict {
    fn to_wire(&self) -> Value {
        object(vec![
            ("field", Some(Value::String(self.field.clone()))),
            ("v", Some(self.v.clone())),
            ("t", Some(self.t.to_wire())),
            ("resolved", self.resolved.then_some(Value::Bool(true))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a conflict")?;
        Ok(Conflict {
            field: string(field(o, "field")?)?.to_owned(),
            v: field(o, "v")?.clone(),
            t: Hlc::from_wire(field(o, "t")?)?,
            resolved: opt(o, "resolved").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

impl Wire for Record {
    fn to_wire(&self) -> Value {
        let fields = (!self.fields.is_empty()).then(|| crate::base::json::object_from(self.fields.iter().map(|(k, s)| (k.clone(), s.to_wire()))));
        object(vec![
            ("id", Some(self.id.to_wire())),
            ("collection", Some(self.collection.to_wire())),
            ("group", Some(self.group.to_wire())),
            ("owner", Some(self.owner.to_wire())),
            ("visibility", Some(self.visibility.to_wire())),
            ("deleted", self.deleted.as_ref().map(Wire::to_wire)),
            ("fields", fields),
            ("conflicts", (!self.conflicts.is_empty()).then(|| array(&self.conflicts))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a record")?;
        let mut record = Record::new(
            RecordId::from_wire(field(o, "id")?)?,
            Collection::from_wire(field(o, "collection")?)?,
            GroupId::from_wire(field(o, "group")?)?,
            UserId::from_wire(field(o, "owner")?)?,
            Stamped::from_wire(field(o, "visibility")?)?,
        );
        record.deleted = opt(o, "deleted").map(Hlc::from_wire).transpose()?;
        if let Some(fields) = opt(o, "fields") {
            for (k, s) in obj(fields, "fields")? {
                record.fields.insert(k.clone(), Stamped::from_wire(s)?);
            }
        }
        record.conflicts = list(o.get("conflicts"))?;
        Ok(record)
    }
}

impl From<crate::base::json::JsonError> for WireError {
    fn from(e: crate::base::json::JsonError) -> Self {
        WireError(e.to_string())
    }
}

/// Reads a record straight from its JSON text: the same as
/// `Record::from_wire(&json::parse(text)?)`, without the `Value` tree in
/// between (except that of a key given twice, a broken first copy is
/// refused rather than dropped unread). Opening the app reads every stored
/// record and a pull reads thousands; building the tree (a map per field,
/// a string per key and stamp) and copying each value out of it was most
/// of that work.
pub fn record_from_json(text: &str) -> Result<Record> {
    let mut c = Cursor::new(text);
    let record = read_record(&mut c)?;
    c.end()?;
    Ok(record)
}

/// Reads a pull page the same way, each record through [`read_record`].
pub fn pull_from_json(text: &str) -> Result<PullResponse> {
    let mut c = Cursor::new(text);
    let (mut epoch, mut records, mut removed, mut cursor, mut more, mut server_ms) = (None, Vec::new(), Vec::new(), None, None, None);
    c.object(&mut |c, key| {
        match key {
            "epoch" => epoch = Some(c.str()?.into_owned()),
            "records" => {
                records.clear();
                if !c.null() {
                    c.array(&mut |c| read_record(c).map(|r| records.push(r)))?;
                }
            }
            "removed" => {
                removed.clear();
                if !c.null() {
                    c.array(&mut |c| parsed(c, RecordId::parse).map(|id| removed.push(id)))?;
                }
            }
            "cursor" => cursor = Some(c.str()?.into_owned()),
            "more" => more = Some(c.value()?.as_bool().ok_or_else(|| err("true or false"))?),
            "server_ms" => server_ms = Some(u64_of(&c.value()?)?),
            _ => c.skip()?,
        }
        Ok::<_, WireError>(())
    })?;
    c.end()?;
    let missing = |key: &str| WireError(format!("missing {key}"));
    Ok(PullResponse {
        epoch: epoch.ok_or_else(|| missing("epoch"))?,
        records,
        removed,
        cursor: cursor.ok_or_else(|| missing("cursor"))?,
        more: more.ok_or_else(|| missing("more"))?,
        server_ms: server_ms.ok_or_else(|| missing("server_ms"))?,
    })
}

/// A stamp or id read as a string and parsed in place.
fn parsed<T, E: std::fmt::Display>(c: &mut Cursor, parse: impl FnOnce(&str) -> std::result::Result<T, E>) -> Result<T> {
    let text = c.str()?;
    parse(&text).map_err(|e| WireError(e.to_string()))
}

/// A `{"v": …, "t": …}` pair, `v` read by `value`.
fn read_stamped<T>(c: &mut Cursor, value: &mut dyn FnMut(&mut Cursor) -> Result<T>) -> Result<Stamped<T>> {
    let (mut v, mut t) = (None, None);
    c.object(&mut |c, key| {
        match key {
            "v" => v = Some(value(c)?),
            "t" => t = Some(parsed(c, Hlc::parse)?),
            _ => c.skip()?,
        }
        Ok::<_, WireError>(())
    })?;
    Ok(Stamped { v: v.ok_or_else(|| WireError("missing v".into()))?, t: t.ok_or_else(|| WireError("missing t".into()))? })
}

/// One record at the cursor; see [`record_from_json`].
fn read_record(c: &mut Cursor) -> Result<Record> {
    let (mut id, mut collection, mut group, mut owner, mut visibility) = (None, None, None, None, None);
    let mut deleted = None;
    let mut fields = crate::base::map::SortedMap::new();
    let mut conflicts = Vec::new();
    c.object(&mut |c, key| {
        match key {
            "id" => id = Some(parsed(c, RecordId::parse)?),
            "collection" => collection = Some(parsed(c, |s| Collection::from_id(s).ok_or("expected a collection"))?),
            "group" => group = Some(parsed(c, GroupId::parse)?),
            "owner" => owner = Some(parsed(c, UserId::parse)?),
            "visibility" => {
                visibility = Some(read_stamped(c, &mut |c| parsed(c, |s| Visibility::from_id(s).ok_or("expected a visibility")))?)
            }
            "deleted" => deleted = if c.null() { None } else { Some(parsed(c, Hlc::parse)?) },
            "fields" => {
                fields = crate::base::map::SortedMap::new();
                if !c.null() {
                    c.object(&mut |c, name| {
                        let stamped = read_stamped(c, &mut |c| Ok(c.value()?))?;
                        fields.insert(name.to_owned(), stamped);
                        Ok::<_, WireError>(())
                    })?;
                }
            }
            "conflicts" => conflicts = list(Some(&c.value()?))?,
            _ => c.skip()?,
        }
        Ok::<_, WireError>(())
    })?;
    let missing = |key: &str| WireError(format!("missing {key}"));
    let mut record = Record::new(
        id.ok_or_else(|| missing("id"))?,
        collection.ok_or_else(|| missing("collection"))?,
        group.ok_or_else(|| missing("group"))?,
        owner.ok_or_else(|| missing("owner"))?,
        visibility.ok_or_else(|| missing("visibility"))?,
    );
    record.deleted = deleted;
    record.fields = fields;
    record.conflicts = conflicts;
    Ok(record)
}

impl Wire for FieldWrite {
    fn to_wire(&self) -> Value {
        object(vec![
            ("field", Some(Value::String(self.field.clone()))),
            ("v", Some(self.v.clone())),
            ("t", Some(self.t.to_wire())),
            ("base", self.base.as_ref().map(Wire::to_wire)),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a field write")?;
        Ok(FieldWrite {
            field: string(field(o, "field")?)?.to_owned(),
            v: field(o, "v")?.clone(),
            t: Hlc::from_wire(field(o, "t")?)?,
            base: opt(o, "base").map(Hlc::from_wire).transpose()?,
        })
    }
}

impl Wire for Op {
    fn to_wire(&self) -> Value {
        let kind = |k: &str| Some(Value::String(k.to_owned()));
        match self {
            Op::Put { visibility, fields } => object(vec![("kind", kind("put")), ("visibility", visibility.as_ref().map(Wire::to_wire)), ("fields", Some(array(fields)))]),
            Op::Delete { t } => object(vec![("kind", kind("delete")), ("t", Some(t.to_wire()))]),
            Op::Resolve { field, t } => object(vec![("kind", kind("resolve")), ("field", Some(Value::String(field.clone()))), ("t", Some(t.to_wire()))]),
        }
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "an operation")?;
        match string(field(o, "kind")?)? {
            "put" => Ok(Op::Put { visibility: opt(o, "visibility").map(Stamped::from_wire).transpose()?, fields: list(o.get("fields"))? }),
            "delete" => Ok(Op::Delete { t: Hlc::from_wire(field(o, "t")?)? }),
            "resolve" => Ok(Op::Resolve { field: string(field(o, "field")?)?.to_owned(), t: Hlc::from_wire(field(o, "t")?)? }),
            _ => Err(err("put, delete or resolve")),
        }
    }
}

impl Wire for Mutation {
    fn to_wire(&self) -> Value {
        object(vec![
            ("seq", Some(Value::from(self.seq))),
            ("id", Some(self.id.to_wire())),
            ("collection", Some(self.collection.to_wire())),
            ("group", Some(self.group.to_wire())),
            ("op", Some(self.op.to_wire())),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a mutation")?;
        Ok(Mutation {
            seq: u64_of(field(o, "seq")?)?,
            id: RecordId::from_wire(field(o, "id")?)?,
            collection: Collection::from_wire(field(o, "collection")?)?,
            group: GroupId::from_wire(field(o, "group")?)?,
            op: Op::from_wire(field(o, "op")?)?,
        })
    }
}

impl Wire for PushRequest {
    fn to_wire(&self) -> Value {
        object(vec![
            ("schema", Some(Value::from(self.schema))),
            ("client", Some(self.client.to_wire())),
            ("epoch", Some(self.epoch.clone().map_or(Value::Null, Value::String))),
            ("mutations", Some(array(&self.mutations))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a push")?;
        Ok(PushRequest {
            schema: u32::try_from(u64_of(field(o, "schema")?)?).map_err(|_| err("a schema version"))?,
            client: ClientId::from_wire(field(o, "client")?)?,
            epoch: opt(o, "epoch").map(|e| string(e).map(str::to_owned)).transpose()?,
            mutations: list(o.get("mutations"))?,
        })
    }
}

impl Wire for ErrorCode {
    fn to_wire(&self) -> Value {
        Value::String(self.id().to_owned())
    }

    fn from_wire(v: &Value) -> Result<Self> {
        Ok(ErrorCode::from_id(string(v)?))
    }
}

impl Wire for AckResult {
    fn to_wire(&self) -> Value {
        let kind = |k: &str| Some(Value::String(k.to_owned()));
        match self {
            AckResult::Applied => object(vec![("kind", kind("applied"))]),
            AckResult::Duplicate => object(vec![("kind", kind("duplicate"))]),
            AckResult::Rejected { error, field, message, current } => object(vec![
                ("kind", kind("rejected")),
                ("error", Some(error.to_wire())),
                ("field", field.clone().map(Value::String)),
                ("message", Some(Value::String(message.clone()))),
                ("current", current.as_ref().map(|r| r.to_wire())),
            ]),
        }
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "an ack")?;
        match string(field(o, "kind")?)? {
            "applied" => Ok(AckResult::Applied),
            "duplicate" => Ok(AckResult::Duplicate),
            "rejected" => Ok(AckResult::Rejected {
                error: ErrorCode::from_wire(field(o, "error")?)?,
                field: opt(o, "field").map(|f| string(f).map(str::to_owned)).transpose()?,
                message: string(field(o, "message")?)?.to_owned(),
                current: opt(o, "current").map(Record::from_wire).transpose()?.map(Box::new),
            }),
            _ => Err(err("applied, duplicate or rejected")),
        }
    }
}

impl Wire for Ack {
    fn to_wire(&self) -> Value {
        object(vec![("seq", Some(Value::from(self.seq))), ("result", Some(self.result.to_wire()))])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "an ack")?;
        Ok(Ack { seq: u64_of(field(o, "seq")?)?, result: AckResult::from_wire(field(o, "result")?)? })
    }
}

impl Wire for PushResponse {
    fn to_wire(&self) -> Value {
        object(vec![
            ("epoch", Some(Value::String(self.epoch.clone()))),
            ("acks", Some(array(&self.acks))),
            ("next_seq", Some(Value::from(self.next_seq))),
            ("server_ms", Some(Value::from(self.server_ms))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a push answer")?;
        Ok(PushResponse {
            epoch: string(field(o, "epoch")?)?.to_owned(),
            acks: list(o.get("acks"))?,
            next_seq: u64_of(field(o, "next_seq")?)?,
            server_ms: u64_of(field(o, "server_ms")?)?,
        })
    }
}

impl Wire for PullResponse {
    fn to_wire(&self) -> Value {
        object(vec![
            ("epoch", Some(Value::String(self.epoch.clone()))),
            ("records", Some(array(&self.records))),
            ("removed", (!self.removed.is_empty()).then(|| array(&self.removed))),
            ("cursor", Some(Value::String(self.cursor.clone()))),
            ("more", Some(Value::Bool(self.more))),
            ("server_ms", Some(Value::from(self.server_ms))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a pull page")?;
        Ok(PullResponse {
            epoch: string(field(o, "epoch")?)?.to_owned(),
            records: list(o.get("records"))?,
            removed: list(o.get("removed"))?,
            cursor: string(field(o, "cursor")?)?.to_owned(),
            more: field(o, "more")?.as_bool().ok_or_else(|| err("true or false"))?,
            server_ms: u64_of(field(o, "server_ms")?)?,
        })
    }
}

impl Wire for Clock {
    fn to_wire(&self) -> Value {
        let (ms, counter) = self.last();
        object(vec![("node", Some(self.node().to_wire())), ("last_ms", Some(Value::from(ms))), ("last_counter", Some(Value::from(counter)))])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a clock")?;
        let mut clock = Clock::new(ClientId::from_wire(field(o, "node")?)?);
        let counter = u16::try_from(u64_of(field(o, "last_counter")?)?).map_err(|_| err("a counter"))?;
        clock.rewind(u64_of(field(o, "last_ms")?)?, counter);
        Ok(clock)
    }
}

impl Wire for Rejected {
    fn to_wire(&self) -> Value {
        object(vec![
            ("mutation", Some(self.mutation.to_wire())),
            ("error", Some(self.error.to_wire())),
            ("field", Some(self.field.clone().map_or(Value::Null, Value::String))),
            ("message", Some(Value::String(self.message.clone()))),
            ("at_ms", Some(Value::from(self.at_ms))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "a refused change")?;
        Ok(Rejected {
            mutation: Mutation::from_wire(field(o, "mutation")?)?,
            error: ErrorCode::from_wire(field(o, "error")?)?,
            field: opt(o, "field").map(|f| string(f).map(str::to_owned)).transpose()?,
            message: string(field(o, "message")?)?.to_owned(),
            at_ms: u64_of(field(o, "at_ms")?)?,
        })
    }
}

impl Wire for SyncState {
    fn to_wire(&self) -> Value {
        let text = |s: &Option<String>| Some(s.clone().map_or(Value::Null, Value::String));
        object(vec![
            ("user", Some(self.user.to_wire())),
            ("client", Some(self.client.to_wire())),
            ("next_seq", Some(Value::from(self.next_seq))),
            ("clock", Some(self.clock.to_wire())),
            ("epoch", text(&self.epoch)),
            ("cursor", text(&self.cursor)),
            ("repair", Some(Value::Bool(self.repair))),
            ("last_sync_ms", Some(self.last_sync_ms.map_or(Value::Null, Value::from))),
            ("clock_offset_ms", Some(Value::from(self.clock_offset_ms))),
            ("rejected", Some(array(&self.rejected))),
            ("unreadable", Some(array(&self.unreadable))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "the sync state")?;
        let text = |k: &str| opt(o, k).map(|s| string(s).map(str::to_owned)).transpose();
        Ok(SyncState {
            user: UserId::from_wire(field(o, "user")?)?,
            client: ClientId::from_wire(field(o, "client")?)?,
            next_seq: u64_of(field(o, "next_seq")?)?,
            clock: Clock::from_wire(field(o, "clock")?)?,
            epoch: text("epoch")?,
            cursor: text("cursor")?,
            repair: opt(o, "repair").and_then(Value::as_bool).unwrap_or(false),
            last_sync_ms: opt(o, "last_sync_ms").map(u64_of).transpose()?,
            clock_offset_ms: opt(o, "clock_offset_ms").and_then(Value::as_i64).unwrap_or(0),
            rejected: list(o.get("rejected"))?,
            unreadable: list(o.get("unreadable"))?,
        })
    }
}

impl Wire for crate::crypto::keyring::Unreadable {
    fn to_wire(&self) -> Value {
        object(vec![
            ("collection", Some(self.collection.to_wire())),
            ("id", Some(self.id.to_wire())),
            ("field", Some(Value::String(self.field.clone()))),
            ("why", Some(Value::String(self.why.clone()))),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "an unreadable value")?;
        Ok(Self {
            collection: Collection::from_wire(field(o, "collection")?)?,
            id: RecordId::from_wire(field(o, "id")?)?,
            field: string(field(o, "field")?)?.to_owned(),
            why: string(field(o, "why")?)?.to_owned(),
        })
    }
}

impl Wire for crate::api::error::ErrorBody {
    fn to_wire(&self) -> Value {
        object(vec![
            ("error", Some(self.error.to_wire())),
            ("field", self.field.clone().map(Value::String)),
            ("message", Some(Value::String(self.message.clone()))),
            ("reason", self.reason.map(|r| Value::String(r.id().to_owned()))),
            ("detail", self.detail.clone().map(Value::String)),
            ("server_ms", self.server_ms.map(Value::from)),
        ])
    }

    fn from_wire(v: &Value) -> Result<Self> {
        let o = obj(v, "an error")?;
        let text = |k: &str| opt(o, k).map(|s| string(s).map(str::to_owned)).transpose();
        Ok(crate::api::error::ErrorBody {
            error: ErrorCode::from_wire(field(o, "error")?)?,
            field: text("field")?,
            message: text("message")?.unwrap_or_default(),
            reason: opt(o, "reason").and_then(Value::as_str).and_then(crate::api::error::ResyncReason::from_id),
            detail: text("detail")?,
            server_ms: opt(o, "server_ms").map(u64_of).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ErrorCode;
    use serde_json::json;

    fn both_ways<T: Wire + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(x: &T) {
        let by_hand = x.to_wire();
        let by_serde = serde_json::to_value(x).unwrap();
        assert_eq!(by_hand, by_serde, "written the same");
        assert_eq!(&T::from_wire(&by_serde).unwrap(), x, "reads what serde writes");
        assert_eq!(&serde_json::from_value::<T>(by_hand).unwrap(), x, "serde reads what is written by hand");
    }

    fn stamp(ms: u64) -> Hlc {
        Hlc::new(ms, 3, ClientId::from_random([7; 8]))
    }

    fn record() -> Record {
        let mut r = Record::new(RecordId::new_v7(1, [1; 10]), Collection::Contact, GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]), Stamped::new(Visibility::Private, stamp(1)));
        r.write("note", json!("ねむれない"), stamp(2));
        r.write("worries", json!(["housing"]), stamp(2));
        r.write_detecting("note", json!("別の文"), stamp(3), Some(&stamp(1)), true);
        r
    }

    #[test]
    fn the_account_payloads_match_serde() {
        let user = UserId::new_v7(1, [3; 10]);
        let group = GroupInfo { id: GroupId::new_v7(1, [2; 10]), name: "ひまわり家族会".into(), role: Role::Coordinator };
        let device = DeviceId::new_v7(2, [4; 10]);
        let keys = AccountKeys { public_key: "cGs".into(), wrapped_secret: "d3M".into() };
        let invite_key = InviteKey { group: group.id.clone(), epoch: 3, wrapped: "aw".into() };
        let me = Me { user: user.clone(), login: "hana".into(), display_name: "はな".into(), device: device.clone(), groups: vec![group.clone()], session_token: None, keys: None };
        both_ways(&me);
        both_ways(&Me { session_token: Some("t0k3n".into()), groups: Vec::new(), keys: Some(keys.clone()), ..me });
        let kdf = KdfParams { salt: "c2FsdA".into(), m_kib: 19456, t: 2, p: 1 };
        let account = NewAccount {
            login: "l".into(),
            display_name: "d".into(),
            kdf: kdf.clone(),
            auth: "YQ".into(),
            public_key: "cA".into(),
            wrapped_secret: "dw".into(),
            wrapped_secret_recovery: "cg".into(),
            recovery_auth: "cmE".into(),
        };
        both_ways(&LoginRequest { login: "hana".into(), auth: "YQ".into(), device_name: "iPhone".into(), bearer: true });
        both_ways(&JoinRequest { lookup: "bG9vaw".into(), account: account.clone(), envelope: Some(EpochEnvelope { epoch: 2, envelope: "ZQ".into() }), group_key: None, device_name: "n".into(), bearer: false });
        both_ways(&InviteOpen { lookup: "bA".into() });
        both_ways(&InviteOpened { group: group.id.clone(), group_name: "g".into(), role: Role::Member, key: Some(invite_key.clone()), group_has_key: true, readmit_login: Some("hana".into()) });
        let init = GroupKeyInit { envelope: "ZQ".into(), recovery_public_key: "cnA".into(), recovery_envelope: "cmU".into() };
        both_ways(&SetupRequest { token: "t".into(), group: group.id.clone(), group_name: "g".into(), account: account.clone(), group_key: init, device_name: "n".into(), bearer: false });
        both_ways(&PassphraseChange { current_auth: "YQ".into(), kdf: kdf.clone(), auth: "Yg".into(), wrapped_secret: "dw".into() });
        both_ways(&SessionMode { bearer: true });
        both_ways(&SessionToken { token: None });
        both_ways(&SessionToken { token: Some("x".into()) });
        both_ways(&JoinGroupRequest { lookup: "c".into(), envelope: None, group_key: None });
        both_ways(&InviteRequest { role: Role::Member, days: 7, max_uses: 3, lookup: "bA".into(), key: invite_key.clone(), readmit: None });
        both_ways(&InviteRequest { role: Role::Member, days: 7, max_uses: 1, lookup: "bA".into(), key: invite_key, readmit: Some(user.clone()) });
        both_ways(&InviteCreated { id: "i".into(), role: Role::Member, expires_ms: 1 << 40, max_uses: 2 });
        both_ways(&InviteInfo { id: "i".into(), role: Role::Coordinator, created_ms: 1, expires_ms: 2, max_uses: 3, uses: 1, revoked: true });
        both_ways(&MemberInfo { id: user.clone(), display_name: "d".into(), role: Role::Member, joined_ms: 5, public_key: Some("cGs".into()) });
        both_ways(&RoleRequest { role: Role::Coordinator });
        both_ways(&DeviceInfo { id: device, name: "n".into(), created_ms: 1, last_seen_ms: 2, current: true });
        let envelope = EpochEnvelope { epoch: 1, envelope: "ZQ".into() };
        both_ways(&KeysInfo {
            account: keys,
            groups: vec![GroupKeysInfo { group: group.id.clone(), current_epoch: Some(2), envelopes: vec![envelope.clone()], history: vec![EpochHistory { epoch: 1, sealed: "cw".into() }], recovery_public_key: Some("cnA".into()) }],
        });
        both_ways(&OwnEnvelope { epochs: vec![envelope.clone()] });
        both_ways(&Rotation { epoch: 3, envelopes: vec![MemberEnvelope { member: user, envelope: "ZQ".into() }], history: "aA".into(), recovery_envelope: "cmU".into() });
        both_ways(&GroupRecovery { recovery_public_key: "cnA".into(), envelopes: vec![envelope] });
        both_ways(&RecoveryRequest { login: "hana".into(), recovery_auth: "cmE".into() });
        both_ways(&RecoveryKeys { public_key: "cA".into(), wrapped_secret_recovery: "cg".into() });
        both_ways(&RecoverRequest { login: "hana".into(), recovery_auth: "cmE".into(), kdf, auth: "YQ".into(), wrapped_secret: "dw".into(), device_name: "n".into(), bearer: false });
        // What does not fit is refused with the field's name.
        let e = MemberInfo::from_wire(&json!({"id": "x", "display_name": "d", "role": "member", "joined_ms": 5})).unwrap_err();
        assert!(e.0.starts_with("id:"), "{e}");
        assert!(InviteRequest::from_wire(&json!({"role": "member", "days": 7})).is_err(), "max_uses is required");
        assert!(RoleRequest::from_wire(&json!({"role": "boss"})).is_err());
        assert!(InviteKey::from_wire(&json!({"group": group.id.to_string(), "epoch": 4_294_967_296_u64, "wrapped": "a"})).is_err(), "the epoch fits u32");
    }

    #[test]
    fn records_mutations_and_pages_match_serde() {
        let r = record();
        assert!(!r.conflicts.is_empty());
        both_ways(&r);
        let mut dead = r.clone();
        dead.delete(stamp(9));
        both_ways(&dead);
        let put = Mutation {
            seq: 4,
            id: r.id.clone(),
            collection: Collection::Contact,
            group: r.group.clone(),
            op: Op::Put { visibility: Some(Stamped::new(Visibility::Group, stamp(5))), fields: vec![FieldWrite { field: "note".into(), v: json!("x"), t: stamp(5), base: Some(stamp(2)) }] },
        };
        both_ways(&put);
        both_ways(&Mutation { op: Op::Delete { t: stamp(6) }, ..put.clone() });
        both_ways(&Mutation { op: Op::Resolve { field: "note".into(), t: stamp(3) }, ..put.clone() });
        both_ways(&PushRequest { schema: 2, client: ClientId::from_random([7; 8]), epoch: None, mutations: vec![put.clone()] });
        both_ways(&PushResponse {
            epoch: "e1".into(),
            acks: vec![
                Ack { seq: 1, result: AckResult::Applied },
                Ack { seq: 2, result: AckResult::Duplicate },
                Ack { seq: 3, result: AckResult::Rejected { error: ErrorCode::Deleted, field: Some("x".into()), message: "m".into(), current: Some(Box::new(r.clone())) } },
            ],
            next_seq: 4,
            server_ms: 99,
        });
        both_ways(&PullResponse { epoch: "e1".into(), records: vec![r.clone(), dead], removed: vec![r.id.clone()], cursor: "c".into(), more: true, server_ms: 5 });
        let mut clock = Clock::new(ClientId::from_random([7; 8]));
        clock.tick(1234);
        both_ways(&SyncState {
            user: r.owner.clone(),
            client: ClientId::from_random([7; 8]),
            next_seq: 5,
            clock,
            epoch: Some("e1".into()),
            cursor: None,
            repair: true,
            last_sync_ms: Some(5),
            clock_offset_ms: -40,
            rejected: vec![Rejected { mutation: put, error: ErrorCode::Forbidden, field: None, message: "no".into(), at_ms: 7 }],
            unreadable: Vec::new(),
        });
    }

    /// `record_from_json` and `pull_from_json` read what the tree reader
    /// reads, and refuse what it refuses, on every variation of a record
    /// and a page: keys in any order, nulls, duplicates, unknown keys,
    /// escapes, and one broken or missing piece at a time.
    #[test]
    fn the_direct_readers_agree_with_the_tree_reader() {
        let print = |v: &Value| serde_json::to_string(v).unwrap();
        let r = record();
        let mut dead = r.clone();
        dead.delete(stamp(9));
        let mut docs: Vec<String> = vec![print(&r.to_wire()), print(&dead.to_wire())];
        let base = r.to_wire();
        let keys: Vec<String> = base.as_object().unwrap().keys().cloned().collect();
        for key in &keys {
            // Each key missing, null, of the wrong type, or repeated.
            for replacement in [None, Some(Value::Null), Some(json!(7)), Some(json!("x")), Some(json!({"v": "group", "t": 1}))] {
                let mut o = base.as_object().unwrap().clone();
                match replacement {
                    None => drop(o.remove(key)),
                    Some(v) => drop(o.insert(key.clone(), v)),
                }
                docs.push(print(&Value::Object(o)));
            }
            // Repeated: the last copy counts in both.
            let whole = print(&base);
            docs.push(format!("{{\"{key}\":{},{}", print(&base[key.as_str()]), &whole[1..]));
        }
        // The one difference: a broken copy of a key given twice is refused
        // here, where the tree reader drops it unread.
        let whole = print(&base);
        assert!(record_from_json(&format!("{{\"id\":7,{}", &whole[1..])).is_err());
        let text = print(&base);
        docs.push(text.replace('{', "{ \"extra\": [1, {\"a\": null}], "));
        docs.push(text.replace("ねむれない", "ね\\u3080\\\"れない\\n"));
        docs.push(text.replace("\"t\":\"", "\"t\":\"x"));
        docs.push(text.replace("\"v\":", "\"w\":"));
        docs.push(format!("{text} x"));
        docs.push(text[..text.len() - 1].to_owned());
        docs.push("[]".into());
        for doc in &docs {
            let direct = record_from_json(doc);
            let tree = crate::base::json::parse(doc).map_err(WireError::from).and_then(|v| Record::from_wire(&v));
            assert_eq!(direct.is_ok(), tree.is_ok(), "{doc}: {direct:?} / {tree:?}");
            if let (Ok(a), Ok(b)) = (direct, tree) {
                assert_eq!(a, b, "{doc}");
            }
        }
        let page = PullResponse { epoch: "e1".into(), records: vec![r.clone(), dead], removed: vec![r.id.clone()], cursor: "c".into(), more: true, server_ms: 5 };
        let page_text = print(&page.to_wire());
        assert_eq!(pull_from_json(&page_text).unwrap(), page);
        for doc in [
            page_text.clone(),
            page_text.replace("\"more\":true", "\"more\":1"),
            page_text.replace("\"removed\":[", "\"removed\":[\"x\","),
            page_text.replace("\"cursor\":\"c\"", "\"cursor\":null"),
            page_text.replace("\"removed\":[", "\"removed\":null,\"r2\":["),
            page_text.replace("\"server_ms\":5", "\"server_ms\":-5"),
            print(&json!({"epoch": "e", "records": null, "cursor": "c", "more": false, "server_ms": 0})),
            print(&json!({"epoch": "e", "records": [], "cursor": "c", "more": false})),
        ] {
            let direct = pull_from_json(&doc);
            let tree = crate::base::json::parse(&doc).map_err(WireError::from).and_then(|v| PullResponse::from_wire(&v));
            assert_eq!(direct.is_ok(), tree.is_ok(), "{doc}: {direct:?} / {tree:?}");
            if let (Ok(a), Ok(b)) = (direct, tree) {
                assert_eq!(a, b, "{doc}");
            }
        }
    }

    #[test]
    fn error_bodies_match_serde() {
        let mut body = crate::api::error::ErrorBody::new(ErrorCode::ClockAhead, "ahead");
        body.server_ms = Some(5);
        body.reason = Some(crate::api::error::ResyncReason::Horizon);
        body.detail = Some("expired".into());
        both_ways(&body);
    }

    #[test]
    fn unknown_error_codes_and_bad_shapes() {
        assert_eq!(ErrorCode::from_wire(&json!("from_the_future")).unwrap(), ErrorCode::Unknown);
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_wire(&code.to_wire()).unwrap(), *code);
        }
        assert!(Record::from_wire(&json!({"id": "x"})).is_err());
        assert!(Op::from_wire(&json!({"kind": "explode"})).is_err());
    }
}

//! The device side of sync, written once for every platform: the browser
//! implements [`Store`] over IndexedDB and [`Transport`] over `fetch`; the
//! simulation tests implement them in memory and in-process.
//!
//! Every local change is written in one store transaction together with its
//! outbox entry, so a change is either fully saved and queued, or not at
//! all. Sync pushes the outbox in order, then pulls pages after the cursor
//! and merges them in; pending local changes survive any pull because the
//! merge keeps the newer stamp (an unsent edit never flickers away).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{Collection, Visibility};
use super::hlc::{Clock, Hlc};
use super::ids::{ClientId, GroupId, RecordId, UserId};
use super::protocol::{
    AckResult, FieldError, FieldWrite, MAX_CLOCK_AHEAD_MS, Mutation, Op, PullResponse, PushRequest, PushResponse,
    ResyncReason,
};
use super::record::{Record, Stamped};
use crate::api::error::{ErrorBody, ErrorCode};
use crate::collections;
use crate::crypto::keyring::{Keyring, Unreadable};
use crate::crypto::{CryptoError, Random};

/// How many mutations one push carries.
pub const PUSH_BATCH: usize = 200;
/// Records per pull page: large pages mean fewer round trips on a slow
/// line; the server caps it at `MAX_PULL_LIMIT`.
pub const PULL_LIMIT: u32 = super::protocol::MAX_PULL_LIMIT;
/// How many rejected changes the device remembers for the user.
const REJECTED_LOG: usize = 100;

/// What a change comes to.
enum Prepared {
    /// Nothing new to write: the record as it stands.
    Unchanged(Record),
    Write(Record, Mutation),
}

/// The device's sync bookkeeping, saved with every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Whose data this store holds.
    pub user: UserId,
    pub client: ClientId,
    /// Sequence number of the next local mutation.
    pub next_seq: u64,
    pub clock: Clock,
    pub epoch: Option<String>,
    pub cursor: Option<String>,
    /// After a server restore: give back what the server lost.
    #[serde(default)]
    pub repair: bool,
    pub last_sync_ms: Option<u64>,
    /// Server time minus device wall time, learned at each sync: how this
    /// device stamps before its first exchange with the server after a
    /// restart (afterwards it measures time on the monotonic clock).
    #[serde(default)]
    pub clock_offset_ms: i64,
    #[serde(default)]
    pub rejected: Vec<Rejected>,
    /// Values from the server this device could not open (no key for them
    /// here, or altered): kept aside, said, never merged over its data.
    #[serde(default)]
    pub unreadable: Vec<crate::crypto::keyring::Unreadable>,
}

/// A change the server refused; kept so that nothing typed is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub mutation: Mutation,
    pub error: ErrorCode,
    pub field: Option<String>,
    pub message: String,
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser's storage quota is full.
    #[error("storage is full")]
    QuotaExceeded,
    #[error("storage: {0}")]
    Other(String),
}

/// Local storage of records, outbox and state. Operations on one `Tx` are
/// atomic: all or nothing, and isolated from other transactions.
#[allow(async_fn_in_trait)]
pub trait Store {
    type Tx<'a>: StoreTx
    where
        Self: 'a;
    async fn begin(&self) -> Result<Self::Tx<'_>, StoreError>;
}

#[allow(async_fn_in_trait)]
pub trait StoreTx {
    async fn state(&mut self) -> Result<Option<SyncState>, StoreError>;
    async fn put_state(&mut self, state: &SyncState) -> Result<(), StoreError>;
    async fn get(&mut self, collection: Collection, id: &RecordId) -> Result<Option<Record>, StoreError>;
    /// Several gets at once (a page of a pull): stores that can issue them
    /// together override this.
    async fn get_many(&mut self, keys: &[(Collection, RecordId)]) -> Result<Vec<Option<Record>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for (c, id) in keys {
            out.push(self.get(*c, id).await?);
        }
        Ok(out)
    }
    /// Takes the record: a pull page's records move into the store.
    async fn put(&mut self, record: Record) -> Result<(), StoreError>;
    async fn remove(&mut self, collection: Collection, id: &RecordId) -> Result<(), StoreError>;
    /// Every record's collection and id.
    async fn ids(&mut self) -> Result<Vec<(Collection, RecordId)>, StoreError>;
    /// The oldest `limit` queued mutations, in sequence order.
    async fn outbox(&mut self, limit: usize) -> Result<Vec<Mutation>, StoreError>;
    async fn outbox_len(&mut self) -> Result<usize, StoreError>;
    async fn enqueue(&mut self, mutation: &Mutation) -> Result<(), StoreError>;
    async fn dequeue(&mut self, seq: u64) -> Result<(), StoreError>;
    /// Removes everything: records, outbox and state.
    async fn clear(&mut self) -> Result<(), StoreError>;
    /// Makes the transaction's writes durable. Dropping it uncommitted
    /// discards them.
    async fn commit(self) -> Result<(), StoreError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No answer: offline, server down, connection dropped.
    Network(String),
    /// The server answered with an error.
    Api { status: u16, body: ErrorBody },
    /// The server answered something unreadable.
    Decode(String),
}

#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError>;
    async fn pull(&self, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError>;
}

/// Time and randomness, provided by the platform.
pub trait Env {
    /// The device's wall clock (which its owner can set to anything).
    fn now_ms(&self) -> u64;
    /// A clock that only moves forward, at the rate of real time, from an
    /// arbitrary origin (`performance.now()`): a change of the wall clock
    /// does not move it.
    fn monotonic_ms(&self) -> u64;
    fn random_bytes(&self, out: &mut [u8]);
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("not signed in on this device")]
    NotStarted,
    #[error("this device holds another user's data")]
    OtherUser,
    #[error("no such record")]
    NoSuchRecord,
    /// The record was deleted (here or on another device) since the edit began.
    #[error("the record was deleted")]
    Deleted,
    #[error("invalid: {0}")]
    Invalid(FieldError),
    /// The keys to seal it are not on this device (not signed in with
    /// keys yet, or the group has no key).
    #[error("cannot seal: {0}")]
    Keys(CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("offline: {0}")]
    Offline(String),
    #[error("signed out")]
    SignedOut,
    /// Erase local data: the device was revoked (the reason code from the
    /// server: `revoked_by_user`, `removed_from_group`, `signed_out`).
    #[error("this device was revoked ({0})")]
    DeviceRevoked(String),
    #[error("the app is out of date")]
    Outdated,
    /// The server's disk is full: nothing more was stored; what is not
    /// sent waits on the device for the next sync.
    #[error("the server's storage is full")]
    ServerFull,
    #[error("server error: {0}")]
    Server(String),
    /// The group's key changed (a member was removed, or this device's keys
    /// are behind): fetch the keys, and sync again (the queued changes are
    /// sealed again then).
    #[error("the group's keys changed")]
    KeysChanged,
    #[error("not signed in on this device")]
    NotStarted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    /// Stamps replaced after the server said this device's clock was ahead.
    pub restamped: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub removed: usize,
    pub resynced: bool,
}

/// One local change to a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub collection: Collection,
    pub id: RecordId,
    pub group: GroupId,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// Set fields; `visibility` is required when creating.
    ///
    /// `seen` is the record as its author saw it when the edit began (a
    /// form opened minutes ago); `None` means as it stands now. A field is
    /// written only if the author changed it from what they saw, and its
    /// `base` is the stamp they saw: a value another device wrote meanwhile
    /// is neither undone by an untouched field nor overwritten unnoticed
    /// (the server keeps a text as a conflict).
    Put { visibility: Option<Visibility>, fields: Vec<(String, Value)>, seen: Option<Box<Record>> },
    Delete,
    Resolve { field: String, t: Hlc },
}

impl ChangeKind {
    /// Fields written over the record as it stands now.
    pub fn put(visibility: Option<Visibility>, fields: Vec<(String, Value)>) -> Self {
        Self::Put { visibility, fields, seen: None }
    }
}

enum Step {
    Restart,
    Fail(SyncError),
}

impl From<StoreError> for Step {
    fn from(e: StoreError) -> Self {
        Step::Fail(SyncError::Store(e))
    }
}

pub struct Engine<S, T, E> {
    pub store: S,
    pub transport: T,
    pub env: E,
    /// The server's time at a moment of the monotonic clock, learned at the
    /// last exchange with the server in this run (it is not kept: the
    /// monotonic clock starts again at each run).
    anchor: Cell<Option<(u64, u64)>>,
    /// The signed-in user's keys: every value is sealed with them before
    /// it is stored for sync, and opened with them when it comes back.
    keys: RefCell<Option<Rc<Keyring>>>,
}

/// The platform's randomness, as the crypto module takes it.
struct EnvRandom<'a, E: Env>(&'a E);

impl<E: Env> Random for EnvRandom<'_, E> {
    fn fill(&self, out: &mut [u8]) {
        self.0.random_bytes(out);
    }
}

impl<S: Store, T: Transport, E: Env> Engine<S, T, E> {
    pub fn new(store: S, transport: T, env: E) -> Self {
        Self { store, transport, env, anchor: Cell::new(None), keys: RefCell::new(None) }
    }

    /// Gives the engine the user's keys (after sign-in, or a key refresh),
    /// or takes them away (the lock, a sign-out).
    pub fn set_keyring(&self, keys: Option<Keyring>) {
        *self.keys.borrow_mut() = keys.map(Rc::new);
    }

    pub fn keyring(&self) -> Option<Rc<Keyring>> {
        self.keys.borrow().clone()
    }

    fn ring(&self) -> Result<Rc<Keyring>, EngineError> {
        self.keyring().ok_or(EngineError::Keys(CryptoError::NoKey("the user's keys".into())))
    }

    /// Forgets the clock anchor, as a reload does.
    pub fn forget_anchor(&self) {
        self.anchor.set(None);
    }

    /// Takes note of the server's time, heard at monotonic time `heard`.
    fn learn_time(&self, server_ms: u64, heard: u64) {
        self.anchor.set(Some((server_ms, heard)));
    }

    /// Now in server time: measured on the monotonic clock since the server
    /// last told its time, so that a change of the wall clock does not move
    /// stamps; before that (a fresh start offline), the wall clock with the
    /// correction learned at the last sync.
    fn corrected_now(&self, state: &SyncState) -> u64 {
        match self.anchor.get() {
            Some((server_ms, at)) => server_ms + self.env.monotonic_ms().saturating_sub(at),
            None => (self.env.now_ms() as i64).saturating_add(state.clock_offset_ms).max(0) as u64,
        }
    }

    /// Observes a stamp from elsewhere unless it is from the future: a
    /// device with a fast clock must not drag this one ahead with it.
    fn observe(&self, state: &mut SyncState, seen: &Hlc) {
        if seen.ms() <= self.corrected_now(state) + MAX_CLOCK_AHEAD_MS {
            state.clock.observe(seen);
        }
    }

    pub fn new_record_id(&self) -> RecordId {
        let mut random = [0u8; 10];
        self.env.random_bytes(&mut random);
        RecordId::new_v7(self.env.now_ms(), random)
    }

    fn new_client_id(&self) -> ClientId {
        let mut random = [0u8; 8];
        self.env.random_bytes(&mut random);
        ClientId::from_random(random)
    }

    pub async fn state(&self) -> Result<Option<SyncState>, StoreError> {
        let mut tx = self.store.begin().await?;
        tx.state().await
    }

    /// Prepares the store for `user`: creates the sync state the first
    /// time. Refuses a store that holds someone else's data.
    pub async fn start(&self, user: &UserId) -> Result<SyncState, EngineError> {
        let mut tx = self.store.begin().await?;
        match tx.state().await? {
            Some(state) if state.user == *user => Ok(state),
            Some(_) => Err(EngineError::OtherUser),
            None => {
                let client = self.new_client_id();
                let state = SyncState {
                    user: user.clone(),
                    clock: Clock::new(client),
                    client,
                    next_seq: 1,
                    epoch: None,
                    cursor: None,
                    repair: false,
                    last_sync_ms: None,
                    clock_offset_ms: 0,
                    rejected: Vec::new(),
                    unreadable: Vec::new(),
                };
                tx.put_state(&state).await?;
                tx.commit().await?;
                Ok(state)
            }
        }
    }


    /// [`Self::start`] with the state already read, as the app reads it at
    /// start-up together with its other settings: a state that is there
    /// needs no transaction of its own. Without one, as `start`.
    pub async fn start_known(&self, user: &UserId, known: Option<SyncState>) -> Result<SyncState, EngineError> {
        match known {
            Some(state) if state.user == *user => Ok(state),
            Some(_) => Err(EngineError::OtherUser),
            None => self.start(user).await,
        }
    }

    /// Saves a local change and queues it, in one transaction. Returns the
    /// record as it now stands on this device.
    pub async fn change(&self, change: Change) -> Result<Record, EngineError> {
        let mut records = self.change_many(vec![change]).await?;
        records.pop().ok_or(EngineError::NoSuchRecord)
    }

    /// Saves several changes and queues them in one transaction: all of
    /// them or none (an import of a thousand entries is one write, not a
    /// thousand). A change that writes nothing new is left out.
    pub async fn change_many(&self, changes: Vec<Change>) -> Result<Vec<Record>, EngineError> {
        let mut tx = self.store.begin().await?;
        let mut state = tx.state().await?.ok_or(EngineError::NotStarted)?;
        let mut out = Vec::with_capacity(changes.len());
        for change in changes {
            let existing = tx.get(change.collection, &change.id).await?;
            match self.prepare(&mut state, change, existing)? {
                Prepared::Unchanged(record) => out.push(record),
                Prepared::Write(record, mutation) => {
                    state.next_seq += 1;
                    tx.put(record.clone()).await?;
                    tx.enqueue(&mutation).await?;
                    out.push(record);
                }
            }
        }
        tx.put_state(&state).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The mutation a change makes, and the record after it.
    fn prepare(&self, state: &mut SyncState, change: Change, existing: Option<Record>) -> Result<Prepared, EngineError> {
        if existing.as_ref().is_some_and(Record::is_deleted) && !matches!(change.kind, ChangeKind::Resolve { .. }) {
            return Err(EngineError::Deleted);
        }
        let t = state.clock.tick(self.corrected_now(state));
        let op = match change.kind {
            ChangeKind::Delete => Op::Delete { t },
            ChangeKind::Resolve { field, t: lost } => Op::Resolve { field, t: lost },
            ChangeKind::Put { visibility, fields, seen } => {
                let seen = seen.map(|s| *s).or_else(|| existing.clone());
                let unchanged_from = |r: &Option<Record>, name: &str, v: &Value| match r {
                    None => false,
                    Some(r) => r.fields.get(name).map_or(Value::Null, |s| s.v.clone()) == *v,
                };
                let visibility = visibility
                    .filter(|v| seen.as_ref().is_none_or(|r| r.visibility.v != *v))
                    .filter(|v| existing.as_ref().is_none_or(|r| r.visibility.v != *v))
                    .map(|v| Stamped::new(v, t));
                let fields: Vec<FieldWrite> = fields
                    .into_iter()
                    // Left as the author saw it: not theirs to write, so it
                    // cannot undo what another device wrote meanwhile. The
                    // value already there: writing it changes nothing.
                    .filter(|(name, v)| !unchanged_from(&seen, name, v) && !unchanged_from(&existing, name, v))
                    .map(|(field, v)| {
                        let base = seen.as_ref().and_then(|r| r.stamp(&field).cloned());
                        FieldWrite { field, v, t, base }
                    })
                    .collect();
                if visibility.is_none() && fields.is_empty() {
                    return existing.map(Prepared::Unchanged).ok_or(EngineError::NoSuchRecord);
                }
                Op::Put { visibility, fields }
            }
        };
        let mut mutation = Mutation { seq: state.next_seq, id: change.id, collection: change.collection, group: change.group, op };
        let schema = collections::schema(mutation.collection);
        mutation.validate(schema).map_err(EngineError::Invalid)?;
        if existing.as_ref().is_some_and(|r| r.group != mutation.group) {
            return Err(EngineError::Invalid(FieldError { path: "group".into(), message: "a record cannot move to another group".into() }));
        }
        if existing.is_none()
            && let Some(missing) = mutation.missing_required(schema)
        {
            return Err(EngineError::Invalid(missing));
        }
        // The outbox holds the values sealed; the device keeps them open
        // (sealed at rest by the app lock), with the record's keys beside
        // them as the server holds them.
        let sealed = self.seal(&mut mutation, existing.as_ref(), t)?;
        let record = match existing {
            Some(mut record) => {
                mutation.apply_to(&mut record, None);
                record
            }
            None => mutation.create(state.user.clone()).ok_or(EngineError::NoSuchRecord)?,
        };
        Ok(Prepared::Write(record, sealed))
    }

    /// A mutation made from the device's own open copy of a record (giving
    /// back what a restored server lost), sealed with the record's keys and
    /// its values' own stamps. `None` if the keys are not here.
    fn seal_copy(&self, mut m: Mutation, record: &Record) -> Option<Mutation> {
        let ring = self.keyring()?;
        let Op::Put { fields, .. } = &mut m.op else { return Some(m) };
        let t = fields.iter().map(|w| w.t).max().unwrap_or(*record.max_stamp());
        let keys = ring
            .seal_change(&EnvRandom(&self.env), m.collection, &m.id, &m.group, Some(record), record.visibility.v, false, fields, t)
            .ok()?;
        fields.extend(keys);
        Some(m)
    }

    /// After the group's keys changed (`SyncError::KeysChanged`, and the
    /// app has fetched the new ones): every queued change sealed again,
    /// under a key the group's current epoch wraps.
    pub async fn reseal_outbox(&self) -> Result<usize, EngineError> {
        let ring = self.ring()?;
        let mut tx = self.store.begin().await?;
        let mut count = 0;
        for mut m in tx.outbox(usize::MAX).await? {
            let Op::Put { fields, visibility } = &mut m.op else { continue };
            let Some(mut record) = tx.get(m.collection, &m.id).await? else { continue };
            let keys = ring.record_keys(&record);
            // Open what is queued, then seal it as a new change would be.
            let mut open: Vec<FieldWrite> = Vec::with_capacity(fields.len());
            for w in fields.iter().filter(|w| !crate::crypto::seal::is_key_field(&w.field)) {
                let v = crate::crypto::seal::open_value(&w.v, &|kid| keys.get(kid).cloned(), crate::crypto::seal::Place { collection: m.collection, record: &m.id, field: &w.field, stamp: &w.t })
                    .map_err(EngineError::Keys)?;
                open.push(FieldWrite { v, ..w.clone() });
            }
            let after = visibility.as_ref().map_or(record.visibility.v, |v| v.v);
            let t = open.iter().map(|w| w.t).chain(visibility.iter().map(|v| v.t)).max().unwrap_or(*record.max_stamp());
            // A queued share or unshare wraps the record's keys again for
            // its new readers, as it did when it was first sealed.
            let shares = visibility.is_some();
            let key_fields = ring
                .seal_change(&EnvRandom(&self.env), m.collection, &m.id, &m.group, Some(&record), after, shares, &mut open, t)
                .map_err(EngineError::Keys)?;
            for k in &key_fields {
                record.write(&k.field, k.v.clone(), k.t);
            }
            *fields = key_fields.into_iter().chain(open).collect();
            tx.put(record).await?;
            tx.enqueue(&m).await?;
            count += 1;
        }
        tx.commit().await?;
        Ok(count)
    }

    /// A queued (sealed) change with its values opened, with the keys it
    /// writes and those of `local` (the device's copy of its record). A
    /// value that does not open stays as it is.
    fn open_mutation(&self, m: &Mutation, local: Option<&Record>) -> Mutation {
        let (Some(ring), Op::Put { visibility, fields }) = (self.keyring(), &m.op) else { return m.clone() };
        let Some(t) = fields.iter().map(|w| w.t).chain(visibility.iter().map(|v| v.t)).max() else { return m.clone() };
        let mut holder = Record::new(m.id.clone(), m.collection, m.group.clone(), ring.user.clone(), Stamped::new(Visibility::Private, t));
        let known = local.into_iter().flat_map(|r| r.fields.iter()).map(|(name, s)| (name.as_str(), &s.v, s.t));
        for (name, v, t) in known.chain(fields.iter().map(|w| (w.field.as_str(), &w.v, w.t))) {
            if crate::crypto::seal::is_key_field(name) {
                holder.write(name, v.clone(), t);
            }
        }
        let keys = ring.record_keys(&holder);
        let opened = fields
            .iter()
            .map(|w| {
                let place = crate::crypto::seal::Place { collection: m.collection, record: &m.id, field: &w.field, stamp: &w.t };
                match crate::crypto::seal::is_key_field(&w.field) {
                    true => w.clone(),
                    false => FieldWrite { v: crate::crypto::seal::open_value(&w.v, &|kid| keys.get(kid).cloned(), place).unwrap_or_else(|_| w.v.clone()), ..w.clone() },
                }
            })
            .collect();
        Mutation { op: Op::Put { visibility: visibility.clone(), fields: opened }, ..m.clone() }
    }

    /// After this device's keys changed (fetched again after a rotation,
    /// a join, a re-admission): the queued changes sealed under the
    /// current keys, and, if anything pulled did not open, everything
    /// pulled again so that it opens now. Returns how many changes were
    /// sealed again.
    pub async fn keys_updated(&self) -> Result<usize, EngineError> {
        let resealed = self.reseal_outbox().await?;
        let mut tx = self.store.begin().await?;
        if let Some(mut state) = tx.state().await?
            && !state.unreadable.is_empty()
        {
            state.unreadable.clear();
            state.cursor = None;
            tx.put_state(&state).await?;
            tx.commit().await?;
        }
        Ok(resealed)
    }

    /// Seals a mutation's values: returns the sealed mutation to queue, and
    /// adds to `mutation` (the open one, for the device's own copy) the
    /// record key fields the sealed one writes.
    fn seal(&self, mutation: &mut Mutation, existing: Option<&Record>, t: Hlc) -> Result<Mutation, EngineError> {
        let (collection, id, group, seq) = (mutation.collection, mutation.id.clone(), mutation.group.clone(), mutation.seq);
        let Op::Put { visibility, fields } = &mut mutation.op else { return Ok(mutation.clone()) };
        let ring = self.ring()?;
        let after = visibility.as_ref().map(|v| v.v).or_else(|| existing.map(|r| r.visibility.v)).unwrap_or(Visibility::Private);
        let changes = visibility.is_some() && existing.is_some_and(|r| r.visibility.v != after);
        let mut sealed_fields = fields.clone();
        let key_fields = ring
            .seal_change(&EnvRandom(&self.env), collection, &id, &group, existing, after, changes, &mut sealed_fields, t)
            .map_err(EngineError::Keys)?;
        let sealed = Mutation {
            seq,
            id,
            collection,
            group,
            op: Op::Put { visibility: visibility.clone(), fields: key_fields.iter().cloned().chain(sealed_fields).collect() },
        };
        fields.splice(0..0, key_fields);
        Ok(sealed)
    }

    /// Number of changes not yet acknowledged by the server.
    pub async fn unsent(&self) -> Result<usize, StoreError> {
        let mut tx = self.store.begin().await?;
        tx.outbox_len().await
    }

    /// Forgets everything this device holds (sign-out, remote erase).
    pub async fn erase(&self) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        tx.clear().await?;
        tx.commit().await
    }

    /// Pushes every queued change, then pulls everything new.
    pub async fn sync(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        // A restart happens after a reset (new epoch, horizon, access); two
        // in a row would mean the server keeps changing under us.
        let mut resealed = false;
        for _ in 0..4 {
            match self.push_all(&mut report).await {
                Ok(()) => {}
                Err(Step::Restart) => continue,
                Err(Step::Fail(SyncError::KeysChanged)) if !resealed => {
                    // Sealed for readers the record no longer has (it was
                    // shared or made private on another device): learn how
                    // the records stand, seal the queue again, send again.
                    // Still refused after that, the keys themselves are
                    // behind: the app fetches them (`keys_updated`).
                    resealed = true;
                    match self.pull_all(&mut report).await {
                        Ok(()) | Err(Step::Restart) => {}
                        Err(Step::Fail(e)) => return Err(e),
                    }
                    self.reseal_outbox().await.map_err(|e| match e {
                        EngineError::Store(e) => SyncError::Store(e),
                        _ => SyncError::KeysChanged,
                    })?;
                    continue;
                }
                Err(Step::Fail(e)) => return Err(e),
            }
            match self.pull_all(&mut report).await {
                Ok(()) => {}
                Err(Step::Restart) => continue,
                Err(Step::Fail(e)) => return Err(e),
            }
            let mut tx = self.store.begin().await?;
            if let Some(mut state) = tx.state().await? {
                state.last_sync_ms = Some(self.env.now_ms());
                tx.put_state(&state).await?;
                tx.commit().await?;
            }
            return Ok(report);
        }
        Err(SyncError::Server("the server asked to start over too many times".into()))
    }

    async fn push_all(&self, report: &mut SyncReport) -> Result<(), Step> {
        loop {
            let (state, batch) = {
                let mut tx = self.store.begin().await?;
                let state = tx.state().await?.ok_or(Step::Fail(SyncError::NotStarted))?;
                let batch = tx.outbox(PUSH_BATCH).await?;
                (state, batch)
            };
            let Some(first_seq) = batch.first().map(|m| m.seq) else { return Ok(()) };
            let request = PushRequest {
                schema: crate::SCHEMA_VERSION,
                client: state.client,
                epoch: state.epoch.clone(),
                mutations: batch,
            };
            let sent = self.env.monotonic_ms();
            let response = match self.transport.push(&request).await {
                Ok(r) => r,
                Err(TransportError::Api { body, .. }) if body.error == ErrorCode::EpochChanged => {
                    self.adopt_new_stream(true).await?;
                    return Err(Step::Restart);
                }
                Err(TransportError::Api { body, .. }) if body.error == ErrorCode::KeysChanged => {
                    return Err(Step::Fail(SyncError::KeysChanged));
                }
                Err(TransportError::Api { body, .. }) if body.error == ErrorCode::ClockAhead => {
                    let Some(server_ms) = body.server_ms else {
                        return Err(Step::Fail(SyncError::Server("clock_ahead without the server's time".into())));
                    };
                    self.learn_time(server_ms, midpoint(sent, self.env.monotonic_ms()));
                    report.restamped += self.restamp().await?;
                    return Err(Step::Restart);
                }
                Err(e) => return Err(Step::Fail(map_transport(e))),
            };
            let heard = self.env.monotonic_ms();
            let mut tx = self.store.begin().await?;
            let mut state = tx.state().await?.ok_or(Step::Fail(SyncError::NotStarted))?;
            if state.client != request.client {
                // Another tab started a new stream meanwhile; its sync owns it.
                return Err(Step::Restart);
            }
            if response.acks.is_empty() {
                if first_seq > response.next_seq {
                    // The server lost mutations it had acknowledged without
                    // changing its epoch: start a new stream and repair.
                    drop(tx);
                    self.adopt_new_stream(true).await?;
                    return Err(Step::Restart);
                }
                return Err(Step::Fail(SyncError::Server("the server acknowledged nothing".into())));
            }
            for ack in &response.acks {
                let Some(mutation) = request.mutations.iter().find(|m| m.seq == ack.seq) else { continue };
                tx.dequeue(ack.seq).await?;
                report.pushed += 1;
                if let AckResult::Rejected { error, field, message, current } = &ack.result {
                    report.rejected += 1;
                    // The server's copy, opened; what does not open is left out.
                    let current = match (current.as_deref(), self.keyring()) {
                        (Some(r), Some(ring)) => Some(ring.open_record(r).0),
                        _ => None,
                    };
                    let local = tx.get(mutation.collection, &mutation.id).await?;
                    let pending: Vec<Mutation> = tx
                        .outbox(usize::MAX)
                        .await?
                        .into_iter()
                        .filter(|m| m.id == mutation.id && m.seq != mutation.seq)
                        .map(|m| self.open_mutation(&m, local.as_ref()))
                        .collect();
                    restore_rejected(&mut tx, mutation, &pending, current.as_ref()).await?;
                    // The log keeps what the person wrote, readable.
                    state.rejected.push(Rejected {
                        mutation: self.open_mutation(mutation, local.as_ref()),
                        error: *error,
                        field: field.clone(),
                        message: message.clone(),
                        at_ms: self.env.now_ms(),
                    });
                    let excess = state.rejected.len().saturating_sub(REJECTED_LOG);
                    state.rejected.drain(..excess);
                }
            }
            state.epoch = Some(response.epoch.clone());
            self.learn_time(response.server_ms, midpoint(sent, heard));
            state.clock_offset_ms = offset(response.server_ms, self.env.now_ms());
            tx.put_state(&state).await?;
            tx.commit().await?;
        }
    }

    /// After the server said this device's stamps are ahead of its clock:
    /// moves every queued stamp from the future back by the clock's error
    /// (the wall clock with its last correction, minus the server's time
    /// now), so that each change keeps the moment it was really made — an
    /// edit made elsewhere after it still wins — and the device's own
    /// changes keep their order. The local records get the same stamps.
    /// Returns how many stamps changed.
    async fn restamp(&self) -> Result<usize, StoreError> {
        let mut tx = self.store.begin().await?;
        let Some(mut state) = tx.state().await? else { return Ok(0) };
        let now = self.corrected_now(&state);
        let by_wall = (self.env.now_ms() as i64).saturating_add(state.clock_offset_ms).max(0) as u64;
        let error = by_wall.saturating_sub(now);
        let queued = tx.outbox(usize::MAX).await?;
        let stamps = |m: &Mutation| -> Vec<Hlc> {
            match &m.op {
                Op::Put { visibility, fields } => visibility.iter().map(|v| v.t).chain(fields.iter().map(|w| w.t)).collect(),
                Op::Delete { t } => vec![*t],
                Op::Resolve { .. } => Vec::new(),
            }
        };
        let mut future: Vec<Hlc> = queued.iter().flat_map(stamps).filter(|t| t.ms() > now).collect();
        crate::base::order::sort_dedup(&mut future);
        if future.is_empty() {
            return Ok(0);
        }
        // New stamps rise with the old ones and stay above what is kept.
        let kept = queued.iter().flat_map(stamps).filter(|t| t.ms() <= now).max();
        let mut previous = kept.map(|k| (k.ms(), k.counter()));
        let mut renamed: HashMap<Hlc, Hlc> = HashMap::new();
        for old in future {
            let mut next = (old.ms().saturating_sub(error).min(now), old.counter());
            if let Some(p) = previous
                && next <= p
            {
                next = if p.1 == u16::MAX { (p.0 + 1, 0) } else { (p.0, p.1 + 1) };
            }
            previous = Some(next);
            renamed.insert(old, Hlc::new(next.0, next.1, state.client));
        }
        if let Some((ms, counter)) = previous {
            state.clock.rewind(ms, counter);
        }
        let map = |t: &Hlc| renamed.get(t).copied().unwrap_or(*t);
        let mut touched: Vec<(Collection, RecordId)> = Vec::new();
        let ring = self.keyring();
        for mut m in queued {
            // A sealed value is bound to its stamp: a new stamp, a new seal.
            let keys = match (&ring, &m.op) {
                (Some(ring), Op::Put { .. }) => tx.get(m.collection, &m.id).await?.map(|r| ring.record_keys(&r)).unwrap_or_default(),
                _ => Default::default(),
            };
            match &mut m.op {
                Op::Put { visibility, fields } => {
                    if let Some(v) = visibility {
                        v.t = map(&v.t);
                    }
                    for w in fields {
                        let new = map(&w.t);
                        if new != w.t
                            && let Some(ring) = &ring
                            && let Ok(v) = ring.reseal(&EnvRandom(&self.env), m.collection, &m.id, &keys, &w.field, &w.v, &w.t, &new)
                        {
                            w.v = v;
                        }
                        w.t = new;
                        w.base = w.base.as_ref().map(map);
                    }
                }
                Op::Delete { t } => *t = map(t),
                Op::Resolve { .. } => continue,
            }
            if !touched.contains(&(m.collection, m.id.clone())) {
                touched.push((m.collection, m.id.clone()));
            }
            tx.enqueue(&m).await?;
        }
        for (collection, id) in touched {
            let Some(mut record) = tx.get(collection, &id).await? else { continue };
            record.visibility.t = map(&record.visibility.t);
            record.deleted = record.deleted.as_ref().map(map);
            for field in record.fields.values_mut() {
                field.t = map(&field.t);
            }
            tx.put(record).await?;
        }
        tx.put_state(&state).await?;
        tx.commit().await?;
        Ok(renamed.len())
    }

    async fn pull_all(&self, report: &mut SyncReport) -> Result<(), Step> {
        let (state, mut held) = {
            let mut tx = self.store.begin().await?;
            let state = tx.state().await?.ok_or(Step::Fail(SyncError::NotStarted))?;
            // On a full pull the ids this device holds are known: those at
            // the start plus what the pull writes. A record made on the
            // device meanwhile cannot be in a page: it reaches the server
            // only by a push, and pushes run under the same sync lock as
            // this pull. So only ids in the set are read back before the
            // merge; on a first pull, none are (10,000 reads saved).
            let held: Option<HashSet<RecordId>> = match state.cursor {
                None => Some(tx.ids().await?.into_iter().map(|(_, id)| id).collect()),
                Some(_) => None,
            };
            (state, held)
        };
        let has_records = held.as_ref().is_some_and(|h| !h.is_empty());
        let full = state.cursor.is_none();
        let repair = state.repair;
        // A full pull over existing records (a resync) ends with a sweep of
        // what it did not see. It keeps the saved cursor at `None` until it
        // completes, so that if it is interrupted it starts over instead of
        // resuming without knowing what the earlier pages held.
        let sweeping = full && (has_records || repair);
        let saved_cursor = state.cursor.clone();
        let mut cursor = state.cursor.clone();
        let mut seen: HashSet<RecordId> = HashSet::new();
        let mut fetched: Option<Fetched> = None;
        // One keyring for the whole pull: what does not open under it is
        // kept aside, and pulled again once new keys are fetched.
        let ring = self.ring().map_err(|e| Step::Fail(SyncError::Server(e.to_string())))?;
        loop {
            let (page, sent, heard) = match fetched.take() {
                Some(f) => f,
                None => self.fetch(&ring, cursor.as_deref()).await,
            };
            let page = match page {
                Ok(page) => page,
                Err(TransportError::Api { body, .. }) if body.error == ErrorCode::Resync => {
                    if body.reason == Some(ResyncReason::Epoch) {
                        self.adopt_new_stream(true).await?;
                    } else {
                        self.forget_cursor().await?;
                    }
                    report.resynced = true;
                    return Err(Step::Restart);
                }
                Err(e) => return Err(Step::Fail(map_transport(e))),
            };
            self.learn_time(page.server_ms, midpoint(sent, heard));
            let Page { epoch, records, removed, cursor: page_cursor, more, server_ms } = page;
            // The next page is on its way while this one is written, and is
            // opened as soon as it comes: the server's and the network's
            // time, and the opening, overlap the store's. It is used only
            // once this page has committed; if this page fails, it is
            // dropped, and the cursor has not moved past this one.
            let next = async {
                match more {
                    true => Some(self.fetch(&ring, Some(&page_cursor)).await),
                    false => None,
                }
            };
            let apply = async {
                let mut tx = self.store.begin().await?;
                let mut state = tx.state().await?.ok_or(Step::Fail(SyncError::NotStarted))?;
                let expected = if sweeping { &saved_cursor } else { &cursor };
                if state.cursor != *expected {
                    // Another tab moved the cursor; its pull covers this page.
                    return Err(Step::Restart);
                }
                // Removals first: a record in the same page is its newer state
                // (made visible again), and must win.
                for gone in &removed {
                    for collection in Collection::ALL {
                        tx.remove(collection, gone).await?;
                    }
                    report.removed += 1;
                }
                let mut latest: Option<Hlc> = None;
                let mut locals: Vec<Option<Record>> = vec![None; records.len()];
                let wanted: Vec<usize> =
                    (0..records.len()).filter(|&i| held.as_ref().is_none_or(|h| h.contains(&records[i].0.id))).collect();
                if !wanted.is_empty() {
                    let keys: Vec<(Collection, RecordId)> =
                        wanted.iter().map(|&i| (records[i].0.collection, records[i].0.id.clone())).collect();
                    for (i, found) in wanted.into_iter().zip(tx.get_many(&keys).await?) {
                        locals[i] = found;
                    }
                }
                // The page's records, opened, move into the store: 10,000
                // records are not copied on their way in. What did not
                // open is kept aside and said.
                for ((theirs, unreadable), local) in records.into_iter().zip(locals) {
                    let nothing_read = !unreadable.is_empty() && !theirs.is_deleted() && !theirs.fields.iter().any(|(name, _)| !crate::crypto::seal::is_key_field(name));
                    // What did not open before and opens now is no longer said.
                    state.unreadable.retain(|u| u.id != theirs.id);
                    note_unreadable(&mut state, unreadable);
                    if local.is_none() && nothing_read {
                        // A record of which nothing opens is not shown as
                        // an empty one.
                        if sweeping {
                            seen.insert(theirs.id.clone());
                        }
                        continue;
                    }
                    if sweeping {
                        seen.insert(theirs.id.clone());
                    }
                    let stamp = theirs.max_stamp();
                    if latest.as_ref().is_none_or(|l| stamp > l) {
                        latest = Some(*stamp);
                    }
                    let merged = match local {
                        Some(mut ours) => {
                            // After a restore, give back what the server lost. If
                            // this user may not write the record, the server
                            // rejects the repair and its copy stands.
                            if repair && let Some(m) = repair_mutation(&ours, &theirs, state.next_seq).and_then(|m| self.seal_copy(m, &ours)) {
                                tx.enqueue(&m).await?;
                                state.next_seq += 1;
                            }
                            if ours.merge_from_server(&theirs).is_err() {
                                // Not the same record after all (an id reused by a
                                // restored server): the server's copy is the truth.
                                ours = theirs;
                            }
                            ours
                        }
                        None => theirs,
                    };
                    if let Some(held) = held.as_mut() {
                        held.insert(merged.id.clone());
                    }
                    tx.put(merged).await?;
                    report.pulled += 1;
                }
                if let Some(latest) = &latest {
                    self.observe(&mut state, latest);
                }
                if !sweeping || !more {
                    state.cursor = Some(page_cursor.clone());
                }
                state.epoch = Some(epoch);
                state.clock_offset_ms = offset(server_ms, self.env.now_ms());
                if sweeping && !more {
                    self.sweep(&mut tx, &mut state, &seen, repair).await?;
                    state.repair = false;
                }
                tx.put_state(&state).await?;
                tx.commit().await?;
                Ok::<(), Step>(())
            };
            let ((), next) = both_unless_failed(apply, next).await?;
            match next {
                Some(next) => fetched = Some(next),
                None => return Ok(()),
            }
            cursor = Some(page_cursor);
        }
    }

    /// One page after `cursor`, its records opened, with when it was asked
    /// for and when it came (monotonic ms), for learning the server's time.
    async fn fetch(&self, ring: &Keyring, cursor: Option<&str>) -> Fetched {
        let sent = self.env.monotonic_ms();
        let page = self.transport.pull(cursor, PULL_LIMIT).await;
        let heard = self.env.monotonic_ms();
        let page = page.map(|p| Page {
            epoch: p.epoch,
            records: p.records.iter().map(|r| ring.open_record(r)).collect(),
            removed: p.removed,
            cursor: p.cursor,
            more: p.more,
            server_ms: p.server_ms,
        });
        (page, sent, heard)
    }

    /// After a full pull: drop local records the server no longer has for
    /// us, except those with changes still to send. In repair mode our own
    /// records the server lost are queued again instead.
    async fn sweep(&self, tx: &mut S::Tx<'_>, state: &mut SyncState, seen: &HashSet<RecordId>, repair: bool) -> Result<(), StoreError> {
        let pending: HashSet<RecordId> = tx.outbox(usize::MAX).await?.into_iter().map(|m| m.id).collect();
        for (collection, id) in tx.ids().await? {
            if seen.contains(&id) || pending.contains(&id) {
                continue;
            }
            let Some(record) = tx.get(collection, &id).await? else { continue };
            if let Some(t) = &record.deleted {
                // Tombstones stay: they are small, and if the server ever
                // goes back to a backup from before the delete, they are what
                // deletes the record again (here, or in `repair_mutation`).
                if repair {
                    let m = Mutation { seq: state.next_seq, id: record.id.clone(), collection, group: record.group.clone(), op: Op::Delete { t: *t } };
                    tx.enqueue(&m).await?;
                    state.next_seq += 1;
                }
                continue;
            }
            if repair && record.owner == state.user {
                let Some(m) = self.seal_copy(recreate_mutation(&record, state.next_seq), &record) else { continue };
                tx.enqueue(&m).await?;
                state.next_seq += 1;
            } else {
                tx.remove(collection, &id).await?;
            }
        }
        Ok(())
    }

    async fn forget_cursor(&self) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        if let Some(mut state) = tx.state().await? {
            state.cursor = None;
            tx.put_state(&state).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Starts a new mutation stream under a new client id (the server's
    /// record of the old one is gone), renumbering what is queued, and
    /// pulls everything again, giving back what the server lost.
    async fn adopt_new_stream(&self, repair: bool) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        let Some(mut state) = tx.state().await? else { return Ok(()) };
        let client = self.new_client_id();
        state.clock.set_node(client);
        state.client = client;
        let queued = tx.outbox(usize::MAX).await?;
        for m in &queued {
            tx.dequeue(m.seq).await?;
        }
        // The new server may lack records that pending edits apply to (a
        // restored backup): before the first pending edit of each of our own
        // live records, send the whole record, with its original stamps.
        let mut renumbered: Vec<Mutation> = Vec::with_capacity(queued.len());
        let mut recreated: HashSet<RecordId> = HashSet::new();
        for m in queued {
            if matches!(m.op, Op::Put { .. }) && !recreated.contains(&m.id) {
                recreated.insert(m.id.clone());
                if let Some(record) = tx.get(m.collection, &m.id).await?
                    && record.owner == state.user && !record.is_deleted()
                {
                    if let Some(m) = self.seal_copy(recreate_mutation(&record, 0), &record) {
                        renumbered.push(m);
                    }
                }
            }
            renumbered.push(m);
        }
        for (i, m) in renumbered.into_iter().enumerate() {
            tx.enqueue(&Mutation { seq: i as u64 + 1, ..m }).await?;
        }
        state.next_seq = tx.outbox_len().await? as u64 + 1;
        state.epoch = None;
        state.cursor = None;
        state.repair = repair;
        tx.put_state(&state).await?;
        tx.commit().await
    }
}

fn offset(server_ms: u64, local_ms: u64) -> i64 {
    server_ms as i64 - local_ms as i64
}

/// A pull page as it came, with when it was asked for and when it came.
type Fetched = (Result<Page, TransportError>, u64, u64);

/// A pulled page with its records opened: each with what of it did not
/// open.
struct Page {
    epoch: String,
    records: Vec<(Record, Vec<Unreadable>)>,
    removed: Vec<RecordId>,
    cursor: String,
    more: bool,
    server_ms: u64,
}

/// Runs `a` and `b` at once on the caller's task and gives both outputs,
/// or `a`'s error as soon as it fails (`b` is then dropped). The engine is
/// single-threaded (one browser tab): this is how a network wait overlaps
/// a store wait.
async fn both_unless_failed<T, E, A, B>(a: A, b: B) -> Result<(T, B::Output), E>
where
    A: Future<Output = Result<T, E>>,
    B: Future,
{
    use std::task::Poll;
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut done_a, mut done_b) = (None, None);
    std::future::poll_fn(|cx| {
        if done_a.is_none() {
            match a.as_mut().poll(cx) {
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(out)) => done_a = Some(out),
                Poll::Pending => {}
            }
        }
        if done_b.is_none()
            && let Poll::Ready(out) = b.as_mut().poll(cx)
        {
            done_b = Some(out);
        }
        match (done_a.take(), done_b.take()) {
            (Some(a), Some(b)) => Poll::Ready(Ok((a, b))),
            (a, b) => {
                (done_a, done_b) = (a, b);
                Poll::Pending
            }
        }
    })
    .await
}

/// The moment a server's answer was most likely written: halfway through
/// the exchange.
fn midpoint(sent: u64, heard: u64) -> u64 {
    sent + heard.saturating_sub(sent) / 2
}

fn map_transport(e: TransportError) -> SyncError {
    match e {
        TransportError::Network(m) => SyncError::Offline(m),
        TransportError::Decode(m) => SyncError::Server(m),
        TransportError::Api { status, body } => match body.error {
            ErrorCode::Unauthenticated | ErrorCode::SessionExpired => SyncError::SignedOut,
            ErrorCode::DeviceRevoked => SyncError::DeviceRevoked(body.detail.unwrap_or_default()),
            ErrorCode::ClientOutdated => SyncError::Outdated,
            ErrorCode::ServerFull => SyncError::ServerFull,
            _ if status >= 500 || status == 0 => SyncError::Offline(body.message),
            _ => SyncError::Server(body.message),
        },
    }
}

/// How many unreadable values the device remembers to say.
const UNREADABLE_LOG: usize = 100;

/// Notes values that did not open, each once (the newest kept).
fn note_unreadable(state: &mut SyncState, found: Vec<Unreadable>) {
    for u in found {
        state.unreadable.retain(|x| !(x.id == u.id && x.field == u.field));
        state.unreadable.push(u);
    }
    let excess = state.unreadable.len().saturating_sub(UNREADABLE_LOG);
    state.unreadable.drain(..excess);
}

/// After a rejection the server's copy is the truth, with this device's
/// other pending changes to the same record (`pending`, opened) laid on
/// top again.
async fn restore_rejected<X: StoreTx>(tx: &mut X, rejected: &Mutation, pending: &[Mutation], current: Option<&Record>) -> Result<(), StoreError> {
    match current {
        Some(current) => {
            let mut record = current.clone();
            for m in pending {
                m.apply_to(&mut record, None);
            }
            tx.put(record).await
        }
        None => tx.remove(rejected.collection, &rejected.id).await,
    }
}

/// What our copy has that the server's lacks (newer stamps), as a
/// mutation keeping the original stamps.
fn repair_mutation(ours: &Record, theirs: &Record, seq: u64) -> Option<Mutation> {
    if ours.is_deleted() && !theirs.is_deleted() {
        let t = ours.deleted?;
        return Some(Mutation { seq, id: ours.id.clone(), collection: ours.collection, group: ours.group.clone(), op: Op::Delete { t } });
    }
    if ours.is_deleted() || theirs.is_deleted() {
        return None;
    }
    let fields: Vec<FieldWrite> = ours
        .fields
        .iter()
        .filter(|(name, s)| theirs.fields.get(*name).is_none_or(|t| s.t > t.t))
        .map(|(name, s)| FieldWrite { field: name.clone(), v: s.v.clone(), t: s.t, base: theirs.stamp(name).cloned() })
        .collect();
    let visibility = (ours.visibility.t > theirs.visibility.t).then(|| ours.visibility.clone());
    if fields.is_empty() && visibility.is_none() {
        return None;
    }
    Some(Mutation { seq, id: ours.id.clone(), collection: ours.collection, group: ours.group.clone(), op: Op::Put { visibility, fields } })
}

/// The whole (live) record as one creating mutation, original stamps kept.
/// Each field claims to have seen what it replaced (`base` = its own
/// stamp), so that a server holding an older value does not keep that as a
/// conflict.
fn recreate_mutation(record: &Record, seq: u64) -> Mutation {
    let op = Op::Put {
        visibility: Some(record.visibility.clone()),
        fields: record
            .fields
            .iter()
            .map(|(name, s)| FieldWrite { field: name.clone(), v: s.v.clone(), t: s.t, base: Some(s.t) })
            .collect(),
    };
    Mutation { seq, id: record.id.clone(), collection: record.collection, group: record.group.clone(), op }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;

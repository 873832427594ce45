//! The browser store: records, outbox and settings in IndexedDB, behind the
//! sync engine's `Store` trait.
//!
//! Layout (database `nimo`, version 2):
//! - one object store per collection (`contact`, `window`, …), key `id`,
//!   value `{id, v}`: `v` is the record's JSON, sealed when the app lock is
//!   on. The screens keep every record of the group in memory and filter
//!   there, so no index is needed (version 1's `day`, `open`, `follow`, `g`
//!   indexes were never read and are dropped);
//! - `outbox`, key `seq`, value `{seq, v}` (the mutation, sealed likewise);
//! - `meta`, key `k`, value `{k, v}`: sync state, who is signed in, drafts
//!   (sealed) and the lock's own configuration (not sealed: it is how to
//!   unlock).
//!
//! JSON goes through `super::json` (records, mutations and the sync state
//! read and written by hand, `nimo_core::sync::wire`).

use std::cell::RefCell;

use js_sys::{JsString, Promise, Uint8Array};
use nimo_core::sync::client::{Store, StoreError, StoreTx, SyncState};
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::protocol::Mutation;
use nimo_core::sync::record::Record;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbTransaction};

use super::crypt::Cipher;
use super::idb::{self, IdbError, Tx};
use super::js;
use super::json;
use super::utf8::Utf8Reader;

const DB_NAME: &str = "nimo";
const DB_VERSION: u32 = 2;
pub const META: &str = "meta";
pub const OUTBOX: &str = "outbox";
/// The sync state's key in `meta` (read with the other settings at start-up).
pub const STATE_KEY: &str = "state";

fn store_error(e: IdbError) -> StoreError {
    match e {
        IdbError::Quota => StoreError::QuotaExceeded,
        IdbError::Unavailable(m) | IdbError::Other(m) => StoreError::Other(m),
    }
}

fn all_stores() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Collection::ALL.iter().map(|c| c.id()).collect();
    names.push(OUTBOX);
    names.push(META);
    names
}

fn create(db: &IdbDatabase, name: &str, key: &str) {
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&JsValue::from_str(key));
    let _ = db.create_object_store_with_optional_parameters(name, &params);
}

/// Creates what is missing (every store at first; a new collection's store
/// later) and drops the unused indexes of version 1.
fn upgrade(db: &IdbDatabase, tx: &IdbTransaction, old: u32) {
    let existing = js::get(db, "objectStoreNames");
    let has = |name: &str| existing.as_ref().and_then(|list| js::call(list, "contains", &[JsValue::from_str(name)])).and_then(Result::ok).is_some_and(|v| v.is_truthy());
    for name in all_stores() {
        if !has(name) {
            let key = match name {
                OUTBOX => "seq",
                META => "k",
                _ => "id",
            };
            create(db, name, key);
        }
    }
    if old == 1 {
        for c in Collection::ALL {
            if let Ok(store) = tx.object_store(c.id()) {
                for index in ["day", "open", "follow", "g"] {
                    let _ = store.delete_index(index);
                }
            }
        }
    }
}

/// A committed write: the record as stored, or `None` if it was removed.
pub type Written = (Collection, RecordId, Option<Record>);

/// The reads of [`IdbStore::begin_load`], placed and not yet answered.
pub struct PendingLoad {
    source: Source,
}

enum Source {
    /// Placed by the app on its own transaction.
    Placed(Placed),
    /// boot.js's first read (`FirstRead::records`), of every collection.
    First(JsValue),
}

struct Placed {
    /// Held until the answers are in: a `Tx` dropped early aborts, which
    /// is what an unfinished load should do.
    tx: Tx,
    answers: Vec<wasm_bindgen_futures::JsFuture>,
    unsent: wasm_bindgen_futures::JsFuture,
}

impl PendingLoad {
    /// The records of each collection, in the order asked (every
    /// collection, for boot.js's read), and the count of unsent changes.
    /// Sealed records are opened with the store's key as it is now: finish
    /// once the lock is open.
    pub async fn finish(self, store: &IdbStore) -> Result<(Vec<Vec<Record>>, usize), StoreError> {
        let placed = match self.source {
            Source::Placed(placed) => placed,
            Source::First(promise) => {
                let read = JsFuture::from(Promise::resolve(&promise)).await.ok();
                match read.as_ref().and_then(first_read_parts) {
                    Some((all, unsent)) => {
                        let out = all.iter().map(|all| store.parse_records(all)).collect::<Result<_, _>>()?;
                        return Ok((out, unsent));
                    }
                    // boot.js's transaction failed, or did not read every
                    // collection: read again, now.
                    None => store.place_load(&Collection::ALL)?,
                }
            }
        };
        let Placed { tx, answers, unsent } = placed;
        let js_error = |e: JsValue| store_error(IdbError::from_js(&e));
        let mut out = Vec::with_capacity(answers.len());
        for answer in answers {
            out.push(store.parse_records(&answer.await.map_err(js_error)?)?);
        }
        let unsent = unsent.await.map_err(js_error)?.as_f64().unwrap_or(0.0) as usize;
        drop(tx);
        Ok((out, unsent))
    }
}

/// boot.js's read of the records (see [`FirstRead`]): each collection's
/// stored records in `Collection::ALL`'s order, and the count of unsent
/// changes; `None` unless every collection is there.
fn first_read_parts(read: &JsValue) -> Option<(Vec<JsValue>, usize)> {
    let stores = js::get(read, "stores")?;
    let all = Collection::ALL.iter().map(|c| js::get(&stores, c.id())).collect::<Option<Vec<_>>>()?;
    let unsent = js::get(read, "unsent").and_then(|n| n.as_f64()).unwrap_or(0.0) as usize;
    Some((all, unsent))
}

/// What boot.js read on its connection while the WebAssembly was fetched
/// and compiled (`firstRead` in public/boot.js), in one read-only
/// transaction: `meta`, a promise of every setting as stored, by key, told
/// first;
/// `records`, a promise of `{stores: {collection: [stored record]},
/// unsent}`, told when all is in. Either resolves to `null` if its read
/// failed. Each is taken once, by the start (`state::session::boot`): a
/// snapshot that old is right only before anything has reached the cache.
struct FirstRead {
    meta: Option<JsValue>,
    records: Option<JsValue>,
}

/// Told, after each committed transaction, what that transaction wrote.
pub type OnCommit = Box<dyn Fn(Vec<Written>)>;

pub struct IdbStore {
    db: IdbDatabase,
    first_read: RefCell<FirstRead>,
    cipher: RefCell<Option<Cipher>>,
    /// The screens' cache listens here: each committed transaction hands it
    /// its own records as written, so the cache never reads them back and
    /// no transaction's records can be taken by another's reader.
    on_commit: RefCell<Option<OnCommit>>,
}

impl IdbStore {
    pub async fn open() -> Result<Self, StoreError> {
        let idb::Opened { db, first_read } = idb::open(DB_NAME, DB_VERSION, upgrade).await.map_err(store_error)?;
        let part = |name: &str| first_read.as_ref().and_then(|r| js::get(r, name));
        let first_read = RefCell::new(FirstRead { meta: part("meta"), records: part("records") });
        Ok(Self { db, first_read, cipher: RefCell::new(None), on_commit: RefCell::new(None) })
    }

    pub fn set_cipher(&self, cipher: Option<Cipher>) {
        *self.cipher.borrow_mut() = cipher;
    }

    /// Sets the listener of committed writes.
    pub fn on_commit(&self, listener: OnCommit) {
        *self.on_commit.borrow_mut() = Some(listener);
    }

    fn seal(&self, plaintext: &str) -> JsValue {
        match &*self.cipher.borrow() {
            Some(c) => Uint8Array::from(c.seal(plaintext.as_bytes()).as_slice()).into(),
            None => JsValue::from_str(plaintext),
        }
    }

    fn open_value(&self, v: &JsValue) -> Result<String, StoreError> {
        if let Some(s) = v.as_string() {
            return Ok(s);
        }
        self.open_sealed(v)
    }

    /// A value stored sealed (the app lock's key is needed).
    fn open_sealed(&self, v: &JsValue) -> Result<String, StoreError> {
        let bytes = v.dyn_ref::<Uint8Array>().ok_or_else(|| StoreError::Other("unreadable value".into()))?.to_vec();
        let cipher = self.cipher.borrow();
        let cipher = cipher.as_ref().ok_or_else(|| StoreError::Other("locked".into()))?;
        let plain = cipher.open(&bytes).map_err(|_| StoreError::Other("cannot decrypt".into()))?;
        String::from_utf8(plain).map_err(|_| StoreError::Other("not text".into()))
    }

    fn record_value(&self, r: &Record) -> JsValue {
        js::object(&[("id", JsValue::from_str(r.id.as_str())), ("v", self.seal(&json::encode(r)))]).into()
    }

    fn parse_record(&self, stored: &JsValue) -> Result<Record, StoreError> {
        self.parse_stored(stored, &JsValue::from_str("v"), &mut Utf8Reader::new())
    }

    /// `key`: the JavaScript string `"v"`, made once by a caller that reads
    /// many (each made anew is a trip through the `TextDecoder`); `text`:
    /// the buffer a record stored in the clear is read into.
    fn parse_stored(&self, stored: &JsValue, key: &JsValue, text: &mut Utf8Reader) -> Result<Record, StoreError> {
        let v = js::get_by(stored, key).ok_or_else(|| StoreError::Other("record without value".into()))?;
        let parsed = match v.dyn_ref::<JsString>() {
            Some(clear) => nimo_core::sync::wire::record_from_json(text.read(clear).ok_or_else(|| StoreError::Other("not text".into()))?),
            None => nimo_core::sync::wire::record_from_json(&self.open_sealed(&v)?),
        };
        parsed.map_err(|e| StoreError::Other(e.0))
    }

    /// A `getAll`'s answer: an array of stored records.
    fn parse_records(&self, all: &JsValue) -> Result<Vec<Record>, StoreError> {
        let array: &js_sys::Array = all.dyn_ref().ok_or_else(|| StoreError::Other("getAll".into()))?;
        let key = JsValue::from_str("v");
        let mut text = Utf8Reader::new();
        let mut records = Vec::with_capacity(array.length() as usize);
        for v in array.iter() {
            records.push(self.parse_stored(&v, &key, &mut text)?);
        }
        Ok(records)
    }

    /// Every record of a collection (tombstones included).
    pub async fn load(&self, collection: Collection) -> Result<Vec<Record>, StoreError> {
        Ok(self.load_many(&[collection]).await?.0.pop().unwrap_or_default())
    }

    /// Every record of each collection (tombstones included), and how many
    /// changes wait in the outbox, in one transaction: the reads are placed
    /// together and answered together, not one turn of the store per
    /// collection (opening the app reads all eight), and the count belongs
    /// to the same snapshot as the records.
    pub async fn load_many(&self, collections: &[Collection]) -> Result<(Vec<Vec<Record>>, usize), StoreError> {
        self.begin_load(collections)?.finish(self).await
    }

    /// Places [`Self::load_many`]'s reads now and leaves the answers to
    /// [`PendingLoad::finish`]: at start-up the store reads the records
    /// while the settings are read and looked at. Nothing is parsed (or
    /// opened with the lock's key) until then; dropped, it reads nothing
    /// more.
    pub fn begin_load(&self, collections: &[Collection]) -> Result<PendingLoad, StoreError> {
        Ok(PendingLoad { source: Source::Placed(self.place_load(collections)?) })
    }

    /// The start's load of every collection: boot.js's first read if it
    /// made one (taken once), else [`Self::begin_load`]'s.
    pub fn begin_first_load(&self) -> Result<PendingLoad, StoreError> {
        let first = self.first_read.borrow_mut().records.take();
        match first {
            Some(read) => Ok(PendingLoad { source: Source::First(read) }),
            None => self.begin_load(&Collection::ALL),
        }
    }

    fn place_load(&self, collections: &[Collection]) -> Result<Placed, StoreError> {
        let mut names: Vec<&str> = collections.iter().map(|c| c.id()).collect();
        names.push(OUTBOX);
        let tx = Tx::read(&self.db, &names).map_err(store_error)?;
        let js_error = |e: JsValue| store_error(IdbError::from_js(&e));
        let mut answers = Vec::with_capacity(collections.len());
        for name in &names[..collections.len()] {
            let store = tx.store(name).map_err(store_error)?;
            answers.push(idb::watch(&store.get_all().map_err(js_error)?));
        }
        let unsent = idb::watch(&tx.store(OUTBOX).map_err(store_error)?.count().map_err(js_error)?);
        Ok(Placed { tx, answers, unsent })
    }

    pub async fn load_one(&self, collection: Collection, id: &RecordId) -> Result<Option<Record>, StoreError> {
        let mut tx = self.begin().await?;
        tx.get(collection, id).await
    }

    /// A setting, as the JSON value it was saved as.
    pub async fn meta_get(&self, key: &str) -> Result<Option<Value>, StoreError> {
        match self.meta_read(&[key]).await?.pop().flatten() {
            None => Ok(None),
            Some(stored) => self.meta_open(&stored).map(Some),
        }
    }

    /// Several settings in one transaction, each as stored (sealed or in
    /// the clear): opened with [`Self::meta_open`] once the key is known. At
    /// start-up, one read in place of one per setting.
    pub async fn meta_read(&self, keys: &[&str]) -> Result<Vec<Option<JsValue>>, StoreError> {
        let tx = Tx::read(&self.db, &[META]).map_err(store_error)?;
        let store = tx.store(META).map_err(store_error)?;
        // Every request is placed, and watched, before the first is
        // awaited: the transaction answers them all in one go.
        let mut pending = Vec::with_capacity(keys.len());
        for key in keys {
            pending.push(idb::watch(&store.get(&JsValue::from_str(key)).map_err(|e| store_error(IdbError::from_js(&e)))?));
        }
        let mut out = Vec::with_capacity(keys.len());
        for answer in pending {
            out.push(js::get(&answer.await.map_err(|e| store_error(IdbError::from_js(&e)))?, "v"));
        }
        Ok(out)
    }

    /// The start's [`Self::meta_read`]: from boot.js's first read if it
    /// made one (taken once; see [`FirstRead`]).
    pub async fn first_meta_read(&self, keys: &[&str]) -> Result<Vec<Option<JsValue>>, StoreError> {
        let first = self.first_read.borrow_mut().meta.take();
        if let Some(read) = first
            && let Ok(by_key) = JsFuture::from(Promise::resolve(&read)).await
            && by_key.is_object()
        {
            return Ok(keys.iter().map(|key| js::get(&by_key, key)).collect());
        }
        self.meta_read(keys).await
    }

    /// A setting read by [`Self::meta_read`], as JSON (fails on a sealed
    /// one while the store is locked).
    pub fn meta_open(&self, stored: &JsValue) -> Result<Value, StoreError> {
        json::parse(&self.open_value(stored)?).map_err(StoreError::Other)
    }

    /// Saves a setting; `seal` encrypts it when the lock is on.
    pub async fn meta_put(&self, key: &str, value: &Value, seal: bool) -> Result<(), StoreError> {
        let json = json::to_string(value);
        let v = if seal { self.seal(&json) } else { JsValue::from_str(&json) };
        let tx = Tx::write(&self.db, &[META]).map_err(store_error)?;
        let store = tx.store(META).map_err(store_error)?;
        store.put(&js::object(&[("k", JsValue::from_str(key)), ("v", v)])).map_err(|e| store_error(IdbError::from_js(&e)))?;
        tx.commit().await.map_err(store_error)
    }

    pub async fn meta_delete(&self, key: &str) -> Result<(), StoreError> {
        let tx = Tx::write(&self.db, &[META]).map_err(store_error)?;
        let store = tx.store(META).map_err(store_error)?;
        store.delete(&JsValue::from_str(key)).map_err(|e| store_error(IdbError::from_js(&e)))?;
        tx.commit().await.map_err(store_error)
    }

    /// Erases everything: records, outbox, state, drafts, the lock.
    pub async fn erase_all(&self) -> Result<(), StoreError> {
        let names = all_stores();
        let tx = Tx::write(&self.db, &names).map_err(store_error)?;
        for name in &names {
            tx.store(name).map_err(store_error)?.clear().map_err(|e| store_error(IdbError::from_js(&e)))?;
        }
        tx.commit().await.map_err(store_error)?;
        self.set_cipher(None);
        Ok(())
    }

    /// Re-encodes every sealed value under `next` (None: in the clear), in
    /// one transaction: turning the lock on or off never leaves a mix.
    /// Keys listed in `plain_meta` are left as they are.
    pub async fn reseal(&self, next: Option<Cipher>, plain_meta: &[&str]) -> Result<(), StoreError> {
        // Read everything with the current key first (decrypting is
        // synchronous, but reading is not; the write is one transaction).
        let names = all_stores();
        let mut plain: Vec<(&'static str, Vec<(JsValue, String)>)> = Vec::new();
        {
            let tx = Tx::read(&self.db, &names).map_err(store_error)?;
            for name in &names {
                let store = tx.store(name).map_err(store_error)?;
                let all = idb::request(&store.get_all().map_err(|e| store_error(IdbError::from_js(&e)))?).await.map_err(store_error)?;
                let array: js_sys::Array = all.dyn_into().map_err(|_| StoreError::Other("getAll".into()))?;
                let mut items = Vec::new();
                for item in array.iter() {
                    if *name == META && js::get(&item, "k").and_then(|k| k.as_string()).is_some_and(|k| plain_meta.contains(&k.as_str())) {
                        continue;
                    }
                    let v = js::get(&item, "v").ok_or_else(|| StoreError::Other("value missing".into()))?;
                    items.push((item, self.open_value(&v)?));
                }
                plain.push((name, items));
            }
        }
        self.set_cipher(next);
        let tx = Tx::write(&self.db, &names).map_err(store_error)?;
        for (name, items) in plain {
            let store = tx.store(name).map_err(store_error)?;
            for (item, text) in items {
                js::set(&item, "v", &self.seal(&text));
                store.put(&item).map_err(|e| store_error(IdbError::from_js(&e)))?;
            }
        }
        tx.commit().await.map_err(store_error)
    }
}

/// One IndexedDB transaction over every store.
pub struct IdbTx<'a> {
    owner: &'a IdbStore,
    tx: Tx,
    touched: Vec<Written>,
}

impl Store for IdbStore {
    type Tx<'a> = IdbTx<'a>;

    async fn begin(&self) -> Result<IdbTx<'_>, StoreError> {
        let tx = Tx::write(&self.db, &all_stores()).map_err(store_error)?;
        Ok(IdbTx { owner: self, tx, touched: Vec::new() })
    }
}

impl IdbTx<'_> {
    fn req(&self, name: &str, f: impl FnOnce(&web_sys::IdbObjectStore) -> Result<web_sys::IdbRequest, JsValue>) -> Result<web_sys::IdbRequest, StoreError> {
        let store = self.tx.store(name).map_err(store_error)?;
        f(&store).map_err(|e| store_error(IdbError::from_js(&e)))
    }

    fn parse_mutation(&self, stored: &JsValue) -> Result<Mutation, StoreError> {
        let v = js::get(stored, "v").ok_or_else(|| StoreError::Other("outbox entry without value".into()))?;
        json::decode(&self.owner.open_value(&v)?).map_err(StoreError::Other)
    }
}

impl StoreTx for IdbTx<'_> {
    async fn state(&mut self) -> Result<Option<SyncState>, StoreError> {
        let req = self.req(META, |s| s.get(&JsValue::from_str(STATE_KEY)))?;
        let value = idb::request(&req).await.map_err(store_error)?;
        match js::get(&value, "v") {
            None => Ok(None),
            Some(v) => json::decode(&self.owner.open_value(&v)?).map(Some).map_err(StoreError::Other),
        }
    }

    async fn put_state(&mut self, state: &SyncState) -> Result<(), StoreError> {
        let json = json::encode(state);
        let value = js::object(&[("k", JsValue::from_str(STATE_KEY)), ("v", self.owner.seal(&json))]);
        self.req(META, |s| s.put(&value)).map(drop)
    }

    async fn get(&mut self, collection: Collection, id: &RecordId) -> Result<Option<Record>, StoreError> {
        let req = self.req(collection.id(), |s| s.get(&JsValue::from_str(id.as_str())))?;
        let value = idb::request(&req).await.map_err(store_error)?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        self.owner.parse_record(&value).map(Some)
    }

    async fn get_many(&mut self, keys: &[(Collection, RecordId)]) -> Result<Vec<Option<Record>>, StoreError> {
        // Issue every request first, then collect: IndexedDB answers them in
        // order without a round trip through the event loop for each.
        let mut pending = Vec::with_capacity(keys.len());
        for (c, id) in keys {
            let req = self.req(c.id(), |s| s.get(&JsValue::from_str(id.as_str())))?;
            pending.push(idb::watch(&req));
        }
        let mut out = Vec::with_capacity(keys.len());
        for future in pending {
            let value = future.await.map_err(|e| store_error(IdbError::from_js(&e)))?;
            out.push(if value.is_undefined() || value.is_null() { None } else { Some(self.owner.parse_record(&value)?) });
        }
        Ok(out)
    }

    async fn put(&mut self, record: Record) -> Result<(), StoreError> {
        let value = self.owner.record_value(&record);
        self.req(record.collection.id(), |s| s.put(&value))?;
        self.touched.push((record.collection, record.id.clone(), Some(record)));
        Ok(())
    }

    async fn remove(&mut self, collection: Collection, id: &RecordId) -> Result<(), StoreError> {
        self.req(collection.id(), |s| s.delete(&JsValue::from_str(id.as_str())))?;
        self.touched.push((collection, id.clone(), None));
        Ok(())
    }

    async fn ids(&mut self) -> Result<Vec<(Collection, RecordId)>, StoreError> {
        let mut out = Vec::new();
        for c in Collection::ALL {
            let req = self.req(c.id(), |s| s.get_all_keys())?;
            let keys: js_sys::Array = idb::request(&req).await.map_err(store_error)?.dyn_into().map_err(|_| StoreError::Other("keys".into()))?;
            for k in keys.iter() {
                if let Some(id) = k.as_string().and_then(|s| RecordId::parse(&s).ok()) {
                    out.push((c, id));
                }
            }
        }
        Ok(out)
    }

    async fn outbox(&mut self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let req = self.req(OUTBOX, |s| s.get_all_with_key_and_limit(&JsValue::UNDEFINED, limit))?;
        let all: js_sys::Array = idb::request(&req).await.map_err(store_error)?.dyn_into().map_err(|_| StoreError::Other("outbox".into()))?;
        all.iter().map(|v| self.parse_mutation(&v)).collect()
    }

    async fn outbox_len(&mut self) -> Result<usize, StoreError> {
        let req = self.req(OUTBOX, |s| s.count())?;
        Ok(idb::request(&req).await.map_err(store_error)?.as_f64().unwrap_or(0.0) as usize)
    }

    async fn enqueue(&mut self, mutation: &Mutation) -> Result<(), StoreError> {
        let value = js::object(&[("seq", JsValue::from_f64(mutation.seq as f64)), ("v", self.owner.seal(&json::encode(mutation)))]);
        self.req(OUTBOX, |s| s.put(&value)).map(drop)
    }

    async fn dequeue(&mut self, seq: u64) -> Result<(), StoreError> {
        self.req(OUTBOX, |s| s.delete(&JsValue::from_f64(seq as f64))).map(drop)
    }

    async fn clear(&mut self) -> Result<(), StoreError> {
        for c in Collection::ALL {
            self.req(c.id(), |s| s.clear())?;
        }
        self.req(OUTBOX, |s| s.clear())?;
        self.req(META, |s| s.delete(&JsValue::from_str(STATE_KEY)))?;
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(store_error)?;
        if !self.touched.is_empty()
            && let Some(listener) = &*self.owner.on_commit.borrow()
        {
            listener(self.touched);
        }
        Ok(())
    }
}

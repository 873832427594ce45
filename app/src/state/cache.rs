//! The records on this device, in memory, as reactive data. Loaded from
//! IndexedDB at start; updated after every local change and every sync.
//! Only live records are kept (tombstones stay in IndexedDB).

use std::collections::BTreeMap;

use leptos::prelude::*;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::record::Record;

use crate::platform::store::{IdbStore, Written};

/// Above this many changed records, reload whole collections instead.
pub const RELOAD_ALL_ABOVE: usize = 200;

#[derive(Clone, Copy)]
pub struct Cache {
    /// One map per collection, at `Collection::index` (a table, not a
    /// `HashMap`: eight fixed keys need no hashing code in the wasm).
    records: RwSignal<[BTreeMap<RecordId, Record>; Collection::ALL.len()]>,
}

impl Cache {
    pub fn new() -> Self {
        Self { records: RwSignal::new(Default::default()) }
    }

    /// Reads one collection (reactive).
    pub fn with<T>(&self, collection: Collection, f: impl FnOnce(&BTreeMap<RecordId, Record>) -> T) -> T {
        self.records.with(|all| f(&all[collection.index()]))
    }

    pub fn get(&self, collection: Collection, id: &RecordId) -> Option<Record> {
        self.records.with(|all| all[collection.index()].get(id).cloned())
    }

    pub fn clear(&self) {
        self.records.set(Default::default());
    }

    /// Loads every collection; returns how many changes are not yet sent,
    /// counted in the same transaction (at start-up a separate count was
    /// one more turn of the store before the first screen).
    pub async fn load_all(&self, store: &IdbStore) -> Result<usize, nimo_core::sync::client::StoreError> {
        let mut all: [BTreeMap<RecordId, Record>; Collection::ALL.len()] = Default::default();
        let (loaded, unsent) = store.load_many(&Collection::ALL).await?;
        for (c, records) in Collection::ALL.into_iter().zip(loaded) {
            all[c.index()] = records.into_iter().filter(|r| !r.is_deleted()).map(|r| (r.id.clone(), r)).collect();
        }
        self.records.set(all);
        Ok(unsent)
    }

    /// Takes what one committed transaction wrote, as written: no reading
    /// back and parsing again.
    pub fn apply(&self, written: Vec<Written>) {
        self.put(written);
    }

    /// Rereads these records from the store (another tab wrote them).
    pub async fn reload(&self, store: &IdbStore, keys: &[(Collection, RecordId)]) -> Result<(), nimo_core::sync::client::StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        if keys.len() > RELOAD_ALL_ABOVE {
            return self.load_all(store).await.map(drop);
        }
        let mut fresh = Vec::with_capacity(keys.len());
        for (c, id) in keys {
            fresh.push((*c, id.clone(), store.load_one(*c, id).await?));
        }
        self.put(fresh);
        Ok(())
    }

    /// Puts live records in, takes deleted or missing ones out.
    fn put(&self, records: Vec<Written>) {
        self.records.update(|all| {
            for (c, id, record) in records {
                let map = &mut all[c.index()];
                match record {
                    Some(r) if !r.is_deleted() => {
                        map.insert(id, r);
                    }
                    _ => {
                        map.remove(&id);
                    }
                }
            }
        });
    }
}

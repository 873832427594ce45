//! The records on this device, in memory, as reactive data. Loaded from
//! IndexedDB at start; updated after every local change and every sync.
//! Only live records are kept (tombstones stay in IndexedDB).

use std::collections::BTreeMap;

use leptos::prelude::*;
use nimo_core::sync::client::StoreError;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::record::Record;

use crate::platform::store::{IdbStore, PendingLoad, Written};

/// Above this many changed records, reload whole collections instead.
pub const RELOAD_ALL_ABOVE: usize = 200;

type Tables = [BTreeMap<RecordId, Record>; Collection::ALL.len()];

#[derive(Clone, Copy)]
pub struct Cache {
    /// One map per collection, at `Collection::index` (a table, not a
    /// `HashMap`: eight fixed keys need no hashing code in the wasm).
    records: RwSignal<Tables>,
    journal: StoredValue<Journal>,
}

impl Cache {
    pub fn new() -> Self {
        Self { records: RwSignal::new(Default::default()), journal: StoredValue::new(Journal::default()) }
    }

    /// Reads one collection (reactive).
    pub fn with<T>(&self, collection: Collection, f: impl FnOnce(&BTreeMap<RecordId, Record>) -> T) -> T {
        self.records.with(|all| f(&all[collection.index()]))
    }

    pub fn get(&self, collection: Collection, id: &RecordId) -> Option<Record> {
        self.records.with(|all| all[collection.index()].get(id).cloned())
    }

    /// Works on the journal through one boxed closure: each closure given
    /// to `StoredValue` directly compiles its own copy of Leptos's code.
    fn journal(&self, f: &mut dyn FnMut(&mut Journal)) {
        self.journal.try_update_value(|j| f(j));
    }

    /// Empties the cache (the lock, a sign-out, an erase). A load in
    /// flight then sets nothing: what it read must not come back.
    pub fn clear(&self) {
        self.journal(&mut |j| j.cleared += 1);
        self.records.set(Default::default());
    }

    /// Loads every collection; returns how many changes are not yet sent,
    /// counted in the same transaction (at start-up a separate count was
    /// one more turn of the store before the first screen).
    pub async fn load_all(&self, store: &IdbStore) -> Result<usize, StoreError> {
        self.begin_load(store)?.finish(store).await
    }

    /// Places a load's reads now; [`Loading::finish`] sets what they read.
    /// Whatever reaches the cache in between (this tab's commits, another
    /// tab's changes reread) is laid again over the load's snapshot, which
    /// is older than all of it.
    pub fn begin_load(&self, store: &IdbStore) -> Result<Loading, StoreError> {
        Ok(self.loading(store.begin_load(&Collection::ALL)?))
    }

    /// The start's load: boot.js's first read when it made one, taken
    /// before the app ran. Right only while nothing has reached the cache
    /// (this tab has written nothing yet, and what other tabs announced
    /// since boot.js opened its channel is reread after this: see
    /// `tabs::replay_held`).
    pub fn begin_first_load(&self, store: &IdbStore) -> Result<Loading, StoreError> {
        Ok(self.loading(store.begin_first_load()?))
    }

    fn loading(&self, pending: PendingLoad) -> Loading {
        let (mut from, mut cleared) = (0, 0);
        self.journal(&mut |j| (from, cleared) = (j.begin(), j.cleared));
        Loading { pending: Some(pending), cache: *self, from, cleared, ended: false }
    }

    /// Takes what one committed transaction wrote, as written: no reading
    /// back and parsing again.
    pub fn apply(&self, written: Vec<Written>) {
        self.put(written);
    }

    /// Rereads these records from the store (another tab wrote them).
    pub async fn reload(&self, store: &IdbStore, keys: &[(Collection, RecordId)]) -> Result<(), StoreError> {
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

    /// Puts live records in, takes deleted or missing ones out, and notes
    /// them in the journal while a load is in flight.
    fn put(&self, records: Vec<Written>) {
        self.journal(&mut |j| j.note(&records));
        self.records.update(|all| lay(all, records));
    }
}

/// Puts live records in, takes deleted or missing ones out.
fn lay(all: &mut Tables, records: Vec<Written>) {
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
}

/// A load of every collection whose reads are placed (see
/// [`Cache::begin_load`]). Dropped unfinished (the app is locked, or no
/// one is signed in), it sets nothing.
pub struct Loading {
    pending: Option<PendingLoad>,
    cache: Cache,
    /// Where this load's part of the journal starts.
    from: usize,
    /// How many times the cache had been cleared when it began.
    cleared: u64,
    ended: bool,
}

impl Loading {
    /// Parses what was read (sealed records with the store's key as it is
    /// now) and sets it, with what reached the cache since laid over it;
    /// returns the count of unsent changes read with the records.
    pub async fn finish(mut self, store: &IdbStore) -> Result<usize, StoreError> {
        let Some(pending) = self.pending.take() else { return Ok(0) };
        let (loaded, unsent) = pending.finish(store).await?;
        self.set(loaded);
        Ok(unsent)
    }

    /// Sets what was read, one list per collection in `Collection::ALL`'s
    /// order, unless the cache was cleared since the load began.
    fn set(&mut self, loaded: Vec<Vec<Record>>) {
        let later = self.end();
        let mut cleared = None;
        self.cache.journal(&mut |j| cleared = Some(j.cleared));
        if cleared != Some(self.cleared) {
            return;
        }
        let mut all: Tables = Default::default();
        for (c, records) in Collection::ALL.into_iter().zip(loaded) {
            all[c.index()] = records.into_iter().filter(|r| !r.is_deleted()).map(|r| (r.id.clone(), r)).collect();
        }
        lay(&mut all, later);
        self.cache.records.set(all);
    }

    fn end(&mut self) -> Vec<Written> {
        if std::mem::replace(&mut self.ended, true) {
            return Vec::new();
        }
        let mut later = Vec::new();
        let from = self.from;
        self.cache.journal(&mut |j| later = j.end(from));
        later
    }
}

impl Drop for Loading {
    fn drop(&mut self) {
        self.end();
    }
}

/// What reached the cache while loads were in flight, in order. Kept only
/// while one is: a load's snapshot was taken when its reads were placed,
/// so whatever came after must be laid over it again, or setting the
/// snapshot would put older records back.
#[derive(Default)]
struct Journal {
    /// Loads placed and not yet finished or dropped.
    open: usize,
    since: Vec<Written>,
    /// How many times the cache has been cleared.
    cleared: u64,
}

impl Journal {
    /// A load starts; returns where its part of the journal begins.
    fn begin(&mut self) -> usize {
        self.open += 1;
        self.since.len()
    }

    fn note(&mut self, written: &[Written]) {
        if self.open > 0 {
            self.since.extend(written.iter().cloned());
        }
    }

    /// A load ends; returns what reached the cache since it began.
    fn end(&mut self, from: usize) -> Vec<Written> {
        let later = self.since.get(from..).map(<[Written]>::to_vec).unwrap_or_default();
        self.open = self.open.saturating_sub(1);
        if self.open == 0 {
            self.since = Vec::new();
        }
        later
    }
}

#[cfg(test)]
mod tests {
    use nimo_core::sync::collection::Visibility;
    use nimo_core::sync::hlc::Hlc;
    use nimo_core::sync::ids::{ClientId, GroupId, UserId};
    use nimo_core::sync::record::Stamped;
    use serde_json::Value;

    use super::*;

    fn note(n: u8, text: &str, ms: u64) -> Written {
        let t = Hlc::new(ms, 0, ClientId::from_random([1; 8]));
        let id = RecordId::new_v7(1_700_000_000_000, [n; 10]);
        let group = GroupId::new_v7(1_700_000_000_000, [7; 10]);
        let owner = UserId::new_v7(1_700_000_000_000, [9; 10]);
        let mut r = Record::new(id.clone(), Collection::Contact, group, owner, Stamped::new(Visibility::Private, t));
        r.fields.insert("note".to_owned(), Stamped::new(Value::String(text.to_owned()), t));
        (Collection::Contact, id, Some(r))
    }

    fn text_of(all: &Tables, id: &RecordId) -> Option<String> {
        all[Collection::Contact.index()].get(id).and_then(|r| r.get("note")).and_then(|v| v.as_str().map(str::to_owned))
    }

    /// Another tab's change reread while the start-up load was in flight:
    /// setting the load's older snapshot must not put the old text back.
    #[test]
    fn what_reached_the_cache_during_a_load_is_laid_over_its_snapshot() {
        let mut journal = Journal::default();
        let from = journal.begin();
        let newer = note(1, "あとの編集", 2_000);
        journal.note(std::slice::from_ref(&newer));
        let mut snapshot: Tables = Default::default();
        lay(&mut snapshot, vec![note(1, "まえの編集", 1_000), note(2, "ほかの記録", 1_000)]);
        lay(&mut snapshot, journal.end(from));
        assert_eq!(text_of(&snapshot, &newer.1).as_deref(), Some("あとの編集"));
        assert_eq!(snapshot[Collection::Contact.index()].len(), 2);
        // A record deleted meanwhile stays deleted.
        let from = journal.begin();
        journal.note(&[(Collection::Contact, newer.1.clone(), None)]);
        lay(&mut snapshot, journal.end(from));
        assert_eq!(text_of(&snapshot, &newer.1), None);
    }

    #[test]
    fn nothing_is_kept_while_no_load_is_in_flight() {
        let mut journal = Journal::default();
        journal.note(&[note(1, "a", 1)]);
        assert!(journal.since.is_empty());
        let first = journal.begin();
        journal.note(&[note(1, "b", 2)]);
        let second = journal.begin();
        journal.note(&[note(2, "c", 3)]);
        assert_eq!(journal.end(second).len(), 1, "the later load sees only what came after it began");
        assert_eq!(journal.since.len(), 2, "kept for the load still in flight");
        assert_eq!(journal.end(first).len(), 2);
        assert!(journal.since.is_empty() && journal.open == 0);
    }

    #[test]
    fn a_load_dropped_unfinished_ends_its_part_of_the_journal() {
        let owner = Owner::new();
        owner.with(|| {
            let cache = Cache::new();
            let from = cache.journal.try_update_value(Journal::begin).unwrap_or(0);
            cache.put(vec![note(1, "a", 1)]);
            assert_eq!(cache.journal.with_value(|j| j.since.len()), 1);
            drop(Loading { pending: None, cache, from, cleared: 0, ended: false });
            assert_eq!(cache.journal.with_value(|j| (j.open, j.since.len())), (0, 0));
            // The cache itself kept what was put.
            assert_eq!(cache.with(Collection::Contact, BTreeMap::len), 1);
        });
    }
    /// The lock (or a sign-out) clears the cache while a load is in
    /// flight: what the load read must not come back into memory after.
    #[test]
    fn a_load_that_ends_after_the_cache_was_cleared_sets_nothing() {
        let owner = Owner::new();
        owner.with(|| {
            let cache = Cache::new();
            let (from, cleared) = cache.journal.try_update_value(|j| (j.begin(), j.cleared)).unwrap_or_default();
            let mut loading = Loading { pending: None, cache, from, cleared, ended: false };
            cache.clear();
            let (_, id, record) = note(1, "ひみつ", 1);
            let record = record.unwrap_or_else(|| unreachable!());
            let loaded = |r: &Record| Collection::ALL.iter().map(|c| if *c == Collection::Contact { vec![r.clone()] } else { Vec::new() }).collect();
            loading.set(loaded(&record));
            assert_eq!(cache.with(Collection::Contact, BTreeMap::len), 0, "a record came back after the lock");
            // Without a clear in between, the same load sets its records.
            let (from, cleared) = cache.journal.try_update_value(|j| (j.begin(), j.cleared)).unwrap_or_default();
            let mut loading = Loading { pending: None, cache, from, cleared, ended: false };
            loading.set(loaded(&record));
            assert!(cache.with(Collection::Contact, |m| m.contains_key(&id)));
        });
    }
}

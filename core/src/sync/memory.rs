//! An in-memory [`Store`], for tests and the simulation. A transaction works
//! on a copy and replaces the data on commit; transactions are meant to run
//! one at a time (the simulation is single-threaded).

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::client::{Store, StoreError, StoreTx, SyncState};
use super::collection::Collection;
use super::ids::RecordId;
use super::protocol::Mutation;
use super::record::Record;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryData {
    pub state: Option<SyncState>,
    pub records: BTreeMap<(Collection, RecordId), Record>,
    pub outbox: BTreeMap<u64, Mutation>,
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    data: RefCell<MemoryData>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn snapshot(&self) -> MemoryData {
        self.data.borrow().clone()
    }
}

pub struct MemoryTx<'a> {
    target: &'a RefCell<MemoryData>,
    staged: MemoryData,
}

impl Store for MemoryStore {
    type Tx<'a> = MemoryTx<'a>;

    async fn begin(&self) -> Result<MemoryTx<'_>, StoreError> {
        Ok(MemoryTx { target: &self.data, staged: self.data.borrow().clone() })
    }
}

impl StoreTx for MemoryTx<'_> {
    async fn state(&mut self) -> Result<Option<SyncState>, StoreError> {
        Ok(self.staged.state.clone())
    }

    async fn put_state(&mut self, state: &SyncState) -> Result<(), StoreError> {
        self.staged.state = Some(state.clone());
        Ok(())
    }

    async fn get(&mut self, collection: Collection, id: &RecordId) -> Result<Option<Record>, StoreError> {
        Ok(self.staged.records.get(&(collection, id.clone())).cloned())
    }

    async fn put(&mut self, record: Record) -> Result<(), StoreError> {
        self.staged.records.insert((record.collection, record.id.clone()), record);
        Ok(())
    }

    async fn remove(&mut self, collection: Collection, id: &RecordId) -> Result<(), StoreError> {
        self.staged.records.remove(&(collection, id.clone()));
        Ok(())
    }

    async fn ids(&mut self) -> Result<Vec<(Collection, RecordId)>, StoreError> {
        Ok(self.staged.records.keys().cloned().collect())
    }

    async fn outbox(&mut self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        Ok(self.staged.outbox.values().take(limit).cloned().collect())
    }

    async fn outbox_len(&mut self) -> Result<usize, StoreError> {
        Ok(self.staged.outbox.len())
    }

    async fn enqueue(&mut self, mutation: &Mutation) -> Result<(), StoreError> {
        self.staged.outbox.insert(mutation.seq, mutation.clone());
        Ok(())
    }

    async fn dequeue(&mut self, seq: u64) -> Result<(), StoreError> {
        self.staged.outbox.remove(&seq);
        Ok(())
    }

    async fn clear(&mut self) -> Result<(), StoreError> {
        self.staged = MemoryData::default();
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        *self.target.borrow_mut() = self.staged;
        Ok(())
    }
}

//! The pull's order of work, with a store whose commit takes a turn of the
//! event loop (as IndexedDB's does) and a server of three pages.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::sync::memory::{MemoryStore, MemoryTx};

type Log = Rc<RefCell<Vec<String>>>;

/// Pending once, then ready: a commit that completes on a later turn.
struct Turn(bool);

impl Future for Turn {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

struct SlowStore {
    inner: MemoryStore,
    log: Log,
    /// The commit that fails, by its number from 1 (after the start).
    failing: Cell<Option<usize>>,
    commits: RefCell<usize>,
}

struct SlowTx<'a> {
    inner: MemoryTx<'a>,
    store: &'a SlowStore,
}

impl Store for SlowStore {
    type Tx<'a> = SlowTx<'a>;
    async fn begin(&self) -> Result<SlowTx<'_>, StoreError> {
        Ok(SlowTx { inner: self.inner.begin().await?, store: self })
    }
}

impl StoreTx for SlowTx<'_> {
    async fn state(&mut self) -> Result<Option<SyncState>, StoreError> {
        self.inner.state().await
    }
    async fn put_state(&mut self, state: &SyncState) -> Result<(), StoreError> {
        self.inner.put_state(state).await
    }
    async fn get(&mut self, collection: Collection, id: &RecordId) -> Result<Option<Record>, StoreError> {
        self.inner.get(collection, id).await
    }
    async fn put(&mut self, record: Record) -> Result<(), StoreError> {
        self.inner.put(record).await
    }
    async fn remove(&mut self, collection: Collection, id: &RecordId) -> Result<(), StoreError> {
        self.inner.remove(collection, id).await
    }
    async fn ids(&mut self) -> Result<Vec<(Collection, RecordId)>, StoreError> {
        self.inner.ids().await
    }
    async fn outbox(&mut self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        self.inner.outbox(limit).await
    }
    async fn outbox_len(&mut self) -> Result<usize, StoreError> {
        self.inner.outbox_len().await
    }
    async fn enqueue(&mut self, mutation: &Mutation) -> Result<(), StoreError> {
        self.inner.enqueue(mutation).await
    }
    async fn dequeue(&mut self, seq: u64) -> Result<(), StoreError> {
        self.inner.dequeue(seq).await
    }
    async fn clear(&mut self) -> Result<(), StoreError> {
        self.inner.clear().await
    }
    async fn commit(self) -> Result<(), StoreError> {
        Turn(false).await;
        let n = {
            let mut commits = self.store.commits.borrow_mut();
            *commits += 1;
            *commits
        };
        if self.store.failing.get() == Some(n) {
            self.store.log.borrow_mut().push("commit failed".into());
            return Err(StoreError::QuotaExceeded);
        }
        self.inner.commit().await?;
        self.store.log.borrow_mut().push("commit".into());
        Ok(())
    }
}

/// Three pages of two records each, after cursors none, "1" and "2".
struct Pages {
    log: Log,
}

fn hlc(ms: u64) -> Hlc {
    Hlc::new(ms, 0, ClientId::from_random([9; 8]))
}

/// The test user's keys, with the group's first key.
fn ring() -> Keyring {
    let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), crate::crypto::Key::from_bytes([5; 32]));
    ring.add_epoch(&GroupId::new_v7(1, [2; 10]), 1, crate::crypto::Key::from_bytes([6; 32]));
    ring
}

/// A record as the server holds it: sealed.
fn record(n: u8) -> Record {
    let rng = |out: &mut [u8]| out.fill(n);
    ring().seal_record(&rng, &open_record(n)).expect("sealed")
}

fn open_record(n: u8) -> Record {
    let mut r = Record::new(
        RecordId::new_v7(1_000 + u64::from(n), [n; 10]),
        Collection::Contact,
        GroupId::new_v7(1, [2; 10]),
        UserId::new_v7(1, [3; 10]),
        super::super::record::Stamped::new(Visibility::Group, hlc(1_000 + u64::from(n))),
    );
    r.write("note", Value::String(format!("record {n}")), hlc(1_000 + u64::from(n)));
    r
}

impl Transport for Pages {
    async fn push(&self, _: &PushRequest) -> Result<PushResponse, TransportError> {
        Err(TransportError::Network("no pushes in this test".into()))
    }
    async fn pull(&self, cursor: Option<&str>, _: u32) -> Result<PullResponse, TransportError> {
        self.log.borrow_mut().push(format!("pull {}", cursor.unwrap_or("-")));
        let page: u8 = cursor.map_or(0, |c| c.parse().unwrap_or(0));
        Ok(PullResponse {
            epoch: "e1".into(),
            records: vec![record(page * 2), record(page * 2 + 1)],
            removed: Vec::new(),
            cursor: (page + 1).to_string(),
            more: page < 2,
            server_ms: 2_000,
        })
    }
}

struct FixedEnv(Cell<u64>);

impl Env for FixedEnv {
    fn now_ms(&self) -> u64 {
        2_000
    }
    fn monotonic_ms(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
    fn random_bytes(&self, out: &mut [u8]) {
        out.fill(7);
    }
}

fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn engine(failing: Option<usize>) -> (Engine<SlowStore, Pages, FixedEnv>, Log) {
    let log = Log::default();
    let store = SlowStore { inner: MemoryStore::new(), log: Rc::clone(&log), failing: Cell::new(None), commits: RefCell::new(0) };
    let engine = Engine::new(store, Pages { log: Rc::clone(&log) }, FixedEnv(Cell::new(0)));
    engine.set_keyring(Some(ring()));
    run(engine.start(&UserId::new_v7(1, [3; 10]))).expect("start");
    log.borrow_mut().clear();
    *engine.store.commits.borrow_mut() = 0;
    engine.store.failing.set(failing);
    (engine, log)
}

#[test]
fn the_next_page_is_asked_for_while_this_one_is_written() {
    let (engine, log) = engine(None);
    let report = run(engine.sync()).expect("sync");
    assert_eq!(report.pulled, 6);
    // The last commit is the sync's own note of when it ended.
    assert_eq!(*log.borrow(), ["pull -", "pull 1", "commit", "pull 2", "commit", "commit", "commit"]);
    let stored = engine.store.inner.snapshot();
    assert_eq!(stored.records.len(), 6);
    // Kept open on the device, as it was written.
    assert!(stored.records.values().any(|r| r.text("note") == Some("record 4")));
    assert_eq!(stored.state.and_then(|s| s.cursor).as_deref(), Some("3"));
}

#[test]
fn a_page_that_cannot_be_written_stops_the_pull_where_it_was() {
    // The first commit of the sync fails: the first page is not kept, and
    // nor is the second, already asked for.
    let (engine, log) = engine(Some(1));
    assert!(run(engine.sync()).is_err());
    assert_eq!(*log.borrow(), ["pull -", "pull 1", "commit failed"]);
    let stored = engine.store.inner.snapshot();
    assert!(stored.records.is_empty());
    assert_eq!(stored.state.and_then(|s| s.cursor), None);
    // The next sync starts again from the start, and gets everything.
    let report = run(engine.sync()).expect("sync again");
    assert_eq!(report.pulled, 6);
    assert_eq!(engine.store.inner.snapshot().records.len(), 6);
}

#[test]
fn a_start_with_the_state_already_read_touches_no_store() {
    let (engine, log) = engine(None);
    let user = UserId::new_v7(1, [3; 10]);
    let stored = engine.store.inner.snapshot().state.expect("started");
    let state = run(engine.start_known(&user, Some(stored.clone()))).expect("known");
    assert_eq!(state, stored);
    assert!(log.borrow().is_empty());
    assert_eq!(*engine.store.commits.borrow(), 0);
    // Someone else's state is refused, as `start` refuses it.
    let other = UserId::new_v7(1, [4; 10]);
    assert!(matches!(run(engine.start_known(&other, Some(stored))), Err(EngineError::OtherUser)));
    // Without a state read, the store is asked (and refuses the other user too).
    assert!(matches!(run(engine.start_known(&other, None)), Err(EngineError::OtherUser)));
    assert_eq!(run(engine.start_known(&user, None)).expect("asked"), state);
}

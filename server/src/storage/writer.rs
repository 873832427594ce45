//! The writer: one thread owns the write connection, and the writes that
//! queue while it is busy commit together, each in its own savepoint of one
//! transaction (group commit).
//!
//! Why: with `synchronous = FULL` every commit waits for the disk, and a
//! disk that stalls for half a second made each push queued behind another
//! pay the stall again in turn. A queue now pays it once.
//!
//! Nobody hears "stored" before the commit that holds their write: each
//! answer waits in the batch until `COMMIT` has returned. A write that
//! fails rolls back to its savepoint and takes nothing else with it. A
//! write whose error ends the whole transaction (SQLite rolls back on some
//! errors, a full disk among them) fails every write that shared it; those
//! not yet run go on in a new transaction.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::journal::Journal;
use super::{StorageError, Written};

/// At most this many writes share a commit, so that the first in a long
/// queue is not kept waiting for all the others.
const MAX_BATCH: usize = 64;

pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    commits: Arc<AtomicU64>,
}

/// A write's answer: its own result, or the panic to resume in the caller.
pub(super) enum Outcome<T, E> {
    Done(Result<T, E>),
    Panicked(Box<dyn Any + Send>),
}

enum Job {
    InTransaction(Box<dyn Pending>),
    /// Runs between transactions, with the connection to itself (a backup).
    Alone(AloneJob),
}

type AloneJob = Box<dyn FnOnce(&mut Connection, Option<&mut Journal>) + Send>;

trait Pending: Send {
    /// Runs the write in the batch's transaction; false if it failed.
    fn run(&mut self, tx: &Transaction<'_>, written: &mut Written) -> bool;
    /// Answers the caller once the batch's fate is known.
    fn answer(self: Box<Self>, batch: Result<(), &StorageError>);
}

struct Call<T, E, F> {
    f: Option<F>,
    outcome: Option<Outcome<T, E>>,
    reply: oneshot::Sender<Outcome<T, E>>,
}

impl<T, E, F> Pending for Call<T, E, F>
where
    T: Send + 'static,
    E: From<StorageError> + Send + 'static,
    F: FnOnce(&Transaction<'_>, &mut Written) -> Result<T, E> + Send + 'static,
{
    fn run(&mut self, tx: &Transaction<'_>, written: &mut Written) -> bool {
        let Some(f) = self.f.take() else { return false };
        let outcome = match catch_unwind(AssertUnwindSafe(|| f(tx, written))) {
            Ok(result) => Outcome::Done(result),
            Err(panic) => Outcome::Panicked(panic),
        };
        let ok = matches!(outcome, Outcome::Done(Ok(_)));
        self.outcome = Some(outcome);
        ok
    }

    fn answer(self: Box<Self>, batch: Result<(), &StorageError>) {
        let Call { outcome, reply, .. } = *self;
        let outcome = match (outcome, batch) {
            (Some(Outcome::Done(Ok(value))), Ok(())) => Outcome::Done(Ok(value)),
            // Its own refusal or panic stands whatever became of the rest.
            (Some(own @ (Outcome::Done(Err(_)) | Outcome::Panicked(_))), _) => own,
            (_, Err(e)) => Outcome::Done(Err(e.shared().into())),
            (None, Ok(())) => Outcome::Done(Err(StorageError::Cancelled.into())),
        };
        // The caller may have gone (its request dropped): nothing to tell.
        let _ = reply.send(outcome);
    }
}

impl Writer {
    pub(super) fn start(conn: Connection, journal: Option<Journal>, path: &Path) -> Result<Self, StorageError> {
        let (jobs, queue) = mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&commits);
        let thread = std::thread::Builder::new()
            .name("nimo-writer".into())
            .spawn(move || serve(conn, journal, queue, &counted))
            .map_err(StorageError::io(path))?;
        Ok(Self { jobs: Some(jobs), thread: Some(thread), commits })
    }

    /// Queues `f` for the next transaction; the receiver gets its answer
    /// after that transaction's commit (or failure).
    pub(super) fn write<T, E, F>(&self, f: F) -> Result<oneshot::Receiver<Outcome<T, E>>, StorageError>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(&Transaction<'_>, &mut Written) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Job::InTransaction(Box::new(Call { f: Some(f), outcome: None, reply })))?;
        Ok(answer)
    }

    /// Runs `f` on the writer's connection outside any transaction, between
    /// two batches.
    pub(super) fn alone<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection, Option<&mut Journal>) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<oneshot::Receiver<Result<T, StorageError>>, StorageError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Alone(Box::new(move |conn, journal| {
            // A panic drops `reply`: the caller hears `Cancelled`.
            if let Ok(result) = catch_unwind(AssertUnwindSafe(|| f(conn, journal))) {
                let _ = reply.send(result);
            }
        })))?;
        Ok(answer)
    }

    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    fn send(&self, job: Job) -> Result<(), StorageError> {
        self.jobs.as_ref().and_then(|jobs| jobs.send(job).ok()).ok_or(StorageError::Cancelled)
    }
}

impl Drop for Writer {
    /// Closes the connection before the database handle is gone, so that
    /// whoever reopens or replaces the file next finds it closed.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut conn: Connection, mut journal: Option<Journal>, queue: mpsc::Receiver<Job>, commits: &AtomicU64) {
    let mut next = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match queue.recv() {
                Ok(job) => job,
                Err(mpsc::RecvError) => return,
            },
        };
        match job {
            Job::Alone(f) => f(&mut conn, journal.as_mut()),
            Job::InTransaction(first) => {
                let mut batch = VecDeque::from([first]);
                while batch.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(Job::InTransaction(write)) => batch.push_back(write),
                        Ok(alone) => {
                            next = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_batch(&mut conn, journal.as_mut(), batch, commits);
            }
        }
    }
}

fn commit_batch(conn: &mut Connection, mut journal: Option<&mut Journal>, mut queue: VecDeque<Box<dyn Pending>>, commits: &AtomicU64) {
    while !queue.is_empty() {
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => {
                let e = StorageError::from(e);
                queue.into_iter().for_each(|write| write.answer(Err(&e)));
                return;
            }
        };
        let mut ran = Vec::with_capacity(queue.len());
        let mut lines = Vec::new();
        let mut broken = None;
        while let Some(mut write) = queue.pop_front() {
            if let Err(e) = tx.execute_batch("SAVEPOINT write") {
                broken = Some(StorageError::from(e));
                // Without progress, the next transaction would fail the same way.
                if ran.is_empty() { ran.push(write) } else { queue.push_front(write) }
                break;
            }
            let mut written = Written::default();
            let ok = write.run(&tx, &mut written);
            let end = tx.execute_batch(if ok { "RELEASE write" } else { "ROLLBACK TO write; RELEASE write" });
            ran.push(write);
            match end {
                Ok(()) if tx.is_autocommit() => {
                    broken = Some(StorageError::Aborted("a write ended the transaction".into()));
                    break;
                }
                Ok(()) => {
                    if ok {
                        lines.extend(written.lines);
                    }
                }
                Err(e) => {
                    broken = Some(StorageError::from(e));
                    break;
                }
            }
        }
        let batch = match broken {
            Some(e) => Err(e),
            None => {
                if let (Some(journal), false) = (journal.as_deref_mut(), lines.is_empty()) {
                    // A full backup disk must not stop people's records from
                    // being saved: the database still has them. Say it loudly.
                    if let Err(e) = journal.append(&lines) {
                        tracing::error!(error = %e, "cannot append to the journal: a restore may lose the latest changes");
                    }
                }
                tx.commit().map_err(StorageError::from)
            }
        };
        if batch.is_ok() {
            commits.fetch_add(1, Ordering::Relaxed);
        } else if let Err(e) = &batch {
            tracing::error!(error = %e, writes = ran.len(), "a write transaction failed");
        }
        ran.into_iter().for_each(|write| write.answer(batch.as_ref().map(|_| ())));
    }
}

//! The writer's contract: what queues behind a busy writer commits
//! together, and nobody is told "stored" for work that did not commit.

use std::time::Duration;

use super::{Database, StorageError, sql};

fn temp_db() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(&dir.path().join("nimo.sqlite3")).expect("open");
    (dir, db)
}

async fn rows(db: &Database) -> Vec<i64> {
    db.read(|tx| {
        let mut stmt = sql(tx.prepare("SELECT n FROM t ORDER BY n"))?;
        let rows = sql(stmt.query_map([], |r| r.get(0)))?;
        rows.map(sql).collect::<Result<Vec<i64>, StorageError>>()
    })
    .await
    .expect("read")
}

async fn insert(db: &Database, n: i64) -> Result<(), StorageError> {
    db.write(move |tx| sql(tx.execute("INSERT INTO t (n) VALUES (?1)", [n])).map(drop)).await
}

/// Starts a write that holds the writer for `hold`, and returns once it runs.
async fn occupy(db: &Database, hold: Duration) -> tokio::task::JoinHandle<Result<(), StorageError>> {
    let (started, running) = tokio::sync::oneshot::channel();
    let db = db.clone();
    let slow = tokio::spawn(async move {
        db.write(move |tx| {
            let _ = started.send(());
            std::thread::sleep(hold);
            sql(tx.execute("INSERT INTO t (n) VALUES (0)", [])).map(drop)
        })
        .await
    });
    running.await.expect("the slow write started");
    slow
}

async fn with_table() -> (tempfile::TempDir, Database) {
    let (dir, db) = temp_db();
    db.write(|tx| sql(tx.execute_batch("CREATE TABLE t (n INTEGER NOT NULL)"))).await.expect("create");
    (dir, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_that_queue_behind_a_busy_writer_share_one_commit() {
    let (_dir, db) = with_table().await;
    let before = db.commits();
    let slow = occupy(&db, Duration::from_millis(300)).await;
    let queued: Vec<_> = (1..=20)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move { insert(&db, n).await })
        })
        .collect();
    for write in queued {
        write.await.expect("task").expect("stored");
    }
    slow.await.expect("task").expect("stored");
    assert_eq!(rows(&db).await, (0..=20).collect::<Vec<_>>());
    let commits = db.commits() - before;
    assert!(commits <= 3, "21 writes took {commits} commits: each waited for the disk on its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_undoes_only_itself() {
    let (_dir, db) = with_table().await;
    let slow = occupy(&db, Duration::from_millis(200)).await;
    let refused = db.write(|tx| {
        sql(tx.execute("INSERT INTO t (n) VALUES (2)", []))?;
        Err::<(), _>(StorageError::Forbidden)
    });
    let (a, b, c) = tokio::join!(insert(&db, 1), refused, insert(&db, 3));
    slow.await.expect("task").expect("stored");
    assert!(a.is_ok() && c.is_ok(), "{a:?} {c:?}");
    assert!(matches!(b, Err(StorageError::Forbidden)), "{b:?}");
    assert_eq!(rows(&db).await, vec![0, 1, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_ends_the_transaction_fails_everyone_it_took_down() {
    let (_dir, db) = with_table().await;
    let slow = occupy(&db, Duration::from_millis(200)).await;
    // Stands for an error after which SQLite rolls the whole transaction
    // back (a full disk, say): whoever shared it must not hear "stored".
    let wrecker = db.write(|tx| sql(tx.execute_batch("ROLLBACK")));
    let (a, b) = tokio::join!(insert(&db, 1), wrecker);
    let _ = slow.await.expect("task");
    assert!(b.is_err(), "{b:?}");
    let stored = rows(&db).await;
    assert_eq!(a.is_ok(), stored.contains(&1), "a write was told {a:?} and the table holds {stored:?}");
    insert(&db, 5).await.expect("the writer goes on");
    assert!(rows(&db).await.contains(&5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_reaches_its_caller_and_the_writer_goes_on() {
    let (_dir, db) = with_table().await;
    let panicked = tokio::spawn({
        let db = db.clone();
        async move {
            db.write(|tx| {
                sql(tx.execute("INSERT INTO t (n) VALUES (7)", []))?;
                if tx.is_autocommit() {
                    return Ok::<(), StorageError>(());
                }
                panic!("a bug in a handler");
            })
            .await
        }
    })
    .await;
    assert!(panicked.expect_err("the panic reached the caller").is_panic());
    insert(&db, 8).await.expect("the writer goes on");
    assert_eq!(rows(&db).await, vec![8]);
}

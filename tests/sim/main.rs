//! The sync simulation: 10,000 seeded cases of four devices (three users,
//! two groups) making random creates, edits, deletes and conflict
//! resolutions offline, syncing through a network that drops, duplicates
//! and delays requests, with server restarts, tombstone purges, and a
//! restore from a backup (a new epoch). After
//! each case every device must hold exactly what the server holds for its
//! user, and no committed write may be lost. Replay one case with
//! `NIMO_SIM_SEED=<seed> cargo test -p nimo-tests --test sim`.

mod scenarios;

use nimo_tests::sim::{Case, Stats};

const CASES: u64 = 10_000;
const SHARDS: u64 = 4;

async fn run_case(seed: u64) -> Stats {
    let mut case = Case::new(seed).await;
    let steps = 10 + (seed % 40) as usize;
    case.run(steps).await;
    case.settle().await;
    case.check().await;
    case.stats()
}

async fn shard(index: u64) {
    if let Ok(seed) = std::env::var("NIMO_SIM_SEED") {
        let seed: u64 = seed.parse().expect("NIMO_SIM_SEED is a number");
        if seed % SHARDS == index {
            eprintln!("{:?}", run_case(seed).await);
        }
        return;
    }
    // NIMO_SIM_CASES and NIMO_SIM_FIRST explore other seeds (e.g. overnight).
    let cases = std::env::var("NIMO_SIM_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(CASES);
    let first: u64 = std::env::var("NIMO_SIM_FIRST").ok().and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut stats = Stats::default();
    for i in 0..cases / SHARDS {
        stats += run_case(first + i * SHARDS + index).await;
    }
    eprintln!("shard {index}: {} cases, {stats:?}", cases / SHARDS);
    // The hard cases must have happened, or the run proves little.
    if cases / SHARDS >= 100 {
        assert!(stats.clock_ahead > 0 && stats.stale_forms > 0 && stats.edits_of_deleted > 0, "shard {index} missed a hard case: {stats:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn shard_0() {
    shard(0).await;
}

#[tokio::test(flavor = "current_thread")]
async fn shard_1() {
    shard(1).await;
}

#[tokio::test(flavor = "current_thread")]
async fn shard_2() {
    shard(2).await;
}

#[tokio::test(flavor = "current_thread")]
async fn shard_3() {
    shard(3).await;
}

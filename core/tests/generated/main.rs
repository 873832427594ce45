//! Generated inputs against every reader and rule that takes what others
//! wrote: the JSON reader and printer, the wire codec, the importers, text
//! folding, the hours evaluator, the suppression rule, CSV, and the
//! per-field merge, and the end-to-end sealing.
//!
//! `cargo test` runs each property for a few hundred cases (seconds in
//! all). `cargo xtask fuzz --minutes N` runs the same properties for N
//! minutes between them (`NIMO_FUZZ_SECONDS` per property), prints how many
//! cases ran, and on a failure the minimal input proptest shrank it to.
//! A failing case's seed is kept in `regressions/<property>.txt` (commit
//! it), and every later run tries the kept seeds first.

mod crypto;
mod evidence;
mod hours;
mod import;
mod json;
mod merge;
mod text;
mod wire;

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};

/// Runs `test` on values from `strategy`: `quick` cases under `cargo test`,
/// or for `NIMO_FUZZ_SECONDS` seconds under `cargo xtask fuzz`.
pub fn check<S>(name: &'static str, quick: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let seconds = std::env::var("NIMO_FUZZ_SECONDS").ok().and_then(|s| s.parse::<u64>().ok());
    let regressions: &'static str = Box::leak(format!("{}/tests/generated/regressions/{name}.txt", env!("CARGO_MANIFEST_DIR")).into_boxed_str());
    let config = |cases: u32| Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        // Long runs go wide rather than deep: more inputs, shorter shrinking.
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let started = Instant::now();
    let deadline = seconds.map(|s| started + Duration::from_secs(s));
    let mut ran: u64 = 0;
    loop {
        let batch = if deadline.is_some() { 2_000 } else { quick };
        let mut runner = TestRunner::new(config(batch));
        match runner.run(&strategy, |v| test(v)) {
            Ok(()) => ran += u64::from(batch),
            Err(TestError::Fail(why, minimal)) => {
                panic!("{name}: failed after {ran}+ cases: {why}\nminimal input: {minimal:#?}\n(its seed is kept in {regressions})")
            }
            Err(TestError::Abort(why)) => panic!("{name}: aborted after {ran}+ cases: {why}"),
        }
        match deadline {
            Some(d) if Instant::now() < d => continue,
            _ => break,
        }
    }
    if deadline.is_some() {
        println!("{name}: {ran} cases in {:.0} s, no failure", started.elapsed().as_secs_f64());
    }
}

/// Fails the case (with proptest's shrinking) unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(proptest::test_runner::TestCaseError::fail(format!($($why)+)));
        }
    };
}

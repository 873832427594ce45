//! `nimo-load`: many devices syncing at once against a running server, on
//! loopback. Each device signs in (its own session, its keys opened as a
//! phone opens them), pulls once, then for
//! the given time loops: now and then push one new record (sealed), and pull what
//! changed since its cursor, then wait a random time averaging
//! `--interval-ms` (0: no wait, the most the server and this generator can
//! do together). Prints latency percentiles and throughput as JSON. Used by
//! `cargo xtask bench`.
//!
//! nimo-load --base http://127.0.0.1:8080 --code <coordinator invite> [--devices 500] [--seconds 20] [--interval-ms 1000]

use std::sync::Arc;
use std::time::{Duration, Instant};

use nimo_core::sync::collection::{Role, Visibility};
use nimo_core::sync::ids::{ClientId, RecordId};
use nimo_core::sync::protocol::{PullResponse, PushResponse};
use nimo_tests::phone;
use nimo_tests::protocol::{contact, push_request, stamp};
use nimo_tests::sim::Rng;
use tokio::sync::Mutex;

const USERS: usize = 100;

struct Args {
    base: String,
    code: String,
    devices: usize,
    seconds: u64,
    interval_ms: u64,
}

fn args() -> Args {
    let mut a = Args { base: "http://127.0.0.1:8080".into(), code: String::new(), devices: 500, seconds: 20, interval_ms: 1000 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--base" => a.base = value,
            "--code" => a.code = value,
            "--devices" => a.devices = value.parse().unwrap_or(500),
            "--seconds" => a.seconds = value.parse().unwrap_or(20),
            "--interval-ms" => a.interval_ms = value.parse().unwrap_or(1000),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(!a.code.is_empty(), "--code is required (the first coordinator's invite)");
    a
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).no_proxy().pool_max_idle_per_host(1).build().expect("client")
}

#[derive(Default)]
struct Stats {
    pull: Vec<f64>,
    push: Vec<f64>,
    /// What went wrong, one entry per failed request ("push 503",
    /// "pull: connection: …"), so that a run's errors can be told apart.
    errors: Vec<String>,
}

fn failure(what: &str, r: Result<reqwest::Response, reqwest::Error>) -> String {
    match r {
        Ok(r) => format!("{what} {}", r.status().as_u16()),
        Err(e) if e.is_timeout() => format!("{what}: timed out"),
        Err(e) if e.is_connect() => format!("{what}: could not connect"),
        Err(_) => format!("{what}: connection broken"),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let base = a.base.clone();
    // Users: the coordinator invites the rest; each signs in on many devices.
    let coordinator = phone::join(&base, client(), &a.code, "loadcoord", &nimo_tests::passphrase_of("loadcoord")).await;
    let mut logins = vec!["loadcoord".to_owned()];
    for i in 1..USERS {
        let code = phone::invite(&base, &coordinator, Role::Member).await;
        let name = format!("loaduser{i}");
        phone::join(&base, client(), &code, &name, &nimo_tests::passphrase_of(&name)).await;
        logins.push(name);
    }
    let setup = Instant::now();
    let mut devices = Vec::with_capacity(a.devices);
    for chunk in (0..a.devices).collect::<Vec<_>>().chunks(16) {
        let tasks: Vec<_> = chunk.iter().map(|d| {
            let base = base.clone();
            let name = logins[d % logins.len()].clone();
            tokio::spawn(async move { phone::login(&base, client(), &name, &nimo_tests::passphrase_of(&name)).await })
        }).collect();
        for t in tasks {
            devices.push(t.await.expect("login task"));
        }
    }
    eprintln!("{} devices signed in in {:.1}s", devices.len(), setup.elapsed().as_secs_f64());

    let stats = Arc::new(Mutex::new(Stats::default()));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for (d, device) in devices.into_iter().enumerate() {
        let stats = Arc::clone(&stats);
        let base = base.clone();
        let group = device.me.groups[0].id.clone();
        let http = device.client.clone();
        let interval = a.interval_ms;
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(d as u64 + 1);
            let client_id = ClientId::from_random((d as u64 + 1).to_le_bytes());
            let mut seq = 1u64;
            let mut cursor: Option<String> = None;
            let mut local = Stats::default();
            // Spread the devices' starts over the first interval.
            tokio::time::sleep(Duration::from_millis(rng.below(interval.max(1000) as usize) as u64)).await;
            while Instant::now() < deadline {
                if rng.chance(200) {
                    let mut random = [0u8; 10];
                    random[..8].copy_from_slice(&rng.next().to_le_bytes());
                    let ms = 1_790_000_000_000 + seq;
                    let m = contact(seq, &RecordId::new_v7(ms, random), &group, Visibility::Group, &stamp(ms, &client_id), "負荷試験の記録");
                    let m = phone::seal(&device.ring, m, Visibility::Group);
                    let t0 = Instant::now();
                    let outcome = match http.post(format!("{base}/api/sync/push")).json(&push_request(&client_id, vec![m])).send().await {
                        Ok(r) if r.status().is_success() => r.json::<PushResponse>().await.map(|_| ()).map_err(|_| "push: unreadable answer".to_owned()),
                        other => Err(failure("push", other)),
                    };
                    local.push.push(t0.elapsed().as_secs_f64() * 1000.0);
                    match outcome {
                        Ok(()) => seq += 1,
                        Err(e) => local.errors.push(e),
                    }
                }
                let mut url = format!("{base}/api/sync/pull?schema={}", nimo_core::SCHEMA_VERSION);
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let t0 = Instant::now();
                match http.get(url).send().await {
                    Ok(r) if r.status().is_success() => match r.json::<PullResponse>().await {
                        Ok(page) => cursor = Some(page.cursor),
                        Err(_) => local.errors.push("pull: unreadable answer".to_owned()),
                    },
                    other => local.errors.push(failure("pull", other)),
                }
                local.pull.push(t0.elapsed().as_secs_f64() * 1000.0);
                // A random pause between syncs, `interval` on average.
                if interval > 0 {
                    tokio::time::sleep(Duration::from_millis(rng.below((2 * interval) as usize) as u64)).await;
                } else {
                    tokio::task::yield_now().await;
                }
            }
            let mut s = stats.lock().await;
            s.pull.extend(local.pull);
            s.push.extend(local.push);
            s.errors.extend(local.errors);
        }));
    }
    for t in tasks {
        t.await.expect("device task");
    }
    let mut s = stats.lock().await;
    let requests = s.pull.len() + s.push.len();
    let mut all: Vec<f64> = s.pull.iter().chain(s.push.iter()).copied().collect();
    all.sort_by(f64::total_cmp);
    s.pull.sort_by(f64::total_cmp);
    s.push.sort_by(f64::total_cmp);
    let out = serde_json::json!({
        "devices": a.devices,
        "seconds": a.seconds,
        "interval_ms": a.interval_ms,
        "requests": requests,
        "throughput_rps": requests as f64 / a.seconds as f64,
        "errors": s.errors.len(),
        "error_kinds": s.errors.iter().fold(std::collections::BTreeMap::<&str, usize>::new(), |mut m, e| {
            *m.entry(e.as_str()).or_default() += 1;
            m
        }),
        "p50_ms": percentile(&all, 0.50),
        "p90_ms": percentile(&all, 0.90),
        "p99_ms": percentile(&all, 0.99),
        "max_ms": all.last().copied().unwrap_or(0.0),
        "pull_p99_ms": percentile(&s.pull, 0.99),
        "push_p99_ms": percentile(&s.push, 0.99),
        "pushes": s.push.len(),
    });
    println!("{out}");
}

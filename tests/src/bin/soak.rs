//! `nimo-soak`: many devices syncing for minutes against the real server
//! binary on loopback, with a server restart and a backup in the middle.
//!
//! Each device is nimo's own sync engine (`nimo_core::sync::client::Engine`,
//! the code the phone runs, sealing what it sends) over an in-memory store
//! and HTTP. It signs in (its keys opened as a phone opens them),
//! then until the end writes now and then (new contacts, edits of its own)
//! and syncs, a random pause between. At the end every device syncs until
//! nothing is left to send, and the run fails unless
//! - every write a device made is on the server as the device last wrote it
//!   (no acknowledged write lost, none undone),
//! - every device holds exactly what the server holds for its user,
//! - no sync failed but for the restart's (the connection refused while
//!   the server was down, or a device's first sync after it, on a
//!   connection kept from the old process).
//!
//! It prints the server's memory (resident set) over the run: the first and
//! the last minute of each server process.
//!
//! nimo-soak --server target/release/nimo-server [--minutes 10 | --seconds N] [--devices 500]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::rc::Rc;
use std::time::{Duration, Instant};

use nimo_core::api::ErrorBody;
use nimo_core::crypto::keyring::Keyring;
use nimo_core::sync::client::{Change, ChangeKind, Engine, Env, SyncError, Transport, TransportError};
use nimo_core::sync::collection::{Collection, Role, Visibility};
use nimo_core::sync::ids::RecordId;
use nimo_core::sync::memory::MemoryStore;
use nimo_core::sync::protocol::{PullResponse, PushRequest, PushResponse};
use nimo_core::sync::record::Record;
use nimo_tests::phone;
use nimo_tests::sim::Rng;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A member may sign in five times in fifteen minutes (the throttle), so
/// 500 devices need 100 members.
const USERS: usize = 100;

struct Args {
    server: PathBuf,
    seconds: u64,
    devices: usize,
}

fn args() -> Args {
    let mut a = Args { server: PathBuf::from("target/release/nimo-server"), seconds: 600, devices: 500 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--server" => a.server = PathBuf::from(value),
            "--minutes" => a.seconds = value.parse::<u64>().expect("--minutes N") * 60,
            "--seconds" => a.seconds = value.parse().expect("--seconds N"),
            "--devices" => a.devices = value.parse().expect("--devices N"),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// The server process, restartable on its port and database.
struct Server {
    bin: PathBuf,
    db: PathBuf,
    port: u16,
    child: Child,
    base: String,
}

impl Server {
    async fn start(bin: &Path, db: &Path, port: u16) -> Self {
        let mut child = Command::new(bin)
            .args(["serve", "--api-only", "--listen", &format!("127.0.0.1:{port}"), "--backup-every", "0", "--database"])
            .arg(db)
            .env("NIMO_LOG", "warn")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the server starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.expect("the server says where it listens").expect("stdout").expect("a line");
        let base = line.strip_prefix("nimo listening on ").expect("the listening line").to_owned();
        let port = base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port");
        Self { bin: bin.to_owned(), db: db.to_owned(), port, child, base }
    }

    /// Stops the server (SIGTERM, as systemd does) and starts it again.
    async fn restart(&mut self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: a plain signal to our own child.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        let _ = self.child.wait().await;
        *self = Self::start(&self.bin.clone(), &self.db.clone(), self.port).await;
    }

    /// Resident memory in KiB, from /proc.
    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

/// A device's HTTP client. Its idle connections are dropped after 5 s,
/// before the server's 10 s header timeout closes them; a connection the
/// server closes as it is reused anyway (a slow reader's body finishes
/// late) is sent again (`Http::send`), as a browser does.
fn http() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).no_proxy().timeout(Duration::from_secs(60)).pool_idle_timeout(Duration::from_secs(5)).build().expect("client")
}

/// HTTP as the app's transport, over a signed-in client.
struct Http {
    client: reqwest::Client,
    base: Rc<RefCell<String>>,
}

impl Http {
    async fn answer<T: serde::de::DeserializeOwned>(r: Result<reqwest::Response, reqwest::Error>) -> Result<T, TransportError> {
        // The cause too (a reset, a closed connection, a timeout): the
        // failures are counted by it.
        let r = r.map_err(|e| {
            let mut why = e.to_string().split(" (http").next().unwrap_or_default().to_owned();
            for s in causes(&e) {
                why.push_str(&format!(": {s}"));
            }
            TransportError::Network(why)
        })?;
        let status = r.status().as_u16();
        if status == 200 {
            return r.json().await.map_err(|e| TransportError::Decode(e.to_string()));
        }
        let body: ErrorBody = r.json().await.map_err(|e| TransportError::Decode(e.to_string()))?;
        Err(TransportError::Api { status, body })
    }

    /// Sent again while the server closes kept connections under it: the
    /// pool may hold more than one it has closed.
    async fn send(mut request: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
        let mut tries = 0;
        loop {
            let again = request.try_clone();
            match request.send().await {
                Err(e) if closed_under_it(&e) && tries < 3 => match again {
                    Some(r) => {
                        tries += 1;
                        request = r;
                    }
                    None => return Err(e),
                },
                other => return other,
            }
        }
    }
}

/// What caused an error, the nearest cause first.
fn causes(e: &reqwest::Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(std::error::Error::source(e), |s| s.source())
}

/// Whether a request failed on a kept connection the server had just
/// closed (its header timeout ends an idle keep-alive connection): nothing
/// of it was read, and a browser sends it again on a new connection by
/// itself, as `send` does here. A push is safe to send again (the server
/// answers a mutation it has seen with its first answer).
fn closed_under_it(e: &reqwest::Error) -> bool {
    causes(e).any(|s| s.to_string().contains("connection closed before message completed"))
}

impl Transport for Http {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let base = self.base.borrow().clone();
        Self::answer(Self::send(self.client.post(format!("{base}/api/sync/push")).json(request)).await).await
    }

    async fn pull(&self, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError> {
        let base = self.base.borrow().clone();
        let mut url = format!("{base}/api/sync/pull?schema={}&limit={limit}", nimo_core::SCHEMA_VERSION);
        if let Some(c) = cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        Self::answer(Self::send(self.client.get(url)).await).await
    }
}

struct RealEnv {
    origin: Instant,
    rng: RefCell<Rng>,
}

impl Env for RealEnv {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }

    fn monotonic_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    fn random_bytes(&self, out: &mut [u8]) {
        let mut rng = self.rng.borrow_mut();
        for chunk in out.chunks_mut(8) {
            let r = rng.next().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

type Device = Engine<MemoryStore, Http, RealEnv>;

/// What one device wrote: per record, the last value of each field.
#[derive(Default)]
struct Written(BTreeMap<RecordId, BTreeMap<String, Value>>);

#[derive(Default)]
struct Tally {
    syncs: usize,
    writes: usize,
    /// Failed syncs by kind; only "offline" (the restart) is allowed.
    failures: BTreeMap<String, usize>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = args();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("soak.sqlite3");
    let out = std::process::Command::new(&a.server).args(["create-group", "--name", "耐久試験の会", "--database"]).arg(&db).output().expect("create-group runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.trim().strip_prefix("code: ").map(str::to_owned)).expect("an invite code");
    let mut server = Server::start(&a.server, &db, 0).await;
    let base = Rc::new(RefCell::new(server.base.clone()));

    // The users: a coordinator and the members they invite.
    let setup = Instant::now();
    let coordinator = phone::join(&server.base, http(), &code, "soak0", &nimo_tests::passphrase_of("soak0")).await;
    let group = coordinator.me.groups[0].id.clone();
    // Each user's passphrase keys, derived once (as each of their phones
    // would, once per sign-in).
    let mut passphrase_keys = vec![phone::passphrase_keys(&server.base, "soak0", &nimo_tests::passphrase_of("soak0")).await];
    for i in 1..USERS {
        let code = phone::invite(&server.base, &coordinator, Role::Member).await;
        let login = format!("soak{i}");
        phone::join(&server.base, http(), &code, &login, &nimo_tests::passphrase_of(&login)).await;
        passphrase_keys.push(phone::passphrase_keys(&server.base, &login, &nimo_tests::passphrase_of(&login)).await);
    }
    // Every device signs in on its own.
    let mut devices: Vec<(Rc<Device>, usize)> = Vec::new();
    // One signed-in client per user, to read the server's view at the end.
    let mut readers: HashMap<usize, (reqwest::Client, Keyring)> = HashMap::new();
    for d in 0..a.devices {
        let user = d % USERS;
        let signed_in = phone::login_with_keys(&server.base, http(), &format!("soak{user}"), &passphrase_keys[user]).await;
        readers.entry(user).or_insert_with(|| (signed_in.client.clone(), signed_in.ring.clone()));
        let engine = Engine::new(MemoryStore::new(), Http { client: signed_in.client, base: Rc::clone(&base) }, RealEnv { origin: Instant::now(), rng: RefCell::new(Rng::new(d as u64 + 7)) });
        engine.set_keyring(Some(signed_in.ring));
        engine.start(&signed_in.me.user).await.expect("the device starts");
        devices.push((Rc::new(engine), user));
    }
    eprintln!("soak: {} users, {} devices signed in in {:.0} s; running {} s", USERS, devices.len(), setup.elapsed().as_secs_f64(), a.seconds);

    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let written: Rc<Vec<RefCell<Written>>> = Rc::new((0..devices.len()).map(|_| RefCell::new(Written::default())).collect());
    let tally = Rc::new(RefCell::new(Tally::default()));
    let down = Rc::new(RefCell::new(false));
    // How many restarts so far: a device's first sync after one may fail on
    // a connection its client kept from before (the old process's), however
    // late that sync comes; that failure is the restart's.
    let restarts = Rc::new(std::cell::Cell::new(0u32));
    let local = tokio::task::LocalSet::new();
    for (d, (engine, _)) in devices.iter().enumerate() {
        let (engine, written, tally, down, group, restarts) = (Rc::clone(engine), Rc::clone(&written), Rc::clone(&tally), Rc::clone(&down), group.clone(), Rc::clone(&restarts));
        local.spawn_local(async move {
            let mut rng = Rng::new(d as u64 * 31 + 1);
            let mut synced_after = 0u32;
            tokio::time::sleep(Duration::from_millis(rng.below(2_000) as u64)).await;
            let mut n = 0;
            while Instant::now() < deadline {
                // About one write in ten syncs: a new contact, or an edit of one of its own.
                if rng.chance(100) {
                    n += 1;
                    let mine: Vec<RecordId> = written[d].borrow().0.keys().cloned().collect();
                    let (id, fields) = if mine.is_empty() || rng.chance(500) {
                        let id = engine.new_record_id();
                        (id, vec![("at".to_owned(), json!("2026-11-24T10:00")), ("mode".to_owned(), json!("phone")), ("note".to_owned(), json!(format!("端末{d}の記録 {n}")))])
                    } else {
                        (mine[rng.below(mine.len())].clone(), vec![("note".to_owned(), json!(format!("端末{d}が書き直した {n}")))])
                    };
                    let visibility = Some(if rng.chance(200) { Visibility::Group } else { Visibility::Private });
                    let change = Change { collection: Collection::Contact, id: id.clone(), group: group.clone(), kind: ChangeKind::put(visibility, fields.clone()) };
                    engine.change(change).await.expect("a local change is saved");
                    let mut w = written[d].borrow_mut();
                    let entry = w.0.entry(id).or_default();
                    for (f, v) in fields {
                        entry.insert(f, v);
                    }
                    tally.borrow_mut().writes += 1;
                }
                let result = engine.sync().await;
                let mut t = tally.borrow_mut();
                t.syncs += 1;
                match result {
                    Ok(_) => synced_after = restarts.get(),
                    // The restart: the connection is refused, or cut, while
                    // the server is down, or found dead on the first sync after.
                    Err(SyncError::Offline(_)) if *down.borrow() || synced_after < restarts.get() => {
                        *t.failures.entry("offline during the restart".into()).or_default() += 1
                    }
                    // One line per kind of failure, not per URL.
                    Err(e) => *t.failures.entry(e.to_string().split(" (http").next().unwrap_or_default().to_owned()).or_default() += 1,
                }
                drop(t);
                tokio::time::sleep(Duration::from_millis(rng.below(4_000) as u64)).await;
            }
        });
    }

    // The operator's side: memory samples, a backup, a restart.
    let memory: Rc<RefCell<Vec<(u32, f64, u64)>>> = Rc::new(RefCell::new(Vec::new()));
    let mut process = 0u32;
    let total = a.seconds as f64;
    let (mut backed_up, mut restarted) = (false, false);
    local
        .run_until(async {
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let at = started.elapsed().as_secs_f64();
                if let Some(kib) = server.rss_kib() {
                    memory.borrow_mut().push((process, at, kib));
                }
                if !backed_up && at > total / 3.0 {
                    backed_up = true;
                    let out = Command::new(&a.server).args(["backup", "--database"]).arg(&db).output().await.expect("backup runs");
                    assert!(out.status.success(), "the backup in the middle failed: {}", String::from_utf8_lossy(&out.stderr));
                    eprintln!("soak: backup at {at:.0} s");
                }
                if !restarted && at > total / 2.0 {
                    restarted = true;
                    *down.borrow_mut() = true;
                    restarts.set(restarts.get() + 1);
                    server.restart().await;
                    *base.borrow_mut() = server.base.clone();
                    process += 1;
                    eprintln!("soak: server restarted at {at:.0} s");
                    // Syncs in flight at the restart may still fail for a moment.
                    let down = Rc::clone(&down);
                    tokio::task::spawn_local(async move {
                        tokio::time::sleep(Duration::from_secs(10)).await;
                        *down.borrow_mut() = false;
                    });
                }
            }
            // Let every device's last sync end.
            tokio::time::sleep(Duration::from_secs(5)).await;
        })
        .await;
    local.await;

    // Everything sent: each device syncs until nothing is left.
    for (d, (engine, _)) in devices.iter().enumerate() {
        for attempt in 0.. {
            match engine.sync().await {
                Ok(_) if engine.unsent().await.unwrap_or(1) == 0 => break,
                _ if attempt < 5 => tokio::time::sleep(Duration::from_millis(200)).await,
                other => panic!("device {d} cannot finish sending: {other:?}"),
            }
        }
    }
    // A second round, so that every device has what the others sent last.
    for (engine, _) in &devices {
        engine.sync().await.expect("a final pull");
    }

    // What the server holds, as each user sees it.
    let mut server_view: HashMap<usize, BTreeMap<RecordId, Record>> = HashMap::new();
    for (user, (c, ring)) in &readers {
        let pages = nimo_tests::protocol::pull_all(c, &server.base, None).await;
        // Opened as the user's phones open them.
        server_view.insert(*user, pages.into_iter().flat_map(|p| p.records).map(|r| (r.id.clone(), ring.open_record(&r).0)).collect());
    }
    let mut problems = Vec::new();
    for (d, (engine, user)) in devices.iter().enumerate() {
        let view = &server_view[user];
        for (id, fields) in &written[d].borrow().0 {
            match view.get(id) {
                None => problems.push(format!("device {d}: record {id} is not on the server")),
                Some(r) => {
                    for (f, v) in fields {
                        // Another device of the same user may have written later.
                        let later = devices.iter().enumerate().any(|(o, (_, u))| o != d && u == user && written[o].borrow().0.get(id).is_some_and(|w| w.contains_key(f)));
                        if r.get(f) != Some(v) && !later {
                            problems.push(format!("device {d}: {id}.{f} is {:?} on the server, {v} as written", r.get(f)));
                        }
                    }
                }
            }
        }
        let held: Vec<Record> = engine.store.snapshot().records.into_values().collect();
        if held.len() != view.len() || held.iter().any(|r| view.get(&r.id) != Some(r)) {
            problems.push(format!("device {d} holds {} records, the server {} for its user, or they differ", held.len(), view.len()));
        }
    }

    let t = tally.borrow();
    let samples = memory.borrow();
    let mean = |process: u32, first: bool| -> Option<f64> {
        let of: Vec<&(u32, f64, u64)> = samples.iter().filter(|s| s.0 == process).collect();
        let (from, to) = (of.first()?.1, of.last()?.1);
        // The first and the last minute of the process (a third of a short run).
        let window = ((to - from) / 3.0).min(60.0);
        let picked: Vec<f64> = of.iter().filter(|s| if first { s.1 <= from + window } else { s.1 >= to - window }).map(|s| s.2 as f64 / 1024.0).collect();
        (!picked.is_empty()).then(|| picked.iter().sum::<f64>() / picked.len() as f64)
    };
    let mut report = json!({
        "devices": devices.len(),
        "users": USERS,
        "seconds": a.seconds,
        "syncs": t.syncs,
        "writes": t.writes,
        "failures": t.failures,
        "lost_or_wrong": problems.len(),
    });
    for p in 0..=process {
        report[format!("server{p}_rss_mib_first")] = json!(mean(p, true).map(|m| (m * 10.0).round() / 10.0));
        report[format!("server{p}_rss_mib_last")] = json!(mean(p, false).map(|m| (m * 10.0).round() / 10.0));
    }
    println!("{report}");
    let unexpected: Vec<_> = t.failures.iter().filter(|(k, _)| !k.starts_with("offline during the restart")).collect();
    if !problems.is_empty() || !unexpected.is_empty() || !restarted || !backed_up {
        for p in problems.iter().take(20) {
            eprintln!("soak: {p}");
        }
        eprintln!("soak: failed ({} records lost or wrong; unexpected failures {unexpected:?})", problems.len());
        // exit() runs no destructors: stop the server and remove its files first.
        drop(server);
        drop(dir);
        std::process::exit(1);
    }
    eprintln!("soak: no acknowledged write lost, every device equal to the server");
    drop(server);
    drop(dir);
}

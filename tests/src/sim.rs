//! A randomized simulation of several devices syncing through the server's
//! real storage layer, with the network dropping requests before or after
//! the server commits, delivering them twice or late, and the server
//! restarting. Each case is one seed; a failing seed can be replayed alone
//! with `NIMO_SIM_SEED=<seed>`.
//!
//! The wire is simulated faithfully: requests and answers go through JSON
//! and the server's own body parser, so the shapes are tested too.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

use nimo_core::api::{ErrorBody, GroupKeyInit};
use nimo_core::crypto::keyring::Keyring;
use nimo_core::crypto::{Key, account, b64};
use nimo_core::sync::client::{Change, ChangeKind, Engine, Env, Transport, TransportError};
use nimo_core::sync::collection::{Collection, Role, Visibility, access};
use nimo_core::sync::hlc::Hlc;
use nimo_core::sync::ids::{GroupId, RecordId, UserId};
use nimo_core::sync::memory::MemoryStore;
use nimo_core::sync::protocol::{AckResult, Mutation, Op, PullResponse, PushRequest, PushResponse};
use nimo_core::sync::record::Record;
use nimo_server::caller::Caller;
use nimo_server::error::ApiError;
use nimo_server::storage::keys::{self, StoredAccount};
use nimo_server::storage::{Database, Durability, accounts, records};
use nimo_server::storage::accounts::Carrier;
use serde_json::{Value, json};

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `per_mille`/1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

/// What the network does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// Lost on the way: the server never sees it.
    DropBefore,
    /// The server commits, the answer is lost.
    DropAfter,
    /// Delivered twice.
    Duplicate,
    /// A copy is kept and delivered later, out of order.
    Late,
    /// The server restarts just before it arrives.
    Restart,
}

/// The server side: a database file that can be closed and reopened.
pub struct Server {
    path: PathBuf,
    db: Option<Database>,
}

impl Server {
    fn open(path: PathBuf) -> Self {
        let db = Database::open_with(&path, Durability::Fast, None).expect("open");
        Self { path, db: Some(db) }
    }

    fn db(&self) -> Database {
        self.db.clone().expect("the server is running")
    }

    fn restart(&mut self) {
        self.db = None;
        self.db = Some(Database::open_with(&self.path, Durability::Fast, None).expect("reopen"));
    }

    /// Stops, puts the backup in place (new epoch), starts again.
    fn restore(&mut self, backup: &std::path::Path) {
        self.db = None;
        nimo_server::storage::restore(backup, &self.path).expect("restore");
        self.db = Some(Database::open_with(&self.path, Durability::Fast, None).expect("reopen"));
    }
}

/// What every simulated device shares: the server, the network's dice, the
/// late deliveries, and the log of what the server committed.
pub struct Net {
    server: RefCell<Server>,
    rng: RefCell<Rng>,
    faults: Cell<bool>,
    late: RefCell<Vec<(Vec<u8>, String)>>,
    /// Every mutation the server applied, with the answer it gave.
    committed: RefCell<Vec<(Mutation, AckResult)>>,
    /// Simulated wall clock (ms).
    clock: Cell<u64>,
    /// How often the hard cases happened, so a run can show it covered them.
    pub stats: Cell<Stats>,
}

/// Counts of the hard cases a run went through.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Pushes refused because a device's clock was ahead (then re-stamped).
    pub clock_ahead: usize,
    /// Edits saved through a form opened before the record changed.
    pub stale_forms: usize,
    /// Edits refused because the record had been deleted.
    pub edits_of_deleted: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.clock_ahead += o.clock_ahead;
        self.stale_forms += o.stale_forms;
        self.edits_of_deleted += o.edits_of_deleted;
    }
}

impl Net {
    fn count(&self, f: impl FnOnce(&mut Stats)) {
        let mut stats = self.stats.get();
        f(&mut stats);
        self.stats.set(stats);
    }
}


impl Net {
    fn fault(&self) -> Fault {
        if !self.faults.get() {
            return Fault::None;
        }
        let mut rng = self.rng.borrow_mut();
        match rng.below(100) {
            0..=59 => Fault::None,
            60..=69 => Fault::DropBefore,
            70..=79 => Fault::DropAfter,
            80..=86 => Fault::Duplicate,
            87..=94 => Fault::Late,
            _ => Fault::Restart,
        }
    }

    async fn caller(&self, token_hash: &[u8]) -> Result<Caller, ApiError> {
        let hash = token_hash.to_vec();
        let now = self.clock.get();
        let db = self.server.borrow().db();
        Ok(db.read(move |tx| accounts::authenticate(tx, &hash, Carrier::Cookie, now)).await?.0)
    }

    /// Delivers one push body to the server, as the HTTP handler would.
    async fn deliver_push(&self, token_hash: &[u8], body: &str) -> Result<String, TransportError> {
        let caller = self.caller(token_hash).await.map_err(api_error)?;
        let request: PushRequest = nimo_server::json::parse(body.as_bytes()).map_err(api_error)?;
        let now = self.clock.get();
        let db = self.server.borrow().db();
        let req = request.clone();
        let pushed = db.write_journaled(move |tx, w| records::push(tx, &caller, &req, now, w)).await;
        if matches!(pushed, Err(nimo_server::storage::StorageError::ClockAhead { .. })) {
            self.count(|s| s.clock_ahead += 1);
        }
        let (epoch, acks, next_seq) = pushed.map_err(api_error)?;
        for ack in &acks {
            if matches!(ack.result, AckResult::Rejected { error: nimo_core::api::ErrorCode::Deleted, .. }) {
                self.count(|s| s.edits_of_deleted += 1);
            }
            if matches!(ack.result, AckResult::Duplicate) {
                continue;
            }
            if let Some(m) = request.mutations.iter().find(|m| m.seq == ack.seq) {
                self.committed.borrow_mut().push((m.clone(), ack.result.clone()));
            }
        }
        let response = PushResponse { epoch, acks, next_seq, server_ms: now };
        Ok(serde_json::to_string(&response).expect("serialise"))
    }

    async fn deliver_late(&self) {
        let late: Vec<_> = self.late.borrow_mut().drain(..).collect();
        for (token, body) in late {
            let _ = self.deliver_push(&token, &body).await;
        }
    }
}

fn api_error(e: impl Into<ApiError>) -> TransportError {
    let e = e.into();
    TransportError::Api { status: e.status().as_u16(), body: e.body() }
}

/// One device's connection to the server through the faulty network.
pub struct SimTransport {
    net: Rc<Net>,
    token_hash: Vec<u8>,
}

impl Transport for SimTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let body = serde_json::to_string(request).expect("serialise");
        let fault = self.net.fault();
        if self.net.faults.get() && self.net.rng.borrow_mut().chance(300) {
            self.net.deliver_late().await;
        }
        let answer = match fault {
            Fault::DropBefore => return Err(TransportError::Network("dropped before".into())),
            Fault::DropAfter => {
                let _ = self.net.deliver_push(&self.token_hash, &body).await;
                return Err(TransportError::Network("dropped after".into()));
            }
            Fault::Duplicate => {
                let _ = self.net.deliver_push(&self.token_hash, &body).await;
                self.net.deliver_push(&self.token_hash, &body).await?
            }
            Fault::Late => {
                self.net.late.borrow_mut().push((self.token_hash.clone(), body.clone()));
                self.net.deliver_push(&self.token_hash, &body).await?
            }
            Fault::Restart => {
                self.net.server.borrow_mut().restart();
                self.net.deliver_push(&self.token_hash, &body).await?
            }
            Fault::None => self.net.deliver_push(&self.token_hash, &body).await?,
        };
        if std::env::var("NIMO_SIM_TRACE").is_ok() {
            eprintln!("dev{} push {:?} -> {answer}", self.token_hash[0], request.mutations.iter().map(|m| (m.seq, &m.id.as_str()[..13], match &m.op { Op::Put { visibility, fields } => format!("put{}{:?}", if visibility.is_some() { "+vis" } else { "" }, fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>()), Op::Delete { .. } => "del".into(), Op::Resolve { .. } => "res".into() })).collect::<Vec<_>>());
        }
        serde_json::from_str(&answer).map_err(|e| TransportError::Decode(e.to_string()))
    }

    async fn pull(&self, cursor: Option<&str>, limit: u32) -> Result<PullResponse, TransportError> {
        let fault = self.net.fault();
        if fault == Fault::DropBefore {
            return Err(TransportError::Network("dropped before".into()));
        }
        if fault == Fault::Restart {
            self.net.server.borrow_mut().restart();
        }
        let caller = self.net.caller(&self.token_hash).await.map_err(api_error)?;
        let now = self.net.clock.get();
        let db = self.net.server.borrow().db();
        let cursor = cursor.map(str::to_owned);
        // Small pages, so that paging is exercised.
        let limit = limit.min(4);
        let page = db.read(move |tx| records::pull(tx, &caller, cursor.as_deref(), limit, now)).await;
        if std::env::var("NIMO_SIM_TRACE").is_ok() {
            eprintln!("dev{} pull -> {:?}", self.token_hash[0], page.as_ref().map(|p| (p.records.iter().map(|r| &r.get()[7..20]).collect::<Vec<_>>(), &p.removed, &p.cursor, p.more)).map_err(|e| e.to_string()));
        }
        let page = page.map_err(api_error)?;
        if fault == Fault::DropAfter {
            return Err(TransportError::Network("dropped after".into()));
        }
        let body = serde_json::to_string(&page).expect("serialise");
        serde_json::from_str(&body).map_err(|e| TransportError::Decode(e.to_string()))
    }
}

pub struct SimEnv {
    net: Rc<Net>,
    /// This device's wall-clock error; its owner may change it at any time.
    skew: Cell<i64>,
    /// Where this device's monotonic clock started.
    origin: u64,
}

impl Env for SimEnv {
    fn now_ms(&self) -> u64 {
        (self.net.clock.get() as i64 + self.skew.get()).max(0) as u64
    }

    fn monotonic_ms(&self) -> u64 {
        self.net.clock.get() - self.origin
    }

    fn random_bytes(&self, out: &mut [u8]) {
        let mut rng = self.net.rng.borrow_mut();
        for chunk in out.chunks_mut(8) {
            let r = rng.next().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

pub struct Device {
    pub user: usize,
    pub engine: Engine<MemoryStore, SimTransport, SimEnv>,
    /// Records this device has seen deleted: they must never come back.
    pub seen_deleted: HashSet<RecordId>,
    /// Forms left open: the record as it was when the form was opened.
    pub open_forms: Vec<Record>,
}

struct User {
    id: UserId,
    group: GroupId,
    role: Role,
    /// What this user's devices hold: their key pair's private half and
    /// their group's key.
    ring: Keyring,
}

/// One simulated case: a server, two groups, four devices of three users.
pub struct Case {
    pub seed: u64,
    net: Rc<Net>,
    /// A backup taken during the run, and how many commits it holds.
    backup: Option<(PathBuf, usize)>,
    pub restored: bool,
    users: Vec<User>,
    pub devices: Vec<Device>,
    _dir: tempfile::TempDir,
}

const NOTES: &[&str] = &["眠れないと話した", "家族のことで相談", "", "来週また電話する", "病院に行けた", "Called back, feeling better"];
const PEOPLE: &[&str] = &["Aさん", "Bさん", "K.T.", "ゆう"];

impl Case {
    pub async fn new(seed: u64) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = Server::open(dir.path().join("sim.sqlite3"));
        let net = Rc::new(Net {
            server: RefCell::new(server),
            rng: RefCell::new(Rng::new(seed)),
            faults: Cell::new(true),
            late: RefCell::new(Vec::new()),
            committed: RefCell::new(Vec::new()),
            clock: Cell::new(1_790_000_000_000),
            stats: Cell::new(Stats::default()),
        });
        let db = net.server.borrow().db();
        let g1 = GroupId::new_v7(1, [1; 10]);
        let g2 = GroupId::new_v7(1, [2; 10]);
        // Every value is sealed as the app seals it: each group has a key
        // (epoch 1), each user a keyring holding it.
        let group_keys = [(g1.clone(), Key::from_bytes([seed as u8; 32])), (g2.clone(), Key::from_bytes([seed as u8 ^ 0x5a; 32]))];
        let user = |n: u8, group: &GroupId, role| {
            let id = UserId::new_v7(1, [n; 10]);
            let mut ring = Keyring::new(id.clone(), Key::from_bytes([n; 32]));
            for (g, k) in &group_keys {
                if g == group {
                    ring.add_epoch(g, 1, k.clone());
                }
            }
            User { id, group: group.clone(), role, ring }
        };
        let users = vec![user(10, &g1, Role::Coordinator), user(11, &g1, Role::Member), user(12, &g2, Role::Member)];
        // (user, device token): user 0 has two devices.
        let device_users = [0usize, 0, 1, 2];
        let setup: Vec<(UserId, GroupId, Role, String)> = users.iter().map(|u| (u.id.clone(), u.group.clone(), u.role, account::public_key(u.ring.secret()))).collect();
        let now = net.clock.get();
        db.write(move |tx| {
            accounts::create_group(tx, &g1, "G1", "family_association", 0)?;
            accounts::create_group(tx, &g2, "G2", "peer_support", 0)?;
            // The server's side of the keys: nothing here is ever opened in
            // the simulation, so placeholders of the right sizes stand in
            // for the sealed parts.
            let blob = |n: usize| b64(&vec![0u8; n]);
            for (i, (user, group, role, public_key)) in setup.iter().enumerate() {
                let stored = StoredAccount {
                    kdf: account::new_kdf(&|out: &mut [u8]| out.fill(7)),
                    auth_hash: "x".into(),
                    public_key: public_key.clone(),
                    wrapped_secret: blob(60),
                    wrapped_secret_recovery: blob(60),
                    recovery_hash: Vec::new(),
                };
                accounts::create_user(tx, user, &format!("user{i}"), &format!("User {i}"), &stored, 0)?;
                accounts::add_member(tx, group, user, *role, 0)?;
                if keys::current_epoch(tx, group)?.is_none() {
                    keys::init_group(tx, group, user, &GroupKeyInit { envelope: blob(92), recovery_public_key: blob(32), recovery_envelope: blob(92) }, 0)?;
                }
            }
            for (d, u) in device_users.iter().enumerate() {
                let device = nimo_core::sync::ids::DeviceId::new_v7(1, [d as u8 + 100; 10]);
                accounts::create_session(tx, &setup[*u].0, &device, &[d as u8; 32], "sim", Carrier::Cookie, now)?;
            }
            Ok::<_, ApiError>(())
        })
        .await
        .expect("setup");
        let mut devices = Vec::new();
        for (d, &u) in device_users.iter().enumerate() {
            let skew = (net.rng.borrow_mut().below(20_001) as i64) - 10_000;
            let origin = net.rng.borrow_mut().below(1_000_000) as u64;
            let engine = Engine::new(
                MemoryStore::new(),
                SimTransport { net: Rc::clone(&net), token_hash: vec![d as u8; 32] },
                SimEnv { net: Rc::clone(&net), skew: Cell::new(skew), origin },
            );
            engine.set_keyring(Some(users[u].ring.clone()));
            engine.start(&users[u].id).await.expect("start");
            devices.push(Device { user: u, engine, seen_deleted: HashSet::new(), open_forms: Vec::new() });
        }
        Self { seed, net, backup: None, restored: false, users, devices, _dir: dir }
    }

    pub fn stats(&self) -> Stats {
        self.net.stats.get()
    }

    /// Turns the network's faults on or off (scenario tests want none).
    pub fn set_faults(&self, on: bool) {
        self.net.faults.set(on);
    }

    /// Lets time pass.
    pub fn advance(&self, ms: u64) {
        self.net.clock.set(self.net.clock.get() + ms);
    }

    /// The server's clock.
    pub fn server_now(&self) -> u64 {
        self.net.clock.get()
    }

    /// Sets a device's wall clock off by `ms` more (its owner changed it).
    pub fn shift_wall_clock(&self, d: usize, ms: i64) {
        let skew = &self.devices[d].engine.env.skew;
        skew.set(skew.get() + ms);
    }

    /// The group of device `d`'s user.
    pub fn group_of(&self, d: usize) -> GroupId {
        self.users[self.devices[d].user].group.clone()
    }

    /// A record as device `d` holds it.
    pub async fn record_on(&self, d: usize, id: &RecordId) -> Option<Record> {
        self.local(d).await.remove(id)
    }

    /// A record as the server holds it for device `d`'s user.
    pub async fn record_on_server(&self, d: usize, id: &RecordId) -> Option<Record> {
        self.server_view(self.devices[d].user).await.remove(id)
    }

    fn roll(&self, n: usize) -> usize {
        self.net.rng.borrow_mut().below(n)
    }

    fn chance(&self, per_mille: u64) -> bool {
        self.net.rng.borrow_mut().chance(per_mille)
    }

    /// Runs `steps` random steps.
    pub async fn run(&mut self, steps: usize) {
        for _ in 0..steps {
            self.net.clock.set(self.net.clock.get() + 1 + self.roll(5_000) as u64);
            let d = self.roll(self.devices.len());
            let roll = self.roll(100);
            if std::env::var("NIMO_SIM_TRACE").is_ok() {
                eprintln!("step: device {d} roll {roll}");
            }
            match roll {
                0..=29 => self.create(d).await,
                30..=59 => self.edit(d).await,
                60..=66 => self.delete(d).await,
                67..=68 => self.resolve(d).await,
                69..=70 => self.purge().await,
                71..=72 => self.net.server.borrow_mut().restart(),
                73 => self.backup_or_restore().await,
                74..=75 => self.jump_clock(d),
                // A reload: the monotonic clock starts again, the anchor is gone.
                76 => self.devices[d].engine.forget_anchor(),
                77..=84 => self.open_form(d).await,
                _ => self.sync(d).await,
            }
        }
    }

    /// The owner sets the phone's clock two hours off (mostly ahead).
    fn jump_clock(&self, d: usize) {
        let jump = if self.chance(700) { 2 * 3600 * 1000 } else { -2 * 3600 * 1000 };
        let skew = &self.devices[d].engine.env.skew;
        skew.set(skew.get() + jump);
    }

    /// Opens a form on a record, and leaves it open for a later edit.
    async fn open_form(&mut self, d: usize) {
        let local = self.local(d).await;
        let live: Vec<&Record> = local.values().filter(|r| !r.is_deleted()).collect();
        if live.is_empty() {
            return;
        }
        let record = live[self.roll(live.len())].clone();
        let forms = &mut self.devices[d].open_forms;
        forms.retain(|f| f.id != record.id);
        forms.push(record);
    }

    async fn purge(&self) {
        // Forget every tombstone: devices behind must start over.
        let db = self.net.server.borrow().db();
        let now = self.net.clock.get();
        db.write(move |tx| records::purge(tx, now + 1).map_err(ApiError::from)).await.expect("purge");
    }

    /// Takes a backup the first time, restores it (a new epoch) the second:
    /// the server forgets everything committed in between.
    async fn backup_or_restore(&mut self) {
        match self.backup.take() {
            None => {
                let path = self._dir.path().join(format!("backup-{}.sqlite3", self.net.clock.get()));
                let db = self.net.server.borrow().db();
                db.backup(&path).await.expect("backup");
                self.backup = Some((path, self.net.committed.borrow().len()));
            }
            Some((path, commits)) => {
                self.net.server.borrow_mut().restore(&path);
                // What was committed after the backup is gone from the server;
                // devices resend what they still hold, and that is checked.
                self.net.committed.borrow_mut().truncate(commits);
                self.net.late.borrow_mut().clear();
                self.restored = true;
            }
        }
    }

    async fn local(&self, d: usize) -> BTreeMap<RecordId, Record> {
        self.devices[d].engine.store.snapshot().records.into_values().map(|r| (r.id.clone(), r)).collect()
    }

    async fn create(&mut self, d: usize) {
        let user = &self.users[self.devices[d].user];
        let (group, role) = (user.group.clone(), user.role);
        let which = self.roll(10);
        let (collection, visibility, fields) = match which {
            0..=5 => {
                let vis = if self.chance(500) { Visibility::Private } else { Visibility::Group };
                let note = NOTES[self.roll(NOTES.len())];
                let person = PEOPLE[self.roll(PEOPLE.len())];
                (Collection::Contact, vis, vec![
                    ("at", json!("2026-11-24T10:00")),
                    ("mode", json!("phone")),
                    ("person", json!(person)),
                    ("note", json!(note)),
                ])
            }
            6..=8 => (Collection::Meeting, Visibility::Group, vec![
                ("body", json!("○○市 にも包括 協議の場")),
                ("level", json!("municipal")),
                ("date", json!("2026-12-01")),
                ("agenda", json!(NOTES[self.roll(NOTES.len())])),
            ]),
            // Members may not create directory entries: a rejection.
            _ => (Collection::Window, Visibility::Group, vec![
                ("name", json!("○○市 障害福祉課")),
                ("type", json!("municipal_welfare")),
                ("note", json!(if role == Role::Member { "a member tried" } else { "coordinator's entry" })),
            ]),
        };
        let id = self.devices[d].engine.new_record_id();
        let change = Change {
            collection,
            id,
            group,
            kind: ChangeKind::put(Some(visibility), fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
        };
        self.devices[d].engine.change(change).await.expect("a valid create is saved");
    }

    async fn edit(&mut self, d: usize) {
        let local = self.local(d).await;
        let user = &self.users[self.devices[d].user];
        let (me, role) = (user.id.clone(), user.role);
        let candidates: Vec<&Record> = local
            .values()
            .filter(|r| !r.is_deleted() && access::can_update(r.collection, role, r.owner == me, r.visibility.v))
            .collect();
        if candidates.is_empty() {
            return;
        }
        // Often the record of a form left open while the record changed
        // underneath it (a sync brought another device's edit), saved now.
        let with_form: Vec<&Record> = candidates
            .iter()
            .copied()
            .filter(|r| self.devices[d].open_forms.iter().any(|f| f.id == r.id && f.max_stamp() != r.max_stamp()))
            .collect();
        let record = if !with_form.is_empty() && self.chance(700) {
            with_form[self.roll(with_form.len())].clone()
        } else {
            candidates[self.roll(candidates.len())].clone()
        };
        let text = format!("{} #{}", NOTES[self.roll(NOTES.len())], self.roll(1000));
        let mut fields: Vec<(String, Value)> = Vec::new();
        let mut visibility = None;
        match record.collection {
            Collection::Contact => {
                fields.push(("note".into(), json!(text)));
                if self.chance(300) {
                    fields.push(("person".into(), json!(PEOPLE[self.roll(PEOPLE.len())])));
                }
                if record.owner == me && self.chance(200) {
                    visibility = Some(if record.visibility.v == Visibility::Group { Visibility::Private } else { Visibility::Group });
                }
            }
            Collection::Meeting => {
                fields.push(("agenda".into(), json!(text)));
                if self.chance(300) {
                    fields.push(("status".into(), json!(["planned", "held", "cancelled"][self.roll(3)])));
                }
            }
            _ => fields.push(("note".into(), json!(text))),
        }
        // Sometimes through a form opened a while ago (the record may have
        // changed underneath it, or been deleted).
        let seen = self.devices[d].open_forms.iter().find(|f| f.id == record.id).cloned().map(Box::new);
        if seen.as_ref().is_some_and(|s| s.max_stamp() != record.max_stamp()) {
            self.net.count(|s| s.stale_forms += 1);
        }
        let change = Change { collection: record.collection, id: record.id, group: record.group, kind: ChangeKind::Put { visibility, fields, seen } };
        self.devices[d].engine.change(change).await.expect("a valid edit is saved");
    }

    async fn delete(&mut self, d: usize) {
        let local = self.local(d).await;
        let user = &self.users[self.devices[d].user];
        let (me, role) = (user.id.clone(), user.role);
        let candidates: Vec<&Record> =
            local.values().filter(|r| !r.is_deleted() && access::can_delete(r.collection, role, r.owner == me)).collect();
        if candidates.is_empty() {
            return;
        }
        let record = candidates[self.roll(candidates.len())].clone();
        let change = Change { collection: record.collection, id: record.id, group: record.group, kind: ChangeKind::Delete };
        self.devices[d].engine.change(change).await.expect("a delete is saved");
    }

    async fn resolve(&mut self, d: usize) {
        let local = self.local(d).await;
        let user = &self.users[self.devices[d].user];
        let (me, role) = (user.id.clone(), user.role);
        let found = local.values().find_map(|r| {
            let writable = access::can_update(r.collection, role, r.owner == me, r.visibility.v);
            r.open_conflicts().next().filter(|_| writable).map(|c| (r.clone(), c.field.clone(), c.t))
        });
        if let Some((record, field, t)) = found {
            let change = Change { collection: record.collection, id: record.id, group: record.group, kind: ChangeKind::Resolve { field, t } };
            self.devices[d].engine.change(change).await.expect("a resolve is saved");
        }
    }

    pub async fn sync(&mut self, d: usize) {
        // Failures are expected under faults; what matters is the end state.
        let _ = self.devices[d].engine.sync().await;
        self.check_no_resurrection(d).await;
    }

    async fn check_no_resurrection(&mut self, d: usize) {
        let local = self.local(d).await;
        let device = &mut self.devices[d];
        for r in local.values() {
            if r.is_deleted() {
                device.seen_deleted.insert(r.id.clone());
            } else if !self.restored {
                // After a restore from a backup older than a delete, the
                // record is live again on the server until a device of someone
                // allowed to delete it repairs that; other devices may show it
                // meanwhile. Outside restores, a delete is final.
                assert!(!device.seen_deleted.contains(&r.id), "seed {}: record {} came back after a delete on device {d}", self.seed, r.id);
            }
        }
    }

    /// Turns the faults off and syncs everyone until nothing is left to send.
    pub async fn settle(&mut self) {
        self.net.faults.set(false);
        self.net.deliver_late().await;
        for _round in 0..6 {
            for d in 0..self.devices.len() {
                self.devices[d].engine.sync().await.unwrap_or_else(|e| panic!("seed {}: device {d} cannot sync: {e}", self.seed));
                self.check_no_resurrection(d).await;
            }
            let mut pending = 0;
            for device in &self.devices {
                pending += device.engine.unsent().await.expect("outbox");
            }
            if pending == 0 {
                break;
            }
        }
        // One more round so everyone pulls what the last pushes sent.
        for d in 0..self.devices.len() {
            self.devices[d].engine.sync().await.unwrap_or_else(|e| panic!("seed {}: device {d}: {e}", self.seed));
        }
    }

    /// Everything the server holds for a user, through a full pull.
    async fn server_view(&self, user: usize) -> BTreeMap<RecordId, Record> {
        let token = (0..self.devices.len()).find(|d| self.devices[*d].user == user).expect("a device") as u8;
        let transport = SimTransport { net: Rc::clone(&self.net), token_hash: vec![token; 32] };
        let mut cursor: Option<String> = None;
        let mut out = BTreeMap::new();
        loop {
            let page = transport.pull(cursor.as_deref(), 1000).await.expect("pull");
            for gone in page.removed {
                out.remove(&gone);
            }
            for r in page.records {
                // Opened as the user's devices open it.
                out.insert(r.id.clone(), self.users[user].ring.open_record(&r).0);
            }
            cursor = Some(page.cursor);
            if !page.more {
                return out;
            }
        }
    }

    /// The guarantees, checked after `settle`.
    pub async fn check(&self) {
        let seed = self.seed;
        for (d, device) in self.devices.iter().enumerate() {
            let unsent = device.engine.unsent().await.expect("outbox");
            assert_eq!(unsent, 0, "seed {seed}: device {d} still has {unsent} unsent changes");
            let user = &self.users[device.user];
            let server = self.server_view(device.user).await;
            let local = self.local(d).await;
            let live = |m: &BTreeMap<RecordId, Record>| -> BTreeMap<RecordId, Record> {
                m.iter().filter(|(_, r)| !r.is_deleted()).map(|(k, r)| (k.clone(), r.clone())).collect()
            };
            let (server_live, local_live) = (live(&server), live(&local));
            if server_live != local_live {
                let only_local: Vec<_> = local_live.keys().filter(|k| !server_live.contains_key(*k)).collect();
                let only_server: Vec<_> = server_live.keys().filter(|k| !local_live.contains_key(*k)).collect();
                let differ: Vec<_> = local_live.iter().filter(|(k, r)| server_live.get(*k).is_some_and(|s| s != *r)).map(|(k, r)| (r, &server_live[k])).collect();
                panic!("seed {seed}: device {d} differs from the server.\nonly on device: {only_local:?}\nonly on server: {only_server:?}\ndiffer: {differ:#?}");
            }
            for r in local.values() {
                assert_eq!(r.group, user.group, "seed {seed}: device {d} holds a record of another group");
                if r.visibility.v == Visibility::Private && !r.is_deleted() {
                    assert_eq!(r.owner, user.id, "seed {seed}: device {d} holds someone else's private record");
                }
            }
        }
        self.check_no_write_lost().await;
    }

    /// Every committed write is either the current value, superseded by a
    /// later stamp (for plain fields), kept as a conflict, or knowingly
    /// overwritten by someone who had seen it (for free text).
    async fn check_no_write_lost(&self) {
        let seed = self.seed;
        let db = self.net.server.borrow().db();
        let bodies: Vec<String> = db
            .read(|tx| {
                let mut stmt = tx.prepare("SELECT body FROM records").map_err(nimo_server::storage::StorageError::from)?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(nimo_server::storage::StorageError::from)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(|e| ApiError::from(nimo_server::storage::StorageError::from(e)))
            })
            .await
            .expect("read records");
        let server: HashMap<RecordId, Record> =
            bodies.iter().map(|b| serde_json::from_str::<Record>(b).expect("stored record")).map(|r| (r.id.clone(), r)).collect();
        let committed = self.net.committed.borrow();
        let applied: Vec<&Mutation> = committed.iter().filter(|(_, r)| matches!(r, AckResult::Applied)).map(|(m, _)| m).collect();
        let saw = |id: &RecordId, field: &str, t: &Hlc| {
            applied.iter().any(|m| {
                m.id == *id
                    && matches!(&m.op, Op::Put { fields, .. } if fields.iter().any(|w| w.field == field && w.t > *t && w.base.as_ref().is_some_and(|b| b >= t)))
            })
        };
        for m in &applied {
            let Some(record) = server.get(&m.id) else {
                // Only tombstones are purged.
                continue;
            };
            if record.is_deleted() {
                continue;
            }
            match &m.op {
                Op::Delete { .. } => panic!("seed {seed}: record {} was deleted, then came back", m.id),
                Op::Put { fields, visibility } => {
                    if let Some(v) = visibility {
                        assert!(record.visibility.t >= v.t, "seed {seed}: a visibility change of {} was lost", m.id);
                    }
                    let note_fields = nimo_core::collections::schema(m.collection);
                    // Texts compared opened: the same text sealed twice (a
                    // repair after a restore) is two different ciphertexts.
                    let open = |v: &Value, field: &str, t: &Hlc| self.open_value(record, m, v, field, t);
                    for w in fields {
                        let current = record.fields.get(&w.field).unwrap_or_else(|| panic!("seed {seed}: field {} of {} vanished", w.field, m.id));
                        assert!(current.t >= w.t, "seed {seed}: a later write of {}.{} was replaced by an older one", m.id, w.field);
                        let is_note = note_fields.kind(&w.field).is_some_and(|k| k.is_note());
                        if !is_note || current.v == w.v {
                            continue;
                        }
                        let written = open(&w.v, &w.field, &w.t);
                        if written.as_str().is_some_and(|s| s.trim().is_empty()) || open(&current.v, &w.field, &current.t) == written {
                            continue;
                        }
                        let kept = record.conflicts.iter().any(|c| c.field == w.field && c.t == w.t);
                        assert!(
                            kept || saw(&m.id, &w.field, &w.t),
                            "seed {seed}: the text {:?} written to {}.{} at {:?} was lost without a conflict",
                            w.v, m.id, w.field, w.t
                        );
                    }
                }
                Op::Resolve { .. } => {}
            }
        }
        // Rejected changes are never silently dropped: each device that made
        // one keeps it in its log.
        for (m, result) in committed.iter() {
            if let AckResult::Rejected { .. } = result {
                // Compared without stamps: a change queued again after the
                // server said the device's clock was ahead carries new ones.
                let logged = self.devices.iter().any(|d| {
                    d.engine.store.snapshot().state.is_some_and(|s| s.rejected.iter().any(|r| r.mutation.id == m.id && same_change(&r.mutation.op, &m.op)))
                });
                assert!(logged, "seed {seed}: the rejected change to {} is in no device's log", m.id);
            }
        }
    }
}

impl Case {
    /// A value of a committed change opened with its record's owner's keys
    /// (the record's key fields as stored, and those the change wrote).
    fn open_value(&self, record: &Record, m: &Mutation, v: &Value, field: &str, t: &Hlc) -> Value {
        let Some(owner) = self.users.iter().find(|u| u.id == record.owner) else { return v.clone() };
        let mut holder = record.clone();
        if let Op::Put { fields, .. } = &m.op {
            for w in fields.iter().filter(|w| nimo_core::crypto::seal::is_key_field(&w.field)) {
                holder.fields.insert(w.field.clone(), nimo_core::sync::record::Stamped::new(w.v.clone(), w.t));
            }
        }
        let keys = owner.ring.record_keys(&holder);
        let place = nimo_core::crypto::seal::Place { collection: record.collection, record: &record.id, field, stamp: t };
        nimo_core::crypto::seal::open_value(v, &|kid| keys.get(kid).cloned(), place).unwrap_or_else(|_| v.clone())
    }
}

/// Whether a logged change (`a`, its values opened) is the committed one
/// (`b`, as sent: sealed), whatever their stamps: the same fields, the same
/// record keys, the same visibility. (The values were sealed with the keys
/// it names: opening them is the device's business, tested elsewhere.)
fn same_change(a: &Op, b: &Op) -> bool {
    match (a, b) {
        (Op::Put { visibility: va, fields: fa }, Op::Put { visibility: vb, fields: fb }) => {
            va.as_ref().map(|v| v.v) == vb.as_ref().map(|v| v.v)
                && fa.len() == fb.len()
                && fa.iter().zip(fb).all(|(x, y)| x.field == y.field && (x.v == y.v || nimo_core::crypto::seal::key_id_of(&y.v).is_some()))
        }
        (Op::Delete { .. }, Op::Delete { .. }) => true,
        (Op::Resolve { field: f1, t: t1 }, Op::Resolve { field: f2, t: t2 }) => f1 == f2 && t1 == t2,
        _ => false,
    }
}

/// The error body of a transport failure, for tests that look at it.
pub fn error_body(e: &TransportError) -> Option<&ErrorBody> {
    match e {
        TransportError::Api { body, .. } => Some(body),
        _ => None,
    }
}

//! Helpers shared by nimo's integration tests.
//!
//! `spawn_app` starts the real server (the same `Application` that `main`
//! runs) on 127.0.0.1 with an ephemeral port and a fresh SQLite file in a
//! temporary directory, and stops it when the returned handle is dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::cell::RefCell;
use std::collections::HashMap;

use nimo_core::api::{InviteCreated, InviteOpened, InviteRequest, JoinRequest, KdfParams, KeysInfo, Me};
use nimo_core::crypto::account;
use nimo_core::crypto::keyring::Keyring;
use nimo_core::crypto::{Key, b64};
use nimo_core::sync::collection::{Role, Visibility};
use nimo_core::sync::ids::{GroupId, RecordId};
use nimo_core::sync::protocol::{Mutation, Op};

use nimo_server::config::Config;
use nimo_server::routes::groups;
use nimo_server::state::AppState;
use nimo_server::startup::Application;
use nimo_server::storage::{Database, accounts};
use tokio::sync::oneshot;

pub mod phone;
pub mod sim;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    /// The first run's setup token, when the database had no group.
    pub setup_token: Option<String>,
    dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A signed-in user with their own HTTP client (their device) and the
/// keys their device would hold.
pub struct Member {
    pub client: reqwest::Client,
    pub me: Me,
    pub ring: Keyring,
    /// The recovery key shown when the account was made (None after a
    /// plain sign-in).
    pub recovery: Option<Key>,
    /// The group's recovery key, for the member who made the group's key.
    pub group_recovery: Option<Key>,
    /// What this device last wrote each record as (an edit without a
    /// visibility is sealed for it; a record it never wrote counts as
    /// shared).
    seen: RefCell<HashMap<RecordId, Visibility>>,
}

pub use phone::rng;

impl Member {
    pub fn group(&self) -> &GroupId {
        &self.me.groups[0].id
    }

    /// A mutation as this member's device sends it: its values sealed.
    pub fn seal(&self, m: Mutation) -> Mutation {
        let Op::Put { visibility, .. } = &m.op else { return m };
        let mut seen = self.seen.borrow_mut();
        let vis = visibility.as_ref().map(|v| v.v).or_else(|| seen.get(&m.id).copied()).unwrap_or(Visibility::Group);
        seen.insert(m.id.clone(), vis);
        phone::seal(&self.ring, m, vis)
    }

    /// A record as the server holds it, opened with this member's keys.
    pub fn open(&self, r: &nimo_core::sync::record::Record) -> nimo_core::sync::record::Record {
        self.ring.open_record(r).0
    }

    /// Fetches this member's keys again (after a rotation).
    pub async fn refresh_keys(&mut self, app: &TestApp) {
        self.ring = phone::keyring(&app.url(""), &self.client, &self.me, self.ring.secret()).await;
    }
}

impl From<phone::Phone> for Member {
    fn from(p: phone::Phone) -> Self {
        Member { client: p.client, me: p.me, ring: p.ring, recovery: p.recovery, group_recovery: p.group_recovery, seen: RefCell::default() }
    }
}

/// An invite made on a coordinator's device: its code, and what the server
/// answered.
pub struct Invite {
    pub code: String,
    pub created: InviteCreated,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn database_path(&self) -> PathBuf {
        self.dir.path().join("nimo.sqlite3")
    }

    pub fn db(&self) -> &Database {
        &self.state.db
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stops the server and hands back its directory (to restart on it).
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        std::mem::replace(&mut self.dir, dir)
    }

    /// Creates a group as the `create-group` command does; returns it and
    /// the invite code for its first coordinator.
    pub async fn create_group(&self, name: &str) -> (GroupId, String) {
        let group = GroupId::parse(&nimo_server::clock::new_uuid()).unwrap();
        let (g, n) = (group.clone(), name.to_owned());
        let now = nimo_server::clock::now_ms();
        self.db().write(move |tx| accounts::create_group(tx, &g, &n, "family_association", now)).await.unwrap();
        let (code, _) = groups::create(&self.state, &group, Role::Coordinator, 7, None, now).await.unwrap();
        (group, code)
    }

    /// What an invite code leads to, as a phone asks before joining.
    pub async fn open_invite(&self, code: &str) -> (InviteOpened, Key) {
        let (opened, keys) = phone::open_invite(&self.url(""), &new_client(), code).await;
        (opened, keys.wrap)
    }

    /// The join request a phone makes for `code`.
    pub async fn join_request(&self, code: &str, login: &str, passphrase: &str) -> (JoinRequest, account::NewKeys, Option<Key>) {
        phone::join_request(&self.url(""), &new_client(), code, login, passphrase).await
    }

    /// Creates an account with an invite, on a new device.
    pub async fn join(&self, code: &str, login: &str) -> Member {
        Member::from(phone::join(&self.url(""), new_client(), code, login, &passphrase_of(login)).await)
    }

    /// The parameters a login's passphrase is stretched with.
    pub async fn kdf_of(&self, login: &str) -> KdfParams {
        phone::kdf_of(&self.url(""), login).await
    }

    /// The auth key a phone sends for `login` and `passphrase`, and the
    /// wrap key it keeps.
    pub async fn auth_for(&self, login: &str, passphrase: &str) -> (String, Key) {
        let keys = account::passphrase_keys(passphrase, &self.kdf_of(login).await).unwrap();
        (b64(keys.auth.bytes()), keys.wrap)
    }

    /// Signs an existing account in on a new device.
    pub async fn login(&self, login: &str) -> Member {
        self.login_with(login, &passphrase_of(login)).await
    }

    pub async fn login_with(&self, login: &str, passphrase: &str) -> Member {
        Member::from(phone::login(&self.url(""), new_client(), login, passphrase).await)
    }

    /// The invite request a coordinator's device makes: a new code, and
    /// the group's current key wrapped by it.
    pub fn invite_request(by: &Member, group: &GroupId, role: Role) -> (InviteRequest, String) {
        phone::invite_request(&by.ring, group, role)
    }

    pub async fn invite(&self, by: &Member, role: Role) -> Invite {
        let (request, code) = Self::invite_request(by, by.group(), role);
        let response = by.client.post(self.url(&format!("/api/groups/{}/invites", by.group()))).json(&request).send().await.unwrap();
        assert_eq!(response.status(), 201);
        Invite { code, created: response.json().await.unwrap() }
    }

    /// Joins another group with `member`'s account, as their phone does:
    /// the invite opened with its code, the group's key sealed to them.
    pub async fn join_group(&self, member: &Member, code: &str) -> reqwest::Response {
        let (opened, keys) = phone::open_invite(&self.url(""), &new_client(), code).await;
        let own = account::public_key(member.ring.secret());
        let envelope = opened.key.as_ref().map(|ik| {
            let key = account::open_invite_key(&keys.wrap, ik).expect("the invite's key opens");
            nimo_core::api::EpochEnvelope { epoch: ik.epoch, envelope: account::envelope_for(&rng(), &own, &opened.group, ik.epoch, &key).unwrap() }
        });
        let request = nimo_core::api::JoinGroupRequest { lookup: keys.lookup, envelope, group_key: None };
        member.client.post(self.url("/api/groups/join")).json(&request).send().await.unwrap()
    }

    /// Removes a member as a coordinator's device does: the group's next
    /// key for everyone who stays.
    pub async fn remove(&self, by: &mut Member, member: &nimo_core::sync::ids::UserId) -> reqwest::Response {
        by.refresh_keys(self).await;
        let group = by.group().clone();
        let members: Vec<nimo_core::api::MemberInfo> = by.client.get(self.url(&format!("/api/groups/{group}/members"))).send().await.unwrap().json().await.unwrap();
        let stays: Vec<_> = members.iter().filter(|m| m.id != *member).map(|m| (m.id.clone(), m.public_key.clone().expect("a public key"))).collect();
        let info: KeysInfo = by.client.get(self.url("/api/keys")).send().await.unwrap().json().await.unwrap();
        let recovery_public = info.groups.iter().find(|g| g.group == group).and_then(|g| g.recovery_public_key.clone()).expect("the group's recovery key");
        let (rotation, _) = account::rotation(&rng(), &by.ring, &group, &stays, &recovery_public).unwrap();
        let r = by.client.post(self.url(&format!("/api/groups/{group}/members/{member}/remove"))).json(&rotation).send().await.unwrap();
        if r.status() == 204 {
            by.refresh_keys(self).await;
        }
        r
    }

    /// A group with a coordinator and `members` members, all signed in.
    pub async fn group_with(&self, name: &str, members: usize) -> (Member, Vec<Member>) {
        let (_, code) = self.create_group(name).await;
        let coordinator = self.join(&code, &format!("coord{}", name.len())).await;
        let mut out = Vec::new();
        for i in 0..members {
            let invite = self.invite(&coordinator, Role::Member).await;
            out.push(self.join(&invite.code, &format!("{}m{i}", name.chars().filter(char::is_ascii_alphanumeric).collect::<String>())).await);
        }
        (coordinator, out)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The passphrase the helpers give an account (strong enough to be taken).
pub fn passphrase_of(login: &str) -> String {
    format!("{} rides the blue ferry at dawn", login.to_lowercase())
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).no_proxy().build().expect("http client")
}

/// Starts a server with a fresh database and no app assets (API only).
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    spawn_app_in(dir, None).await
}

/// Starts a server on the database in `dir` (reused across restarts).
pub async fn spawn_app_in(dir: tempfile::TempDir, assets: Option<PathBuf>) -> TestApp {
    spawn_app_with(dir, |config| config.assets = assets.map(nimo_server::assets::Source::Dir)).await
}

/// Starts a server on the database in `dir` with a configuration adjusted
/// by `adjust` (limits, public URL…).
pub async fn spawn_app_with(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_database(dir.path().join("nimo.sqlite3"));
    adjust(&mut config);
    let app = Application::build(config.clone()).await.expect("the server starts");
    let addr = app.local_addr();
    let state = app.state().clone();
    let setup_token = app.setup_token().map(str::to_owned);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = app
            .run_until(async {
                let _ = stopped.await;
            })
            .await;
    });
    TestApp { addr, client: new_client(), state, setup_token, dir, stop: Some(stop), task: Some(task) }
}

/// Helpers to speak the sync protocol as a raw client would.
pub mod protocol {
    use nimo_core::sync::collection::{Collection, Visibility};
    use nimo_core::sync::hlc::Hlc;
    use nimo_core::sync::ids::{ClientId, GroupId, RecordId};
    use nimo_core::sync::protocol::{FieldWrite, Mutation, Op, PullResponse, PushRequest, PushResponse};
    use nimo_core::sync::record::Stamped;
    use serde_json::Value;

    pub fn client_id(n: u8) -> ClientId {
        ClientId::from_random([n; 8])
    }

    pub fn stamp(ms: u64, client: &ClientId) -> Hlc {
        Hlc::new(ms, 0, *client)
    }

    /// A mutation creating a record with `fields`.
    pub fn create(seq: u64, id: &RecordId, collection: Collection, group: &GroupId, vis: Visibility, t: &Hlc, fields: &[(&str, Value)]) -> Mutation {
        Mutation {
            seq,
            id: id.clone(),
            collection,
            group: group.clone(),
            op: Op::Put {
                visibility: Some(Stamped::new(vis, *t)),
                fields: fields.iter().map(|(f, v)| FieldWrite { field: (*f).into(), v: v.clone(), t: *t, base: None }).collect(),
            },
        }
    }

    pub fn contact(seq: u64, id: &RecordId, group: &GroupId, vis: Visibility, t: &Hlc, note: &str) -> Mutation {
        create(seq, id, Collection::Contact, group, vis, t, &[
            ("at", serde_json::json!("2026-11-24T10:00")),
            ("mode", serde_json::json!("phone")),
            ("note", serde_json::json!(note)),
        ])
    }

    pub fn push_request(client: &ClientId, mutations: Vec<Mutation>) -> PushRequest {
        PushRequest { schema: nimo_core::SCHEMA_VERSION, client: *client, epoch: None, mutations }
    }

    /// Sends a push as `m`'s device does: its values sealed with `m`'s keys.
    pub async fn push(m: &crate::Member, base: &str, request: &PushRequest) -> reqwest::Response {
        let sealed = PushRequest { mutations: request.mutations.iter().cloned().map(|x| m.seal(x)).collect(), ..request.clone() };
        push_raw(&m.client, base, &sealed).await
    }

    /// Sends a push as it is (nothing sealed: what a broken or hostile
    /// client sends).
    pub async fn push_raw(http: &reqwest::Client, base: &str, request: &PushRequest) -> reqwest::Response {
        http.post(format!("{base}/api/sync/push")).json(request).send().await.expect("push reaches the server")
    }

    pub async fn push_ok(m: &crate::Member, base: &str, request: &PushRequest) -> PushResponse {
        let r = push(m, base, request).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        r.json().await.expect("push response")
    }

    pub async fn pull(http: &reqwest::Client, base: &str, cursor: Option<&str>) -> reqwest::Response {
        let mut url = format!("{base}/api/sync/pull?schema={}", nimo_core::SCHEMA_VERSION);
        if let Some(c) = cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        http.get(url).send().await.expect("pull reaches the server")
    }

    /// Pulls every page from `cursor` on; returns the pages.
    pub async fn pull_all(http: &reqwest::Client, base: &str, mut cursor: Option<String>) -> Vec<PullResponse> {
        let mut pages = Vec::new();
        loop {
            let r = pull(http, base, cursor.as_deref()).await;
            assert_eq!(r.status(), 200);
            let page: PullResponse = r.json().await.expect("pull response");
            cursor = Some(page.cursor.clone());
            let more = page.more;
            pages.push(page);
            if !more {
                return pages;
            }
        }
    }
}

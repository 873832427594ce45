//! Helpers shared by nimo's integration tests.
//!
//! `spawn_app` starts the real server (the same `Application` that `main`
//! runs) on 127.0.0.1 with an ephemeral port and a fresh SQLite file in a
//! temporary directory, and stops it when the returned handle is dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use nimo_core::api::{InviteCreated, InviteRequest, JoinRequest, Me};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::GroupId;
use nimo_server::config::Config;
use nimo_server::routes::groups;
use nimo_server::state::AppState;
use nimo_server::startup::Application;
use nimo_server::storage::{Database, accounts};
use tokio::sync::oneshot;

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

/// A signed-in user with their own HTTP client (their device).
pub struct Member {
    pub client: reqwest::Client,
    pub me: Me,
}

impl Member {
    pub fn group(&self) -> &GroupId {
        &self.me.groups[0].id
    }
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
        let invite = groups::create(&self.state, &group, Role::Coordinator, 7, 1, None, now).await.unwrap();
        (group, invite.code)
    }

    /// Creates an account with an invite, on a new device.
    pub async fn join(&self, code: &str, login: &str) -> Member {
        let client = new_client();
        let response = client
            .post(self.url("/api/join"))
            .json(&JoinRequest {
                code: code.to_owned(),
                login: login.to_owned(),
                display_name: format!("{login}さん"),
                passphrase: passphrase_of(login),
                device_name: "test phone".into(),
                bearer: false,
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "join as {login}: {}", response.text().await.unwrap_or_default());
        let me = response.json().await.unwrap();
        Member { client, me }
    }

    /// Signs an existing account in on a new device.
    pub async fn login(&self, login: &str) -> Member {
        let client = new_client();
        let response = client
            .post(self.url("/api/auth/login"))
            .json(&nimo_core::api::LoginRequest {
                login: login.to_owned(),
                passphrase: passphrase_of(login),
                device_name: "second device".into(),
                bearer: false,
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login as {login}");
        Member { me: response.json().await.unwrap(), client }
    }

    pub async fn invite(&self, by: &Member, role: Role) -> InviteCreated {
        let response = by
            .client
            .post(self.url(&format!("/api/groups/{}/invites", by.group())))
            .json(&InviteRequest { role, days: 7, max_uses: 1 })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
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

    pub async fn push(http: &reqwest::Client, base: &str, request: &PushRequest) -> reqwest::Response {
        http.post(format!("{base}/api/sync/push")).json(request).send().await.expect("push reaches the server")
    }

    pub async fn push_ok(http: &reqwest::Client, base: &str, request: &PushRequest) -> PushResponse {
        let r = push(http, base, request).await;
        assert_eq!(r.status(), 200);
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

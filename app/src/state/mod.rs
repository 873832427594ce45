//! The app's state, shared through context: where the user is in the
//! session (locked, signed out, ready…), the records on this device as
//! reactive data, and the sync status. Screens read these and call the
//! functions here; they never touch IndexedDB or the network themselves.

pub mod cache;
pub mod session;
pub mod sync;

use std::rc::Rc;

use leptos::prelude::*;
use nimo_core::api::Me;
use nimo_core::client::Engine;
use nimo_core::ids::GroupId;

use crate::platform::crypt::LockConfig;
use crate::platform::env::BrowserEnv;
use crate::platform::http::FetchTransport;
use crate::platform::store::IdbStore;

pub type SyncEngine = Engine<IdbStore, FetchTransport, BrowserEnv>;

/// Where the session stands; the shell shows one screen per phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Opening the local database.
    Starting,
    /// IndexedDB cannot be used here (private mode, blocked storage).
    NoStorage(String),
    /// The app lock is on: the PIN is needed to read anything.
    Locked,
    /// No one is signed in on this device.
    SignedOut,
    /// Signed in; the session ended or expired: sign in again (local data
    /// and unsent changes are kept).
    SignInAgain,
    /// This device was signed out remotely; its data was erased.
    Revoked(String),
    Ready,
}

/// Everything the screens share. Cheap to copy.
#[derive(Clone, Copy)]
pub struct AppState {
    engine: StoredValue<Option<Rc<SyncEngine>>, LocalStorage>,
    pub phase: RwSignal<Phase>,
    pub me: RwSignal<Option<Me>>,
    /// The group new records go to and lists show.
    pub group: RwSignal<Option<GroupId>>,
    pub lock: RwSignal<Option<LockConfig>>,
    pub cache: cache::Cache,
    pub sync: sync::SyncStatus,
    pub net: crate::net::Connectivity,
    /// A one-time message for the next screen (「保存しました。」).
    pub flash: RwSignal<Option<String>>,
}

impl AppState {
    pub fn provide(net: crate::net::Connectivity) -> Self {
        let this = Self {
            net,
            flash: RwSignal::new(None),
            engine: StoredValue::new_local(None),
            phase: RwSignal::new(Phase::Starting),
            me: RwSignal::new(None),
            group: RwSignal::new(None),
            lock: RwSignal::new(None),
            cache: cache::Cache::new(),
            sync: sync::SyncStatus::new(),
        };
        provide_context(this);
        this
    }

    pub fn engine(&self) -> Option<Rc<SyncEngine>> {
        self.engine.with_value(Clone::clone)
    }

    fn set_engine(&self, engine: Rc<SyncEngine>) {
        self.engine.set_value(Some(engine));
    }

    /// The current group's role for the signed-in user.
    pub fn is_coordinator(&self) -> bool {
        let group = self.group.get();
        self.me.with(|me| {
            me.as_ref().is_some_and(|me| {
                me.groups.iter().any(|g| Some(&g.id) == group.as_ref() && g.role == nimo_core::collection::Role::Coordinator)
            })
        })
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

thread_local! {
    /// The one channel to the app's other tabs. A message is delivered to
    /// every other `BroadcastChannel` of the name, including others in the
    /// same page, so this page must send on the object it listens on.
    static TABS: std::cell::RefCell<Option<web_sys::BroadcastChannel>> = const { std::cell::RefCell::new(None) };
    /// Records written here and not yet announced to the other tabs.
    static UNANNOUNCED: std::cell::RefCell<Vec<(nimo_core::collection::Collection, nimo_core::ids::RecordId)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Feeds the screens' cache from the store: every committed transaction's
/// records go to the cache as written, and are noted for the other tabs.
pub fn feed_cache_from(app: AppState, store: &crate::platform::store::IdbStore) {
    store.on_commit(Box::new(move |written| {
        UNANNOUNCED.with(|u| u.borrow_mut().extend(written.iter().map(|(c, id, _)| (*c, id.clone()))));
        app.cache.apply(written);
    }));
}

/// Tells the other tabs what this one wrote since it last told them.
pub fn announce_changes() {
    let keys = UNANNOUNCED.with(|u| std::mem::take(&mut *u.borrow_mut()));
    broadcast_changed(&keys);
}

/// Tells the app's other tabs which records changed: `collection/id`
/// strings, or `all` when so many changed that they reload everything.
/// Sent even when none did: the outbox may have, and they show its count.
fn broadcast_changed(keys: &[(nimo_core::collection::Collection, nimo_core::ids::RecordId)]) {
    let message = if keys.len() > cache::RELOAD_ALL_ABOVE {
        "all".to_owned()
    } else {
        keys.iter().map(|(c, id)| format!("{}/{id}", c.id())).collect::<Vec<_>>().join(",")
    };
    TABS.with(|tabs| {
        if let Some(channel) = &*tabs.borrow() {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(&message));
        }
    });
}

/// Rereads what another tab changed.
pub fn listen_to_other_tabs(app: AppState) {
    use nimo_core::collection::Collection;
    use nimo_core::ids::RecordId;
    use wasm_bindgen::JsCast;
    let Ok(channel) = web_sys::BroadcastChannel::new("nimo") else { return };
    let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let message = e.data().as_string().unwrap_or_default();
        leptos::task::spawn_local(async move {
            let Some(engine) = app.engine() else { return };
            if message == "all" {
                let _ = app.cache.load_all(&engine.store).await;
            } else {
                let keys: Vec<(Collection, RecordId)> = message
                    .split(',')
                    .filter_map(|k| {
                        let (c, id) = k.split_once('/')?;
                        Some((Collection::from_id(c)?, RecordId::parse(id).ok()?))
                    })
                    .collect();
                let _ = app.cache.reload(&engine.store, &keys).await;
            }
            app.sync.unsent.set(engine.unsent().await.unwrap_or(0));
        });
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    TABS.with(|tabs| *tabs.borrow_mut() = Some(channel));
}

/// Saves a local change: one store transaction with its outbox entry, then
/// the screens see it at once and a sync follows shortly.
pub async fn change(app: AppState, change: nimo_core::client::Change) -> Result<nimo_core::record::Record, nimo_core::client::EngineError> {
    let engine = app.engine().ok_or(nimo_core::client::EngineError::NotStarted)?;
    let record = engine.change(change).await?;
    app.sync.unsent.set(engine.unsent().await.unwrap_or(0));
    sync::schedule(app);
    announce_changes();
    Ok(record)
}

/// The live records of a collection as stored on the device (exports read
/// these, not the screens' cache).
pub async fn stored(app: AppState, collection: nimo_core::collection::Collection) -> Vec<nimo_core::record::Record> {
    let Some(engine) = app.engine() else { return Vec::new() };
    engine.store.load(collection).await.map(|all| all.into_iter().filter(|r| !r.is_deleted()).collect()).unwrap_or_default()
}

/// A new record id (UUIDv7) from the engine's clock and randomness.
pub fn new_id(app: AppState) -> Option<nimo_core::ids::RecordId> {
    app.engine().map(|e| e.new_record_id())
}

/// Now, in Japan time.
pub fn now_jst() -> nimo_core::time::JstDateTime {
    nimo_core::time::JstDateTime::from_unix_ms(crate::platform::js::now_ms() as i64)
}

/// Saves a draft of a form (sealed when the lock is on); best effort.
pub async fn save_draft<T: serde::Serialize>(app: AppState, key: &str, value: &T) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.meta_put(&format!("draft:{key}"), value, true).await;
    }
}

pub async fn load_draft<T: serde::de::DeserializeOwned>(app: AppState, key: &str) -> Option<T> {
    let engine = app.engine()?;
    engine.store.meta_get(&format!("draft:{key}")).await.ok().flatten()
}

pub async fn drop_draft(app: AppState, key: &str) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.meta_delete(&format!("draft:{key}")).await;
    }
}

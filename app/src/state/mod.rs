//! The app's state, shared through context: where the user is in the
//! session (locked, signed out, ready…), the records on this device as
//! reactive data, and the sync status.
//!
//! - [`api`]: the only place that reaches the server or writes records;
//!   screens call it and never `platform::http` or the store.
//! - [`device`]: what this device keeps besides records (who is signed
//!   in, drafts, the session token) and erasing it.
//! - [`session`]: opening the store, the app lock, signing in and out.
//! - [`account`]: the account steps (sign in, join, invite, remove a
//!   member, passphrase, recovery) with the key module's work between the
//!   server's; [`keys`]: the keyring on this device.
//! - [`sync`]: when the device syncs and what the person is told.
//! - [`cache`], [`tabs`]: the records in memory, fed by the store, and
//!   the other tabs told of changes.
//! - [`index`]: the cache as the lists read it (parsed, folded, sorted),
//!   kept for the app rather than rebuilt by each screen.
//!
//! Dependencies run one way: `session` → `sync` → `device`, `api` → `device`.

pub mod account;
pub mod api;
pub mod cache;
pub mod device;
pub mod index;
pub mod keys;
pub mod session;
pub mod sync;
pub mod tabs;

use std::rc::Rc;

use leptos::prelude::*;
use nimo_core::api::Me;
use nimo_core::sync::client::{Engine, EngineError, StoreError};
use nimo_core::sync::collection::{Collection, Role, Visibility, access};
use nimo_core::sync::ids::{GroupId, UserId};

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

/// Why a change was not saved, as the person is told it
/// (`Texts::save_failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFailure {
    /// The phone's storage is full (IndexedDB's quota).
    StorageFull,
    /// The record was deleted (here or on another device) meanwhile.
    Deleted,
    /// A value the form should have refused.
    Invalid,
    Other,
}

impl SaveFailure {
    pub fn of(e: &EngineError) -> Self {
        match e {
            EngineError::Store(StoreError::QuotaExceeded) => Self::StorageFull,
            EngineError::Deleted => Self::Deleted,
            EngineError::Invalid(_) => Self::Invalid,
            _ => Self::Other,
        }
    }
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
    pub index: index::Index,
    pub sync: sync::SyncStatus,
    pub net: crate::net::Connectivity,
    /// A one-time message for the next screen (「保存しました。」).
    pub flash: RwSignal<Option<String>>,
    /// A tap whose change was not saved, where its screen has no place to
    /// say so ([`api::save`]): the shell shows it until it is closed, a
    /// later change is saved or the screen is left.
    pub save_failed: RwSignal<Option<SaveFailure>>,
    /// The groups whose current key this phone lacks.
    pub keys_missing: RwSignal<Vec<GroupId>>,
    /// Keys to write down, shown until the person says they have.
    pub to_keep: RwSignal<Option<account::ToKeep>>,
}

impl AppState {
    pub fn provide(net: crate::net::Connectivity) -> Self {
        let group = RwSignal::new(None);
        let cache = cache::Cache::new();
        let this = Self {
            net,
            flash: RwSignal::new(None),
            save_failed: RwSignal::new(None),
            keys_missing: RwSignal::new(Vec::new()),
            to_keep: RwSignal::new(None),
            engine: StoredValue::new_local(None),
            phase: RwSignal::new(Phase::Starting),
            me: RwSignal::new(None),
            group,
            lock: RwSignal::new(None),
            cache,
            index: index::Index::new(cache, group),
            sync: sync::SyncStatus::new(),
        };
        provide_context(this);
        this
    }

    /// Takes every record out of memory now: the cache and what the lists
    /// made of it (the lock, a sign-out and an erase must not leave
    /// readable contacts behind until a screen next reads a list).
    pub fn forget_records(&self) {
        self.cache.clear();
        self.index.refresh();
    }

    pub fn engine(&self) -> Option<Rc<SyncEngine>> {
        self.engine.with_value(Clone::clone)
    }

    fn set_engine(&self, engine: Rc<SyncEngine>) {
        self.engine.set_value(Some(engine));
    }

    /// The signed-in user's role in the current group (reactive).
    pub fn role(&self) -> Option<Role> {
        let group = self.group.get();
        self.me.with(|me| me.as_ref().and_then(|me| me.groups.iter().find(|g| Some(&g.id) == group.as_ref()).map(|g| g.role)))
    }

    pub fn is_coordinator(&self) -> bool {
        self.role() == Some(Role::Coordinator)
    }

    pub fn user(&self) -> Option<UserId> {
        self.me.with(|me| me.as_ref().map(|m| m.user.clone()))
    }

    /// The access rules of `nimo_core`, asked before offering a change, so
    /// that the app never saves what the server will refuse.
    pub fn may_create(&self, c: Collection) -> bool {
        self.role().is_some_and(|r| access::can_create(c, r))
    }

    pub fn may_update(&self, c: Collection, owner: &UserId, visibility: Visibility) -> bool {
        let mine = self.user().as_ref() == Some(owner);
        self.role().is_some_and(|r| access::can_update(c, r, mine, visibility))
    }

    pub fn may_delete(&self, c: Collection, owner: &UserId) -> bool {
        let mine = self.user().as_ref() == Some(owner);
        self.role().is_some_and(|r| access::can_delete(c, r, mine))
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Now, in Japan time.
pub fn now_jst() -> nimo_core::base::time::JstDateTime {
    nimo_core::base::time::JstDateTime::from_unix_ms(crate::platform::js::now_ms() as i64)
}

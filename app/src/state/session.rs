//! The session: opening the store, the app lock, signing in and out.

use std::rc::Rc;

use crate::platform::prefs;
use leptos::prelude::*;
use nimo_core::api::Me;
use nimo_core::sync::client::{Engine, EngineError, StoreError, SyncState};
use nimo_core::sync::ids::GroupId;
use nimo_core::sync::wire::Wire;
use serde_json::Value;

use super::device::{self, GROUP_KEY, LOCK_KEY, ME_KEY, MODE_PENDING_KEY, TOKEN_KEY};
use super::cache::Loading;
use super::{AppState, Phase, account, api, keys, sync, tabs};
use crate::platform::crypt::{self, CryptError, LockConfig};
use crate::platform::env::BrowserEnv;
use crate::platform::http::{self, FetchTransport};
use crate::platform::store::{IdbStore, STATE_KEY};

/// Opens the store and finds where the session stands.
pub async fn boot(app: AppState) {
    let store = match IdbStore::open().await {
        Ok(store) => store,
        Err(e) => {
            app.phase.set(Phase::NoStorage(e.to_string()));
            return;
        }
    };
    tabs::feed_cache_from(app, &store);
    let engine = Rc::new(Engine::new(store, FetchTransport, BrowserEnv));
    // Set before the records are read: from here, another tab's change is
    // reread into the cache (see `tabs::listen`), not dropped.
    app.set_engine(Rc::clone(&engine));
    // The records are read while the settings are (boot.js placed both
    // reads before the app ran, when it could), and parsed only once it is
    // known that someone is signed in and the lock is open: on a member's
    // reload that was one more turn of the store before the list.
    let early = app.cache.begin_first_load(&engine.store).ok();
    // What other tabs wrote since that read: reread now, over it.
    tabs::replay_held(app);
    let start = Start::read(&engine.store).await;
    let lock = start.lock.as_ref().and_then(|v| LockConfig::from_wire(v).ok());
    app.lock.set(lock.clone());
    if lock.is_some() {
        app.phase.set(Phase::Locked);
    } else {
        resume(app, start, early).await;
    }
}

/// The settings a start needs, read in one IndexedDB transaction: on the
/// way to the first screen, each read of its own cost a turn of the store.
/// Sealed ones read while locked are `None`.
struct Start {
    lock: Option<Value>,
    token: Option<Value>,
    me: Option<Value>,
    /// The sync state, for `Engine::start_known`.
    state: Option<SyncState>,
}

impl Start {
    async fn read(store: &IdbStore) -> Self {
        let stored = store.first_meta_read(&[LOCK_KEY, TOKEN_KEY, ME_KEY, STATE_KEY]).await.unwrap_or_default();
        let mut opened = stored.into_iter().map(|v| v.and_then(|v| store.meta_open(&v).ok()));
        Self {
            lock: opened.next().flatten(),
            token: opened.next().flatten(),
            me: opened.next().flatten(),
            state: opened.next().flatten().and_then(|v| SyncState::from_wire(&v).ok()),
        }
    }
}

/// After the store is readable: signed in (kept `me`) or not. `early`:
/// the records' reads, if already placed.
async fn resume(app: AppState, start: Start, early: Option<Loading>) {
    device::use_bearer(start.token.as_ref());
    match start.me.as_ref().and_then(|v| Me::from_wire(v).ok()) {
        None => {
            prefs::delete(device::SIGNED_IN_FLAG);
            app.phase.set(Phase::SignedOut);
        }
        Some(me) => {
            if let Err(e) = open_for(app, me, start.state, early).await {
                app.phase.set(Phase::NoStorage(format!("{e}")));
            }
        }
    }
}

/// Loads the signed-in user's data and starts syncing. `known`: the sync
/// state if it was read already; `early`: the records' reads, if placed.
async fn open_for(app: AppState, me: Me, known: Option<SyncState>, early: Option<Loading>) -> Result<(), EngineError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    let state = engine.start_known(&me.user, known).await?;
    choose_group(app, &me);
    app.me.set(Some(me));
    if keys::load(app).await.is_none() {
        // Signed in here before end-to-end encryption (or the keys were
        // never kept): sign in again; the records and unsent changes stay,
        // and the queue is sealed once the keys are here.
        app.phase.set(Phase::SignInAgain);
        return Ok(());
    }
    account::load_to_keep(app).await;
    let unsent = match early {
        Some(loading) => loading.finish(&engine.store).await?,
        None => app.cache.load_all(&engine.store).await?,
    };
    app.sync.unsent.set(unsent);
    app.sync.last_ok.set(state.last_sync_ms);
    app.sync.rejected.set(state.rejected);
    app.phase.set(Phase::Ready);
    device::request_persistence();
    sync::sync_now(app);
    Ok(())
}

fn choose_group(app: AppState, me: &Me) {
    let saved: Option<String> = prefs::get(GROUP_KEY);
    let group = saved
        .and_then(|s| GroupId::parse(&s).ok())
        .filter(|g| me.groups.iter().any(|x| x.id == *g))
        .or_else(|| me.groups.first().map(|g| g.id.clone()));
    app.group.set(group);
}

pub fn set_group(app: AppState, group: GroupId) {
    prefs::set(GROUP_KEY, group.as_str());
    app.group.set(Some(group));
}

/// Whether this device holds unsent changes of someone else than `user`
/// (signing in as them would erase those).
pub async fn other_users_unsent(app: AppState, user: &nimo_core::sync::ids::UserId) -> usize {
    let Some(engine) = app.engine() else { return 0 };
    match engine.state().await {
        Ok(Some(state)) if state.user != *user => engine.unsent().await.unwrap_or(0),
        _ => 0,
    }
}

/// After a successful sign-in, join, first-run setup or recovery, with
/// the keyring the key module opened. A different user's data on this
/// device is erased first (the screens warn before).
pub async fn signed_in(app: AppState, mut me: Me, ring: nimo_core::crypto::keyring::Keyring) -> Result<(), EngineError> {
    // Kept in the keyring, not with `me`.
    me.keys = None;
    let Some(engine) = app.engine() else { return Ok(()) };
    if let Ok(Some(state)) = engine.state().await
        && state.user != me.user
    {
        let lock = app.lock.get_untracked();
        engine.store.erase_all().await?;
        app.forget_records();
        // The erase forgot the lock's key: the lock is off until set again.
        if lock.is_some() {
            app.lock.set(None);
        }
    }
    // A bearer session (asked for because the lock is on): the token is
    // kept sealed, never in `me`.
    if let Some(token) = me.session_token.take() {
        engine.store.meta_put(TOKEN_KEY, &serde_json::Value::String(token.clone()), true).await?;
        http::set_bearer(Some(token));
    }
    device::save_me(app, &me).await?;
    app.me.set(Some(me.clone()));
    keys::save(app, ring).await?;
    open_for(app, me, None, None).await?;
    // Changes made on this phone before its keys were here: sealed now.
    let _ = engine.keys_updated().await;
    Ok(())
}

/// Whether a sign-in on this device should ask for a bearer session.
pub fn wants_bearer(app: AppState) -> bool {
    app.lock.get_untracked().is_some()
}

/// Keeps `me` fresh (after joining a group, a role change).
pub async fn update_me(app: AppState, me: Me) {
    let _ = device::save_me(app, &me).await;
    choose_group(app, &me);
    app.me.set(Some(me));
}

/// Signs out: ends the session on the server (best effort) and erases
/// everything on this device.
pub async fn sign_out(app: AppState) {
    let _ = api::logout().await;
    device::erase(app).await;
    app.phase.set(Phase::SignedOut);
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    WrongPin,
    TooShort,
    Failed(String),
}

/// A PIN is at least six characters (digits, or a passphrase).
pub const PIN_MIN: usize = 6;

/// Opens the app lock with the PIN.
pub async fn unlock(app: AppState, pin: &str) -> Result<(), LockError> {
    let (Some(engine), Some(config)) = (app.engine(), app.lock.get_untracked()) else { return Ok(()) };
    match crypt::unlock(&config, pin).await {
        Ok(cipher) => {
            engine.store.set_cipher(Some(cipher));
            resume(app, Start::read(&engine.store).await, None).await;
            Ok(())
        }
        Err(CryptError::WrongPin) => Err(LockError::WrongPin),
        Err(CryptError::Unavailable(m)) => Err(LockError::Failed(m)),
    }
}

/// Locks now: the key, the session token and the readable data leave memory.
pub fn lock_now(app: AppState) {
    if app.lock.get_untracked().is_none() {
        return;
    }
    if let Some(engine) = app.engine() {
        engine.store.set_cipher(None);
    }
    http::set_bearer(None);
    app.forget_records();
    app.me.set(None);
    app.phase.set(Phase::Locked);
}

/// Forgot the PIN: erase everything and start again.
pub async fn forget_everything(app: AppState) {
    device::erase(app).await;
    app.phase.set(Phase::SignedOut);
}

/// Turns the lock on: everything sensitive is encrypted under the PIN.
pub async fn enable_lock(app: AppState, pin: &str, idle_minutes: u32) -> Result<(), LockError> {
    if pin.chars().count() < PIN_MIN {
        return Err(LockError::TooShort);
    }
    let Some(engine) = app.engine() else { return Ok(()) };
    let (config, cipher) = crypt::create(pin, idle_minutes).await.map_err(|e| LockError::Failed(format!("{e:?}")))?;
    engine.store.reseal(Some(cipher), &[LOCK_KEY, MODE_PENDING_KEY]).await.map_err(|e| LockError::Failed(e.to_string()))?;
    save_lock(app, &config).await?;
    app.lock.set(Some(config));
    // From now on nothing in the browser but the unlocked app can use the
    // session: it becomes a bearer token sealed with the data.
    device::switch_session(app, true).await;
    Ok(())
}

async fn save_lock(app: AppState, config: &LockConfig) -> Result<(), LockError> {
    device::put_as(app, LOCK_KEY, config, false).await.map_err(|e: StoreError| LockError::Failed(e.to_string()))
}

pub async fn change_pin(app: AppState, old: &str, new: &str) -> Result<(), LockError> {
    if new.chars().count() < PIN_MIN {
        return Err(LockError::TooShort);
    }
    let Some(config) = app.lock.get_untracked() else { return Ok(()) };
    let next = crypt::change_pin(&config, old, new).await.map_err(|e| match e {
        CryptError::WrongPin => LockError::WrongPin,
        CryptError::Unavailable(m) => LockError::Failed(m),
    })?;
    save_lock(app, &next).await?;
    app.lock.set(Some(next));
    Ok(())
}

pub async fn set_idle_minutes(app: AppState, minutes: u32) {
    let Some(mut config) = app.lock.get_untracked() else { return };
    config.idle_minutes = minutes;
    if save_lock(app, &config).await.is_ok() {
        app.lock.set(Some(config));
    }
}

/// Turns the lock off (after checking the PIN): data is stored in the clear.
pub async fn disable_lock(app: AppState, pin: &str) -> Result<(), LockError> {
    let (Some(engine), Some(config)) = (app.engine(), app.lock.get_untracked()) else { return Ok(()) };
    crypt::unlock(&config, pin).await.map_err(|_| LockError::WrongPin)?;
    engine.store.reseal(None, &[LOCK_KEY, MODE_PENDING_KEY]).await.map_err(|e| LockError::Failed(e.to_string()))?;
    engine.store.meta_delete(LOCK_KEY).await.map_err(|e| LockError::Failed(e.to_string()))?;
    app.lock.set(None);
    device::switch_session(app, false).await;
    Ok(())
}

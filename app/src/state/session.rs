//! The session: opening the store, the app lock, signing in and out, and
//! erasing the device when it was revoked.

use std::rc::Rc;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use nimo_core::api::Me;
use nimo_core::client::{Engine, EngineError, StoreError};
use nimo_core::ids::GroupId;

use super::{AppState, Phase, sync};
use crate::platform::crypt::{self, CryptError, LockConfig};
use crate::platform::env::BrowserEnv;
use crate::platform::http::FetchTransport;
use crate::platform::js;
use crate::platform::store::IdbStore;

const ME_KEY: &str = "me";
pub const LOCK_KEY: &str = "lock";
const GROUP_KEY: &str = "nimo.group";

/// Opens the store and finds where the session stands.
pub async fn boot(app: AppState) {
    let store = match IdbStore::open().await {
        Ok(store) => store,
        Err(e) => {
            app.phase.set(Phase::NoStorage(e.to_string()));
            return;
        }
    };
    let lock: Option<LockConfig> = store.meta_get(LOCK_KEY).await.ok().flatten();
    app.set_engine(Rc::new(Engine::new(store, FetchTransport, BrowserEnv)));
    app.lock.set(lock.clone());
    if lock.is_some() {
        app.phase.set(Phase::Locked);
    } else {
        resume(app).await;
    }
}

/// After the store is readable: signed in (cached `me`) or not.
async fn resume(app: AppState) {
    let Some(engine) = app.engine() else { return };
    let me: Option<Me> = engine.store.meta_get(ME_KEY).await.ok().flatten();
    match me {
        None => app.phase.set(Phase::SignedOut),
        Some(me) => {
            if let Err(e) = open_for(app, me).await {
                app.phase.set(Phase::NoStorage(format!("{e}")));
            }
        }
    }
}

/// Loads the signed-in user's data and starts syncing.
async fn open_for(app: AppState, me: Me) -> Result<(), EngineError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    engine.start(&me.user).await?;
    choose_group(app, &me);
    app.me.set(Some(me));
    app.cache.load_all(&engine.store).await?;
    app.sync.unsent.set(engine.unsent().await.unwrap_or(0));
    if let Ok(Some(state)) = engine.state().await {
        app.sync.last_ok.set(state.last_sync_ms);
        app.sync.rejected.set(state.rejected);
    }
    app.phase.set(Phase::Ready);
    request_persistence();
    sync::sync_now(app);
    Ok(())
}

fn choose_group(app: AppState, me: &Me) {
    let saved: Option<String> = LocalStorage::get(GROUP_KEY).ok();
    let group = saved
        .and_then(|s| GroupId::parse(&s).ok())
        .filter(|g| me.groups.iter().any(|x| x.id == *g))
        .or_else(|| me.groups.first().map(|g| g.id.clone()));
    app.group.set(group);
}

pub fn set_group(app: AppState, group: GroupId) {
    let _ = LocalStorage::set(GROUP_KEY, group.as_str());
    app.group.set(Some(group));
}

/// Whether this device holds unsent changes of someone else than `user`
/// (signing in as them would erase those).
pub async fn other_users_unsent(app: AppState, user: &nimo_core::ids::UserId) -> usize {
    let Some(engine) = app.engine() else { return 0 };
    match engine.state().await {
        Ok(Some(state)) if state.user != *user => engine.unsent().await.unwrap_or(0),
        _ => 0,
    }
}

/// After a successful sign-in or join. A different user's data on this
/// device is erased first (the screens warn before).
pub async fn signed_in(app: AppState, me: Me) -> Result<(), EngineError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    if let Ok(Some(state)) = engine.state().await {
        if state.user != me.user {
            engine.store.erase_all().await?;
            app.cache.clear();
            keep_lock_config(app).await?;
        }
    }
    engine.store.meta_put(ME_KEY, &me, true).await?;
    open_for(app, me).await
}

/// The lock survives an erase for another user only if it was on: write it back.
async fn keep_lock_config(app: AppState) -> Result<(), StoreError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    match app.lock.get_untracked() {
        Some(config) => {
            // erase_all forgot the key; the lock is off until set again.
            let _ = config;
            app.lock.set(None);
            engine.store.meta_delete(LOCK_KEY).await
        }
        None => Ok(()),
    }
}

/// Keeps `me` fresh (after joining a group, a role change).
pub async fn update_me(app: AppState, me: Me) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.meta_put(ME_KEY, &me, true).await;
    }
    choose_group(app, &me);
    app.me.set(Some(me));
}

/// Signs out: ends the session on the server (best effort) and erases
/// everything on this device.
pub async fn sign_out(app: AppState) {
    let _ = crate::platform::http::send_empty::<()>("POST", "/api/auth/logout", None).await;
    erase(app).await;
    app.phase.set(Phase::SignedOut);
}

/// The server said this device is revoked: erase without sending anything.
pub async fn revoked(app: AppState, reason: String) {
    erase(app).await;
    app.phase.set(Phase::Revoked(reason));
}

async fn erase(app: AppState) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.erase_all().await;
    }
    let _ = LocalStorage::delete(GROUP_KEY);
    app.cache.clear();
    app.me.set(None);
    app.group.set(None);
    app.lock.set(None);
    app.sync.reset();
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    WrongPin,
    TooShort,
    Failed(String),
}

pub const PIN_MIN: usize = 4;

/// Opens the app lock with the PIN.
pub async fn unlock(app: AppState, pin: &str) -> Result<(), LockError> {
    let (Some(engine), Some(config)) = (app.engine(), app.lock.get_untracked()) else { return Ok(()) };
    match crypt::unlock(&config, pin).await {
        Ok(cipher) => {
            engine.store.set_cipher(Some(cipher));
            resume(app).await;
            Ok(())
        }
        Err(CryptError::WrongPin) => Err(LockError::WrongPin),
        Err(CryptError::Unavailable(m)) => Err(LockError::Failed(m)),
    }
}

/// Locks now: the key and the readable data leave memory.
pub fn lock_now(app: AppState) {
    if app.lock.get_untracked().is_none() {
        return;
    }
    if let Some(engine) = app.engine() {
        engine.store.set_cipher(None);
    }
    app.cache.clear();
    app.me.set(None);
    app.phase.set(Phase::Locked);
}

/// Turns the lock on: everything sensitive is encrypted under the PIN.
pub async fn enable_lock(app: AppState, pin: &str, idle_minutes: u32) -> Result<(), LockError> {
    if pin.chars().count() < PIN_MIN {
        return Err(LockError::TooShort);
    }
    let Some(engine) = app.engine() else { return Ok(()) };
    let (config, cipher) = crypt::create(pin, idle_minutes).await.map_err(|e| LockError::Failed(format!("{e:?}")))?;
    engine.store.reseal(Some(cipher), &[LOCK_KEY]).await.map_err(|e| LockError::Failed(e.to_string()))?;
    engine.store.meta_put(LOCK_KEY, &config, false).await.map_err(|e| LockError::Failed(e.to_string()))?;
    app.lock.set(Some(config));
    Ok(())
}

pub async fn change_pin(app: AppState, old: &str, new: &str) -> Result<(), LockError> {
    if new.chars().count() < PIN_MIN {
        return Err(LockError::TooShort);
    }
    let (Some(engine), Some(config)) = (app.engine(), app.lock.get_untracked()) else { return Ok(()) };
    let next = crypt::change_pin(&config, old, new).await.map_err(|e| match e {
        CryptError::WrongPin => LockError::WrongPin,
        CryptError::Unavailable(m) => LockError::Failed(m),
    })?;
    engine.store.meta_put(LOCK_KEY, &next, false).await.map_err(|e| LockError::Failed(e.to_string()))?;
    app.lock.set(Some(next));
    Ok(())
}

pub async fn set_idle_minutes(app: AppState, minutes: u32) {
    let (Some(engine), Some(mut config)) = (app.engine(), app.lock.get_untracked()) else { return };
    config.idle_minutes = minutes;
    if engine.store.meta_put(LOCK_KEY, &config, false).await.is_ok() {
        app.lock.set(Some(config));
    }
}

/// Turns the lock off (after checking the PIN): data is stored in the clear.
pub async fn disable_lock(app: AppState, pin: &str) -> Result<(), LockError> {
    let (Some(engine), Some(config)) = (app.engine(), app.lock.get_untracked()) else { return Ok(()) };
    crypt::unlock(&config, pin).await.map_err(|_| LockError::WrongPin)?;
    engine.store.reseal(None, &[LOCK_KEY]).await.map_err(|e| LockError::Failed(e.to_string()))?;
    engine.store.meta_delete(LOCK_KEY).await.map_err(|e| LockError::Failed(e.to_string()))?;
    app.lock.set(None);
    Ok(())
}

/// Asks the browser not to evict nimo's storage; the answer is shown in 設定.
pub fn request_persistence() {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else { return };
    let _ = js::call(&storage, "persist", &[]);
}

/// Whether the browser granted persistent storage.
pub async fn is_persisted() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = js::call(&storage, "persisted", &[])?.ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await.ok()?;
    value.as_bool()
}

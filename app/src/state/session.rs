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
use crate::platform::http::{self, FetchTransport};
use crate::platform::js;
use crate::platform::store::IdbStore;

const ME_KEY: &str = "me";
pub const LOCK_KEY: &str = "lock";
const GROUP_KEY: &str = "nimo.group";
/// The bearer token (sealed), when the lock is on.
const TOKEN_KEY: &str = "session";
/// A change of how the session travels that waits for the network:
/// `"bearer"` or `"cookie"`.
const MODE_PENDING_KEY: &str = "session_mode_pending";

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
    super::feed_cache_from(app, &store);
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
    let token: Option<String> = engine.store.meta_get(TOKEN_KEY).await.ok().flatten();
    http::set_bearer(token);
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
pub async fn signed_in(app: AppState, mut me: Me) -> Result<(), EngineError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    if let Ok(Some(state)) = engine.state().await {
        if state.user != me.user {
            engine.store.erase_all().await?;
            app.cache.clear();
            keep_lock_config(app).await?;
        }
    }
    // A bearer session (asked for because the lock is on): the token is
    // kept sealed, never in `me`.
    if let Some(token) = me.session_token.take() {
        engine.store.meta_put(TOKEN_KEY, &token, true).await?;
        http::set_bearer(Some(token));
    }
    engine.store.meta_put(ME_KEY, &me, true).await?;
    open_for(app, me).await
}

/// Whether a sign-in on this device should ask for a bearer session.
pub fn wants_bearer(app: AppState) -> bool {
    app.lock.get_untracked().is_some()
}

/// Moves the session to a bearer token (lock on) or back to a cookie (lock
/// off). Offline, the change is noted and made at the next sync.
async fn switch_session(app: AppState, bearer: bool) {
    let Some(engine) = app.engine() else { return };
    let request = nimo_core::api::SessionMode { bearer };
    match http::send_json::<_, nimo_core::api::SessionToken>("PUT", "/api/session/mode", &request).await {
        Ok(answer) => {
            match answer.token {
                Some(token) => {
                    let _ = engine.store.meta_put(TOKEN_KEY, &token, true).await;
                    http::set_bearer(Some(token));
                }
                None => {
                    let _ = engine.store.meta_delete(TOKEN_KEY).await;
                    http::set_bearer(None);
                }
            }
            let _ = engine.store.meta_delete(MODE_PENDING_KEY).await;
        }
        Err(_) => {
            let _ = engine.store.meta_put(MODE_PENDING_KEY, &if bearer { "bearer" } else { "cookie" }, false).await;
        }
    }
}

/// Makes a session change that waited for the network (called before a sync).
pub async fn finish_pending_switch(app: AppState) {
    let Some(engine) = app.engine() else { return };
    let pending: Option<String> = engine.store.meta_get(MODE_PENDING_KEY).await.ok().flatten();
    if let Some(mode) = pending {
        switch_session(app, mode == "bearer").await;
    }
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
    let _ = http::send_empty::<()>("POST", "/api/auth/logout", None).await;
    erase(app).await;
    app.phase.set(Phase::SignedOut);
}

/// The server said this device is revoked: erase without sending anything.
pub async fn revoked(app: AppState, reason: String) {
    erase(app).await;
    app.phase.set(Phase::Revoked(reason));
}

/// Forgets everything on this device: records, outbox, drafts, the lock,
/// the session (also after a forgotten PIN).
pub async fn erase(app: AppState) {
    http::set_bearer(None);
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

/// A PIN is at least six characters (digits, or a passphrase).
pub const PIN_MIN: usize = 6;

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
    http::set_bearer(None);
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
    engine.store.reseal(Some(cipher), &[LOCK_KEY, MODE_PENDING_KEY]).await.map_err(|e| LockError::Failed(e.to_string()))?;
    engine.store.meta_put(LOCK_KEY, &config, false).await.map_err(|e| LockError::Failed(e.to_string()))?;
    app.lock.set(Some(config));
    // From now on nothing in the browser but the unlocked app can use the
    // session: it becomes a bearer token sealed with the data.
    switch_session(app, true).await;
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
    engine.store.reseal(None, &[LOCK_KEY, MODE_PENDING_KEY]).await.map_err(|e| LockError::Failed(e.to_string()))?;
    engine.store.meta_delete(LOCK_KEY).await.map_err(|e| LockError::Failed(e.to_string()))?;
    app.lock.set(None);
    switch_session(app, false).await;
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

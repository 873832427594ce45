//! What this device keeps besides records — who is signed in, the chosen
//! group, drafts, the session token, the lock's configuration — and how it
//! forgets all of it.

use crate::platform::prefs;
use leptos::prelude::*;
use nimo_core::api::Me;
use nimo_core::sync::wire::Wire;
use serde_json::Value;

use super::AppState;
use crate::platform::http;

pub const ME_KEY: &str = "me";
pub const LOCK_KEY: &str = "lock";
pub const GROUP_KEY: &str = "nimo.group";
/// The bearer token (sealed), when the lock is on.
pub const TOKEN_KEY: &str = "session";
/// A change of how the session travels that waits for the network:
/// `"bearer"` or `"cookie"`.
pub const MODE_PENDING_KEY: &str = "session_mode_pending";
/// Set while someone is signed in here, for `boot.js` (which shows the
/// HTML join form only to a device nobody uses yet).
pub const SIGNED_IN_FLAG: &str = "nimo.signedIn";

/// A setting of a typed shape (the API's `Me`, the lock's configuration).
pub async fn get_as<T: Wire>(app: AppState, key: &str) -> Option<T> {
    let engine = app.engine()?;
    let value = engine.store.meta_get(key).await.ok().flatten()?;
    T::from_wire(&value).ok()
}

pub async fn put_as<T: Wire>(app: AppState, key: &str, value: &T, seal: bool) -> Result<(), nimo_core::sync::client::StoreError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    engine.store.meta_put(key, &value.to_wire(), seal).await
}

pub async fn delete(app: AppState, key: &str) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.meta_delete(key).await;
    }
}

/// Saves a draft (sealed when the lock is on); best effort.
pub async fn save_draft(app: AppState, key: &str, value: &Value) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.meta_put(&format!("draft:{key}"), value, true).await;
    }
}

pub async fn load_draft(app: AppState, key: &str) -> Option<Value> {
    let engine = app.engine()?;
    engine.store.meta_get(&format!("draft:{key}")).await.ok().flatten()
}

pub async fn drop_draft(app: AppState, key: &str) {
    delete(app, &format!("draft:{key}")).await;
}

/// Keeps `me` (sealed).
pub async fn save_me(app: AppState, me: &Me) -> Result<(), nimo_core::sync::client::StoreError> {
    prefs::set(SIGNED_IN_FLAG, "1");
    put_as(app, ME_KEY, me, true).await
}

/// Forgets everything on this device: records, outbox, drafts, the lock,
/// the session (sign-out, a remote erase, a forgotten PIN).
pub async fn erase(app: AppState) {
    http::set_bearer(None);
    if let Some(engine) = app.engine() {
        let _ = engine.store.erase_all().await;
    }
    prefs::delete(GROUP_KEY);
    prefs::delete(SIGNED_IN_FLAG);
    app.forget_records();
    app.me.set(None);
    app.group.set(None);
    app.lock.set(None);
    app.sync.reset();
}

/// Moves the session to a bearer token (lock on) or back to a cookie (lock
/// off). Offline, the change is noted and made at the next sync.
pub async fn switch_session(app: AppState, bearer: bool) {
    let Some(engine) = app.engine() else { return };
    match super::api::session_mode(bearer).await {
        Ok(answer) => {
            match answer.token {
                Some(token) => {
                    let _ = engine.store.meta_put(TOKEN_KEY, &Value::String(token.clone()), true).await;
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
            let mode = Value::String(if bearer { "bearer" } else { "cookie" }.into());
            let _ = engine.store.meta_put(MODE_PENDING_KEY, &mode, false).await;
        }
    }
}

/// Makes a session change that waited for the network (before a sync).
pub async fn finish_pending_switch(app: AppState) {
    let Some(engine) = app.engine() else { return };
    let pending = engine.store.meta_get(MODE_PENDING_KEY).await.ok().flatten();
    if let Some(mode) = pending.as_ref().and_then(Value::as_str) {
        switch_session(app, mode == "bearer").await;
    }
}

/// The sealed bearer token (as read from the store at start or unlock),
/// into the requests.
pub fn use_bearer(token: Option<&Value>) {
    http::set_bearer(token.and_then(Value::as_str).map(str::to_owned));
}

/// Asks the browser not to evict nimo's storage; the answer is shown in 設定.
pub fn request_persistence() {
    // Absent in some WebKit versions: then there is nothing to ask.
    let Some(storage) = web_sys::window().and_then(|w| crate::platform::js::get(&w.navigator(), "storage")) else { return };
    let _ = crate::platform::js::call(&storage, "persist", &[]);
}

/// An iPhone or iPad (every browser there is WebKit, which may erase a
/// site's data after seven days without a visit unless it is on the home
/// screen).
pub fn is_ios() -> bool {
    let Some(w) = web_sys::window() else { return false };
    let ua = w.navigator().user_agent().unwrap_or_default();
    ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") || (ua.contains("Macintosh") && w.navigator().max_touch_points() > 1)
}

/// Opened from the home screen (as an installed app).
pub fn is_standalone() -> bool {
    let Some(w) = web_sys::window() else { return false };
    let by_safari = crate::platform::js::get(&w.navigator(), "standalone").is_some_and(|v| v.is_truthy());
    by_safari || w.match_media("(display-mode: standalone)").ok().flatten().is_some_and(|m| m.matches())
}

/// Whether the browser granted persistent storage (`None`: it cannot say,
/// as on an iPhone without `navigator.storage`).
pub async fn is_persisted() -> Option<bool> {
    let storage = crate::platform::js::get(&web_sys::window()?.navigator(), "storage")?;
    let promise = crate::platform::js::call(&storage, "persisted", &[])?.ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await.ok()?;
    value.as_bool()
}

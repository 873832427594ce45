//! When the device syncs, and what the user is told about it.
//!
//! Sync runs on start, when the browser comes back online, when the app
//! comes back to the foreground, shortly after each local change
//! (debounced), every few minutes while open, on the 「今すぐ同期」 button,
//! and when the service worker's Background Sync fires. One tab syncs at a
//! time (Web Locks); a request during a sync runs once more afterwards.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::sync::client::{Rejected, StoreError, SyncError};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::{AppState, Phase, api, device, keys, tabs};
use crate::platform::js;

/// How long after a local change to sync (edits in a row make one sync).
pub const AFTER_CHANGE: Duration = Duration::from_secs(2);
pub const EVERY: Duration = Duration::from_secs(3 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No connection to the server; changes wait on the device.
    Offline,
    /// The server speaks a newer protocol: update the app.
    Outdated,
    /// The phone's storage is full.
    StorageFull,
    /// The server's disk is full: changes wait on the phone.
    ServerFull,
    /// The group's keys changed and this phone could not take the new
    /// ones (the key module did not load: an update may be waiting).
    KeysBehind,
    /// Something else went wrong; the message is technical.
    Other(String),
}

#[derive(Clone, Copy)]
pub struct SyncStatus {
    pub running: RwSignal<bool>,
    pub last_ok: RwSignal<Option<u64>>,
    pub unsent: RwSignal<usize>,
    pub problem: RwSignal<Option<Problem>>,
    /// Changes the server refused, kept so that nothing typed is lost.
    pub rejected: RwSignal<Vec<Rejected>>,
    /// Values pulled that did not open (or did not pass their schema):
    /// kept aside, said in 「読めない記録」.
    pub unreadable: RwSignal<Vec<nimo_core::crypto::keyring::Unreadable>>,
    again: StoredValue<bool>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl SyncStatus {
    pub fn new() -> Self {
        Self {
            running: RwSignal::new(false),
            last_ok: RwSignal::new(None),
            unsent: RwSignal::new(0),
            problem: RwSignal::new(None),
            rejected: RwSignal::new(Vec::new()),
            unreadable: RwSignal::new(Vec::new()),
            again: StoredValue::new(false),
            timer: StoredValue::new(None),
        }
    }

    pub fn reset(&self) {
        self.last_ok.set(None);
        self.unsent.set(0);
        self.problem.set(None);
        self.rejected.set(Vec::new());
        self.unreadable.set(Vec::new());
    }
}

/// Syncs soon (after local changes): several calls make one sync.
pub fn schedule(app: AppState) {
    // Offline, the tab may be closed before the sync runs: the service
    // worker then sends the change when the connection is back.
    if !app.net.online.get_untracked() {
        register_background_sync();
    }
    if let Some(old) = app.sync.timer.get_value() {
        old.clear();
    }
    let handle = set_timeout_with_handle(move || sync_now(app), AFTER_CHANGE).ok();
    app.sync.timer.set_value(handle);
}

pub fn sync_now(app: AppState) {
    if app.phase.get_untracked() != Phase::Ready {
        return;
    }
    if app.sync.running.get_untracked() {
        app.sync.again.set_value(true);
        return;
    }
    app.sync.running.set(true);
    let done = move || {
        app.sync.running.set(false);
        if app.sync.again.get_value() {
            app.sync.again.set_value(false);
            sync_now(app);
        }
    };
    with_web_lock(run(app), done);
}

/// Runs `work` holding the `nimo-sync` Web Lock if no other tab holds it;
/// if another tab is syncing, skips (its sync covers the same data). The
/// lock is held until `work` has finished. `done` runs either way.
fn with_web_lock(work: impl std::future::Future<Output = ()> + 'static, done: impl FnOnce() + 'static) {
    let locks = web_sys::window().and_then(|w| js::get(&w.navigator(), "locks"));
    let Some(locks) = locks else {
        spawn_local(async move {
            work.await;
            done();
        });
        return;
    };
    let callback = Closure::once_into_js(move |lock: JsValue| -> js_sys::Promise {
        if lock.is_null() {
            done();
            return js_sys::Promise::resolve(&JsValue::UNDEFINED);
        }
        wasm_bindgen_futures::future_to_promise(async move {
            work.await;
            done();
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = js::object(&[("ifAvailable", JsValue::TRUE)]);
    let _ = js::call(&locks, "request", &[JsValue::from_str("nimo-sync"), options.into(), callback]);
}

async fn run(app: AppState) {
    let Some(engine) = app.engine() else { return };
    device::finish_pending_switch(app).await;
    let net = Some(app.net);
    let mut result = engine.sync().await;
    // The group's keys changed (a member removed): fetch them, seal the
    // queue again, send again — once; or something pulled did not open
    // (sealed under a key this phone has not fetched yet).
    let unreadable = engine.state().await.ok().flatten().is_some_and(|s| !s.unreadable.is_empty());
    if matches!(result, Err(SyncError::KeysChanged)) || (result.is_ok() && unreadable) {
        match keys::refresh(app).await {
            Ok(true) => result = engine.sync().await,
            Ok(false) if result.is_ok() => {}
            Ok(false) => result = Err(SyncError::KeysChanged),
            Err(keys::KeysError::Offline) => {}
            // The key module did not load (an update may be waiting).
            Err(keys::KeysError::Module(_)) => result = Err(SyncError::KeysChanged),
        }
    }
    match result {
        Ok(_) => {
            app.sync.problem.set(None);
            app.sync.last_ok.set(Some(js::now_ms()));
            if let Some(net) = net {
                net.report(true);
            }
            refresh_members(app).await;
        }
        Err(SyncError::Offline(_)) => {
            app.sync.problem.set(Some(Problem::Offline));
            if let Some(net) = net {
                net.report(false);
            }
            register_background_sync();
        }
        Err(SyncError::SignedOut) => app.phase.set(Phase::SignInAgain),
        Err(SyncError::DeviceRevoked(reason)) => {
            // Erase without sending anything.
            device::erase(app).await;
            app.phase.set(Phase::Revoked(reason));
            return;
        }
        Err(SyncError::Outdated) => {
            app.sync.problem.set(Some(Problem::Outdated));
            crate::pwa::check_for_update();
        }
        Err(SyncError::Store(StoreError::QuotaExceeded)) => app.sync.problem.set(Some(Problem::StorageFull)),
        Err(SyncError::ServerFull) => app.sync.problem.set(Some(Problem::ServerFull)),
        Err(SyncError::KeysChanged) => app.sync.problem.set(Some(Problem::KeysBehind)),
        Err(e) => app.sync.problem.set(Some(Problem::Other(e.to_string()))),
    }
    app.sync.unsent.set(engine.unsent().await.unwrap_or(0));
    if let Ok(Some(state)) = engine.state().await {
        app.sync.rejected.set(state.rejected);
        app.sync.unreadable.set(state.unreadable);
    }
    tabs::announce_changes();
}

/// Asks the service worker to wake the app when the connection returns
/// (Background Sync, Chromium only; elsewhere `online` and the timer do it).
pub fn register_background_sync() {
    let Some(sw) = web_sys::window().map(|w| w.navigator().service_worker()) else { return };
    let Ok(ready) = sw.ready() else { return };
    spawn_local(async move {
        if let Ok(reg) = wasm_bindgen_futures::JsFuture::from(ready).await
            && let Some(sync) = js::get(&reg, "sync")
        {
            let _ = js::call(&sync, "register", &[JsValue::from_str("nimo-sync")]);
        }
    });
}

/// Starts every trigger; called once the session is ready.
pub fn start_triggers(app: AppState) {
    let online = window_event_listener(leptos::ev::online, move |_| sync_now(app));
    // The server answering again (the probe) counts as coming back online.
    Effect::new(move |was: Option<bool>| {
        let now = app.net.online.get();
        if was == Some(false) && now {
            sync_now(app);
        }
        now
    });
    let visible = window_event_listener_untyped("visibilitychange", move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            sync_now(app);
        }
    });
    let every = set_interval_with_handle(move || sync_now(app), EVERY).ok();
    // The service worker's Background Sync posts {type: "nimo-sync"}.
    if let Some(sw) = web_sys::window().map(|w| w.navigator().service_worker()) {
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if js::get(&e.data(), "type").and_then(|t| t.as_string()).as_deref() == Some("nimo-sync") {
                sync_now(app);
            }
        });
        sw.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
    }
    on_cleanup(move || {
        online.remove();
        visible.remove();
        if let Some(every) = every {
            every.clear();
        }
    });
}

/// Keeps the group's member list on the device, for attendance offline.
async fn refresh_members(app: AppState) {
    let Some(group) = app.group.get_untracked() else { return };
    if let Ok(list) = api::members(&group).await {
        let _ = device::put_as(app, &members_key(&group), &list, true).await;
    }
}

pub fn members_key(group: &nimo_core::sync::ids::GroupId) -> String {
    format!("members:{group}")
}

/// The group's members: the copy kept on the device at once, then the
/// server's when online (kept in turn, sealed with the rest when the lock
/// is on). Offline, the device's copy is the answer: who wrote a record or
/// attended a meeting does not need a connection.
pub fn members(app: AppState) -> RwSignal<Vec<nimo_core::api::MemberInfo>> {
    let list = RwSignal::new(Vec::new());
    leptos::task::spawn_local(async move {
        let Some(group) = app.group.get_untracked() else { return };
        let key = members_key(&group);
        if let Some(cached) = device::get_as::<Vec<nimo_core::api::MemberInfo>>(app, &key).await {
            list.set(cached);
        }
        if let Ok(fresh) = api::members(&group).await {
            let _ = device::put_as(app, &key, &fresh, true).await;
            list.set(fresh);
        }
    });
    list
}

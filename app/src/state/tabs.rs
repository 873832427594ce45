//! Other tabs of the app: told which records this one wrote, and heard
//! from when they write. The screens' cache is fed by the store: every
//! committed transaction hands its own records to the cache as written.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::ids::RecordId;
use wasm_bindgen::JsCast;

use super::{AppState, cache};
use crate::platform::js;
use crate::platform::store::IdbStore;

thread_local! {
    /// The one channel to the app's other tabs. A message is delivered to
    /// every other `BroadcastChannel` of the name, including others in the
    /// same page, so this page must send on the object it listens on.
    static TABS: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
    /// Records written here and not yet announced to the other tabs.
    static UNANNOUNCED: RefCell<Vec<(Collection, RecordId)>> = const { RefCell::new(Vec::new()) };
    /// Messages heard before the store was open (see [`listen`]).
    static HELD: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Past this many held messages, the start rereads everything instead.
const HOLD_AT_MOST: usize = 64;

/// Feeds the screens' cache from the store, and notes what was written for
/// the other tabs.
pub fn feed_cache_from(app: AppState, store: &IdbStore) {
    store.on_commit(Box::new(move |written| {
        UNANNOUNCED.with(|u| u.borrow_mut().extend(written.iter().map(|(c, id, _)| (*c, id.clone()))));
        app.cache.apply(written);
    }));
}

/// Tells the app's other tabs which records changed since the last time:
/// `collection/id` strings, or `all` when so many changed that they reload
/// everything. Sent even when none did: the outbox may have, and they show
/// its count.
pub fn announce_changes() {
    let keys = UNANNOUNCED.with(|u| std::mem::take(&mut *u.borrow_mut()));
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

/// Rereads what another tab changed. Listens on the channel boot.js
/// opened before it read the store (`window.nimoTabs`), taking what was
/// heard on it meanwhile; until the store is open (`app.engine()`),
/// messages are held for [`replay_held`].
pub fn listen(app: AppState) {
    let boot = web_sys::window().and_then(|w| js::get(&w, "nimoTabs"));
    if let Some(heard) = boot.as_ref().and_then(|b| js::get(b, "heard")).and_then(|h| h.dyn_into::<js_sys::Array>().ok()) {
        for message in heard.iter() {
            hold(message.as_string().unwrap_or_default());
        }
        heard.set_length(0);
    }
    let from_boot = boot.as_ref().and_then(|b| js::get(b, "channel")).and_then(|c| c.dyn_into::<web_sys::BroadcastChannel>().ok());
    let Some(channel) = from_boot.or_else(|| web_sys::BroadcastChannel::new("nimo").ok()) else { return };
    let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let message = e.data().as_string().unwrap_or_default();
        if app.engine().is_none() {
            hold(message);
        } else {
            reread(app, message);
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    TABS.with(|tabs| *tabs.borrow_mut() = Some(channel));
}

/// Keeps a message heard before the store was open; past a few, the
/// start rereads everything instead.
fn hold(message: String) {
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        if held.len() >= HOLD_AT_MOST {
            held.clear();
            held.push("all".to_owned());
        } else if held.first().is_none_or(|m| m != "all") {
            held.push(message);
        }
    });
}

/// Rereads what other tabs announced before the store was open. Called by
/// the start once its load is placed, so that these rereads are laid over
/// that load's (older) snapshot.
pub fn replay_held(app: AppState) {
    for message in HELD.with(|held| std::mem::take(&mut *held.borrow_mut())) {
        reread(app, message);
    }
}

fn reread(app: AppState, message: String) {
    spawn_local(async move {
        let Some(engine) = app.engine() else { return };
        // A full reload counts the unsent changes as it reads.
        let counted = if message == "all" {
            app.cache.load_all(&engine.store).await.ok()
        } else {
            let keys: Vec<(Collection, RecordId)> = message
                .split(',')
                .filter_map(|k| {
                    let (c, id) = k.split_once('/')?;
                    Some((Collection::from_id(c)?, RecordId::parse(id).ok()?))
                })
                .collect();
            let _ = app.cache.reload(&engine.store, &keys).await;
            None
        };
        let unsent = match counted {
            Some(n) => n,
            None => engine.unsent().await.unwrap_or(0),
        };
        app.sync.unsent.set(unsent);
    });
}

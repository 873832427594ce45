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
use crate::platform::store::IdbStore;

thread_local! {
    /// The one channel to the app's other tabs. A message is delivered to
    /// every other `BroadcastChannel` of the name, including others in the
    /// same page, so this page must send on the object it listens on.
    static TABS: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
    /// Records written here and not yet announced to the other tabs.
    static UNANNOUNCED: RefCell<Vec<(Collection, RecordId)>> = const { RefCell::new(Vec::new()) };
}

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

/// Rereads what another tab changed.
pub fn listen(app: AppState) {
    let Ok(channel) = web_sys::BroadcastChannel::new("nimo") else { return };
    let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let message = e.data().as_string().unwrap_or_default();
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
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    TABS.with(|tabs| *tabs.borrow_mut() = Some(channel));
}

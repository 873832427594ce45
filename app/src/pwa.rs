//! The service worker's update notice. `boot.js` registers the worker and,
//! when a new version has been installed and is waiting, fires
//! `nimo:update-ready` on `window`; applying it is left to the user so that
//! nobody is switched to a new version in the middle of writing a record.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// True once a new version is waiting.
pub fn update_ready() -> ReadSignal<bool> {
    let already = js_sys::Reflect::get(&window(), &JsValue::from_str("nimoUpdateReady"))
        .map(|v| v.is_truthy())
        .unwrap_or(false);
    let (ready, set_ready) = signal(already);
    let handle = window_event_listener_untyped("nimo:update-ready", move |_| set_ready.set(true));
    on_cleanup(move || handle.remove());
    ready
}

/// Activates the waiting version; the page reloads when it takes control.
pub fn apply_update() {
    let apply = js_sys::Reflect::get(&window(), &JsValue::from_str("nimoApplyUpdate")).ok();
    if let Some(f) = apply.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = f.call0(&JsValue::NULL);
    }
}

/// Asks the browser to look for a new version now.
pub fn check_for_update() {
    let Some(sw) = web_sys::window().map(|w| w.navigator().service_worker()) else { return };
    let registration = sw.get_registration();
    leptos::task::spawn_local(async move {
        if let Ok(reg) = wasm_bindgen_futures::JsFuture::from(registration).await
            && !reg.is_undefined()
        {
            let _ = crate::platform::js::call(&reg, "update", &[]);
        }
    });
}

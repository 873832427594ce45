//! Connectivity as the user experiences it: offline when the browser says
//! so, and also when the server cannot be reached (the browser's
//! `navigator.onLine` stays true when only the server or the Wi-Fi's uplink
//! is down).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestInit, Response};

/// How long a request may take before the server counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// How often to check while the app is open and online.
const PROBE_EVERY: Duration = Duration::from_secs(30);
/// How often while offline: coming back should be noticed soon.
const PROBE_OFFLINE_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy)]
pub struct Connectivity {
    pub online: ReadSignal<bool>,
    set_online: WriteSignal<bool>,
}

impl Connectivity {
    /// Starts watching; call once, at the root.
    pub fn start() -> Self {
        let (online, set_online) = signal(window().navigator().on_line());
        let this = Self { online, set_online };
        this.probe();
        let online_handle = window_event_listener(leptos::ev::online, move |_| this.probe());
        let offline_handle = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        let last = StoredValue::new(0.0f64);
        set_interval(
            move || {
                let every = if online.get_untracked() { PROBE_EVERY } else { PROBE_OFFLINE_EVERY };
                let now = js_sys::Date::now();
                if now - last.get_value() >= every.as_millis() as f64 {
                    last.set_value(now);
                    this.probe();
                }
            },
            PROBE_OFFLINE_EVERY,
        );
        on_cleanup(move || {
            online_handle.remove();
            offline_handle.remove();
        });
        this
    }

    /// Asks the server whether it is there and records the answer.
    pub fn probe(self) {
        spawn_local(async move {
            let ok = window().navigator().on_line() && health_ok().await;
            self.set_online.set(ok);
        });
    }

    /// Records what a request elsewhere (e.g. sync) learned.
    pub fn report(self, reachable: bool) {
        self.set_online.set(reachable);
    }
}

async fn health_ok() -> bool {
    let Ok(controller) = AbortController::new() else { return false };
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&controller.signal()));
    init.set_cache(web_sys::RequestCache::NoStore);
    let abort = controller.clone();
    set_timeout(move || abort.abort(), PROBE_TIMEOUT);
    match JsFuture::from(window().fetch_with_str_and_init("/api/health", &init)).await {
        Ok(value) => value.dyn_into::<Response>().map(|r| r.ok()).unwrap_or(false),
        Err(_) => false,
    }
}

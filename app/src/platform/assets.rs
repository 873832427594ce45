//! Data files shipped beside the app and precached by the service worker:
//! read on first use instead of being compiled into the WebAssembly.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text `boot.js` fetches for the app when `window[key]()` is called
/// (one download, shared with the service worker's install on a first
/// visit).
pub async fn text(key: &str) -> Option<String> {
    let window = web_sys::window()?;
    let fetch: js_sys::Function = super::js::get(&window, key)?.dyn_into().ok()?;
    let promise = fetch.call0(&window).ok()?;
    JsFuture::from(js_sys::Promise::resolve(&promise)).await.ok()?.as_string()
}

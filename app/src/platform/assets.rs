//! Data files shipped beside the app and precached by the service worker:
//! read on first use instead of being compiled into the WebAssembly.

use wasm_bindgen_futures::JsFuture;

/// The text `boot.js` fetched for the app as the promise `window[key]`
/// (one download, shared with the service worker's install).
pub async fn text(key: &str) -> Option<String> {
    let window = web_sys::window()?;
    let promise = super::js::get(&window, key)?;
    JsFuture::from(js_sys::Promise::resolve(&promise)).await.ok()?.as_string()
}

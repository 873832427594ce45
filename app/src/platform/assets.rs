//! Data files shipped beside the app and precached by the service worker:
//! read on first use instead of being compiled into the WebAssembly.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text of a data file whose URL `boot.js` announces as `window[key]`
/// (the build gives it a content-hashed name).
pub async fn text(key: &str) -> Option<String> {
    let window = web_sys::window()?;
    let url = super::js::get(&window, key)?.as_string()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url)).await.ok()?.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?).await.ok()?.as_string()
}

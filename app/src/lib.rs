//! nimo's client: thin Leptos views over `nimo-core`.
//!
//! `shell` lays out the screen (top bar, current screen, bottom navigation);
//! `form` renders any collection's form from its schema;
//! `route` maps the URL hash to a screen; `i18n` holds every UI string in
//! Japanese and English; `net` watches connectivity; `pwa` bridges the
//! service worker's update notice.

#[cfg(feature = "bench")]
mod bench;
mod components;
mod form;
mod handler;
mod i18n;
mod net;
mod platform;
mod pwa;
mod route;
mod screens;
mod shell;
mod state;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    // Dev builds print a panic's message; the release build's panics are
    // bare traps (xtask `small_std`), which the browser reports as such.
    console_error_panic_hook::set_once();
    platform::json::install_float_reader();
    leptos::mount::mount_to_body(shell::App);
}

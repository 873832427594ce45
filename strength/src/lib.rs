//! The strength module: zxcvbn's estimate of a new passphrase, judged on
//! the device because the passphrase never reaches the server. Its
//! dictionaries are most of its size (see BENCHMARKS.md), so it is its own
//! WebAssembly module, loaded only by the screens where a passphrase is
//! chosen (setup, joining, changing it, recovering), while the person types.

use wasm_bindgen::prelude::*;

/// `""` when the passphrase may be used, else why not
/// (`nimo_core::base::passphrase::Problem::code`).
#[wasm_bindgen]
pub fn strength(passphrase: &str, login: &str, display_name: &str) -> String {
    match nimo_core::base::passphrase::check(passphrase, login, display_name) {
        Ok(()) => String::new(),
        Err(p) => p.code().to_owned(),
    }
}

//! Time and randomness for the sync engine.

use nimo_core::sync::client::Env;

use super::js;

#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserEnv;

impl Env for BrowserEnv {
    fn now_ms(&self) -> u64 {
        js::now_ms()
    }

    fn monotonic_ms(&self) -> u64 {
        web_sys::window().and_then(|w| w.performance()).map_or_else(js::now_ms, |p| p.now() as u64)
    }

    fn random_bytes(&self, out: &mut [u8]) {
        random_bytes(out);
    }
}

/// Fills `out` from the browser's cryptographic random source.
pub fn random_bytes(out: &mut [u8]) {
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    match crypto {
        // getRandomValues takes at most 65,536 bytes at a time.
        Some(c) => {
            for chunk in out.chunks_mut(65_536) {
                let _ = c.get_random_values_with_u8_array(chunk);
            }
        }
        None => {
            // No WebCrypto means no secure context; the app cannot run
            // correctly there and says so at start-up. Never silently weak.
            panic!("crypto.getRandomValues is not available");
        }
    }
}

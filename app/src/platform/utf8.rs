//! Reading JavaScript strings as UTF-8 into one reused buffer.
//!
//! wasm-bindgen's own copy of a string (`JsValue::as_string`) allocates for
//! the string's length, copies it one code unit at a time while it is
//! ASCII, then at the first other character grows the allocation threefold
//! and shrinks it again at the end. A stored record's text has Japanese in
//! it, so each record read cost two reallocations and a JavaScript loop:
//! by a CPU profile of a member's throttled reload, 12–14 ms in `realloc`
//! alone for 1,000 records. Here the browser's `TextEncoder.encodeInto`
//! writes straight into a buffer that is sized once and kept for the next
//! string.

use js_sys::JsString;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Encoder;
    #[wasm_bindgen(constructor, js_class = TextEncoder)]
    fn new() -> Encoder;
    #[wasm_bindgen(method, js_class = TextEncoder, js_name = encodeInto)]
    fn encode_into(this: &Encoder, source: &JsString, dest: &mut [u8]) -> Written;

    /// `encodeInto`'s answer.
    type Written;
    #[wasm_bindgen(method, getter)]
    fn written(this: &Written) -> u32;
}

/// One buffer for many strings: made for a batch of reads (a `getAll`'s
/// records) and dropped with it, so that no record's text stays behind in
/// it once the batch is parsed.
pub struct Utf8Reader {
    encoder: Encoder,
    buf: Vec<u8>,
}

impl Utf8Reader {
    pub fn new() -> Self {
        Self { encoder: Encoder::new(), buf: Vec::new() }
    }

    /// `text` as UTF-8, borrowed from the buffer until the next read. A
    /// UTF-16 code unit takes at most three bytes, so the buffer is made
    /// that large before the browser writes into it; `encodeInto` writes
    /// well-formed UTF-8 (a lone surrogate becomes U+FFFD), which is checked
    /// here all the same rather than assumed.
    pub fn read(&mut self, text: &JsString) -> Option<&str> {
        let most = text.length() as usize * 3;
        if self.buf.len() < most {
            self.buf.resize(most, 0);
        }
        let written = self.encoder.encode_into(text, &mut self.buf[..most]).written() as usize;
        std::str::from_utf8(self.buf.get(..written)?).ok()
    }
}

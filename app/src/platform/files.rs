//! Files the person picks.

use nimo_core::directory::import::{self, Encoding};

/// Reads a file as text: UTF-8 (with or without BOM) or Shift_JIS, decided
/// by `nimo_core::directory::import::detect`, decoded by the browser (so
/// the app carries no encoding tables).
pub async fn read_text(file: &web_sys::File) -> Result<String, ()> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(drop)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let label = match import::detect(&bytes) {
        Encoding::Utf8 => "utf-8",
        Encoding::ShiftJis => "shift_jis",
    };
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(false);
    let decoder = web_sys::TextDecoder::new_with_label_and_options(label, &options).map_err(drop)?;
    let text = decoder.decode_with_u8_array(&bytes).map_err(drop)?;
    Ok(text.trim_start_matches('\u{FEFF}').to_owned())
}

//! JSON text in the app: `nimo_core::base::json` reads and writes it (no
//! serde_json parser, no Rust float parser or printer in the WebAssembly);
//! the shapes are read by hand (`nimo_core::sync::wire`). A float is
//! printed by the browser, and a decimal the reader cannot read exactly
//! on its own is read by the browser's correctly rounded `parseFloat`.

use nimo_core::sync::wire::Wire;
use serde_json::Value;

/// Hands the JSON reader the browser's float reader, before anything is read.
pub fn install_float_reader() {
    nimo_core::base::json::set_float_reader(|text| Some(js_sys::Number::parse_float(text)).filter(|f| !f.is_nan()));
    nimo_core::base::json::set_float_printer(print_float);
}

fn print_float(f: f64) -> String {
    js_sys::JSON::stringify(&wasm_bindgen::JsValue::from_f64(f)).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "null".into())
}

pub fn parse(text: &str) -> Result<Value, String> {
    nimo_core::base::json::parse(text).map_err(|e| e.to_string())
}

pub fn decode<T: Wire>(text: &str) -> Result<T, String> {
    T::from_wire(&parse(text)?).map_err(|e| e.0)
}

pub fn encode<T: Wire>(x: &T) -> String {
    to_string(&x.to_wire())
}

pub fn to_string(v: &Value) -> String {
    nimo_core::base::json::print(v, &print_float)
}

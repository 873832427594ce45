//! JSON text in the app. Reading is serde_json's parser into a `Value`
//! (one copy of the parser for every shape); the shapes themselves are
//! read by hand (`nimo_core::sync::wire`, `serde_json::from_value` for the
//! small API answers). Writing is by hand here, so that no float printer
//! is shipped for the odd latitude: such a number is printed by the
//! browser.

use nimo_core::sync::wire::Wire;
use serde_json::Value;

pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
}

pub fn decode<T: Wire>(text: &str) -> Result<T, String> {
    T::from_wire(&parse(text)?).map_err(|e| e.0)
}

pub fn encode<T: Wire>(x: &T) -> String {
    to_string(&x.to_wire())
}

pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v);
    out
}

fn write(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(f) = n.as_f64() {
                let printed = js_sys::JSON::stringify(&wasm_bindgen::JsValue::from_f64(f)).ok().and_then(|s| s.as_string());
                out.push_str(printed.as_deref().unwrap_or("null"));
            }
        }
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, x);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, k);
                out.push(':');
                write(out, x);
            }
            out.push('}');
        }
    }
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_what_serde_reads() {
        let v = json!({"a": [1, -2, true, null, "say \"hi\"\n\t\u{1}日本"], "b": {"c": 18446744073709551615u64}});
        assert_eq!(parse(&to_string(&v)).unwrap(), v);
    }
}

//! Small helpers for calling browser APIs that web-sys marks unstable or
//! that are simpler through `Reflect`.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    get_by(target, &JsValue::from_str(key))
}

/// [`get`] with a key already made in JavaScript, for a caller that reads
/// the same key of many objects (each `&str` key is made anew).
pub fn get_by(target: &JsValue, key: &JsValue) -> Option<JsValue> {
    Reflect::get(target, key).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Calls `target.method(args...)`; `None` when the method does not exist.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<Result<JsValue, JsValue>> {
    let f = get(target, method)?.dyn_into::<Function>().ok()?;
    let array = js_sys::Array::new();
    for a in args {
        array.push(a);
    }
    Some(Reflect::apply(&f, target, &array))
}

pub fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        set(&o, k, v);
    }
    o
}

/// The `name` of a DOMException (e.g. `QuotaExceededError`), if it is one.
pub fn error_name(e: &JsValue) -> Option<String> {
    get(e, "name").and_then(|n| n.as_string())
}

pub fn error_text(e: &JsValue) -> String {
    get(e, "message").and_then(|m| m.as_string()).or_else(|| e.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Resolves after the next frame has been painted.
pub async fn after_paint() {
    let painted = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            return;
        };
        // A timeout queued from an animation frame runs after that frame.
        let later = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 0);
            }
        });
        let _ = w.request_animation_frame(later.unchecked_ref());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(painted).await;
}

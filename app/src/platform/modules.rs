//! The two WebAssembly modules the app loads only when it needs them (see
//! ARCHITECTURE.md, "End-to-end encryption"): the key module (`keys/`: the
//! account steps with their server calls — signing in, joining, inviting,
//! removing a member, changing the passphrase, recovering — Argon2id,
//! X25519 and QR codes) and the strength module
//! (`strength/`: zxcvbn, where a new passphrase is chosen). Each is fetched
//! the first time, by a dynamic `import()` of its hashed file (the build
//! rewrites the names below), and kept by the service worker.
//!
//! Every function of a module takes and gives strings (JSON text, base64
//! keys; an epoch number is passed as text, which wasm-bindgen's glue reads
//! as a number); a failure is a thrown `Error`, said here as a
//! [`ModuleError`].

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;

#[wasm_bindgen(inline_js = "
const loaded = {};
const files = {
  keys: ['/keys.js', '/keys.wasm'],
  strength: ['/strength.js', '/strength.wasm'],
};
export function load_module(name) {
  if (!loaded[name]) {
    const [script, wasm] = files[name];
    loaded[name] = import(script).then(async (m) => {
      await m.default({ module_or_path: wasm });
      return m;
    });
    // A failed download (offline) is tried again next time.
    loaded[name].catch(() => { delete loaded[name]; });
  }
  return loaded[name];
}
")]
extern "C" {
    fn load_module(name: &str) -> js_sys::Promise;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Keys,
    Strength,
}

impl Module {
    fn name(self) -> &'static str {
        match self {
            Self::Keys => "keys",
            Self::Strength => "strength",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleError {
    /// The module could not be downloaded (offline, or the server has a
    /// newer version than this app: an update is waiting).
    Unavailable(String),
    /// The step itself failed (a key that does not open, a bad input).
    Failed(String),
}

/// Starts downloading a module ahead of need (a screen that will use it).
pub fn prefetch(module: Module) {
    let promise = load_module(module.name());
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(promise).await;
    });
}

/// Calls `function` of `module` with string arguments; its string answer.
pub async fn call(module: Module, function: &str, args: &[&str]) -> Result<String, ModuleError> {
    let args: Vec<JsValue> = args.iter().map(|a| JsValue::from_str(a)).collect();
    call_values(module, function, &args).await
}

/// Calls `function` with any arguments (text, numbers, `true`/`false`,
/// `undefined` for none); its string answer, awaited when it is a promise
/// (the key module's steps that talk to the server are `async`).
pub async fn call_values(module: Module, function: &str, args: &[JsValue]) -> Result<String, ModuleError> {
    let loaded = JsFuture::from(load_module(module.name())).await.map_err(|e| ModuleError::Unavailable(js::error_text(&e)))?;
    let answer = match js::call(&loaded, function, args) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(ModuleError::Failed(js::error_text(&e))),
        None => return Err(ModuleError::Unavailable(format!("{function} is not in the {} module", module.name()))),
    };
    let answer = match answer.dyn_into::<js_sys::Promise>() {
        Ok(promise) => JsFuture::from(promise).await.map_err(|e| ModuleError::Failed(js::error_text(&e)))?,
        Err(value) => value,
    };
    answer.as_string().ok_or_else(|| ModuleError::Failed(format!("{function}: not text")))
}

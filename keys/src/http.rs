//! The server, as the key module's steps call it: same-origin `fetch` with
//! JSON bodies (the session cookie goes by itself; with the app lock on,
//! the app hands over its bearer token). A failure comes back to the app
//! as JSON it reads into its own errors (`app::state::account`).

use nimo_core::sync::wire::Wire;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCache, RequestCredentials, RequestInit, Response};

/// Why a step did not happen, as the app is told it.
#[derive(Debug)]
pub enum Failure {
    /// No answer from the server.
    Offline(String),
    /// The server's error answer.
    Api { status: u16, body: Value },
    /// A key did not open, or something was not in its shape.
    Failed(String),
    /// The recovery key has a typing mistake or is not this account's.
    Recovery,
    /// This phone holds no key of the group.
    NoGroupKey,
}

impl Failure {
    /// The JSON text the app reads (a thrown string).
    pub fn into_js(self) -> JsValue {
        let v = match self {
            Self::Offline(m) => nimo_core::object! { "kind": "offline", "message": m },
            Self::Api { status, body } => nimo_core::object! { "kind": "api", "status": u64::from(status), "body": body },
            Self::Failed(m) => nimo_core::object! { "kind": "failed", "message": m },
            Self::Recovery => nimo_core::object! { "kind": "recovery" },
            Self::NoGroupKey => nimo_core::object! { "kind": "no_group_key" },
        };
        JsValue::from_str(&nimo_core::base::json::print_value(&v))
    }

    /// Whether the server said the group's keys changed meanwhile.
    pub fn keys_changed(&self) -> bool {
        matches!(self, Self::Api { body, .. } if body.get("error").and_then(Value::as_str) == Some("keys_changed"))
    }
}

impl From<nimo_core::crypto::CryptoError> for Failure {
    fn from(e: nimo_core::crypto::CryptoError) -> Self {
        Self::Failed(e.to_string())
    }
}

fn js_text(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).or_else(|| e.as_string()).unwrap_or_else(|| "fetch failed".into())
}

/// One request; its JSON answer (`null` for an empty one).
pub async fn call(bearer: Option<&str>, method: &str, path: &str, body: Option<&Value>) -> Result<Value, Failure> {
    let window = web_sys::window().ok_or_else(|| Failure::Offline("no window".into()))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_cache(RequestCache::NoStore);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|e| Failure::Offline(js_text(&e)))?;
    if let Some(token) = bearer.filter(|t| !t.is_empty()) {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(&nimo_core::base::json::print_value(body)));
    }
    init.set_headers(&headers);
    let answer = JsFuture::from(window.fetch_with_str_and_init(path, &init)).await.map_err(|e| Failure::Offline(js_text(&e)))?;
    let response: Response = answer.dyn_into().map_err(|_| Failure::Offline("not a response".into()))?;
    let text = JsFuture::from(response.text().map_err(|e| Failure::Offline(js_text(&e)))?).await.map_err(|e| Failure::Offline(js_text(&e)))?;
    let text = text.as_string().unwrap_or_default();
    let value = if text.trim().is_empty() { Value::Null } else { nimo_core::base::json::parse(&text).map_err(|e| Failure::Failed(e.to_string()))? };
    if response.ok() { Ok(value) } else { Err(Failure::Api { status: response.status(), body: value }) }
}

/// A request with an API type's body and answer.
pub async fn call_as<T: Wire>(bearer: Option<&str>, method: &str, path: &str, body: Option<&dyn WireBody>) -> Result<T, Failure> {
    let body = body.map(WireBody::value);
    let answer = call(bearer, method, path, body.as_ref()).await?;
    T::from_wire(&answer).map_err(|e| Failure::Failed(e.0))
}

pub trait WireBody {
    fn value(&self) -> Value;
}

impl<T: Wire> WireBody for T {
    fn value(&self) -> Value {
        self.to_wire()
    }
}

//! `fetch` with JSON bodies and nimo's error shapes. Only `state::api` and
//! the sync engine's transport call this.

use std::time::Duration;

use nimo_core::api::{ErrorBody, ErrorCode};
use nimo_core::sync::client::TransportError;
use nimo_core::sync::wire::Wire;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCache, RequestCredentials, RequestInit, Response};

use super::{js, json};

/// A request taking longer than this counts as a dropped connection.
const TIMEOUT: Duration = Duration::from_secs(30);

thread_local! {
    /// With the app lock on, the session travels as a bearer token that only
    /// the unlocked app holds (never a cookie the browser would send for
    /// any tab): set after unlocking, dropped when locking.
    static BEARER: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Sets (or drops) the bearer token sent with every request.
pub fn set_bearer(token: Option<String>) {
    BEARER.with(|b| *b.borrow_mut() = token);
}

/// The bearer token in use, for the key module's own requests.
pub fn bearer() -> Option<String> {
    BEARER.with(|b| b.borrow().clone())
}

async fn send(method: &str, url: &str, body: Option<String>) -> Result<Response, TransportError> {
    let window = web_sys::window().ok_or_else(|| TransportError::Network("no window".into()))?;
    let controller = AbortController::new().map_err(|e| TransportError::Network(js::error_text(&e)))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_cache(RequestCache::NoStore);
    init.set_credentials(RequestCredentials::SameOrigin);
    init.set_signal(Some(&controller.signal()));
    let headers = Headers::new().map_err(|e| TransportError::Network(js::error_text(&e)))?;
    if let Some(token) = BEARER.with(|b| b.borrow().clone()) {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let abort = controller.clone();
    let timer = gloo_timers_like::Timeout::new(TIMEOUT, move || abort.abort());
    let result = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    drop(timer);
    let value = result.map_err(|e| TransportError::Network(js::error_text(&e)))?;
    value.dyn_into::<Response>().map_err(|_| TransportError::Network("not a response".into()))
}

async fn text(response: &Response) -> Result<String, TransportError> {
    let promise = response.text().map_err(|e| TransportError::Network(js::error_text(&e)))?;
    // A connection dropped while the body streams in fails here.
    let value = JsFuture::from(promise).await.map_err(|e| TransportError::Network(js::error_text(&e)))?;
    Ok(value.as_string().unwrap_or_default())
}

async fn check(response: Response) -> Result<String, TransportError> {
    let status = response.status();
    let body = text(&response).await?;
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let error = json::parse(&body).ok().and_then(|v| ErrorBody::from_wire(&v).ok()).unwrap_or_else(|| {
        // Not our JSON: a proxy or a server that is not nimo.
        let code = if status >= 500 { ErrorCode::Internal } else { ErrorCode::Unknown };
        ErrorBody::new(code, format!("HTTP {status}"))
    });
    Err(TransportError::Api { status, body: error })
}

/// A request with an optional JSON body; the answer as a JSON value
/// (`null` when it has none).
pub async fn call(method: &str, url: &str, body: Option<&Value>) -> Result<Value, TransportError> {
    let text = check(send(method, url, body.map(json::to_string)).await?).await?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    json::parse(&text).map_err(TransportError::Decode)
}

/// A request whose body and answer are API types (`nimo_core::api`).
pub async fn call_as<T: Wire>(method: &str, url: &str, body: Option<&dyn WireOut>) -> Result<T, TransportError> {
    let body = body.map(WireOut::value);
    let answer = call(method, url, body.as_ref()).await?;
    T::from_wire(&answer).map_err(|e| TransportError::Decode(e.0))
}

/// A request body: any API type (behind `dyn`, so each request type adds
/// only its writer, not another copy of the request).
pub trait WireOut {
    fn value(&self) -> Value;
}

impl<T: Wire> WireOut for T {
    fn value(&self) -> Value {
        self.to_wire()
    }
}

/// A cancellable `setTimeout`, cleared on drop.
mod gloo_timers_like {
    use std::time::Duration;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    pub struct Timeout {
        id: Option<i32>,
        _closure: Closure<dyn FnMut()>,
    }

    impl Timeout {
        pub fn new(after: Duration, f: impl FnOnce() + 'static) -> Self {
            let mut f = Some(f);
            let closure = Closure::<dyn FnMut()>::new(move || {
                if let Some(f) = f.take() {
                    f();
                }
            });
            let id = web_sys::window().and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), after.as_millis() as i32).ok()
            });
            Self { id, _closure: closure }
        }
    }

    impl Drop for Timeout {
        fn drop(&mut self) {
            if let (Some(id), Some(w)) = (self.id, web_sys::window()) {
                w.clear_timeout_with_handle(id);
            }
        }
    }
}

/// The sync engine's transport: `fetch` to this origin's `/api/sync/`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchTransport;

impl nimo_core::sync::client::Transport for FetchTransport {
    async fn push(&self, request: &nimo_core::sync::protocol::PushRequest) -> Result<nimo_core::sync::protocol::PushResponse, TransportError> {
        let text = check(send("POST", "/api/sync/push", Some(json::encode(request))).await?).await?;
        json::decode(&text).map_err(TransportError::Decode)
    }

    async fn pull(&self, cursor: Option<&str>, limit: u32) -> Result<nimo_core::sync::protocol::PullResponse, TransportError> {
        let mut url = format!("/api/sync/pull?schema={}&limit={limit}", nimo_core::SCHEMA_VERSION);
        if let Some(c) = cursor {
            url.push_str("&cursor=");
            url.push_str(&String::from(js_sys::encode_uri_component(c)));
        }
        let text = check(send("GET", &url, None).await?).await?;
        nimo_core::sync::wire::pull_from_json(&text).map_err(|e| TransportError::Decode(e.0))
    }
}

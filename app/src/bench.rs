//! `window.nimoBench`: what the benchmarks drive that a user would do by
//! hand a thousand times. Built only with the `bench` feature (the
//! benchmark build in target/bench-dist), never shipped.

use js_sys::{Object, Promise};
use leptos::prelude::*;
use nimo_core::sync::client::{Change, ChangeKind};
use nimo_core::sync::collection::{Collection, Visibility};
use serde_json::json;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::future_to_promise;

use crate::platform::js;
use crate::state::{self, AppState, api};

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Resolves once the app's sync is not running.
async fn until_idle(app: AppState) {
    while app.sync.running.get_untracked() {
        let tick = Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
    }
}

pub fn install(app: AppState) {
    let bench = Object::new();
    let make = Closure::<dyn FnMut(u32) -> Promise>::new(move |n: u32| {
        future_to_promise(async move {
            let start = now();
            let group = app.group.get_untracked().ok_or_else(|| JsValue::from_str("no group"))?;
            for i in 0..n {
                let id = api::new_id(app).ok_or_else(|| JsValue::from_str("no engine"))?;
                let fields = vec![
                    ("at".to_owned(), json!(state::now_jst().to_string())),
                    ("mode".to_owned(), json!("phone")),
                    ("worries".to_owned(), json!(["housing"])),
                    ("note".to_owned(), json!(format!("ベンチマークの記録 {i}：家賃のことで電話があった"))),
                ];
                let change = Change { collection: Collection::Contact, id, group: group.clone(), kind: ChangeKind::put(Some(Visibility::Private), fields) };
                api::change(app, change).await.map_err(|e| JsValue::from_str(&e.to_string()))?;
            }
            Ok(JsValue::from_f64(now() - start))
        })
    });
    // The app's own sync may be running (it starts on sign-in and after
    // saves); the engine's syncs must not overlap, so wait for it and hold
    // the app's flag meanwhile, as `state::sync::sync_now` does.
    let idle = Closure::<dyn FnMut() -> Promise>::new(move || {
        future_to_promise(async move {
            until_idle(app).await;
            Ok(JsValue::UNDEFINED)
        })
    });
    let sync = Closure::<dyn FnMut() -> Promise>::new(move || {
        future_to_promise(async move {
            let engine = app.engine().ok_or_else(|| JsValue::from_str("no engine"))?;
            until_idle(app).await;
            app.sync.running.set(true);
            let start = now();
            let report = engine.sync().await;
            let ms = now() - start;
            app.sync.running.set(false);
            let report = report.map_err(|e| JsValue::from_str(&e.to_string()))?;
            let out = js::object(&[
                ("ms", JsValue::from_f64(ms)),
                ("pushed", JsValue::from_f64(report.pushed as f64)),
                ("pulled", JsValue::from_f64(report.pulled as f64)),
            ]);
            Ok(out.into())
        })
    });
    let unsent = Closure::<dyn FnMut() -> Promise>::new(move || {
        future_to_promise(async move {
            let engine = app.engine().ok_or_else(|| JsValue::from_str("no engine"))?;
            Ok(JsValue::from_f64(engine.unsent().await.unwrap_or(0) as f64))
        })
    });
    // What opening costs: pages of `/api/sync/pull` as the server sent them
    // (JSON text), read and every record opened with this device's keys, as
    // the engine's pull does; parse and open timed apart, and the records'
    // size sealed and open (for the sealed-versus-plain pull figure).
    let open_pages = Closure::<dyn FnMut(js_sys::Array) -> Result<JsValue, JsValue>>::new(move |pages: js_sys::Array| {
        let engine = app.engine().ok_or_else(|| JsValue::from_str("no engine"))?;
        let ring = engine.keyring().ok_or_else(|| JsValue::from_str("no keys"))?;
        let (mut parse_ms, mut open_ms, mut sealed, mut plain, mut records) = (0.0, 0.0, 0usize, 0usize, 0usize);
        for page in pages.iter() {
            let text = page.as_string().unwrap_or_default();
            let start = now();
            let parsed = nimo_core::base::json::parse(&text).map_err(|e| JsValue::from_str(&e.to_string()))?;
            let list: Vec<nimo_core::sync::record::Record> = parsed
                .get("records")
                .and_then(serde_json::Value::as_array)
                .map(|a| a.iter().filter_map(|r| <nimo_core::sync::record::Record as nimo_core::sync::wire::Wire>::from_wire(r).ok()).collect())
                .unwrap_or_default();
            parse_ms += now() - start;
            let start = now();
            let opened: Vec<_> = list.iter().map(|r| ring.open_record(r).0).collect();
            open_ms += now() - start;
            records += list.len();
            sealed += text.len();
            plain += opened.iter().map(|r| nimo_core::base::json::print_value(&nimo_core::sync::wire::Wire::to_wire(r)).len()).sum::<usize>();
        }
        Ok(js::object(&[
            ("parse_ms", JsValue::from_f64(parse_ms)),
            ("open_ms", JsValue::from_f64(open_ms)),
            ("sealed_bytes", JsValue::from_f64(sealed as f64)),
            ("plain_bytes", JsValue::from_f64(plain as f64)),
            ("records", JsValue::from_f64(records as f64)),
        ])
        .into())
    });
    js::set(&bench, "openPages", open_pages.as_ref());
    open_pages.forget();
    js::set(&bench, "makeContacts", make.as_ref());
    js::set(&bench, "sync", sync.as_ref());
    js::set(&bench, "idle", idle.as_ref());
    js::set(&bench, "unsent", unsent.as_ref());
    make.forget();
    sync.forget();
    idle.forget();
    unsent.forget();
    if let Some(w) = web_sys::window() {
        js::set(&w, "nimoBench", &bench);
    }
}

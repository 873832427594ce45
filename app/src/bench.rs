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
    let sync = Closure::<dyn FnMut() -> Promise>::new(move || {
        future_to_promise(async move {
            let engine = app.engine().ok_or_else(|| JsValue::from_str("no engine"))?;
            let start = now();
            let report = engine.sync().await.map_err(|e| JsValue::from_str(&e.to_string()))?;
            let ms = now() - start;
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
    js::set(&bench, "makeContacts", make.as_ref());
    js::set(&bench, "sync", sync.as_ref());
    js::set(&bench, "unsent", unsent.as_ref());
    make.forget();
    sync.forget();
    unsent.forget();
    if let Some(w) = web_sys::window() {
        js::set(&w, "nimoBench", &bench);
    }
}

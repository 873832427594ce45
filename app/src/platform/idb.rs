//! A thin async layer over IndexedDB: open with an upgrade, transactions
//! that abort unless committed, requests as futures.
//!
//! A request future resolves in the success event's microtask, while the
//! transaction is still active, so awaiting one request and then issuing
//! the next keeps the transaction open. Awaiting anything else (fetch,
//! WebCrypto, a timer) inside a transaction would let it auto-commit: the
//! store never does that.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::js;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdbError {
    /// The browser's storage quota is exhausted.
    Quota,
    /// IndexedDB is not available (private mode in some browsers, blocked).
    Unavailable(String),
    Other(String),
}

impl IdbError {
    pub fn from_js(e: &JsValue) -> Self {
        match js::error_name(e).as_deref() {
            Some("QuotaExceededError") => Self::Quota,
            Some("InvalidStateError" | "SecurityError") => Self::Unavailable(js::error_text(e)),
            _ => Self::Other(js::error_text(e)),
        }
    }
}

/// Resolves when the request succeeds, with its result.
pub async fn request(req: &IdbRequest) -> Result<JsValue, IdbError> {
    watch(req).await.map_err(|e| IdbError::from_js(&e))
}

/// Attaches the success and error handlers now and returns the future of
/// the result. Issue several requests with this, then await them: the
/// handlers are in place before any of them can complete.
pub fn watch(req: &IdbRequest) -> JsFuture {
    let req_ok = req.clone();
    let req_err = req.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let r = req_ok.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req_err.clone();
        let on_error = Closure::once_into_js(move |e: web_sys::Event| {
            // Handled here; without this the transaction would abort.
            e.prevent_default();
            let err = r.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::from_str("request failed"));
            let _ = reject.call1(&JsValue::NULL, &err);
        });
        req_ok.set_onsuccess(Some(on_success.unchecked_ref()));
        req_ok.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// An open database, and what boot.js read on it before the app ran
/// (`window.nimoFirstRead`: see `store::FirstRead`), if boot.js opened it.
pub struct Opened {
    pub db: IdbDatabase,
    pub first_read: Option<JsValue>,
}

/// Opens (and creates or upgrades) a database.
/// `upgrade` gets the database, the version-change transaction (to reach
/// existing stores) and the old version.
pub async fn open(name: &str, version: u32, upgrade: impl Fn(&IdbDatabase, &web_sys::IdbTransaction, u32) + 'static) -> Result<Opened, IdbError> {
    if let Some(opened) = opened_early(name, version).await {
        return Ok(opened);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| IdbError::Unavailable("IndexedDB is not available".into()))?;
    let req: IdbOpenDbRequest = factory.open_with_u32(name, version).map_err(|e| IdbError::from_js(&e))?;
    let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(move |e: web_sys::IdbVersionChangeEvent| {
        let Some(target) = e.target() else { return };
        let Ok(req) = target.dyn_into::<IdbOpenDbRequest>() else { return };
        if let (Ok(db), Some(tx)) = (req.result().and_then(|r| r.dyn_into::<IdbDatabase>()), req.transaction()) {
            upgrade(&db, &tx, e.old_version() as u32);
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = request(&req).await;
    drop(upgrade);
    let db = result?.dyn_into::<IdbDatabase>().map_err(|_| IdbError::Other("open did not give a database".into()))?;
    Ok(Opened { db, first_read: None })
}

/// The connection boot.js opened while the WebAssembly was compiling
/// (`window.nimoDb`; 30–70 ms of a repeat visit on the throttled profile),
/// and the first read it placed on it, taken once. Used only when it is
/// `name` at `version`; otherwise closed, so that it cannot block the
/// upgrade this open is about to ask for, and its read stopped first (a
/// connection closes only once its transactions have ended).
async fn opened_early(name: &str, version: u32) -> Option<Opened> {
    let window = web_sys::window()?;
    let promise = js::get(&window, "nimoDb")?;
    js::set(&window, "nimoDb", &JsValue::UNDEFINED);
    let db = JsFuture::from(Promise::resolve(&promise)).await.ok()?.dyn_into::<IdbDatabase>().ok()?;
    // Set by boot.js before it resolves `nimoDb`; unset here whatever
    // happens, so that records read for nothing do not stay in memory.
    let first_read = js::get(&window, "nimoFirstRead");
    js::set(&window, "nimoFirstRead", &JsValue::UNDEFINED);
    if db.name() == name && db.version() == f64::from(version) {
        Some(Opened { db, first_read })
    } else {
        if let Some(stop) = first_read.as_ref().and_then(|read| js::get(read, "stop")).and_then(|f| f.dyn_into::<Function>().ok())
            && let Ok(ended) = stop.call0(&JsValue::NULL)
        {
            let _ = JsFuture::from(Promise::resolve(&ended)).await;
        }
        db.close();
        None
    }
}

/// A transaction that aborts when dropped uncommitted.
pub struct Tx {
    tx: IdbTransaction,
    finished: Rc<Cell<bool>>,
}

impl Tx {
    /// A read-write transaction with strict durability where supported
    /// (the data is on disk when `commit` returns).
    pub fn write(db: &IdbDatabase, stores: &[&str]) -> Result<Self, IdbError> {
        let names = Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        let options = js::object(&[("durability", JsValue::from_str("strict"))]);
        let tx = match js::call(db, "transaction", &[names.clone().into(), JsValue::from_str("readwrite"), options.into()]) {
            Some(Ok(tx)) => tx.dyn_into::<IdbTransaction>().map_err(|_| IdbError::Other("not a transaction".into()))?,
            _ => db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite).map_err(|e| IdbError::from_js(&e))?,
        };
        Ok(Self { tx, finished: Rc::new(Cell::new(false)) })
    }

    pub fn read(db: &IdbDatabase, stores: &[&str]) -> Result<Self, IdbError> {
        let names = Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        let tx = db.transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readonly).map_err(|e| IdbError::from_js(&e))?;
        Ok(Self { tx, finished: Rc::new(Cell::new(false)) })
    }

    pub fn store(&self, name: &str) -> Result<IdbObjectStore, IdbError> {
        self.tx.object_store(name).map_err(|e| IdbError::from_js(&e))
    }

    /// Commits and waits until the data is stored; a full disk shows here.
    pub async fn commit(self) -> Result<(), IdbError> {
        self.finished.set(true);
        let tx = self.tx.clone();
        let promise = Promise::new(&mut |resolve, reject| {
            let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
                let _ = resolve.call0(&JsValue::NULL);
            });
            let t = tx.clone();
            let reject2 = reject.clone();
            let on_error = Closure::once_into_js(move |_: web_sys::Event| {
                let err = t.error().map(JsValue::from).unwrap_or(JsValue::from_str("transaction failed"));
                let _ = reject.call1(&JsValue::NULL, &err);
            });
            let t = tx.clone();
            let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
                let err = t.error().map(JsValue::from).unwrap_or(JsValue::from_str("transaction aborted"));
                let _ = reject2.call1(&JsValue::NULL, &err);
            });
            tx.set_oncomplete(Some(on_complete.unchecked_ref()));
            tx.set_onerror(Some(on_error.unchecked_ref()));
            tx.set_onabort(Some(on_abort.unchecked_ref()));
        });
        // Ends the transaction now rather than when it goes idle.
        let _ = js::call(&self.tx, "commit", &[]);
        JsFuture::from(promise).await.map(drop).map_err(|e| IdbError::from_js(&e))
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.finished.get() {
            let _ = self.tx.abort();
        }
    }
}

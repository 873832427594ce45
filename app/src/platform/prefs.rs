//! This browser's small settings in localStorage (the language, the last
//! area searched, the group in use, a dismissed hint), through
//! gloo-storage's handle. Each value is a JSON string, as gloo-storage's own
//! `set` writes it (so what earlier versions stored still reads), but read
//! with our JSON reader rather than serde's.

use gloo_storage::{LocalStorage, Storage};
use serde_json::Value;

use super::json;

pub fn get(key: &str) -> Option<String> {
    let raw = LocalStorage::raw().get_item(key).ok()??;
    json::parse(&raw).ok()?.as_str().map(str::to_owned)
}

pub fn set(key: &str, value: &str) {
    // A full or blocked storage loses only this preference.
    let _ = LocalStorage::raw().set_item(key, &json::to_string(&Value::String(value.to_owned())));
}

pub fn delete(key: &str) {
    LocalStorage::delete(key);
}

//! The end-to-end keys on this device (ARCHITECTURE.md, "End-to-end
//! encryption"): the keyring — the private half of the user's key pair,
//! their private-records key and every epoch's key of their groups — kept
//! in the store beside the records (sealed with them when the app lock is
//! on), handed to the sync engine, and fetched again whenever the group's
//! keys change (a member removed, a group joined). Opening what the server
//! keeps needs the key module, loaded only then.

use leptos::prelude::*;
use nimo_core::crypto::keyring::Keyring;
use nimo_core::sync::ids::GroupId;
use serde_json::Value;

use super::AppState;
use crate::platform::modules::{self, Module, ModuleError};
use crate::platform::{http, json};

pub const KEYRING_KEY: &str = "keyring";

/// Why the keys could not be brought up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysError {
    Offline,
    Module(ModuleError),
}

/// The keyring kept on this device, handed to the engine.
pub async fn load(app: AppState) -> Option<Keyring> {
    let engine = app.engine()?;
    let value = engine.store.meta_get(KEYRING_KEY).await.ok().flatten()?;
    let ring = Keyring::from_value(&value).ok()?;
    engine.set_keyring(Some(ring.clone()));
    app.keys_missing.set(missing_groups(app, &ring));
    Some(ring)
}

/// Keeps `ring` (sealed when the lock is on) and gives it to the engine.
pub async fn save(app: AppState, ring: Keyring) -> Result<(), nimo_core::sync::client::StoreError> {
    let Some(engine) = app.engine() else { return Ok(()) };
    engine.store.meta_put(KEYRING_KEY, &ring.to_value(), true).await?;
    app.keys_missing.set(missing_groups(app, &ring));
    engine.set_keyring(Some(ring));
    Ok(())
}

/// A keyring with new keys in it (a rotation made here, a group recovered):
/// kept, and the queue sealed under them.
pub async fn replaced(app: AppState, ring: Keyring) {
    if save(app, ring).await.is_ok()
        && let Some(engine) = app.engine()
    {
        let _ = engine.keys_updated().await;
    }
}

/// The groups of the signed-in user whose current key this device lacks
/// (nothing can be written to them until it comes).
fn missing_groups(app: AppState, ring: &Keyring) -> Vec<GroupId> {
    app.me.with_untracked(|me| me.as_ref().map(|me| me.groups.iter().filter(|g| ring.current_epoch(&g.id).is_none()).map(|g| g.id.clone()).collect()).unwrap_or_default())
}

/// Whether `ring` already holds every epoch `GET /api/keys` offers (then
/// the key module need not even load).
fn holds_all(ring: &Keyring, info: &Value) -> bool {
    let epochs = |g: &Value, list: &str| -> Vec<u32> {
        g.get(list).and_then(Value::as_array).into_iter().flatten().filter_map(|e| e.get("epoch")?.as_u64()).map(|e| e as u32).collect()
    };
    info.get("groups").and_then(Value::as_array).into_iter().flatten().all(|g| {
        let Some(group) = g.get("group").and_then(Value::as_str).and_then(|id| GroupId::parse(id).ok()) else { return false };
        epochs(g, "envelopes").into_iter().chain(epochs(g, "history")).all(|e| ring.epoch_key(&group, e).is_some())
    })
}

/// Fetches the keys again; when they changed, the queued changes are
/// sealed under the new ones and anything that did not open is pulled
/// again. Returns whether anything changed.
pub async fn refresh(app: AppState) -> Result<bool, KeysError> {
    let Some(engine) = app.engine() else { return Ok(false) };
    let Some(ring) = engine.keyring() else { return Ok(false) };
    let info = http::call("GET", "/api/keys", None).await.map_err(|_| KeysError::Offline)?;
    if holds_all(&ring, &info) {
        app.keys_missing.set(missing_groups(app, &ring));
        return Ok(false);
    }
    let answer = modules::call(Module::Keys, "keyring", &[&json::to_string(&ring.to_value()), &json::to_string(&info)]).await.map_err(KeysError::Module)?;
    let ring = json::parse(&answer).ok().and_then(|v| Keyring::from_value(&v).ok()).ok_or(KeysError::Module(ModuleError::Failed("keyring".into())))?;
    save(app, ring).await.map_err(|_| KeysError::Offline)?;
    let _ = engine.keys_updated().await;
    Ok(true)
}

/// The keyring as the key module takes it (JSON).
pub fn keyring_json(app: AppState) -> Option<String> {
    Some(json::to_string(&app.engine()?.keyring()?.to_value()))
}

/// A member's safety number: 25 digits from their public key's SHA-256
/// (WebCrypto's), the same on every phone that holds the same key for them.
pub async fn fingerprint(public_key: &str) -> Option<String> {
    let bytes = nimo_core::crypto::unb64(public_key).ok()?;
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let promise = subtle.digest_with_str_and_u8_array("SHA-256", &bytes).ok()?;
    let digest = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let digest: [u8; 32] = js_sys::Uint8Array::new(&digest).to_vec().try_into().ok()?;
    Some(nimo_core::crypto::envelope::fingerprint_of_digest(&digest))
}

//! The account steps a person takes — signing in, joining, the first run,
//! recovering, changing the passphrase, joining another group, inviting,
//! removing a member, a group's recovery key — run by the key module
//! (`keys/src/flows.rs`), which talks to the server itself and makes or
//! opens the keys between the calls: the passphrase, an invite code, a
//! recovery key and every key that opens records stay on the phone. Here:
//! the new passphrase judged first (the strength module), the module's
//! answer taken into the app (who is signed in, the keyring, what must be
//! written down), and its failures read as the app's own.

use leptos::prelude::*;
use nimo_core::api::{ErrorBody, InviteCreated, Me};
use nimo_core::base::passphrase::Problem;
use nimo_core::crypto::keyring::Keyring;
use nimo_core::sync::client::TransportError;
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{GroupId, UserId};
use nimo_core::sync::wire::Wire;
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::{AppState, keys, session};
use crate::platform::modules::{self, Module, ModuleError};
use crate::platform::{http, json};

/// Why an account step did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountError {
    Api(TransportError),
    /// The new passphrase is too easy to guess (judged on this phone).
    Weak(Problem),
    /// The key or strength module could not be loaded.
    Unavailable,
    /// A key did not open (a wrong passphrase's keys, keys that do not
    /// fit this account).
    Failed,
    /// The recovery key has a typing mistake, or is not this account's.
    RecoveryKey,
    /// This phone does not hold the group's key (yet).
    NoGroupKey,
    /// Saving on this device failed.
    Store(String),
}

type Done<T> = Result<T, AccountError>;

/// The module's failure, read from the JSON it throws.
fn failure(e: ModuleError) -> AccountError {
    let text = match e {
        ModuleError::Unavailable(_) => return AccountError::Unavailable,
        ModuleError::Failed(text) => text,
    };
    let Ok(v) = json::parse(&text) else { return AccountError::Failed };
    match v.get("kind").and_then(Value::as_str) {
        Some("offline") => AccountError::Api(TransportError::Network(text)),
        Some("api") => {
            let status = v.get("status").and_then(Value::as_u64).unwrap_or(0) as u16;
            match v.get("body").and_then(|b| ErrorBody::from_wire(b).ok()) {
                Some(body) => AccountError::Api(TransportError::Api { status, body }),
                None => AccountError::Api(TransportError::Decode(text)),
            }
        }
        Some("recovery") => AccountError::RecoveryKey,
        Some("no_group_key") => AccountError::NoGroupKey,
        _ => AccountError::Failed,
    }
}

/// Runs a step of the key module; its answer as JSON.
async fn step(function: &str, args: &[JsValue]) -> Done<Value> {
    let answer = modules::call_values(Module::Keys, function, args).await.map_err(failure)?;
    if answer.is_empty() {
        return Ok(Value::Null);
    }
    json::parse(&answer).map_err(|_| AccountError::Failed)
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// The bearer token, when the session travels as one (the lock is on).
fn bearer() -> JsValue {
    http::bearer().map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t))
}

fn ring_json(app: AppState) -> Done<JsValue> {
    keys::keyring_json(app).map(|j| JsValue::from_str(&j)).ok_or(AccountError::NoGroupKey)
}

/// Judges a new passphrase on this phone: the quick rules at once, then the
/// strength module's estimate.
pub async fn check_new_passphrase(passphrase: &str, login: &str, display_name: &str) -> Done<()> {
    nimo_core::base::passphrase::quick_check(passphrase, login).map_err(AccountError::Weak)?;
    let code = modules::call(Module::Strength, "strength", &[passphrase, login, display_name]).await.map_err(|_| AccountError::Unavailable)?;
    match Problem::from_code(&code) {
        None if code.is_empty() => Ok(()),
        Some(p) => Err(AccountError::Weak(p)),
        None => Err(AccountError::Weak(Problem::Weak)),
    }
}

/// A signed-in answer: who, and the keyring this phone keeps.
pub struct SignedIn {
    pub me: Me,
    pub ring: Keyring,
}

/// The keys that must be written down, shown once after an account (or a
/// group's first key) is made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToKeep {
    pub recovery: String,
    /// The group's recovery key (the group's name, the key), for the
    /// member who made the group's key.
    pub group_recovery: Option<(String, String)>,
}

fn signed_in(v: &Value) -> Done<SignedIn> {
    let me = v.get("me").and_then(|m| Me::from_wire(m).ok()).ok_or(AccountError::Failed)?;
    let ring = v.get("keyring").and_then(|r| Keyring::from_value(r).ok()).ok_or(AccountError::Failed)?;
    Ok(SignedIn { me, ring })
}

fn to_keep(v: &Value) -> Option<ToKeep> {
    let keep = v.get("keep").filter(|k| !k.is_null())?;
    let recovery = keep.get("recovery").and_then(Value::as_str).unwrap_or_default().to_owned();
    let group_recovery = keep.get("group").and_then(|g| Some((g.get("name")?.as_str()?.to_owned(), g.get("key")?.as_str()?.to_owned())));
    (!recovery.is_empty() || group_recovery.is_some()).then_some(ToKeep { recovery, group_recovery })
}

/// Signs in: the passphrase's keys made on this phone, only the key that
/// proves it sent.
pub async fn sign_in(login: &str, passphrase: &str, device_name: String, bearer: bool) -> Done<SignedIn> {
    let v = step("sign_in", &[s(login), s(passphrase), s(&device_name), JsValue::from_bool(bearer)]).await?;
    signed_in(&v)
}

/// Joins with an invite code: a new account (or a re-admitted one's new keys).
pub async fn join(code: &str, login: &str, display_name: &str, passphrase: &str, device_name: String, bearer: bool) -> Done<(SignedIn, Option<ToKeep>)> {
    check_new_passphrase(passphrase, login, display_name).await?;
    let v = step("join", &[s(code), s(login), s(display_name), s(passphrase), s(&device_name), JsValue::from_bool(bearer)]).await?;
    Ok((signed_in(&v)?, to_keep(&v)))
}

/// The first run: the first group, its first key and its coordinator.
pub async fn setup(token: String, group_name: String, login: &str, display_name: &str, passphrase: &str, device_name: String, bearer: bool) -> Done<(SignedIn, Option<ToKeep>)> {
    check_new_passphrase(passphrase, login, display_name).await?;
    let v = step("setup", &[s(&token), s(&group_name), s(login), s(display_name), s(passphrase), s(&device_name), JsValue::from_bool(bearer)]).await?;
    Ok((signed_in(&v)?, to_keep(&v)))
}

/// A forgotten passphrase: the recovery key sets a new one on this phone.
/// Private records stay readable.
pub async fn recover(login: &str, recovery: &str, new: &str, device_name: String, bearer: bool) -> Done<SignedIn> {
    check_new_passphrase(new, login, "").await?;
    let v = step("recover", &[s(login), s(recovery), s(new), s(&device_name), JsValue::from_bool(bearer)]).await?;
    signed_in(&v)
}

/// Changes the passphrase: the current one proven by its key, the private
/// half wrapped anew under the new one.
pub async fn change_passphrase(app: AppState, current: &str, new: &str) -> Done<()> {
    let (login, display) = app.me.with_untracked(|me| me.as_ref().map(|m| (m.login.clone(), m.display_name.clone()))).unwrap_or_default();
    check_new_passphrase(new, &login, &display).await?;
    step("change_passphrase", &[bearer(), ring_json(app)?, s(&login), s(current), s(new)]).await?;
    Ok(())
}

/// Joins another group with the signed-in account.
pub async fn join_group(app: AppState, code: &str) -> Done<Me> {
    let v = step("join_group", &[bearer(), ring_json(app)?, s(code)]).await?;
    let signed = signed_in(&v)?;
    keys::save(app, signed.ring).await.map_err(|e| AccountError::Store(e.to_string()))?;
    session::update_me(app, signed.me.clone()).await;
    if let Some(keep) = to_keep(&v) {
        save_to_keep(app, &keep).await;
    }
    Ok(signed.me)
}

/// An invite made on this phone; its code (never sent) with it.
pub async fn create_invite(app: AppState, group: &GroupId, role: Role, days: u32, max_uses: u32, readmit: Option<UserId>) -> Done<(InviteCreated, String)> {
    let readmit = readmit.map_or(JsValue::UNDEFINED, |u| JsValue::from_str(u.as_str()));
    let args = [bearer(), ring_json(app)?, s(group.as_str()), s(role.id()), JsValue::from(days), JsValue::from(max_uses), readmit];
    let v = step("create_invite", &args).await?;
    if let Some(ring) = v.get("keyring").and_then(|r| Keyring::from_value(r).ok()) {
        let _ = keys::save(app, ring).await;
    }
    let created = v.get("created").and_then(|c| InviteCreated::from_wire(c).ok()).ok_or(AccountError::Failed)?;
    let code = v.get("code").and_then(Value::as_str).ok_or(AccountError::Failed)?.to_owned();
    Ok((created, code))
}

/// Removes a member: the group's next key made on this phone for everyone
/// who stays; the removed member's phones get nothing new.
pub async fn remove_member(app: AppState, group: &GroupId, member: &UserId) -> Done<()> {
    let v = step("remove_member", &[bearer(), ring_json(app)?, s(group.as_str()), s(member.as_str())]).await?;
    let ring = v.get("keyring").and_then(|r| Keyring::from_value(r).ok()).ok_or(AccountError::Failed)?;
    keys::replaced(app, ring).await;
    Ok(())
}

/// A group whose key this phone lacks: the group's recovery key opens it.
pub async fn recover_group(app: AppState, group: &GroupId, recovery: &str) -> Done<()> {
    let v = step("recover_group", &[bearer(), ring_json(app)?, s(group.as_str()), s(recovery)]).await?;
    let ring = v.get("keyring").and_then(|r| Keyring::from_value(r).ok()).ok_or(AccountError::Failed)?;
    keys::replaced(app, ring).await;
    Ok(())
}

/// After a sign-in, join, setup or recovery: the session, the keyring,
/// the data.
pub async fn finish(app: AppState, signed: SignedIn) -> Done<()> {
    session::signed_in(app, signed.me, signed.ring).await.map_err(|e| AccountError::Store(e.to_string()))
}

/// What must be written down, kept on this phone (sealed with the rest
/// when the lock is on) until the person says it is written down: a phone
/// closed on the sheet shows it again.
pub const TO_KEEP_KEY: &str = "to_keep";

pub async fn save_to_keep(app: AppState, keep: &ToKeep) {
    let Some(engine) = app.engine() else { return };
    let group = keep.group_recovery.as_ref().map_or(Value::Null, |(name, key)| nimo_core::object! { "name": name.as_str(), "key": key.as_str() });
    let v = nimo_core::object! { "keep": nimo_core::object! { "recovery": keep.recovery.as_str(), "group": group } };
    let _ = engine.store.meta_put(TO_KEEP_KEY, &v, true).await;
    app.to_keep.set(Some(keep.clone()));
}

pub async fn load_to_keep(app: AppState) {
    let Some(engine) = app.engine() else { return };
    let Some(v) = engine.store.meta_get(TO_KEEP_KEY).await.ok().flatten() else { return };
    app.to_keep.set(to_keep(&v));
}

/// The person has written the keys down: they leave this phone.
pub async fn kept(app: AppState) {
    if let Some(engine) = app.engine() {
        let _ = engine.store.meta_delete(TO_KEEP_KEY).await;
    }
    app.to_keep.set(None);
}

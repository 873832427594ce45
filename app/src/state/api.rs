//! Everything that reaches the server or writes records, in one place: the
//! screens call these and never `platform::http` or the store.

use nimo_core::api::{DeviceInfo, InviteInfo, MemberInfo, RoleRequest, SessionMode, SessionToken};
use nimo_core::sync::client::{Change, EngineError, TransportError};
use nimo_core::sync::collection::{Collection, Role};
use nimo_core::sync::ids::{DeviceId, GroupId, RecordId, UserId};
use nimo_core::sync::record::Record;
use nimo_core::sync::wire::Wire;

use leptos::prelude::*;

use super::{AppState, SaveFailure, sync, tabs};
use crate::platform::http::{self, call_as};

type Answer<T> = Result<T, TransportError>;

// ---- records ----

/// Saves a local change: one store transaction with its outbox entry; the
/// screens see it at once and a sync follows shortly.
pub async fn change(app: AppState, change: Change) -> Result<Record, EngineError> {
    let mut records = change_many(app, vec![change]).await?;
    records.pop().ok_or(EngineError::NoSuchRecord)
}

/// A change made by a tap whose screen has no place to say a failure (a
/// quick action, a choice saved at once): a failure is said app-wide
/// (`AppState::save_failed`), so that a tap that saved nothing never looks
/// as if it had. Forms say their own failures and call [`change`].
pub async fn save(app: AppState, change: Change) -> Option<Record> {
    said(app, self::change(app, change).await)
}

/// A failed change said app-wide, as [`save`] does; the record if saved.
pub fn said<T>(app: AppState, result: Result<T, EngineError>) -> Option<T> {
    result.map_err(|e| app.save_failed.set(Some(SaveFailure::of(&e)))).ok()
}

/// Saves several changes in one transaction (all or none).
pub async fn change_many(app: AppState, changes: Vec<Change>) -> Result<Vec<Record>, EngineError> {
    let engine = app.engine().ok_or(EngineError::NotStarted)?;
    let records = engine.change_many(changes).await?;
    // The last failure said is out of date once a change goes through.
    if app.save_failed.get_untracked().is_some() {
        app.save_failed.set(None);
    }
    app.sync.unsent.set(engine.unsent().await.unwrap_or(0));
    sync::schedule(app);
    tabs::announce_changes();
    Ok(records)
}

/// The live records of a collection as stored on the device (exports read
/// these, not the screens' cache).
pub async fn stored(app: AppState, collection: Collection) -> Vec<Record> {
    let Some(engine) = app.engine() else { return Vec::new() };
    engine.store.load(collection).await.map(|all| all.into_iter().filter(|r| !r.is_deleted()).collect()).unwrap_or_default()
}

/// A new record id (UUIDv7) from the engine's clock and randomness.
pub fn new_id(app: AppState) -> Option<RecordId> {
    app.engine().map(|e| e.new_record_id())
}

// ---- accounts ----
// Signing in, joining, the first run, the passphrase and recovery are the
// key module's steps (`state::account`): it calls the server itself.

pub async fn logout() -> Answer<()> {
    http::call("POST", "/api/auth/logout", None).await.map(drop)
}

pub async fn session_mode(bearer: bool) -> Answer<SessionToken> {
    call_as("PUT", "/api/session/mode", Some(&SessionMode { bearer })).await
}

pub async fn devices() -> Answer<Vec<DeviceInfo>> {
    call_as("GET", "/api/devices", None).await
}

pub async fn revoke_device(id: &DeviceId) -> Answer<()> {
    http::call("DELETE", &format!("/api/devices/{id}"), None).await.map(drop)
}

// ---- groups ----

pub async fn members(group: &GroupId) -> Answer<Vec<MemberInfo>> {
    call_as("GET", &format!("/api/groups/{group}/members"), None).await
}

pub async fn set_role(group: &GroupId, member: &UserId, role: Role) -> Answer<()> {
    http::call("PUT", &format!("/api/groups/{group}/members/{member}/role"), Some(&RoleRequest { role }.to_wire())).await.map(drop)
}


pub async fn invites(group: &GroupId) -> Answer<Vec<InviteInfo>> {
    call_as("GET", &format!("/api/groups/{group}/invites"), None).await
}


pub async fn revoke_invite(group: &GroupId, invite: &str) -> Answer<()> {
    http::call("DELETE", &format!("/api/groups/{group}/invites/{invite}"), None).await.map(drop)
}

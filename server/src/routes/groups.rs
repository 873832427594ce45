//! A group's members and invites. Coordinators invite, remove and promote;
//! every member may see who is in the group (for attendance at meetings).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nimo_core::api::{GroupRecovery, INVITE_ALPHABET, InviteCreated, InviteInfo, InviteRequest, MemberInfo, OwnEnvelope, RoleRequest, Rotation};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{GroupId, UserId};

use crate::auth;
use crate::caller::Caller;
use crate::clock::{new_uuid, now_ms, random_bytes};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::{StorageError, accounts, keys};

const DAY_MS: u64 = 24 * 3600 * 1000;

fn group_id(s: &str) -> Result<GroupId, ApiError> {
    GroupId::parse(s).map_err(|_| ApiError::NotFound)
}

fn user_id(s: &str) -> Result<UserId, ApiError> {
    UserId::parse(s).map_err(|_| ApiError::NotFound)
}

/// 12 random characters of the invite alphabet (32 symbols: a byte mod 32
/// is unbiased).
pub fn new_invite_code() -> String {
    random_bytes::<12>().iter().map(|b| char::from(INVITE_ALPHABET[usize::from(b % 32)])).collect()
}

pub async fn members(State(state): State<AppState>, caller: Caller, Path(group): Path<String>) -> Result<Json<Vec<MemberInfo>>, ApiError> {
    let group = group_id(&group)?;
    caller.require_member(&group)?;
    Ok(Json(state.db.read(move |tx| accounts::members(tx, &group)).await?))
}

/// Removes a member: signs out all of their devices and installs the
/// group's next key, made on the coordinator's device for everyone who
/// stays (`Rotation`), in one transaction. Refused with `keys_changed`
/// when the group changed meanwhile (another rotation, someone joined):
/// the device fetches the keys and members again and makes a new one.
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((group, user)): Path<(String, String)>,
    crate::json::ApiJson(rotation): crate::json::ApiJson<Rotation>,
) -> Result<StatusCode, ApiError> {
    let group = group_id(&group)?;
    let user = user_id(&user)?;
    caller.require_coordinator(&group)?;
    check_rotation(&rotation)?;
    let now = now_ms();
    let (g, u) = (group.clone(), user.clone());
    let revoked_invites = state
        .db
        .write(move |tx| {
            match accounts::user_exists_in(tx, &g, &u)? {
                None => return Err(ApiError::NotFound),
                Some(Role::Coordinator) if accounts::coordinators(tx, &g)? <= 1 => {
                    return Err(ApiError::invalid("user", "a group needs at least one coordinator"));
                }
                Some(_) => {}
            }
            let revoked = keys::rotate(tx, &g, &u, &rotation, now)?;
            accounts::remove_member(tx, &g, &u)?;
            accounts::revoke_all_sessions(tx, &u, "removed_from_group", now)?;
            Ok(revoked)
        })
        .await?;
    tracing::info!(by = %caller.login, group = %group, removed = %user, revoked_invites, "member removed; their devices are signed out; the group's key rotated");
    Ok(StatusCode::NO_CONTENT)
}

fn check_rotation(r: &Rotation) -> Result<(), ApiError> {
    use nimo_core::crypto::unb64;
    let blob = |field: &str, text: &str, len: usize| match unb64(text) {
        Ok(b) if b.len() == len => Ok(()),
        _ => Err(ApiError::invalid(field, format!("base64 of {len} bytes"))),
    };
    for e in &r.envelopes {
        blob("envelopes.envelope", &e.envelope, 92)?;
    }
    blob("history", &r.history, 60)?;
    blob("recovery_envelope", &r.recovery_envelope, 92)
}

/// `GET /api/groups/{group}/recovery`: the group's recovery key's public
/// half and every epoch sealed to it, for a member with no key of the
/// group (re-admitted through an invite the server's operator made).
pub async fn recovery(State(state): State<AppState>, caller: Caller, Path(group): Path<String>) -> Result<Json<GroupRecovery>, ApiError> {
    let group = group_id(&group)?;
    caller.require_member(&group)?;
    Ok(Json(state.db.read(move |tx| keys::recovery(tx, &group)).await?))
}

/// `POST /api/groups/{group}/keys`: the caller's own envelopes of epochs
/// they had no key for (opened with the group's recovery key).
pub async fn add_own_keys(
    State(state): State<AppState>,
    caller: Caller,
    Path(group): Path<String>,
    crate::json::ApiJson(own): crate::json::ApiJson<OwnEnvelope>,
) -> Result<StatusCode, ApiError> {
    let group = group_id(&group)?;
    caller.require_member(&group)?;
    for e in &own.epochs {
        if nimo_core::crypto::unb64(&e.envelope).map(|b| b.len()) != Ok(92) {
            return Err(ApiError::invalid("epochs.envelope", "base64 of 92 bytes"));
        }
    }
    let user = caller.user.clone();
    state.db.write(move |tx| keys::add_own(tx, &group, &user, &own.epochs)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((group, user)): Path<(String, String)>,
    crate::json::ApiJson(req): crate::json::ApiJson<RoleRequest>,
) -> Result<StatusCode, ApiError> {
    let group = group_id(&group)?;
    let user = user_id(&user)?;
    caller.require_coordinator(&group)?;
    state
        .db
        .write(move |tx| {
            match accounts::user_exists_in(tx, &group, &user)? {
                None => return Err(ApiError::NotFound),
                Some(Role::Coordinator) if req.role == Role::Member && accounts::coordinators(tx, &group)? <= 1 => {
                    return Err(ApiError::invalid("role", "a group needs at least one coordinator"));
                }
                Some(_) => {}
            }
            accounts::set_role(tx, &group, &user, req.role)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn invites(State(state): State<AppState>, caller: Caller, Path(group): Path<String>) -> Result<Json<Vec<InviteInfo>>, ApiError> {
    let group = group_id(&group)?;
    caller.require_coordinator(&group)?;
    Ok(Json(state.db.read(move |tx| accounts::invites(tx, &group)).await?))
}

/// An invite made on a coordinator's device: the server gets the code's
/// slow derivation (to find it by) and the group's current key wrapped by
/// the code's key, never the code.
pub async fn create_invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(group): Path<String>,
    crate::json::ApiJson(req): crate::json::ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<InviteCreated>), ApiError> {
    let group = group_id(&group)?;
    caller.require_coordinator(&group)?;
    if !(1..=30).contains(&req.days) {
        return Err(ApiError::invalid("days", "1 to 30 days"));
    }
    if !(1..=50).contains(&req.max_uses) {
        return Err(ApiError::invalid("max_uses", "1 to 50 uses"));
    }
    if nimo_core::crypto::unb64(&req.lookup).map(|b| b.len()) != Ok(32) {
        return Err(ApiError::invalid("lookup", "base64 of 32 bytes"));
    }
    if req.key.group != group || nimo_core::crypto::unb64(&req.key.wrapped).map(|b| b.len()) != Ok(60) {
        return Err(ApiError::invalid("key", "this group's key wrapped by the code's key"));
    }
    let now = now_ms();
    let created = store_invite(&state, &group, NewInvite {
        role: req.role,
        days: req.days,
        max_uses: req.max_uses,
        lookup: req.lookup,
        key: Some((req.key.epoch, req.key.wrapped)),
        readmit: req.readmit,
        by: Some(caller.user),
    }, now)
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// What an invite is made of, as the handlers and the operator's commands
/// give it.
pub struct NewInvite {
    pub role: Role,
    pub days: u32,
    pub max_uses: u32,
    /// The code's slow derivation (`nimo_core::crypto::kdf::invite`).
    pub lookup: String,
    /// The group's key of an epoch, wrapped by the code's key.
    pub key: Option<(u32, String)>,
    pub readmit: Option<UserId>,
    pub by: Option<UserId>,
}

/// Stores an invite. A key of an epoch that is no longer the group's is
/// refused (`keys_changed`); a re-admission must name a member.
pub async fn store_invite(state: &AppState, group: &GroupId, invite: NewInvite, now: u64) -> Result<InviteCreated, ApiError> {
    let id = new_uuid();
    let expires_ms = now + u64::from(invite.days) * DAY_MS;
    let hash = auth::sha256(invite.lookup.as_bytes());
    let (group, invite_id, role, max_uses) = (group.clone(), id.clone(), invite.role, invite.max_uses);
    state
        .db
        .write(move |tx| {
            if let Some((epoch, _)) = &invite.key
                && keys::current_epoch(tx, &group)? != Some(*epoch)
            {
                return Err(StorageError::KeysChanged("the group's key changed"));
            }
            if let Some(user) = &invite.readmit
                && accounts::user_exists_in(tx, &group, user)?.is_none()
            {
                return Err(StorageError::NotFound);
            }
            let row = accounts::NewInvite {
                id: &invite_id,
                group: &group,
                code_hash: &hash,
                role,
                created_by: invite.by.as_ref(),
                expires_ms,
                max_uses,
                key: invite.key.as_ref().map(|(e, w)| (*e, w.as_str())),
                readmit: invite.readmit.as_ref(),
            };
            accounts::create_invite(tx, &row, now)
        })
        .await
        .map_err(|e: StorageError| ApiError::from(e))?;
    Ok(InviteCreated { id, role, expires_ms, max_uses })
}

/// An invite made on the server (the `create-group` and `invite`
/// commands): its code is printed once; it carries no key — the first
/// member of a new group makes the group's key, and a member re-admitted
/// into a group with a key opens it with the group's recovery key.
pub async fn create(state: &AppState, group: &GroupId, role: Role, days: u32, readmit: Option<UserId>, now: u64) -> Result<(String, InviteCreated), ApiError> {
    let code = new_invite_code();
    let lookup = tokio::task::spawn_blocking({
        let code = code.clone();
        move || nimo_core::crypto::kdf::invite(&code).map(|k| k.lookup)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let created = store_invite(state, group, NewInvite { role, days, max_uses: 1, lookup, key: None, readmit, by: None }, now).await?;
    Ok((code, created))
}

pub async fn revoke_invite(
    State(state): State<AppState>,
    caller: Caller,
    Path((group, invite)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let group = group_id(&group)?;
    caller.require_coordinator(&group)?;
    if state.db.write(move |tx| accounts::revoke_invite(tx, &group, &invite)).await.map_err(ApiError::from)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

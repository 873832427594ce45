//! A group's members and invites. Coordinators invite, remove and promote;
//! every member may see who is in the group (for attendance at meetings).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nimo_core::api::{INVITE_ALPHABET, InviteCreated, InviteInfo, InviteRequest, MemberInfo, RoleRequest};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{GroupId, UserId};

use crate::auth;
use crate::caller::Caller;
use crate::clock::{new_uuid, now_ms, random_bytes};
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::{StorageError, accounts};

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

/// Removes a member and signs out all of their devices.
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((group, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let group = group_id(&group)?;
    let user = user_id(&user)?;
    caller.require_coordinator(&group)?;
    let now = now_ms();
    let (g, u) = (group.clone(), user.clone());
    state
        .db
        .write(move |tx| {
            match accounts::user_exists_in(tx, &g, &u)? {
                None => return Err(ApiError::NotFound),
                Some(Role::Coordinator) if accounts::coordinators(tx, &g)? <= 1 => {
                    return Err(ApiError::invalid("user", "a group needs at least one coordinator"));
                }
                Some(_) => {}
            }
            accounts::remove_member(tx, &g, &u)?;
            accounts::revoke_all_sessions(tx, &u, "removed_from_group", now)?;
            Ok(())
        })
        .await?;
    tracing::info!(by = %caller.login, group = %group, removed = %user, "member removed; their devices are signed out");
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
    let now = now_ms();
    let created = create(&state, &group, req.role, req.days, req.max_uses, Some(caller.user), now).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Creates an invite (also used by the `create-group` command).
pub async fn create(
    state: &AppState,
    group: &GroupId,
    role: Role,
    days: u32,
    max_uses: u32,
    by: Option<UserId>,
    now: u64,
) -> Result<InviteCreated, ApiError> {
    let code = new_invite_code();
    let id = new_uuid();
    let expires_ms = now + u64::from(days) * DAY_MS;
    let hash = auth::sha256(code.as_bytes());
    let (group, invite_id) = (group.clone(), id.clone());
    state
        .db
        .write(move |tx| {
            let invite = accounts::NewInvite {
                id: &invite_id,
                group: &group,
                code_hash: &hash,
                role,
                created_by: by.as_ref(),
                expires_ms,
                max_uses,
            };
            accounts::create_invite(tx, &invite, now)
        })
        .await
        .map_err(|e: StorageError| ApiError::from(e))?;
    Ok(InviteCreated { id, code, role, expires_ms, max_uses })
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

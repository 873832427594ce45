//! Signing in and out, joining with an invite, the first run's setup link,
//! the passphrase, how the session travels, and `GET /api/me`.
//!
//! Every attempt a guesser would repeat is counted before anything is
//! checked (`storage::attempts`), and nothing is hashed for a request that
//! will be refused: hashing is the costly thing an anonymous client can
//! make the server do.


use axum::Json;
use axum::extract::State;

use crate::client::Client;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use nimo_core::api::{JoinGroupRequest, JoinRequest, LoginRequest, Me, PassphraseChange, SessionMode, SessionToken, SetupRequest, check_name, normalize_invite_code, normalize_login};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{DeviceId, GroupId, UserId};

use crate::auth::{self, check_new_passphrase};
use crate::caller::Caller;
use crate::clock::{new_uuid, now_ms};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use crate::storage::accounts::{self, Carrier};
use crate::storage::attempts::{self, Limit};
use crate::storage::StorageError;

/// Answers a sign-in: the session as a cookie, or its token in the body
/// when the app asked for a bearer session.
fn signed_in(secure: bool, token: String, mut me: Me, carrier: Carrier) -> Response {
    match carrier {
        Carrier::Bearer => {
            me.session_token = Some(token);
            Json(me).into_response()
        }
        Carrier::Cookie => ([(header::SET_COOKIE, auth::set_cookie(&token, secure))], Json(me)).into_response(),
    }
}

fn carrier(bearer: bool) -> Carrier {
    if bearer { Carrier::Bearer } else { Carrier::Cookie }
}

fn hash_failed(e: crate::passphrase::HashError) -> ApiError {
    ApiError::Internal(e.to_string())
}

pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let login = normalize_login(&req.login).map_err(|m| ApiError::invalid("login", m))?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    if req.passphrase.chars().count() > nimo_core::base::passphrase::MAX_CHARS {
        return Err(ApiError::invalid("passphrase", "too long"));
    }
    let limits = [Limit::account(&login), Limit::address(client.ip)];
    let reserved = limits.clone();
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &reserved, now)).await.inspect_err(|_| {
        tracing::warn!(login = %login, addr = %client.ip, "sign-in throttled");
    })?;

    let lookup = login.clone();
    let creds = state.db.read(move |tx| accounts::credentials(tx, &lookup)).await?;
    let stored = creds.as_ref().map(|c| c.passphrase_hash.clone());
    let verified = state.hasher.verify(req.passphrase, stored).await.map_err(hash_failed)?;
    let Some(creds) = creds.filter(|_| verified) else {
        tracing::warn!(login = %login, addr = %client.ip, "sign-in failed");
        return Err(ApiError::InvalidCredentials);
    };
    let (token, hash) = auth::new_token();
    let user = creds.user;
    let carrier = carrier(req.bearer);
    let me = state
        .db
        .write(move |tx| {
            // Every attempt at the account counts, right or wrong: forty
            // guesses at once get five checks whichever of them is right.
            // The address's count is given back (people share addresses).
            attempts::release_key(tx, &reservation, &limits[1])?;
            let device = DeviceId::parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            accounts::create_session(tx, &user, &device, &hash, &device_name, carrier, now)?;
            accounts::me(tx, &user, &device)
        })
        .await?;
    tracing::info!(login = %login, addr = %client.ip, device = %me.device, "signed in");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let now = now_ms();
    let (user, device) = (caller.user.clone(), caller.device.clone());
    state.db.write(move |tx| accounts::revoke_session(tx, &user, device.as_str(), "signed_out", now)).await?;
    tracing::info!(login = %caller.login, device = %caller.device, "signed out");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(state.secure))]).into_response())
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.db.read(move |tx| accounts::me(tx, &caller.user, &caller.device)).await?))
}

/// Creates an account with an invite and signs it in on this device. The
/// invite is checked first (and the attempt counted against the address);
/// `login_taken` is only said to someone holding a valid invite, and the
/// passphrase is hashed only for a request that can succeed.
pub async fn join(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await.inspect_err(|_| {
        tracing::warn!(addr = %client.ip, "join throttled");
    })?;
    let Some(code) = normalize_invite_code(&req.code) else {
        return Err(ApiError::invalid("code", "an invite code is 12 letters and digits"));
    };
    let code_hash = auth::sha256(code.as_bytes());
    let check = code_hash.clone();
    state.db.read(move |tx| accounts::invite_status(tx, &check, now)).await.inspect_err(|e| {
        tracing::warn!(addr = %client.ip, error = %e, "join with an unusable invite");
    })?;
    let login = normalize_login(&req.login).map_err(|m| ApiError::invalid("login", m))?;
    let display_name = check_name(&req.display_name, 30).map_err(|m| ApiError::invalid("display_name", m))?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    let taken = login.clone();
    if state.db.read(move |tx| accounts::login_taken(tx, &taken)).await? {
        return Err(ApiError::LoginTaken);
    }
    check_new_passphrase(&req.passphrase, &login, &display_name)?;
    let passphrase_hash = state.hasher.hash(req.passphrase).await.map_err(hash_failed)?;
    let (token, token_hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let logged = login.clone();
    let me = state
        .db
        .write(move |tx| {
            let (group, role) = accounts::redeem_invite(tx, &code_hash, now)?;
            let user = UserId::parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            accounts::create_user(tx, &user, &login, &display_name, &passphrase_hash, now)?;
            accounts::add_member(tx, &group, &user, role, now)?;
            let device = DeviceId::parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            accounts::create_session(tx, &user, &device, &token_hash, &device_name, carrier, now)?;
            attempts::release(tx, &reservation)?;
            accounts::me(tx, &user, &device)
        })
        .await?;
    tracing::info!(login = %logged, addr = %client.ip, "joined with an invite");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

/// The first run: with the token from the printed link, makes the first
/// group, its first coordinator and their session. Refused once a group
/// exists (the token is then retired), and throttled like joining.
pub async fn setup(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<SetupRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await?;
    if !state.setup.matches(&req.token) {
        tracing::warn!(addr = %client.ip, "setup with a wrong or used token");
        return Err(ApiError::Forbidden);
    }
    let group_name = check_name(&req.group_name, 60).map_err(|m| ApiError::invalid("group_name", m))?;
    let login = normalize_login(&req.login).map_err(|m| ApiError::invalid("login", m))?;
    let display_name = check_name(&req.display_name, 30).map_err(|m| ApiError::invalid("display_name", m))?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    check_new_passphrase(&req.passphrase, &login, &display_name)?;
    let passphrase_hash = state.hasher.hash(req.passphrase).await.map_err(hash_failed)?;
    let (token, token_hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let logged = login.clone();
    let me = state
        .db
        .write(move |tx| {
            // Checked again inside the write: two people opening the link at
            // once make one group.
            if accounts::group_count(tx)? > 0 {
                return Err(StorageError::Forbidden);
            }
            let group = GroupId::parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            accounts::create_group(tx, &group, &group_name, "other", now)?;
            let user = UserId::parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            accounts::create_user(tx, &user, &login, &display_name, &passphrase_hash, now)?;
            accounts::add_member(tx, &group, &user, Role::Coordinator, now)?;
            let device = DeviceId::parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            accounts::create_session(tx, &user, &device, &token_hash, &device_name, carrier, now)?;
            attempts::release(tx, &reservation)?;
            accounts::me(tx, &user, &device)
        })
        .await?;
    state.setup.retire();
    tracing::info!(login = %logged, addr = %client.ip, "first group created through the setup link");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

/// Joins another group with the signed-in account.
pub async fn join_group(
    State(state): State<AppState>,
    client: Client,
    caller: Caller,
    ApiJson(req): ApiJson<JoinGroupRequest>,
) -> Result<Json<Me>, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await?;
    let Some(code) = normalize_invite_code(&req.code) else {
        return Err(ApiError::invalid("code", "an invite code is 12 letters and digits"));
    };
    let code_hash = auth::sha256(code.as_bytes());
    let login = caller.login.clone();
    let me = state
        .db
        .write(move |tx| {
            let (group, role) = accounts::redeem_invite(tx, &code_hash, now)?;
            accounts::add_member(tx, &group, &caller.user, role, now)?;
            attempts::release(tx, &reservation)?;
            accounts::me(tx, &caller.user, &caller.device)
        })
        .await
        .inspect_err(|e: &StorageError| tracing::warn!(login = %login, addr = %client.ip, error = %e, "joining a group failed"))?;
    Ok(Json(me))
}

/// Changes the signed-in user's passphrase and signs out their other
/// devices (a passphrase is changed because it may be known).
pub async fn change_passphrase(
    State(state): State<AppState>,
    client: Client,
    caller: Caller,
    ApiJson(req): ApiJson<PassphraseChange>,
) -> Result<StatusCode, ApiError> {
    let now = now_ms();
    check_new_passphrase(&req.new, &caller.login, &caller.display_name)?;
    let limits = [Limit::account(&caller.login), Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limits, now)).await?;
    let lookup = caller.login.clone();
    let stored = state.db.read(move |tx| accounts::credentials(tx, &lookup)).await?.map(|c| c.passphrase_hash);
    if !state.hasher.verify(req.current, stored).await.map_err(hash_failed)? {
        tracing::warn!(login = %caller.login, addr = %client.ip, "passphrase change with a wrong current passphrase");
        return Err(ApiError::InvalidCredentials);
    }
    let hash = state.hasher.hash(req.new).await.map_err(hash_failed)?;
    let (user, device) = (caller.user.clone(), caller.device.clone());
    let revoked = state
        .db
        .write(move |tx| {
            accounts::set_passphrase(tx, &user, &hash)?;
            attempts::release(tx, &reservation)?;
            accounts::revoke_other_sessions(tx, &user, &device, "passphrase_changed", now)
        })
        .await?;
    tracing::info!(login = %caller.login, addr = %client.ip, other_devices_signed_out = revoked, "passphrase changed");
    Ok(StatusCode::NO_CONTENT)
}

/// Moves this device's session to a bearer token (the app lock was turned
/// on: the cookie is cleared, the new token is only in the answer) or back
/// to a cookie. The old token stops working either way.
pub async fn session_mode(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<SessionMode>) -> Result<Response, ApiError> {
    let (token, hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let device = caller.device.clone();
    state.db.write(move |tx| accounts::set_session_token(tx, &device, &hash, carrier)).await?;
    Ok(match carrier {
        Carrier::Bearer => {
            ([(header::SET_COOKIE, auth::clear_cookie(state.secure))], Json(SessionToken { token: Some(token) })).into_response()
        }
        Carrier::Cookie => ([(header::SET_COOKIE, auth::set_cookie(&token, state.secure))], Json(SessionToken { token: None })).into_response(),
    })
}

//! Signing in and out, joining with an invite, and `GET /api/me`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use nimo_core::api::{JoinGroupRequest, JoinRequest, LoginRequest, Me, check_name, normalize_invite_code, normalize_login};
use nimo_core::ids::{DeviceId, UserId};

use super::AppState;
use crate::auth::{self, Caller, PASSPHRASE_MAX, now_ms};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::passphrase;
use crate::storage::accounts;
use crate::throttle::{PER_ACCOUNT, PER_ADDRESS};

fn with_cookie(state: &AppState, token: &str, me: Me) -> Response {
    ([(header::SET_COOKIE, auth::set_cookie(token, state.secure_cookies))], Json(me)).into_response()
}

fn ip_key(addr: &SocketAddr) -> String {
    format!("ip:{}", addr.ip())
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let login = normalize_login(&req.login).map_err(|m| ApiError::invalid("login", m))?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    if req.passphrase.chars().count() > PASSPHRASE_MAX {
        return Err(ApiError::invalid("passphrase", format!("at most {PASSPHRASE_MAX} characters")));
    }
    let ip = ip_key(&addr);
    let account = format!("login:{login}");
    state.throttle.check(&ip, PER_ADDRESS, now).map_err(ApiError::Throttled)?;
    state.throttle.check(&account, PER_ACCOUNT, now).map_err(ApiError::Throttled)?;

    let lookup = login.clone();
    let creds = state.db.read(move |tx| accounts::credentials(tx, &lookup)).await?;
    let stored = creds.as_ref().map(|c| c.passphrase_hash.clone());
    let verified = passphrase::verify(req.passphrase, stored).await?;
    let Some(creds) = creds.filter(|_| verified) else {
        state.throttle.fail(&ip, now);
        state.throttle.fail(&account, now);
        tracing::info!("failed sign-in");
        return Err(ApiError::InvalidCredentials);
    };
    state.throttle.clear(&account);
    let (token, hash) = auth::new_token();
    let user = creds.user;
    let me = state
        .db
        .write(move |tx| {
            let device = DeviceId::parse(&auth::new_uuid()).map_err(|e| ApiError::Internal(e.to_string()))?;
            accounts::create_session(tx, &user, device.as_str(), &hash, &device_name, now)?;
            accounts::me(tx, &user, &device)
        })
        .await?;
    Ok(with_cookie(&state, &token, me))
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let now = now_ms();
    state
        .db
        .write(move |tx| accounts::revoke_session(tx, &caller.user, caller.device.as_str(), "signed_out", now))
        .await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(state.secure_cookies))]).into_response())
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.db.read(move |tx| accounts::me(tx, &caller.user, &caller.device)).await?))
}

/// Creates an account with an invite and signs it in on this device.
pub async fn join(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let ip = ip_key(&addr);
    state.throttle.check(&ip, PER_ADDRESS, now).map_err(ApiError::Throttled)?;
    let Some(code) = normalize_invite_code(&req.code) else {
        state.throttle.fail(&ip, now);
        return Err(ApiError::invalid("code", "an invite code is 12 letters and digits"));
    };
    let login = normalize_login(&req.login).map_err(|m| ApiError::invalid("login", m))?;
    let display_name = check_name(&req.display_name, 30).map_err(|m| ApiError::invalid("display_name", m))?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    auth::check_new_passphrase(&req.passphrase, &login)?;
    let passphrase_hash = passphrase::hash(req.passphrase).await?;
    let code_hash = auth::sha256(code.as_bytes());
    let (token, token_hash) = auth::new_token();
    let result = state
        .db
        .write(move |tx| {
            if accounts::login_taken(tx, &login)? {
                return Err(ApiError::LoginTaken);
            }
            let (group, role) = accounts::redeem_invite(tx, &code_hash, now)?;
            let user = UserId::parse(&auth::new_uuid()).map_err(|e| ApiError::Internal(e.to_string()))?;
            accounts::create_user(tx, &user, &login, &display_name, &passphrase_hash, now)?;
            accounts::add_member(tx, &group, &user, role, now)?;
            let device = DeviceId::parse(&auth::new_uuid()).map_err(|e| ApiError::Internal(e.to_string()))?;
            accounts::create_session(tx, &user, device.as_str(), &token_hash, &device_name, now)?;
            accounts::me(tx, &user, &device)
        })
        .await;
    match result {
        Ok(me) => Ok(with_cookie(&state, &token, me)),
        Err(e @ ApiError::InviteInvalid(_)) => {
            state.throttle.fail(&ip, now);
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Joins another group with the signed-in account.
pub async fn join_group(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    caller: Caller,
    ApiJson(req): ApiJson<JoinGroupRequest>,
) -> Result<Json<Me>, ApiError> {
    let now = now_ms();
    let ip = ip_key(&addr);
    state.throttle.check(&ip, PER_ADDRESS, now).map_err(ApiError::Throttled)?;
    let Some(code) = normalize_invite_code(&req.code) else {
        state.throttle.fail(&ip, now);
        return Err(ApiError::invalid("code", "an invite code is 12 letters and digits"));
    };
    let code_hash = auth::sha256(code.as_bytes());
    let result = state
        .db
        .write(move |tx| {
            let (group, role) = accounts::redeem_invite(tx, &code_hash, now)?;
            accounts::add_member(tx, &group, &caller.user, role, now)?;
            accounts::me(tx, &caller.user, &caller.device)
        })
        .await;
    if matches!(result, Err(ApiError::InviteInvalid(_))) {
        state.throttle.fail(&ip, now);
    }
    Ok(Json(result?))
}

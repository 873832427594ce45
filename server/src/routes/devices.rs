//! The signed-in user's devices: list them, sign one out (a lost phone).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use nimo_core::api::DeviceInfo;

use crate::auth;
use crate::caller::Caller;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use crate::storage::accounts;

pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    Ok(Json(state.db.read(move |tx| accounts::devices(tx, &caller.user, &caller.device)).await?))
}

/// Revokes one of the caller's devices. That device erases its local data
/// the next time it reaches the server.
pub async fn revoke(State(state): State<AppState>, caller: Caller, Path(device): Path<String>) -> Result<Response, ApiError> {
    let now = now_ms();
    let current = device == caller.device.as_str();
    let user = caller.user.clone();
    let target = device.clone();
    let revoked = state.db.write(move |tx| accounts::revoke_session(tx, &user, &target, "revoked_by_user", now)).await?;
    if !revoked {
        return Err(ApiError::NotFound);
    }
    tracing::info!(login = %caller.login, device = %device, "device revoked by its user");
    if current {
        return Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(state.secure))]).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

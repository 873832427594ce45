//! `POST /api/sync/push` and `GET /api/sync/pull`.

use axum::Json;
use axum::extract::{Query, State};
use axum::extract::rejection::QueryRejection;
use nimo_core::sync::protocol::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS, PushRequest, PushResponse};
use serde::Deserialize;

use crate::caller::Caller;
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use crate::storage::{StorageError, records};

pub async fn push(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<PushRequest>) -> Result<Json<PushResponse>, ApiError> {
    if req.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ApiError::invalid("mutations", format!("at most {MAX_PUSH_MUTATIONS} per push")));
    }
    let now = now_ms();
    let (epoch, acks, next_seq) =
        state.db.write_journaled(move |tx, written| records::push(tx, &caller, &req, now, written)).await.map_err(|e: StorageError| ApiError::from(e))?;
    Ok(Json(PushResponse { epoch, acks, next_seq, server_ms: now }))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    schema: u32,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<records::RawPull>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Malformed(e.body_text()))?;
    if query.schema != nimo_core::SCHEMA_VERSION {
        return Err(ApiError::ClientOutdated);
    }
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if !(1..=MAX_PULL_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("1 to {MAX_PULL_LIMIT}")));
    }
    let now = now_ms();
    let page = state.db.read(move |tx| records::pull(tx, &caller, query.cursor.as_deref(), limit, now)).await.map_err(|e: StorageError| ApiError::from(e))?;
    Ok(Json(page))
}

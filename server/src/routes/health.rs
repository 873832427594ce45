use axum::Json;
use axum::extract::State;
use nimo_core::api::{Health, HealthStatus};

use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/health`: answers only when the database answers too, so that a
/// monitor sees a broken disk.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.db.ping().await?;
    Ok(Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        schema: nimo_core::SCHEMA_VERSION,
    }))
}

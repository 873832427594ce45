use axum::Json;
use axum::extract::State;
use nimo_core::api::{Health, HealthStatus};

use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/health`: answers only when the database answers too, so that a
/// monitor sees a broken disk.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.db.ping().await?;
    let ops = state.ops.status();
    Ok(Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        schema: nimo_core::SCHEMA_VERSION,
        database_bytes: Some(state.db.size_bytes()),
        last_backup_ms: ops.last_backup_ms,
        backup_failed: ops.backup_failed.map(|f| f.error),
        certificate_expires_ms: ops.certificate_expires_ms,
        certificate_failed: ops.certificate_failed.map(|f| f.error),
    }))
}

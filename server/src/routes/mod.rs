//! The HTTP API. Handlers are thin: parse, call `storage`, answer.

mod health;

use axum::Router;
use axum::routing::get;

use crate::error::ApiError;
use crate::storage::Database;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
}

pub fn api(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

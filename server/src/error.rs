//! The server's errors, and the one place where they become HTTP responses.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nimo_core::api::{ErrorBody, ErrorCode};

use crate::storage::StorageError;

/// Why the server could not start. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0} is already in use; stop the program using it or choose another address with --listen")]
    AddressInUse(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("cannot use the database {}: {source}", path.display())]
    Database { path: PathBuf, source: StorageError },
    #[error("the app directory {} does not exist or has no index.html; build it with `cargo xtask build` or pass --assets", .0.display())]
    AssetsMissing(PathBuf),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// Everything a handler can fail with. Each variant's doc names its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body or query could not be read at all.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// 400: one field is wrong; the body names it.
    #[error("invalid field {field}: {message}")]
    InvalidField { field: String, message: String },
    /// 404: no such endpoint or object (or one the caller may not know of).
    #[error("not found")]
    NotFound,
    /// 413: the body is over the endpoint's limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("expected a JSON body")]
    UnsupportedMediaType,
    /// 500: details are logged, never sent.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidField { field: field.into(), message: message.into() }
    }

    fn status_and_body(&self) -> (StatusCode, ErrorBody) {
        use ErrorCode as C;
        let (status, code, field) = match self {
            Self::Malformed(_) => (StatusCode::BAD_REQUEST, C::Malformed, None),
            Self::InvalidField { field, .. } => (StatusCode::BAD_REQUEST, C::InvalidField, Some(field.clone())),
            Self::NotFound => (StatusCode::NOT_FOUND, C::NotFound, None),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, C::PayloadTooLarge, None),
            Self::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, C::UnsupportedMediaType, None),
            Self::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, C::Internal, None),
        };
        let message = match self {
            // Internal details stay in the log.
            Self::Storage(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        (status, ErrorBody { error: code, field, message })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (status, Json(body)).into_response()
    }
}

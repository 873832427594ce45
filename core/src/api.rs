//! Small HTTP API payloads shared by client and server.

use serde::{Deserialize, Serialize};

/// Body of `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    /// The server's package version.
    pub version: String,
    /// The protocol/schema version it speaks, see [`crate::SCHEMA_VERSION`].
    pub schema: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

/// Body of every error response from `/api/`. `error` is stable and
/// machine-readable (the app maps it to a Japanese message); `message` is for
/// developers reading logs, in English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    /// The offending field, as a path like `mutations[3].fields.note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Malformed,
    InvalidField,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    Internal,
    /// Any code a newer server sends that this client does not know.
    #[serde(other)]
    Unknown,
}

//! The server's errors, and the one place where they become HTTP responses.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nimo_core::api::{ErrorBody, ErrorCode};
use nimo_core::sync::protocol::ResyncReason;

use crate::caller::Refused;
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
    #[error("the TLS certificate cannot be used: {0}")]
    Tls(crate::tls::TlsError),
}

/// Everything a handler can fail with. Each variant's doc names its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body or query could not be read at all.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// 400: one field is wrong; the body names it (and `detail` says why,
    /// as a code, where the app explains it).
    #[error("invalid field {field}: {message}")]
    InvalidField { field: String, message: String, detail: Option<&'static str> },
    /// 401: no session (or an unknown one).
    #[error("sign in first")]
    Unauthenticated,
    /// 401: the session was idle too long, or is too old.
    #[error("the session has expired; sign in again")]
    SessionExpired,
    /// 401: this device was signed out remotely; the reason is a code.
    #[error("this device was revoked ({0})")]
    DeviceRevoked(String),
    /// 401: wrong login or passphrase (which of the two is not said).
    #[error("wrong login name or passphrase")]
    InvalidCredentials,
    /// 403: signed in but not allowed.
    #[error("not allowed")]
    Forbidden,
    /// 404: no such thing, or one the caller may not know of.
    #[error("not found")]
    NotFound,
    /// 409: the invite cannot be used (reason: unknown, expired, used_up, revoked).
    #[error("the invite cannot be used ({0})")]
    InviteInvalid(&'static str),
    /// 409: the login name is taken.
    #[error("that login name is taken")]
    LoginTaken,
    /// 409: the client's server epoch is old: restart its mutation stream.
    #[error("the server's data was replaced; start a new sync stream")]
    EpochChanged,
    /// 409: the pull cursor cannot continue; pull everything again.
    #[error("pull everything again ({0:?})")]
    Resync(ResyncReason),
    /// 409: the push carries stamps from the future: correct and re-stamp.
    #[error("the device's clock is ahead of the server's")]
    ClockAhead { server_ms: u64 },
    /// 409: sealed under a group key that is no longer current (a member
    /// was removed meanwhile), or keys made for members who changed: fetch
    /// the keys and seal again.
    #[error("the group's keys changed ({0}); fetch them and seal again")]
    KeysChanged(&'static str),
    /// 413: the body is over the endpoint's limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("expected a JSON body")]
    UnsupportedMediaType,
    /// 426: the app speaks an older protocol.
    #[error("this version of the app is too old; update it")]
    ClientOutdated,
    /// 507: the disk is full; nothing was stored (the device keeps its
    /// changes and sends them later).
    #[error("the server's storage is full; the change was not stored")]
    ServerFull,
    /// 429: too many attempts; retry after this many seconds.
    #[error("too many attempts; try again in {0} s")]
    Throttled(u64),
    /// 500: details are logged, never sent.
    #[error("storage: {0}")]
    Storage(StorageError),
    /// 500: details are logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        use StorageError as S;
        match e {
            S::NotFound => Self::NotFound,
            S::Unauthenticated => Self::Unauthenticated,
            S::SessionExpired => Self::SessionExpired,
            S::DeviceRevoked(reason) => Self::DeviceRevoked(reason),
            S::InviteInvalid(reason) => Self::InviteInvalid(reason),
            S::LoginTaken => Self::LoginTaken,
            S::Throttled(seconds) => Self::Throttled(seconds),
            S::Forbidden => Self::Forbidden,
            S::ClientOutdated => Self::ClientOutdated,
            S::EpochChanged => Self::EpochChanged,
            S::Resync(reason) => Self::Resync(reason),
            S::BadCursor => Self::invalid("cursor", "not a cursor this server made"),
            S::ClockAhead { server_ms } => Self::ClockAhead { server_ms },
            S::KeysChanged(why) => Self::KeysChanged(why),
            S::Full(why) => {
                // The operator must hear of it; the device only needs the code.
                tracing::error!(%why, "the disk is full: a write was refused");
                Self::ServerFull
            }
            other @ (S::Sqlite(_) | S::Io { .. } | S::TooNew { .. } | S::BeforeEncryption | S::Cancelled | S::Aborted(_) | S::Corrupt(_)) => Self::Storage(other),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::NotFound => Self::NotFound,
            Refused::Forbidden => Self::Forbidden,
        }
    }
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidField { field: field.into(), message: message.into(), detail: None }
    }

    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    fn parts(&self) -> (StatusCode, ErrorCode) {
        use ErrorCode as C;
        use StatusCode as S;
        match self {
            Self::Malformed(_) => (S::BAD_REQUEST, C::Malformed),
            Self::InvalidField { .. } => (S::BAD_REQUEST, C::InvalidField),
            Self::Unauthenticated => (S::UNAUTHORIZED, C::Unauthenticated),
            Self::SessionExpired => (S::UNAUTHORIZED, C::SessionExpired),
            Self::DeviceRevoked(_) => (S::UNAUTHORIZED, C::DeviceRevoked),
            Self::InvalidCredentials => (S::UNAUTHORIZED, C::InvalidCredentials),
            Self::Forbidden => (S::FORBIDDEN, C::Forbidden),
            Self::NotFound => (S::NOT_FOUND, C::NotFound),
            Self::InviteInvalid(_) => (S::CONFLICT, C::InviteInvalid),
            Self::LoginTaken => (S::CONFLICT, C::LoginTaken),
            Self::EpochChanged => (S::CONFLICT, C::EpochChanged),
            Self::Resync(_) => (S::CONFLICT, C::Resync),
            Self::ClockAhead { .. } => (S::CONFLICT, C::ClockAhead),
            Self::KeysChanged(_) => (S::CONFLICT, C::KeysChanged),
            Self::PayloadTooLarge => (S::PAYLOAD_TOO_LARGE, C::PayloadTooLarge),
            Self::UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, C::UnsupportedMediaType),
            Self::ClientOutdated => (S::UPGRADE_REQUIRED, C::ClientOutdated),
            Self::Throttled(_) => (S::TOO_MANY_REQUESTS, C::Throttled),
            Self::ServerFull => (S::INSUFFICIENT_STORAGE, C::ServerFull),
            Self::Storage(_) | Self::Internal(_) => (S::INTERNAL_SERVER_ERROR, C::Internal),
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (_, code) = self.parts();
        let message = match self {
            // Internal details stay in the log.
            Self::Storage(_) | Self::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        let mut body = ErrorBody::new(code, message);
        match self {
            Self::InvalidField { field, detail, .. } => {
                body.field = Some(field.clone());
                body.detail = detail.map(str::to_owned);
            }
            Self::Resync(r) => body.reason = Some(*r),
            Self::DeviceRevoked(reason) => body.detail = Some(reason.clone()),
            Self::InviteInvalid(reason) | Self::KeysChanged(reason) => body.detail = Some((*reason).to_owned()),
            Self::ClockAhead { server_ms } => body.server_ms = Some(*server_ms),
            _ => {}
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let Self::Throttled(seconds) = self
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

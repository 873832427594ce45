//! Error answers of the API: one body shape and stable codes the app turns
//! into Japanese.

use serde::{Deserialize, Serialize};

/// Why a device must pull everything again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResyncReason {
    /// The server's database was replaced (restored from a backup).
    Epoch,
    /// The device was away longer than deleted records are kept.
    Horizon,
    /// The user's groups or roles changed.
    Access,
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
    /// With [`ErrorCode::Resync`]: why the device must pull everything again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ResyncReason>,
    /// A machine-readable detail: why a device was revoked
    /// (`signed_out`, `revoked_by_user`, `removed_from_group`), why an invite
    /// cannot be used (`unknown`, `expired`, `used_up`, `revoked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// With [`ErrorCode::ClockAhead`]: the server's clock, so that the
    /// device can correct its own and stamp its changes again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_ms: Option<u64>,
}

impl ErrorBody {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Self { error, field: None, message: message.into(), reason: None, detail: None, server_ms: None }
    }
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
    /// No session: sign in.
    Unauthenticated,
    /// The session timed out: sign in again.
    SessionExpired,
    /// This device was signed out remotely (lost phone, removed member):
    /// erase local data.
    DeviceRevoked,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// Wrong login name or passphrase.
    InvalidCredentials,
    /// Too many attempts: try again later.
    Throttled,
    /// The app speaks an older protocol: update it.
    ClientOutdated,
    /// The server's database was replaced; restart the mutation stream.
    EpochChanged,
    /// Pull everything again (see `reason`).
    Resync,
    /// A mutation stream out of order (a gap).
    OutOfOrder,
    /// The invite code is unknown, expired, used up or revoked.
    InviteInvalid,
    /// That login name is taken.
    LoginTaken,
    /// The record was deleted; a change to it can no longer apply.
    Deleted,
    /// The device's clock is ahead of the server's: correct it (`server_ms`)
    /// and stamp the queued changes again.
    ClockAhead,
    /// The server's disk is full: the change was not stored; the device
    /// keeps it and sends it again later.
    ServerFull,
    /// A change sealed under a group key that is no longer the group's
    /// (a member was removed meanwhile): fetch the keys and seal it again.
    KeysChanged,
    /// Any code a newer server sends that this client does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        Self::Malformed, Self::InvalidField, Self::NotFound, Self::PayloadTooLarge, Self::UnsupportedMediaType, Self::Internal,
        Self::Unauthenticated, Self::SessionExpired, Self::DeviceRevoked, Self::Forbidden, Self::InvalidCredentials, Self::Throttled,
        Self::ClientOutdated, Self::EpochChanged, Self::Resync, Self::OutOfOrder, Self::InviteInvalid, Self::LoginTaken, Self::Deleted,
        Self::ClockAhead, Self::ServerFull, Self::KeysChanged, Self::Unknown,
    ];

    /// The code as it travels (`snake_case`, as serde writes it).
    pub fn id(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::InvalidField => "invalid_field",
            Self::NotFound => "not_found",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Internal => "internal",
            Self::Unauthenticated => "unauthenticated",
            Self::SessionExpired => "session_expired",
            Self::DeviceRevoked => "device_revoked",
            Self::Forbidden => "forbidden",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Throttled => "throttled",
            Self::ClientOutdated => "client_outdated",
            Self::EpochChanged => "epoch_changed",
            Self::Resync => "resync",
            Self::OutOfOrder => "out_of_order",
            Self::InviteInvalid => "invite_invalid",
            Self::LoginTaken => "login_taken",
            Self::Deleted => "deleted",
            Self::ClockAhead => "clock_ahead",
            Self::ServerFull => "server_full",
            Self::KeysChanged => "keys_changed",
            Self::Unknown => "unknown",
        }
    }

    /// Any code this client does not know reads as [`ErrorCode::Unknown`].
    pub fn from_id(id: &str) -> Self {
        Self::ALL.iter().copied().find(|c| c.id() == id).unwrap_or(Self::Unknown)
    }
}

impl ResyncReason {
    pub fn id(self) -> &'static str {
        match self {
            Self::Epoch => "epoch",
            Self::Horizon => "horizon",
            Self::Access => "access",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        [Self::Epoch, Self::Horizon, Self::Access].into_iter().find(|r| r.id() == id)
    }
}

//! Signing in and out, joining with an invite, the first run's setup link,
//! the passphrase, how the session travels, and `GET /api/me`.
//!
//! Every attempt a guesser would repeat is counted before anything is
//! checked (`storage::attempts`), and nothing is hashed for a request that
//! will be refused: hashing is the costly thing an anonymous client can
//! make the server do.


use axum::Json;
use axum::extract::State;

use crate::client::Client;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::extract::Query;
use nimo_core::api::{
    EpochEnvelope, GroupKeyInit, InviteOpen, InviteOpened, JoinGroupRequest, JoinRequest, KdfParams, KeysInfo, LoginRequest, Me, NewAccount, PassphraseChange,
    RecoverRequest, RecoveryKeys, RecoveryRequest, SessionMode, SessionToken, SetupRequest, check_name, normalize_login,
};
use nimo_core::crypto::{b64, unb64};
use nimo_core::sync::collection::Role;
use nimo_core::sync::ids::{DeviceId, UserId};

use crate::auth;
use crate::caller::Caller;
use crate::clock::{new_uuid, now_ms};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use crate::storage::accounts::{self, Carrier};
use crate::storage::attempts::{self, Limit, Reservation};
use crate::storage::keys::{self, StoredAccount};
use crate::storage::StorageError;

/// Answers a sign-in: the session as a cookie, or its token in the body
/// when the app asked for a bearer session.
fn signed_in(secure: bool, token: String, mut me: Me, carrier: Carrier) -> Response {
    match carrier {
        Carrier::Bearer => {
            me.session_token = Some(token);
            Json(me).into_response()
        }
        Carrier::Cookie => ([(header::SET_COOKIE, auth::set_cookie(&token, secure))], Json(me)).into_response(),
    }
}

fn carrier(bearer: bool) -> Carrier {
    if bearer { Carrier::Bearer } else { Carrier::Cookie }
}

fn hash_failed(e: crate::passphrase::HashError) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// `GET /api/auth/params?login=`: how the login's passphrase is
/// stretched. An unknown login gets a stand-in salt made from the server's
/// secret, the same each time, so that the answer does not say which
/// logins exist.
pub async fn params(State(state): State<AppState>, Query(q): Query<ParamsQuery>) -> Result<Json<KdfParams>, ApiError> {
    let login = normalize_login(&q.login).map_err(|m| ApiError::invalid("login", m))?;
    let known = login.clone();
    let (kdf, secret) = state.db.read(move |tx| Ok::<_, StorageError>((keys::kdf_of(tx, &known)?, keys::kdf_secret(tx)?))).await?;
    Ok(Json(kdf.unwrap_or_else(|| {
        let salt = auth::sha256(format!("nimo stand-in salt|{secret}|{login}").as_bytes());
        let cost = nimo_core::crypto::kdf::Cost::DEFAULT;
        KdfParams { salt: b64(&salt[..16]), m_kib: cost.m_kib, t: cost.t, p: cost.p }
    })))
}

#[derive(Debug, serde::Deserialize)]
pub struct ParamsQuery {
    login: String,
}

/// A base64 value of the expected size, or which field is wrong.
fn blob(field: &str, text: &str, bytes: std::ops::RangeInclusive<usize>) -> Result<(), ApiError> {
    match unb64(text) {
        Ok(b) if bytes.contains(&b.len()) => Ok(()),
        _ => Err(ApiError::invalid(field, format!("base64 of {} to {} bytes", bytes.start(), bytes.end()))),
    }
}

/// An auth key: 32 bytes (what the device derived from the passphrase).
fn auth_key(field: &str, text: &str) -> Result<(), ApiError> {
    blob(field, text, 32..=32)
}

fn kdf_params(k: &KdfParams) -> Result<(), ApiError> {
    blob("kdf.salt", &k.salt, 16..=64)?;
    if !(nimo_core::crypto::kdf::Cost { m_kib: k.m_kib, t: k.t, p: k.p }).acceptable() {
        return Err(ApiError::invalid("kdf", "Argon2id parameters below the minimum or above the maximum"));
    }
    Ok(())
}

/// An envelope: an ephemeral public key, a nonce, a 32-byte key and a tag.
const ENVELOPE: std::ops::RangeInclusive<usize> = 92..=92;
/// A key sealed under another: nonce, 32 bytes, tag.
const WRAPPED: std::ops::RangeInclusive<usize> = 60..=60;

fn group_key_init(init: &GroupKeyInit) -> Result<(), ApiError> {
    blob("group_key.envelope", &init.envelope, ENVELOPE)?;
    blob("group_key.recovery_public_key", &init.recovery_public_key, 32..=32)?;
    blob("group_key.recovery_envelope", &init.recovery_envelope, ENVELOPE)
}

fn join_keys(envelope: Option<&EpochEnvelope>, init: Option<&GroupKeyInit>) -> Result<(), ApiError> {
    if let Some(e) = envelope {
        blob("envelope.envelope", &e.envelope, ENVELOPE)?;
    }
    init.map(group_key_init).transpose().map(drop)
}

/// A new account's fields, checked; its auth key hashed (only for a
/// request that can succeed: hashing is what an anonymous client can make
/// the server spend).
fn new_account(a: &NewAccount) -> Result<(String, String, StoredAccount), ApiError> {
    let login = normalize_login(&a.login).map_err(|m| ApiError::invalid("account.login", m))?;
    let display_name = check_name(&a.display_name, 30).map_err(|m| ApiError::invalid("account.display_name", m))?;
    kdf_params(&a.kdf)?;
    auth_key("account.auth", &a.auth)?;
    blob("account.public_key", &a.public_key, 32..=32)?;
    blob("account.wrapped_secret", &a.wrapped_secret, WRAPPED)?;
    blob("account.wrapped_secret_recovery", &a.wrapped_secret_recovery, WRAPPED)?;
    auth_key("account.recovery_auth", &a.recovery_auth)?;
    let stored = StoredAccount {
        kdf: a.kdf.clone(),
        // Filled by `hash_auth` once the request is known to be able to succeed.
        auth_hash: String::new(),
        public_key: a.public_key.clone(),
        wrapped_secret: a.wrapped_secret.clone(),
        wrapped_secret_recovery: a.wrapped_secret_recovery.clone(),
        recovery_hash: auth::sha256(a.recovery_auth.as_bytes()),
    };
    Ok((login, display_name, stored))
}

async fn hash_auth(state: &AppState, auth_key: &str) -> Result<String, ApiError> {
    state.hasher.hash(auth_key.to_owned()).await.map_err(hash_failed)
}

fn new_id<T>(parse: impl Fn(&str) -> Result<T, nimo_core::sync::ids::IdError>) -> Result<T, StorageError> {
    parse(&new_uuid()).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let login = normalize_login(&req.login).map_err(|m| ApiError::invalid("login", m))?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    auth_key("auth", &req.auth)?;
    let limits = [Limit::account(&login), Limit::address(client.ip)];
    let reserved = limits.clone();
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &reserved, now)).await.inspect_err(|_| {
        tracing::warn!(login = %login, addr = %client.ip, "sign-in throttled");
    })?;

    let lookup = login.clone();
    let creds = state.db.read(move |tx| accounts::credentials(tx, &lookup)).await?;
    let stored = creds.as_ref().map(|c| c.passphrase_hash.clone());
    let verified = state.hasher.verify(req.auth, stored).await.map_err(hash_failed)?;
    let Some(creds) = creds.filter(|_| verified) else {
        tracing::warn!(login = %login, addr = %client.ip, "sign-in failed");
        return Err(ApiError::InvalidCredentials);
    };
    let (token, hash) = auth::new_token();
    let user = creds.user;
    let carrier = carrier(req.bearer);
    let me = state
        .db
        .write(move |tx| {
            // Every attempt at the account counts, right or wrong: forty
            // guesses at once get five checks whichever of them is right.
            // The address's count is given back (people share addresses).
            attempts::release_key(tx, &reservation, &limits[1])?;
            let device = new_id(DeviceId::parse)?;
            accounts::create_session(tx, &user, &device, &hash, &device_name, carrier, now)?;
            with_keys(tx, &user, &device)
        })
        .await?;
    tracing::info!(login = %login, addr = %client.ip, device = %me.device, "signed in");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

/// `me` with the account's keys, for the device that just signed in.
fn with_keys(tx: &rusqlite::Transaction<'_>, user: &UserId, device: &DeviceId) -> Result<Me, StorageError> {
    let mut me = accounts::me(tx, user, device)?;
    me.keys = Some(keys::account_keys(tx, user)?);
    Ok(me)
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let now = now_ms();
    let (user, device) = (caller.user.clone(), caller.device.clone());
    state.db.write(move |tx| accounts::revoke_session(tx, &user, device.as_str(), "signed_out", now)).await?;
    tracing::info!(login = %caller.login, device = %caller.device, "signed out");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(state.secure))]).into_response())
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.db.read(move |tx| accounts::me(tx, &caller.user, &caller.device)).await?))
}

/// The invite behind a lookup value (throttled per address like joining).
fn invite_lookup(lookup: &str) -> Result<Vec<u8>, ApiError> {
    auth_key("lookup", lookup)?;
    Ok(auth::sha256(lookup.as_bytes()))
}

/// `POST /api/invites/open`: what an invite leads to, so that the device
/// can make its keys before it joins (the invite is not used up).
pub async fn open_invite(State(state): State<AppState>, client: Client, ApiJson(req): ApiJson<InviteOpen>) -> Result<Json<InviteOpened>, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await.inspect_err(|_| {
        tracing::warn!(addr = %client.ip, "invite lookups throttled");
    })?;
    let code_hash = invite_lookup(&req.lookup)?;
    let opened = state.db.read(move |tx| accounts::open_invite(tx, &code_hash, now)).await.inspect_err(|e| {
        tracing::warn!(addr = %client.ip, error = %e, "an unusable invite was opened");
    })?;
    state.db.write(move |tx| attempts::release(tx, &reservation)).await?;
    Ok(Json(opened))
}

/// Creates an account with an invite and signs it in on this device. The
/// invite is checked first (and the attempt counted against the address);
/// `login_taken` is only said to someone holding a valid invite, and the
/// auth key is hashed only for a request that can succeed. An invite that
/// re-admits a member gives that member's account new keys instead.
pub async fn join(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await.inspect_err(|_| {
        tracing::warn!(addr = %client.ip, "join throttled");
    })?;
    let code_hash = invite_lookup(&req.lookup)?;
    let check = code_hash.clone();
    let invite = state.db.read(move |tx| accounts::invite_status(tx, &check, now)).await.inspect_err(|e| {
        tracing::warn!(addr = %client.ip, error = %e, "join with an unusable invite");
    })?;
    let (login, display_name, mut account) = new_account(&req.account)?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    join_keys(req.envelope.as_ref(), req.group_key.as_ref())?;
    if invite.readmit.is_none() {
        let taken = login.clone();
        if state.db.read(move |tx| accounts::login_taken(tx, &taken)).await? {
            return Err(ApiError::LoginTaken);
        }
    }
    account.auth_hash = hash_auth(&state, &req.account.auth).await?;
    let (token, token_hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let logged = login.clone();
    let me = state
        .db
        .write(move |tx| {
            let invite = accounts::redeem_invite(tx, &code_hash, now)?;
            let user = match &invite.readmit {
                // New keys for the member; their old devices are signed out
                // (they hold keys that no longer match).
                Some(user) => {
                    keys::set_account(tx, user, &account)?;
                    keys::forget_envelopes(tx, user)?;
                    accounts::revoke_all_sessions(tx, user, "readmitted", now)?;
                    user.clone()
                }
                None => {
                    let user = new_id(UserId::parse)?;
                    accounts::create_user(tx, &user, &login, &display_name, &account, now)?;
                    user
                }
            };
            accounts::add_member(tx, &invite.group, &user, invite.role, now)?;
            keys::join_keys(tx, &invite.group, &user, req.envelope.as_ref(), req.group_key.as_ref(), now)?;
            let device = new_id(DeviceId::parse)?;
            accounts::create_session(tx, &user, &device, &token_hash, &device_name, carrier, now)?;
            attempts::release(tx, &reservation)?;
            with_keys(tx, &user, &device)
        })
        .await?;
    tracing::info!(login = %logged, addr = %client.ip, "joined with an invite");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

/// The first run: with the token from the printed link, makes the first
/// group, its first key, its first coordinator and their session. Refused
/// once a group exists (the token is then retired), and throttled like
/// joining.
pub async fn setup(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<SetupRequest>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await?;
    if !state.setup.matches(&req.token) {
        tracing::warn!(addr = %client.ip, "setup with a wrong or used token");
        return Err(ApiError::Forbidden);
    }
    let group_name = check_name(&req.group_name, 60).map_err(|m| ApiError::invalid("group_name", m))?;
    let (login, display_name, mut account) = new_account(&req.account)?;
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    group_key_init(&req.group_key)?;
    account.auth_hash = hash_auth(&state, &req.account.auth).await?;
    let (token, token_hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let logged = login.clone();
    let me = state
        .db
        .write(move |tx| {
            // Checked again inside the write: two people opening the link at
            // once make one group.
            if accounts::group_count(tx)? > 0 {
                return Err(StorageError::Forbidden);
            }
            let group = req.group;
            accounts::create_group(tx, &group, &group_name, "other", now)?;
            let user = new_id(UserId::parse)?;
            accounts::create_user(tx, &user, &login, &display_name, &account, now)?;
            accounts::add_member(tx, &group, &user, Role::Coordinator, now)?;
            keys::init_group(tx, &group, &user, &req.group_key, now)?;
            let device = new_id(DeviceId::parse)?;
            accounts::create_session(tx, &user, &device, &token_hash, &device_name, carrier, now)?;
            attempts::release(tx, &reservation)?;
            with_keys(tx, &user, &device)
        })
        .await?;
    state.setup.retire();
    tracing::info!(login = %logged, addr = %client.ip, "first group created through the setup link");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

/// Joins another group with the signed-in account.
pub async fn join_group(
    State(state): State<AppState>,
    client: Client,
    caller: Caller,
    ApiJson(req): ApiJson<JoinGroupRequest>,
) -> Result<Json<Me>, ApiError> {
    let now = now_ms();
    let limit = [Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limit, now)).await?;
    let code_hash = invite_lookup(&req.lookup)?;
    join_keys(req.envelope.as_ref(), req.group_key.as_ref())?;
    let login = caller.login.clone();
    let me = state
        .db
        .write(move |tx| {
            let invite = accounts::redeem_invite(tx, &code_hash, now)?;
            if invite.readmit.is_some_and(|u| u != caller.user) {
                return Err(StorageError::InviteInvalid("for_someone_else"));
            }
            accounts::add_member(tx, &invite.group, &caller.user, invite.role, now)?;
            keys::join_keys(tx, &invite.group, &caller.user, req.envelope.as_ref(), req.group_key.as_ref(), now)?;
            attempts::release(tx, &reservation)?;
            accounts::me(tx, &caller.user, &caller.device)
        })
        .await
        .inspect_err(|e: &StorageError| tracing::warn!(login = %login, addr = %client.ip, error = %e, "joining a group failed"))?;
    Ok(Json(me))
}

/// Changes the signed-in user's passphrase — proven by the current one's
/// auth key; the private half comes wrapped anew — and signs out their
/// other devices (a passphrase is changed because it may be known).
pub async fn change_passphrase(
    State(state): State<AppState>,
    client: Client,
    caller: Caller,
    ApiJson(req): ApiJson<PassphraseChange>,
) -> Result<StatusCode, ApiError> {
    let now = now_ms();
    auth_key("current_auth", &req.current_auth)?;
    auth_key("auth", &req.auth)?;
    kdf_params(&req.kdf)?;
    blob("wrapped_secret", &req.wrapped_secret, WRAPPED)?;
    let limits = [Limit::account(&caller.login), Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limits, now)).await?;
    let lookup = caller.login.clone();
    let stored = state.db.read(move |tx| accounts::credentials(tx, &lookup)).await?.map(|c| c.passphrase_hash);
    if !state.hasher.verify(req.current_auth, stored).await.map_err(hash_failed)? {
        tracing::warn!(login = %caller.login, addr = %client.ip, "passphrase change with a wrong current passphrase");
        return Err(ApiError::InvalidCredentials);
    }
    let hash = hash_auth(&state, &req.auth).await?;
    let (user, device) = (caller.user.clone(), caller.device.clone());
    let revoked = state
        .db
        .write(move |tx| {
            keys::set_passphrase(tx, &user, &req.kdf, &hash, &req.wrapped_secret)?;
            attempts::release(tx, &reservation)?;
            accounts::revoke_other_sessions(tx, &user, &device, "passphrase_changed", now)
        })
        .await?;
    tracing::info!(login = %caller.login, addr = %client.ip, other_devices_signed_out = revoked, "passphrase changed");
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a recovery key's proof for a login, counted like a sign-in.
async fn recovery_checked(state: &AppState, client: &Client, login: &str, recovery_auth: &str) -> Result<(UserId, RecoveryKeys, Reservation), ApiError> {
    let now = now_ms();
    let login = normalize_login(login).map_err(|m| ApiError::invalid("login", m))?;
    auth_key("recovery_auth", recovery_auth)?;
    let limits = [Limit::account(&login), Limit::address(client.ip)];
    let reservation = state.db.write(move |tx| attempts::reserve(tx, &limits, now)).await?;
    let lookup = login.clone();
    let found = state.db.read(move |tx| keys::recovery_of(tx, &lookup)).await?;
    let given = auth::sha256(recovery_auth.as_bytes());
    match found {
        Some((user, keys, hash)) if auth::constant_time_eq(&hash, &given) => Ok((user, keys, reservation)),
        _ => {
            tracing::warn!(login = %login, addr = %client.ip, "recovery with a wrong key");
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// `POST /api/auth/recovery`, step one of a forgotten passphrase: with the
/// recovery key's proof, the private half as the recovery key wraps it.
pub async fn recovery(State(state): State<AppState>, client: Client, ApiJson(req): ApiJson<RecoveryRequest>) -> Result<Json<RecoveryKeys>, ApiError> {
    let (_, keys, _) = recovery_checked(&state, &client, &req.login, &req.recovery_auth).await?;
    Ok(Json(keys))
}

/// `POST /api/auth/recover`, step two: a new passphrase for the same keys,
/// a session on this device, every other device signed out.
pub async fn recover(State(state): State<AppState>, client: Client, ApiJson(req): ApiJson<RecoverRequest>) -> Result<Response, ApiError> {
    let now = now_ms();
    let device_name = check_name(&req.device_name, 40).map_err(|m| ApiError::invalid("device_name", m))?;
    auth_key("auth", &req.auth)?;
    kdf_params(&req.kdf)?;
    blob("wrapped_secret", &req.wrapped_secret, WRAPPED)?;
    let (user, _, reservation) = recovery_checked(&state, &client, &req.login, &req.recovery_auth).await?;
    let hash = hash_auth(&state, &req.auth).await?;
    let (token, token_hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let me = state
        .db
        .write(move |tx| {
            keys::set_passphrase(tx, &user, &req.kdf, &hash, &req.wrapped_secret)?;
            accounts::revoke_all_sessions(tx, &user, "passphrase_changed", now)?;
            let device = new_id(DeviceId::parse)?;
            accounts::create_session(tx, &user, &device, &token_hash, &device_name, carrier, now)?;
            attempts::release(tx, &reservation)?;
            with_keys(tx, &user, &device)
        })
        .await?;
    tracing::info!(login = %me.login, addr = %client.ip, "passphrase set with the recovery key");
    Ok(signed_in(client.secure(&state), token, me, carrier))
}

/// `GET /api/keys`: the caller's keys, group by group.
pub async fn keys_info(State(state): State<AppState>, caller: Caller) -> Result<Json<KeysInfo>, ApiError> {
    Ok(Json(state.db.read(move |tx| keys::keys_info(tx, &caller.user)).await?))
}

/// Moves this device's session to a bearer token (the app lock was turned
/// on: the cookie is cleared, the new token is only in the answer) or back
/// to a cookie. The old token stops working either way.
pub async fn session_mode(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<SessionMode>) -> Result<Response, ApiError> {
    let (token, hash) = auth::new_token();
    let carrier = carrier(req.bearer);
    let device = caller.device.clone();
    state.db.write(move |tx| accounts::set_session_token(tx, &device, &hash, carrier)).await?;
    Ok(match carrier {
        Carrier::Bearer => {
            ([(header::SET_COOKIE, auth::clear_cookie(state.secure))], Json(SessionToken { token: Some(token) })).into_response()
        }
        Carrier::Cookie => ([(header::SET_COOKIE, auth::set_cookie(&token, state.secure))], Json(SessionToken { token: None })).into_response(),
    })
}

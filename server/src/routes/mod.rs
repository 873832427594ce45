//! The HTTP API under `/api`. Handlers are thin: parse, call `storage`,
//! answer. Every error goes through `ApiError`.

mod auth;
mod devices;
pub mod groups;
mod health;
mod sync;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};

use crate::error::ApiError;
use crate::state::AppState;

/// Bodies of ordinary requests (sign-in, invites) stay small.
pub const BODY_LIMIT: usize = 64 * 1024;
/// A push of up to 500 mutations.
pub const PUSH_BODY_LIMIT: usize = 8 * 1024 * 1024;

pub fn api(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/auth/params", get(auth::params))
        .route("/auth/login", post(auth::login))
        .route("/auth/recovery", post(auth::recovery))
        .route("/auth/recover", post(auth::recover))
        .route("/keys", get(auth::keys_info))
        .route("/invites/open", post(auth::open_invite))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/passphrase", put(auth::change_passphrase))
        .route("/session/mode", put(auth::session_mode))
        .route("/me", get(auth::me))
        .route("/join", post(auth::join))
        .route("/setup", post(auth::setup))
        .route("/groups/join", post(auth::join_group))
        .route("/devices", get(devices::list))
        .route("/devices/{device}", delete(devices::revoke))
        .route("/groups/{group}/members", get(groups::members))
        .route("/groups/{group}/members/{user}/remove", post(groups::remove_member))
        .route("/groups/{group}/recovery", get(groups::recovery))
        .route("/groups/{group}/keys", post(groups::add_own_keys))
        .route("/groups/{group}/members/{user}/role", put(groups::set_role))
        .route("/groups/{group}/invites", get(groups::invites).post(groups::create_invite))
        .route("/groups/{group}/invites/{invite}", delete(groups::revoke_invite))
        .route("/sync/push", post(sync::push).layer(DefaultBodyLimit::max(PUSH_BODY_LIMIT)))
        .route("/sync/pull", get(sync::pull))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(same_origin))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Refuses state-changing requests sent from another origin. The cookie is
/// SameSite=Strict already; this also covers old browsers.
async fn same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let origin_host = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(|o| o.split_once("://").map_or(o, |(_, rest)| rest).to_owned());
        let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok());
        if let Some(origin_host) = origin_host
            && Some(origin_host.as_str()) != host
        {
            return ApiError::Forbidden.into_response();
        }
    }
    next.run(request).await
}

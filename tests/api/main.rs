//! API tests: each starts the real server on an ephemeral port with a fresh
//! SQLite file (`spawn_app`) and talks HTTP to it.

mod access;
mod assets;
mod auth;
mod health;
mod security;
mod startup;
mod sync;
mod tls;

//! API tests: each starts the real server on an ephemeral port with a fresh
//! SQLite file (`spawn_app`) and talks HTTP to it.

mod assets;
mod health;
mod startup;

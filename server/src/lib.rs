//! nimo's server: thin axum handlers over a SQLite storage module.
//!
//! `cli` parses flags into a [`config::Config`]; [`startup::Application`]
//! opens the database, binds the listener and builds the router;
//! `routes` holds the handlers; `storage` owns every SQL statement.

pub mod assets;
pub mod client;
pub mod ops;
pub mod tls;
pub mod auth;
pub mod caller;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod headers;
pub mod json;
pub mod passphrase;
pub mod routes;
pub mod startup;
pub mod state;
pub mod storage;

//! nimo's domain and sync protocol.
//!
//! Everything here is plain Rust with no I/O, so that the same code runs in
//! the browser (wasm32) and on the server, and is unit-tested on the host.

pub mod api;

/// Version of the wire protocol and of the record schema. Sent with every
/// sync request; a client with another version is told to update instead of
/// writing data the server cannot read.
pub const SCHEMA_VERSION: u32 = 1;

//! Sync: identity and time of records, how they merge, the protocol, and
//! the device's engine.
//!
//! - [`ids`], [`hlc`]: ids that only hold well-formed values; the hybrid
//!   logical clock every field write is stamped with.
//! - [`collection`]: the collections, visibility, roles and the access
//!   rules (the only copy; both sides ask them).
//! - [`record`]: a record of stamped fields and how two copies merge.
//! - [`protocol`]: push and pull messages, and how a mutation is checked
//!   (against its collection's schema) and applied.
//! - [`wire`]: the same messages as JSON values by hand, for the app.
//! - [`client`]: the device's engine over a `Store`, a `Transport` and an
//!   `Env`; [`memory`]: an in-memory `Store` for tests.

pub mod client;
pub mod collection;
pub mod hlc;
pub mod ids;
pub mod memory;
pub mod protocol;
pub mod record;
pub mod wire;

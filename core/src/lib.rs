//! nimo's domain and sync protocol.
//!
//! Everything here is plain Rust with no I/O, so that the same code runs in
//! the browser (wasm32) and on the server, and is unit-tested on the host.
//!
//! - Identity and time: [`ids`], [`hlc`], [`time`].
//! - Records and sync: [`record`] (merge), [`protocol`] (messages and
//!   validation), [`client`] (the device's sync engine), [`memory`] (an
//!   in-memory store for tests).
//! - The domain: [`collection`] (collections, access rules, field schemas),
//!   [`taxonomy`] (worries and window types), [`area`], [`contact`],
//!   [`window`], [`evidence`].

pub mod api;
pub mod area;
pub mod catalogue;
pub mod client;
pub mod collection;
pub mod contact;
pub mod csv;
pub mod directory;
pub mod evidence;
pub mod hlc;
pub mod holidays;
pub mod hours;
pub mod ids;
pub mod import;
pub mod meeting;
pub mod memory;
pub mod passphrase;
pub mod national;
pub mod protocol;
pub mod record;
pub mod taxonomy;
pub mod text;
pub mod time;
pub mod window;

/// Version of the wire protocol and of the record schema. Sent with every
/// sync request; a client with another version is told to update instead of
/// writing data the server cannot read.
pub const SCHEMA_VERSION: u32 = 2;

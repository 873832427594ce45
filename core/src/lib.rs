//! nimo's domain and sync protocol.
//!
//! Everything here is plain Rust with no I/O, so that the same code runs in
//! the browser (wasm32) and on the server, and is unit-tested on the host.
//! The folders are the layers, lowest first:
//!
//! - [`base`]: Japan time and the fiscal year, holidays, text folding, CSV,
//!   the vocabulary of worries and windows, passphrase rules.
//! - [`schema`]: how a collection is declared once ([`collection!`]) and
//!   what that yields: field kinds and limits, record conversion, checks,
//!   form values and problems.
//! - [`sync`]: ids, the hybrid logical clock, records and their merge, the
//!   protocol, the device's engine, collections and access rules.
//! - [`crypto`]: end-to-end encryption — keys from passphrases and invite
//!   codes, envelopes to members, sealed record values, the device's keyring.
//! - The features, one folder each: [`contacts`], [`directory`], [`kyogi`].
//! - [`collections`]: the registry from a collection to its schema.
//! - [`api`]: the HTTP payloads besides sync, and the error body.

pub mod api;
pub mod base;
pub mod collections;
pub mod contacts;
pub mod crypto;
pub mod directory;
pub mod kyogi;
pub mod schema;
pub mod sync;

/// Version of the wire protocol and of the record schema. Sent with every
/// sync request; a client with another version is told to update instead of
/// writing data the server cannot read. 3: values sealed end to end.
pub const SCHEMA_VERSION: u32 = 3;

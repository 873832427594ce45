//! The browser underneath: IndexedDB, localStorage, WebCrypto, fetch, time
//! and randomness. Nothing here knows about screens.

pub mod assets;
pub mod crypt;
pub mod env;
pub mod files;
pub mod http;
pub mod idb;
pub mod js;
pub mod json;
pub mod modules;
pub mod prefs;
pub mod store;
pub mod utf8;

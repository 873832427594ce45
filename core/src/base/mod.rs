//! What every part of the domain builds on: Japan time and the fiscal year
//! ([`time`]), national holidays ([`holidays`]), Japanese-aware search
//! folding ([`text`]), CSV for Excel ([`csv`]), the shared vocabulary of
//! worries and windows ([`taxonomy`]), the rules for a passphrase
//! ([`passphrase`]), phone numbers, emails and websites ([`reach`]), the
//! one sort the program shares ([`order`]), the small ordered map ([`map`])
//! and JSON text ([`json`]).

pub mod csv;
pub mod holidays;
pub mod json;
pub mod map;
pub mod order;
pub mod passphrase;
pub mod reach;
pub mod taxonomy;
pub mod text;
pub mod time;

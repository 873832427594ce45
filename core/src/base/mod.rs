//! What every part of the domain builds on: Japan time and the fiscal year
//! ([`time`]), national holidays ([`holidays`]), Japanese-aware search
//! folding ([`text`]), CSV for Excel ([`csv`]), the shared vocabulary of
//! worries and windows ([`taxonomy`]), and the rules for a passphrase
//! ([`passphrase`]).

pub mod csv;
pub mod holidays;
pub mod passphrase;
pub mod taxonomy;
pub mod text;
pub mod time;

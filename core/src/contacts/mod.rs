//! Logging contacts.
//!
//! - [`contact`]: the `Contact` collection and its rules (no full names,
//!   the pair and the patient's wish on a hospital visit, nothing empty).
//! - [`profile`]: a member's own profile (研修修了・選任 for hospital visits).
//! - [`report`]: what is made from contacts — monthly counts, the 実施報告.

pub mod contact;
pub mod profile;
pub mod report;

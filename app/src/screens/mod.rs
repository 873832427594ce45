//! One module per bottom-navigation tab.

pub mod meetings;
pub mod records;
pub mod settings;
pub mod windows;

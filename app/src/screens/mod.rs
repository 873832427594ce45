//! One module per screen.

pub mod lock;
pub mod meetings;
pub mod records;
pub mod settings;
pub mod welcome;
pub mod windows;

//! One module per screen.

pub mod areas;
pub mod contact;
pub mod crisis;
pub mod directory;
pub mod keep;
pub mod lock;
pub mod meetings;
pub mod record;
pub mod records;
pub mod settings;
pub mod visit_report;
pub mod welcome;
pub mod windows;

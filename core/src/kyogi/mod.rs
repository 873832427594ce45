//! Taking part in 協議の場.
//!
//! - [`meeting`]: the `Meeting`, `Attendance`, `Item` and `ItemUpdate`
//!   collections; homework from earlier meetings, the year's report, iCalendar.
//! - [`evidence`]: counts from contacts that cannot identify a person.

pub mod evidence;
pub mod meeting;

//! A form's values as the person types them, and why one is refused.

use std::collections::BTreeMap;

use serde_json::Value;

/// One field's value in a form. Typed values become these to fill a form
/// and are read back from them (`FieldType::from_input`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Input {
    /// Typed text: names, notes, dates (`2026-11-24`), times, numbers.
    Text(String),
    /// One choice (its id), or none.
    One(Option<String>),
    /// Several choices (their ids).
    Many(Vec<String>),
    Flag(bool),
    /// A structured value (referrals, areas, hours…) as its editor keeps it.
    Json(Value),
    #[default]
    Empty,
}

impl Input {
    pub fn text(&self) -> &str {
        match self {
            Input::Text(s) => s,
            _ => "",
        }
    }

    pub fn one(&self) -> Option<&str> {
        match self {
            Input::One(v) => v.as_deref(),
            Input::Text(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    pub fn many(&self) -> &[String] {
        match self {
            Input::Many(v) => v,
            _ => &[],
        }
    }

    pub fn flag(&self) -> bool {
        matches!(self, Input::Flag(true))
    }

    pub fn json(&self) -> Value {
        match self {
            Input::Json(v) => v.clone(),
            _ => Value::Null,
        }
    }
}

/// A form: each field's input, by name.
pub type FormValues = BTreeMap<&'static str, Input>;

/// Why a value is not accepted; the app says it in plain words at the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// More than one line where one is expected.
    OneLine,
    BadDate,
    BadTime,
    NotANumber,
    /// A number outside its range.
    OutOfRange,
    BadArea,
    BadPhone,
    BadEmail,
    BadUrl,
    /// Hours without days.
    NoDays,
    /// A structured value (a list) with something wrong in it.
    Invalid,
    /// The follow-up is before the contact itself.
    FollowUpBeforeContact,
    /// Looks like a full name: use a nickname or initials.
    LooksLikeFullName,
    /// The wish for a visit was confirmed after the visit.
    WishAfterVisit,
    /// A date in the future beyond tomorrow (asked to confirm, not refused).
    FarFuture,
    /// Nothing worth keeping: a record needs at least a worry, a note or a
    /// referral.
    Empty,
    /// Not a hospital visitor's role (they listen, talk about daily life
    /// and give information): a warning, not a refusal.
    NotAVisitorsRole,
}

/// The problems of a form, by field.
pub type Problems = BTreeMap<&'static str, Problem>;

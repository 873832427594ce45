//! A form's values as the person types them, and why one is refused.

use crate::base::map::SortedMap;

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
pub type FormValues = SortedMap<&'static str, Input>;

impl Input {
    /// The input as a JSON value, for a draft.
    pub fn to_value(&self) -> Value {
        let tagged = |k: &str, v: Value| crate::base::json::object_from([(k.to_owned(), v)]);
        match self {
            Input::Text(s) => Value::String(s.clone()),
            Input::One(v) => tagged("one", v.clone().map_or(Value::Null, Value::String)),
            Input::Many(v) => tagged("many", Value::Array(v.iter().cloned().map(Value::String).collect())),
            Input::Flag(b) => Value::Bool(*b),
            Input::Json(v) => tagged("json", v.clone()),
            Input::Empty => Value::Null,
        }
    }

    pub fn from_value(v: &Value) -> Self {
        match v {
            Value::String(s) => Input::Text(s.clone()),
            Value::Bool(b) => Input::Flag(*b),
            Value::Object(o) => {
                if let Some(one) = o.get("one") {
                    Input::One(one.as_str().map(str::to_owned))
                } else if let Some(Value::Array(many)) = o.get("many") {
                    Input::Many(many.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                } else {
                    o.get("json").map_or(Input::Empty, |j| Input::Json(j.clone()))
                }
            }
            _ => Input::Empty,
        }
    }
}

/// A form as a JSON object (a draft kept on the device).
pub fn form_to_value(form: &FormValues) -> Value {
    crate::base::json::object_from(form.iter().map(|(k, v)| ((*k).to_owned(), v.to_value())))
}

/// A draft read back: only the fields `schema` has.
pub fn form_from_value(schema: &super::Schema, v: &Value) -> FormValues {
    let mut out = FormValues::new();
    if let Some(o) = v.as_object() {
        for f in schema.fields {
            if let Some(x) = o.get(f.name) {
                out.insert(f.name, Input::from_value(x));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Typed;

    #[test]
    fn a_draft_reads_back_as_the_form_it_was() {
        use crate::contacts::contact::{Contact, Mode};
        use crate::schema::field::{Note, Set};
        let now = crate::base::time::JstDateTime::parse("2026-11-24T10:00").unwrap();
        let c = Contact { mode: Some(Mode::Visit), worries: Set(vec![crate::base::taxonomy::Worry::Money]), note: Note::new("メモ"), risk: true, ..Contact::new(now) };
        let form = c.to_inputs();
        let back = form_from_value(&Contact::SCHEMA, &form_to_value(&form));
        assert_eq!(back, form);
        assert_eq!(Contact::from_inputs(&back).map(|x| x.note), Ok(Note::new("メモ")));
    }
}

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
pub type Problems = SortedMap<&'static str, Problem>;

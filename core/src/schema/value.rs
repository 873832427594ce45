//! Reading structured field values by hand: small, exact, and without the
//! generic machinery a derive would ship in the app for each type.

use serde_json::{Map, Value};

/// A JSON object's fields, or an error naming what was expected.
pub fn object(v: &Value) -> Result<&Map<String, Value>, String> {
    v.as_object().ok_or_else(|| "expected an object".to_owned())
}

/// Refuses keys other than `allowed`.
pub fn only(obj: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{k}: unknown field")),
        None => Ok(()),
    }
}

/// A string field; `Ok(None)` when absent or null.
pub fn opt_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key}: expected a string")),
    }
}

pub fn str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    opt_str(obj, key)?.ok_or_else(|| format!("{key}: required"))
}

pub fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<bool, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{key}: expected true or false")),
    }
}

/// A list of at most `max` items.
pub fn list(v: &Value, max: usize) -> Result<&[Value], String> {
    match v {
        Value::Null => Ok(&[]),
        Value::Array(items) if items.len() <= max => Ok(items),
        Value::Array(_) => Err(format!("at most {max} items")),
        _ => Err("expected a list".into()),
    }
}

/// A list of strings.
pub fn strings(v: &Value, max: usize) -> Result<Vec<&str>, String> {
    list(v, max)?.iter().map(|x| x.as_str().ok_or_else(|| "expected a list of strings".to_owned())).collect()
}

/// One line of at most `max` characters, without control characters.
pub fn line(s: &str, max: usize) -> Result<(), String> {
    if s.chars().count() > max {
        return Err(format!("at most {max} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err("one line, no control characters".into());
    }
    Ok(())
}

/// An object from pairs, leaving out nulls.
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    crate::base::json::object_from(pairs.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_owned(), v)))
}

/// `Value::String`, or null for an empty string.
pub fn text(s: &str) -> Value {
    if s.is_empty() { Value::Null } else { Value::String(s.to_owned()) }
}

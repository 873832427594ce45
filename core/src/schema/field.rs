//! What one field's Rust type knows: its [`Kind`], how to read it strictly
//! from a stored value (the server refuses anything else), how to write
//! it, and how it fills and is read from a form.

use std::fmt;
use std::ops::Deref;

use serde_json::{Number, Value};

use super::form::{Input, Problem};
use super::{Kind, Vocab};
use crate::base::time::{Date, JstDateTime, TimeOfDay};
use crate::sync::ids::{RecordId, UserId};

pub trait FieldType: Sized + Clone + PartialEq + Default {
    const KIND: Kind;
    /// Reads a stored value strictly; `null` is the empty value.
    fn parse(v: &Value) -> Result<Self, String>;
    /// The stored value; `null` when empty.
    fn to_value(&self) -> Value;
    fn to_input(&self) -> Input;
    fn from_input(input: &Input) -> Result<Self, Problem>;
}

fn string(v: &Value) -> Result<Option<&str>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err("expected a string".into()),
    }
}

fn no_controls(s: &str, lines: bool) -> Result<(), String> {
    if !lines && s.contains(['\n', '\r']) {
        return Err("one line only".into());
    }
    if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("control characters are not allowed".into());
    }
    Ok(())
}

fn within(s: &str, max: usize) -> Result<(), String> {
    let n = s.chars().count();
    if n > max { Err(format!("at most {max} characters (got {n})")) } else { Ok(()) }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $kind:ident, $lines:expr, $check:expr, $problem:expr) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name<const N: usize>(pub String);

        impl<const N: usize> $name<N> {
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<const N: usize> Deref for $name<N> {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<const N: usize> fmt::Debug for $name<N> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl<const N: usize> fmt::Display for $name<N> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<const N: usize> FieldType for $name<N> {
            const KIND: Kind = Kind::$kind { max: N };

            fn parse(v: &Value) -> Result<Self, String> {
                let Some(s) = string(v)? else { return Ok(Self::default()) };
                within(s, N)?;
                no_controls(s, $lines)?;
                let check: fn(&str) -> Result<(), String> = $check;
                if !s.is_empty() {
                    check(s)?;
                }
                Ok(Self(s.to_owned()))
            }

            fn to_value(&self) -> Value {
                if self.0.is_empty() { Value::Null } else { Value::String(self.0.clone()) }
            }

            fn to_input(&self) -> Input {
                Input::Text(self.0.clone())
            }

            fn from_input(input: &Input) -> Result<Self, Problem> {
                let typed = input.text();
                let s = if $lines { typed.trim_end() } else { typed.trim() };
                if s.trim().is_empty() {
                    return Ok(Self::default());
                }
                if s.chars().count() > N {
                    return Err(Problem::TooLong(N));
                }
                if !$lines && s.contains(['\n', '\r']) {
                    return Err(Problem::OneLine);
                }
                let check: fn(&str) -> Result<(), String> = $check;
                check(s).map_err(|_| $problem)?;
                Ok(Self(s.to_owned()))
            }
        }
    };
}

text_type!(
    /// One line of text, at most `N` characters.
    Text, Text, false, |_| Ok(()), Problem::Invalid
);
text_type!(
    /// Free text of at most `N` characters; concurrent edits keep the text
    /// that lost as a conflict.
    Note, Note, true, |_| Ok(()), Problem::Invalid
);
text_type!(
    /// A website: `https://` or `http://`, nothing else.
    Url, Url, false, crate::base::reach::check_web_url, Problem::BadUrl
);
text_type!(
    /// An email address.
    Email, Email, false, crate::base::reach::check_email, Problem::BadEmail
);

/// A phone or fax number as written (`078-322-5229`, `#8008`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneNumber(pub String);

impl PhoneNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for PhoneNumber {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl FieldType for PhoneNumber {
    const KIND: Kind = Kind::Phone;

    fn parse(v: &Value) -> Result<Self, String> {
        match string(v)? {
            None | Some("") => Ok(Self::default()),
            Some(s) => crate::base::reach::check_phone_number(s).map(|()| Self(s.trim().to_owned())),
        }
    }

    fn to_value(&self) -> Value {
        if self.0.is_empty() { Value::Null } else { Value::String(self.0.clone()) }
    }

    fn to_input(&self) -> Input {
        Input::Text(self.0.clone())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s = input.text().trim();
        if s.is_empty() {
            return Ok(Self::default());
        }
        crate::base::reach::check_phone_number(s).map_err(|_| Problem::BadPhone)?;
        Ok(Self(s.to_owned()))
    }
}

macro_rules! parsed_option {
    ($ty:ty, $kind:expr, $problem:expr) => {
        impl FieldType for Option<$ty> {
            const KIND: Kind = $kind;

            fn parse(v: &Value) -> Result<Self, String> {
                string(v)?.map(|s| <$ty>::parse(s).map_err(|e| e.to_string())).transpose()
            }

            fn to_value(&self) -> Value {
                self.map_or(Value::Null, |x| Value::String(x.to_string()))
            }

            fn to_input(&self) -> Input {
                Input::Text(self.map(|x| x.to_string()).unwrap_or_default())
            }

            fn from_input(input: &Input) -> Result<Self, Problem> {
                let s = input.one().unwrap_or("").trim();
                if s.is_empty() {
                    return Ok(None);
                }
                <$ty>::parse(s).map(Some).map_err(|_| $problem)
            }
        }
    };
}

parsed_option!(Date, Kind::Date, Problem::BadDate);
parsed_option!(TimeOfDay, Kind::Time, Problem::BadTime);

/// A moment: the form holds `date` + `T` + `time` (two inputs), and says
/// which half is wrong.
impl FieldType for Option<JstDateTime> {
    const KIND: Kind = Kind::DateTime;

    fn parse(v: &Value) -> Result<Self, String> {
        string(v)?.map(|s| JstDateTime::parse(s).map_err(|e| e.to_string())).transpose()
    }

    fn to_value(&self) -> Value {
        self.map_or(Value::Null, |x| Value::String(x.to_string()))
    }

    fn to_input(&self) -> Input {
        Input::Text(self.map(|x| x.to_string()).unwrap_or_default())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s = input.text().trim();
        let (date, time) = s.split_once('T').unwrap_or((s, ""));
        if date.trim().is_empty() && time.trim().is_empty() {
            return Ok(None);
        }
        let date = Date::parse(date).map_err(|_| Problem::BadDate)?;
        match TimeOfDay::parse(time) {
            Ok(time) if time != TimeOfDay::END_OF_DAY => Ok(Some(JstDateTime { date, time })),
            _ => Err(Problem::BadTime),
        }
    }
}

/// A whole number from `MIN` to `MAX`, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Int<const MIN: i64, const MAX: i64>(pub Option<i64>);

impl<const MIN: i64, const MAX: i64> FieldType for Int<MIN, MAX> {
    const KIND: Kind = Kind::Int { min: MIN, max: MAX };

    fn parse(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(Self(None)),
            _ => match v.as_i64() {
                Some(n) if (MIN..=MAX).contains(&n) => Ok(Self(Some(n))),
                _ => Err(format!("expected a whole number from {MIN} to {MAX}")),
            },
        }
    }

    fn to_value(&self) -> Value {
        self.0.map_or(Value::Null, Value::from)
    }

    fn to_input(&self) -> Input {
        Input::Text(self.0.map(|n| n.to_string()).unwrap_or_default())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s: String = input.text().trim().chars().map(fold_digit).collect();
        if s.is_empty() {
            return Ok(Self(None));
        }
        match s.parse::<i64>() {
            Ok(n) if (MIN..=MAX).contains(&n) => Ok(Self(Some(n))),
            Ok(_) => Err(Problem::OutOfRange),
            Err(_) => Err(Problem::NotANumber),
        }
    }
}

/// Full-width digits (「１２」) read as digits.
fn fold_digit(c: char) -> char {
    if ('０'..='９').contains(&c) { char::from_u32(c as u32 - 0xFEE0).unwrap_or(c) } else { c }
}

impl FieldType for bool {
    const KIND: Kind = Kind::Flag;

    fn parse(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(false),
            Value::Bool(b) => Ok(*b),
            _ => Err("expected true or false".into()),
        }
    }

    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }

    fn to_input(&self) -> Input {
        Input::Flag(*self)
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        Ok(input.flag())
    }
}

impl<V: Vocab> FieldType for Option<V> {
    const KIND: Kind = Kind::Choice { options: V::OPTIONS };

    fn parse(v: &Value) -> Result<Self, String> {
        match string(v)? {
            None => Ok(None),
            Some(s) => V::from_id(s).map(Some).ok_or_else(|| format!("expected one of {}", ids(V::OPTIONS))),
        }
    }

    fn to_value(&self) -> Value {
        self.map_or(Value::Null, |x| Value::String(x.id().to_owned()))
    }

    fn to_input(&self) -> Input {
        Input::One(self.map(|x| x.id().to_owned()))
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        match input.one() {
            None => Ok(None),
            Some(id) => V::from_id(id).map(Some).ok_or(Problem::Invalid),
        }
    }
}

fn ids(options: &[super::Opt]) -> String {
    options.iter().map(|o| o.id).collect::<Vec<_>>().join(", ")
}

/// Several values of a vocabulary, each once, in the order chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set<V>(pub Vec<V>);

impl<V> Default for Set<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> Deref for Set<V> {
    type Target = [V];
    fn deref(&self) -> &[V] {
        &self.0
    }
}

impl<V: Vocab> Set<V> {
    pub fn of(values: &[V]) -> Self {
        Self(values.to_vec())
    }
}

/// How many of a vocabulary a form shows before 「ほかに」.
pub trait Featured {
    const FEATURED: usize;
}

impl<V: Vocab + Featured> FieldType for Set<V> {
    const KIND: Kind = Kind::Choices { options: V::OPTIONS, featured: V::FEATURED };

    fn parse(v: &Value) -> Result<Self, String> {
        let items = super::value::strings(v, V::OPTIONS.len())?;
        let mut out: Vec<V> = Vec::with_capacity(items.len());
        for s in items {
            let x = V::from_id(s).ok_or_else(|| format!("{s:?} is not one of {}", ids(V::OPTIONS)))?;
            if out.contains(&x) {
                return Err(format!("{s:?} appears twice"));
            }
            out.push(x);
        }
        Ok(Self(out))
    }

    fn to_value(&self) -> Value {
        Value::Array(self.0.iter().map(|x| Value::String(x.id().to_owned())).collect())
    }

    fn to_input(&self) -> Input {
        Input::Many(self.0.iter().map(|x| x.id().to_owned()).collect())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let mut out: Vec<V> = Vec::new();
        for x in input.many().iter().filter_map(|id| V::from_id(id)) {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        Ok(Self(out))
    }
}

impl FieldType for Option<RecordId> {
    const KIND: Kind = Kind::Ref;

    fn parse(v: &Value) -> Result<Self, String> {
        string(v)?.map(|s| RecordId::parse(s).map_err(|e| e.to_string())).transpose()
    }

    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, |x| Value::String(x.to_string()))
    }

    fn to_input(&self) -> Input {
        Input::Text(self.as_ref().map(ToString::to_string).unwrap_or_default())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s = input.one().unwrap_or("");
        if s.is_empty() { Ok(None) } else { RecordId::parse(s).map(Some).map_err(|_| Problem::Invalid) }
    }
}

/// Ids of other records (at most 200).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs(pub Vec<RecordId>);

impl Deref for Refs {
    type Target = [RecordId];
    fn deref(&self) -> &[RecordId] {
        &self.0
    }
}

impl FieldType for Refs {
    const KIND: Kind = Kind::Refs;

    fn parse(v: &Value) -> Result<Self, String> {
        let items = super::value::strings(v, 200)?;
        items.into_iter().map(|s| RecordId::parse(s).map_err(|e| e.to_string())).collect::<Result<_, _>>().map(Self)
    }

    fn to_value(&self) -> Value {
        Value::Array(self.0.iter().map(|x| Value::String(x.to_string())).collect())
    }

    fn to_input(&self) -> Input {
        Input::Many(self.0.iter().map(ToString::to_string).collect())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        input.many().iter().map(|s| RecordId::parse(s).map_err(|_| Problem::Invalid)).collect::<Result<_, _>>().map(Self)
    }
}

impl FieldType for Option<UserId> {
    const KIND: Kind = Kind::User;

    fn parse(v: &Value) -> Result<Self, String> {
        string(v)?.map(|s| UserId::parse(s).map_err(|e| e.to_string())).transpose()
    }

    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, |x| Value::String(x.to_string()))
    }

    fn to_input(&self) -> Input {
        Input::Text(self.as_ref().map(ToString::to_string).unwrap_or_default())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s = input.one().unwrap_or("");
        if s.is_empty() { Ok(None) } else { UserId::parse(s).map(Some).map_err(|_| Problem::Invalid) }
    }
}

/// A degree of latitude or longitude between `MIN` and `MAX`, kept in
/// millionths so that it is written and read without floating-point
/// printing (which would ship a formatter in the app).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Degrees<const MIN: i64, const MAX: i64>(pub Option<i64>);

impl<const MIN: i64, const MAX: i64> Degrees<MIN, MAX> {
    /// Reads `34.690083` (up to six decimals).
    pub fn read(s: &str) -> Option<i64> {
        let s = s.trim();
        let (negative, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 6 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let mut micro: i64 = 0;
        for (i, b) in fraction.bytes().enumerate() {
            micro += i64::from(b - b'0') * 10i64.pow(5 - i as u32);
        }
        let value = whole.checked_mul(1_000_000)?.checked_add(micro)?;
        Some(if negative { -value } else { value })
    }

    /// Writes millionths as `34.690083` (trailing zeros dropped).
    pub fn write(micro: i64) -> String {
        let sign = if micro < 0 { "-" } else { "" };
        let m = micro.unsigned_abs();
        let fraction = format!("{:06}", m % 1_000_000);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() { format!("{sign}{}", m / 1_000_000) } else { format!("{sign}{}.{fraction}", m / 1_000_000) }
    }

    fn in_range(micro: i64) -> bool {
        (MIN * 1_000_000..=MAX * 1_000_000).contains(&micro)
    }
}

impl<const MIN: i64, const MAX: i64> FieldType for Degrees<MIN, MAX> {
    const KIND: Kind = Kind::Coordinate;

    fn parse(v: &Value) -> Result<Self, String> {
        let refuse = || format!("expected a number from {MIN} to {MAX}");
        match v {
            Value::Null => Ok(Self(None)),
            Value::Number(n) => {
                // A stored number has at most six decimals; rounding reads
                // the binary fraction back to the decimal that was written.
                let micro = n.as_f64().map(|x| (x * 1_000_000.0).round() as i64).ok_or_else(refuse)?;
                if Self::in_range(micro) { Ok(Self(Some(micro))) } else { Err(refuse()) }
            }
            _ => Err(refuse()),
        }
    }

    fn to_value(&self) -> Value {
        self.0.and_then(|m| Number::from_f64(m as f64 / 1_000_000.0)).map_or(Value::Null, Value::Number)
    }

    fn to_input(&self) -> Input {
        Input::Text(self.0.map(Self::write).unwrap_or_default())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s = input.text().trim();
        if s.is_empty() {
            return Ok(Self(None));
        }
        let micro = Self::read(s).ok_or(Problem::NotANumber)?;
        if Self::in_range(micro) { Ok(Self(Some(micro))) } else { Err(Problem::OutOfRange) }
    }
}

/// Structured values (lists with their own editors) implement this, and get
/// their [`FieldType`] through [`structured!`](crate::structured).
pub trait Structured: Sized + Clone + PartialEq + Default {
    const KIND: Kind;
    fn read(v: &Value) -> Result<Self, String>;
    fn write(&self) -> Value;
}

/// Implements [`FieldType`] for a [`Structured`] type: a form keeps it as
/// JSON for its editor.
#[macro_export]
macro_rules! structured {
    ($ty:ty) => {
        impl $crate::schema::FieldType for $ty {
            const KIND: $crate::schema::Kind = <$ty as $crate::schema::field::Structured>::KIND;

            fn parse(v: &serde_json::Value) -> Result<Self, String> {
                <$ty as $crate::schema::field::Structured>::read(v)
            }

            fn to_value(&self) -> serde_json::Value {
                <$ty as $crate::schema::field::Structured>::write(self)
            }

            fn to_input(&self) -> $crate::schema::Input {
                $crate::schema::Input::Json(self.to_value())
            }

            fn from_input(input: &$crate::schema::Input) -> Result<Self, $crate::schema::Problem> {
                <$ty as $crate::schema::field::Structured>::read(&input.json()).map_err(|_| $crate::schema::Problem::Invalid)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_checked_for_length_lines_and_controls() {
        assert_eq!(Text::<5>::parse(&json!("あいうえお")), Ok(Text::new("あいうえお")));
        assert!(Text::<5>::parse(&json!("あいうえおか")).is_err());
        assert!(Text::<5>::parse(&json!("a\nb")).is_err());
        assert!(Text::<5>::parse(&json!({"big": "x"})).is_err(), "an object is not text");
        assert_eq!(Note::<10>::parse(&json!("a\nb")), Ok(Note::new("a\nb")));
        assert!(Note::<10>::parse(&json!("a\u{0}b")).is_err());
        assert_eq!(Text::<5>::from_input(&Input::Text("  Aさん ".into())), Ok(Text::new("Aさん")));
        assert_eq!(Text::<2>::from_input(&Input::Text("Aさん".into())), Err(Problem::TooLong(2)));
        assert_eq!(Text::<5>::parse(&Value::Null), Ok(Text::default()));
        assert_eq!(Text::<5>::default().to_value(), Value::Null);
    }

    #[test]
    fn urls_are_only_web_addresses() {
        assert!(Url::<300>::parse(&json!("javascript:alert(1)")).is_err());
        assert!(Url::<300>::parse(&json!("https://www.city.kobe.lg.jp/")).is_ok());
        assert_eq!(Url::<300>::from_input(&Input::Text("JAVASCRIPT:x".into())), Err(Problem::BadUrl));
    }

    #[test]
    fn numbers_and_degrees() {
        assert_eq!(Int::<0, 1440>::from_input(&Input::Text("９０".into())), Ok(Int(Some(90))));
        assert_eq!(Int::<0, 1440>::from_input(&Input::Text("ten".into())), Err(Problem::NotANumber));
        assert_eq!(Int::<0, 1440>::from_input(&Input::Text("2000".into())), Err(Problem::OutOfRange));
        assert!(Int::<0, 1440>::parse(&json!("12")).is_err());
        type Lat = Degrees<20, 46>;
        assert_eq!(Lat::read("34.690083"), Some(34_690_083));
        assert_eq!(Lat::write(34_690_083), "34.690083");
        assert_eq!(Lat::write(35_000_000), "35");
        let parsed = Lat::parse(&json!(34.690083)).unwrap();
        assert_eq!(parsed, Degrees(Some(34_690_083)));
        assert_eq!(Lat::parse(&parsed.to_value()), Ok(parsed), "round-trips through JSON");
        assert!(Lat::parse(&json!(99)).is_err());
        assert_eq!(Lat::from_input(&Input::Text("99".into())), Err(Problem::OutOfRange));
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(<Option<Date>>::from_input(&Input::Text("2026-13-01".into())), Err(Problem::BadDate));
        assert_eq!(<Option<Date>>::from_input(&Input::Text("".into())), Ok(None));
        assert!(<Option<Date>>::parse(&json!(20261124)).is_err());
    }
}

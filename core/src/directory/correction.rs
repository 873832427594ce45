//! 「情報が違う」: a member's report that a directory entry or a national
//! line is wrong, for whoever keeps the directory; and [`WindowRef`], how a
//! contact's referral or a report names a window.

use std::fmt;

use serde_json::Value;

use crate::schema::field::{FieldType, Note, Text};
use crate::schema::{Input, Kind, Problem};
use crate::sync::collection::Collection;
use crate::sync::ids::RecordId;
use crate::{collection, vocabulary};

/// A directory entry (its record id) or a built-in national line
/// (`national:<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WindowRef {
    Entry(RecordId),
    National(String),
    #[default]
    None,
}

impl WindowRef {
    pub fn parse(s: &str) -> Result<Self, String> {
        if let Some(id) = s.strip_prefix("national:") {
            if !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Ok(Self::National(id.to_owned()));
            }
            return Err("a national line id is letters, digits, - and _".into());
        }
        RecordId::parse(s).map(Self::Entry).map_err(|e| e.to_string())
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Self::None)
    }
}

impl fmt::Display for WindowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Entry(id) => write!(f, "{id}"),
            Self::National(id) => write!(f, "national:{id}"),
            Self::None => Ok(()),
        }
    }
}

impl FieldType for WindowRef {
    const KIND: Kind = Kind::Ref;

    fn parse(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(Self::None),
            Value::String(s) => Self::parse(s),
            _ => Err("expected a window reference".into()),
        }
    }

    fn to_value(&self) -> Value {
        if self.is_none() { Value::Null } else { Value::String(self.to_string()) }
    }

    fn to_input(&self) -> Input {
        Input::Text(self.to_string())
    }

    fn from_input(input: &Input) -> Result<Self, Problem> {
        let s = input.one().unwrap_or("");
        if s.is_empty() { Ok(Self::None) } else { Self::parse(s).map_err(|_| Problem::Invalid) }
    }
}

vocabulary! {
    /// Where a correction stands.
    CorrectionStatus {
        Open = "open", "未対応", "Open";
        Applied = "applied", "反映した", "Applied";
        Dismissed = "dismissed", "見送った", "Dismissed";
    }
}

collection! {
    /// 「情報が違う」.
    pub struct Correction in Collection::Correction => {
        window: WindowRef [required hidden] "窓口" "Window",
        window_name: Text<100> [hidden] "窓口の名前" "Window name",
        note: Note<2000> [required quick] "どこが違いますか" "What is wrong",
        status: Option<CorrectionStatus> [details] "対応" "Status",
        review_note: Note<2000> [details] "対応のメモ" "Review note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Typed;
    use serde_json::json;

    #[test]
    fn window_refs() {
        assert_eq!(WindowRef::parse("national:yorisoi"), Ok(WindowRef::National("yorisoi".into())));
        assert!(WindowRef::parse("national:").is_err());
        assert!(WindowRef::parse("x y").is_err());
        assert!(<WindowRef as FieldType>::parse(&json!({"x": 1})).is_err());
    }

    #[test]
    fn a_correction_round_trips() {
        let c = Correction {
            window: WindowRef::National("inochi-sos".into()),
            window_name: Text::new("#いのちSOS"),
            note: Note::new("番号が変わっています"),
            status: Some(CorrectionStatus::Open),
            review_note: Note::default(),
        };
        let fields = c.to_fields();
        assert_eq!(Correction::from_fields(&|n| fields.iter().find(|(k, _)| *k == n).map(|(_, v)| v)), c);
        assert_eq!(Correction::from_inputs(&c.to_inputs()), Ok(c));
    }
}

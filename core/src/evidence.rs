//! Evidence from contacts for 協議の場: anonymous counts, with small counts
//! suppressed so that nobody can be recognised.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::area::AreaCode;
use crate::time::Date;

/// Counts below this are never shown as numbers.
pub const SUPPRESS_BELOW: u32 = 3;

/// A count as it may be shown: exact from 3 up, otherwise 「3未満」.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShownCount {
    Exact(u32),
    /// Serialised as the string `"<3"`.
    Suppressed(Suppressed),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Suppressed {
    #[serde(rename = "<3")]
    BelowThree,
}

impl ShownCount {
    pub fn of(n: u32) -> Self {
        if n < SUPPRESS_BELOW && n > 0 { Self::Suppressed(Suppressed::BelowThree) } else { Self::Exact(n) }
    }

    pub fn label_ja(self) -> String {
        match self {
            Self::Exact(n) => format!("{n}件"),
            Self::Suppressed(_) => "3未満".into(),
        }
    }
}

/// What is attached to a raised item: the counts, already suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub from: Date,
    pub to: Date,
    #[serde(default)]
    pub area: Option<AreaCode>,
    pub made_on: Date,
    pub contacts: ShownCount,
    /// (worry id, count), largest first.
    pub worries: Vec<(String, ShownCount)>,
    pub modes: Vec<(String, ShownCount)>,
    /// Referrals that did not connect (つながらず), by worry.
    pub not_connected: Vec<(String, ShownCount)>,
    /// Worries for which no window was found, by worry.
    pub unmet: Vec<(String, ShownCount)>,
}

pub fn check_snapshot(value: &Value) -> Result<(), String> {
    let snap: Snapshot = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    if snap.to < snap.from {
        return Err("the period ends before it starts".into());
    }
    let lists = [&snap.worries, &snap.modes, &snap.not_connected, &snap.unmet];
    if lists.iter().any(|l| l.len() > 50) {
        return Err("at most 50 rows per list".into());
    }
    Ok(())
}

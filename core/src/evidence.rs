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

use crate::collection::Visibility;
use crate::contact::Contact;
use crate::taxonomy::Worry;

fn shown(counts: std::collections::BTreeMap<String, u32>) -> Vec<(String, ShownCount)> {
    let mut list: Vec<(String, u32)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    // Largest first; ties by key, so that the order says nothing more.
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list.into_iter().map(|(k, n)| (k, ShownCount::of(n))).collect()
}

/// Counts over the group's *shared* contacts in a period (and an area:
/// a municipality, or a prefecture's code for all of it), with every count
/// under 3 shown only as 「3未満」. Private contacts never count.
pub fn compute<'a>(contacts: impl IntoIterator<Item = &'a Contact>, from: Date, to: Date, area: Option<AreaCode>, made_on: Date) -> Snapshot {
    let mut total = 0;
    let mut worries = std::collections::BTreeMap::new();
    let mut modes = std::collections::BTreeMap::new();
    let mut not_connected = std::collections::BTreeMap::new();
    let mut unmet = std::collections::BTreeMap::new();
    for c in contacts {
        if c.visibility != Visibility::Group {
            continue;
        }
        let Some(date) = c.date() else { continue };
        if date < from || date > to {
            continue;
        }
        if let Some(a) = area {
            let inside = c.area.is_some_and(|ca| if a.is_prefecture() { ca.prefecture() == a.prefecture() } else { ca == a });
            if !inside {
                continue;
            }
        }
        total += 1;
        for w in &c.worries {
            *worries.entry(w.id().to_owned()).or_insert(0) += 1;
        }
        *modes.entry(c.mode.clone()).or_insert(0) += 1;
        if c.referrals.iter().any(|r| r.state == "not_connected") {
            let keys: Vec<&str> = if c.worries.is_empty() { vec!["unknown"] } else { c.worries.iter().map(|w| w.id()).collect() };
            for k in keys {
                *not_connected.entry(k.to_owned()).or_insert(0) += 1;
            }
        }
        for w in &c.unmet_worries {
            *unmet.entry(w.id().to_owned()).or_insert(0) += 1;
        }
    }
    Snapshot {
        from,
        to,
        area,
        made_on,
        contacts: ShownCount::of(total),
        worries: shown(worries),
        modes: shown(modes),
        not_connected: shown(not_connected),
        unmet: shown(unmet),
    }
}

/// A worry id's Japanese label for display (`unknown` for none).
pub fn worry_label_ja(id: &str) -> &'static str {
    Worry::from_id(id).map_or("（悩みの記録なし）", |w| w.ja())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{ContactForm, Referral};
    use crate::hlc::Hlc;
    use crate::ids::{ClientId, GroupId, RecordId, UserId};
    use crate::record::{Record, Stamped};
    use crate::time::JstDateTime;

    fn contact(n: u8, date: &str, worries: &[&str], shared: bool, area: Option<&str>, not_connected: bool, unmet: &[&str]) -> Contact {
        let mut form = ContactForm::new(JstDateTime::parse(&format!("{date}T10:00")).unwrap());
        form.worries = worries.iter().map(|w| w.to_string()).collect();
        form.unmet_worries = unmet.iter().map(|w| w.to_string()).collect();
        form.shared = shared;
        form.area = area.map(str::to_owned);
        if not_connected {
            form.referrals.push(Referral { window: "national:yorisoi".into(), name: "x".into(), state: "not_connected".into(), on: None });
        }
        let (vis, fields) = form.to_fields().unwrap();
        let t = Hlc::new(1, 0, ClientId::from_random([1; 8]));
        let mut r = Record::new(RecordId::new_v7(1, [n; 10]), crate::collection::Collection::Contact, GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]), Stamped::new(vis, t.clone()));
        for (f, v) in fields {
            r.write(&f, v, t.clone());
        }
        Contact::from_record(&r).unwrap()
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(ShownCount::of(0), ShownCount::Exact(0));
        assert_eq!(ShownCount::of(1).label_ja(), "3未満");
        assert_eq!(ShownCount::of(2).label_ja(), "3未満");
        assert_eq!(ShownCount::of(3).label_ja(), "3件");
        assert_eq!(serde_json::to_string(&ShownCount::of(2)).unwrap(), "\"<3\"");
    }

    #[test]
    fn counts_shared_contacts_in_the_period_and_area_only() {
        let kobe = "281000";
        let contacts = vec![
            contact(1, "2026-10-01", &["housing", "money"], true, Some(kobe), true, &["housing"]),
            contact(2, "2026-10-02", &["housing"], true, Some(kobe), true, &["housing"]),
            contact(3, "2026-10-03", &["housing"], true, Some(kobe), false, &[]),
            contact(4, "2026-10-04", &["housing"], false, Some(kobe), false, &[]),
            contact(5, "2026-10-05", &["housing"], true, Some("271004"), false, &[]),
            contact(6, "2026-12-01", &["housing"], true, Some(kobe), false, &[]),
        ];
        let snap = compute(&contacts, d("2026-10-01"), d("2026-10-31"), AreaCode::parse(kobe).ok(), d("2026-11-24"));
        assert_eq!(snap.contacts, ShownCount::Exact(3), "private, other-city and out-of-period contacts do not count");
        assert_eq!(snap.worries, vec![("housing".into(), ShownCount::Exact(3)), ("money".into(), ShownCount::of(1))]);
        assert_eq!(snap.not_connected[0], ("housing".into(), ShownCount::of(2)));
        assert_eq!(snap.unmet, vec![("housing".into(), ShownCount::of(2))]);
        let prefecture = compute(&contacts, d("2026-10-01"), d("2026-10-31"), AreaCode::parse("280003").ok(), d("2026-11-24"));
        assert_eq!(prefecture.contacts, ShownCount::Exact(3));
        let everywhere = compute(&contacts, d("2026-10-01"), d("2026-10-31"), None, d("2026-11-24"));
        assert_eq!(everywhere.contacts, ShownCount::Exact(4));
        // What is attached passes the server's own check.
        let value = serde_json::to_value(&snap).unwrap();
        assert_eq!(check_snapshot(&value), Ok(()));
        assert!(!value.to_string().contains("\"money\",1"), "no exact small count in the attachment");
    }
}

//! National phone lines, built in (data/national-lines.json, each entry with
//! the public page it was read from and that page's date). Never invented:
//! a line is shown with its source date, and a coordinator can add a
//! corrected entry to the group's directory.

use serde::Deserialize;

use crate::time::TimeOfDay;
use crate::window::{Day, Session};

const DATA: &str = include_str!("../data/national-lines.json");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AltPhone {
    pub phone: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NationalLine {
    pub id: String,
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub alt_phones: Vec<AltPhone>,
    /// How the source words the hours.
    pub hours: String,
    #[serde(default)]
    pub schedule: Option<RawSchedule>,
    #[serde(rename = "for")]
    pub for_whom: String,
    pub operator: String,
    pub source_url: String,
    pub source_date: Option<String>,
    /// `official` or `secondary` (needs a check).
    pub confidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RawSchedule {
    #[serde(default)]
    pub always_open: bool,
    #[serde(default)]
    pub weekly: Vec<RawSession>,
    #[serde(default)]
    pub monthly: Vec<RawMonthly>,
    /// Closed periods like `12-29..01-03`.
    #[serde(default)]
    pub closed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RawSession {
    /// `mon-sun` or `mon,thu,fri`.
    pub days: String,
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RawMonthly {
    pub day_of_month: u8,
    pub opens: String,
    /// `08:00+1`: the next day.
    pub closes: String,
}

#[derive(Deserialize)]
struct File {
    lines: Vec<NationalLine>,
}

/// Every built-in line, in the file's order (parsed once).
pub fn lines() -> &'static [NationalLine] {
    static LINES: std::sync::OnceLock<Vec<NationalLine>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| serde_json::from_str::<File>(DATA).map(|f| f.lines).unwrap_or_default())
}

pub fn line(id: &str) -> Option<&'static NationalLine> {
    lines().iter().find(|l| l.id == id)
}

/// Lines for a person in crisis, in the order the crisis card shows them.
pub const CRISIS: [&str; 6] = ["emergency-119", "police-110", "inochi-sos", "inochi-free", "yorisoi", "kokoro-unified"];

fn parse_days(spec: &str) -> Vec<Day> {
    let day = |s: &str| Day::ALL.into_iter().find(|d| format!("{d:?}").eq_ignore_ascii_case(s));
    let mut out = Vec::new();
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Some(a), Some(b)) = (day(a), day(b)) {
                    let (a, b) = (a as usize, b as usize);
                    out.extend(Day::ALL[a..=b.max(a)].iter().copied());
                }
            }
            None => out.extend(day(part)),
        }
    }
    out
}

impl RawSession {
    /// The weekly session, with "24:00" as the end of the day.
    pub fn session(&self) -> Option<Session> {
        Some(Session { days: parse_days(&self.days), opens: TimeOfDay::parse(&self.opens).ok()?, closes: TimeOfDay::parse(&self.closes).ok()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_lines_parse_and_every_one_has_a_source() {
        let all = lines();
        assert!(all.len() >= 10, "{}", all.len());
        for l in all {
            assert!(l.source_url.starts_with("https://"), "{}", l.id);
            assert!(crate::window::check_phone_number(&l.phone).is_ok(), "{}: {}", l.id, l.phone);
            assert!(matches!(l.confidence.as_str(), "official" | "secondary"));
        }
        for id in CRISIS {
            assert!(line(id).is_some(), "{id}");
        }
    }

    #[test]
    fn weekly_day_ranges() {
        let s = RawSession { days: "mon,thu,fri".into(), opens: "00:00".into(), closes: "24:00".into() }.session().unwrap();
        assert_eq!(s.days, vec![Day::Mon, Day::Thu, Day::Fri]);
        let s = RawSession { days: "mon-sun".into(), opens: "16:00".into(), closes: "21:00".into() }.session().unwrap();
        assert_eq!(s.days.len(), 7);
    }
}

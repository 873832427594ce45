//! National phone lines, built in from `data/national-lines.json` (each
//! with the public page it was read from and that page's date), turned into
//! static tables by `build.rs`. Never invented: a line is shown with its
//! source and date, and a coordinator can correct or hide it for the group
//! (a directory entry that `overrides` it).

use super::hours::{MonthlySession, Schedule};
use super::window::{Channel, Day, Session};
use crate::base::time::TimeOfDay;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AltPhone {
    pub phone: &'static str,
    pub note: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSession {
    pub days: &'static [Day],
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMonthly {
    pub day_of_month: u8,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
    pub closes_next_day: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NationalLine {
    pub id: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub alt_phones: &'static [AltPhone],
    /// How the source words the hours.
    pub hours: &'static str,
    /// Whether the hours are known as a schedule (some lines take the
    /// hours of whatever local office they connect to).
    pub known: bool,
    pub always_open: bool,
    pub weekly: &'static [LineSession],
    pub monthly: &'static [LineMonthly],
    pub closed_new_year: bool,
    pub for_whom: &'static str,
    pub operator: &'static str,
    /// 出典.
    pub source_url: &'static str,
    /// 出典の日付; `None` reads 「日付不明」.
    pub source_date: Option<&'static str>,
    /// From the operator or a government page; otherwise secondary (a
    /// news article), shown as needing a check.
    pub official: bool,
    pub channels: &'static [Channel],
}

include!(concat!(env!("OUT_DIR"), "/national_lines.rs"));

/// Every built-in line, in the file's order.
pub fn lines() -> &'static [NationalLine] {
    LINES
}

pub fn line(id: &str) -> Option<&'static NationalLine> {
    LINES.iter().find(|l| l.id == id)
}

/// Lines for a person in crisis, in the order the crisis card shows them.
pub const CRISIS: [&str; 6] = ["emergency-119", "police-110", "inochi-sos", "inochi-free", "yorisoi", "kokoro-unified"];

impl NationalLine {
    /// The hours as a schedule, for 「今開いている？」.
    pub fn schedule(&self) -> Schedule {
        if !self.known {
            return Schedule::default();
        }
        Schedule {
            always_open: self.always_open,
            weekly: self.weekly.iter().map(|s| Session { days: s.days.to_vec(), opens: s.opens, closes: s.closes }).collect(),
            monthly: self
                .monthly
                .iter()
                .map(|m| MonthlySession { day_of_month: m.day_of_month, opens: m.opens, closes: m.closes, closes_next_day: m.closes_next_day })
                .collect(),
            closed_holidays: false,
            closed_new_year: self.closed_new_year,
            exceptions: Vec::new(),
        }
    }

    /// Reachable without a voice call.
    pub fn without_voice(&self) -> bool {
        self.channels.iter().any(|c| c.without_voice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::JstDateTime;

    #[test]
    fn the_built_in_lines_are_all_there_each_with_a_source() {
        assert!(LINES.len() >= 10, "{}", LINES.len());
        for l in LINES {
            assert!(l.source_url.starts_with("https://"), "{}", l.id);
            assert!(super::super::window::check_phone_number(l.phone).is_ok(), "{}: {}", l.id, l.phone);
            if let Some(d) = l.source_date {
                assert!(crate::base::time::Date::parse(d).is_ok(), "{}: {d}", l.id);
            }
        }
        for id in CRISIS {
            assert!(line(id).is_some(), "{id}");
        }
    }

    #[test]
    fn schedules_from_the_data() {
        let inochi = line("inochi-free").unwrap().schedule();
        assert_eq!(inochi.monthly.len(), 1);
        assert!(inochi.monthly[0].closes_next_day);
        assert!(line("yorisoi").unwrap().schedule().always());
        assert!(line("childline").unwrap().schedule().closed_new_year);
        let sos = line("inochi-sos").unwrap().schedule();
        assert_eq!(sos.weekly[0].days, [Day::Mon, Day::Thu, Day::Fri]);
        assert!(!sos.always());
        // Tuesday 02:00: #いのちSOS is closed.
        assert!(!sos.open_now(JstDateTime::parse("2026-11-24T02:00").unwrap()).is_open());
        assert!(line("dv-plus").unwrap().without_voice());
        assert!(!line("emergency-119").unwrap().without_voice());
        assert!(!line("kokoro-unified").unwrap().schedule().is_known());
    }
}

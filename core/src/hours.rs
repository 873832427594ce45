//! Whether a window is open now, computed on the device in Japan time:
//! weekly sessions (several a day, some past midnight), closures on
//! national holidays and over New Year, exceptional closures, and dated
//! sessions (いのちの電話's 24 hours on the 10th of each month).

use crate::holidays;
use crate::time::{Date, JstDateTime, TimeOfDay, Weekday};
use crate::window::{Closure, Day, Session};

/// How close to closing counts as 「まもなく終了」.
pub const CLOSING_SOON_MIN: u16 = 30;

/// A session on a date in a month (`closes_next_day` for the 10th's
/// 8:00 → 8:00 the next day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySession {
    pub day_of_month: u8,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
    pub closes_next_day: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub always_open: bool,
    pub weekly: Vec<Session>,
    pub monthly: Vec<MonthlySession>,
    pub closed_holidays: bool,
    pub closed_new_year: bool,
    pub closures: Vec<Closure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenNow {
    /// 受付中 (until `closes`; `soon` when within 30 minutes: まもなく終了).
    Open { closes: Option<JstDateTime>, soon: bool },
    /// 本日は終了 / 次は 月曜 9:00.
    Closed { next: Option<JstDateTime>, today_done: bool },
    /// No hours known.
    Unknown,
}

/// An opening interval in minutes since the start of `date`'s day (may
/// run past 1440 into the next day).
fn intervals_on(s: &Schedule, date: Date) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let closed_day = (s.closed_holidays && holidays::holiday(date).is_some())
        || (s.closed_new_year && holidays::new_year_break(date))
        || s.closures.iter().any(|c| c.from <= date && date <= c.to);
    if closed_day {
        return out;
    }
    if s.always_open {
        out.push((0, 1440));
    }
    let day = Day::of(date.weekday());
    for session in &s.weekly {
        if session.days.contains(&day) {
            let (o, c) = (u32::from(session.opens.minutes()), u32::from(session.closes.minutes()));
            // Closing at or before opening runs past midnight.
            let c = if c <= o { c + 1440 } else { c };
            out.push((o, c));
        }
    }
    for m in &s.monthly {
        if m.day_of_month == date.day() {
            let (o, c) = (u32::from(m.opens.minutes()), u32::from(m.closes.minutes()));
            out.push((o, if m.closes_next_day || c <= o { c + 1440 } else { c }));
        }
    }
    out.sort();
    // Merge overlapping or touching intervals.
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (o, c) in out {
        match merged.last_mut() {
            Some(last) if o <= last.1 => last.1 = last.1.max(c),
            _ => merged.push((o, c)),
        }
    }
    merged
}

fn at(date: Date, minutes: u32) -> JstDateTime {
    let date = date.add_days(i64::from(minutes / 1440));
    JstDateTime { date, time: TimeOfDay::from_minutes((minutes % 1440) as u16).unwrap_or(TimeOfDay::MIDNIGHT) }
}

impl Schedule {
    pub fn is_known(&self) -> bool {
        self.always_open || !self.weekly.is_empty() || !self.monthly.is_empty()
    }

    /// Open or closed at `now`, and until or from when.
    pub fn open_now(&self, now: JstDateTime) -> OpenNow {
        if !self.is_known() {
            return OpenNow::Unknown;
        }
        let minute = u32::from(now.time.minutes());
        // An interval from yesterday may still run (past midnight).
        let yesterday = now.date.add_days(-1);
        let candidates = intervals_on(self, yesterday)
            .into_iter()
            .map(|(o, c)| (yesterday, o, c, minute + 1440))
            .chain(intervals_on(self, now.date).into_iter().map(|(o, c)| (now.date, o, c, minute)));
        for (day, o, c, m) in candidates {
            if o <= m && m < c {
                let closes = (c - o < 1440 * 2).then(|| at(day, c));
                // Open round the clock: no closing time to speak of.
                let closes = if self.always_open && c - o >= 1440 && self.weekly.is_empty() { None } else { closes };
                let soon = closes.is_some() && c - m <= u32::from(CLOSING_SOON_MIN);
                return OpenNow::Open { closes, soon };
            }
        }
        let today_done = !intervals_on(self, now.date).iter().any(|&(o, _)| o > minute);
        OpenNow::Closed { next: self.next_opening(now), today_done }
    }

    /// The next time it opens after `now`, within two weeks.
    pub fn next_opening(&self, now: JstDateTime) -> Option<JstDateTime> {
        let minute = u32::from(now.time.minutes());
        for offset in 0..15 {
            let date = now.date.add_days(offset);
            for (o, _) in intervals_on(self, date) {
                if offset > 0 || o > minute {
                    return Some(at(date, o));
                }
            }
        }
        None
    }
}

/// 「次は 月曜 9:00」 / "Next: Mon 9:00"; today's and tomorrow's openings
/// say 今日 / 明日.
pub fn next_label_ja(now: JstDateTime, next: JstDateTime) -> String {
    let day = match next.date.days_since_epoch() - now.date.days_since_epoch() {
        0 => "今日".to_owned(),
        1 => "明日".to_owned(),
        _ => format!("{}曜", next.date.weekday().ja()),
    };
    format!("次は {day} {}:{:02}", next.time.minutes() / 60, next.time.minutes() % 60)
}

pub fn next_label_en(now: JstDateTime, next: JstDateTime) -> String {
    let day = match next.date.days_since_epoch() - now.date.days_since_epoch() {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        _ => next.date.weekday().en().to_owned(),
    };
    format!("Opens {day} {}:{:02}", next.time.minutes() / 60, next.time.minutes() % 60)
}

pub fn weekday_day(w: Weekday) -> Day {
    Day::of(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> JstDateTime {
        JstDateTime::parse(s).unwrap()
    }

    fn tm(s: &str) -> TimeOfDay {
        TimeOfDay::parse(s).unwrap()
    }

    const WEEKDAYS: [Day; 5] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri];

    /// A municipal desk: weekdays 8:30–12:00 and 13:00–17:15, closed on
    /// holidays and over New Year.
    fn city_desk() -> Schedule {
        Schedule {
            weekly: vec![
                Session { days: WEEKDAYS.to_vec(), opens: tm("8:30"), closes: tm("12:00") },
                Session { days: WEEKDAYS.to_vec(), opens: tm("13:00"), closes: tm("17:15") },
            ],
            closed_holidays: true,
            closed_new_year: true,
            ..Schedule::default()
        }
    }

    #[test]
    fn lunch_break() {
        let s = city_desk();
        // 2026-11-25 is a Wednesday.
        assert!(matches!(s.open_now(t("2026-11-25T11:00")), OpenNow::Open { soon: false, .. }));
        assert!(matches!(s.open_now(t("2026-11-25T11:45")), OpenNow::Open { soon: true, .. }));
        match s.open_now(t("2026-11-25T12:30")) {
            OpenNow::Closed { next, today_done } => {
                assert_eq!(next, Some(t("2026-11-25T13:00")));
                assert!(!today_done, "it opens again this afternoon");
            }
            other => panic!("{other:?}"),
        }
        match s.open_now(t("2026-11-25T17:15")) {
            OpenNow::Closed { next, today_done } => {
                assert!(today_done);
                assert_eq!(next, Some(t("2026-11-26T08:30")));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn holidays_and_weekends() {
        let s = city_desk();
        // 2026-11-23 (Mon) is 勤労感謝の日.
        match s.open_now(t("2026-11-23T10:00")) {
            OpenNow::Closed { next, .. } => assert_eq!(next, Some(t("2026-11-24T08:30"))),
            other => panic!("{other:?}"),
        }
        // Friday evening: next is Monday.
        match s.open_now(t("2026-11-27T18:00")) {
            OpenNow::Closed { next: Some(next), .. } => {
                assert_eq!(next, t("2026-11-30T08:30"));
                assert_eq!(next_label_ja(t("2026-11-27T18:00"), next), "次は 月曜 8:30");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn new_year() {
        let s = city_desk();
        // 2026-12-29 is a Tuesday, but the break has begun; 2027-01-04 (Mon) opens.
        match s.open_now(t("2026-12-29T10:00")) {
            OpenNow::Closed { next, .. } => assert_eq!(next, Some(t("2027-01-04T08:30"))),
            other => panic!("{other:?}"),
        }
        let always = Schedule { always_open: true, ..Schedule::default() };
        assert!(matches!(always.open_now(t("2027-01-01T03:00")), OpenNow::Open { closes: None, .. }));
    }

    #[test]
    fn sessions_past_midnight() {
        // An evening line 22:00–6:00 every day.
        let s = Schedule { weekly: vec![Session { days: Day::ALL.to_vec(), opens: tm("22:00"), closes: tm("6:00") }], ..Schedule::default() };
        assert!(matches!(s.open_now(t("2026-11-25T23:30")), OpenNow::Open { .. }));
        match s.open_now(t("2026-11-26T05:45")) {
            OpenNow::Open { closes, soon } => {
                assert!(soon);
                assert_eq!(closes, Some(t("2026-11-26T06:00")));
            }
            other => panic!("{other:?}"),
        }
        match s.open_now(t("2026-11-26T06:00")) {
            OpenNow::Closed { next, .. } => assert_eq!(next, Some(t("2026-11-26T22:00"))),
            other => panic!("{other:?}"),
        }
        // Midnight itself is inside the session.
        assert!(matches!(s.open_now(t("2026-11-26T00:00")), OpenNow::Open { .. }));
    }

    #[test]
    fn monthly_day_and_closures() {
        // いのちの電話: every day 16–21, and on the 10th 8:00 to 8:00 the next day.
        let s = Schedule {
            weekly: vec![Session { days: Day::ALL.to_vec(), opens: tm("16:00"), closes: tm("21:00") }],
            monthly: vec![MonthlySession { day_of_month: 10, opens: tm("8:00"), closes: tm("8:00"), closes_next_day: true }],
            ..Schedule::default()
        };
        assert!(matches!(s.open_now(t("2026-12-10T09:00")), OpenNow::Open { .. }));
        assert!(matches!(s.open_now(t("2026-12-11T03:00")), OpenNow::Open { .. }));
        assert!(matches!(s.open_now(t("2026-12-11T09:00")), OpenNow::Closed { .. }));
        let mut closed = city_desk();
        closed.closures.push(Closure { from: Date::parse("2026-11-25").unwrap(), to: Date::parse("2026-11-26").unwrap(), note: None });
        assert!(matches!(closed.open_now(t("2026-11-25T10:00")), OpenNow::Closed { .. }));
    }

    #[test]
    fn unknown_hours() {
        assert_eq!(Schedule::default().open_now(t("2026-11-25T10:00")), OpenNow::Unknown);
    }
}

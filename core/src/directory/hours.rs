//! Whether a window is open now, computed on the device in Japan time.
//!
//! Which hours hold on a date, first rule that applies:
//! 1. a dated exception covering it (closed, or its own hours);
//! 2. the New Year break (12/29–1/3), when the window closes for it;
//! 3. on a national holiday: the 祝日 sessions (`Day::Hol`) when there are
//!    any; otherwise closed when the window closes on holidays;
//! 4. the weekday's sessions (and any monthly session on that date).
//!
//! Sessions may run past midnight; adjoining sessions on consecutive days
//! are one stretch, so 「受付中」 says when it really closes.

use super::window::{Day, Exception, Session};
use crate::base::holidays;
use crate::base::time::{Date, JstDateTime, TimeOfDay};
use crate::schema::Phrase;

/// How close to closing counts as 「まもなく終了」.
pub const CLOSING_SOON_MIN: i64 = 30;

/// A session on a date of every month (いのちの電話's 10th, 8:00 to 8:00
/// the next day: `closes_next_day`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySession {
    pub day_of_month: u8,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
    pub closes_next_day: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Round the clock, every day (exceptions still apply).
    pub always_open: bool,
    pub weekly: Vec<Session>,
    pub monthly: Vec<MonthlySession>,
    /// Closed on national holidays, unless there are 祝日 sessions.
    pub closed_holidays: bool,
    pub closed_new_year: bool,
    pub exceptions: Vec<Exception>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenNow {
    /// 受付中: until `closes` (`None`: it does not close within a week);
    /// `soon` within 30 minutes of closing (まもなく終了).
    Open { closes: Option<JstDateTime>, soon: bool },
    /// 本日は終了 / 次は 月曜 9:00.
    Closed { next: Option<JstDateTime>, today_done: bool },
    /// No hours known.
    Unknown,
}

impl OpenNow {
    pub fn is_open(self) -> bool {
        matches!(self, OpenNow::Open { .. })
    }
}

const DAY: i64 = 1440;

/// Minutes from the start of `date`, possibly past 1440.
fn span(opens: TimeOfDay, closes: TimeOfDay, next_day: bool) -> (i64, i64) {
    let (o, c) = (i64::from(opens.minutes()), i64::from(closes.minutes()));
    (o, if next_day || c <= o { c + DAY } else { c })
}

impl Schedule {
    pub fn is_known(&self) -> bool {
        self.always_open || !self.weekly.is_empty() || !self.monthly.is_empty()
    }

    /// The opening intervals that start on `date`, in minutes from its start.
    fn intervals_on(&self, date: Date) -> Vec<(i64, i64)> {
        if let Some(e) = self.exceptions.iter().rev().find(|e| e.from <= date && date <= e.to) {
            return e.hours.iter().map(|&(o, c)| span(o, c, false)).collect();
        }
        if self.closed_new_year && holidays::new_year_break(date) {
            return Vec::new();
        }
        if self.always_open {
            return vec![(0, DAY)];
        }
        let sessions = |day: Day| self.weekly.iter().filter(move |s| s.days.contains(&day));
        let mut out: Vec<(i64, i64)> = Vec::new();
        let holiday = holidays::holiday(date).is_some();
        let on_holiday: Vec<&Session> = if holiday { sessions(Day::Hol).collect() } else { Vec::new() };
        if holiday && (!on_holiday.is_empty() || self.closed_holidays) {
            out.extend(on_holiday.iter().map(|s| span(s.opens, s.closes, false)));
        } else {
            out.extend(sessions(Day::of(date.weekday())).map(|s| span(s.opens, s.closes, false)));
        }
        if !(holiday && self.closed_holidays && on_holiday.is_empty()) {
            out.extend(self.monthly.iter().filter(|m| m.day_of_month == date.day()).map(|m| span(m.opens, m.closes, m.closes_next_day)));
        }
        out
    }

    /// Opening stretches from the day before `from` for `days` days, in
    /// minutes from the start of `from`, merged where they touch.
    fn stretches(&self, from: Date, days: i64) -> Vec<(i64, i64)> {
        let mut all: Vec<(i64, i64)> = (-1..days)
            .flat_map(|k| self.intervals_on(from.add_days(k)).into_iter().map(move |(o, c)| (o + k * DAY, c + k * DAY)))
            .collect();
        crate::base::order::sort(&mut all);
        let mut merged: Vec<(i64, i64)> = Vec::new();
        for (o, c) in all {
            match merged.last_mut() {
                Some(last) if o <= last.1 => last.1 = last.1.max(c),
                _ => merged.push((o, c)),
            }
        }
        merged
    }

    /// Open or closed at `now`, and until or from when.
    pub fn open_now(&self, now: JstDateTime) -> OpenNow {
        if !self.is_known() {
            return OpenNow::Unknown;
        }
        const HORIZON: i64 = 15;
        let stretches = self.stretches(now.date, HORIZON);
        let m = i64::from(now.time.minutes());
        if let Some(&(_, c)) = stretches.iter().find(|&&(o, c)| o <= m && m < c) {
            // Open for more than a week from now: nothing to say about closing.
            let closes = (c - m < 7 * DAY).then(|| at(now.date, c));
            return OpenNow::Open { closes, soon: closes.is_some() && c - m <= CLOSING_SOON_MIN };
        }
        let next = stretches.iter().find(|&&(o, _)| o > m).map(|&(o, _)| at(now.date, o));
        let today_done = !stretches.iter().any(|&(o, _)| o > m && o < DAY);
        OpenNow::Closed { next, today_done }
    }

    /// Open round the clock on every day of the coming weeks: the only
    /// case in which a reason may say 「24時間」 or 「いつでも」.
    pub fn always(&self) -> bool {
        self.always_open && self.exceptions.is_empty() && !self.closed_new_year
    }
}

fn at(date: Date, minutes: i64) -> JstDateTime {
    let date = date.add_days(minutes.div_euclid(DAY));
    let m = minutes.rem_euclid(DAY) as u16;
    JstDateTime { date, time: TimeOfDay::from_minutes(m).unwrap_or(TimeOfDay::MIDNIGHT) }
}

fn hm(t: TimeOfDay) -> String {
    format!("{}:{:02}", t.minutes() / 60, t.minutes() % 60)
}

/// Until when, as a person reads it: 「17:00 まで」; a stretch that ends at
/// midnight 「24:00 まで」 (not 「0:00」, which reads as closed); past
/// midnight 「翌6:00 まで」; later 「12/3 9:00 まで」.
pub fn until(now: JstDateTime, closes: JstDateTime) -> Phrase {
    let days = closes.date.days_since_epoch() - now.date.days_since_epoch();
    match (days, closes.time.minutes()) {
        (0, _) => Phrase::new(format!("{} まで", hm(closes.time)), format!("until {}", hm(closes.time))),
        (1, 0) => Phrase::new("24:00 まで".to_owned(), "until midnight".to_owned()),
        (1, _) => Phrase::new(format!("翌{} まで", hm(closes.time)), format!("until {} tomorrow", hm(closes.time))),
        _ => Phrase::new(
            format!("{}/{} {} まで", closes.date.month(), closes.date.day(), hm(closes.time)),
            format!("until {}/{} {}", closes.date.month(), closes.date.day(), hm(closes.time)),
        ),
    }
}

/// 「次は 月曜 9:00」 / "Opens Mon 9:00"; today and tomorrow say 今日 / 明日.
pub fn next(now: JstDateTime, next: JstDateTime) -> Phrase {
    let (ja, en) = match next.date.days_since_epoch() - now.date.days_since_epoch() {
        0 => ("今日".to_owned(), "today".to_owned()),
        1 => ("明日".to_owned(), "tomorrow".to_owned()),
        _ => (format!("{}曜", next.date.weekday().ja()), next.date.weekday().en().to_owned()),
    };
    Phrase::new(format!("次は {ja} {}", hm(next.time)), format!("Opens {en} {}", hm(next.time)))
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

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
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
        match s.open_now(t("2026-11-27T18:00")) {
            OpenNow::Closed { next: Some(n), .. } => {
                assert_eq!(n, t("2026-11-30T08:30"));
                assert_eq!(next(t("2026-11-27T18:00"), n).ja, "次は 月曜 8:30");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_holiday_session_is_used_on_a_weekday_holiday() {
        // A 精神科救急 centre: weekdays 17:00–翌9:00, and all day on
        // weekends and holidays.
        let s = Schedule {
            weekly: vec![
                Session { days: WEEKDAYS.to_vec(), opens: tm("17:00"), closes: tm("9:00") },
                Session { days: vec![Day::Sat, Day::Sun, Day::Hol], opens: tm("0:00"), closes: tm("24:00") },
            ],
            closed_holidays: true,
            ..Schedule::default()
        };
        // 2026-11-23 (Mon) 勤労感謝の日 at noon: open (the holiday session).
        assert!(s.open_now(t("2026-11-23T12:00")).is_open(), "{:?}", s.open_now(t("2026-11-23T12:00")));
        // A plain Tuesday at noon: closed until 17:00.
        assert_eq!(s.open_now(t("2026-11-24T12:00")), OpenNow::Closed { next: Some(t("2026-11-24T17:00")), today_done: false });
        // Sunday and the holiday are one stretch; the holiday's own hours
        // replace Monday's evening session, so it ends at midnight.
        match s.open_now(t("2026-11-22T10:00")) {
            OpenNow::Open { closes, .. } => assert_eq!(closes, Some(t("2026-11-24T00:00"))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dated_exceptions_close_or_change_the_hours() {
        let mut s = city_desk();
        s.exceptions.push(Exception { from: d("2026-11-25"), to: d("2026-11-26"), note: "移転".into(), hours: vec![] });
        s.exceptions.push(Exception { from: d("2026-11-27"), to: d("2026-11-27"), note: "延長".into(), hours: vec![(tm("8:30"), tm("21:00"))] });
        assert!(!s.open_now(t("2026-11-25T10:00")).is_open());
        assert!(s.open_now(t("2026-11-27T20:00")).is_open());
        assert!(!s.open_now(t("2026-11-24T20:00")).is_open());
        // An exception opens a window on a day it is otherwise closed.
        s.exceptions.push(Exception { from: d("2026-12-29"), to: d("2026-12-29"), note: "臨時".into(), hours: vec![(tm("10:00"), tm("15:00"))] });
        assert!(s.open_now(t("2026-12-29T11:00")).is_open());
    }

    #[test]
    fn new_year() {
        let s = city_desk();
        match s.open_now(t("2026-12-29T10:00")) {
            OpenNow::Closed { next, .. } => assert_eq!(next, Some(t("2027-01-04T08:30"))),
            other => panic!("{other:?}"),
        }
        let always = Schedule { always_open: true, ..Schedule::default() };
        assert!(matches!(always.open_now(t("2027-01-01T03:00")), OpenNow::Open { closes: None, .. }));
        assert!(always.always());
    }

    #[test]
    fn sessions_past_midnight_and_what_until_says() {
        let s = Schedule { weekly: vec![Session { days: Day::WEEK.to_vec(), opens: tm("22:00"), closes: tm("6:00") }], ..Schedule::default() };
        match s.open_now(t("2026-11-25T23:30")) {
            OpenNow::Open { closes: Some(c), .. } => assert_eq!(until(t("2026-11-25T23:30"), c).ja, "翌6:00 まで"),
            other => panic!("{other:?}"),
        }
        match s.open_now(t("2026-11-26T05:45")) {
            OpenNow::Open { closes, soon } => {
                assert!(soon);
                assert_eq!(closes, Some(t("2026-11-26T06:00")));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(s.open_now(t("2026-11-26T06:00")), OpenNow::Closed { next: Some(n), .. } if n == t("2026-11-26T22:00")));
        assert!(s.open_now(t("2026-11-26T00:00")).is_open());
    }

    #[test]
    fn inochi_sos_closes_at_midnight_on_tuesday_and_never_reads_as_closed() {
        // 月・木・金 24 hours, 火・水・土・日 6:00–24:00.
        let s = Schedule {
            weekly: vec![
                Session { days: vec![Day::Mon, Day::Thu, Day::Fri], opens: tm("0:00"), closes: tm("24:00") },
                Session { days: vec![Day::Tue, Day::Wed, Day::Sat, Day::Sun], opens: tm("6:00"), closes: tm("24:00") },
            ],
            ..Schedule::default()
        };
        // Tuesday 2026-11-24 at 02:00: closed until 6:00.
        assert_eq!(s.open_now(t("2026-11-24T02:00")), OpenNow::Closed { next: Some(t("2026-11-24T06:00")), today_done: false });
        // Tuesday 23:00: open until midnight, said 24:00.
        match s.open_now(t("2026-11-24T23:00")) {
            OpenNow::Open { closes: Some(c), .. } => assert_eq!(until(t("2026-11-24T23:00"), c).ja, "24:00 まで"),
            other => panic!("{other:?}"),
        }
        // Wednesday 20:00 runs on through Thursday and Friday to Saturday 0:00.
        match s.open_now(t("2026-11-25T20:00")) {
            OpenNow::Open { closes: Some(c), .. } => assert_eq!(c, t("2026-11-28T00:00")),
            other => panic!("{other:?}"),
        }
        assert!(!s.always());
    }

    #[test]
    fn monthly_day() {
        let s = Schedule {
            weekly: vec![Session { days: Day::WEEK.to_vec(), opens: tm("16:00"), closes: tm("21:00") }],
            monthly: vec![MonthlySession { day_of_month: 10, opens: tm("8:00"), closes: tm("8:00"), closes_next_day: true }],
            ..Schedule::default()
        };
        assert!(s.open_now(t("2026-12-10T09:00")).is_open());
        assert!(s.open_now(t("2026-12-11T03:00")).is_open());
        assert!(!s.open_now(t("2026-12-11T09:00")).is_open());
    }

    #[test]
    fn unknown_hours() {
        assert_eq!(Schedule::default().open_now(t("2026-11-25T10:00")), OpenNow::Unknown);
    }
}

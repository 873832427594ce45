//! 「受付中」 against a plain reference: generated schedules (sessions
//! across midnight, 祝日 sessions, monthly days, New Year, dated
//! exceptions, round the clock) and moments around holidays and the New
//! Year; what `open_now` says is checked minute by minute against the rules
//! written out plainly.

use nimo_core::base::holidays;
use nimo_core::base::time::{Date, JstDateTime, TimeOfDay};
use nimo_core::directory::hours::{MonthlySession, OpenNow, Schedule};
use nimo_core::directory::window::{Day, Exception, Session};
use proptest::prelude::*;

use crate::{check, ensure};

const DAY: i64 = 1440;

fn time() -> impl Strategy<Value = TimeOfDay> {
    prop_oneof![
        (0u16..1440).prop_map(|m| TimeOfDay::from_minutes(m).unwrap_or(TimeOfDay::MIDNIGHT)),
        proptest::sample::select(vec![0u16, 1, 510, 540, 720, 1020, 1035, 1439]).prop_map(|m| TimeOfDay::from_minutes(m).unwrap_or(TimeOfDay::MIDNIGHT)),
    ]
}

/// Days near the moments below: holidays, 振替休日, the New Year, month ends.
fn date() -> impl Strategy<Value = Date> {
    let special = ["2026-12-28", "2026-12-29", "2027-01-03", "2027-01-04", "2026-05-03", "2026-05-06", "2026-09-21", "2026-09-22", "2026-09-23", "2027-02-28", "2028-02-29", "2026-11-23", "2026-03-31", "2026-04-30"];
    prop_oneof![
        proptest::sample::select(special.to_vec()).prop_map(|s| Date::parse(s).unwrap_or(Date::new(2026, 1, 1).unwrap())),
        (0i64..1100).prop_map(|n| Date::new(2026, 1, 1).unwrap().add_days(n)),
    ]
}

fn schedule() -> impl Strategy<Value = Schedule> {
    let days = proptest::sample::subsequence(vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun, Day::Hol], 1..=8);
    let session = (days, time(), time()).prop_map(|(days, opens, closes)| Session { days, opens, closes });
    let monthly = (1u8..=31, time(), time(), any::<bool>()).prop_map(|(day_of_month, opens, closes, closes_next_day)| MonthlySession { day_of_month, opens, closes, closes_next_day });
    let exception = (date(), 0i64..4, proptest::collection::vec((time(), time()), 0..3)).prop_map(|(from, n, hours)| Exception { from, to: from.add_days(n), note: String::new(), hours });
    (
        proptest::bool::weighted(0.1),
        proptest::collection::vec(session, 0..4),
        proptest::collection::vec(monthly, 0..2),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(exception, 0..3),
    )
        .prop_map(|(always_open, weekly, monthly, closed_holidays, closed_new_year, exceptions)| Schedule { always_open, weekly, monthly, closed_holidays, closed_new_year, exceptions })
}

/// The hours that hold on `date`, by the four rules as the window's
/// description states them, in minutes from the date's start.
fn hours_on(s: &Schedule, date: Date) -> Vec<(i64, i64)> {
    let span = |o: TimeOfDay, c: TimeOfDay, next_day: bool| {
        let (o, c) = (i64::from(o.minutes()), i64::from(c.minutes()));
        (o, if next_day || c <= o { c + DAY } else { c })
    };
    // 1. The last dated exception that covers the date.
    if let Some(e) = s.exceptions.iter().filter(|e| e.from <= date && date <= e.to).last() {
        return e.hours.iter().map(|&(o, c)| span(o, c, false)).collect();
    }
    // 2. The New Year break.
    let (month, day) = (date.month(), date.day());
    if s.closed_new_year && ((month == 12 && day >= 29) || (month == 1 && day <= 3)) {
        return Vec::new();
    }
    if s.always_open {
        return vec![(0, DAY)];
    }
    // 3. A holiday: its own sessions, or closed, or (neither) the weekday's.
    let holiday = holidays::holiday(date).is_some();
    let holiday_sessions: Vec<&Session> = s.weekly.iter().filter(|x| x.days.contains(&Day::Hol)).collect();
    let mut out = Vec::new();
    if holiday && !holiday_sessions.is_empty() {
        out.extend(holiday_sessions.iter().map(|x| span(x.opens, x.closes, false)));
    } else if holiday && s.closed_holidays {
        return Vec::new();
    } else {
        // 4. The weekday's sessions.
        let today = Day::of(date.weekday());
        out.extend(s.weekly.iter().filter(|x| x.days.contains(&today)).map(|x| span(x.opens, x.closes, false)));
    }
    out.extend(s.monthly.iter().filter(|m| m.day_of_month == day).map(|m| span(m.opens, m.closes, m.closes_next_day)));
    out
}

/// Open at `minute` minutes from the start of `date` (may be past a day)?
fn open_at(s: &Schedule, date: Date, minute: i64) -> bool {
    let day = date.add_days(minute.div_euclid(DAY));
    let m = minute.rem_euclid(DAY);
    // Hours that start today, yesterday or the day before can cover now.
    (0..3).any(|back| hours_on(s, day.add_days(-back)).iter().any(|&(o, c)| o <= m + back * DAY && m + back * DAY < c))
}

fn minutes_to(now: JstDateTime, then: JstDateTime) -> i64 {
    (then.date.days_since_epoch() - now.date.days_since_epoch()) * DAY + i64::from(then.time.minutes()) - i64::from(now.time.minutes())
}

#[test]
fn hours_open_now_agrees_with_the_rules_minute_by_minute() {
    check("hours_open_now", 96, (schedule(), date(), time()), |(s, date, time)| {
        let now = JstDateTime { date, time };
        let m0 = i64::from(time.minutes());
        let answer = s.open_now(now);
        let known = s.always_open || !s.weekly.is_empty() || !s.monthly.is_empty();
        if !known {
            ensure!(answer == OpenNow::Unknown, "no hours, yet {answer:?}");
            return Ok(());
        }
        match answer {
            OpenNow::Unknown => ensure!(false, "hours are known, yet unknown"),
            OpenNow::Open { closes, soon } => {
                ensure!(open_at(&s, date, m0), "said open, but the rules say closed");
                match closes {
                    Some(c) => {
                        let until = minutes_to(now, c);
                        ensure!(until > 0 && until < 7 * DAY, "closes {until} minutes from now");
                        for k in 0..until {
                            ensure!(open_at(&s, date, m0 + k), "said open until {c:?}, but closed {k} minutes from now");
                        }
                        ensure!(!open_at(&s, date, m0 + until), "said it closes at {c:?}, but it is still open then");
                        ensure!(soon == (until <= 30), "soon = {soon} with {until} minutes left");
                    }
                    None => {
                        for k in 0..7 * DAY {
                            ensure!(open_at(&s, date, m0 + k), "said open for over a week, but closed {k} minutes from now");
                        }
                    }
                }
            }
            OpenNow::Closed { next, today_done } => {
                ensure!(!open_at(&s, date, m0), "said closed, but the rules say open");
                let horizon = match next {
                    Some(n) => minutes_to(now, n),
                    None => 14 * DAY - m0,
                };
                for k in 1..horizon {
                    ensure!(!open_at(&s, date, m0 + k), "said closed until {next:?}, but open {k} minutes from now");
                }
                if next.is_some() {
                    ensure!(open_at(&s, date, m0 + horizon), "said it opens at {next:?}, but it is closed then");
                }
                let opens_later_today = (m0 + 1..DAY).any(|m| open_at(&s, date, m) && !open_at(&s, date, m - 1));
                ensure!(today_done == !opens_later_today, "today_done = {today_done}, but it opens again later today: {opens_later_today}");
            }
        }
        Ok(())
    });
}

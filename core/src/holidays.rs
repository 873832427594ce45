//! Japanese national holidays (国民の祝日), computed by the rules of the
//! 国民の祝日に関する法律: fixed days, Happy Monday days, the equinoxes, the
//! substitute holiday (振替休日: a holiday on a Sunday moves the rest day to
//! the next day that is not a holiday), and the citizens' holiday (国民の
//! 休日: a weekday between two holidays). Valid for 2000–2099; the special
//! days of 2019–2021 (the enthronement, the Olympic moves) are built in.
//! Checked against the Cabinet Office's lists for 2025–2027 in the tests.

use crate::time::{Date, Weekday};

/// Day of the n-th Monday of a month.
fn nth_monday(year: i32, month: u8, n: u8) -> u8 {
    let first = Date::new(year, month, 1).map(|d| d.weekday()).unwrap_or(Weekday::Mon);
    let offset = (7 + 0 - first.index() as i32).rem_euclid(7) as u8;
    1 + offset + 7 * (n - 1)
}

/// 春分日 and 秋分日 by the usual approximation (exact for 1980–2099).
fn equinoxes(year: i32) -> (u8, u8) {
    let y = f64::from(year - 1980);
    let leap = ((year - 1980) / 4) as f64;
    let spring = (20.8431 + 0.242194 * y - leap).floor() as u8;
    let autumn = (23.2488 + 0.242194 * y - leap).floor() as u8;
    (spring, autumn)
}

/// The holidays set by name in a year (before substitute and citizens'
/// holidays), as (month, day, name).
fn named(year: i32) -> Vec<(u8, u8, &'static str)> {
    let (spring, autumn) = equinoxes(year);
    let mut days = vec![
        (1, 1, "元日"),
        (1, nth_monday(year, 1, 2), "成人の日"),
        (2, 11, "建国記念の日"),
        (3, spring, "春分の日"),
        (4, 29, "昭和の日"),
        (5, 3, "憲法記念日"),
        (5, 4, "みどりの日"),
        (5, 5, "こどもの日"),
        (9, nth_monday(year, 9, 3), "敬老の日"),
        (9, autumn, "秋分の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];
    if year >= 2020 {
        days.push((2, 23, "天皇誕生日"));
    } else if year <= 2018 {
        days.push((12, 23, "天皇誕生日"));
    }
    // 海の日, 山の日 and スポーツの日 (体育の日), with the Olympic years' moves.
    match year {
        2020 => days.extend([(7, 23, "海の日"), (7, 24, "スポーツの日"), (8, 10, "山の日")]),
        2021 => days.extend([(7, 22, "海の日"), (7, 23, "スポーツの日"), (8, 8, "山の日")]),
        _ => {
            days.push((7, nth_monday(year, 7, 3), "海の日"));
            if year >= 2016 {
                days.push((8, 11, "山の日"));
            }
            let sports = if year >= 2020 { "スポーツの日" } else { "体育の日" };
            days.push((10, nth_monday(year, 10, 2), sports));
        }
    }
    if year == 2019 {
        days.extend([(5, 1, "即位の日"), (10, 22, "即位礼正殿の儀")]);
    }
    days
}

/// Every holiday of a year with its name, sorted by date.
pub fn holidays(year: i32) -> Vec<(Date, &'static str)> {
    let mut days: Vec<(Date, &'static str)> =
        named(year).into_iter().filter_map(|(m, d, n)| Date::new(year, m, d).ok().map(|date| (date, n))).collect();
    days.sort();
    let is_named = |d: Date, days: &[(Date, &str)]| days.iter().any(|(x, _)| *x == d);
    // 振替休日: a holiday on Sunday makes the next non-holiday a holiday.
    let mut extra = Vec::new();
    for (d, _) in &days {
        if d.weekday() == Weekday::Sun {
            let mut next = d.add_days(1);
            while is_named(next, &days) {
                next = next.add_days(1);
            }
            extra.push((next, "振替休日"));
        }
    }
    // 国民の休日: a day between two holidays (not itself a Sunday or holiday).
    for w in days.windows(2) {
        let (a, b) = (w[0].0, w[1].0);
        if b.days_since_epoch() - a.days_since_epoch() == 2 {
            let between = a.add_days(1);
            if between.weekday() != Weekday::Sun && !is_named(between, &days) {
                extra.push((between, "国民の休日"));
            }
        }
    }
    days.extend(extra);
    days.sort();
    days.dedup_by_key(|(d, _)| *d);
    days
}

/// The holiday's name, if `date` is one.
pub fn holiday(date: Date) -> Option<&'static str> {
    // Holidays of one year are few; recomputing is cheaper than caching.
    holidays(date.year()).into_iter().find(|(d, _)| *d == date).map(|(_, n)| n)
}

/// 年末年始: December 29 to January 3, when most public windows close.
pub fn new_year_break(date: Date) -> bool {
    (date.month() == 12 && date.day() >= 29) || (date.month() == 1 && date.day() <= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(year: i32) -> Vec<String> {
        holidays(year).into_iter().map(|(d, n)| format!("{d} {n}")).collect()
    }

    /// 内閣府「国民の祝日について」 lists for 2025, 2026 and 2027.
    #[test]
    fn matches_the_cabinet_office_lists() {
        assert_eq!(list(2025), vec![
            "2025-01-01 元日", "2025-01-13 成人の日", "2025-02-11 建国記念の日", "2025-02-23 天皇誕生日", "2025-02-24 振替休日",
            "2025-03-20 春分の日", "2025-04-29 昭和の日", "2025-05-03 憲法記念日", "2025-05-04 みどりの日", "2025-05-05 こどもの日",
            "2025-05-06 振替休日", "2025-07-21 海の日", "2025-08-11 山の日", "2025-09-15 敬老の日", "2025-09-23 秋分の日",
            "2025-10-13 スポーツの日", "2025-11-03 文化の日", "2025-11-23 勤労感謝の日", "2025-11-24 振替休日",
        ]);
        assert_eq!(list(2026), vec![
            "2026-01-01 元日", "2026-01-12 成人の日", "2026-02-11 建国記念の日", "2026-02-23 天皇誕生日", "2026-03-20 春分の日",
            "2026-04-29 昭和の日", "2026-05-03 憲法記念日", "2026-05-04 みどりの日", "2026-05-05 こどもの日", "2026-05-06 振替休日",
            "2026-07-20 海の日", "2026-08-11 山の日", "2026-09-21 敬老の日", "2026-09-22 国民の休日", "2026-09-23 秋分の日",
            "2026-10-12 スポーツの日", "2026-11-03 文化の日", "2026-11-23 勤労感謝の日",
        ]);
        assert_eq!(list(2027), vec![
            "2027-01-01 元日", "2027-01-11 成人の日", "2027-02-11 建国記念の日", "2027-02-23 天皇誕生日", "2027-03-21 春分の日",
            "2027-03-22 振替休日", "2027-04-29 昭和の日", "2027-05-03 憲法記念日", "2027-05-04 みどりの日", "2027-05-05 こどもの日",
            "2027-07-19 海の日", "2027-08-11 山の日", "2027-09-20 敬老の日", "2027-09-23 秋分の日", "2027-10-11 スポーツの日",
            "2027-11-03 文化の日", "2027-11-23 勤労感謝の日",
        ]);
    }

    #[test]
    fn special_years() {
        assert_eq!(holiday(Date::parse("2019-05-01").unwrap()), Some("即位の日"));
        assert_eq!(holiday(Date::parse("2019-04-30").unwrap()), Some("国民の休日"));
        assert_eq!(holiday(Date::parse("2020-07-24").unwrap()), Some("スポーツの日"));
        assert_eq!(holiday(Date::parse("2021-08-09").unwrap()), Some("振替休日"));
    }

    #[test]
    fn new_year_break() {
        for d in ["2026-12-29", "2026-12-31", "2027-01-01", "2027-01-03"] {
            assert!(super::new_year_break(Date::parse(d).unwrap()), "{d}");
        }
        for d in ["2026-12-28", "2027-01-04"] {
            assert!(!super::new_year_break(Date::parse(d).unwrap()), "{d}");
        }
    }
}

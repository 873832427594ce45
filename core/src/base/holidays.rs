//! Japanese national holidays (国民の祝日), computed by the rules of the
//! 国民の祝日に関する法律 as they stood each year: fixed days, Happy Monday
//! days (from 2000 and 2003), the equinoxes, the substitute holiday (振替
//! 休日: until 2006 the Monday after a Sunday holiday; from 2007 the next
//! day that is not a holiday), the citizens' holiday (国民の休日: a weekday
//! between two holidays), and the one-off days (1989 大喪の礼, 1990 即位礼
//! 正殿の儀, 1993 結婚の儀, 2019's enthronement, the Olympic moves of
//! 2020–2021).
//!
//! Supported years: [`FIRST_YEAR`]–[`LAST_YEAR`] (Heisei onward; the
//! equinox formula holds to 2099). Outside them [`holiday`] answers `None`
//! and [`supported`] says so. Checked in the tests against every date of
//! two independent libraries for 1989–2099.

use super::time::{Date, Weekday};

pub const FIRST_YEAR: i32 = 1989;
pub const LAST_YEAR: i32 = 2099;

/// Whether holidays are known for `year`.
pub fn supported(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// Day of the n-th Monday of a month.
fn nth_monday(year: i32, month: u8, n: u8) -> u8 {
    let first = Date::new(year, month, 1).map(|d| d.weekday()).unwrap_or(Weekday::Mon);
    let offset = (7 - first.index() as i32).rem_euclid(7) as u8;
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
        (1, if year >= 2000 { nth_monday(year, 1, 2) } else { 15 }, "成人の日"),
        (2, 11, "建国記念の日"),
        (3, spring, "春分の日"),
        (4, 29, if year >= 2007 { "昭和の日" } else { "みどりの日" }),
        (5, 3, "憲法記念日"),
        (5, 5, "こどもの日"),
        (9, if year >= 2003 { nth_monday(year, 9, 3) } else { 15 }, "敬老の日"),
        (9, autumn, "秋分の日"),
        (11, 3, "文化の日"),
        (11, 23, "勤労感謝の日"),
    ];
    if year >= 2007 {
        days.push((5, 4, "みどりの日"));
    }
    if year >= 2020 {
        days.push((2, 23, "天皇誕生日"));
    } else if year <= 2018 {
        days.push((12, 23, "天皇誕生日"));
    }
    // 海の日 (from 1996), 山の日 (from 2016), スポーツの日 (体育の日), with
    // the Olympic years' moves.
    match year {
        2020 => days.extend([(7, 23, "海の日"), (7, 24, "スポーツの日"), (8, 10, "山の日")]),
        2021 => days.extend([(7, 22, "海の日"), (7, 23, "スポーツの日"), (8, 8, "山の日")]),
        _ => {
            if year >= 2003 {
                days.push((7, nth_monday(year, 7, 3), "海の日"));
            } else if year >= 1996 {
                days.push((7, 20, "海の日"));
            }
            if year >= 2016 {
                days.push((8, 11, "山の日"));
            }
            let sports = if year >= 2020 { "スポーツの日" } else { "体育の日" };
            days.push((10, if year >= 2000 { nth_monday(year, 10, 2) } else { 10 }, sports));
        }
    }
    match year {
        1989 => days.push((2, 24, "昭和天皇の大喪の礼")),
        1990 => days.push((11, 12, "即位礼正殿の儀")),
        1993 => days.push((6, 9, "皇太子徳仁親王の結婚の儀")),
        2019 => days.extend([(5, 1, "即位の日"), (10, 22, "即位礼正殿の儀")]),
        _ => {}
    }
    days
}

/// Every holiday of a supported year with its name, sorted by date.
pub fn holidays(year: i32) -> Vec<(Date, &'static str)> {
    if !supported(year) {
        return Vec::new();
    }
    let mut days: Vec<(Date, &'static str)> =
        named(year).into_iter().filter_map(|(m, d, n)| Date::new(year, m, d).ok().map(|date| (date, n))).collect();
    crate::base::order::sort(&mut days);
    let is_named = |d: Date, days: &[(Date, &str)]| days.iter().any(|(x, _)| *x == d);
    let mut extra = Vec::new();
    for (d, _) in &days {
        if d.weekday() != Weekday::Sun {
            continue;
        }
        let mut next = d.add_days(1);
        if year >= 2007 {
            // The next day that is not itself a holiday.
            while is_named(next, &days) {
                next = next.add_days(1);
            }
            extra.push((next, "振替休日"));
        } else if !is_named(next, &days) {
            // Until 2006: the Monday, if it is not a holiday already.
            extra.push((next, "振替休日"));
        }
    }
    // 国民の休日: a day between two holidays (not a Sunday, nor a holiday).
    for w in days.windows(2) {
        let (a, b) = (w[0].0, w[1].0);
        if b.days_since_epoch() - a.days_since_epoch() == 2 {
            let between = a.add_days(1);
            if between.weekday() != Weekday::Sun && !is_named(between, &days) && !extra.iter().any(|(d, _)| *d == between) {
                extra.push((between, "国民の休日"));
            }
        }
    }
    days.extend(extra);
    crate::base::order::sort(&mut days);
    days.dedup_by_key(|(d, _)| *d);
    days
}

/// The holiday's name, if `date` is one (`None` outside the supported years).
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
    }

    /// Every date 1989–2099 of PyPI jpholiday, which PyPI holidays agrees with.
    #[test]
    fn agrees_with_two_libraries_from_1989_to_2099() {
        let reference: Vec<&str> = include_str!("../../data/test/holidays-1989-2099.txt").lines().filter(|l| !l.starts_with('#')).collect();
        let ours: Vec<String> = (FIRST_YEAR..=LAST_YEAR).flat_map(|y| holidays(y).into_iter().map(|(d, _)| d.to_string())).collect();
        for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
            assert_eq!(a, b, "holiday #{i}");
        }
        assert_eq!(ours.len(), reference.len());
    }

    #[test]
    fn the_rules_before_2007() {
        // 2005: みどりの日 on 4/29, 5/4 a citizens' holiday, 海の日 a Monday.
        assert_eq!(holiday(Date::parse("2005-04-29").unwrap()), Some("みどりの日"));
        assert_eq!(holiday(Date::parse("2005-05-04").unwrap()), Some("国民の休日"));
        // 2001: 海の日 still on 7/20, 敬老の日 on 9/15 (a Saturday).
        assert_eq!(holiday(Date::parse("2001-07-20").unwrap()), Some("海の日"));
        assert_eq!(holiday(Date::parse("2001-09-15").unwrap()), Some("敬老の日"));
        assert_eq!(holiday(Date::parse("2001-09-17").unwrap()), None);
    }

    #[test]
    fn outside_the_supported_years_nothing_is_claimed() {
        assert!(!supported(1988) && !supported(2100));
        assert_eq!(holiday(Date::parse("2100-01-01").unwrap()), None);
        assert!(holidays(1950).is_empty());
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

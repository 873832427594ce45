//! Dates and times as the field uses them: Japan time (UTC+9, no daylight
//! saving), dates without time zones, the fiscal year (年度) from April to
//! March. Small and exact, instead of a general date library in the bundle.

use std::fmt;

use serde::{Deserialize, Serialize};

const JST_OFFSET_MS: i64 = 9 * 3600 * 1000;
const MS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("expected a date like 2026-04-01")]
    Date,
    #[error("expected a time like 9:00 or 17:30")]
    Time,
    #[error("expected a date and time like 2026-04-01T09:30")]
    DateTime,
}

/// A calendar date (proleptic Gregorian), year 1900–2999.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    /// 0 = Monday.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn ja(self) -> &'static str {
        ["月", "火", "水", "木", "金", "土", "日"][self.index()]
    }

    pub fn en(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.index()]
    }

    pub fn from_ja(c: char) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.ja().starts_with(c))
    }
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, TimeError> {
        if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(TimeError::Date);
        }
        Ok(Self { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Parses `YYYY-MM-DD`; also accepts `YYYY/M/D` as Japanese files write it.
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        let s = s.trim();
        let sep = if s.contains('/') { '/' } else { '-' };
        let mut parts = s.split(sep);
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(TimeError::Date);
        };
        if y.len() != 4 || sep == '-' && (m.len() != 2 || d.len() != 2) {
            return Err(TimeError::Date);
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| TimeError::Date);
        let (y, m, d) = (num(y)?, num(m)?, num(d)?);
        Self::new(y as i32, u8::try_from(m).map_err(|_| TimeError::Date)?, u8::try_from(d).map_err(|_| TimeError::Date)?)
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    pub fn add_days(self, n: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + n)
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        Weekday::ALL[(self.days_since_epoch() + 3).rem_euclid(7) as usize]
    }

    pub fn fiscal_year(self) -> FiscalYear {
        FiscalYear(if self.month >= 4 { self.year } else { self.year - 1 })
    }

    /// `YYYY-MM`, the month key used by monthly counts.
    /// 「2026年11月1日」.
    pub fn ja(self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for Date {
    type Error = TimeError;
    fn try_from(s: String) -> Result<Self, TimeError> {
        Self::parse(&s)
    }
}

/// A time of day in minutes, 0:00–24:00 (24:00 closes a day).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub const MIDNIGHT: Self = Self(0);
    pub const END_OF_DAY: Self = Self(24 * 60);

    /// A time known when the program is built (generated tables); an
    /// invalid one fails the build.
    pub const fn at(hours: u16, minutes: u16) -> Self {
        assert!(minutes < 60 && (hours < 24 || (hours == 24 && minutes == 0)));
        Self(hours * 60 + minutes)
    }

    pub fn from_minutes(m: u16) -> Result<Self, TimeError> {
        if m <= 24 * 60 { Ok(Self(m)) } else { Err(TimeError::Time) }
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    /// Parses `9:00`, `09:00`, `9：00` (full-width colon) and `900`-free forms.
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        let s = s.trim().replace('：', ":");
        let (h, m) = s.split_once(':').ok_or(TimeError::Time)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(TimeError::Time);
        }
        let h: u16 = h.parse().map_err(|_| TimeError::Time)?;
        let m: u16 = m.parse().map_err(|_| TimeError::Time)?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(TimeError::Time);
        }
        Ok(Self(h * 60 + m))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl fmt::Debug for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Time({self})")
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = TimeError;
    fn try_from(s: String) -> Result<Self, TimeError> {
        Self::parse(&s)
    }
}

/// A moment in Japan time to the minute, written `YYYY-MM-DDTHH:MM`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JstDateTime {
    pub date: Date,
    pub time: TimeOfDay,
}

impl JstDateTime {
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        let (d, t) = s.trim().split_once('T').ok_or(TimeError::DateTime)?;
        let date = Date::parse(d).map_err(|_| TimeError::DateTime)?;
        let time = TimeOfDay::parse(t).map_err(|_| TimeError::DateTime)?;
        if time == TimeOfDay::END_OF_DAY {
            return Err(TimeError::DateTime);
        }
        Ok(Self { date, time })
    }

    pub fn from_unix_ms(ms: i64) -> Self {
        let local = ms + JST_OFFSET_MS;
        let date = Date::from_days_since_epoch(local.div_euclid(MS_PER_DAY));
        let minute = (local.rem_euclid(MS_PER_DAY) / 60_000) as u16;
        Self { date, time: TimeOfDay(minute) }
    }

    pub fn to_unix_ms(self) -> i64 {
        self.date.days_since_epoch() * MS_PER_DAY + i64::from(self.time.0) * 60_000 - JST_OFFSET_MS
    }
}

impl fmt::Display for JstDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

impl fmt::Debug for JstDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JstDateTime({self})")
    }
}

impl From<JstDateTime> for String {
    fn from(t: JstDateTime) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for JstDateTime {
    type Error = TimeError;
    fn try_from(s: String) -> Result<Self, TimeError> {
        Self::parse(&s)
    }
}

/// 年度: fiscal year `n` runs from n-04-01 to (n+1)-03-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FiscalYear(pub i32);

impl FiscalYear {
    pub fn first_day(self) -> Date {
        Date { year: self.0, month: 4, day: 1 }
    }

    pub fn last_day(self) -> Date {
        Date { year: self.0 + 1, month: 3, day: 31 }
    }

    pub fn contains(self, date: Date) -> bool {
        date.fiscal_year() == self
    }

    /// 「2026年度」 / "FY2026".
    pub fn label_ja(self) -> String {
        format!("{}年度", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for days in -25_000..60_000 {
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.days_since_epoch(), days);
        }
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
    }

    #[test]
    fn parses_and_rejects_dates() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(d("2026/4/1"), d("2026-04-01"));
        for bad in ["2023-02-29", "2026-13-01", "2026-4-1", "26-04-01", "2026-04-01x", "", "3000-01-01"] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekdays() {
        assert_eq!(d("2026-11-24").weekday(), Weekday::Tue);
        assert_eq!(d("2025-01-01").weekday(), Weekday::Wed);
        assert_eq!(d("1970-01-01").weekday(), Weekday::Thu);
    }

    #[test]
    fn fiscal_year_boundaries() {
        assert_eq!(d("2026-03-31").fiscal_year(), FiscalYear(2025));
        assert_eq!(d("2026-04-01").fiscal_year(), FiscalYear(2026));
        assert_eq!(d("2027-03-31").fiscal_year(), FiscalYear(2026));
        assert_eq!(d("2026-12-31").fiscal_year(), FiscalYear(2026));
        assert_eq!(d("2027-01-01").fiscal_year(), FiscalYear(2026));
        assert_eq!(FiscalYear(2026).first_day(), d("2026-04-01"));
        assert_eq!(FiscalYear(2026).last_day(), d("2027-03-31"));
        assert!(FiscalYear(2027).contains(d("2028-02-29")));
        assert_eq!(FiscalYear(2026).label_ja(), "2026年度");
    }

    #[test]
    fn japan_time_from_unix() {
        // 2026-11-23T15:00:00Z is midnight in Japan.
        let t = JstDateTime::from_unix_ms(1_795_446_000_000);
        assert_eq!(t.to_string(), "2026-11-24T00:00");
        assert_eq!(t.to_unix_ms(), 1_795_446_000_000);
        let before = JstDateTime::from_unix_ms(1_795_446_000_000 - 60_000);
        assert_eq!(before.to_string(), "2026-11-23T23:59");
    }

    #[test]
    fn times_of_day() {
        assert_eq!(TimeOfDay::parse("9:00").unwrap().minutes(), 540);
        assert_eq!(TimeOfDay::parse("09:05").unwrap().to_string(), "09:05");
        assert_eq!(TimeOfDay::parse("24:00").unwrap(), TimeOfDay::END_OF_DAY);
        assert_eq!(TimeOfDay::parse("１７：３０").ok(), None, "full-width digits are folded by the importer, not here");
        assert_eq!(TimeOfDay::parse("17：30").unwrap().minutes(), 17 * 60 + 30);
        for bad in ["", "9", "25:00", "24:01", "9:60", "9:5", "123:00"] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
        assert!(JstDateTime::parse("2026-04-01T24:00").is_err());
        assert_eq!(JstDateTime::parse("2026-04-01T09:30").unwrap().to_string(), "2026-04-01T09:30");
    }
}

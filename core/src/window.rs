//! Directory entries (相談窓口), shaped after Open Referral HSDS: a service
//! with its areas, contacts, channels and a weekly schedule.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::area::AreaCode;
use crate::time::{Date, TimeOfDay, Weekday};

/// Which places a window serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServiceArea {
    /// One municipality (市区町村).
    Municipality { code: AreaCode },
    /// A 障害保健福祉圏域: a named set of municipalities.
    HealthArea { name: String, codes: Vec<AreaCode> },
    /// A whole prefecture (its code `PP000C`).
    Prefecture { code: AreaCode },
    /// Anywhere in Japan.
    National,
}

pub fn parse_areas(value: &Value) -> Result<Vec<ServiceArea>, String> {
    let areas: Vec<ServiceArea> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    if areas.len() > 300 {
        return Err("at most 300 areas".into());
    }
    for (i, area) in areas.iter().enumerate() {
        match area {
            ServiceArea::HealthArea { name, codes } => {
                if name.trim().is_empty() || name.chars().count() > 60 {
                    return Err(format!("[{i}].name: 1 to 60 characters"));
                }
                if codes.is_empty() || codes.len() > 200 {
                    return Err(format!("[{i}].codes: 1 to 200 municipalities"));
                }
            }
            ServiceArea::Prefecture { code } if !code.is_prefecture() => {
                return Err(format!("[{i}].code: not a prefecture's code"));
            }
            _ => {}
        }
    }
    Ok(areas)
}

pub fn check_areas(value: &Value) -> Result<(), String> {
    parse_areas(value).map(drop)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A dialable number: digits with optional hyphens, spaces, parentheses, a
/// leading `+` or a leading `#` (short codes like #8008).
pub fn check_phone_number(number: &str) -> Result<(), String> {
    let n = number.trim();
    let digits = n.bytes().filter(u8::is_ascii_digit).count();
    let allowed = n.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_digit() || matches!(b, b'-' | b' ' | b'(' | b')') || (i == 0 && matches!(b, b'+' | b'#'))
    });
    if !allowed || !(3..=15).contains(&digits) || n.len() > 24 {
        return Err(format!("{number:?} is not a phone number (digits, -, (), leading + or #)"));
    }
    Ok(())
}

/// A website address as nimo stores it: `http://` or `https://` (any
/// case) and a host, with nothing a URL may not hold. Anything else — a
/// `javascript:` or `data:` address, a relative path — is refused, so that
/// a link built from it can only open a web page.
pub fn check_web_url(url: &str) -> Result<(), String> {
    let refuse = || Err("a website address starts with https:// or http:// and has no spaces".to_owned());
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\\' | '^' | '{' | '}' | '|')) {
        return refuse();
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else { return refuse() };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(['.', '-', ':']) || !host.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']')) {
        return refuse();
    }
    Ok(())
}

/// An email address: one `@` with something on both sides, no spaces.
pub fn check_email(email: &str) -> Result<(), String> {
    match email.split_once('@') {
        Some((user, domain)) if !user.is_empty() && domain.contains('.') && !domain.contains('@') && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '?' | '&')) => Ok(()),
        _ => Err("not an email address".into()),
    }
}

pub fn check_phones(value: &Value) -> Result<(), String> {
    let phones: Vec<Phone> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    if phones.len() > 10 {
        return Err("at most 10 numbers".into());
    }
    for (i, p) in phones.iter().enumerate() {
        check_phone_number(&p.number).map_err(|e| format!("[{i}].number: {e}"))?;
        if p.note.as_deref().is_some_and(|n| n.chars().count() > 60) {
            return Err(format!("[{i}].note: at most 60 characters"));
        }
    }
    Ok(())
}

/// One opening session on some weekdays. A session that closes at or
/// before it opens runs past midnight (22:00–06:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub days: Vec<Day>,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];

    pub fn weekday(self) -> Weekday {
        Weekday::ALL[self as usize]
    }

    pub fn of(weekday: Weekday) -> Self {
        Self::ALL[weekday.index()]
    }
}

pub fn parse_hours(value: &Value) -> Result<Vec<Session>, String> {
    let sessions: Vec<Session> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    if sessions.len() > 30 {
        return Err("at most 30 sessions".into());
    }
    for (i, s) in sessions.iter().enumerate() {
        if s.days.is_empty() {
            return Err(format!("[{i}].days: at least one day"));
        }
        if s.opens == s.closes && s.opens != TimeOfDay::MIDNIGHT {
            return Err(format!("[{i}]: opens and closes at the same time"));
        }
    }
    Ok(sessions)
}

pub fn check_hours(value: &Value) -> Result<(), String> {
    parse_hours(value).map(drop)
}

/// A closure from one date to another, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub from: Date,
    pub to: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn parse_closures(value: &Value) -> Result<Vec<Closure>, String> {
    let closures: Vec<Closure> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    if closures.len() > 60 {
        return Err("at most 60 closures".into());
    }
    for (i, c) in closures.iter().enumerate() {
        if c.to < c.from {
            return Err(format!("[{i}]: ends before it starts"));
        }
    }
    Ok(closures)
}

pub fn check_closures(value: &Value) -> Result<(), String> {
    parse_closures(value).map(drop)
}

pub fn check_latitude(value: &Value) -> Result<(), String> {
    match value.as_f64() {
        Some(x) if (20.0..=46.0).contains(&x) => Ok(()),
        _ => Err("expected a latitude in Japan (20–46)".into()),
    }
}

pub fn check_longitude(value: &Value) -> Result<(), String> {
    match value.as_f64() {
        Some(x) if (122.0..=154.0).contains(&x) => Ok(()),
        _ => Err("expected a longitude in Japan (122–154)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn areas_parse_and_reject() {
        let ok = json!([{"kind": "municipality", "code": "281000"}, {"kind": "prefecture", "code": "280003"}, {"kind": "national"},
                        {"kind": "health_area", "name": "神戸圏域", "codes": ["281000"]}]);
        assert_eq!(parse_areas(&ok).unwrap().len(), 4);
        assert!(check_areas(&json!([{"kind": "prefecture", "code": "281000"}])).is_err());
        assert!(check_areas(&json!([{"kind": "municipality", "code": "281001"}])).is_err());
        assert!(check_areas(&json!([{"kind": "galaxy"}])).is_err());
    }

    #[test]
    fn phone_numbers() {
        for ok in ["0120-279-338", "#8008", "189", "+81-3-1234-5678", "(03) 1234 5678"] {
            assert!(check_phone_number(ok).is_ok(), "{ok}");
        }
        for bad in ["", "12", "03-1234-5678 内線", "tel:0312345678", "0#12"] {
            assert!(check_phone_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_web_addresses_are_websites() {
        for ok in ["https://www.city.kobe.lg.jp/", "http://example.jp/a?b=c#d", "HTTPS://Example.JP", "https://日本語.jp/"] {
            assert!(check_web_url(ok).is_ok(), "{ok}");
        }
        for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " https://x.jp", "data:text/html,x", "//evil.example", "https://", "https://x.jp/<script>", "ftp://x.jp", "https://.x"] {
            assert!(check_web_url(bad).is_err(), "{bad}");
        }
        assert!(check_email("soudan@city.kobe.lg.jp").is_ok());
        for bad in ["nope", "a@b", "a b@c.jp", "a@b.jp?subject=x"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hours_and_closures() {
        let hours = json!([{"days": ["mon", "tue"], "opens": "9:00", "closes": "12:00"}, {"days": ["mon"], "opens": "13:00", "closes": "17:00"}]);
        assert_eq!(parse_hours(&hours).unwrap().len(), 2);
        assert!(check_hours(&json!([{"days": [], "opens": "9:00", "closes": "12:00"}])).is_err());
        assert!(check_hours(&json!([{"days": ["xyz"], "opens": "9:00", "closes": "12:00"}])).is_err());
        assert!(check_closures(&json!([{"from": "2026-12-29", "to": "2027-01-03"}])).is_ok());
        assert!(check_closures(&json!([{"from": "2027-01-03", "to": "2026-12-29"}])).is_err());
    }
}

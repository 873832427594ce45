//! Directory entries (相談窓口), shaped after Open Referral HSDS: a service
//! with its areas, ways to reach it, weekly hours (a 祝日 session apart
//! from the weekdays) and dated exceptions (年末年始, extended hours).

use serde_json::Value;

use super::area::AreaCode;
pub use crate::base::reach::{check_email, check_phone_number, check_web_url};
use crate::base::taxonomy::{Level, WindowType};
use crate::base::time::{Date, TimeOfDay};
use crate::schema::field::{Degrees, Featured, Note, PhoneNumber, Set, Structured, Text, Url, Email};
use crate::schema::{Kind, value};
use crate::sync::collection::Collection;
use crate::{collection, structured, vocabulary};

vocabulary! {
    /// Ways to consult a window; 合理的配慮 asks for ways without a voice call.
    Channel {
        Phone = "phone", "電話", "Phone";
        VisitIn = "visit_in", "来所", "In person";
        Outreach = "outreach", "訪問", "Home visit";
        Email = "email", "メール", "Email";
        Fax = "fax", "FAX", "Fax";
        Sns = "sns", "SNS・チャット", "SNS, chat";
    }
}

impl Featured for Channel {
    const FEATURED: usize = usize::MAX;
}

impl Channel {
    /// Reachable without a voice call.
    pub fn without_voice(self) -> bool {
        matches!(self, Self::Email | Self::Fax | Self::Sns)
    }
}

vocabulary! {
    /// Whose consultations a window takes.
    ForWhom {
        Person = "self", "本人", "The person";
        Family = "family", "家族", "Family";
        Supporter = "supporter", "支援者", "Supporters";
    }
}

impl Featured for ForWhom {
    const FEATURED: usize = usize::MAX;
}

vocabulary! {
    /// A day of the week, and 祝日 (national holidays) as a day of its own.
    Day {
        Mon = "mon", "月", "Mon";
        Tue = "tue", "火", "Tue";
        Wed = "wed", "水", "Wed";
        Thu = "thu", "木", "Thu";
        Fri = "fri", "金", "Fri";
        Sat = "sat", "土", "Sat";
        Sun = "sun", "日", "Sun";
        Hol = "hol", "祝日", "Holidays";
    }
}

impl Day {
    pub const WEEK: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];

    pub fn of(weekday: crate::base::time::Weekday) -> Self {
        Self::WEEK[weekday.index()]
    }
}

collection! {
    /// An entry of the group's directory.
    pub struct Window in Collection::Window => {
        name: Text<100> [required quick] "名前" "Name",
        kind as "type": Option<WindowType> [required quick] "窓口の種類" "Kind of window",
        areas: ServiceAreas [quick] "受け持つ地域（対象地域）" "Areas served",
        phones: Phones [quick] "電話番号" "Phone numbers",
        hours: Hours [quick] "受付時間" "Hours",
        closed_holidays: bool [quick] "祝日は休み（祝日の時間帯がないとき）" "Closed on national holidays (unless holiday hours are given)",
        closed_new_year: bool [quick] "年末年始（12/29〜1/3）は休み" "Closed over New Year (12/29–1/3)",
        kana: Text<100> [details] "よみがな" "Reading",
        address: Text<200> [details] "住所" "Address",
        fax: PhoneNumber [details] "FAX" "Fax",
        email: Email<120> [details] "メール" "Email",
        url: Url<300> [details] "ホームページ（https://…）" "Website (https://…)",
        channels: Set<Channel> [details] "相談のしかた" "Ways to consult",
        closures: Exceptions [details] "特別な日程（休み・時間の延長）" "Special dates (closures, longer hours)",
        reservation: bool [details] "予約が必要" "Appointment needed",
        anonymous_ok: bool [details] "名前を言わずに相談できる" "Anonymous consultation",
        for_whom: Set<ForWhom> [details] "だれの相談を受けるか" "For whom",
        note: Note<2000> [details] "メモ" "Notes",
        verified_on: Option<Date> [details] "最終確認日" "Last checked",
        source: Text<300> [details] "情報の出典" "Source",
        retired: bool [details] "廃止・休止" "Retired",
        lat: Degrees<20, 46> [details] "緯度" "Latitude",
        lng: Degrees<122, 154> [details] "経度" "Longitude",
        source_id: Text<100> [hidden] "元データのID" "Id in the source",
        overrides: Text<40> [hidden] "直す全国の窓口" "National line corrected",
    }
}

/// An entry not verified for this long is marked 要確認.
pub const VERIFY_EVERY_DAYS: i64 = 365;

impl Window {
    /// 要確認: never verified, or verified over a year ago.
    pub fn needs_check(&self, today: Date) -> bool {
        self.verified_on.is_none_or(|d| today.days_since_epoch() - d.days_since_epoch() > VERIFY_EVERY_DAYS)
    }

    /// How near the entry is to someone living in `area`: `None` when it
    /// does not serve there.
    pub fn serves(&self, area: AreaCode) -> Option<Level> {
        let mut best: Option<Level> = None;
        let mut consider = |l: Level| best = Some(best.map_or(l, |b| b.min(l)));
        for a in self.areas.iter() {
            match a {
                ServiceArea::Municipality { code } if *code == area => consider(Level::Municipal),
                ServiceArea::HealthArea { codes, .. } if codes.contains(&area) => consider(Level::Area),
                ServiceArea::Prefecture { code } if *code == area.prefecture_code() => consider(Level::Prefecture),
                ServiceArea::National => consider(Level::National),
                _ => {}
            }
        }
        best
    }

    /// Reachable without a voice call: by FAX, email or SNS.
    pub fn without_voice(&self) -> bool {
        !self.fax.is_empty() || !self.email.is_empty() || self.channels.iter().any(|c| c.without_voice())
    }

    /// The opening hours, for 「今開いている？」.
    pub fn schedule(&self) -> super::hours::Schedule {
        super::hours::Schedule {
            always_open: false,
            weekly: self.hours.0.clone(),
            monthly: Vec::new(),
            closed_holidays: self.closed_holidays,
            closed_new_year: self.closed_new_year,
            exceptions: self.closures.0.clone(),
        }
    }
}

/// Which places a window serves.
#[derive(Debug, Clone, PartialEq, Eq)]
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

fn area_code(s: &str) -> Result<AreaCode, String> {
    AreaCode::parse(s).map_err(|e| e.to_string())
}

impl ServiceArea {
    fn read(v: &Value) -> Result<Self, String> {
        let o = value::object(v)?;
        match value::str(o, "kind")? {
            "municipality" => {
                value::only(o, &["kind", "code"])?;
                Ok(Self::Municipality { code: area_code(value::str(o, "code")?)? })
            }
            "prefecture" => {
                value::only(o, &["kind", "code"])?;
                let code = area_code(value::str(o, "code")?)?;
                if !code.is_prefecture() {
                    return Err("code: not a prefecture's code".into());
                }
                Ok(Self::Prefecture { code })
            }
            "health_area" => {
                value::only(o, &["kind", "name", "codes"])?;
                let name = value::str(o, "name")?;
                if name.trim().is_empty() {
                    return Err("name: required".into());
                }
                value::line(name, 60)?;
                let codes = value::strings(o.get("codes").unwrap_or(&Value::Null), 200)?;
                if codes.is_empty() {
                    return Err("codes: at least one municipality".into());
                }
                Ok(Self::HealthArea { name: name.to_owned(), codes: codes.into_iter().map(area_code).collect::<Result<_, _>>()? })
            }
            "national" => {
                value::only(o, &["kind"])?;
                Ok(Self::National)
            }
            other => Err(format!("kind: {other:?} is not an area kind")),
        }
    }

    fn write(&self) -> Value {
        let s = |x: &str| Value::String(x.to_owned());
        match self {
            Self::Municipality { code } => value::obj(vec![("kind", s("municipality")), ("code", s(&code.to_string()))]),
            Self::Prefecture { code } => value::obj(vec![("kind", s("prefecture")), ("code", s(&code.to_string()))]),
            Self::HealthArea { name, codes } => value::obj(vec![
                ("kind", s("health_area")),
                ("name", s(name)),
                ("codes", Value::Array(codes.iter().map(|c| s(&c.to_string())).collect())),
            ]),
            Self::National => value::obj(vec![("kind", s("national"))]),
        }
    }
}

/// The areas a window serves (at most 300).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceAreas(pub Vec<ServiceArea>);

impl std::ops::Deref for ServiceAreas {
    type Target = [ServiceArea];
    fn deref(&self) -> &[ServiceArea] {
        &self.0
    }
}

impl Structured for ServiceAreas {
    const KIND: Kind = Kind::Areas;

    fn read(v: &Value) -> Result<Self, String> {
        value::list(v, 300)?.iter().enumerate().map(|(i, a)| ServiceArea::read(a).map_err(|e| format!("[{i}].{e}"))).collect::<Result<_, _>>().map(Self)
    }

    fn write(&self) -> Value {
        Value::Array(self.0.iter().map(ServiceArea::write).collect())
    }
}
structured!(ServiceAreas);

/// One number, with a note (「夜間」「内線 2150」).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phone {
    pub number: String,
    pub note: String,
}

/// A window's phone numbers (at most 10).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phones(pub Vec<Phone>);

impl std::ops::Deref for Phones {
    type Target = [Phone];
    fn deref(&self) -> &[Phone] {
        &self.0
    }
}

impl Structured for Phones {
    const KIND: Kind = Kind::Phones;

    fn read(v: &Value) -> Result<Self, String> {
        let mut out = Vec::new();
        for (i, p) in value::list(v, 10)?.iter().enumerate() {
            let o = value::object(p).map_err(|e| format!("[{i}]: {e}"))?;
            value::only(o, &["number", "note"]).map_err(|e| format!("[{i}].{e}"))?;
            let number = value::str(o, "number").map_err(|e| format!("[{i}].{e}"))?;
            check_phone_number(number).map_err(|e| format!("[{i}].number: {e}"))?;
            let note = value::opt_str(o, "note").map_err(|e| format!("[{i}].{e}"))?.unwrap_or("");
            value::line(note, 60).map_err(|e| format!("[{i}].note: {e}"))?;
            out.push(Phone { number: number.trim().to_owned(), note: note.to_owned() });
        }
        Ok(Self(out))
    }

    fn write(&self) -> Value {
        Value::Array(
            self.0.iter().map(|p| value::obj(vec![("number", Value::String(p.number.clone())), ("note", value::text(&p.note))])).collect(),
        )
    }
}
structured!(Phones);

/// One opening session on some days. A session that closes at or before it
/// opens runs past midnight (22:00–06:00). `Day::Hol` means on national
/// holidays, whatever the weekday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub days: Vec<Day>,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

fn time(o: &serde_json::Map<String, Value>, key: &str) -> Result<TimeOfDay, String> {
    TimeOfDay::parse(value::str(o, key)?).map_err(|e| format!("{key}: {e}"))
}

/// The weekly hours (at most 30 sessions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hours(pub Vec<Session>);

impl std::ops::Deref for Hours {
    type Target = [Session];
    fn deref(&self) -> &[Session] {
        &self.0
    }
}

impl Structured for Hours {
    const KIND: Kind = Kind::Hours;

    fn read(v: &Value) -> Result<Self, String> {
        let mut out = Vec::new();
        for (i, s) in value::list(v, 30)?.iter().enumerate() {
            let o = value::object(s).map_err(|e| format!("[{i}]: {e}"))?;
            value::only(o, &["days", "opens", "closes"]).map_err(|e| format!("[{i}].{e}"))?;
            let days: Vec<Day> = value::strings(o.get("days").unwrap_or(&Value::Null), 8)
                .map_err(|e| format!("[{i}].days: {e}"))?
                .into_iter()
                .map(|d| Day::from_id(d).ok_or_else(|| format!("[{i}].days: {d:?} is not a day")))
                .collect::<Result<_, _>>()?;
            if days.is_empty() {
                return Err(format!("[{i}].days: at least one day"));
            }
            let (opens, closes) = (time(o, "opens").map_err(|e| format!("[{i}].{e}"))?, time(o, "closes").map_err(|e| format!("[{i}].{e}"))?);
            if opens == closes && opens != TimeOfDay::MIDNIGHT {
                return Err(format!("[{i}]: opens and closes at the same time"));
            }
            out.push(Session { days, opens, closes });
        }
        Ok(Self(out))
    }

    fn write(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|s| {
                    value::obj(vec![
                        ("days", Value::Array(s.days.iter().map(|d| Value::String(d.id().to_owned())).collect())),
                        ("opens", Value::String(s.opens.to_string())),
                        ("closes", Value::String(s.closes.to_string())),
                    ])
                })
                .collect(),
        )
    }
}
structured!(Hours);

/// A dated exception from the weekly hours, both dates included: closed
/// (no hours: 年末年始, a move) or open at other hours (extended hours in
/// 自殺予防週間).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub from: Date,
    pub to: Date,
    pub note: String,
    /// Empty: closed.
    pub hours: Vec<(TimeOfDay, TimeOfDay)>,
}

/// The dated exceptions (at most 60).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exceptions(pub Vec<Exception>);

impl std::ops::Deref for Exceptions {
    type Target = [Exception];
    fn deref(&self) -> &[Exception] {
        &self.0
    }
}

impl Structured for Exceptions {
    const KIND: Kind = Kind::Exceptions;

    fn read(v: &Value) -> Result<Self, String> {
        let date = |o: &serde_json::Map<String, Value>, key: &str| Date::parse(value::str(o, key)?).map_err(|e| format!("{key}: {e}"));
        let mut out = Vec::new();
        for (i, c) in value::list(v, 60)?.iter().enumerate() {
            let at = |e: String| format!("[{i}].{e}");
            let o = value::object(c).map_err(at)?;
            value::only(o, &["from", "to", "note", "hours"]).map_err(at)?;
            let (from, to) = (date(o, "from").map_err(at)?, date(o, "to").map_err(at)?);
            if to < from {
                return Err(format!("[{i}]: ends before it starts"));
            }
            let note = value::opt_str(o, "note").map_err(at)?.unwrap_or("");
            value::line(note, 60).map_err(|e| format!("[{i}].note: {e}"))?;
            let mut hours = Vec::new();
            for h in value::list(o.get("hours").unwrap_or(&Value::Null), 6).map_err(|e| format!("[{i}].hours: {e}"))? {
                let h = value::object(h).map_err(|e| format!("[{i}].hours: {e}"))?;
                hours.push((time(h, "opens").map_err(at)?, time(h, "closes").map_err(at)?));
            }
            out.push(Exception { from, to, note: note.to_owned(), hours });
        }
        Ok(Self(out))
    }

    fn write(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|e| {
                    let hours = Value::Array(
                        e.hours
                            .iter()
                            .map(|(o, c)| value::obj(vec![("opens", Value::String(o.to_string())), ("closes", Value::String(c.to_string()))]))
                            .collect(),
                    );
                    value::obj(vec![
                        ("from", Value::String(e.from.to_string())),
                        ("to", Value::String(e.to.to_string())),
                        ("note", value::text(&e.note)),
                        ("hours", if e.hours.is_empty() { Value::Null } else { hours }),
                    ])
                })
                .collect(),
        )
    }
}
structured!(Exceptions);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldType, Typed};
    use serde_json::json;

    #[test]
    fn areas_parse_and_reject() {
        let ok = json!([{"kind": "municipality", "code": "281000"}, {"kind": "prefecture", "code": "280003"}, {"kind": "national"},
                        {"kind": "health_area", "name": "神戸圏域", "codes": ["281000"]}]);
        let areas = ServiceAreas::parse(&ok).unwrap();
        assert_eq!(areas.len(), 4);
        assert_eq!(ServiceAreas::parse(&areas.to_value()), Ok(areas));
        assert!(ServiceAreas::parse(&json!([{"kind": "prefecture", "code": "281000"}])).is_err());
        assert!(ServiceAreas::parse(&json!([{"kind": "municipality", "code": "281001"}])).is_err());
        assert!(ServiceAreas::parse(&json!([{"kind": "galaxy"}])).is_err());
        assert!(ServiceAreas::parse(&json!([{"kind": "national", "extra": 1}])).is_err());
    }

    #[test]
    fn phone_numbers() {
        for ok in ["0120-279-338", "#8008", "189", "+81-3-1234-5678", "(03) 1234 5678"] {
            assert!(check_phone_number(ok).is_ok(), "{ok}");
        }
        for bad in ["", "12", "03-1234-5678 内線", "tel:0312345678", "0#12"] {
            assert!(check_phone_number(bad).is_err(), "{bad}");
        }
        assert!(Phones::parse(&json!([{"number": "078-000-0000", "note": {"x": 1}}])).is_err());
    }

    #[test]
    fn hours_with_holidays_and_exceptions() {
        let hours = json!([{"days": ["mon", "tue"], "opens": "9:00", "closes": "12:00"}, {"days": ["sat", "sun", "hol"], "opens": "00:00", "closes": "24:00"}]);
        let parsed = Hours::parse(&hours).unwrap();
        assert_eq!(parsed[1].days, vec![Day::Sat, Day::Sun, Day::Hol]);
        assert_eq!(Hours::parse(&parsed.to_value()), Ok(parsed));
        assert!(Hours::parse(&json!([{"days": [], "opens": "9:00", "closes": "12:00"}])).is_err());
        assert!(Hours::parse(&json!([{"days": ["xyz"], "opens": "9:00", "closes": "12:00"}])).is_err());
        let closures = json!([{"from": "2026-12-29", "to": "2027-01-03"}, {"from": "2026-09-10", "to": "2026-09-16", "note": "自殺予防週間", "hours": [{"opens": "08:00", "closes": "22:00"}]}]);
        let parsed = Exceptions::parse(&closures).unwrap();
        assert!(parsed[0].hours.is_empty());
        assert_eq!(Exceptions::parse(&parsed.to_value()), Ok(parsed));
        assert!(Exceptions::parse(&json!([{"from": "2027-01-03", "to": "2026-12-29"}])).is_err());
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
    fn a_window_round_trips_through_its_record_fields_and_its_form() {
        let w = Window {
            name: Text::new("神戸市 障害福祉課"),
            kind: Some(WindowType::MunicipalWelfare),
            areas: ServiceAreas(vec![ServiceArea::Municipality { code: AreaCode::parse("281000").unwrap() }]),
            phones: Phones(vec![Phone { number: "078-322-5229".into(), note: "平日".into() }]),
            hours: Hours(vec![Session { days: vec![Day::Mon, Day::Fri], opens: TimeOfDay::parse("8:45").unwrap(), closes: TimeOfDay::parse("17:30").unwrap() }]),
            closed_holidays: true,
            url: Url::new("https://www.city.kobe.lg.jp/"),
            channels: Set(vec![Channel::Phone, Channel::Fax]),
            lat: Degrees(Some(34_690_083)),
            verified_on: Date::parse("2026-04-01").ok(),
            ..Window::default()
        };
        let fields = w.to_fields();
        let back = Window::from_fields(&|name| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v));
        assert_eq!(back, w);
        assert!(fields.iter().any(|(n, _)| *n == "type"), "stored under its old name");
        assert_eq!(Window::from_inputs(&w.to_inputs()), Ok(w.clone()));
        for (name, value) in &fields {
            assert_eq!(Window::check(name, value), Some(Ok(())), "{name}");
        }
    }
}

//! The group's directory of windows: entries read from records, the form
//! that writes them, the finder that ranks them for a worry and an area,
//! and HSDS-style JSON export and import.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::area::AreaCode;
use crate::catalogue;
use crate::collection::{CHANNELS, Collection, FOR_WHOM};
use crate::hours::{MonthlySession, Schedule};
use crate::ids::RecordId;
use crate::national::NationalLine;
use crate::record::Record;
use crate::taxonomy::{Level, WindowType, Worry};
use crate::time::{Date, TimeOfDay};
use crate::window::{self, Closure, Day, Phone, ServiceArea, Session};

/// A directory entry as the screens use it.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowEntry {
    pub id: RecordId,
    pub name: String,
    pub kana: String,
    pub window_type: WindowType,
    pub areas: Vec<ServiceArea>,
    pub address: String,
    pub phones: Vec<Phone>,
    pub fax: String,
    pub email: String,
    pub url: String,
    pub channels: Vec<String>,
    pub schedule: Schedule,
    pub reservation: bool,
    pub anonymous_ok: bool,
    pub for_whom: Vec<String>,
    pub note: String,
    pub verified_on: Option<Date>,
    pub source: String,
    pub retired: bool,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

/// An entry not verified for this long is marked 要確認.
pub const VERIFY_EVERY_DAYS: i64 = 365;

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

impl WindowEntry {
    pub fn from_record(r: &Record) -> Option<Self> {
        if r.collection != Collection::Window || r.is_deleted() {
            return None;
        }
        let text = |f: &str| r.text(f).unwrap_or("").to_owned();
        let flag = |f: &str| r.get(f).and_then(Value::as_bool).unwrap_or(false);
        Some(Self {
            id: r.id.clone(),
            name: text("name"),
            kana: text("kana"),
            window_type: r.text("type").and_then(WindowType::from_id)?,
            areas: r.get("areas").and_then(|v| window::parse_areas(v).ok()).unwrap_or_default(),
            address: text("address"),
            phones: r.get("phones").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default(),
            fax: text("fax"),
            email: text("email"),
            url: text("url"),
            channels: strings(r.get("channels")),
            schedule: Schedule {
                always_open: false,
                weekly: r.get("hours").and_then(|v| window::parse_hours(v).ok()).unwrap_or_default(),
                monthly: Vec::new(),
                closed_holidays: flag("closed_holidays"),
                closed_new_year: flag("closed_new_year"),
                closures: r.get("closures").and_then(|v| window::parse_closures(v).ok()).unwrap_or_default(),
            },
            reservation: flag("reservation"),
            anonymous_ok: flag("anonymous_ok"),
            for_whom: strings(r.get("for_whom")),
            note: text("note"),
            verified_on: r.text("verified_on").and_then(|s| Date::parse(s).ok()),
            source: text("source"),
            retired: flag("retired"),
            lat: r.get("lat").and_then(Value::as_f64),
            lng: r.get("lng").and_then(Value::as_f64),
        })
    }

    /// 要確認: never verified, or verified over a year ago.
    pub fn needs_check(&self, today: Date) -> bool {
        self.verified_on.is_none_or(|d| today.days_since_epoch() - d.days_since_epoch() > VERIFY_EVERY_DAYS)
    }

    /// How near the entry is to someone living in `area`: `None` when it
    /// does not serve there.
    pub fn serves(&self, area: AreaCode) -> Option<Level> {
        let mut best: Option<Level> = None;
        let mut consider = |l: Level| best = Some(best.map_or(l, |b| b.min(l)));
        for a in &self.areas {
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
}

/// One finder result.
#[derive(Debug, Clone, PartialEq)]
pub enum Hit {
    Entry(WindowEntry),
    National(NationalLine),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub hit: Hit,
    pub level: Level,
    /// Why it fits: (worry, reason) for each picked worry it takes.
    pub why: Vec<(Option<Worry>, &'static str, &'static str)>,
    /// Position of its kind in the worry's list (lower is nearer).
    rank: usize,
}

impl Found {
    pub fn name(&self) -> &str {
        match &self.hit {
            Hit::Entry(e) => &e.name,
            Hit::National(l) => &l.name,
        }
    }
}

const ALWAYS_WHY_JA: &str = "命の危険があるとき、死にたい気持ちのときは、いつでもかけられます。";
const ALWAYS_WHY_EN: &str = "For a life in danger or thoughts of suicide, at any time.";

/// The windows for these worries and this area, nearest level first, then
/// in the order the worries' routes give, then by name. National crisis
/// lines are always there.
pub fn find(worries: &[Worry], area: Option<AreaCode>, entries: &[WindowEntry], national: &'static [NationalLine]) -> Vec<Found> {
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| !e.retired) {
        let level = match area {
            Some(a) => match e.serves(a) {
                Some(l) => l,
                None => continue,
            },
            None => e.window_type.level(),
        };
        let mut why = Vec::new();
        let mut rank = usize::MAX;
        for w in worries {
            if let Some((i, route)) = catalogue::routes(*w).iter().enumerate().find(|(_, r)| r.window == e.window_type) {
                why.push((Some(*w), route.why_ja, route.why_en));
                rank = rank.min(i);
            }
        }
        if !why.is_empty() {
            out.push(Found { hit: Hit::Entry(e.clone()), level, why, rank });
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut national_hit = |id: &'static str, why: (Option<Worry>, &'static str, &'static str), rank: usize, out: &mut Vec<Found>| {
        if let Some(line) = national.iter().find(|l| l.id == id) {
            if let Some(f) = out.iter_mut().find(|f| matches!(&f.hit, Hit::National(l) if l.id == id)) {
                if why.0.is_some() && !f.why.iter().any(|w| w.0 == why.0) {
                    f.why.push(why);
                }
                return;
            }
            seen.push(id);
            out.push(Found { hit: Hit::National(line.clone()), level: Level::National, why: vec![why], rank });
        }
    };
    for id in catalogue::ALWAYS {
        national_hit(id, (None, ALWAYS_WHY_JA, ALWAYS_WHY_EN), 0, &mut out);
    }
    for w in worries {
        let route = catalogue::routes(*w).iter().find(|r| r.window == WindowType::NationalLine);
        for (i, id) in catalogue::national_lines(*w).iter().enumerate() {
            let line_for = national.iter().find(|l| l.id == *id).map(|l| l.for_whom.as_str()).unwrap_or("");
            let (ja, en) = route.map_or((line_for, ""), |r| (r.why_ja, r.why_en));
            national_hit(id, (Some(*w), ja, en), i + 1, &mut out);
        }
    }
    out.sort_by(|a, b| (a.level, a.rank, a.name()).cmp(&(b.level, b.rank, b.name())));
    out
}

/// Problems with a directory entry's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowProblem {
    Required,
    TooLong,
    BadPhone,
    BadEmail,
    BadUrl,
    BadTime,
    BadDate,
    NoDays,
    BadNumber,
}

/// A session as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionForm {
    pub days: Vec<Day>,
    pub opens: String,
    pub closes: String,
}

/// A directory entry's form, all values as typed; also what an import row
/// becomes, so both pass the same checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowForm {
    pub name: String,
    pub kana: String,
    pub window_type: Option<String>,
    pub areas: Vec<ServiceArea>,
    pub address: String,
    pub phones: Vec<Phone>,
    pub fax: String,
    pub email: String,
    pub url: String,
    pub channels: Vec<String>,
    pub sessions: Vec<SessionForm>,
    pub closed_holidays: bool,
    pub closed_new_year: bool,
    pub closures: Vec<Closure>,
    pub reservation: bool,
    pub anonymous_ok: bool,
    pub for_whom: Vec<String>,
    pub note: String,
    pub verified_on: String,
    pub source: String,
    pub retired: bool,
    pub lat: String,
    pub lng: String,
}

impl WindowForm {
    pub fn from_entry(e: &WindowEntry) -> Self {
        Self {
            name: e.name.clone(),
            kana: e.kana.clone(),
            window_type: Some(e.window_type.id().to_owned()),
            areas: e.areas.clone(),
            address: e.address.clone(),
            phones: e.phones.clone(),
            fax: e.fax.clone(),
            email: e.email.clone(),
            url: e.url.clone(),
            channels: e.channels.clone(),
            sessions: e.schedule.weekly.iter().map(|s| SessionForm { days: s.days.clone(), opens: s.opens.to_string(), closes: s.closes.to_string() }).collect(),
            closed_holidays: e.schedule.closed_holidays,
            closed_new_year: e.schedule.closed_new_year,
            closures: e.schedule.closures.clone(),
            reservation: e.reservation,
            anonymous_ok: e.anonymous_ok,
            for_whom: e.for_whom.clone(),
            note: e.note.clone(),
            verified_on: e.verified_on.map(|d| d.to_string()).unwrap_or_default(),
            source: e.source.clone(),
            retired: e.retired,
            lat: e.lat.map(|x| x.to_string()).unwrap_or_default(),
            lng: e.lng.map(|x| x.to_string()).unwrap_or_default(),
        }
    }

    /// Checks every value; on success, the record fields to write.
    pub fn to_fields(&self) -> Result<Vec<(String, Value)>, BTreeMap<&'static str, WindowProblem>> {
        let mut p = BTreeMap::new();
        let text = |v: &str| if v.trim().is_empty() { Value::Null } else { json!(v.trim()) };
        if self.name.trim().is_empty() {
            p.insert("name", WindowProblem::Required);
        }
        for (field, value, max) in [("name", &self.name, 100), ("kana", &self.kana, 100), ("address", &self.address, 200), ("source", &self.source, 300)] {
            if value.trim().chars().count() > max {
                p.insert(field, WindowProblem::TooLong);
            }
        }
        if self.window_type.as_deref().and_then(WindowType::from_id).is_none() {
            p.insert("type", WindowProblem::Required);
        }
        let mut phones = Vec::new();
        for ph in &self.phones {
            if ph.number.trim().is_empty() {
                continue;
            }
            if window::check_phone_number(&ph.number).is_err() {
                p.insert("phones", WindowProblem::BadPhone);
            }
            phones.push(Phone { number: ph.number.trim().to_owned(), note: ph.note.clone().filter(|n| !n.trim().is_empty()) });
        }
        if !self.fax.trim().is_empty() && window::check_phone_number(&self.fax).is_err() {
            p.insert("fax", WindowProblem::BadPhone);
        }
        let email = self.email.trim();
        if !email.is_empty() && !(email.contains('@') && email.len() <= 120 && !email.contains(char::is_whitespace)) {
            p.insert("email", WindowProblem::BadEmail);
        }
        let url = self.url.trim();
        if !url.is_empty() && !(url.starts_with("https://") || url.starts_with("http://")) {
            p.insert("url", WindowProblem::BadUrl);
        }
        let mut sessions = Vec::new();
        for s in &self.sessions {
            match (TimeOfDay::parse(&s.opens), TimeOfDay::parse(&s.closes)) {
                (Ok(opens), Ok(closes)) => {
                    if s.days.is_empty() {
                        p.insert("hours", WindowProblem::NoDays);
                    }
                    sessions.push(Session { days: s.days.clone(), opens, closes });
                }
                _ => {
                    p.insert("hours", WindowProblem::BadTime);
                }
            }
        }
        let verified = if self.verified_on.trim().is_empty() {
            Value::Null
        } else {
            match Date::parse(&self.verified_on) {
                Ok(d) => json!(d.to_string()),
                Err(_) => {
                    p.insert("verified_on", WindowProblem::BadDate);
                    Value::Null
                }
            }
        };
        let coordinate = |v: &str, field: &'static str, check: fn(&Value) -> Result<(), String>, p: &mut BTreeMap<&'static str, WindowProblem>| {
            if v.trim().is_empty() {
                return Value::Null;
            }
            match v.trim().parse::<f64>().ok().map(|x| json!(x)).filter(|x| check(x).is_ok()) {
                Some(x) => x,
                None => {
                    p.insert(field, WindowProblem::BadNumber);
                    Value::Null
                }
            }
        };
        let lat = coordinate(&self.lat, "lat", window::check_latitude, &mut p);
        let lng = coordinate(&self.lng, "lng", window::check_longitude, &mut p);
        if !p.is_empty() {
            return Err(p);
        }
        let keep = |list: &[String], allowed: &[&str]| json!(list.iter().filter(|c| allowed.contains(&c.as_str())).collect::<Vec<_>>());
        Ok(vec![
            ("name".into(), text(&self.name)),
            ("kana".into(), text(&self.kana)),
            ("type".into(), json!(self.window_type)),
            ("areas".into(), serde_json::to_value(&self.areas).unwrap_or(Value::Null)),
            ("address".into(), text(&self.address)),
            ("phones".into(), serde_json::to_value(&phones).unwrap_or(Value::Null)),
            ("fax".into(), text(&self.fax)),
            ("email".into(), text(email)),
            ("url".into(), text(url)),
            ("channels".into(), keep(&self.channels, CHANNELS)),
            ("hours".into(), serde_json::to_value(&sessions).unwrap_or(Value::Null)),
            ("closed_holidays".into(), json!(self.closed_holidays)),
            ("closed_new_year".into(), json!(self.closed_new_year)),
            ("closures".into(), serde_json::to_value(&self.closures).unwrap_or(Value::Null)),
            ("reservation".into(), json!(self.reservation)),
            ("anonymous_ok".into(), json!(self.anonymous_ok)),
            ("for_whom".into(), keep(&self.for_whom, FOR_WHOM)),
            ("note".into(), text(&self.note)),
            ("verified_on".into(), verified),
            ("source".into(), text(&self.source)),
            ("retired".into(), json!(self.retired)),
            ("lat".into(), lat),
            ("lng".into(), lng),
        ])
    }
}

/// The schedule of a built-in national line.
pub fn national_schedule(line: &NationalLine) -> Schedule {
    let Some(raw) = &line.schedule else { return Schedule::default() };
    let closed: Vec<Closure> = Vec::new();
    let mut schedule = Schedule {
        always_open: raw.always_open,
        weekly: raw.weekly.iter().filter_map(|s| s.session()).collect(),
        monthly: raw
            .monthly
            .iter()
            .filter_map(|m| {
                let (closes, next) = match m.closes.strip_suffix("+1") {
                    Some(c) => (c, true),
                    None => (m.closes.as_str(), false),
                };
                Some(MonthlySession { day_of_month: m.day_of_month, opens: TimeOfDay::parse(&m.opens).ok()?, closes: TimeOfDay::parse(closes).ok()?, closes_next_day: next })
            })
            .collect(),
        closed_holidays: false,
        closed_new_year: raw.closed.iter().any(|c| c == "12-29..01-03"),
        closures: closed,
    };
    if raw.always_open {
        schedule.weekly.clear();
    }
    schedule
}

// ---- HSDS-style JSON ----

/// The export format: Open Referral HSDS field names where they fit, and
/// nimo's own extras under `x_nimo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HsdsFile {
    pub format: String,
    pub exported: Date,
    pub services: Vec<HsdsService>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsdsService {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub alternate_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub email: String,
    pub status: String,
    #[serde(default)]
    pub assured_date: Option<Date>,
    #[serde(default)]
    pub phones: Vec<HsdsPhone>,
    #[serde(default)]
    pub schedules: Vec<HsdsSchedule>,
    #[serde(default)]
    pub service_areas: Vec<ServiceArea>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    pub x_nimo: HsdsExtra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsdsPhone {
    pub number: String,
    /// `voice` or `fax`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsdsSchedule {
    pub freq: String,
    /// `MO,TU,WE`.
    pub byday: String,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsdsExtra {
    pub window_type: String,
    #[serde(default)]
    pub kana: String,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub closed_holidays: bool,
    #[serde(default)]
    pub closed_new_year: bool,
    #[serde(default)]
    pub closures: Vec<Closure>,
    #[serde(default)]
    pub reservation: bool,
    #[serde(default)]
    pub anonymous_ok: bool,
    #[serde(default)]
    pub for_whom: Vec<String>,
    #[serde(default)]
    pub source: String,
}

const HSDS_DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

pub fn to_hsds(entries: &[WindowEntry], today: Date) -> HsdsFile {
    let services = entries
        .iter()
        .map(|e| {
            let mut phones: Vec<HsdsPhone> = e
                .phones
                .iter()
                .map(|p| HsdsPhone { number: p.number.clone(), kind: "voice".into(), description: p.note.clone().unwrap_or_default() })
                .collect();
            if !e.fax.is_empty() {
                phones.push(HsdsPhone { number: e.fax.clone(), kind: "fax".into(), description: String::new() });
            }
            HsdsService {
                id: e.id.to_string(),
                name: e.name.clone(),
                alternate_name: String::new(),
                description: e.note.clone(),
                url: e.url.clone(),
                email: e.email.clone(),
                status: if e.retired { "inactive".into() } else { "active".into() },
                assured_date: e.verified_on,
                phones,
                schedules: e
                    .schedule
                    .weekly
                    .iter()
                    .map(|s| HsdsSchedule {
                        freq: "WEEKLY".into(),
                        byday: s.days.iter().map(|d| HSDS_DAYS[*d as usize]).collect::<Vec<_>>().join(","),
                        opens_at: s.opens.to_string(),
                        closes_at: s.closes.to_string(),
                    })
                    .collect(),
                service_areas: e.areas.clone(),
                address: e.address.clone(),
                latitude: e.lat,
                longitude: e.lng,
                x_nimo: HsdsExtra {
                    window_type: e.window_type.id().into(),
                    kana: e.kana.clone(),
                    channels: e.channels.clone(),
                    closed_holidays: e.schedule.closed_holidays,
                    closed_new_year: e.schedule.closed_new_year,
                    closures: e.schedule.closures.clone(),
                    reservation: e.reservation,
                    anonymous_ok: e.anonymous_ok,
                    for_whom: e.for_whom.clone(),
                    source: e.source.clone(),
                },
            }
        })
        .collect();
    HsdsFile { format: "nimo-hsds-1".into(), exported: today, services }
}

/// One entry of an import: the form it becomes, or what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// A line number (CSV) or an index from 1 (JSON).
    pub line: usize,
    pub name: String,
    pub result: Result<WindowForm, Vec<String>>,
}

/// Reads an HSDS-style JSON export. A file that is not one is refused as a
/// whole; a service with a bad value is listed with its problems.
pub fn from_hsds(text: &str) -> Result<Vec<ImportRow>, String> {
    let file: HsdsFile = serde_json::from_str(text).map_err(|e| format!("not a nimo HSDS file: {e}"))?;
    if file.format != "nimo-hsds-1" {
        return Err(format!("unknown format {:?}", file.format));
    }
    Ok(file
        .services
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut problems = Vec::new();
            let sessions = s
                .schedules
                .iter()
                .map(|h| SessionForm {
                    days: h.byday.split(',').filter_map(|d| HSDS_DAYS.iter().position(|x| *x == d.trim()).map(|i| Day::ALL[i])).collect(),
                    opens: h.opens_at.clone(),
                    closes: h.closes_at.clone(),
                })
                .collect();
            let form = WindowForm {
                name: s.name.clone(),
                kana: s.x_nimo.kana.clone(),
                window_type: Some(s.x_nimo.window_type.clone()),
                areas: s.service_areas.clone(),
                address: s.address.clone(),
                phones: s.phones.iter().filter(|p| p.kind != "fax").map(|p| Phone { number: p.number.clone(), note: Some(p.description.clone()).filter(|d| !d.is_empty()) }).collect(),
                fax: s.phones.iter().find(|p| p.kind == "fax").map(|p| p.number.clone()).unwrap_or_default(),
                email: s.email.clone(),
                url: s.url.clone(),
                channels: s.x_nimo.channels.clone(),
                sessions,
                closed_holidays: s.x_nimo.closed_holidays,
                closed_new_year: s.x_nimo.closed_new_year,
                closures: s.x_nimo.closures.clone(),
                reservation: s.x_nimo.reservation,
                anonymous_ok: s.x_nimo.anonymous_ok,
                for_whom: s.x_nimo.for_whom.clone(),
                note: s.description.clone(),
                verified_on: s.assured_date.map(|d| d.to_string()).unwrap_or_default(),
                source: s.x_nimo.source.clone(),
                retired: s.status == "inactive",
                lat: s.latitude.map(|x| x.to_string()).unwrap_or_default(),
                lng: s.longitude.map(|x| x.to_string()).unwrap_or_default(),
            };
            if let Err(p) = form.to_fields() {
                problems.extend(p.keys().map(|k| (*k).to_owned()));
            }
            ImportRow { line: i + 1, name: s.name, result: if problems.is_empty() { Ok(form) } else { Err(problems) } }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::Visibility;
    use crate::hlc::Hlc;
    use crate::ids::{ClientId, GroupId, UserId};
    use crate::record::Stamped;

    fn entry(name: &str, t: WindowType, areas: Vec<ServiceArea>) -> WindowEntry {
        let form = WindowForm {
            name: name.into(),
            window_type: Some(t.id().into()),
            areas,
            phones: vec![Phone { number: "078-000-0000".into(), note: None }],
            verified_on: "2026-04-01".into(),
            ..WindowForm::default()
        };
        let stamp = Hlc::new(1, 0, ClientId::from_random([1; 8]));
        let mut r = Record::new(RecordId::derived(&[name]), Collection::Window, GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]), Stamped::new(Visibility::Group, stamp.clone()));
        for (f, v) in form.to_fields().unwrap() {
            r.write(&f, v, stamp.clone());
        }
        WindowEntry::from_record(&r).unwrap()
    }

    fn kobe() -> AreaCode {
        AreaCode::parse("281000").unwrap()
    }

    #[test]
    fn housing_in_kobe_comes_nearest_first_with_reasons() {
        let hyogo = AreaCode::parse("280003").unwrap();
        let entries = vec![
            entry("兵庫県精神保健福祉センター", WindowType::MentalHealthCentre, vec![ServiceArea::Prefecture { code: hyogo }]),
            entry("神戸市 くらし支援窓口", WindowType::SelfRelianceSupport, vec![ServiceArea::Municipality { code: kobe() }]),
            entry("神戸市居住支援法人", WindowType::HousingSupport, vec![ServiceArea::Municipality { code: kobe() }]),
            entry("大阪市 くらし支援窓口", WindowType::SelfRelianceSupport, vec![ServiceArea::Municipality { code: AreaCode::parse("271004").unwrap() }]),
            entry("神戸市 障害福祉課", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: kobe() }]),
        ];
        let found = find(&[Worry::Housing], Some(kobe()), &entries, crate::national::lines());
        let names: Vec<&str> = found.iter().map(Found::name).collect();
        assert_eq!(&names[..3], &["神戸市 くらし支援窓口", "神戸市居住支援法人", "神戸市 障害福祉課"]);
        assert!(!names.contains(&"大阪市 くらし支援窓口"), "another city's window is not offered");
        assert!(!names.contains(&"兵庫県精神保健福祉センター"), "the centre does not take housing");
        assert!(found.iter().all(|f| !f.why.is_empty()));
        let levels: Vec<Level> = found.iter().map(|f| f.level).collect();
        assert!(levels.windows(2).all(|w| w[0] <= w[1]), "nearest level first");
        // National crisis lines are always there.
        for id in catalogue::ALWAYS {
            assert!(found.iter().any(|f| matches!(&f.hit, Hit::National(l) if l.id == id)), "{id}");
        }
    }

    #[test]
    fn retired_entries_and_the_year_old_check() {
        let mut e = entry("古い窓口", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: kobe() }]);
        assert!(!e.needs_check(Date::parse("2026-11-24").unwrap()));
        assert!(e.needs_check(Date::parse("2027-04-03").unwrap()));
        e.retired = true;
        assert!(find(&[Worry::Family], Some(kobe()), &[e], &[]).iter().all(|f| matches!(f.hit, Hit::National(_))));
    }

    #[test]
    fn the_form_names_bad_values() {
        let form = WindowForm {
            name: " ".into(),
            window_type: None,
            phones: vec![Phone { number: "call me".into(), note: None }],
            email: "nope".into(),
            url: "ftp://x".into(),
            sessions: vec![SessionForm { days: vec![], opens: "9:00".into(), closes: "17:00".into() }],
            lat: "99".into(),
            ..WindowForm::default()
        };
        let p = form.to_fields().unwrap_err();
        for (k, v) in [("name", WindowProblem::Required), ("type", WindowProblem::Required), ("phones", WindowProblem::BadPhone), ("email", WindowProblem::BadEmail), ("url", WindowProblem::BadUrl), ("hours", WindowProblem::NoDays), ("lat", WindowProblem::BadNumber)] {
            assert_eq!(p.get(k), Some(&v), "{k}");
        }
    }

    #[test]
    fn hsds_round_trip() {
        let e = entry("神戸市 障害福祉課", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: kobe() }]);
        let file = to_hsds(&[e.clone()], Date::parse("2026-11-24").unwrap());
        let text = serde_json::to_string(&file).unwrap();
        let rows = from_hsds(&text).unwrap();
        assert_eq!(rows.len(), 1);
        let form = rows[0].result.clone().unwrap();
        assert_eq!(form, WindowForm::from_entry(&e));
        assert!(from_hsds("{\"not\": \"hsds\"}").is_err());
        let broken = text.replace("078-000-0000", "not a phone");
        assert!(from_hsds(&broken).unwrap()[0].result.is_err());
    }

    #[test]
    fn national_schedules() {
        let inochi = crate::national::line("inochi-free").unwrap();
        let s = national_schedule(&inochi);
        assert_eq!(s.monthly.len(), 1);
        assert!(s.monthly[0].closes_next_day);
        let yorisoi = national_schedule(&crate::national::line("yorisoi").unwrap());
        assert!(yorisoi.always_open);
        let childline = national_schedule(&crate::national::line("childline").unwrap());
        assert!(childline.closed_new_year);
    }
}

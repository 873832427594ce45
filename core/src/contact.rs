//! Contacts (相談・活動の記録): one conversation or visit.

use serde_json::Value;

use crate::ids::RecordId;
use crate::time::Date;

/// Where a referral stands: 紹介した → 連絡がついた → 支援開始 / つながらず.
pub const REFERRAL_STATES: &[&str] = &["referred", "contacted", "started", "not_connected"];

/// A referral points at a directory entry (a record id) or a built-in
/// national line (`national:<id>`).
pub fn check_window_ref(s: &str) -> Result<(), String> {
    if let Some(id) = s.strip_prefix("national:") {
        if !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Ok(());
        }
        return Err("a national line id is letters, digits, - and _".into());
    }
    RecordId::parse(s).map(drop).map_err(|e| e.to_string())
}

/// `referrals`: `[{window, name, state, on}]`, at most 20, each field of
/// its type (a name that is not a string is refused, not skipped).
pub fn check_referrals(value: &Value) -> Result<(), String> {
    let items: Vec<Referral> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    if items.len() > 20 {
        return Err("at most 20 referrals".into());
    }
    for (i, item) in items.iter().enumerate() {
        check_window_ref(&item.window).map_err(|e| format!("[{i}].window: {e}"))?;
        if item.name.chars().count() > 100 || item.name.contains(['\n', '\r']) {
            return Err(format!("[{i}].name: one line of at most 100 characters"));
        }
        if !REFERRAL_STATES.contains(&item.state.as_str()) {
            return Err(format!("[{i}].state: expected one of {}", REFERRAL_STATES.join(", ")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn referrals_are_checked_field_by_field() {
        let ok = json!([{"window": "national:yorisoi", "name": "よりそいホットライン", "state": "referred", "on": "2026-11-24"}]);
        assert_eq!(check_referrals(&ok), Ok(()));
        let bad_state = json!([{"window": "national:yorisoi", "state": "maybe"}]);
        assert!(check_referrals(&bad_state).unwrap_err().starts_with("[0].state"));
        let bad_window = json!([{"window": "x y", "state": "referred"}]);
        assert!(check_referrals(&bad_window).unwrap_err().starts_with("[0].window"));
        let extra = json!([{"window": "national:a", "state": "referred", "secret": 1}]);
        assert!(check_referrals(&extra).unwrap_err().contains("unknown field"));
        let not_a_name = json!([{"window": "national:a", "name": {"big": "x"}, "state": "referred"}]);
        assert!(check_referrals(&not_a_name).is_err(), "a name that is an object is refused");
    }
}

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::area::AreaCode;
use crate::collection::{ACTIONS, AGE_BANDS, CALLERS, CONTACT_MODES, Visibility, WISH_METHODS};
use crate::hlc::Hlc;
use crate::ids::UserId;
use crate::record::Record;
use crate::taxonomy::Worry;
use crate::time::{JstDateTime, TimeOfDay};

/// One referral of a contact to a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// A directory entry's record id, or `national:<id>`.
    pub window: String,
    /// The window's name when referred (kept if the entry changes).
    #[serde(default)]
    pub name: String,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Date>,
}

impl Referral {
    pub fn connected(&self) -> bool {
        matches!(self.state.as_str(), "contacted" | "started")
    }
}

/// A contact as the screens and reports use it, read leniently from a
/// record: a field that does not parse is treated as absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: crate::ids::RecordId,
    pub owner: UserId,
    pub visibility: Visibility,
    pub at: Option<JstDateTime>,
    pub duration_min: Option<i64>,
    pub mode: String,
    pub person: String,
    pub caller: String,
    pub relation: String,
    pub age_band: String,
    pub area: Option<AreaCode>,
    pub worries: Vec<Worry>,
    pub unmet_worries: Vec<Worry>,
    pub actions: Vec<String>,
    pub note: String,
    pub referrals: Vec<Referral>,
    pub follow_up: Option<Date>,
    pub risk: bool,
    pub open: bool,
    pub partner: String,
    pub hospital: String,
    pub wish_method: String,
    pub wish_date: Option<Date>,
    /// Unresolved texts that lost to an edit on another device.
    pub conflicts: Vec<(String, String, Hlc)>,
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

impl Contact {
    pub fn from_record(r: &Record) -> Option<Self> {
        if r.collection != crate::collection::Collection::Contact || r.is_deleted() {
            return None;
        }
        let text = |f: &str| r.text(f).unwrap_or("").to_owned();
        let date = |f: &str| r.text(f).and_then(|s| Date::parse(s).ok());
        let worries = |f: &str| strings(r.get(f)).iter().filter_map(|w| Worry::from_id(w)).collect();
        Some(Self {
            id: r.id.clone(),
            owner: r.owner.clone(),
            visibility: r.visibility.v,
            at: r.text("at").and_then(|s| JstDateTime::parse(s).ok()),
            duration_min: r.get("duration_min").and_then(|v| v.as_i64()),
            mode: text("mode"),
            person: text("person"),
            caller: text("caller"),
            relation: text("relation"),
            age_band: text("age_band"),
            area: r.text("area").and_then(|s| AreaCode::parse(s).ok()),
            worries: worries("worries"),
            unmet_worries: worries("unmet_worries"),
            actions: strings(r.get("actions")),
            note: text("note"),
            referrals: r.get("referrals").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default(),
            follow_up: date("follow_up"),
            risk: r.get("risk").and_then(|v| v.as_bool()).unwrap_or(false),
            open: r.text("status") != Some("closed"),
            partner: text("partner"),
            hospital: text("hospital"),
            wish_method: text("wish_method"),
            wish_date: date("wish_date"),
            conflicts: r
                .open_conflicts()
                .filter_map(|c| c.v.as_str().map(|s| (c.field.clone(), s.to_owned(), c.t.clone())))
                .collect(),
        })
    }

    pub fn date(&self) -> Option<Date> {
        self.at.map(|t| t.date)
    }

    /// What a search looks in, folded: the nickname, the worries (in both
    /// languages), the notes, the referrals, the hospital.
    pub fn search_text(&self) -> String {
        let mut s = String::new();
        for part in [&self.person, &self.relation, &self.note, &self.hospital, &self.partner] {
            s.push_str(part);
            s.push(' ');
        }
        for w in &self.worries {
            s.push_str(w.ja());
            s.push_str(w.en());
        }
        for r in &self.referrals {
            s.push_str(&r.name);
        }
        crate::text::fold(&s)
    }

    /// Overdue follow-up: due before `today` on an open contact.
    pub fn overdue(&self, today: Date) -> bool {
        self.open && self.follow_up.is_some_and(|d| d < today)
    }

    pub fn due_today(&self, today: Date) -> bool {
        self.open && self.follow_up == Some(today)
    }
}

/// Why a form value is not accepted; the app says it in Japanese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong(usize),
    BadDate,
    BadTime,
    /// The follow-up is before the contact itself.
    FollowUpBeforeContact,
    /// Looks like a full name (two words of kanji): use a nickname.
    LooksLikeFullName,
    NotANumber,
    /// Not a 全国地方公共団体コード.
    BadArea,
}

/// The contact form as the user fills it in: every value as typed, so that
/// a draft can be saved and restored exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub date: String,
    pub time: String,
    pub duration_min: String,
    pub mode: Option<String>,
    pub person: String,
    pub caller: Option<String>,
    pub relation: String,
    pub age_band: Option<String>,
    pub area: Option<String>,
    pub worries: Vec<String>,
    pub unmet_worries: Vec<String>,
    pub actions: Vec<String>,
    pub note: String,
    pub referrals: Vec<Referral>,
    pub follow_up: String,
    pub risk: bool,
    pub closed: bool,
    pub shared: bool,
    pub partner: String,
    pub hospital: String,
    pub wish_method: Option<String>,
    pub wish_date: String,
}

/// Two or more runs of kanji separated by a space: 「山田 太郎」.
fn looks_like_full_name(s: &str) -> bool {
    let is_kanji = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
    let words: Vec<&str> = s.split([' ', '\u{3000}']).filter(|w| !w.is_empty()).collect();
    words.len() >= 2 && words.iter().all(|w| w.chars().count() >= 1 && w.chars().all(is_kanji))
}

impl ContactForm {
    /// A new form: now, by phone (the common case), private.
    pub fn new(now: JstDateTime) -> Self {
        Self {
            date: now.date.to_string(),
            time: now.time.to_string(),
            mode: Some("phone".into()),
            ..Self::default()
        }
    }

    pub fn from_contact(c: &Contact) -> Self {
        Self {
            date: c.at.map(|t| t.date.to_string()).unwrap_or_default(),
            time: c.at.map(|t| t.time.to_string()).unwrap_or_default(),
            duration_min: c.duration_min.map(|d| d.to_string()).unwrap_or_default(),
            mode: Some(c.mode.clone()).filter(|m| !m.is_empty()),
            person: c.person.clone(),
            caller: Some(c.caller.clone()).filter(|m| !m.is_empty()),
            relation: c.relation.clone(),
            age_band: Some(c.age_band.clone()).filter(|m| !m.is_empty()),
            area: c.area.map(|a| a.to_string()),
            worries: c.worries.iter().map(|w| w.id().to_owned()).collect(),
            unmet_worries: c.unmet_worries.iter().map(|w| w.id().to_owned()).collect(),
            actions: c.actions.clone(),
            note: c.note.clone(),
            referrals: c.referrals.clone(),
            follow_up: c.follow_up.map(|d| d.to_string()).unwrap_or_default(),
            risk: c.risk,
            closed: !c.open,
            shared: c.visibility == Visibility::Group,
            partner: c.partner.clone(),
            hospital: c.hospital.clone(),
            wish_method: Some(c.wish_method.clone()).filter(|m| !m.is_empty()),
            wish_date: c.wish_date.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    pub fn is_hospital_visit(&self) -> bool {
        self.mode.as_deref() == Some("hospital")
    }

    /// Checks every field; on success, the record fields to write.
    pub fn to_fields(&self) -> Result<(Visibility, Vec<(String, serde_json::Value)>), BTreeMap<&'static str, Problem>> {
        let mut problems = BTreeMap::new();
        let text = |v: &str| if v.trim().is_empty() { serde_json::Value::Null } else { json!(v.trim()) };
        let choice = |v: &Option<String>, allowed: &[&str]| v.as_deref().filter(|v| allowed.contains(v)).map_or(serde_json::Value::Null, |v| json!(v));
        let opt_date = |name: &'static str, v: &str, problems: &mut BTreeMap<&'static str, Problem>| {
            if v.trim().is_empty() {
                None
            } else {
                match Date::parse(v) {
                    Ok(d) => Some(d),
                    Err(_) => {
                        problems.insert(name, Problem::BadDate);
                        None
                    }
                }
            }
        };
        let date = match Date::parse(&self.date) {
            Ok(d) => Some(d),
            Err(_) => {
                problems.insert("date", if self.date.trim().is_empty() { Problem::Required } else { Problem::BadDate });
                None
            }
        };
        let time = match TimeOfDay::parse(&self.time) {
            Ok(t) if t != TimeOfDay::END_OF_DAY => Some(t),
            _ => {
                problems.insert("time", if self.time.trim().is_empty() { Problem::Required } else { Problem::BadTime });
                None
            }
        };
        if self.mode.as_deref().is_none_or(|m| !CONTACT_MODES.contains(&m)) {
            problems.insert("mode", Problem::Required);
        }
        let duration = if self.duration_min.trim().is_empty() {
            None
        } else {
            match self.duration_min.trim().parse::<i64>() {
                Ok(n) if (0..=1440).contains(&n) => Some(n),
                _ => {
                    problems.insert("duration_min", Problem::NotANumber);
                    None
                }
            }
        };
        for (name, value, max) in [("person", &self.person, 20), ("relation", &self.relation, 30), ("partner", &self.partner, 20), ("hospital", &self.hospital, 60)] {
            if value.trim().chars().count() > max {
                problems.insert(name, Problem::TooLong(max));
            }
        }
        if self.note.chars().count() > 4000 {
            problems.insert("note", Problem::TooLong(4000));
        }
        if looks_like_full_name(self.person.trim()) {
            problems.insert("person", Problem::LooksLikeFullName);
        }
        let follow_up = opt_date("follow_up", &self.follow_up, &mut problems);
        if let (Some(f), Some(d)) = (follow_up, date) {
            if f < d {
                problems.insert("follow_up", Problem::FollowUpBeforeContact);
            }
        }
        let wish_date = opt_date("wish_date", &self.wish_date, &mut problems);
        let area = match self.area.as_deref().filter(|a| !a.is_empty()) {
            None => serde_json::Value::Null,
            Some(a) => match AreaCode::parse(a) {
                Ok(code) => json!(code.to_string()),
                Err(_) => {
                    problems.insert("area", Problem::BadArea);
                    serde_json::Value::Null
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let (Some(date), Some(time)) = (date, time) else { return Err(problems) };
        let worry_list = |list: &[String]| json!(list.iter().filter(|w| Worry::from_id(w).is_some()).collect::<Vec<_>>());
        let hospital = self.is_hospital_visit();
        let fields = vec![
            ("at".to_owned(), json!(JstDateTime { date, time }.to_string())),
            ("duration_min".to_owned(), duration.map_or(serde_json::Value::Null, |d| json!(d))),
            ("mode".to_owned(), choice(&self.mode, CONTACT_MODES)),
            ("person".to_owned(), text(&self.person)),
            ("caller".to_owned(), choice(&self.caller, CALLERS)),
            ("relation".to_owned(), if self.caller.as_deref() == Some("self") { serde_json::Value::Null } else { text(&self.relation) }),
            ("age_band".to_owned(), choice(&self.age_band, AGE_BANDS)),
            ("area".to_owned(), area),
            ("worries".to_owned(), worry_list(&self.worries)),
            ("unmet_worries".to_owned(), worry_list(&self.unmet_worries)),
            ("actions".to_owned(), json!(self.actions.iter().filter(|a| ACTIONS.contains(&a.as_str())).collect::<Vec<_>>())),
            ("note".to_owned(), text(&self.note)),
            ("referrals".to_owned(), serde_json::to_value(&self.referrals).unwrap_or(serde_json::Value::Null)),
            ("follow_up".to_owned(), follow_up.map_or(serde_json::Value::Null, |d| json!(d.to_string()))),
            ("risk".to_owned(), json!(self.risk)),
            ("status".to_owned(), json!(if self.closed { "closed" } else { "open" })),
            ("partner".to_owned(), if hospital { text(&self.partner) } else { serde_json::Value::Null }),
            ("hospital".to_owned(), if hospital { text(&self.hospital) } else { serde_json::Value::Null }),
            ("wish_method".to_owned(), if hospital { choice(&self.wish_method, WISH_METHODS) } else { serde_json::Value::Null }),
            ("wish_date".to_owned(), if hospital { wish_date.map_or(serde_json::Value::Null, |d| json!(d.to_string())) } else { serde_json::Value::Null }),
        ];
        let visibility = if self.shared { Visibility::Group } else { Visibility::Private };
        Ok((visibility, fields))
    }
}

/// Monthly counts for the group's report, computed on the device:
/// `(month "YYYY-MM", key) → count`, for modes and for worries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthlyCounts {
    pub by_mode: BTreeMap<(String, String), u32>,
    pub by_worry: BTreeMap<(String, String), u32>,
    pub months: Vec<String>,
}

pub fn monthly_counts<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> MonthlyCounts {
    let mut out = MonthlyCounts::default();
    for c in contacts {
        let Some(date) = c.date() else { continue };
        let month = date.month_key();
        *out.by_mode.entry((month.clone(), c.mode.clone())).or_default() += 1;
        for w in &c.worries {
            *out.by_worry.entry((month.clone(), w.id().to_owned())).or_default() += 1;
        }
        if !out.months.contains(&month) {
            out.months.push(month);
        }
    }
    out.months.sort();
    out
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::time::JstDateTime;

    fn now() -> JstDateTime {
        JstDateTime::parse("2026-11-24T10:30").unwrap()
    }

    #[test]
    fn the_quick_case_is_valid_as_is() {
        let mut form = ContactForm::new(now());
        form.worries = vec!["housing".into()];
        form.note = "家賃が払えないと電話".into();
        let (vis, fields) = form.to_fields().unwrap();
        assert_eq!(vis, Visibility::Private, "private by default");
        let at = fields.iter().find(|(f, _)| f == "at").unwrap();
        assert_eq!(at.1, json!("2026-11-24T10:30"));
        assert_eq!(fields.iter().find(|(f, _)| f == "mode").unwrap().1, json!("phone"));
    }

    #[test]
    fn problems_are_reported_per_field() {
        let mut form = ContactForm::new(now());
        form.mode = None;
        form.date = "2026-13-01".into();
        form.person = "あ".repeat(21);
        form.follow_up = "someday".into();
        form.duration_min = "ten".into();
        let problems = form.to_fields().unwrap_err();
        assert_eq!(problems.get("mode"), Some(&Problem::Required));
        assert_eq!(problems.get("date"), Some(&Problem::BadDate));
        assert_eq!(problems.get("person"), Some(&Problem::TooLong(20)));
        assert_eq!(problems.get("follow_up"), Some(&Problem::BadDate));
        assert_eq!(problems.get("duration_min"), Some(&Problem::NotANumber));
    }

    #[test]
    fn full_names_are_refused_nicknames_are_fine() {
        for bad in ["山田 太郎", "山田　太郎"] {
            let mut form = ContactForm::new(now());
            form.person = bad.into();
            assert_eq!(form.to_fields().unwrap_err().get("person"), Some(&Problem::LooksLikeFullName), "{bad}");
        }
        for ok in ["Aさん", "K.T.", "ゆう", "山田さん"] {
            let mut form = ContactForm::new(now());
            form.person = ok.into();
            assert!(form.to_fields().is_ok(), "{ok}");
        }
    }

    #[test]
    fn follow_up_cannot_precede_the_contact() {
        let mut form = ContactForm::new(now());
        form.follow_up = "2026-11-23".into();
        assert_eq!(form.to_fields().unwrap_err().get("follow_up"), Some(&Problem::FollowUpBeforeContact));
        form.follow_up = "2026-11-24".into();
        assert!(form.to_fields().is_ok());
    }

    #[test]
    fn hospital_fields_only_for_hospital_visits() {
        let mut form = ContactForm::new(now());
        form.partner = "Bさん".into();
        let (_, fields) = form.to_fields().unwrap();
        assert_eq!(fields.iter().find(|(f, _)| f == "partner").unwrap().1, serde_json::Value::Null);
        form.mode = Some("hospital".into());
        let (_, fields) = form.to_fields().unwrap();
        assert_eq!(fields.iter().find(|(f, _)| f == "partner").unwrap().1, json!("Bさん"));
    }

    #[test]
    fn every_field_the_form_writes_passes_the_server_schema() {
        let mut form = ContactForm::new(now());
        form.mode = Some("hospital".into());
        form.worries = vec!["inpatient".into(), "rights".into()];
        form.referrals = vec![Referral { window: "national:yorisoi".into(), name: "よりそい".into(), state: "referred".into(), on: None }];
        form.area = Some("281000".into());
        form.wish_method = Some("letter".into());
        let (_, fields) = form.to_fields().unwrap();
        let schema = crate::collection::Collection::Contact.schema();
        for (name, value) in fields {
            let kind = schema.kind(&name).unwrap_or_else(|| panic!("{name} not in the schema"));
            kind.check(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn monthly_counts_by_mode_and_worry() {
        let rec = |at: &str, mode: &str, worries: &[&str]| {
            let mut form = ContactForm::new(JstDateTime::parse(at).unwrap());
            form.mode = Some(mode.into());
            form.worries = worries.iter().map(|w| w.to_string()).collect();
            let (_, fields) = form.to_fields().unwrap();
            let client = crate::ids::ClientId::from_random([1; 8]);
            let t = crate::hlc::Hlc::new(1, 0, client);
            let mut r = Record::new(crate::ids::RecordId::new_v7(1, [1; 10]), crate::collection::Collection::Contact, crate::ids::GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]), crate::record::Stamped::new(Visibility::Private, t.clone()));
            for (f, v) in fields {
                r.write(&f, v, t.clone());
            }
            Contact::from_record(&r).unwrap()
        };
        let contacts = [rec("2026-10-01T10:00", "phone", &["housing"]), rec("2026-10-20T10:00", "phone", &["housing", "money"]), rec("2026-11-02T10:00", "visit", &[])];
        let counts = monthly_counts(&contacts);
        assert_eq!(counts.months, vec!["2026-10".to_owned(), "2026-11".to_owned()]);
        assert_eq!(counts.by_mode[&("2026-10".into(), "phone".into())], 2);
        assert_eq!(counts.by_worry[&("2026-10".into(), "housing".into())], 2);
        assert_eq!(counts.by_mode[&("2026-11".into(), "visit".into())], 1);
    }
}

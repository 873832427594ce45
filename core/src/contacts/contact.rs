//! Contacts (相談・活動の記録): one conversation or visit, with the rules a
//! form must meet — no full names, a follow-up after the contact, and for a
//! hospital visit (入院者訪問支援事業) the pair and the patient's wish.

use serde_json::Value;

use crate::base::taxonomy::Worry;
use crate::base::text;
use crate::base::time::{Date, JstDateTime};
use crate::directory::area::AreaCode;
use crate::directory::correction::WindowRef;
use crate::schema::field::{Featured, Int, Note, Set, Structured, Text};
use crate::schema::{Kind, Problem, Problems, value};
use crate::sync::collection::Collection;
use crate::{collection, structured, vocabulary};

vocabulary! {
    /// How the contact happened (相談の形).
    Mode {
        Phone = "phone", "電話", "Phone";
        InPerson = "in_person", "対面", "In person";
        Visit = "visit", "訪問", "Home visit";
        Hospital = "hospital", "病院訪問", "Hospital visit";
        Online = "online", "オンライン・SNS", "Online / SNS";
        Accompany = "accompany", "同行", "Accompanying";
    }
}

vocabulary! {
    /// Who came to talk.
    Caller {
        Person = "self", "本人", "The person";
        Family = "family", "家族", "Family";
        Supporter = "supporter", "支援者", "Supporter";
        Other = "other", "その他", "Other";
    }
}

vocabulary! {
    AgeBand {
        Under20 = "under_20", "〜19歳", "under 20";
        Twenties = "20s", "20代", "20s";
        Thirties = "30s", "30代", "30s";
        Forties = "40s", "40代", "40s";
        Fifties = "50s", "50代", "50s";
        Sixties = "60s", "60代", "60s";
        Seventies = "70s", "70代", "70s";
        EightyPlus = "80_plus", "80代以上", "80+";
        Unknown = "unknown", "わからない", "Unknown";
    }
}

vocabulary! {
    /// What the supporter did.
    Action {
        Listening = "listening", "傾聴", "Listening";
        LifeTalk = "life_talk", "生活相談", "Talking about daily life";
        Information = "information", "情報提供", "Information";
        Accompany = "accompany", "同行", "Accompanying";
        Referral = "referral", "紹介", "Referral";
        Coordination = "coordination", "連絡調整", "Coordination";
        Other = "other", "その他", "Other";
    }
}

impl Featured for Action {
    const FEATURED: usize = usize::MAX;
}

impl Action {
    /// What a hospital visitor does: listen, talk about daily life, give
    /// information (not arrange services on the patient's behalf).
    pub const VISITOR: [Action; 4] = [Action::Listening, Action::LifeTalk, Action::Information, Action::Other];
    /// The same, by id (what a form offers).
    pub const VISITOR_IDS: &'static [&'static str] = &["listening", "life_talk", "information", "other"];
}

vocabulary! {
    ContactStatus {
        Open = "open", "対応中", "Open";
        Closed = "closed", "終了", "Closed";
    }
}

vocabulary! {
    /// How a patient's wish for a visit was confirmed.
    WishMethod {
        Phone = "phone", "電話", "Phone";
        Letter = "letter", "手紙", "Letter";
        InPerson = "in_person", "面会で", "In person";
        ViaStaff = "via_staff", "病院職員を通じて", "Through hospital staff";
        Other = "other", "その他", "Other";
    }
}

vocabulary! {
    /// 次回訪問の希望.
    NextVisit {
        Wanted = "wanted", "希望あり", "Wants another visit";
        NotWanted = "not_wanted", "希望なし", "No further visit";
        Undecided = "undecided", "まだ決めていない", "Not decided";
    }
}

vocabulary! {
    /// Where a referral stands: 紹介した → 連絡がついた → 支援開始 / つながらず.
    ReferralState {
        Referred = "referred", "紹介した", "Referred";
        Contacted = "contacted", "連絡がついた", "Reached";
        Started = "started", "支援開始", "Support started";
        NotConnected = "not_connected", "つながらず", "Not connected";
    }
}

/// One referral of a contact to a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub window: WindowRef,
    /// The window's name when referred (kept if the entry changes).
    pub name: String,
    pub state: ReferralState,
    pub on: Option<Date>,
}

impl Referral {
    pub fn connected(&self) -> bool {
        matches!(self.state, ReferralState::Contacted | ReferralState::Started)
    }
}

/// A contact's referrals (at most 20).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referrals(pub Vec<Referral>);

impl std::ops::Deref for Referrals {
    type Target = [Referral];
    fn deref(&self) -> &[Referral] {
        &self.0
    }
}

impl Structured for Referrals {
    const KIND: Kind = Kind::Referrals;

    fn read(v: &Value) -> Result<Self, String> {
        let mut out = Vec::new();
        for (i, item) in value::list(v, 20)?.iter().enumerate() {
            let at = |e: String| format!("[{i}].{e}");
            let o = value::object(item).map_err(at)?;
            value::only(o, &["window", "name", "state", "on"]).map_err(at)?;
            // A window of the directory or a national line; or none, when
            // the person named a place the directory does not hold.
            let window = match value::opt_str(o, "window").map_err(at)? {
                Some(w) => WindowRef::parse(w).map_err(|e| format!("[{i}].window: {e}"))?,
                None => WindowRef::None,
            };
            let name = value::opt_str(o, "name").map_err(at)?.unwrap_or("");
            value::line(name, 100).map_err(|e| format!("[{i}].name: {e}"))?;
            if window.is_none() && name.trim().is_empty() {
                return Err(format!("[{i}]: a referral names its window"));
            }
            let state = value::str(o, "state").map_err(at)?;
            let state = ReferralState::from_id(state).ok_or_else(|| format!("[{i}].state: {state:?} is not a referral state"))?;
            let on = value::opt_str(o, "on").map_err(at)?.map(Date::parse).transpose().map_err(|e| format!("[{i}].on: {e}"))?;
            out.push(Referral { window, name: name.to_owned(), state, on });
        }
        Ok(Self(out))
    }

    fn write(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|r| {
                    value::obj(vec![
                        ("window", crate::schema::FieldType::to_value(&r.window)),
                        ("name", value::text(&r.name)),
                        ("state", Value::String(r.state.id().to_owned())),
                        ("on", r.on.map_or(Value::Null, |d| Value::String(d.to_string()))),
                    ])
                })
                .collect(),
        )
    }
}
structured!(Referrals);

collection! {
    /// One conversation or visit.
    pub struct Contact in Collection::Contact => {
        at: Option<JstDateTime> [required details] "日時" "Date and time",
        mode: Option<Mode> [required quick] "相談の形" "Mode",
        // A nickname or initials; there is deliberately no name field.
        person: Text<20> [details] "相手（ニックネームかイニシャル）" "Person (nickname or initials)" hint "フルネームは書きません。" "Never a full name.",
        worries: Set<Worry> [quick] "悩み（いくつでも）" "Worries (any number)",
        note: Note<4000> [quick] "メモ（本人の言葉で）" "Notes (in the person's words)",
        risk: bool [quick] "危険がある（自殺・他害のおそれなど）" "At risk (suicide, harm)",
        partner: Text<20> [hospital] "ペアの訪問者" "Visiting partner" hint "訪問は2人1組です。" "Visits are made in pairs.",
        hospital: Text<60> [hospital] "病院" "Hospital",
        wish_method: Option<WishMethod> [hospital] "訪問の希望を確認した方法" "How the wish for a visit was confirmed",
        wish_date: Option<Date> [hospital] "希望を確認した日" "Date the wish was confirmed",
        next_visit: Option<NextVisit> [hospital] "次回訪問の希望" "Another visit wanted?",
        caller: Option<Caller> [details] "相談してきた人" "Who came",
        relation: Text<30> [details] "本人との関係（例：母）" "Relation to the person (e.g. mother)",
        age_band: Option<AgeBand> [details] "年代" "Age",
        area: Option<AreaCode> [details] "住んでいる地域" "Where the person lives",
        duration_min: Int<0, 1440> [details] "かかった時間（分）" "Duration (minutes)",
        actions: Set<Action> [details] "したこと" "What was done",
        referrals: Referrals [details] "紹介先" "Referrals",
        unmet_worries: Set<Worry> [details] "窓口が見つからなかった悩み" "Worries no window fitted",
        follow_up: Option<Date> [details] "フォローアップ日" "Follow-up date",
        status: Option<ContactStatus> [details] "状態" "Status",
    }
    rules Contact::tidy_and_check
}

/// Family names common enough that 「山田太郎」 reads as a full name.
const FAMILY_NAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村",
    "斎藤", "清水", "山崎", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤",
    "村上", "遠藤", "青木", "坂本", "斉藤", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原", "中野", "三浦", "原田", "中川", "松田",
    "竹内", "小野", "田村", "中山", "和田", "石田", "森田", "上田", "内田", "柴田", "酒井", "宮崎", "横山", "高木", "安藤", "宮本", "大野",
    "小島", "谷口", "今井", "工藤", "高田", "増田", "丸山", "杉山", "村田", "大塚", "新井", "小山", "平野", "藤本", "河野", "上野", "野口",
    "武田", "松井", "千葉", "岩崎", "菅原", "木下", "久保", "佐野", "野村", "松尾", "菊地", "杉本", "市川", "古川", "大西", "島田", "水野",
    "桜井", "高野", "渡部", "吉川", "山内", "西田", "飯田", "菊池", "西川", "小松", "北村", "安田", "五十嵐", "川口", "平田", "中田", "久保田",
    "服部", "岩田", "土屋", "川崎", "福島", "本田", "樋口", "秋山", "田口", "永井", "山中", "中西", "吉村", "川上", "石原", "大橋", "松岡",
    "馬場", "浅野", "荒木", "大久保", "野田", "小池", "比嘉", "金城", "大城", "宮城", "新垣", "玉城", "上原", "林", "森", "原", "関", "辻",
];

/// Words after a name that make it a way of addressing someone, not a
/// full name: 「田中課長」「山田先生」「ゆう ちゃん」.
const TITLES: &[&str] = &["さん", "さま", "様", "くん", "君", "ちゃん", "氏", "殿", "先生", "課長", "部長", "係長", "所長", "主任"];

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '々'
}

fn is_kana(c: char) -> bool {
    ('\u{3041}'..='\u{3096}').contains(&c) || ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

/// A full name rather than a nickname: 「山田 太郎」 (two words of
/// kanji), 「山田太郎」 (four or more kanji starting with a common family
/// name), 「やまだ たろう」 (two words of kana).
pub fn looks_like_full_name(s: &str) -> bool {
    let s = s.trim();
    if TITLES.iter().any(|t| s.ends_with(t)) {
        return false;
    }
    let words: Vec<&str> = s.split([' ', '\u{3000}']).filter(|w| !w.is_empty()).collect();
    if words.len() >= 2 {
        let all = |f: fn(char) -> bool, min: usize| words.iter().all(|w| w.chars().count() >= min && w.chars().all(f));
        return all(is_kanji, 1) || all(is_kana, 2);
    }
    let n = s.chars().count();
    n >= 4 && s.chars().all(is_kanji) && FAMILY_NAMES.iter().any(|f| s.starts_with(f) && s.chars().count() > f.chars().count())
}

impl Contact {
    pub fn is_hospital_visit(&self) -> bool {
        self.mode == Some(Mode::Hospital)
    }

    pub fn date(&self) -> Option<Date> {
        self.at.map(|t| t.date)
    }

    pub fn is_open(&self) -> bool {
        self.status != Some(ContactStatus::Closed)
    }

    /// A new contact: now, by phone (the common case).
    pub fn new(now: JstDateTime) -> Self {
        Self { at: Some(now), mode: Some(Mode::Phone), ..Self::default() }
    }

    /// Clears what does not apply (the hospital fields on other contacts,
    /// the relation when the person came themselves) and names every
    /// problem across fields.
    fn tidy_and_check(&mut self) -> Problems {
        let mut p = Problems::new();
        if self.caller == Some(Caller::Person) {
            self.relation = Text::default();
        }
        if self.is_hospital_visit() {
            for (field, empty) in [("partner", self.partner.is_empty()), ("wish_method", self.wish_method.is_none()), ("wish_date", self.wish_date.is_none())] {
                if empty {
                    p.insert(field, Problem::Required);
                }
            }
            if let (Some(wish), Some(visit)) = (self.wish_date, self.date())
                && wish > visit
            {
                p.insert("wish_date", Problem::WishAfterVisit);
            }
        } else {
            self.partner = Text::default();
            self.hospital = Text::default();
            self.wish_method = None;
            self.wish_date = None;
            self.next_visit = None;
        }
        if looks_like_full_name(&self.person) {
            p.insert("person", Problem::LooksLikeFullName);
        }
        if looks_like_full_name(&self.partner) {
            p.insert("partner", Problem::LooksLikeFullName);
        }
        if let (Some(f), Some(d)) = (self.follow_up, self.date())
            && f < d
        {
            p.insert("follow_up", Problem::FollowUpBeforeContact);
        }
        if self.worries.is_empty() && self.note.trim().is_empty() && self.referrals.is_empty() {
            p.insert("worries", Problem::Empty);
        }
        p
    }

    /// What to confirm before saving (not refusals): a date beyond
    /// tomorrow, and on a hospital visit anything but a visitor's role.
    pub fn warnings(&self, today: Date) -> Problems {
        let mut p = Problems::new();
        if self.date().is_some_and(|d| d > today.add_days(1)) {
            p.insert("at", Problem::FarFuture);
        }
        if self.is_hospital_visit() && self.actions.iter().any(|a| !Action::VISITOR.contains(a)) {
            p.insert("actions", Problem::NotAVisitorsRole);
        }
        p
    }

    /// What a search looks in, folded: the nickname, the worries (in both
    /// languages), the notes, the referrals, the hospital.
    pub fn search_text(&self) -> String {
        let mut s = String::new();
        for part in [self.person.as_str(), &self.relation, &self.note, &self.hospital, &self.partner] {
            s.push_str(part);
            s.push(' ');
        }
        for w in self.worries.iter() {
            s.push_str(w.ja());
            s.push_str(w.en());
        }
        for r in self.referrals.iter() {
            s.push_str(&r.name);
        }
        text::fold(&s)
    }

    /// Overdue follow-up: due before `today` on an open contact.
    pub fn overdue(&self, today: Date) -> bool {
        self.is_open() && self.follow_up.is_some_and(|d| d < today)
    }

    pub fn due_today(&self, today: Date) -> bool {
        self.is_open() && self.follow_up == Some(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Input, Typed};
    use serde_json::json;

    fn now() -> JstDateTime {
        JstDateTime::parse("2026-11-24T10:30").unwrap()
    }

    fn form(c: &Contact) -> crate::schema::FormValues {
        c.to_inputs()
    }

    fn quick() -> Contact {
        let mut c = Contact::new(now());
        c.worries = Set(vec![Worry::Housing]);
        c
    }

    #[test]
    fn the_quick_case_is_valid_as_is() {
        let mut c = quick();
        c.note = Note::new("家賃が払えないと電話");
        let back = Contact::from_inputs(&form(&c)).unwrap();
        assert_eq!(back, c);
        let fields = back.to_fields();
        assert_eq!(fields.iter().find(|(f, _)| *f == "at").unwrap().1, json!("2026-11-24T10:30"));
        assert_eq!(fields.iter().find(|(f, _)| *f == "mode").unwrap().1, json!("phone"));
    }

    #[test]
    fn problems_are_reported_per_field() {
        let mut f = form(&quick());
        f.insert("mode", Input::One(None));
        f.insert("at", Input::Text("2026-13-01T10:00".into()));
        f.insert("person", Input::Text("あ".repeat(21)));
        f.insert("follow_up", Input::Text("someday".into()));
        f.insert("duration_min", Input::Text("ten".into()));
        let problems = Contact::from_inputs(&f).unwrap_err();
        assert_eq!(problems.get("mode"), Some(&Problem::Required));
        assert_eq!(problems.get("at"), Some(&Problem::BadDate));
        assert_eq!(problems.get("person"), Some(&Problem::TooLong(20)));
        assert_eq!(problems.get("follow_up"), Some(&Problem::BadDate));
        assert_eq!(problems.get("duration_min"), Some(&Problem::NotANumber));
        f.insert("at", Input::Text("2026-11-24T".into()));
        assert_eq!(Contact::from_inputs(&f).unwrap_err().get("at"), Some(&Problem::BadTime));
    }

    #[test]
    fn full_names_are_refused_nicknames_are_fine() {
        for bad in ["山田 太郎", "山田　太郎", "山田太郎", "佐々木健太郎", "やまだ たろう", "ヤマダ タロウ"] {
            assert!(looks_like_full_name(bad), "{bad}");
            let mut c = quick();
            c.person = Text::new(bad);
            assert_eq!(Contact::from_inputs(&form(&c)).unwrap_err().get("person"), Some(&Problem::LooksLikeFullName), "{bad}");
        }
        for ok in ["Aさん", "K.T.", "ゆう", "山田さん", "田中課長", "ゆう ちゃん", "山田", "太郎", "花子母"] {
            assert!(!looks_like_full_name(ok), "{ok}");
        }
    }

    #[test]
    fn follow_up_cannot_precede_the_contact() {
        let mut c = quick();
        c.follow_up = Date::parse("2026-11-23").ok();
        assert_eq!(Contact::from_inputs(&form(&c)).unwrap_err().get("follow_up"), Some(&Problem::FollowUpBeforeContact));
        c.follow_up = Date::parse("2026-11-24").ok();
        assert!(Contact::from_inputs(&form(&c)).is_ok());
    }

    #[test]
    fn an_empty_contact_is_refused_at_the_worries() {
        let c = Contact::new(now());
        assert_eq!(Contact::from_inputs(&form(&c)).unwrap_err().get("worries"), Some(&Problem::Empty));
        let mut noted = c.clone();
        noted.note = Note::new("声を聞けた");
        assert!(Contact::from_inputs(&form(&noted)).is_ok());
        let mut referred = c;
        referred.referrals = Referrals(vec![Referral { window: WindowRef::National("yorisoi".into()), name: "よりそい".into(), state: ReferralState::Referred, on: None }]);
        assert!(Contact::from_inputs(&form(&referred)).is_ok());
    }

    #[test]
    fn a_hospital_visit_needs_the_pair_and_the_wish_before_the_visit() {
        let mut c = quick();
        c.mode = Some(Mode::Hospital);
        let problems = Contact::from_inputs(&form(&c)).unwrap_err();
        for field in ["partner", "wish_method", "wish_date"] {
            assert_eq!(problems.get(field), Some(&Problem::Required), "{field}");
        }
        c.partner = Text::new("Bさん");
        c.wish_method = Some(WishMethod::Letter);
        c.wish_date = Date::parse("2026-11-25").ok();
        assert_eq!(Contact::from_inputs(&form(&c)).unwrap_err().get("wish_date"), Some(&Problem::WishAfterVisit));
        c.wish_date = Date::parse("2026-11-20").ok();
        c.next_visit = Some(NextVisit::Wanted);
        assert_eq!(Contact::from_inputs(&form(&c)), Ok(c.clone()));
        // On another kind of contact the hospital fields are dropped.
        c.mode = Some(Mode::Phone);
        let phone = Contact::from_inputs(&form(&c)).unwrap();
        assert!(phone.partner.is_empty() && phone.wish_date.is_none() && phone.next_visit.is_none());
    }

    #[test]
    fn the_visitor_actions_by_id_are_the_visitor_actions() {
        assert_eq!(Action::VISITOR.map(Action::id).as_slice(), Action::VISITOR_IDS);
    }

    #[test]
    fn warnings_for_far_dates_and_a_visitors_role() {
        let today = Date::parse("2026-11-24").unwrap();
        let mut c = quick();
        assert!(c.warnings(today).is_empty());
        c.at = JstDateTime::parse("2026-11-25T09:00").ok();
        assert!(c.warnings(today).is_empty(), "tomorrow is fine");
        c.at = JstDateTime::parse("2030-01-01T09:00").ok();
        assert_eq!(c.warnings(today).get("at"), Some(&Problem::FarFuture));
        let mut visit = quick();
        visit.mode = Some(Mode::Hospital);
        visit.actions = Set(vec![Action::Listening, Action::LifeTalk]);
        assert!(visit.warnings(today).is_empty());
        visit.actions = Set(vec![Action::Coordination]);
        assert_eq!(visit.warnings(today).get("actions"), Some(&Problem::NotAVisitorsRole));
    }

    #[test]
    fn a_contact_round_trips_through_its_record_fields() {
        let mut c = quick();
        c.mode = Some(Mode::Hospital);
        c.partner = Text::new("Bさん");
        c.hospital = Text::new("みなと病院");
        c.wish_method = Some(WishMethod::ViaStaff);
        c.wish_date = Date::parse("2026-11-20").ok();
        c.area = AreaCode::parse("281000").ok();
        c.duration_min = Int(Some(45));
        c.actions = Set(vec![Action::LifeTalk]);
        c.referrals = Referrals(vec![Referral { window: WindowRef::National("yorisoi".into()), name: "よりそい".into(), state: ReferralState::Contacted, on: Date::parse("2026-11-24").ok() }]);
        c.status = Some(ContactStatus::Closed);
        let fields = c.to_fields();
        for (name, value) in &fields {
            assert_eq!(Contact::check(name, value), Some(Ok(())), "{name}");
        }
        assert_eq!(Contact::from_fields(&|n| fields.iter().find(|(k, _)| *k == n).map(|(_, v)| v)), c);
        assert!(Referrals::parse(&json!([{"window": "national:a", "state": "referred", "secret": 1}])).unwrap_err().contains("unknown field"));
        assert!(Referrals::parse(&json!([{"window": "national:a", "name": {"big": "x"}, "state": "referred"}])).is_err());
        assert!(Referrals::parse(&json!([{"window": "national:a", "state": "maybe"}])).unwrap_err().starts_with("[0].state"));
    }

    use crate::schema::FieldType;
}

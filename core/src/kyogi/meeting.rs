//! 協議の場: meetings, who of the group attends, what they raise (提起事項)
//! and what came of it, across meetings; reports by fiscal year and an
//! iCalendar file of upcoming meetings.

use crate::base::map::SortedMap;

use serde_json::Value;

use super::evidence::Snapshot;
use crate::base::csv;
use crate::base::taxonomy::Worry;
use crate::base::time::{Date, FiscalYear, JstDateTime, TimeOfDay};
use crate::directory::area::AreaCode;
use crate::schema::field::{Featured, Note, Refs, Set, Text};
use crate::schema::{Doc, Problem, Problems};
use crate::sync::collection::Collection;
use crate::sync::ids::{RecordId, UserId};
use crate::{collection, vocabulary};

vocabulary! {
    /// Which 協議の場: the three levels of the seed.
    MeetingLevel {
        Municipal = "municipal", "市町村", "Municipality";
        Area = "area", "障害保健福祉圏域", "Health area";
        Prefecture = "prefecture", "都道府県", "Prefecture";
    }
}

vocabulary! {
    /// The three things a 協議の場 works on.
    Axis {
        Individual = "individual", "個別支援の検討", "Individual support";
        System = "system", "支援体制の整備", "Support system";
        Base = "base", "地域基盤の整備", "Community resources";
    }
}

impl Featured for Axis {
    const FEATURED: usize = usize::MAX;
}

vocabulary! {
    MeetingStatus {
        Planned = "planned", "予定", "Planned";
        Held = "held", "開催済", "Held";
        Cancelled = "cancelled", "中止", "Cancelled";
    }
}

vocabulary! {
    /// As whom a member takes part.
    Capacity {
        Peer = "peer", "ピアサポーター", "Peer supporter";
        Family = "family", "家族", "Family";
        Person = "self", "本人", "Person with lived experience";
    }
}

vocabulary! {
    ItemStatus {
        Accepted = "accepted", "受理", "Accepted";
        Considering = "considering", "検討中", "Under consideration";
        Done = "done", "対応済", "Done";
        Declined = "declined", "見送り", "Declined";
        Carried = "carried", "持越し", "Carried over";
    }
}

impl ItemStatus {
    /// Still needs following up.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Accepted | Self::Considering | Self::Carried)
    }
}

collection! {
    pub struct Meeting in Collection::Meeting => {
        body: Text<100> [required quick] "会議の名前（例：○○市 にも包括 協議の場）" "Name of the body",
        level: Option<MeetingLevel> [required quick] "レベル" "Level",
        date: Option<Date> [required quick] "日付" "Date",
        start: Option<TimeOfDay> [quick] "開始" "Starts",
        end: Option<TimeOfDay> [quick] "終了" "Ends",
        place: Text<120> [quick] "場所" "Place",
        online: bool [quick] "オンライン" "Online",
        area: Option<AreaCode> [details] "地域" "Area",
        agenda: Note<4000> [details] "議題" "Agenda",
        axes: Set<Axis> [details] "取り組んだこと" "What it worked on",
        status: Option<MeetingStatus> [details] "状態" "Status",
        minutes: Note<8000> [details] "記録・議事メモ" "Minutes",
    }
    rules Meeting::check_times
}

impl Meeting {
    fn check_times(&mut self) -> Problems {
        let mut p = Problems::new();
        if let (Some(s), Some(e)) = (self.start, self.end)
            && e <= s
        {
            p.insert("end", Problem::BadTime);
        }
        p
    }

    pub fn status(&self) -> MeetingStatus {
        self.status.unwrap_or(MeetingStatus::Planned)
    }
}

collection! {
    /// One member's participation in one meeting (its id derived from both).
    pub struct Attendance in Collection::Attendance => {
        meeting: Option<RecordId> [required hidden] "会議" "Meeting",
        member: Option<UserId> [required hidden] "メンバー" "Member",
        member_name: Text<40> [hidden] "名前" "Name",
        capacity: Option<Capacity> [quick] "立場" "As",
        planned: bool [quick] "参加予定" "Will attend",
        attended: bool [quick] "出席した" "Attended",
        prep: Note<4000> [quick] "準備メモ" "Preparation notes",
    }
}

/// One member's attendance at one meeting has one id on every device, so
/// that two members recording at once never make two records.
pub fn attendance_id(meeting: &RecordId, member: &UserId) -> RecordId {
    RecordId::derived(&["attendance", meeting.as_str(), member.as_str()])
}

collection! {
    /// 提起事項: something a member raised.
    pub struct Item in Collection::Item => {
        body: Text<100> [required hidden] "会議の名前" "Body",
        meetings: Refs [hidden] "取り上げた会議" "Raised at",
        title: Text<120> [required quick] "提起すること" "What is raised",
        detail: Note<4000> [quick] "くわしく" "Details",
        worries: Set<Worry> [quick] "関係する悩み" "Worries it concerns",
        raised_by: Option<UserId> [hidden] "提起した人" "Raised by",
        raised_by_name: Text<40> [hidden] "提起した人の名前" "Raised by (name)",
        taken_by: Text<100> [details] "会議で受けた人・部署" "Taken by (in the meeting)",
        evidence: Snapshot [hidden] "記録からの根拠" "Evidence from records",
    }
}

collection! {
    /// A dated status update of an item: its history.
    pub struct ItemUpdate in Collection::ItemUpdate => {
        item: Option<RecordId> [required hidden] "提起事項" "Item",
        meeting: Option<RecordId> [hidden] "会議" "Meeting",
        date: Option<Date> [required quick] "日付" "Date",
        status: Option<ItemStatus> [required quick] "いまの状態" "Status",
        note: Note<2000> [quick] "メモ" "Note",
    }
}

/// An item with its history (its updates, oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    pub item: Doc<Item>,
    pub history: Vec<Doc<ItemUpdate>>,
}

impl Tracked {
    /// Gathers an item's updates (given in any order) into its history.
    pub fn new(item: Doc<Item>, updates: &[Doc<ItemUpdate>]) -> Self {
        let mut history: Vec<Doc<ItemUpdate>> = updates.iter().filter(|u| u.data.item.as_ref() == Some(&item.id)).cloned().collect();
        // Updates of one day in the order they were made.
        crate::base::order::sort_by(&mut history, |a, b| (a.data.date, &a.created).cmp(&(b.data.date, &b.created)));
        Self { item, history }
    }

    /// The status now: the latest update's (受理 when there is none yet).
    pub fn status(&self) -> ItemStatus {
        self.history.last().and_then(|u| u.data.status).unwrap_or(ItemStatus::Accepted)
    }

    pub fn is_open(&self) -> bool {
        self.status().is_open()
    }

    /// The `meetings` field carrying the item to another meeting too (the
    /// earlier meetings stay); `None` when it is there already.
    pub fn carry_to(&self, meeting: &RecordId) -> Option<Refs> {
        if self.item.data.meetings.contains(meeting) {
            return None;
        }
        let mut list = self.item.data.meetings.0.clone();
        list.push(meeting.clone());
        Some(Refs(list))
    }
}

/// 「前回からの宿題」: the body's open items raised before `meeting` and
/// not yet carried to it, oldest first.
pub fn homework<'a>(meeting: &Doc<Meeting>, meetings: &[Doc<Meeting>], items: &'a [Tracked]) -> Vec<&'a Tracked> {
    let Some(date) = meeting.data.date else { return Vec::new() };
    let earlier: Vec<&RecordId> = meetings
        .iter()
        .filter(|m| m.data.body == meeting.data.body && m.id != meeting.id && m.data.date.is_some_and(|d| d < date))
        .map(|m| &m.id)
        .collect();
    let mut out: Vec<&Tracked> = items
        .iter()
        .filter(|i| i.is_open() && !i.item.data.meetings.contains(&meeting.id) && i.item.data.meetings.iter().any(|m| earlier.contains(&m)))
        .collect();
    crate::base::order::sort_by_key(&mut out, |i| i.history.first().and_then(|u| u.data.date));
    out
}

/// Folds an iCalendar content line (RFC 5545 §3.1): every line, the
/// continuation's leading space included, is at most 75 octets, and a
/// character is never split.
fn fold_line(out: &mut String, s: &str) {
    let mut used = 0;
    for c in s.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// Upcoming meetings as an iCalendar (RFC 5545) file, times in Japan time.
pub fn icalendar(meetings: &[Doc<Meeting>], from: Date, stamp_utc: &str) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold_line(&mut out, &s);
    let escape = |s: &str| s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "");
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//nimo//協議の場//JA",
        "CALSCALE:GREGORIAN",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Tokyo",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+0900",
        "TZNAME:JST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(l.to_owned());
    }
    let fmt = |d: Date, t: TimeOfDay| format!("{:04}{:02}{:02}T{:02}{:02}00", d.year(), d.month(), d.day(), t.minutes() / 60, t.minutes() % 60);
    let day = |d: Date| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
    for doc in meetings.iter().filter(|m| m.data.status() == MeetingStatus::Planned && m.data.date.is_some_and(|d| d >= from)) {
        let m = &doc.data;
        let Some(date) = m.date else { continue };
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}@nimo", doc.id));
        line(format!("DTSTAMP:{stamp_utc}"));
        match m.start {
            Some(start) => {
                line(format!("DTSTART;TZID=Asia/Tokyo:{}", fmt(date, start)));
                let end = m.end.filter(|e| *e > start).unwrap_or_else(|| TimeOfDay::from_minutes((start.minutes() + 120).min(24 * 60 - 1)).unwrap_or(start));
                line(format!("DTEND;TZID=Asia/Tokyo:{}", fmt(date, end)));
            }
            None => {
                line(format!("DTSTART;VALUE=DATE:{}", day(date)));
                line(format!("DTEND;VALUE=DATE:{}", day(date.add_days(1))));
            }
        }
        line(format!("SUMMARY:{}", escape(&m.body)));
        let place = if m.online && m.place.is_empty() { "オンライン".to_owned() } else { m.place.to_string() };
        if !place.is_empty() {
            line(format!("LOCATION:{}", escape(&place)));
        }
        if !m.agenda.is_empty() {
            line(format!("DESCRIPTION:{}", escape(&m.agenda)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// Held, planned and cancelled meetings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    pub held: u32,
    pub planned: u32,
    pub cancelled: u32,
}

impl Held {
    fn count(&mut self, status: MeetingStatus) {
        match status {
            MeetingStatus::Held => self.held += 1,
            MeetingStatus::Cancelled => self.cancelled += 1,
            MeetingStatus::Planned => self.planned += 1,
        }
    }
}

/// One raised item in the year's list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ItemLine {
    pub date: Date,
    pub body: String,
    pub title: String,
    pub status: ItemStatus,
}

/// What a fiscal year's report holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearReport {
    pub year: Option<FiscalYear>,
    pub by_level: SortedMap<MeetingLevel, Held>,
    /// Meetings (not cancelled) by what they worked on; a meeting may work
    /// on several.
    pub by_axis: SortedMap<Axis, u32>,
    /// member name → (planned, attended)
    pub attendance: SortedMap<String, (u32, u32)>,
    /// status → count, of items raised in the year
    pub items_by_status: SortedMap<ItemStatus, u32>,
    pub items: Vec<ItemLine>,
}

pub fn year_report(year: FiscalYear, meetings: &[Doc<Meeting>], attendance: &[Doc<Attendance>], items: &[Tracked]) -> YearReport {
    let mut r = YearReport { year: Some(year), ..YearReport::default() };
    let in_year: Vec<&Doc<Meeting>> = meetings.iter().filter(|m| m.data.date.is_some_and(|d| year.contains(d))).collect();
    for m in &in_year {
        if let Some(level) = m.data.level {
            r.by_level.get_or_default(level).count(m.data.status());
        }
        if m.data.status() != MeetingStatus::Cancelled {
            for axis in m.data.axes.iter() {
                *r.by_axis.get_or_default(*axis) += 1;
            }
        }
    }
    for a in attendance {
        let counts = in_year.iter().any(|m| a.data.meeting.as_ref() == Some(&m.id) && m.data.status() != MeetingStatus::Cancelled);
        if counts {
            let e = r.attendance.get_or_default(a.data.member_name.to_string());
            e.0 += u32::from(a.data.planned);
            e.1 += u32::from(a.data.attended);
        }
    }
    for t in items {
        // An item belongs to the year of the first meeting it was raised at.
        let first = t
            .item
            .data
            .meetings
            .iter()
            .filter_map(|id| meetings.iter().find(|m| &m.id == id))
            .filter_map(|m| m.data.date.map(|d| (d, m)))
            .min_by_key(|(d, _)| *d);
        if let Some((date, meeting)) = first.filter(|(d, _)| year.contains(*d)) {
            *r.items_by_status.get_or_default(t.status()) += 1;
            r.items.push(ItemLine { date, body: meeting.data.body.to_string(), title: t.item.data.title.to_string(), status: t.status() });
        }
    }
    crate::base::order::sort(&mut r.items);
    r
}

/// The report as CSV for Excel (UTF-8 with BOM).
pub fn year_report_csv(r: &YearReport) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let label = r.year.map(|y| y.label_ja()).unwrap_or_default();
    for (level, h) in &r.by_level {
        rows.push(vec![label.clone(), "会議".into(), level.ja().into(), format!("開催済 {}", h.held), format!("予定 {}", h.planned), format!("中止 {}", h.cancelled)]);
    }
    for axis in Axis::ALL {
        let n = r.by_axis.get(axis).copied().unwrap_or(0);
        rows.push(vec![label.clone(), "取り組み".into(), axis.ja().into(), format!("{n}回"), String::new(), String::new()]);
    }
    for (name, (planned, attended)) in &r.attendance {
        rows.push(vec![label.clone(), "参加".into(), name.clone(), format!("予定 {planned}"), format!("出席 {attended}"), String::new()]);
    }
    for i in &r.items {
        rows.push(vec![label.clone(), "提起事項".into(), format!("{} {}", i.date, i.body), i.title.clone(), i.status.ja().into(), String::new()]);
    }
    csv::document(&["年度", "区分", "項目", "内容1", "内容2", "内容3"], &rows)
}

/// Japan time now as a UTC iCalendar stamp (`20261124T013000Z`).
pub fn utc_stamp(now: JstDateTime) -> String {
    let utc = JstDateTime::from_unix_ms(now.to_unix_ms() - 9 * 3600 * 1000);
    format!("{:04}{:02}{:02}T{:02}{:02}00Z", utc.date.year(), utc.date.month(), utc.date.day(), utc.time.minutes() / 60, utc.time.minutes() % 60)
}

/// A value for `Value`-typed helpers in views (the meetings field).
pub fn refs_value(r: &Refs) -> Value {
    crate::schema::FieldType::to_value(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Typed;
    use crate::sync::collection::Visibility;
    use crate::sync::hlc::Hlc;
    use crate::sync::ids::{ClientId, GroupId};

    fn doc<T>(id: &str, n: u64, data: T) -> Doc<T> {
        Doc {
            id: RecordId::derived(&[id]),
            group: GroupId::new_v7(1, [2; 10]),
            owner: UserId::new_v7(1, [3; 10]),
            visibility: Visibility::Group,
            stamp: Hlc::new(n, 0, ClientId::from_random([1; 8])),
            created: Hlc::new(n, 0, ClientId::from_random([1; 8])),
            conflicts: Vec::new(),
            data,
        }
    }

    fn meeting(id: &str, date: &str, status: MeetingStatus) -> Doc<Meeting> {
        doc(id, 1, Meeting {
            body: Text::new("神戸市 にも包括 協議の場"),
            level: Some(MeetingLevel::Municipal),
            date: Date::parse(date).ok(),
            start: TimeOfDay::parse("14:00").ok(),
            end: TimeOfDay::parse("16:00").ok(),
            place: Text::new("市役所 4階, 会議室A"),
            status: Some(status),
            agenda: Note::new("地域課題の共有\n退院支援"),
            axes: Set(vec![Axis::Individual, Axis::System]),
            ..Meeting::default()
        })
    }

    fn update(id: &str, item: &RecordId, date: &str, status: ItemStatus, n: u64) -> Doc<ItemUpdate> {
        doc(id, n, ItemUpdate { item: Some(item.clone()), date: Date::parse(date).ok(), status: Some(status), ..ItemUpdate::default() })
    }

    fn item(id: &str, title: &str, meetings: &[&Doc<Meeting>]) -> Doc<Item> {
        doc(id, 1, Item { body: Text::new("神戸市 にも包括 協議の場"), title: Text::new(title), meetings: Refs(meetings.iter().map(|m| m.id.clone()).collect()), ..Item::default() })
    }

    #[test]
    fn every_collection_round_trips_through_its_record_and_its_form() {
        fn both<T: Typed + std::fmt::Debug>(v: T) {
            let fields = v.to_fields();
            for (name, value) in &fields {
                assert_eq!(T::check(name, value), Some(Ok(())), "{name}");
            }
            assert_eq!(T::from_fields(&|n| fields.iter().find(|(k, _)| *k == n).map(|(_, x)| x)), v);
            assert_eq!(T::from_inputs(&v.to_inputs()), Ok(v));
        }
        let m = meeting("m", "2026-06-10", MeetingStatus::Held);
        both(m.data.clone());
        both(Attendance { meeting: Some(m.id.clone()), member: Some(UserId::new_v7(1, [9; 10])), member_name: Text::new("Aさん"), capacity: Some(Capacity::Peer), planned: true, attended: true, prep: Note::new("資料") });
        both(item("i", "夜間の相談先が少ない", &[&m]).data);
        both(update("u", &m.id, "2026-06-10", ItemStatus::Considering, 1).data);
        let mut bad = m.data.clone();
        bad.end = TimeOfDay::parse("13:00").ok();
        assert_eq!(Meeting::from_inputs(&bad.to_inputs()).unwrap_err().get("end"), Some(&Problem::BadTime));
    }

    #[test]
    fn status_history_orders_updates_and_gives_the_latest() {
        let i = item("item1", "夜間の相談先が少ない", &[]);
        let updates = vec![
            update("u3", &i.id, "2026-09-10", ItemStatus::Done, 3),
            update("u1", &i.id, "2026-06-10", ItemStatus::Accepted, 1),
            update("u2", &i.id, "2026-06-10", ItemStatus::Considering, 2),
        ];
        let t = Tracked::new(i.clone(), &updates);
        let statuses: Vec<ItemStatus> = t.history.iter().filter_map(|u| u.data.status).collect();
        assert_eq!(statuses, vec![ItemStatus::Accepted, ItemStatus::Considering, ItemStatus::Done]);
        assert_eq!(t.status(), ItemStatus::Done);
        assert!(!t.is_open());
        assert_eq!(Tracked::new(i, &[]).status(), ItemStatus::Accepted, "an item without updates is accepted");
    }

    #[test]
    fn carry_over_and_homework() {
        let june = meeting("m-june", "2026-06-10", MeetingStatus::Held);
        let sept = meeting("m-sept", "2026-09-10", MeetingStatus::Planned);
        let mut other_body = meeting("m-other", "2026-05-01", MeetingStatus::Held);
        other_body.data.body = Text::new("自立支援協議会 精神部会");
        let open = item("open", "宿題", &[&june]);
        let done = item("done", "済んだ", &[&june]);
        let mut elsewhere = item("else", "別の会議", &[&other_body]);
        elsewhere.data.body = other_body.data.body.clone();
        let updates = vec![update("u", &done.id, "2026-06-10", ItemStatus::Done, 1)];
        let items: Vec<Tracked> = [open.clone(), done, elsewhere].into_iter().map(|i| Tracked::new(i, &updates)).collect();
        let meetings = vec![june.clone(), sept.clone(), other_body];
        let hw: Vec<&str> = homework(&sept, &meetings, &items).iter().map(|i| i.item.data.title.as_str()).collect();
        assert_eq!(hw, vec!["宿題"]);
        let refs = items[0].carry_to(&sept.id).unwrap();
        assert_eq!(refs.0, vec![june.id.clone(), sept.id.clone()]);
        let mut carried = open;
        carried.data.meetings = refs;
        let items = vec![Tracked::new(carried, &[])];
        assert!(homework(&sept, &meetings, &items).is_empty());
        assert!(items[0].carry_to(&sept.id).is_none(), "carrying twice changes nothing");
    }

    #[test]
    fn fiscal_year_report_counts_levels_axes_attendance_and_items() {
        let march = meeting("m1", "2026-03-31", MeetingStatus::Held);
        let april = meeting("m2", "2026-04-01", MeetingStatus::Held);
        let cancelled = meeting("m3", "2026-10-01", MeetingStatus::Cancelled);
        let mut planned = meeting("m4", "2027-03-01", MeetingStatus::Planned);
        planned.data.axes = Set(vec![Axis::Base]);
        let meetings = vec![march.clone(), april.clone(), cancelled, planned.clone()];
        let att = |m: &Doc<Meeting>, attended: bool| {
            doc(m.id.as_str(), 1, Attendance { meeting: Some(m.id.clone()), member: Some(UserId::new_v7(1, [9; 10])), member_name: Text::new("Aさん"), planned: true, attended, ..Attendance::default() })
        };
        let attendance = vec![att(&march, true), att(&april, true), att(&planned, false)];
        let i = item("i", "居場所が足りない", &[&april, &planned]);
        let items = vec![Tracked::new(i.clone(), &[update("u", &i.id, "2026-04-01", ItemStatus::Considering, 1)])];
        let r = year_report(FiscalYear(2026), &meetings, &attendance, &items);
        assert_eq!(r.by_level[&MeetingLevel::Municipal], Held { held: 1, planned: 1, cancelled: 1 }, "March 31 belongs to the previous year");
        assert_eq!(r.by_axis.get(&Axis::Individual), Some(&1), "the cancelled meeting does not count");
        assert_eq!(r.by_axis.get(&Axis::Base), Some(&1));
        assert_eq!(r.attendance["Aさん"], (2, 1));
        assert_eq!(r.items_by_status[&ItemStatus::Considering], 1);
        let csv = year_report_csv(&r);
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(csv.contains("2026年度,取り組み,個別支援の検討,1回"), "{csv}");
        assert!(csv.contains("2026年度,提起事項,2026-04-01 神戸市 にも包括 協議の場,居場所が足りない,検討中"));
        let previous = year_report(FiscalYear(2025), &meetings, &attendance, &items);
        assert_eq!(previous.by_level[&MeetingLevel::Municipal], Held { held: 1, planned: 0, cancelled: 0 });
    }

    #[test]
    fn icalendar_lines_are_at_most_75_octets_and_parse() {
        let past = meeting("past", "2026-06-10", MeetingStatus::Held);
        let next = meeting("next", "2026-12-03", MeetingStatus::Planned);
        let mut all_day = meeting("allday", "2027-01-20", MeetingStatus::Planned);
        all_day.data.start = None;
        all_day.data.agenda = Note::new("とても長い議題の説明が続きます。abc".repeat(8));
        let text = icalendar(&[past, next.clone(), all_day], Date::parse("2026-11-24").unwrap(), "20261124T010000Z");
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        }
        assert!(text.lines().any(|l| l.starts_with(' ')), "long lines are folded");
        let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
        let calendar = parser.next().expect("one calendar").expect("parses");
        assert_eq!(calendar.events.len(), 2, "only upcoming planned meetings");
        let event = &calendar.events[0];
        let prop = |name: &str| event.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap();
        assert_eq!(prop("SUMMARY"), "神戸市 にも包括 協議の場");
        assert_eq!(prop("DTSTART"), "20261203T140000");
        assert_eq!(prop("LOCATION"), "市役所 4階\\, 会議室A");
        assert!(prop("UID").starts_with(&next.id.to_string()));
        let desc = calendar.events[1].properties.iter().find(|p| p.name == "DESCRIPTION").and_then(|p| p.value.clone()).unwrap();
        assert_eq!(desc, "とても長い議題の説明が続きます。abc".repeat(8), "a folded line is read back whole");
        assert_eq!(utc_stamp(JstDateTime::parse("2026-11-24T10:30").unwrap()), "20261124T013000Z");
    }
}

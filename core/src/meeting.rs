//! 協議の場: meetings, who of the group attends, what they raise (提起事項)
//! and what came of it, across meetings; reports by fiscal year and an
//! iCalendar file of upcoming meetings.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::collection::Collection;
use crate::evidence::Snapshot;
use crate::hlc::Hlc;
use crate::ids::{RecordId, UserId};
use crate::record::Record;
use crate::taxonomy::Worry;
use crate::time::{Date, FiscalYear, JstDateTime, TimeOfDay};

pub const STATUS_LABELS_JA: [(&str, &str); 5] = [("accepted", "受理"), ("considering", "検討中"), ("done", "対応済"), ("declined", "見送り"), ("carried", "持越し")];

pub fn status_ja(status: &str) -> &'static str {
    STATUS_LABELS_JA.iter().find(|(s, _)| *s == status).map(|(_, l)| *l).unwrap_or("")
}

pub fn level_ja(level: &str) -> &'static str {
    match level {
        "municipal" => "市町村",
        "area" => "障害保健福祉圏域",
        "prefecture" => "都道府県",
        _ => "",
    }
}

/// Whether an item still needs following up.
pub fn is_open_status(status: &str) -> bool {
    matches!(status, "accepted" | "considering" | "carried")
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: RecordId,
    pub body: String,
    pub level: String,
    pub date: Option<Date>,
    pub start: Option<TimeOfDay>,
    pub end: Option<TimeOfDay>,
    pub place: String,
    pub online: bool,
    pub agenda: String,
    pub axes: Vec<String>,
    pub status: String,
    pub minutes: String,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

impl Meeting {
    pub fn from_record(r: &Record) -> Option<Self> {
        if r.collection != Collection::Meeting || r.is_deleted() {
            return None;
        }
        let text = |f: &str| r.text(f).unwrap_or("").to_owned();
        Some(Self {
            id: r.id.clone(),
            body: text("body"),
            level: text("level"),
            date: r.text("date").and_then(|s| Date::parse(s).ok()),
            start: r.text("start").and_then(|s| TimeOfDay::parse(s).ok()),
            end: r.text("end").and_then(|s| TimeOfDay::parse(s).ok()),
            place: text("place"),
            online: r.get("online").and_then(Value::as_bool).unwrap_or(false),
            agenda: text("agenda"),
            axes: strings(r.get("axes")),
            status: r.text("status").unwrap_or("planned").to_owned(),
            minutes: text("minutes"),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub id: RecordId,
    pub meeting: RecordId,
    pub member: UserId,
    pub member_name: String,
    pub capacity: String,
    pub planned: bool,
    pub attended: Option<bool>,
    pub prep: String,
}

/// One member's attendance at one meeting has one id on every device, so
/// that two members recording at once never make two records.
pub fn attendance_id(meeting: &RecordId, member: &UserId) -> RecordId {
    RecordId::derived(&["attendance", meeting.as_str(), member.as_str()])
}

impl Attendance {
    pub fn from_record(r: &Record) -> Option<Self> {
        if r.collection != Collection::Attendance || r.is_deleted() {
            return None;
        }
        Some(Self {
            id: r.id.clone(),
            meeting: RecordId::parse(r.text("meeting")?).ok()?,
            member: UserId::parse(r.text("member")?).ok()?,
            member_name: r.text("member_name").unwrap_or("").to_owned(),
            capacity: r.text("capacity").unwrap_or("").to_owned(),
            planned: r.get("planned").and_then(Value::as_bool).unwrap_or(false),
            attended: r.get("attended").and_then(Value::as_bool),
            prep: r.text("prep").unwrap_or("").to_owned(),
        })
    }
}

/// A raised item with its status history (its updates, oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: RecordId,
    pub body: String,
    /// Meetings it was raised at or carried to, in the order added.
    pub meetings: Vec<RecordId>,
    pub title: String,
    pub detail: String,
    pub worries: Vec<Worry>,
    pub raised_by: Option<UserId>,
    pub raised_by_name: String,
    pub taken_by: String,
    pub evidence: Option<Snapshot>,
    pub history: Vec<Update>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub id: RecordId,
    pub item: RecordId,
    pub meeting: Option<RecordId>,
    pub date: Date,
    pub status: String,
    pub note: String,
    /// Orders updates made on the same day.
    pub stamp: Hlc,
}

impl Update {
    pub fn from_record(r: &Record) -> Option<Self> {
        if r.collection != Collection::ItemUpdate || r.is_deleted() {
            return None;
        }
        Some(Self {
            id: r.id.clone(),
            item: RecordId::parse(r.text("item")?).ok()?,
            meeting: r.text("meeting").and_then(|s| RecordId::parse(s).ok()),
            date: Date::parse(r.text("date")?).ok()?,
            status: r.text("status")?.to_owned(),
            note: r.text("note").unwrap_or("").to_owned(),
            stamp: r.stamp("status").cloned().unwrap_or_else(|| r.visibility.t.clone()),
        })
    }
}

impl Item {
    /// Reads an item and gathers its updates (any order) into its history.
    pub fn from_record(r: &Record, updates: &[Update]) -> Option<Self> {
        if r.collection != Collection::Item || r.is_deleted() {
            return None;
        }
        let mut history: Vec<Update> = updates.iter().filter(|u| u.item == r.id).cloned().collect();
        history.sort_by(|a, b| (a.date, &a.stamp).cmp(&(b.date, &b.stamp)));
        Some(Self {
            id: r.id.clone(),
            body: r.text("body").unwrap_or("").to_owned(),
            meetings: strings(r.get("meetings")).iter().filter_map(|s| RecordId::parse(s).ok()).collect(),
            title: r.text("title").unwrap_or("").to_owned(),
            detail: r.text("detail").unwrap_or("").to_owned(),
            worries: strings(r.get("worries")).iter().filter_map(|w| Worry::from_id(w)).collect(),
            raised_by: r.text("raised_by").and_then(|s| UserId::parse(s).ok()),
            raised_by_name: r.text("raised_by_name").unwrap_or("").to_owned(),
            taken_by: r.text("taken_by").unwrap_or("").to_owned(),
            evidence: r.get("evidence").and_then(|v| serde_json::from_value(v.clone()).ok()),
            history,
        })
    }

    /// The status now: the latest update's (受理 when there is none yet).
    pub fn status(&self) -> &str {
        self.history.last().map_or("accepted", |u| u.status.as_str())
    }

    pub fn is_open(&self) -> bool {
        is_open_status(self.status())
    }

    /// The fields that carry the item to another meeting (its history
    /// stays: the earlier meetings remain in `meetings`).
    pub fn carry_to(&self, meeting: &RecordId) -> Option<Vec<(String, Value)>> {
        if self.meetings.contains(meeting) {
            return None;
        }
        let mut list: Vec<String> = self.meetings.iter().map(ToString::to_string).collect();
        list.push(meeting.to_string());
        Some(vec![("meetings".into(), json!(list))])
    }
}

/// 「前回からの宿題」: the body's open items raised before `meeting` and
/// not yet carried to it, oldest first.
pub fn homework<'a>(meeting: &Meeting, meetings: &[Meeting], items: &'a [Item]) -> Vec<&'a Item> {
    let Some(date) = meeting.date else { return Vec::new() };
    let earlier: Vec<&RecordId> =
        meetings.iter().filter(|m| m.body == meeting.body && m.id != meeting.id && m.date.is_some_and(|d| d < date)).map(|m| &m.id).collect();
    let mut out: Vec<&Item> = items
        .iter()
        .filter(|i| i.is_open() && !i.meetings.contains(&meeting.id) && i.meetings.iter().any(|m| earlier.contains(&m)))
        .collect();
    out.sort_by_key(|i| i.history.first().map(|u| u.date));
    out
}

/// Upcoming meetings as an iCalendar (RFC 5545) file, times in Japan time.
pub fn icalendar(meetings: &[Meeting], from: Date, stamp_utc: &str) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        // Lines longer than 75 octets are folded (CRLF and a space).
        let mut current = String::new();
        for c in s.chars() {
            if current.len() + c.len_utf8() > 75 {
                out.push_str(&current);
                out.push_str("\r\n ");
                current = String::new();
            }
            current.push(c);
        }
        out.push_str(&current);
        out.push_str("\r\n");
    };
    let escape = |s: &str| s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "");
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//nimo//協議の場//JA".into());
    line("CALSCALE:GREGORIAN".into());
    line("BEGIN:VTIMEZONE".into());
    line("TZID:Asia/Tokyo".into());
    line("BEGIN:STANDARD".into());
    line("DTSTART:19700101T000000".into());
    line("TZOFFSETFROM:+0900".into());
    line("TZOFFSETTO:+0900".into());
    line("TZNAME:JST".into());
    line("END:STANDARD".into());
    line("END:VTIMEZONE".into());
    let fmt = |d: Date, t: TimeOfDay| format!("{:04}{:02}{:02}T{:02}{:02}00", d.year(), d.month(), d.day(), t.minutes() / 60, t.minutes() % 60);
    for m in meetings.iter().filter(|m| m.status == "planned" && m.date.is_some_and(|d| d >= from)) {
        let Some(date) = m.date else { continue };
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}@nimo", m.id));
        line(format!("DTSTAMP:{stamp_utc}"));
        match m.start {
            Some(start) => {
                line(format!("DTSTART;TZID=Asia/Tokyo:{}", fmt(date, start)));
                let end = m.end.filter(|e| *e > start).unwrap_or_else(|| TimeOfDay::from_minutes((start.minutes() + 120).min(24 * 60 - 1)).unwrap_or(start));
                line(format!("DTEND;TZID=Asia/Tokyo:{}", fmt(date, end)));
            }
            None => {
                line(format!("DTSTART;VALUE=DATE:{:04}{:02}{:02}", date.year(), date.month(), date.day()));
                let next = date.add_days(1);
                line(format!("DTEND;VALUE=DATE:{:04}{:02}{:02}", next.year(), next.month(), next.day()));
            }
        }
        line(format!("SUMMARY:{}", escape(&m.body)));
        let place = if m.online && m.place.is_empty() { "オンライン".to_owned() } else { m.place.clone() };
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

/// What a fiscal year's report holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearReport {
    pub year: Option<FiscalYear>,
    /// level → (held, planned, cancelled)
    pub meetings_by_level: BTreeMap<String, (u32, u32, u32)>,
    /// member name → (planned, attended)
    pub attendance: BTreeMap<String, (u32, u32)>,
    /// status → count, of items raised in the year
    pub items_by_status: BTreeMap<String, u32>,
    /// (meeting date, body, item title, status), for the list
    pub items: Vec<(Date, String, String, String)>,
}

pub fn year_report(year: FiscalYear, meetings: &[Meeting], attendance: &[Attendance], items: &[Item]) -> YearReport {
    let mut r = YearReport { year: Some(year), ..YearReport::default() };
    let in_year: Vec<&Meeting> = meetings.iter().filter(|m| m.date.is_some_and(|d| year.contains(d))).collect();
    for m in &in_year {
        let e = r.meetings_by_level.entry(m.level.clone()).or_default();
        match m.status.as_str() {
            "held" => e.0 += 1,
            "cancelled" => e.2 += 1,
            _ => e.1 += 1,
        }
    }
    for a in attendance {
        if in_year.iter().any(|m| m.id == a.meeting && m.status != "cancelled") {
            let e = r.attendance.entry(a.member_name.clone()).or_default();
            if a.planned {
                e.0 += 1;
            }
            if a.attended == Some(true) {
                e.1 += 1;
            }
        }
    }
    for item in items {
        // An item belongs to the year of the first meeting it was raised at.
        let first = item.meetings.iter().filter_map(|id| meetings.iter().find(|m| &m.id == id)).filter_map(|m| m.date.map(|d| (d, m))).min_by_key(|(d, _)| *d);
        if let Some((date, meeting)) = first.filter(|(d, _)| year.contains(*d)) {
            *r.items_by_status.entry(item.status().to_owned()).or_default() += 1;
            r.items.push((date, meeting.body.clone(), item.title.clone(), item.status().to_owned()));
        }
    }
    r.items.sort();
    r
}

/// The report as CSV for Excel (UTF-8 with BOM).
pub fn year_report_csv(r: &YearReport) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let label = r.year.map(|y| y.label_ja()).unwrap_or_default();
    for (level, (held, planned, cancelled)) in &r.meetings_by_level {
        rows.push(vec![label.clone(), "会議".into(), level_ja(level).into(), format!("開催済 {held}"), format!("予定 {planned}"), format!("中止 {cancelled}")]);
    }
    for (name, (planned, attended)) in &r.attendance {
        rows.push(vec![label.clone(), "参加".into(), name.clone(), format!("予定 {planned}"), format!("出席 {attended}"), String::new()]);
    }
    for (date, body, title, status) in &r.items {
        rows.push(vec![label.clone(), "提起事項".into(), format!("{date} {body}"), title.clone(), status_ja(status).into(), String::new()]);
    }
    crate::csv::document(&["年度", "区分", "項目", "内容1", "内容2", "内容3"], &rows)
}

/// Japan time now as a UTC iCalendar stamp (`20261124T013000Z`).
pub fn utc_stamp(now: JstDateTime) -> String {
    let utc = JstDateTime::from_unix_ms(now.to_unix_ms() - 9 * 3600 * 1000);
    format!("{:04}{:02}{:02}T{:02}{:02}00Z", utc.date.year(), utc.date.month(), utc.date.day(), utc.time.minutes() / 60, utc.time.minutes() % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::Visibility;
    use crate::ids::{ClientId, GroupId};
    use crate::record::Stamped;

    fn stamp(n: u64) -> Hlc {
        Hlc::new(n, 0, ClientId::from_random([1; 8]))
    }

    fn record(c: Collection, id: &str, n: u64, fields: &[(&str, Value)]) -> Record {
        let mut r = Record::new(RecordId::derived(&[id]), c, GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]), Stamped::new(Visibility::Group, stamp(n)));
        for (f, v) in fields {
            r.write(f, v.clone(), stamp(n));
        }
        r
    }

    fn meeting(id: &str, date: &str, status: &str) -> Meeting {
        Meeting::from_record(&record(Collection::Meeting, id, 1, &[
            ("body", json!("神戸市 にも包括 協議の場")),
            ("level", json!("municipal")),
            ("date", json!(date)),
            ("start", json!("14:00")),
            ("end", json!("16:00")),
            ("place", json!("市役所 4階, 会議室A")),
            ("status", json!(status)),
            ("agenda", json!("地域課題の共有\n退院支援")),
        ]))
        .unwrap()
    }

    fn update(id: &str, item: &RecordId, date: &str, status: &str, n: u64) -> Update {
        Update::from_record(&record(Collection::ItemUpdate, id, n, &[("item", json!(item.to_string())), ("date", json!(date)), ("status", json!(status))])).unwrap()
    }

    #[test]
    fn status_history_orders_updates_and_gives_the_latest() {
        let item_rec = record(Collection::Item, "item1", 1, &[("body", json!("神戸市 にも包括 協議の場")), ("title", json!("夜間の相談先が少ない"))]);
        let updates = vec![
            update("u3", &item_rec.id, "2026-09-10", "done", 3),
            update("u1", &item_rec.id, "2026-06-10", "accepted", 1),
            update("u2", &item_rec.id, "2026-06-10", "considering", 2),
        ];
        let item = Item::from_record(&item_rec, &updates).unwrap();
        let statuses: Vec<&str> = item.history.iter().map(|u| u.status.as_str()).collect();
        assert_eq!(statuses, vec!["accepted", "considering", "done"]);
        assert_eq!(item.status(), "done");
        assert!(!item.is_open());
        let fresh = Item::from_record(&item_rec, &[]).unwrap();
        assert_eq!(fresh.status(), "accepted", "an item without updates is accepted");
    }

    #[test]
    fn carry_over_and_homework() {
        let june = meeting("m-june", "2026-06-10", "held");
        let sept = meeting("m-sept", "2026-09-10", "planned");
        let other_body = Meeting { body: "自立支援協議会 精神部会".into(), ..meeting("m-other", "2026-05-01", "held") };
        let open_rec = record(Collection::Item, "open", 1, &[("body", json!(june.body)), ("title", json!("宿題")), ("meetings", json!([june.id.to_string()]))]);
        let done_rec = record(Collection::Item, "done", 1, &[("body", json!(june.body)), ("title", json!("済んだ")), ("meetings", json!([june.id.to_string()]))]);
        let elsewhere = record(Collection::Item, "else", 1, &[("body", json!(other_body.body)), ("title", json!("別の会議")), ("meetings", json!([other_body.id.to_string()]))]);
        let updates = vec![update("u", &done_rec.id, "2026-06-10", "done", 1)];
        let items: Vec<Item> = [&open_rec, &done_rec, &elsewhere].iter().filter_map(|r| Item::from_record(r, &updates)).collect();
        let meetings = vec![june.clone(), sept.clone(), other_body];
        let hw: Vec<&str> = homework(&sept, &meetings, &items).iter().map(|i| i.title.as_str()).collect();
        assert_eq!(hw, vec!["宿題"]);
        // Carried to September, it keeps June and is no longer homework.
        let fields = items[0].carry_to(&sept.id).unwrap();
        assert_eq!(fields[0].1, json!([june.id.to_string(), sept.id.to_string()]));
        let mut carried = open_rec.clone();
        carried.write("meetings", fields[0].1.clone(), stamp(5));
        let items = vec![Item::from_record(&carried, &[]).unwrap()];
        assert!(homework(&sept, &meetings, &items).is_empty());
        assert!(items[0].carry_to(&sept.id).is_none(), "carrying twice changes nothing");
    }

    #[test]
    fn fiscal_year_report() {
        let march = meeting("m1", "2026-03-31", "held");
        let april = meeting("m2", "2026-04-01", "held");
        let cancelled = meeting("m3", "2026-10-01", "cancelled");
        let planned = meeting("m4", "2027-03-01", "planned");
        let meetings = vec![march.clone(), april.clone(), cancelled, planned.clone()];
        let att = |m: &Meeting, name: &str, attended: Option<bool>| Attendance {
            id: RecordId::derived(&[name, m.id.as_str()]),
            meeting: m.id.clone(),
            member: UserId::new_v7(1, [9; 10]),
            member_name: name.into(),
            capacity: "peer".into(),
            planned: true,
            attended,
            prep: String::new(),
        };
        let attendance = vec![att(&march, "Aさん", Some(true)), att(&april, "Aさん", Some(true)), att(&planned, "Aさん", None)];
        let item_rec = record(Collection::Item, "i", 1, &[("title", json!("居場所が足りない")), ("meetings", json!([april.id.to_string(), planned.id.to_string()]))]);
        let items = vec![Item::from_record(&item_rec, &[update("u", &item_rec.id, "2026-04-01", "considering", 1)]).unwrap()];
        let r = year_report(FiscalYear(2026), &meetings, &attendance, &items);
        assert_eq!(r.meetings_by_level["municipal"], (1, 1, 1), "March 31 belongs to the previous year");
        assert_eq!(r.attendance["Aさん"], (2, 1));
        assert_eq!(r.items_by_status["considering"], 1);
        let csv = year_report_csv(&r);
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(csv.contains("2026年度,提起事項,2026-04-01 神戸市 にも包括 協議の場,居場所が足りない,検討中"));
        let previous = year_report(FiscalYear(2025), &meetings, &attendance, &items);
        assert_eq!(previous.meetings_by_level["municipal"], (1, 0, 0));
    }

    #[test]
    fn icalendar_parses_and_holds_the_upcoming_meetings() {
        let past = meeting("past", "2026-06-10", "held");
        let next = meeting("next", "2026-12-03", "planned");
        let mut all_day = meeting("allday", "2027-01-20", "planned");
        all_day.start = None;
        all_day.agenda = "とても長い議題の説明が続きます。".repeat(8);
        let text = icalendar(&[past, next.clone(), all_day], Date::parse("2026-11-24").unwrap(), "20261124T010000Z");
        assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
        assert!(text.contains("\r\n"));
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
        assert!(desc.starts_with("とても長い議題"), "a folded line is read back whole");
        assert_eq!(utc_stamp(JstDateTime::parse("2026-11-24T10:30").unwrap()), "20261124T013000Z");
    }
}

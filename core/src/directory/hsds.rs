//! The directory as JSON for other tools: Open Referral HSDS field names
//! where they fit (service, phones, schedules, service areas), nimo's own
//! extras under `x_nimo`. Written and read by hand over `serde_json::Value`
//! so the app carries no derived parser for it; an import goes through the
//! same strict field checks as the server's.

use serde_json::{Map, Value};

use crate::object;

use super::import::{ImportError, ImportProblem, ImportRow, MAX_ROWS};
use super::window::{Day, Window};
use crate::base::time::Date;
use crate::schema::field::FieldType;
use crate::schema::{Doc, read_strict};

pub const FORMAT: &str = "nimo-hsds-1";

/// RFC 5545 BYDAY codes of the weekdays (holiday sessions are only in
/// `x_nimo.hours`).
const BYDAY: [(Day, &str); 7] = [(Day::Mon, "MO"), (Day::Tue, "TU"), (Day::Wed, "WE"), (Day::Thu, "TH"), (Day::Fri, "FR"), (Day::Sat, "SA"), (Day::Sun, "SU")];

fn or_empty(v: Value) -> Value {
    if v.is_null() { Value::String(String::new()) } else { v }
}

/// The export of `entries`, dated `today`.
pub fn export(entries: &[Doc<Window>], today: Date) -> Value {
    let services: Vec<Value> = entries.iter().map(service).collect();
    object! { "format": FORMAT, "exported": today.to_string(), "services": services }
}

fn service(doc: &Doc<Window>) -> Value {
    let w = &doc.data;
    let mut phones: Vec<Value> = w.phones.iter().map(|p| object! {"number": p.number.as_str(), "type": "voice", "description": p.note.as_str()}).collect();
    if !w.fax.is_empty() {
        phones.push(object! {"number": w.fax.as_str(), "type": "fax", "description": ""});
    }
    let schedules: Vec<Value> = w
        .hours
        .iter()
        .filter_map(|s| {
            let days: Vec<&str> = BYDAY.iter().filter(|(d, _)| s.days.contains(d)).map(|(_, code)| *code).collect();
            (!days.is_empty()).then(|| object! {"freq": "WEEKLY", "byday": days.join(","), "opens_at": s.opens.to_string(), "closes_at": s.closes.to_string()})
        })
        .collect();
    object! {
        "id": doc.id.to_string(),
        "name": w.name.as_str(),
        "description": w.note.as_str(),
        "url": w.url.as_str(),
        "email": w.email.as_str(),
        "status": if w.retired { "inactive" } else { "active" },
        "assured_date": w.verified_on.map(|d| d.to_string()),
        "phones": phones,
        "schedules": schedules,
        "service_areas": w.areas.to_value(),
        "address": w.address.as_str(),
        "latitude": w.lat.to_value(),
        "longitude": w.lng.to_value(),
        "x_nimo": object! {
            "window_type": w.kind.map(|k| k.id()),
            "kana": w.kana.as_str(),
            "channels": w.channels.to_value(),
            "hours": w.hours.to_value(),
            "closed_holidays": w.closed_holidays,
            "closed_new_year": w.closed_new_year,
            "closures": w.closures.to_value(),
            "reservation": w.reservation,
            "anonymous_ok": w.anonymous_ok,
            "for_whom": w.for_whom.to_value(),
            "source": w.source.as_str(),
            "source_id": or_empty(w.source_id.to_value()),
            "overrides": or_empty(w.overrides.to_value()),
        },
    }
}

fn text(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) if s.trim().is_empty() => Value::Null,
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

/// Reads an export. A file that is not one is refused as a whole; a
/// service with a bad value comes back with its problems.
pub fn import(text_in: &str) -> Result<Vec<ImportRow>, ImportError> {
    if text_in.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let file = crate::base::json::parse(text_in).map_err(|_| ImportError::NotHsds)?;
    if file.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(ImportError::NotHsds);
    }
    let services = file.get("services").and_then(Value::as_array).ok_or(ImportError::NotHsds)?;
    if services.len() > MAX_ROWS {
        return Err(ImportError::TooManyRows { rows: services.len() });
    }
    let exported = file.get("exported").cloned().unwrap_or(Value::Null);
    let empty = Map::new();
    Ok(services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.as_object().unwrap_or(&empty);
            let x = s.get("x_nimo").and_then(Value::as_object).unwrap_or(&empty);
            let name = s.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
            let phones = s.get("phones").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            let is_fax = |p: &&Value| p.get("type").and_then(Value::as_str) == Some("fax");
            let voice: Vec<Value> = phones
                .iter()
                .filter(|p| !is_fax(p))
                .map(|p| object! {"number": p.get("number").cloned().unwrap_or(Value::Null), "note": text(p.get("description"))})
                .collect();
            let fax = phones.iter().find(is_fax).and_then(|p| p.get("number")).cloned();
            let hours = match x.get("hours") {
                Some(h) if !h.is_null() => h.clone(),
                _ => Value::Array(
                    s.get("schedules")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or(&[])
                        .iter()
                        .map(|h| {
                            let days: Vec<&str> = h
                                .get("byday")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .split(',')
                                .filter_map(|code| BYDAY.iter().find(|(_, c)| *c == code.trim()).map(|(d, _)| d.id()))
                                .collect();
                            object! {"days": days, "opens": h.get("opens_at").cloned(), "closes": h.get("closes_at").cloned()}
                        })
                        .collect(),
                ),
            };
            let assured = match s.get("assured_date") {
                Some(Value::String(d)) if !d.is_empty() => Value::String(d.clone()),
                _ => exported.clone(),
            };
            let pairs: Vec<(&str, Value)> = vec![
                ("name", text(s.get("name"))),
                ("type", text(x.get("window_type"))),
                ("areas", s.get("service_areas").cloned().unwrap_or(Value::Null)),
                ("phones", Value::Array(voice)),
                ("hours", hours),
                ("closed_holidays", x.get("closed_holidays").cloned().unwrap_or(Value::Bool(false))),
                ("closed_new_year", x.get("closed_new_year").cloned().unwrap_or(Value::Bool(false))),
                ("kana", text(x.get("kana"))),
                ("address", text(s.get("address"))),
                ("fax", text(fax.as_ref())),
                ("email", text(s.get("email"))),
                ("url", text(s.get("url"))),
                ("channels", x.get("channels").cloned().unwrap_or(Value::Null)),
                ("closures", x.get("closures").cloned().unwrap_or(Value::Null)),
                ("reservation", x.get("reservation").cloned().unwrap_or(Value::Bool(false))),
                ("anonymous_ok", x.get("anonymous_ok").cloned().unwrap_or(Value::Bool(false))),
                ("for_whom", x.get("for_whom").cloned().unwrap_or(Value::Null)),
                ("note", text(s.get("description"))),
                ("verified_on", assured),
                ("source", text(x.get("source"))),
                ("retired", Value::Bool(s.get("status").and_then(Value::as_str) == Some("inactive"))),
                ("lat", s.get("latitude").cloned().unwrap_or(Value::Null)),
                ("lng", s.get("longitude").cloned().unwrap_or(Value::Null)),
                ("source_id", text(x.get("source_id")).as_str().map_or_else(|| text(s.get("id")), |_| text(x.get("source_id")))),
                ("overrides", text(x.get("overrides"))),
            ];
            let result = read_strict::<Window>(&pairs, &[]).map_err(|bad| bad.into_iter().map(ImportProblem::Field).collect());
            ImportRow { line: i + 1, name, result }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::taxonomy::WindowType;
    use crate::base::time::TimeOfDay;
    use crate::directory::area::AreaCode;
    use crate::directory::window::{Hours, Phone, Phones, ServiceArea, ServiceAreas, Session};
    use crate::schema::field::{PhoneNumber, Text};
    use crate::sync::collection::Visibility;
    use crate::sync::hlc::Hlc;
    use crate::sync::ids::{ClientId, GroupId, RecordId, UserId};

    fn doc() -> Doc<Window> {
        Doc {
            id: RecordId::derived(&["神戸"]),
            group: GroupId::new_v7(1, [2; 10]),
            owner: UserId::new_v7(1, [3; 10]),
            visibility: Visibility::Group,
            stamp: Hlc::new(1, 0, ClientId::from_random([1; 8])),
            created: Hlc::new(1, 0, ClientId::from_random([1; 8])),
            conflicts: Vec::new(),
            data: Window {
                name: Text::new("神戸市 障害福祉課"),
                kind: Some(WindowType::MunicipalWelfare),
                areas: ServiceAreas(vec![ServiceArea::Municipality { code: AreaCode::parse("281000").unwrap() }]),
                phones: Phones(vec![Phone { number: "078-000-0000".into(), note: "平日".into() }]),
                fax: PhoneNumber("078-000-0001".into()),
                hours: Hours(vec![
                    Session { days: vec![Day::Mon, Day::Fri], opens: TimeOfDay::at(8, 45), closes: TimeOfDay::at(17, 30) },
                    Session { days: vec![Day::Hol], opens: TimeOfDay::at(10, 0), closes: TimeOfDay::at(15, 0) },
                ]),
                verified_on: Date::parse("2026-04-01").ok(),
                ..Window::default()
            },
        }
    }

    #[test]
    fn an_export_reads_back_as_the_same_entries() {
        let d = doc();
        let file = export(std::slice::from_ref(&d), Date::parse("2026-11-24").unwrap());
        assert_eq!(file["services"][0]["schedules"][0]["byday"], "MO,FR");
        let rows = import(&file.to_string()).unwrap();
        let mut back = rows[0].result.clone().unwrap();
        assert_eq!(back.source_id.as_str(), d.id.to_string(), "the export's id is the source id of a re-import");
        back.source_id = Default::default();
        assert_eq!(back, d.data);
    }

    #[test]
    fn bad_files_and_bad_services() {
        assert_eq!(import("{\"not\": \"hsds\"}"), Err(ImportError::NotHsds));
        assert_eq!(import("{\"format\": "), Err(ImportError::NotHsds));
        assert_eq!(import(""), Err(ImportError::Empty));
        let text = export(&[doc()], Date::parse("2026-11-24").unwrap()).to_string().replace("078-000-0000", "not a phone");
        let rows = import(&text).unwrap();
        assert!(matches!(&rows[0].result, Err(p) if matches!(&p[0], ImportProblem::Field(b) if b.field.name == "phones")));
    }
}

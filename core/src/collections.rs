//! Every collection's schema, by [`Collection`]: the one registry the
//! server's validation, the device's engine and the forms ask; and
//! [`show`], any field's value as a person reads it.

use crate::contacts::contact::Contact;
use crate::contacts::profile::Profile;
use crate::directory::correction::Correction;
use crate::directory::window::Window;
use crate::kyogi::meeting::{Attendance, Item, ItemUpdate, Meeting};
use serde_json::Value;

use crate::schema::{FieldSpec, Schema, Typed, Vocab};
use crate::sync::collection::Collection;
use crate::sync::ids::{GroupId, RecordId, UserId};

static CONTACT: Schema = Contact::SCHEMA;
static WINDOW: Schema = Window::SCHEMA;
static CORRECTION: Schema = Correction::SCHEMA;
static MEETING: Schema = Meeting::SCHEMA;
static ATTENDANCE: Schema = Attendance::SCHEMA;
static ITEM: Schema = Item::SCHEMA;
static ITEM_UPDATE: Schema = ItemUpdate::SCHEMA;
static PROFILE: Schema = Profile::SCHEMA;

pub fn schema(c: Collection) -> &'static Schema {
    match c {
        Collection::Contact => &CONTACT,
        Collection::Window => &WINDOW,
        Collection::Correction => &CORRECTION,
        Collection::Meeting => &MEETING,
        Collection::Attendance => &ATTENDANCE,
        Collection::Item => &ITEM,
        Collection::ItemUpdate => &ITEM_UPDATE,
        Collection::Profile => &PROFILE,
    }
}

/// Rules on a new record's identity that its fields cannot express: a
/// profile is its owner's own, one per group.
pub fn check_create(c: Collection, id: &RecordId, group: &GroupId, owner: &UserId) -> Result<(), &'static str> {
    match c {
        Collection::Profile if *id != Profile::id(group, owner) => Err("a profile's id is derived from its group and owner"),
        _ => Ok(()),
    }
}

/// A stored value as a person reads it (lists, exports): vocabularies by
/// their label, areas by name, flags as ✓, structured values in short.
pub fn show(spec: &FieldSpec, v: &Value, ja: bool) -> String {
    use crate::schema::FieldType as _;
    let label = |options: &[crate::schema::Opt], id: &str| options.iter().find(|o| o.id == id).map_or_else(|| id.to_owned(), |o| o.label.get(ja).to_owned());
    match (spec.kind, v) {
        (_, Value::Null) => String::new(),
        (_, Value::Bool(b)) => if *b { "✓".into() } else { String::new() },
        (crate::schema::Kind::Choice { options }, Value::String(s)) => label(options, s),
        (crate::schema::Kind::Choices { options, .. }, Value::Array(items)) => items.iter().filter_map(Value::as_str).map(|s| label(options, s)).collect::<Vec<_>>().join("・"),
        (crate::schema::Kind::Area, Value::String(s)) => crate::directory::area::AreaCode::parse(s).map_or_else(|_| s.clone(), crate::directory::area::full_name),
        (crate::schema::Kind::DateTime, Value::String(s)) => s.replacen('T', " ", 1),
        (crate::schema::Kind::Referrals, Value::Array(items)) => items
            .iter()
            .map(|r| {
                let name = r.get("name").and_then(Value::as_str).unwrap_or("");
                let state = r.get("state").and_then(Value::as_str).and_then(crate::contacts::contact::ReferralState::from_id);
                match state {
                    Some(st) => format!("{name}（{}）", st.label().get(ja)),
                    None => name.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join("・"),
        (crate::schema::Kind::Phones, _) => crate::directory::window::Phones::parse(v).map(|p| p.iter().map(|x| x.number.clone()).collect::<Vec<_>>().join("・")).unwrap_or_default(),
        (crate::schema::Kind::Areas, _) => crate::directory::window::ServiceAreas::parse(v)
            .map(|a| {
                a.iter()
                    .map(|x| match x {
                        crate::directory::window::ServiceArea::Municipality { code } | crate::directory::window::ServiceArea::Prefecture { code } => {
                            crate::directory::area::full_name(*code)
                        }
                        crate::directory::window::ServiceArea::HealthArea { name, .. } => name.clone(),
                        crate::directory::window::ServiceArea::National => if ja { "全国".into() } else { "Nationwide".into() },
                    })
                    .collect::<Vec<_>>()
                    .join("・")
            })
            .unwrap_or_default(),
        (crate::schema::Kind::Hours, _) => crate::directory::window::Hours::parse(v)
            .map(|h| {
                h.iter()
                    .map(|s| format!("{} {}–{}", s.days.iter().map(|d| d.label().get(ja)).collect::<Vec<_>>().join(if ja { "" } else { " " }), s.opens, s.closes))
                    .collect::<Vec<_>>()
                    .join(" / ")
            })
            .unwrap_or_default(),
        (crate::schema::Kind::Coordinate, Value::Number(n)) => n.as_f64().map(|x| crate::schema::field::Degrees::<-180, 180>::write((x * 1_000_000.0).round() as i64)).unwrap_or_default(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.as_i64().map(|i| i.to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_has_its_schema() {
        for c in Collection::ALL {
            let s = schema(c);
            assert_eq!(s.collection, c);
            let mut names: Vec<&str> = s.fields.iter().map(|f| f.name).collect();
            crate::base::order::sort_dedup(&mut names);
            assert_eq!(names.len(), s.fields.len(), "{c:?}: field names are unique");
            for f in s.fields {
                assert!(!f.label.ja.is_empty() && !f.label.en.is_empty(), "{c:?}.{}", f.name);
            }
        }
    }

    #[test]
    fn a_profile_can_only_be_ones_own() {
        let (g, u) = (GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]));
        assert!(check_create(Collection::Profile, &Profile::id(&g, &u), &g, &u).is_ok());
        let other = UserId::new_v7(1, [4; 10]);
        assert!(check_create(Collection::Profile, &Profile::id(&g, &other), &g, &u).is_err());
        assert!(check_create(Collection::Contact, &RecordId::new_v7(1, [1; 10]), &g, &u).is_ok());
    }
}

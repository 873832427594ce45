//! Every collection's schema, by [`Collection`]: the one registry the
//! server's validation, the device's engine and the forms ask.

use crate::contacts::contact::Contact;
use crate::contacts::profile::Profile;
use crate::directory::correction::Correction;
use crate::directory::window::Window;
use crate::kyogi::meeting::{Attendance, Item, ItemUpdate, Meeting};
use crate::schema::{Schema, Typed};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_has_its_schema() {
        for c in Collection::ALL {
            let s = schema(c);
            assert_eq!(s.collection, c);
            let mut names: Vec<&str> = s.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
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

//! A member's own profile in a group: what they record once about
//! themselves. Today that is the hospital visitor's 研修修了・選任 (the
//! training completed and the appointment by a prefecture), which a
//! 病院訪問 asks for first.

use crate::base::time::Date;
use crate::directory::area::AreaCode;
use crate::schema::{Problem, Problems};
use crate::sync::collection::Collection;
use crate::sync::ids::{GroupId, RecordId, UserId};
use crate::collection;

collection! {
    pub struct Profile in Collection::Profile => {
        visitor_trained_on: Option<Date> [quick] "入院者訪問支援員の研修を修了し、選任された日" "Date you completed the hospital visitor training and were appointed",
        visitor_prefecture: Option<AreaCode> [quick] "選任した都道府県" "Prefecture that appointed you",
    }
    rules Profile::check_prefecture
}

impl Profile {
    /// One profile per member and group: its id is derived from both, so
    /// every device writes the same record.
    pub fn id(group: &GroupId, user: &UserId) -> RecordId {
        RecordId::derived(&["profile", &group.to_string(), &user.to_string()])
    }

    /// Trained and appointed: may log hospital visits.
    pub fn is_visitor(&self) -> bool {
        self.visitor_trained_on.is_some() && self.visitor_prefecture.is_some()
    }

    fn check_prefecture(&mut self) -> Problems {
        let mut p = Problems::new();
        if self.visitor_prefecture.is_some_and(|a| !a.is_prefecture()) {
            p.insert("visitor_prefecture", Problem::BadArea);
        }
        if self.visitor_trained_on.is_some() != self.visitor_prefecture.is_some() {
            let missing = if self.visitor_trained_on.is_none() { "visitor_trained_on" } else { "visitor_prefecture" };
            p.get_or_insert_with(missing, || Problem::Required);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Typed;

    #[test]
    fn a_profile_round_trips_and_needs_both_date_and_prefecture() {
        let p = Profile { visitor_trained_on: Date::parse("2024-06-01").ok(), visitor_prefecture: AreaCode::parse("280003").ok() };
        assert!(p.is_visitor());
        assert_eq!(Profile::from_inputs(&p.to_inputs()), Ok(p.clone()));
        let fields = p.to_fields();
        assert_eq!(Profile::from_fields(&|n| fields.iter().find(|(k, _)| *k == n).map(|(_, v)| v)), p);
        let half = Profile { visitor_prefecture: None, ..p.clone() };
        assert_eq!(Profile::from_inputs(&half.to_inputs()).unwrap_err().get("visitor_prefecture"), Some(&Problem::Required));
        let city = Profile { visitor_prefecture: AreaCode::parse("281000").ok(), ..p };
        assert_eq!(Profile::from_inputs(&city.to_inputs()).unwrap_err().get("visitor_prefecture"), Some(&Problem::BadArea));
        assert!(!Profile::default().is_visitor());
    }

    #[test]
    fn the_id_is_the_same_on_every_device() {
        let (g, u) = (GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]));
        assert_eq!(Profile::id(&g, &u), Profile::id(&g, &u));
        assert!(Profile::id(&g, &u).is_derived());
        assert_ne!(Profile::id(&g, &u), Profile::id(&g, &UserId::new_v7(1, [4; 10])));
    }
}

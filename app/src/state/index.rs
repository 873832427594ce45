//! The cache's records as the lists read them: contacts parsed and folded
//! for search, newest first; directory entries parsed; the monthly
//! counts. Made once for the app, not per screen: with 10,000 records on
//! the device, parsing and folding them takes tens of milliseconds, which
//! a tap on a tab must not pay each time. The memos are lazy: a change to
//! the cache is worked into them the next time a screen reads them, except
//! when records must leave memory (lock, sign-out, erase): then
//! [`Index::refresh`] works it in at once, so that no decrypted contact
//! stays behind in a memo no screen is reading.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use nimo_core::contacts::contact::Contact;
use nimo_core::contacts::report::{MonthlyCounts, monthly_counts};
use nimo_core::directory::window::Window;
use nimo_core::schema::Doc;
use nimo_core::sync::collection::Collection;
use nimo_core::sync::hlc::Hlc;
use nimo_core::sync::ids::{GroupId, RecordId};

use super::cache::Cache;

/// A contact with its folded search text.
pub type Indexed = Arc<(Doc<Contact>, String)>;

#[derive(Clone, Copy)]
pub struct Index {
    /// The current group's contacts, newest first (by the contact's time,
    /// then by when it was written).
    pub contacts: Memo<Vec<Indexed>>,
    /// The current group's live directory entries.
    pub windows: Memo<Vec<Doc<Window>>>,
    /// Contacts per month, by mode and by worry.
    pub monthly: Memo<MonthlyCounts>,
}

impl Index {
    pub fn new(cache: Cache, group: RwSignal<Option<GroupId>>) -> Self {
        let contacts = contacts(cache, group);
        Self {
            contacts,
            windows: Memo::new(move |_| {
                let group = group.get();
                cache.with(Collection::Window, |m| m.values().filter(|r| Some(&r.group) == group.as_ref()).filter_map(Doc::from_record).collect())
            }),
            monthly: Memo::new(move |_| contacts.with(|all| monthly_counts(all.iter().map(|i| &i.0.data)))),
        }
    }

    /// Works a change of the cache in now instead of at the next read.
    /// After the cache is cleared this drops every parsed record.
    pub fn refresh(&self) {
        self.contacts.with_untracked(|_| ());
        self.windows.with_untracked(|_| ());
        self.monthly.with_untracked(|_| ());
    }
}

/// Whether a list of shared items changed, told by identity rather than
/// by value: a memo compares its new value with the old, and comparing
/// 10,000 contacts field by field cost more than the change itself. An
/// item that changed is a new `Arc` (see [`contacts`]).
pub fn items_changed<T>(old: Option<&Vec<Arc<T>>>, new: Option<&Vec<Arc<T>>>) -> bool {
    match (old, new) {
        (Some(old), Some(new)) => old.len() != new.len() || old.iter().zip(new).any(|(a, b)| !Arc::ptr_eq(a, b)),
        _ => true,
    }
}

fn newest_first(a: &Indexed, b: &Indexed) -> std::cmp::Ordering {
    (b.0.data.at, &b.0.created).cmp(&(a.0.data.at, &a.0.created))
}

/// Records are read and folded once and kept until they change (their
/// greatest stamp moves), so that saving one record does not re-read ten
/// thousand.
fn contacts(cache: Cache, group: RwSignal<Option<GroupId>>) -> Memo<Vec<Indexed>> {
    let parsed: StoredValue<HashMap<RecordId, (Hlc, Indexed)>> = StoredValue::new(HashMap::new());
    Memo::new_with_compare(move |_| {
        let group = group.get();
        let mut out: Vec<Indexed> = cache.with(Collection::Contact, |m| {
            parsed
                .try_update_value(|known| {
                    known.retain(|id, _| m.contains_key(id));
                    m.values()
                        .filter(|r| Some(&r.group) == group.as_ref())
                        .filter_map(|r| {
                            let stamp = r.max_stamp();
                            if let Some((_, item)) = known.get(&r.id).filter(|(seen, _)| seen == stamp) {
                                return Some(Arc::clone(item));
                            }
                            let doc = Doc::<Contact>::from_record(r)?;
                            let folded = doc.data.search_text();
                            let item = Arc::new((doc, folded));
                            known.insert(r.id.clone(), (*stamp, Arc::clone(&item)));
                            Some(item)
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        nimo_core::base::order::sort_by(&mut out, newest_first);
        out
    }, items_changed)
}

#[cfg(test)]
mod tests {
    use std::sync::Weak;

    use nimo_core::base::taxonomy::Worry;
    use nimo_core::base::time::JstDateTime;
    use nimo_core::schema::Typed;
    use nimo_core::schema::field::Set;
    use nimo_core::sync::collection::Visibility;
    use nimo_core::sync::hlc::Hlc;
    use nimo_core::sync::ids::{ClientId, UserId};
    use nimo_core::sync::record::{Record, Stamped};

    use super::*;

    fn contact_record(group: &GroupId, n: u8) -> Record {
        let t = Hlc::new(1_700_000_000_000 + u64::from(n), 0, ClientId::from_random([1; 8]));
        let mut c = Contact::new(JstDateTime::from_unix_ms(1_700_000_000_000));
        c.worries = Set(vec![Worry::Housing]);
        let id = RecordId::new_v7(1_700_000_000_000, [n; 10]);
        let owner = UserId::new_v7(1_700_000_000_000, [9; 10]);
        let mut r = Record::new(id, Collection::Contact, group.clone(), owner, Stamped::new(Visibility::Private, t));
        for (name, value) in c.to_fields() {
            r.fields.insert(name.to_owned(), Stamped::new(value, t));
        }
        r
    }

    #[test]
    fn clearing_the_cache_and_refreshing_leaves_no_parsed_contact_in_memory() {
        let owner = Owner::new();
        owner.with(|| {
            let group = GroupId::new_v7(1_700_000_000_000, [7; 10]);
            let cache = Cache::new();
            let group_signal = RwSignal::new(Some(group.clone()));
            let index = Index::new(cache, group_signal);
            cache.apply((1..=3).map(|n| {
                let r = contact_record(&group, n);
                (Collection::Contact, r.id.clone(), Some(r))
            }).collect());
            let held: Vec<Weak<(Doc<Contact>, String)>> = index.contacts.with_untracked(|all| all.iter().map(Arc::downgrade).collect());
            assert_eq!(held.len(), 3);
            assert!(index.monthly.with_untracked(|m| !m.months.is_empty()));

            // A second read with nothing changed hands out the same items.
            assert!(index.contacts.with_untracked(|all| all.iter().zip(&held).all(|(a, b)| Weak::ptr_eq(&Arc::downgrade(a), b))));

            cache.clear();
            index.refresh();
            assert!(held.iter().all(|w| w.upgrade().is_none()), "a parsed contact outlived the lock");
            assert!(index.contacts.with_untracked(Vec::is_empty));
            assert!(index.monthly.with_untracked(|m| m.months.is_empty()));
        });
    }
}

//! What a signed-in device holds: the user's key pair, the key for their
//! private records, and every epoch's key of each of their groups — and
//! what it does with them to a record: which record key seals a new value
//! (a new one when the record has none fit for who may read it), and
//! opening a record that came from the server, field by field, keeping
//! aside whatever does not open.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::seal::{KEY_FIELD, Place, Scope, is_key_field, new_key_id, open_value, scope_of, seal_value, unwrap_record_key, wrap_record_key};
use super::{CryptoError, Key, Random, b64, unb64};
use crate::sync::collection::{Collection, Visibility};
use crate::sync::hlc::Hlc;
use crate::sync::ids::{GroupId, RecordId, UserId};
use crate::sync::protocol::FieldWrite;
use crate::sync::record::Record;

/// One group's keys, by epoch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupKeys {
    epochs: BTreeMap<u32, Key>,
}

impl GroupKeys {
    pub fn current(&self) -> Option<u32> {
        self.epochs.keys().next_back().copied()
    }
}

/// Holds the private half of the user's key pair as bytes: opening and
/// sealing envelopes (X25519) happens only online — signing in, joining,
/// a rotation — in the key module the app loads when it needs it (see
/// ARCHITECTURE.md), while the app itself, offline included, needs only
/// the symmetric keys.
#[derive(Debug, Clone)]
pub struct Keyring {
    pub user: UserId,
    secret: Key,
    private: Key,
    groups: BTreeMap<GroupId, GroupKeys>,
}

/// A field of a record from the server that this device could not open:
/// kept aside and said, never merged over what the device holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unreadable {
    pub collection: Collection,
    pub id: RecordId,
    pub field: String,
    pub why: String,
}

impl Keyring {
    /// From the private half of the user's X25519 key pair.
    #[cfg(feature = "keys")]
    pub fn new(user: UserId, secret: Key) -> Self {
        let private = private_records_key(&secret);
        Self { user, secret, private, groups: BTreeMap::new() }
    }

    /// The private half of the user's key pair (for the key module).
    pub fn secret(&self) -> &Key {
        &self.secret
    }

    pub fn add_epoch(&mut self, group: &GroupId, epoch: u32, key: Key) {
        self.groups.entry(group.clone()).or_default().epochs.insert(epoch, key);
    }

    pub fn current_epoch(&self, group: &GroupId) -> Option<u32> {
        self.groups.get(group).and_then(GroupKeys::current)
    }

    pub fn epoch_key(&self, group: &GroupId, epoch: u32) -> Option<Key> {
        self.groups.get(group)?.epochs.get(&epoch).cloned()
    }

    pub fn groups(&self) -> impl Iterator<Item = (&GroupId, &GroupKeys)> {
        self.groups.iter()
    }

    fn scope_key(&self, group: &GroupId, scope: Scope) -> Option<Key> {
        match scope {
            Scope::Private => Some(self.private.clone()),
            Scope::Group(n) => self.epoch_key(group, n),
        }
    }

    /// The scope a record's new keys are wrapped under: the author's own
    /// for a private record, the group's current epoch for a shared one.
    pub fn wanted_scope(&self, group: &GroupId, visibility: Visibility) -> Result<Scope, CryptoError> {
        match visibility {
            Visibility::Private => Ok(Scope::Private),
            Visibility::Group => self.current_epoch(group).map(Scope::Group).ok_or_else(|| CryptoError::NoKey(format!("group {group}"))),
        }
    }

    /// Every key of the record this device can unwrap, by id.
    pub fn record_keys(&self, r: &Record) -> BTreeMap<String, Key> {
        r.fields
            .iter()
            .filter(|(name, _)| is_key_field(name))
            .filter_map(|(name, v)| {
                let id = &name[KEY_FIELD.len()..];
                unwrap_record_key(r.collection, &r.id, id, &v.v, &|s| self.scope_key(&r.group, s)).ok().map(|k| (id.to_owned(), k))
            })
            .collect()
    }

    /// The record's newest key (the `_key.*` field written last) and its scope.
    pub fn newest_key(r: &Record) -> Option<(String, Scope)> {
        r.fields
            .iter()
            .filter(|(name, _)| is_key_field(name))
            .filter_map(|(name, s)| scope_of(&s.v).map(|scope| (s.t, name[KEY_FIELD.len()..].to_owned(), scope)))
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
            .map(|(_, id, scope)| (id, scope))
    }

    /// Seals `writes` (plaintext values of one change to a record) in place,
    /// and returns the key fields to write with them: a new record key when
    /// the record has none this device holds for `visibility` (a new
    /// record, one shared under an older epoch, one made private), and, when
    /// the visibility changes, every key it has wrapped again for the new
    /// readers. `t` stamps the key fields.
    #[allow(clippy::too_many_arguments)]
    pub fn seal_change(
        &self,
        rng: &dyn Random,
        collection: Collection,
        id: &RecordId,
        group: &GroupId,
        existing: Option<&Record>,
        visibility: Visibility,
        visibility_changes: bool,
        writes: &mut [FieldWrite],
        t: Hlc,
    ) -> Result<Vec<FieldWrite>, CryptoError> {
        let wanted = self.wanted_scope(group, visibility)?;
        let held = existing.map(|r| self.record_keys(r)).unwrap_or_default();
        let newest = existing.and_then(Self::newest_key);
        let mut keys = Vec::new();
        // Sharing or unsharing: the keys the record has, for the new readers.
        if visibility_changes {
            for (kid, key) in &held {
                let value = wrap_record_key(rng, collection, id, kid, key, wanted, &self.scope_key(group, wanted).ok_or_else(|| CryptoError::NoKey(wanted.id()))?);
                keys.push(FieldWrite { field: format!("{KEY_FIELD}{kid}"), v: value, t, base: None });
            }
        }
        let fit = newest.filter(|(kid, scope)| *scope == wanted && held.contains_key(kid) && !(visibility_changes && visibility == Visibility::Private));
        let (kid, key) = match fit {
            Some((kid, _)) => {
                let key = held.get(&kid).cloned().ok_or_else(|| CryptoError::NoKey(kid.clone()))?;
                (kid, key)
            }
            None => {
                let existing: Vec<&str> = existing.into_iter().flat_map(|r| r.fields.iter()).filter_map(|(name, _)| name.strip_prefix(KEY_FIELD)).collect();
                let kid = new_key_id(rng, existing);
                let key = Key::random(rng);
                let by = self.scope_key(group, wanted).ok_or_else(|| CryptoError::NoKey(wanted.id()))?;
                keys.push(FieldWrite { field: format!("{KEY_FIELD}{kid}"), v: wrap_record_key(rng, collection, id, &kid, &key, wanted, &by), t, base: None });
                (kid, key)
            }
        };
        for w in writes.iter_mut().filter(|w| !is_key_field(&w.field)) {
            w.v = seal_value(rng, &kid, &key, Place { collection, record: id, field: &w.field, stamp: &w.t }, &w.v);
        }
        Ok(keys)
    }

    /// A whole record sealed as its author's device would send it: its
    /// values under a new record key (for tools that write records without
    /// a device: the seed, the tests).
    pub fn seal_record(&self, rng: &dyn Random, r: &Record) -> Result<Record, CryptoError> {
        let mut writes: Vec<FieldWrite> = r.fields.iter().map(|(name, s)| FieldWrite { field: name.clone(), v: s.v.clone(), t: s.t, base: None }).collect();
        let keys = self.seal_change(rng, r.collection, &r.id, &r.group, None, r.visibility.v, false, &mut writes, *r.first_stamp())?;
        let mut out = r.clone();
        for w in keys.into_iter().chain(writes) {
            out.fields.insert(w.field, crate::sync::record::Stamped::new(w.v, w.t));
        }
        Ok(out)
    }

    /// Seals one value again for another stamp (a device whose clock ran
    /// ahead moves its queued changes back in time).
    pub fn reseal(&self, rng: &dyn Random, collection: Collection, id: &RecordId, keys: &BTreeMap<String, Key>, field: &str, value: &serde_json::Value, from: &Hlc, to: &Hlc) -> Result<serde_json::Value, CryptoError> {
        if is_key_field(field) || value.is_null() {
            return Ok(value.clone());
        }
        let kid = super::seal::key_id_of(value).ok_or(CryptoError::Malformed("not a sealed value"))?.to_owned();
        let key = keys.get(&kid).cloned().ok_or_else(|| CryptoError::NoKey(kid.clone()))?;
        let plain = open_value(value, &|_| Some(key.clone()), Place { collection, record: id, field, stamp: from })?;
        Ok(seal_value(rng, &kid, &key, Place { collection, record: id, field, stamp: to }, &plain))
    }

    /// Opens a record as the server holds it: its values in plain text, its
    /// key fields as they are. A field that does not open — no key here
    /// for it, or altered — is left out and listed; conflicts whose text
    /// does not open lose their text.
    pub fn open_record(&self, r: &Record) -> (Record, Vec<Unreadable>) {
        #[cfg(feature = "bench-plain")]
        if !r.fields.iter().any(|(name, _)| is_key_field(name)) {
            return (r.clone(), Vec::new());
        }
        let keys = self.record_keys(r);
        let find = |kid: &str| keys.get(kid).cloned();
        // A value naming a key its record never carried was moved here from
        // elsewhere: altered, not a key this device still lacks.
        let why = |e: CryptoError| match e {
            CryptoError::NoKey(kid) if !r.fields.contains_key(&format!("{KEY_FIELD}{kid}")) => CryptoError::DoesNotOpen,
            e => e,
        };
        let mut out = r.clone();
        let mut unreadable = Vec::new();
        let names: Vec<String> = r.fields.iter().map(|(k, _)| k.clone()).collect();
        for name in names {
            if is_key_field(&name) {
                continue;
            }
            let Some(stamped) = r.fields.get(&name) else { continue };
            match open_value(&stamped.v, &find, Place { collection: r.collection, record: &r.id, field: &name, stamp: &stamped.t }) {
                Ok(v) => {
                    if let Some(s) = out.fields.get_mut(&name) {
                        s.v = v;
                    }
                }
                Err(e) => {
                    out.fields.remove(&name);
                    unreadable.push(Unreadable { collection: r.collection, id: r.id.clone(), field: name.clone(), why: why(e).to_string() });
                }
            }
        }
        for c in &mut out.conflicts {
            if c.v.is_null() {
                continue;
            }
            match open_value(&c.v, &find, Place { collection: r.collection, record: &r.id, field: &c.field, stamp: &c.t }) {
                Ok(v) => c.v = v,
                Err(e) => {
                    c.v = serde_json::Value::Null;
                    unreadable.push(Unreadable { collection: r.collection, id: r.id.clone(), field: format!("conflict:{}", c.field), why: why(e).to_string() });
                }
            }
        }
        // The server sees only sealed texts, so it keeps as a conflict what
        // opened is blank or the very text that stands: not shown as one.
        let blank = |v: &Value| v.as_str().is_some_and(|s| s.trim().is_empty());
        let fields = &out.fields;
        out.conflicts.retain(|c| c.v.is_null() || (!blank(&c.v) && fields.get(&c.field).is_none_or(|s| s.v != c.v)));
        (out, unreadable)
    }

    /// For the device's own store: the secret half and the group keys.
    pub fn to_value(&self) -> Value {
        let mut groups = Map::new();
        for (g, keys) in &self.groups {
            let mut epochs = Map::new();
            for (n, k) in &keys.epochs {
                epochs.insert(n.to_string(), Value::String(b64(k.bytes())));
            }
            groups.insert(g.to_string(), Value::Object(epochs));
        }
        crate::object! {
            "user": self.user.to_string(),
            "secret": b64(self.secret.bytes()),
            // Kept, not derived again: the app itself carries no HKDF.
            "private": b64(self.private.bytes()),
            "groups": Value::Object(groups),
        }
    }

    pub fn from_value(v: &Value) -> Result<Self, CryptoError> {
        let bad = CryptoError::Malformed("a stored keyring");
        let key = |name: &str| -> Result<Key, CryptoError> { Key::from_slice(&unb64(v.get(name).and_then(Value::as_str).ok_or(bad.clone())?)?) };
        let user = UserId::parse(v.get("user").and_then(Value::as_str).ok_or(bad.clone())?).map_err(|_| bad.clone())?;
        let mut ring = Self { user, secret: key("secret")?, private: key("private")?, groups: BTreeMap::new() };
        for (g, epochs) in v.get("groups").and_then(Value::as_object).ok_or(bad.clone())? {
            let group = GroupId::parse(g).map_err(|_| bad.clone())?;
            for (n, k) in epochs.as_object().ok_or(bad.clone())? {
                let epoch = n.parse().map_err(|_| bad.clone())?;
                ring.add_epoch(&group, epoch, Key::from_slice(&unb64(k.as_str().ok_or(bad.clone())?)?)?);
            }
        }
        Ok(ring)
    }
}

/// The key of a user's private records, from the private half of their
/// key pair.
#[cfg(feature = "keys")]
pub fn private_records_key(secret: &Key) -> Key {
    super::kdf::expand(secret.bytes(), "private records")
}

/// The context an envelope of a group key is bound to: the group, the
/// epoch and the recipient's public key (base64; a new account's envelope
/// is made before the server gives it a user id).
pub fn envelope_context(group: &GroupId, epoch: u32, recipient: &str) -> String {
    format!("group {group} epoch {epoch} for {recipient}")
}

/// The context an older epoch's key sealed under the next one is bound to.
pub fn history_aad(group: &GroupId, epoch: u32) -> Vec<u8> {
    format!("nimo-v1|history|{group}|{epoch}").into_bytes()
}

/// The context of a group key sealed to the group's recovery key.
pub fn recovery_context(group: &GroupId, epoch: u32) -> String {
    format!("group {group} epoch {epoch} for recovery")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::secret::test_rng;
    use crate::sync::ids::ClientId;
    use crate::sync::record::Stamped;
    use serde_json::json;

    fn t(ms: u64) -> Hlc {
        Hlc::new(ms, 0, ClientId::from_random([1; 8]))
    }

    /// A record as a device writes it: the change's writes sealed and its
    /// key fields, applied.
    fn write(ring: &Keyring, rng: &dyn Random, existing: Option<Record>, vis: Visibility, fields: &[(&str, Value)], at: u64) -> Record {
        let id = existing.as_ref().map(|r| r.id.clone()).unwrap_or_else(|| RecordId::new_v7(1, [7; 10]));
        let group = GroupId::new_v7(1, [2; 10]);
        let changes = existing.as_ref().is_some_and(|r| r.visibility.v != vis);
        let mut writes: Vec<FieldWrite> = fields.iter().map(|(f, v)| FieldWrite { field: (*f).into(), v: v.clone(), t: t(at), base: None }).collect();
        let keys = ring.seal_change(rng, Collection::Contact, &id, &group, existing.as_ref(), vis, changes, &mut writes, t(at)).unwrap();
        let mut r = existing.unwrap_or_else(|| Record::new(id, Collection::Contact, group, ring.user.clone(), Stamped::new(vis, t(at))));
        r.set_visibility(vis, t(at));
        for w in keys.into_iter().chain(writes) {
            r.write(&w.field, w.v, w.t);
        }
        r
    }

    #[test]
    fn a_shared_record_opens_for_the_group_a_private_one_for_its_author_only() {
        let rng = test_rng();
        let group = GroupId::new_v7(1, [2; 10]);
        let gk = Key::random(&rng);
        let mut author = Keyring::new(UserId::new_v7(1, [3; 10]), Key::random(&rng));
        let mut member = Keyring::new(UserId::new_v7(1, [4; 10]), Key::random(&rng));
        author.add_epoch(&group, 1, gk.clone());
        member.add_epoch(&group, 1, gk);
        let shared = write(&author, &rng, None, Visibility::Group, &[("note", json!("共有のメモ")), ("mode", json!("phone"))], 10);
        let (opened, bad) = member.open_record(&shared);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(opened.text("note"), Some("共有のメモ"));
        let private = write(&author, &rng, None, Visibility::Private, &[("note", json!("自分だけ"))], 11);
        let (opened, bad) = member.open_record(&private);
        assert_eq!(opened.get("note"), None);
        assert_eq!(bad.len(), 1, "the member cannot open it");
        assert_eq!(author.open_record(&private).0.text("note"), Some("自分だけ"));

        // Made private: a new key, which the group does not get.
        let unshared = write(&author, &rng, Some(shared.clone()), Visibility::Private, &[("note", json!("あとで書いた"))], 20);
        assert_ne!(Keyring::newest_key(&unshared).map(|k| k.0), Keyring::newest_key(&shared).map(|k| k.0));
        assert_eq!(Keyring::newest_key(&unshared).map(|k| k.1), Some(Scope::Private));
        let (opened, _) = member.open_record(&unshared);
        assert_ne!(opened.text("note"), Some("あとで書いた"));
        assert_eq!(author.open_record(&unshared).0.text("note"), Some("あとで書いた"));
        // Shared again: the group opens everything it holds.
        let reshared = write(&author, &rng, Some(unshared), Visibility::Group, &[], 30);
        let (opened, bad) = member.open_record(&reshared);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(opened.text("note"), Some("あとで書いた"));
    }

    #[test]
    fn a_write_after_a_rotation_uses_a_key_of_the_new_epoch() {
        let rng = test_rng();
        let group = GroupId::new_v7(1, [2; 10]);
        let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), Key::random(&rng));
        ring.add_epoch(&group, 1, Key::random(&rng));
        let r = write(&ring, &rng, None, Visibility::Group, &[("note", json!("a"))], 10);
        assert_eq!(Keyring::newest_key(&r).map(|k| k.1), Some(Scope::Group(1)));
        ring.add_epoch(&group, 2, Key::random(&rng));
        let r = write(&ring, &rng, Some(r), Visibility::Group, &[("note", json!("b"))], 20);
        assert_eq!(Keyring::newest_key(&r).map(|k| k.1), Some(Scope::Group(2)));
        let (opened, bad) = ring.open_record(&r);
        assert!(bad.is_empty());
        assert_eq!(opened.text("note"), Some("b"));
    }

    #[test]
    fn a_tampered_or_swapped_value_is_kept_aside() {
        let rng = test_rng();
        let group = GroupId::new_v7(1, [2; 10]);
        let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), Key::random(&rng));
        ring.add_epoch(&group, 1, Key::random(&rng));
        let mut r = write(&ring, &rng, None, Visibility::Group, &[("note", json!("本当のメモ")), ("person", json!("Aさん"))], 10);
        // The server swaps two fields' values.
        let note = r.fields.get("note").unwrap().v.clone();
        let person = r.fields.get("person").unwrap().v.clone();
        r.fields.get_mut("note").unwrap().v = person;
        r.fields.get_mut("person").unwrap().v = note;
        let (opened, bad) = ring.open_record(&r);
        assert_eq!(opened.get("note"), None);
        assert_eq!(opened.get("person"), None);
        assert_eq!(bad.len(), 2);
        assert!(opened.get("mode").is_none());
    }

    #[test]
    fn a_value_moved_from_another_record_is_altered_not_a_missing_key() {
        let rng = test_rng();
        let group = GroupId::new_v7(1, [2; 10]);
        let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), Key::random(&rng));
        ring.add_epoch(&group, 1, Key::random(&rng));
        let other = write(&ring, &rng, None, Visibility::Group, &[("note", json!("別の記録のメモ"))], 10);
        let mut r = write(&ring, &rng, None, Visibility::Group, &[("note", json!("本当のメモ"))], 11);
        // The other record's value names a record key this record does not carry.
        r.fields.get_mut("note").unwrap().v = other.fields.get("note").unwrap().v.clone();
        let (opened, bad) = ring.open_record(&r);
        assert_eq!(opened.get("note"), None);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].why, CryptoError::DoesNotOpen.to_string(), "a key the record never named is not a key missing here");
    }

    #[test]
    fn the_keyring_is_kept_and_read_back() {
        let rng = test_rng();
        let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), Key::random(&rng));
        ring.add_epoch(&GroupId::new_v7(1, [2; 10]), 1, Key::random(&rng));
        ring.add_epoch(&GroupId::new_v7(1, [2; 10]), 2, Key::random(&rng));
        let back = Keyring::from_value(&ring.to_value()).unwrap();
        assert_eq!(back.secret(), ring.secret());
        assert_eq!(back.current_epoch(&GroupId::new_v7(1, [2; 10])), Some(2));
    }
}

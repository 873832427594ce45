//! Record values sealed on the device: each value under its record's key,
//! with AES-256-GCM, padded so that its length says little, and bound to
//! its place — the collection, the record, the field and the stamp of the
//! write — so that a server that moves a value to another field, record or
//! time, or changes a byte, gets a value no device opens.
//!
//! What a sealed value looks like on the wire, and to the server:
//! `"s1.<key id>.<base64>"`; an empty value stays `null`. The record's keys
//! travel in the record itself, as fields `_key.<key id>` whose value is
//! `{"s": scope, "w": wrapped key}`: the scope says what wraps it (`u`, the
//! author's private-records key; `g<n>`, the group's key of epoch *n*).

use serde_json::Value;

use super::{CryptoError, Key, Random, b64, unb64};
use crate::sync::collection::Collection;
use crate::sync::hlc::Hlc;
use crate::sync::ids::RecordId;

pub const SEALED: &str = "s1.";
pub const KEY_FIELD: &str = "_key.";
/// The largest sealed value: a whole record's worth (the server's cap on a
/// record, 64 KB, is what limits the sum).
pub const MAX_SEALED: usize = 64 * 1024;

/// Where a value lives; what it is bound to.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub collection: Collection,
    pub record: &'a RecordId,
    pub field: &'a str,
    pub stamp: &'a Hlc,
}

impl Place<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("nimo-v1|value|{}|{}|{}|{}", self.collection.id(), self.record, self.field, self.stamp).into_bytes()
    }
}

/// A key id: eight lowercase hex digits, a generation (four) and a random
/// part (four), so that a record's newer key sorts after its older ones
/// even when both were written with one stamp (a record made private
/// wraps its old keys again and gets a new one in the same change), and
/// two devices making a key at once make two.
pub fn valid_key_id(id: &str) -> bool {
    id.len() == 8 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The id of a record's next key, after `existing` ids.
pub fn new_key_id<'a>(rng: &dyn Random, existing: impl IntoIterator<Item = &'a str>) -> String {
    let generation = existing.into_iter().filter_map(|id| u16::from_str_radix(id.get(..4)?, 16).ok()).max().map_or(1, |g| g.saturating_add(1));
    let mut b = [0u8; 2];
    rng.fill(&mut b);
    format!("{generation:04x}{:02x}{:02x}", b[0], b[1])
}

pub fn is_key_field(field: &str) -> bool {
    field.strip_prefix(KEY_FIELD).is_some_and(valid_key_id)
}

/// The key id a sealed value names, if it is one.
pub fn key_id_of(value: &Value) -> Option<&str> {
    let rest = value.as_str()?.strip_prefix(SEALED)?;
    let (id, _) = rest.split_once('.')?;
    valid_key_id(id).then_some(id)
}

/// Whether a value is in the sealed form (what the server checks: it
/// cannot check more).
pub fn is_sealed(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => {
            s.len() <= MAX_SEALED
                && s.strip_prefix(SEALED).and_then(|r| r.split_once('.')).is_some_and(|(id, body)| {
                    valid_key_id(id) && !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
                })
        }
        _ => false,
    }
}

/// Lengths padded to 32 bytes, then the next power of two up to 1 KiB,
/// then a multiple of 1 KiB.
fn padded_len(n: usize) -> usize {
    match n {
        0..=32 => 32,
        33..=1024 => n.next_power_of_two(),
        _ => n.div_ceil(1024) * 1024,
    }
}

fn pad(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(padded_len(text.len() + 4));
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text);
    out.resize(padded_len(text.len() + 4), 0);
    out
}

fn unpad(bytes: &[u8]) -> Result<&[u8], CryptoError> {
    let len = bytes.get(..4).map(|l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize).ok_or(CryptoError::Malformed("padding"))?;
    let text = bytes.get(4..4 + len).ok_or(CryptoError::Malformed("padding"))?;
    if bytes[4 + len..].iter().any(|&b| b != 0) || bytes.len() != padded_len(len + 4) {
        return Err(CryptoError::Malformed("padding"));
    }
    Ok(text)
}

/// Seals a value for its place; `null` (empty) stays `null`.
pub fn seal_value(rng: &dyn Random, key_id: &str, key: &Key, place: Place<'_>, value: &Value) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    let text = crate::base::json::print_value(value);
    let sealed = key.seal(rng, &pad(text.as_bytes()), &place.aad());
    Value::String(format!("{SEALED}{key_id}.{}", b64(&sealed)))
}

/// Opens a sealed value with the key it names (`keys` finds it).
pub fn open_value(value: &Value, keys: &dyn Fn(&str) -> Option<Key>, place: Place<'_>) -> Result<Value, CryptoError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let text = value.as_str().ok_or(CryptoError::Malformed("a sealed value is text"))?;
    let rest = text.strip_prefix(SEALED).ok_or(CryptoError::Malformed("not a sealed value"))?;
    let (id, body) = rest.split_once('.').ok_or(CryptoError::Malformed("not a sealed value"))?;
    let key = keys(id).ok_or_else(|| CryptoError::NoKey(id.to_owned()))?;
    let opened = key.open(&unb64(body)?, &place.aad())?;
    let json = std::str::from_utf8(unpad(&opened)?).map_err(|_| CryptoError::Malformed("not text"))?;
    crate::base::json::parse(json).map_err(|_| CryptoError::Malformed("not JSON"))
}

/// Who can unwrap a record key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// The author's private-records key.
    Private,
    /// The group's key of this epoch.
    Group(u32),
}

impl Scope {
    pub fn id(self) -> String {
        match self {
            Self::Private => "u".into(),
            Self::Group(n) => format!("g{n}"),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "u" => Some(Self::Private),
            _ => s.strip_prefix('g').and_then(|n| n.parse().ok()).filter(|n: &u32| s == format!("g{n}")).map(Self::Group),
        }
    }
}

fn key_aad(collection: Collection, record: &RecordId, id: &str, scope: Scope) -> Vec<u8> {
    format!("nimo-v1|key|{}|{record}|{id}|{}", collection.id(), scope.id()).into_bytes()
}

/// The `_key.<id>` field's value: `key` wrapped under `by` (the key of `scope`).
pub fn wrap_record_key(rng: &dyn Random, collection: Collection, record: &RecordId, id: &str, key: &Key, scope: Scope, by: &Key) -> Value {
    crate::object! {
        "s": scope.id(),
        "w": b64(&by.seal(rng, key.bytes(), &key_aad(collection, record, id, scope))),
    }
}

/// The scope a `_key.<id>` field's value names (what the server checks).
pub fn scope_of(value: &Value) -> Option<Scope> {
    let o = value.as_object()?;
    if o.len() != 2 || !o.get("w")?.as_str().is_some_and(|w| !w.is_empty() && w.len() <= 128) {
        return None;
    }
    Scope::parse(o.get("s")?.as_str()?)
}

/// Unwraps a `_key.<id>` field's value with the key of its scope.
pub fn unwrap_record_key(collection: Collection, record: &RecordId, id: &str, value: &Value, by: &dyn Fn(Scope) -> Option<Key>) -> Result<Key, CryptoError> {
    let scope = scope_of(value).ok_or(CryptoError::Malformed("a record key"))?;
    let wrapped = unb64(value.get("w").and_then(Value::as_str).unwrap_or(""))?;
    let key = by(scope).ok_or_else(|| CryptoError::NoKey(scope.id()))?;
    Key::from_slice(&key.open(&wrapped, &key_aad(collection, record, id, scope))?)
}

/// Why the server refuses a change's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// Sealed under a group key that is no longer the group's, or under
    /// keys that do not fit the record's readers now: the device fetches
    /// the keys, seals again and sends again (`keys_changed`).
    Stale(&'static str),
    /// A value names a key the record does not have (a broken device).
    Invalid { field: String, message: &'static str },
}

/// What the server checks of a change's keys, the one thing about sealed
/// values it can check: every record key it writes for the group is
/// wrapped under the group's current epoch, and every value it writes is
/// sealed under a key that the record's readers after the change hold —
/// the group's current epoch for a shared record, the author's own key for
/// a private one. `existing`: the record as stored; `current`: the group's
/// epoch (None: no key yet).
pub fn check_keys(existing: Option<&crate::sync::record::Record>, m: &crate::sync::protocol::Mutation, current: Option<u32>) -> Result<(), KeyCheck> {
    use crate::sync::collection::Visibility;
    use crate::sync::protocol::Op;
    let Op::Put { visibility, fields } = &m.op else { return Ok(()) };
    let mut scopes: std::collections::BTreeMap<&str, Scope> = existing
        .into_iter()
        .flat_map(|r| r.fields.iter())
        .filter(|(name, _)| is_key_field(name))
        .filter_map(|(name, s)| scope_of(&s.v).map(|scope| (&name[KEY_FIELD.len()..], scope)))
        .collect();
    for w in fields.iter().filter(|w| is_key_field(&w.field)) {
        let scope = scope_of(&w.v).ok_or(KeyCheck::Invalid { field: format!("fields.{}", w.field), message: "not a record key" })?;
        if let Scope::Group(n) = scope
            && Some(n) != current
        {
            return Err(KeyCheck::Stale("a record key wrapped under a group key that is no longer the group's"));
        }
        scopes.insert(&w.field[KEY_FIELD.len()..], scope);
    }
    let after = visibility.as_ref().map(|v| v.v).or(existing.map(|r| r.visibility.v)).unwrap_or(Visibility::Private);
    let wanted = match after {
        Visibility::Private => Scope::Private,
        Visibility::Group => Scope::Group(current.ok_or(KeyCheck::Stale("the group has no key yet"))?),
    };
    for w in fields.iter().filter(|w| !is_key_field(&w.field) && !w.v.is_null()) {
        let Some(id) = key_id_of(&w.v) else {
            return Err(KeyCheck::Invalid { field: format!("fields.{}", w.field), message: "not a sealed value" });
        };
        match scopes.get(id) {
            None => return Err(KeyCheck::Invalid { field: format!("fields.{}", w.field), message: "sealed under a key the record does not have" }),
            Some(scope) if *scope != wanted => return Err(KeyCheck::Stale("sealed under a key the record's readers do not hold")),
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::secret::test_rng;
    use crate::sync::ids::ClientId;
    use serde_json::json;

    #[test]
    fn a_value_opens_only_in_its_place() {
        let rng = test_rng();
        let key = Key::random(&rng);
        let (id, other) = (RecordId::new_v7(1, [1; 10]), RecordId::new_v7(1, [2; 10]));
        let (t, later) = (Hlc::new(5, 0, ClientId::from_random([1; 8])), Hlc::new(6, 0, ClientId::from_random([1; 8])));
        let place = Place { collection: Collection::Contact, record: &id, field: "note", stamp: &t };
        let value = json!("夜眠れないと話していた");
        let sealed = seal_value(&rng, "0a1b2c3d", &key, place, &value);
        assert!(is_sealed(&sealed));
        assert_eq!(key_id_of(&sealed), Some("0a1b2c3d"));
        let keys = |i: &str| (i == "0a1b2c3d").then(|| key.clone());
        assert_eq!(open_value(&sealed, &keys, place).unwrap(), value);
        for moved in [
            Place { field: "person", ..place },
            Place { record: &other, ..place },
            Place { stamp: &later, ..place },
            Place { collection: Collection::Meeting, ..place },
        ] {
            assert_eq!(open_value(&sealed, &keys, moved), Err(CryptoError::DoesNotOpen));
        }
        assert_eq!(seal_value(&rng, "0a1b2c3d", &key, place, &Value::Null), Value::Null, "empty stays empty");
        assert!(matches!(open_value(&sealed, &|_| None, place), Err(CryptoError::NoKey(_))));
    }

    #[test]
    fn lengths_say_little() {
        let rng = test_rng();
        let key = Key::random(&rng);
        let id = RecordId::new_v7(1, [1; 10]);
        let t = Hlc::new(5, 0, ClientId::from_random([1; 8]));
        let place = Place { collection: Collection::Contact, record: &id, field: "note", stamp: &t };
        let len = |s: &str| seal_value(&rng, "00000000", &key, place, &json!(s)).as_str().unwrap().len();
        assert_eq!(len("a"), len("ねむれない"), "short values are one size");
        assert_eq!(len(&"あ".repeat(100)), len(&"あ".repeat(150)), "300 and 450 bytes pad to 512");
        for n in [0, 1, 31, 32, 33, 100, 1024, 1025, 5000] {
            let text = vec![b'x'; n];
            let padded = pad(&text);
            assert_eq!(unpad(&padded).unwrap(), &text[..]);
        }
    }

    #[test]
    fn record_keys_wrap_under_their_scope() {
        let rng = test_rng();
        let (rk, group1, group2) = (Key::random(&rng), Key::random(&rng), Key::random(&rng));
        let id = RecordId::new_v7(1, [1; 10]);
        let field = wrap_record_key(&rng, Collection::Contact, &id, "0a1b2c3d", &rk, Scope::Group(1), &group1);
        assert_eq!(scope_of(&field), Some(Scope::Group(1)));
        let by = |s: Scope| match s {
            Scope::Group(1) => Some(group1.clone()),
            Scope::Group(2) => Some(group2.clone()),
            _ => None,
        };
        assert_eq!(unwrap_record_key(Collection::Contact, &id, "0a1b2c3d", &field, &by).unwrap(), rk);
        assert!(unwrap_record_key(Collection::Contact, &id, "ffffffff", &field, &by).is_err(), "another key id");
        let mut relabelled = field.clone();
        relabelled["s"] = json!("g2");
        assert!(unwrap_record_key(Collection::Contact, &id, "0a1b2c3d", &relabelled, &by).is_err(), "a scope changed by the server");
        assert_eq!(Scope::parse("g01"), None);
        assert_eq!(Scope::parse("u"), Some(Scope::Private));
    }
}

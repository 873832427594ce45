//! The end-to-end sealing (`nimo_core::crypto`), on generated values and
//! places: a sealed value opens to itself in its place and nowhere else; a
//! changed byte, a swapped field, a record key relabelled never open; the
//! padding hides lengths within their bucket; every shape the server may be
//! handed (a sealed value, a record key, base64, a recovery key as typed)
//! is read without a panic; the keyring survives the store; and the
//! server's check of a change's keys (`check_keys`) refuses every change
//! that names a key the record's readers will not hold.

use nimo_core::crypto::keyring::Keyring;
use nimo_core::crypto::seal::{self, KeyCheck, Place, Scope};
use nimo_core::crypto::{Key, Random, account, b64, recovery, unb64};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::hlc::Hlc;
use nimo_core::sync::ids::{GroupId, RecordId, UserId};
use nimo_core::sync::protocol::{FieldWrite, Mutation, Op};
use nimo_core::sync::record::{Record, Stamped};
use proptest::prelude::*;
use serde_json::Value;

use crate::json::{text, value};
use crate::wire::{collection, field_name, record_id, stamp};
use crate::{check, ensure};

/// Randomness the generated cases choose (so a failure replays).
fn rng_from(seed: u64) -> impl Random {
    let state = std::cell::Cell::new(seed | 1);
    move |out: &mut [u8]| {
        for b in out.iter_mut() {
            let mut x = state.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            state.set(x);
            *b = x as u8;
        }
    }
}

fn key() -> impl Strategy<Value = Key> {
    any::<[u8; 32]>().prop_map(Key::from_bytes)
}

#[test]
fn crypto_a_sealed_value_opens_only_in_its_place() {
    let case = (key(), any::<u64>(), value(), collection(), record_id(), field_name(), stamp(), record_id(), field_name(), stamp());
    check("crypto_seal_place", 128, case, |(key, seed, v, collection, id, field, t, other_id, other_field, other_t)| {
        let rng = rng_from(seed);
        let place = Place { collection, record: &id, field: &field, stamp: &t };
        let sealed = seal::seal_value(&rng, "0001abcd", &key, place, &v);
        ensure!(seal::is_sealed(&sealed), "the server reads it as sealed: {sealed}");
        let keys = |kid: &str| (kid == "0001abcd").then(|| key.clone());
        let opened = seal::open_value(&sealed, &keys, place).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Printed and read back: numbers as the JSON reader reads them.
        let expected = nimo_core::base::json::parse(&nimo_core::base::json::print_value(&v)).unwrap_or(v.clone());
        ensure!(opened == expected || v.is_null(), "opened {opened:?}, sealed {v:?}");
        if !v.is_null() {
            for moved in [Place { record: &other_id, ..place }, Place { field: &other_field, ..place }, Place { stamp: &other_t, ..place }] {
                if moved.record != place.record || moved.field != place.field || moved.stamp != place.stamp {
                    ensure!(seal::open_value(&sealed, &keys, moved).is_err(), "opened in another place");
                }
            }
        }
        Ok(())
    });
}

#[test]
fn crypto_a_changed_byte_never_opens() {
    let case = (key(), any::<u64>(), text(), any::<prop::sample::Index>(), 1u8..=255);
    check("crypto_tamper", 128, case, |(key, seed, s, at, flip)| {
        let rng = rng_from(seed);
        let (id, t) = (RecordId::new_v7(1, [1; 10]), Hlc::new(5, 0, nimo_core::sync::ids::ClientId::from_random([1; 8])));
        let place = Place { collection: Collection::Contact, record: &id, field: "note", stamp: &t };
        let sealed = seal::seal_value(&rng, "0001abcd", &key, place, &Value::String(s));
        let body = sealed.as_str().unwrap_or_default().rsplit('.').next().unwrap_or_default();
        let mut bytes = unb64(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let i = at.index(bytes.len());
        bytes[i] ^= flip;
        let tampered = Value::String(format!("s1.0001abcd.{}", b64(&bytes)));
        ensure!(seal::open_value(&tampered, &|_| Some(key.clone()), place).is_err(), "a flipped byte at {i} opened");
        Ok(())
    });
}

#[test]
fn crypto_lengths_are_padded_to_their_bucket() {
    check("crypto_padding", 128, (key(), 0usize..3000, 0usize..3000), |(key, a, b)| {
        let rng = rng_from(7);
        let (id, t) = (RecordId::new_v7(1, [1; 10]), Hlc::new(5, 0, nimo_core::sync::ids::ClientId::from_random([1; 8])));
        let place = Place { collection: Collection::Contact, record: &id, field: "note", stamp: &t };
        let len = |n: usize| seal::seal_value(&rng, "0001abcd", &key, place, &Value::String("x".repeat(n))).as_str().map(str::len).unwrap_or(0);
        let bucket = |n: usize| {
            let n = n + 6; // the JSON quotes and the length prefix
            if n <= 32 { 32 } else if n <= 1024 { n.next_power_of_two() } else { n.div_ceil(1024) * 1024 }
        };
        ensure!((bucket(a) == bucket(b)) == (len(a) == len(b)), "{a} and {b}: {} and {}", len(a), len(b));
        Ok(())
    });
}

#[test]
fn crypto_every_shape_the_server_is_handed_reads_without_a_panic() {
    check("crypto_shapes", 512, (value(), text()), |(v, s)| {
        let _ = seal::is_sealed(&v);
        let _ = seal::scope_of(&v);
        let _ = seal::key_id_of(&v);
        let _ = seal::is_sealed(&Value::String(format!("s1.{s}")));
        let _ = unb64(&s);
        let _ = recovery::decode(&s);
        let _ = Keyring::from_value(&v);
        let id = RecordId::new_v7(1, [1; 10]);
        let _ = seal::unwrap_record_key(Collection::Contact, &id, "0001abcd", &v, &|_| Some(Key::from_bytes([3; 32])));
        let t = Hlc::new(5, 0, nimo_core::sync::ids::ClientId::from_random([1; 8]));
        let _ = seal::open_value(&v, &|_| Some(Key::from_bytes([3; 32])), Place { collection: Collection::Contact, record: &id, field: "note", stamp: &t });
        Ok(())
    });
}

#[test]
fn crypto_base64_and_recovery_keys_read_back() {
    check("crypto_codecs", 256, (proptest::collection::vec(any::<u8>(), 0..200), key(), any::<prop::sample::Index>()), |(bytes, k, at)| {
        ensure!(unb64(&b64(&bytes)).ok().as_deref() == Some(&bytes[..]), "base64 of {bytes:?}");
        let shown = recovery::encode(&k);
        ensure!(recovery::decode(&shown).ok().as_ref() == Some(&k), "{shown}");
        ensure!(recovery::decode(&shown.to_lowercase().replace('-', " ")).ok().as_ref() == Some(&k), "{shown} as typed");
        // One character changed (not a dash, not into a look-alike) is caught.
        let mut chars: Vec<char> = shown.chars().collect();
        let i = at.index(chars.len());
        if chars[i] != '-' {
            chars[i] = if chars[i] == '7' { '8' } else { '7' };
            let typo: String = chars.into_iter().collect();
            ensure!(recovery::decode(&typo).is_err(), "{typo} read as a key");
        }
        Ok(())
    });
}

#[test]
fn crypto_the_keyring_survives_the_store() {
    check("crypto_keyring", 64, (any::<[u8; 32]>(), proptest::collection::vec((any::<[u8; 10]>(), 1u32..20, key()), 0..6)), |(secret, epochs)| {
        let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), Key::from_bytes(secret));
        for (g, n, k) in &epochs {
            ring.add_epoch(&GroupId::new_v7(1, *g), *n, k.clone());
        }
        let back = Keyring::from_value(&ring.to_value()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        ensure!(back.to_value() == ring.to_value(), "the keyring changed in the store");
        Ok(())
    });
}

/// A record written by a device holding `ring`, and a change to it.
fn written(ring: &Keyring, group: &GroupId, vis: Visibility, seed: u64) -> Record {
    let rng = rng_from(seed);
    let id = RecordId::new_v7(1, [7; 10]);
    let t = Hlc::new(10, 0, nimo_core::sync::ids::ClientId::from_random([1; 8]));
    let mut r = Record::new(id, Collection::Contact, group.clone(), ring.user.clone(), Stamped::new(vis, t));
    r.write("at", Value::String("2026-11-24T10:00".into()), t);
    r.write("mode", Value::String("phone".into()), t);
    ring.seal_record(&rng, &r).unwrap_or(r)
}

#[test]
fn crypto_the_server_refuses_changes_its_readers_could_not_open() {
    let case = (any::<u64>(), 1u32..5, proptest::sample::select(vec![Visibility::Private, Visibility::Group]), any::<bool>(), any::<bool>());
    check("crypto_check_keys", 128, case, |(seed, epoch, vis, rotated, unshare)| {
        let rng = rng_from(seed);
        let group = GroupId::new_v7(1, [2; 10]);
        let mut ring = Keyring::new(UserId::new_v7(1, [3; 10]), Key::random(&rng));
        ring.add_epoch(&group, epoch, Key::random(&rng));
        let record = written(&ring, &group, vis, seed);
        // The server is one epoch ahead when `rotated`.
        let current = if rotated { epoch + 1 } else { epoch };
        let after = if unshare { Visibility::Private } else { vis };
        let t = Hlc::new(20, 0, nimo_core::sync::ids::ClientId::from_random([1; 8]));
        let mut writes = vec![FieldWrite { field: "note".into(), v: Value::String("x".into()), t, base: None }];
        let keys = ring.seal_change(&rng, Collection::Contact, &record.id, &group, Some(&record), after, after != vis, &mut writes, t).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let fields = keys.into_iter().chain(writes).collect();
        let m = Mutation { seq: 1, id: record.id.clone(), collection: Collection::Contact, group: group.clone(), op: Op::Put { visibility: (after != vis).then(|| Stamped::new(after, t)), fields } };
        let verdict = seal::check_keys(Some(&record), &m, Some(current));
        // A device whose keys are current always passes; one behind a
        // rotation is told so whenever the record is the group's.
        let stale = rotated && after == Visibility::Group;
        match (&verdict, stale) {
            (Ok(()), false) => {}
            (Err(KeyCheck::Stale(_)), true) => {}
            other => return Err(TestCaseError::fail(format!("{other:?} for epoch {epoch}, server {current}, {vis:?} → {after:?}"))),
        }
        // Whatever a value names that the record lacks is refused.
        let mut forged = m.clone();
        if let Op::Put { fields, .. } = &mut forged.op {
            fields.retain(|w| !seal::is_key_field(&w.field));
            for w in fields.iter_mut() {
                w.v = seal::seal_value(&rng, "ffff0000", &Key::random(&rng), Place { collection: Collection::Contact, record: &record.id, field: &w.field, stamp: &w.t }, &w.v);
            }
        }
        ensure!(matches!(seal::check_keys(Some(&record), &forged, Some(current)), Err(KeyCheck::Invalid { .. } | KeyCheck::Stale(_))), "a value under a key the record lacks passed");
        let _ = Scope::Private;
        let _ = account::key_text;
        Ok(())
    });
}

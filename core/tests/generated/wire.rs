//! The wire codec (`nimo_core::sync::wire`): every message and record
//! round-trips through its JSON text, is written as serde writes it, and
//! anything else — arbitrary bytes, a real message broken — is an error,
//! never a panic.

use nimo_core::api::error::{ErrorBody, ErrorCode, ResyncReason};
use nimo_core::base::json;
use nimo_core::crypto::keyring::Unreadable;
use nimo_core::sync::client::{Rejected, SyncState};
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::hlc::{Clock, Hlc};
use nimo_core::sync::ids::{ClientId, GroupId, RecordId, UserId};
use nimo_core::sync::protocol::{Ack, AckResult, FieldWrite, Mutation, Op, PullResponse, PushRequest, PushResponse};
use nimo_core::sync::record::{Conflict, Record, Stamped};
use nimo_core::sync::wire::{self, Wire};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::json::{text, value};
use crate::{check, ensure};

fn ms() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..(1 << 48), Just((1 << 48) - 1), 1_700_000_000_000u64..1_900_000_000_000]
}

pub fn client() -> impl Strategy<Value = ClientId> {
    any::<[u8; 8]>().prop_map(ClientId::from_random)
}

pub fn stamp() -> impl Strategy<Value = Hlc> {
    (ms(), any::<u16>(), client()).prop_map(|(ms, c, node)| Hlc::new(ms, c, node))
}

pub fn record_id() -> impl Strategy<Value = RecordId> {
    prop_oneof![
        (ms(), any::<[u8; 10]>()).prop_map(|(ms, r)| RecordId::new_v7(ms, r)),
        "[a-z0-9]{1,12}".prop_map(|p| RecordId::derived(&["profile", &p])),
    ]
}

pub fn group() -> impl Strategy<Value = GroupId> {
    (ms(), any::<[u8; 10]>()).prop_map(|(ms, r)| GroupId::new_v7(ms, r))
}

pub fn user() -> impl Strategy<Value = UserId> {
    (ms(), any::<[u8; 10]>()).prop_map(|(ms, r)| UserId::new_v7(ms, r))
}

pub fn collection() -> impl Strategy<Value = Collection> {
    proptest::sample::select(Collection::ALL.to_vec())
}

pub fn visibility() -> impl Strategy<Value = Visibility> {
    prop_oneof![Just(Visibility::Private), Just(Visibility::Group)]
}

pub fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![3 => proptest::sample::select(vec!["note", "mode", "worries", "at", "person", "referrals"]).prop_map(str::to_owned), 1 => text()]
}

fn record() -> impl Strategy<Value = Record> {
    (
        record_id(),
        collection(),
        group(),
        user(),
        (visibility(), stamp()),
        proptest::option::of(stamp()),
        proptest::collection::vec((field_name(), value(), stamp()), 0..6),
        proptest::collection::vec((field_name(), value(), stamp(), any::<bool>()), 0..3),
    )
        .prop_map(|(id, c, g, owner, (vis, vt), deleted, fields, conflicts)| {
            let mut r = Record::new(id, c, g, owner, Stamped::new(vis, vt));
            r.deleted = deleted;
            for (name, v, t) in fields {
                r.fields.insert(name, Stamped::new(v, t));
            }
            r.conflicts = conflicts.into_iter().map(|(field, v, t, resolved)| Conflict { field, v, t, resolved }).collect();
            r
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (proptest::option::of((visibility(), stamp())), proptest::collection::vec((field_name(), value(), stamp(), proptest::option::of(stamp())), 0..5)).prop_map(|(vis, fields)| Op::Put {
            visibility: vis.map(|(v, t)| Stamped::new(v, t)),
            fields: fields.into_iter().map(|(field, v, t, base)| FieldWrite { field, v, t, base }).collect(),
        }),
        stamp().prop_map(|t| Op::Delete { t }),
        (field_name(), stamp()).prop_map(|(field, t)| Op::Resolve { field, t }),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (any::<u64>(), record_id(), collection(), group(), op()).prop_map(|(seq, id, collection, group, op)| Mutation { seq, id, collection, group, op })
}

fn error_code() -> impl Strategy<Value = ErrorCode> {
    proptest::sample::select(ErrorCode::ALL.to_vec())
}

fn ack() -> impl Strategy<Value = Ack> {
    let result = prop_oneof![
        Just(AckResult::Applied),
        Just(AckResult::Duplicate),
        (error_code(), proptest::option::of(text()), text(), proptest::option::of(record())).prop_map(|(error, field, message, current)| AckResult::Rejected {
            error,
            field,
            message,
            current: current.map(Box::new),
        }),
    ];
    (any::<u64>(), result).prop_map(|(seq, result)| Ack { seq, result })
}

fn epoch() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]{1,32}"
}

/// `x` written by hand reads back as itself, from the value and from its
/// text, and is the JSON serde's derive writes and reads.
fn round_trip<T: Wire + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(x: &T) -> Result<(), TestCaseError> {
    let by_hand = x.to_wire();
    let by_serde = serde_json::to_value(x).map_err(|e| TestCaseError::fail(e.to_string()))?;
    ensure!(by_hand == by_serde, "written differently: by hand {by_hand}, by serde {by_serde}");
    let back = T::from_wire(&by_hand).map_err(|e| TestCaseError::fail(e.0))?;
    ensure!(&back == x, "read back as {back:?}");
    let text = json::print(&by_hand, &|f| serde_json::to_string(&f).unwrap_or_default());
    let reread = T::from_wire(&json::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?).map_err(|e| TestCaseError::fail(e.0))?;
    ensure!(&reread == x, "read back from its text as {reread:?}");
    let serde_back: T = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    ensure!(&serde_back == x, "serde reads it as {serde_back:?}");
    Ok(())
}

#[test]
fn wire_records_round_trip_by_hand_by_serde_and_from_text() {
    check("wire_records", 256, record(), |r| {
        round_trip(&r)?;
        let text = json::print(&r.to_wire(), &|f| serde_json::to_string(&f).unwrap_or_default());
        let direct = wire::record_from_json(&text).map_err(|e| TestCaseError::fail(e.0))?;
        ensure!(direct == r, "record_from_json read {direct:?}");
        Ok(())
    });
}

#[test]
fn wire_push_requests_round_trip() {
    let push = (any::<u32>(), client(), proptest::option::of(epoch()), proptest::collection::vec(mutation(), 0..4))
        .prop_map(|(schema, client, epoch, mutations)| PushRequest { schema, client, epoch, mutations });
    check("wire_push", 128, push, |p| round_trip(&p));
}

#[test]
fn wire_push_responses_round_trip() {
    let answer = (epoch(), proptest::collection::vec(ack(), 0..4), any::<u64>(), any::<u64>()).prop_map(|(epoch, acks, next_seq, server_ms)| PushResponse { epoch, acks, next_seq, server_ms });
    check("wire_push_response", 128, answer, |p| round_trip(&p));
}

#[test]
fn wire_pull_pages_round_trip() {
    let pull = (epoch(), proptest::collection::vec(record(), 0..4), proptest::collection::vec(record_id(), 0..3), text(), any::<bool>(), any::<u64>())
        .prop_map(|(epoch, records, removed, cursor, more, server_ms)| PullResponse { epoch, records, removed, cursor, more, server_ms });
    check("wire_pull", 128, pull, |p| {
        round_trip(&p)?;
        let text = json::print(&p.to_wire(), &|f| serde_json::to_string(&f).unwrap_or_default());
        let direct = wire::pull_from_json(&text).map_err(|e| TestCaseError::fail(e.0))?;
        ensure!(direct == p, "pull_from_json read {direct:?}");
        Ok(())
    });
}

#[test]
fn wire_error_bodies_round_trip() {
    let body = (error_code(), proptest::option::of(text()), text(), proptest::option::of(proptest::sample::select(vec![ResyncReason::Epoch, ResyncReason::Horizon, ResyncReason::Access])), proptest::option::of(text()), proptest::option::of(any::<u64>()))
        .prop_map(|(error, field, message, reason, detail, server_ms)| ErrorBody { error, field, message, reason, detail, server_ms });
    check("wire_error_body", 128, body, |b| round_trip(&b));
}

#[test]
fn wire_the_devices_sync_state_round_trips() {
    let rejected = (mutation(), error_code(), proptest::option::of(text()), text(), any::<u64>()).prop_map(|(mutation, error, field, message, at_ms)| Rejected { mutation, error, field, message, at_ms });
    let unreadable = (collection(), record_id(), field_name(), text()).prop_map(|(collection, id, field, why)| Unreadable { collection, id, field, why });
    let state = (
        (user(), client(), any::<u64>(), (0u64..(1 << 48), any::<u16>())),
        (proptest::option::of(epoch()), proptest::option::of(text()), any::<bool>(), proptest::option::of(any::<u64>()), any::<i64>()),
        proptest::collection::vec(rejected, 0..3),
        proptest::collection::vec(unreadable, 0..3),
    )
        .prop_map(|((user, client, next_seq, (ms, counter)), (epoch, cursor, repair, last_sync_ms, clock_offset_ms), rejected, unreadable)| {
            let mut clock = Clock::new(client);
            clock.rewind(ms, counter);
            SyncState { user, client, next_seq, clock, epoch, cursor, repair, last_sync_ms, clock_offset_ms, rejected, unreadable }
        });
    check("wire_sync_state", 128, state, |s| round_trip(&s));
}

/// Every reader of the codec on one text: errors are fine, panics are not.
fn read_everything(text: &str) {
    let _ = wire::record_from_json(text);
    let _ = wire::pull_from_json(text);
    if let Ok(v) = json::parse(text) {
        let _ = Record::from_wire(&v);
        let _ = PullResponse::from_wire(&v);
        let _ = PushRequest::from_wire(&v);
        let _ = PushResponse::from_wire(&v);
        let _ = Mutation::from_wire(&v);
        let _ = SyncState::from_wire(&v);
        let _ = ErrorBody::from_wire(&v);
        let _ = Vec::<Record>::from_wire(&v);
    }
}

#[test]
fn wire_arbitrary_bytes_are_an_error_never_a_panic() {
    check("wire_bytes", 512, proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
        read_everything(&String::from_utf8_lossy(&bytes));
        Ok(())
    });
}

#[test]
fn wire_a_broken_record_or_page_is_an_error_never_a_panic() {
    let texts = (record(), proptest::collection::vec((any::<prop::sample::Index>(), 0usize..3, proptest::sample::select(vec!["", "\"", "{", "}", "[", "]", ",", ":", "null", "1", "-", "\"t\"", "\"v\"", "\"fields\"", "0190"])), 1..5)).prop_map(|(r, edits)| {
        let page = PullResponse { epoch: "e1".into(), records: vec![r.clone()], removed: vec![r.id.clone()], cursor: "c".into(), more: false, server_ms: 1 };
        let mut out = Vec::new();
        for v in [r.to_wire(), page.to_wire()] {
            let mut chars: Vec<char> = json::print(&v, &|f| serde_json::to_string(&f).unwrap_or_default()).chars().collect();
            for (at, delete, insert) in &edits {
                let i = at.index(chars.len() + 1);
                let end = (i + delete).min(chars.len());
                chars.splice(i..end, insert.chars());
            }
            out.push(chars.into_iter().collect::<String>());
        }
        out
    });
    check("wire_broken", 512, texts, |texts| {
        for t in &texts {
            read_everything(t);
        }
        Ok(())
    });
}

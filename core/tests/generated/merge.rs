//! The per-field merge: histories of edits, deletes and conflict
//! resolutions, as the server applies them, reach every device in any
//! order, any number of times, and every device ends with the server's
//! record; plain field writes converge whatever order they are applied in.

use nimo_core::collections;
use nimo_core::sync::collection::{Collection, Visibility};
use nimo_core::sync::hlc::Hlc;
use nimo_core::sync::ids::{ClientId, GroupId, RecordId, UserId};
use nimo_core::sync::protocol::{FieldWrite, Mutation, Op};
use nimo_core::sync::record::{Record, Stamped};
use proptest::prelude::*;
use serde_json::Value;

use crate::{check, ensure};

fn base() -> Record {
    Record::new(RecordId::new_v7(1, [1; 10]), Collection::Contact, GroupId::new_v7(1, [2; 10]), UserId::new_v7(1, [3; 10]), Stamped::new(Visibility::Private, Hlc::new(1, 0, ClientId::from_random([9; 8]))))
}

/// Stamps from three devices over a short stretch, so that they collide.
fn stamp() -> impl Strategy<Value = Hlc> {
    (2u64..40, 0u16..3, 0u8..3).prop_map(|(ms, c, node)| Hlc::new(ms, c, ClientId::from_random([node; 8])))
}

fn field_value() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        proptest::sample::select(vec!["", "a", "b", "元の文", "書き直し"]).prop_map(|s| ("note".to_owned(), Value::String(s.to_owned()))),
        proptest::sample::select(vec!["phone", "visit", "hospital"]).prop_map(|s| ("mode".to_owned(), Value::String(s.to_owned()))),
        proptest::sample::select(vec!["Aさん", "Bさん"]).prop_map(|s| ("person".to_owned(), Value::String(s.to_owned()))),
        Just(("person".to_owned(), Value::Null)),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Put { vis: Option<(bool, Hlc)>, writes: Vec<((String, Value), Hlc, Option<Hlc>)> },
    Delete(Hlc),
    /// Resolves the n-th open conflict, if there is one.
    Resolve(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (proptest::option::of((any::<bool>(), stamp())), proptest::collection::vec((field_value(), stamp(), proptest::option::of(stamp())), 1..3)).prop_map(|(vis, writes)| Step::Put { vis, writes }),
        1 => stamp().prop_map(Step::Delete),
        2 => (0usize..3).prop_map(Step::Resolve),
    ]
}

/// Makes every stamp of a history unique, as honest devices' stamps are
/// (a stamp carries its device's id and a counter): two writes never
/// share one. `device` keeps histories of different devices apart.
fn uniquify(history: Vec<Step>, device: u8) -> Vec<Step> {
    let mut n: u16 = 0;
    let mut fresh = |t: Hlc| {
        n += 1;
        Hlc::new(t.ms(), n, ClientId::from_random([device.wrapping_mul(3).wrapping_add(t.node().as_str().as_bytes()[15] % 3); 8]))
    };
    history
        .into_iter()
        .map(|s| match s {
            Step::Put { vis, writes } => Step::Put {
                vis: vis.map(|(g, t)| (g, fresh(t))),
                writes: writes.into_iter().map(|(fv, t, base)| (fv, fresh(t), base)).collect(),
            },
            Step::Delete(t) => Step::Delete(fresh(t)),
            other => other,
        })
        .collect()
}

/// The record states the server stores, one after each step of `history`.
fn server_states(history: &[Step]) -> Vec<Record> {
    let schema = collections::schema(Collection::Contact);
    let mut record = base();
    let mut states = vec![record.clone()];
    for (i, s) in history.iter().enumerate() {
        let op = match s {
            Step::Put { vis, writes } => Op::Put {
                visibility: vis.map(|(group, t)| Stamped::new(if group { Visibility::Group } else { Visibility::Private }, t)),
                fields: writes.iter().map(|((field, v), t, base)| FieldWrite { field: field.clone(), v: v.clone(), t: *t, base: *base }).collect(),
            },
            Step::Delete(t) => Op::Delete { t: *t },
            Step::Resolve(n) => match record.open_conflicts().nth(*n) {
                Some(c) => Op::Resolve { field: c.field.clone(), t: c.t },
                None => continue,
            },
        };
        let m = Mutation { seq: i as u64 + 1, id: record.id.clone(), collection: Collection::Contact, group: record.group.clone(), op };
        m.apply_to(&mut record, Some(schema));
        states.push(record.clone());
    }
    states
}

/// A device hears of a record's states in the order the server stored
/// them (pulls go by sequence number), some not at all, some twice.
#[test]
fn merge_every_device_ends_with_the_servers_record() {
    let case = proptest::collection::vec(step(), 1..10).prop_flat_map(|history| {
        let history = uniquify(history, 0);
        let n = server_states(&history).len();
        let heard = proptest::collection::vec(0..n, 0..(2 * n + 1)).prop_map(move |mut o| {
            o.push(n - 1);
            o.sort();
            o
        });
        (Just(history), heard)
    });
    check("merge_converges", 1024, case, |(history, heard)| {
        let states = server_states(&history);
        let last = states[states.len() - 1].clone();
        let mut device = base();
        for &i in &heard {
            device.merge_from_server(&states[i]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        ensure!(device == last, "after {heard:?} the device holds {device:?}, the server {last:?}");
        // Hearing it again changes nothing.
        ensure!(!device.merge_from_server(&last).map_err(|e| TestCaseError::fail(e.to_string()))?, "merge is not idempotent");
        Ok(())
    });
}

/// A restore: the backup's copy of a record, then every state the journal
/// holds merged in, in whatever order, gives the record the server had.
#[test]
fn merge_a_restore_gives_back_the_record_whatever_order_the_journal_replays_in() {
    let case = proptest::collection::vec(step(), 1..10).prop_flat_map(|history| {
        let history = uniquify(history, 0);
        let n = server_states(&history).len();
        (Just(history), 0..n, Just((0..n).collect::<Vec<_>>()).prop_shuffle())
    });
    check("merge_restore", 1024, case, |(history, backup, journal)| {
        let states = server_states(&history);
        let mut restored = states[backup].clone();
        for &i in &journal {
            restored.merge(&states[i]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let last = &states[states.len() - 1];
        ensure!(&restored == last, "from backup {backup} replaying {journal:?}: {restored:?}, the server had {last:?}");
        Ok(())
    });
}

#[test]
fn merge_is_commutative_associative_and_idempotent_over_copies() {
    let case = (proptest::collection::vec(step(), 1..8), proptest::collection::vec(step(), 1..8), proptest::collection::vec(step(), 1..8));
    check("merge_laws", 1024, case, |(x, y, z)| {
        let last = |h: Vec<Step>, device: u8| server_states(&uniquify(h, device)).pop().unwrap_or_else(base);
        let (a, b, c) = (last(x, 1), last(y, 2), last(z, 3));
        let m = |p: &Record, q: &Record| -> Result<Record, TestCaseError> {
            let mut r = p.clone();
            r.merge(q).map_err(|e| TestCaseError::fail(e.to_string()))?;
            Ok(r)
        };
        ensure!(m(&a, &b)? == m(&b, &a)?, "a ∪ b ≠ b ∪ a");
        ensure!(m(&m(&a, &b)?, &c)? == m(&a, &m(&b, &c)?)?, "(a ∪ b) ∪ c ≠ a ∪ (b ∪ c)");
        ensure!(m(&a, &a)? == a, "a ∪ a ≠ a");
        Ok(())
    });
}

#[test]
fn merge_plain_writes_converge_in_every_order() {
    let writes = proptest::collection::vec((field_value(), stamp()), 1..8).prop_flat_map(|w| (Just(w.clone()), Just(w).prop_shuffle()));
    check("merge_writes", 2048, writes, |(one, other)| {
        let apply = |ws: &[((String, Value), Hlc)]| {
            let mut r = base();
            for ((f, v), t) in ws {
                r.write(f, v.clone(), *t);
            }
            r
        };
        let (a, b) = (apply(&one), apply(&other));
        // Equal stamps with different values come only from a dishonest
        // writer; the merge still agrees, by value.
        let mut ab = a.clone();
        ab.merge(&b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut ba = b.clone();
        ba.merge(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        ensure!(ab == ba, "two orders merge differently: {ab:?} / {ba:?}");
        let distinct_stamps = {
            let mut s: Vec<Hlc> = one.iter().map(|(_, t)| *t).collect();
            s.sort();
            s.windows(2).all(|w| w[0] != w[1])
        };
        if distinct_stamps {
            ensure!(a == b, "the same writes in two orders: {a:?} / {b:?}");
        }
        Ok(())
    });
}

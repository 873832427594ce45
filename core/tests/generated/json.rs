//! The JSON reader and printer (`nimo_core::base::json`) against
//! serde_json with correctly rounded floats: the same value for every
//! document serde_json reads, the same refusal for every one it refuses,
//! the same text written, and never a panic.

use nimo_core::base::json;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

use crate::{check, ensure};

/// Floats as serde_json prints them (ryu), for the printer under test.
fn serde_float(f: f64) -> String {
    serde_json::to_string(&f).unwrap_or_default()
}

/// Text with every kind of character a JSON string may have to escape or
/// carry: quotes, backslashes, controls, line separators, astral planes.
pub fn text() -> impl Strategy<Value = String> {
    let special = prop_oneof![
        Just('"'),
        Just('\\'),
        Just('/'),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('\0')),
        Just('\u{7f}'),
        Just('\u{2028}'),
        Just('\u{2029}'),
        Just('\u{feff}'),
        Just('\u{fffd}'),
        Just('日'),
        Just('ｶ'),
        Just('😀'),
        Just('\u{10ffff}'),
        any::<char>(),
    ];
    prop_oneof![
        3 => proptest::collection::vec(special, 0..24).prop_map(|cs| cs.into_iter().collect()),
        1 => any::<String>(),
        1 => "[a-z]{0,12}",
    ]
}

/// Numbers at the edges: exact integers, the ends of i64 and u64, 2^53
/// and its neighbours, subnormals, the largest and smallest floats, and
/// arbitrary finite floats.
fn number() -> impl Strategy<Value = Value> {
    let edges = [
        Value::from(0u64),
        Value::from(i64::MIN),
        Value::from(i64::MAX),
        Value::from(u64::MAX),
        Value::from(1u64 << 53),
        Value::from((1u64 << 53) + 1),
        Value::from(-(1i64 << 53) - 1),
        Value::from(f64::MAX),
        Value::from(f64::MIN_POSITIVE),
        Value::from(5e-324),
        Value::from(-0.0),
        Value::from(0.1),
        Value::from(1e22),
        Value::from(1e23),
        Value::from(9007199254740993.0),
    ];
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        (-1_000_000_000i64..1_000_000_000, 0u32..10).prop_map(|(m, d)| Value::from(m as f64 / 10f64.powi(d as i32))),
        proptest::sample::select(edges.to_vec()),
    ]
}

/// Any JSON value, nested a few levels.
pub fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Bool), number(), text().prop_map(Value::String)];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..8).prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A document as serde_json writes it: compact or pretty.
fn document() -> impl Strategy<Value = String> {
    (value(), any::<bool>()).prop_map(|(v, pretty)| if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap_or_default())
}

/// The same document, broken: bytes deleted, inserted, replaced, or the
/// text cut short (kept valid UTF-8, as the app's reader only ever gets a
/// string).
fn broken() -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), 1usize..4).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<prop::sample::Index>(), proptest::sample::select(vec!["\"", "\\", "[", "]", "{", "}", ",", ":", "-", "0", "e", ".", "1", "\\u", "\\ud800", "null", " ", "\u{1}", "日"])).prop_map(|(at, s)| Edit::Insert(at, s)),
        any::<prop::sample::Index>().prop_map(Edit::Cut),
    ];
    (document(), proptest::collection::vec(edit, 1..4)).prop_map(|(doc, edits)| {
        let mut chars: Vec<char> = doc.chars().collect();
        for e in edits {
            match e {
                Edit::Delete(at, n) if !chars.is_empty() => {
                    let i = at.index(chars.len());
                    chars.drain(i..(i + n).min(chars.len()));
                }
                Edit::Insert(at, s) => {
                    let i = at.index(chars.len() + 1);
                    chars.splice(i..i, s.chars());
                }
                Edit::Cut(at) if !chars.is_empty() => chars.truncate(at.index(chars.len())),
                _ => {}
            }
        }
        chars.into_iter().collect()
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, &'static str),
    Cut(prop::sample::Index),
}

/// A number's text as JSON allows it: sign, digits, fraction, exponent,
/// with up to 30 significant digits and exponents far out.
fn number_text() -> impl Strategy<Value = String> {
    (any::<bool>(), "(0|[1-9][0-9]{0,20})", proptest::option::of("[0-9]{1,25}"), proptest::option::of((proptest::sample::select(vec!["e", "E"]), proptest::sample::select(vec!["", "+", "-"]), "[0-9]{1,3}")))
        .prop_map(|(minus, whole, fraction, exponent)| {
            let mut s = String::new();
            if minus {
                s.push('-');
            }
            s.push_str(&whole);
            if let Some(f) = fraction {
                s.push('.');
                s.push_str(&f);
            }
            if let Some((e, sign, digits)) = exponent {
                s.push_str(e);
                s.push_str(sign);
                s.push_str(&digits);
            }
            s
        })
}

/// Both readers say the same of `text`: the same value, or both refuse.
fn same_answer(text: &str) -> Result<(), TestCaseError> {
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            ensure!(a == b, "read differently: ours {a:?}, serde_json {b:?}");
            // A float must be the same bits, not merely ==: -0.0 and 0.0.
            ensure!(json::print(a, &serde_float) == serde_json::to_string(b).unwrap_or_default(), "written back differently");
        }
        (Err(_), Err(_)) => {}
        _ => ensure!(false, "ours {:?}, serde_json {:?}", ours.map(drop), theirs.map(drop).map_err(|e| e.to_string())),
    }
    // The piecewise reader reads exactly what the tree reader reads.
    let mut cursor = json::Cursor::new(text);
    let piecewise = cursor.value().and_then(|v| cursor.end().map(|()| v));
    ensure!(piecewise.as_ref().ok() == ours.as_ref().ok(), "the cursor reads {piecewise:?}, the reader {ours:?}");
    Ok(())
}

#[test]
fn json_documents_read_and_print_as_serde_json_does() {
    check("json_documents", 512, document(), |text| same_answer(&text));
}

#[test]
fn json_broken_documents_are_refused_as_serde_json_refuses_them() {
    check("json_broken", 1024, broken(), |text| same_answer(&text));
}

#[test]
fn json_any_text_gets_the_same_answer() {
    check("json_any_text", 512, any::<String>(), |text| same_answer(&text));
}

#[test]
fn json_numbers_are_correctly_rounded() {
    check("json_numbers", 2048, number_text(), |text| same_answer(&text));
}

#[test]
fn json_nesting_is_refused_where_serde_json_refuses_it() {
    let nested = (1usize..160, proptest::collection::vec(any::<bool>(), 160)).prop_map(|(depth, kinds)| {
        let mut s = String::new();
        for &array in &kinds[..depth] {
            s.push_str(if array { "[" } else { "{\"k\":" });
        }
        s.push('0');
        for &array in kinds[..depth].iter().rev() {
            s.push(if array { ']' } else { '}' });
        }
        s
    });
    check("json_nesting", 256, nested, |text| same_answer(&text));
}

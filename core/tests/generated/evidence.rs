//! The suppression rule of 協議の場 evidence against the differencing
//! attack, on generated tables: whoever sees a table (its rows and the
//! total) — or two tables whose periods or areas nest — and knows the rule
//! cannot pin down any count of 1 or 2, of a row, a total or a difference.
//!
//! The attacker's search here is for a witness: other counts, differing
//! from the truth by a few in one or two rows, that show exactly the same.
//! One witness with a different value is enough to say the count is not
//! pinned. (The unit test in `kyogi/evidence.rs` searches every set of
//! counts exhaustively for three rows.)

use nimo_core::base::map::SortedMap;
use nimo_core::kyogi::evidence::{self, SUPPRESS_BELOW, Shown, Table};
use proptest::prelude::*;

use crate::{check, ensure};

type View = (Shown, Table);

fn view(cells: &[u32]) -> View {
    let counts: SortedMap<String, u32> = cells.iter().enumerate().map(|(i, n)| (format!("row{i}"), *n)).collect();
    let t = evidence::table(&counts);
    (evidence::total_of(&t), t)
}

/// Counts close to `cells`: one or two rows moved by up to ±3.
fn neighbours(cells: &[u32]) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let moved = |c: &[u32], i: usize, d: i32| -> Option<Vec<u32>> {
        let v = c[i] as i32 + d;
        (v >= 0).then(|| {
            let mut n = c.to_vec();
            n[i] = v as u32;
            n
        })
    };
    for i in 0..cells.len() {
        for d in -3..=3 {
            let Some(one) = moved(cells, i, d) else { continue };
            if d != 0 {
                out.push(one.clone());
            }
            for j in i + 1..cells.len() {
                for e in -3..=3 {
                    if let Some(two) = moved(&one, j, e) {
                        out.push(two);
                    }
                }
            }
        }
    }
    out
}

fn measures(cells: &[u32]) -> Vec<(String, u32)> {
    let mut m: Vec<(String, u32)> = cells.iter().enumerate().map(|(i, n)| (format!("row {i}"), *n)).collect();
    m.push(("the total".into(), cells.iter().sum()));
    m
}

fn small(n: u32) -> bool {
    (1..SUPPRESS_BELOW).contains(&n)
}

#[test]
fn evidence_one_table_never_pins_a_count_under_3() {
    let cells = proptest::collection::vec(prop_oneof![3 => 0u32..4, 1 => 0u32..30], 1..8);
    check("evidence_one_table", 512, cells, |truth| {
        let seen = view(&truth);
        let fits: Vec<Vec<u32>> = neighbours(&truth).into_iter().filter(|c| view(c) == seen).collect();
        for (k, (name, value)) in measures(&truth).into_iter().enumerate() {
            if small(value) {
                ensure!(fits.iter().any(|c| measures(c)[k].1 != value), "{name} = {value} is pinned down by {seen:?}");
            }
        }
        Ok(())
    });
}

#[test]
fn evidence_two_nested_tables_never_pin_a_count_under_3() {
    // A (October, or 神戸市) inside B = A + D (October–November, or 兵庫県).
    let cells = (1usize..5).prop_flat_map(|k| (proptest::collection::vec(prop_oneof![3 => 0u32..4, 1 => 0u32..12], k), proptest::collection::vec(prop_oneof![3 => 0u32..4, 1 => 0u32..12], k)));
    check("evidence_nested", 128, cells, |(a, d)| {
        let add = |x: &[u32], y: &[u32]| x.iter().zip(y).map(|(p, q)| p + q).collect::<Vec<u32>>();
        let b = add(&a, &d);
        let seen = (view(&a), view(&b));
        // Witnesses: A moved a little, and D moved a little around what
        // keeps B as it was or moves it a little too.
        let mut fits = Vec::new();
        for a2 in std::iter::once(a.clone()).chain(neighbours(&a)) {
            if view(&a2) != seen.0 {
                continue;
            }
            // D' = D + (A - A'), so that B' = B; and its own neighbours.
            let d_same: Option<Vec<u32>> = d.iter().zip(&a).zip(&a2).map(|((d, a), a2)| (*d + *a).checked_sub(*a2)).collect();
            for d2 in d_same.into_iter().chain(std::iter::once(d.clone())).flat_map(|d0| std::iter::once(d0.clone()).chain(neighbours(&d0))) {
                if view(&add(&a2, &d2)) == seen.1 {
                    fits.push((a2.clone(), d2));
                }
            }
        }
        let all = |x: &[u32], y: &[u32]| {
            let mut m: Vec<(String, u32)> = measures(x).into_iter().map(|(n, v)| (format!("A: {n}"), v)).collect();
            m.extend(measures(y).into_iter().map(|(n, v)| (format!("D: {n}"), v)));
            m.extend(measures(&add(x, y)).into_iter().map(|(n, v)| (format!("B: {n}"), v)));
            m
        };
        for (k, (name, value)) in all(&a, &d).into_iter().enumerate() {
            if small(value) {
                ensure!(fits.iter().any(|(x, y)| all(x, y)[k].1 != value), "{name} = {value} is pinned down (A {a:?}, D {d:?})");
            }
        }
        Ok(())
    });
}

//! One sort for the whole program.
//!
//! `slice::sort_by` is generic over the element and the comparison, so every
//! call site compiles its own copy of the sorting algorithm (about 3 KB of
//! wasm each, a tenth of the client's size before this module). Here the
//! algorithm runs once, over positions, with the comparison behind a `dyn`;
//! what stays generic per type is only the tiny step that puts the elements
//! in the order found. The sort is stable, as `sort_by` is.

use std::cmp::Ordering;

/// Sorts `list` stably by `cmp`.
pub fn sort_by<T>(list: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if list.len() < 2 {
        return;
    }
    let order = positions(list.len(), &|a, b| cmp(&list[a], &list[b]));
    arrange(list, &order);
}

/// Sorts `list` stably by a key.
pub fn sort_by_key<T, K: Ord>(list: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(list, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `list` into its natural order.
pub fn sort<T: Ord>(list: &mut [T]) {
    sort_by(list, T::cmp);
}

/// Sorts and drops repeats.
pub fn sort_dedup<T: Ord>(list: &mut Vec<T>) {
    sort(list);
    list.dedup();
}

/// The positions `0..len` in the order `cmp` gives them; the one copy of the
/// sorting algorithm.
fn positions(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|a, b| cmp(*a, *b));
    order
}

/// Moves the elements so that the one at `order[i]` ends at `i`, by
/// following each cycle of the permutation with swaps.
fn arrange<T>(list: &mut [T], order: &[usize]) {
    let mut done = vec![false; order.len()];
    for start in 0..order.len() {
        if done[start] {
            continue;
        }
        let mut at = start;
        loop {
            done[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            list.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_sorts_stably_like_the_standard_library() {
        // Every permutation-ish pattern of small lists with ties.
        let mut seed = 0x2545_f491_u32;
        for len in 0..40 {
            for _ in 0..20 {
                let mut list: Vec<(u8, usize)> = (0..len)
                    .map(|i| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        ((seed % 5) as u8, i)
                    })
                    .collect();
                let mut expected = list.clone();
                expected.sort_by_key(|p| p.0);
                sort_by_key(&mut list, |p| p.0);
                assert_eq!(list, expected);
            }
        }
    }

    #[test]
    fn it_sorts_and_drops_repeats() {
        let mut list = vec!["b", "a", "c", "a", "b"];
        sort_dedup(&mut list);
        assert_eq!(list, ["a", "b", "c"]);
    }
}

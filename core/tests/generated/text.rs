//! Text folding for search, and CSV written for Excel and read back.

use nimo_core::base::{csv, text};
use proptest::prelude::*;

use crate::{check, ensure};

/// Japanese text as people type it: hiragana, katakana in both widths,
/// small kana, voiced marks on their own, full-width Latin, spaces.
fn japanese() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        proptest::char::range('\u{3041}', '\u{3096}'),
        proptest::char::range('\u{30A1}', '\u{30FA}'),
        proptest::char::range('\u{FF61}', '\u{FF9F}'),
        proptest::char::range('\u{FF01}', '\u{FF5E}'),
        proptest::sample::select(vec!['゛', '゜', '\u{3099}', '\u{309A}', ' ', '\u{3000}', '\t', 'A', 'z', '日', '本', 'ー']),
        any::<char>(),
    ];
    proptest::collection::vec(c, 0..24).prop_map(|cs| cs.into_iter().collect())
}

#[test]
fn text_folding_is_idempotent_and_follows_its_rules() {
    check("text_fold", 2048, japanese(), |s| {
        let f = text::fold(&s);
        ensure!(text::fold(&f) == f, "fold is not idempotent: {s:?} → {f:?} → {:?}", text::fold(&f));
        let h = text::hiragana(&s);
        ensure!(text::hiragana(&h) == h, "hiragana is not idempotent: {s:?} → {h:?}");
        // Folding the reading gives the same as folding the text.
        ensure!(text::fold(&h) == f, "fold(hiragana(s)) {:?} differs from fold(s) {f:?}", text::fold(&h));
        for c in f.chars() {
            ensure!(!c.is_whitespace(), "a space survives folding in {f:?}");
            ensure!(!('\u{30A1}'..='\u{30F6}').contains(&c), "katakana {c:?} survives folding");
            // Full-width ASCII and half-width kana; not ｟｠ (U+FF5F–FF60),
            // which have no narrow form to fold to.
            ensure!(!('\u{FF01}'..='\u{FF5E}').contains(&c) && !('\u{FF61}'..='\u{FF9F}').contains(&c), "a half- or full-width form {c:?} survives folding");
            ensure!(!c.is_ascii_uppercase(), "an upper-case letter survives folding");
            ensure!(!"ぁぃぅぇぉっゃゅょゎゕゖ".contains(c), "a small kana {c:?} survives folding");
        }
        Ok(())
    });
}

#[test]
fn text_katakana_folds_like_its_hiragana() {
    // Katakana ァ..ヶ is hiragana ぁ..ゖ shifted by 0x60.
    let kana = proptest::collection::vec(proptest::char::range('\u{3041}', '\u{3096}'), 1..12);
    check("text_kana", 1024, kana, |hira| {
        let h: String = hira.iter().collect();
        let k: String = hira.iter().map(|&c| char::from_u32(c as u32 + 0x60).unwrap_or(c)).collect();
        ensure!(text::fold(&k) == text::fold(&h), "{k:?} folds to {:?}, {h:?} to {:?}", text::fold(&k), text::fold(&h));
        ensure!(text::hiragana(&k) == h, "hiragana({k:?}) = {:?}", text::hiragana(&k));
        Ok(())
    });
}

#[test]
fn text_full_width_latin_folds_like_ascii() {
    let ascii = proptest::collection::vec(proptest::char::range('\u{21}', '\u{7E}'), 1..12);
    check("text_widths", 512, ascii, |chars| {
        let narrow: String = chars.iter().collect();
        let wide: String = chars.iter().map(|&c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect();
        ensure!(text::fold(&wide) == narrow.to_ascii_lowercase(), "{wide:?} folds to {:?}", text::fold(&wide));
        Ok(())
    });
}

#[test]
fn text_search_finds_exactly_what_contains_finds() {
    check("text_search", 2048, (japanese(), japanese()), |(hay, word)| {
        let (h, w) = (text::fold(&hay), text::fold(&word));
        ensure!(text::matches(&h, std::slice::from_ref(&w)) == h.contains(w.as_str()), "matches({h:?}, {w:?}) differs from contains");
        Ok(())
    });
}

/// Any cell text: commas, quotes, both line ends, formula starts.
fn cell() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => proptest::sample::select(vec![',', '"', '\n', '\r', '=', '+', '-', '@', '\t', '＝', '\'', ' ', '日', 'a', '1', '.', 'e']),
        1 => any::<char>(),
    ];
    proptest::collection::vec(c, 0..12).prop_map(|cs| cs.into_iter().collect())
}

#[test]
fn csv_written_for_excel_reads_back_cell_for_cell() {
    // At least two columns: a line holding one empty cell reads as a blank
    // line, which the reader skips (files saved by Excel end with some).
    let table = (2usize..6).prop_flat_map(|width| (proptest::collection::vec(cell(), width), proptest::collection::vec(proptest::collection::vec(cell(), width), 0..6)));
    check("csv_round_trip", 1024, table, |(header, rows)| {
        let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let doc = csv::document(&header_refs, &rows);
        ensure!(doc.starts_with(csv::BOM) && doc.ends_with("\r\n"), "not a document for Excel");
        let back = csv::parse(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let cells: Vec<Vec<String>> = back.into_iter().map(|(_, r)| r).collect();
        // What the guard does to a cell that Excel would run as a formula.
        let guarded = |s: &String| {
            let f = csv::field(s);
            match f.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
                Some(inner) => inner.replace("\"\"", "\""),
                None => f,
            }
        };
        for c in header.iter().chain(rows.iter().flatten()) {
            let g = guarded(c);
            ensure!(g == *c || g == format!("'{c}"), "the writer changed {c:?} into {g:?}");
        }
        let expected: Vec<Vec<String>> = std::iter::once(&header).chain(rows.iter()).map(|r| r.iter().map(guarded).collect()).collect();
        ensure!(cells == expected, "read back {cells:?}, wrote {expected:?}");
        Ok(())
    });
}

#[test]
fn csv_any_text_reads_or_is_refused_without_a_panic() {
    check("csv_any", 1024, cell(), |s| {
        let _ = csv::parse(&s);
        Ok(())
    });
}

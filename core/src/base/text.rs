//! Japanese-aware text folding for search: full-width and half-width forms
//! fold together, katakana folds to hiragana, small kana to large (so that
//! 「ぎょうだ」 and 「ぎようだ」 match), Latin letters to lower case, and
//! spaces go. 「カフェ」「ｶﾌｪ」「かふぇ」 all fold to 「かふえ」.

/// Half-width katakana U+FF61..=U+FF9F as full-width, in order.
const HALF_KANA: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

fn voiced(c: char) -> Option<char> {
    let s = "かきくけこさしすせそたちつてとはひふへほ";
    let v = "がぎぐげござじずぜぞだぢづでどばびぶべぼ";
    if c == 'う' {
        return Some('ゔ');
    }
    s.chars().position(|x| x == c).and_then(|i| v.chars().nth(i))
}

fn semi_voiced(c: char) -> Option<char> {
    let s = "はひふへほ";
    let v = "ぱぴぷぺぽ";
    s.chars().position(|x| x == c).and_then(|i| v.chars().nth(i))
}

/// One character in its full-width hiragana form: full-width ASCII as
/// ASCII, half-width katakana as full-width, katakana as hiragana.
fn widen(c: char) -> char {
    let c = match c {
        // Full-width ASCII to ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{FF61}'..='\u{FF9F}' => HALF_KANA.chars().nth(c as usize - 0xFF61).unwrap_or(c),
        _ => c,
    };
    match c {
        // Katakana to hiragana (ァ..ヶ), and ヴ.
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// A small hiragana as its large form: ぁぃぅぇぉっゃゅょゎゕゖ.
fn large_kana(c: char) -> char {
    match c {
        'ぁ' => 'あ',
        'ぃ' => 'い',
        'ぅ' => 'う',
        'ぇ' => 'え',
        'ぉ' => 'お',
        'っ' => 'つ',
        'ゃ' => 'や',
        'ゅ' => 'ゆ',
        'ょ' => 'よ',
        'ゎ' => 'わ',
        'ゕ' => 'か',
        'ゖ' => 'け',
        _ => c,
    }
}

/// Folds a text for searching: its reading ([`hiragana`]), then small
/// kana as large, Latin letters in lower case, no spaces. In that order, so
/// that folding a reading gives what folding the text gives (a voiced mark
/// joins the kana it was typed after, before anything else changes it).
pub fn fold(text: &str) -> String {
    let mut out = hiragana(text);
    out.retain(|c| !c.is_whitespace());
    // Only kana (UTF-8 lead byte 0xE3) and upper-case letters change here:
    // most texts are left as they are, without a second copy.
    if out.bytes().any(|b| b.is_ascii_uppercase() || b == 0xE3) {
        out = out.chars().map(|c| large_kana(c).to_ascii_lowercase()).collect();
    }
    out
}

/// A reading as people write it: katakana (also half-width) as hiragana,
/// small kana kept (「きょうと」, not 「きようと」), a voiced mark typed
/// after its kana joined to it.
pub fn hiragana(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().map(widen) {
        // Half-width dakuten marks follow their kana: combine them.
        match c {
            '゛' | '\u{3099}' => {
                if let Some(v) = out.pop().and_then(|p| voiced(p).or(Some(p))) {
                    out.push(v);
                }
            }
            '゜' | '\u{309A}' => {
                if let Some(v) = out.pop().and_then(|p| semi_voiced(p).or(Some(p))) {
                    out.push(v);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether `haystack` (already folded) contains every word of `query`
/// (already folded, words separated by spaces before folding).
pub fn matches(folded_haystack: &str, folded_words: &[String]) -> bool {
    folded_words.iter().all(|w| contains(folded_haystack.as_bytes(), w.as_bytes()))
}

/// `str::contains` for the search's short words in short texts. The
/// standard one sets up a two-way searcher for every text, which was most
/// of a keystroke's time over 10,000 contacts. This checks the word's
/// last byte first: in UTF-8 Japanese the lead bytes repeat (0xE3 for
/// every kana) and the last ones vary. A match of bytes is a match of
/// characters, since no UTF-8 character's bytes start inside another's.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&last, _)) = needle.split_last() else { return true };
    let n = needle.len();
    (n - 1..haystack.len()).any(|end| haystack[end] == last && &haystack[end + 1 - n..=end] == needle)
}

/// Splits a query into folded words.
pub fn query_words(query: &str) -> Vec<String> {
    query.split(|c: char| c.is_whitespace() || c == '\u{3000}').map(fold).filter(|w| !w.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated check found 「ｩ」 with a combining mark folding to ゔ
    /// while its reading folded to う: the mark now joins the kana as
    /// typed, before small kana become large.
    #[test]
    fn folding_a_reading_gives_what_folding_the_text_gives() {
        for s in ["ｩ\u{3099}", "ぅ゛", "ｶﾞｯｺｳ", "か ゛", "ヴァイオリン"] {
            assert_eq!(fold(&hiragana(s)), fold(s), "{s:?}");
            assert_eq!(fold(&fold(s)), fold(s), "{s:?}");
        }
        assert_eq!(fold("ｶﾞｯｺｳ"), "がつこう");
    }

    #[test]
    fn widths_and_kana_fold_together() {
        assert_eq!(fold("カフェ"), "かふえ");
        assert_eq!(fold("ｶﾌｪ"), "かふえ");
        assert_eq!(fold("ｶﾞｯｺｳ"), "がつこう");
        assert_eq!(fold("ぎょうだ"), fold("ぎようだ"), "small kana match large");
        assert_eq!(fold("ﾊﾟﾝ"), "ぱん");
        assert_eq!(fold("ヴ"), "ゔ");
        assert_eq!(fold("ＡＢＣ１２３"), "abc123");
        assert_eq!(fold("Tanaka K."), "tanakak.");
        assert_eq!(fold("眠れない　夜"), "眠れない夜");
    }

    #[test]
    fn readings_keep_their_small_kana() {
        assert_eq!(hiragana("ｷｮｳﾄｼ ｺｺﾛﾉｹﾝｺｳｾﾝﾀｰ"), "きょうとし こころのけんこうせんたー");
        assert_eq!(hiragana("チヨダク"), "ちよだく");
    }

    #[test]
    fn hiragana_query_finds_katakana_text() {
        let hay = fold("デイケアに通い始めた");
        assert!(matches(&hay, &query_words("でいけあ")));
        assert!(matches(&hay, &query_words("ﾃﾞｲｹｱ 通い")));
        assert!(!matches(&hay, &query_words("でいさーびす")));
    }

    #[test]
    fn byte_search_agrees_with_str_contains() {
        let texts = ["", "あ", "でいけあにかよいはじめた", "abcabd", "ああああい", "眠れない夜ねむれ", "かふえ かふぇ"];
        let words = ["", "あ", "い", "ああい", "abd", "cab", "ねむれ", "夜ね", "かふぇ", "はじめたい", "眠れない夜ねむれ!"];
        for t in texts {
            for w in words {
                assert_eq!(contains(t.as_bytes(), w.as_bytes()), t.contains(w), "{t:?} contains {w:?}");
            }
        }
    }
}

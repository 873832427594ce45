//! 全国地方公共団体コード: six digits, the last a check digit over the first
//! five (weights 6,5,4,3,2; check = (11 − sum mod 11) mod 10). The first two
//! digits are the prefecture; a prefecture's own code is `PP000C`.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error("a local government code is 6 digits (or 5 without the check digit)")]
    Format,
    #[error("the check digit does not match: expected {expected}")]
    CheckDigit { expected: u8 },
    #[error("prefecture code must be 01–47")]
    Prefecture,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode([u8; 6]);

pub fn check_digit(first5: &[u8; 5]) -> u8 {
    let sum: u32 = first5.iter().zip([6u32, 5, 4, 3, 2]).map(|(d, w)| u32::from(*d) * w).sum();
    ((11 - sum % 11) % 10) as u8
}

impl AreaCode {
    /// Parses the 6-digit form (check digit verified) or the 5-digit form
    /// (check digit added), as open-data files use both.
    pub fn parse(s: &str) -> Result<Self, AreaCodeError> {
        let s = s.trim();
        if !(s.len() == 5 || s.len() == 6) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AreaCodeError::Format);
        }
        let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        let first5: [u8; 5] = [digits[0], digits[1], digits[2], digits[3], digits[4]];
        let expected = check_digit(&first5);
        if digits.len() == 6 && digits[5] != expected {
            return Err(AreaCodeError::CheckDigit { expected });
        }
        let pref = digits[0] * 10 + digits[1];
        if !(1..=47).contains(&pref) {
            return Err(AreaCodeError::Prefecture);
        }
        Ok(Self([first5[0], first5[1], first5[2], first5[3], first5[4], expected]))
    }

    /// The prefecture number, 1–47.
    pub fn prefecture(self) -> u8 {
        self.0[0] * 10 + self.0[1]
    }

    /// Whether this is a prefecture's own code (`PP000C`).
    pub fn is_prefecture(self) -> bool {
        self.0[2..5] == [0, 0, 0]
    }

    /// The code of the prefecture this area is in.
    pub fn prefecture_code(self) -> Self {
        let first5 = [self.0[0], self.0[1], 0, 0, 0];
        Self([first5[0], first5[1], 0, 0, 0, check_digit(&first5)])
    }

    /// The 5-digit form without the check digit.
    pub fn five(self) -> String {
        self.0[..5].iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AreaCode({self})")
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.to_string()
    }
}

impl TryFrom<String> for AreaCode {
    type Error = AreaCodeError;
    fn try_from(s: String) -> Result<Self, AreaCodeError> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_field_reads_codes_strictly() {
        use crate::schema::{FieldType, Input, Problem};
        assert_eq!(<Option<AreaCode>>::from_input(&Input::One(Some("281001".into()))), Err(Problem::BadArea));
        assert_eq!(<Option<AreaCode>>::from_input(&Input::One(None)), Ok(None));
        assert_eq!(<Option<AreaCode>>::parse(&serde_json::json!("281000")).unwrap().map(|a| a.to_string()), Some("281000".into()));
        assert!(<Option<AreaCode>>::parse(&serde_json::json!(281000)).is_err());
    }

    #[test]
    fn known_codes_have_valid_check_digits() {
        // 札幌市, 千代田区, 神戸市, 那覇市, 北海道, 東京都, 沖縄県.
        for code in ["011002", "131016", "281000", "472018", "010006", "130001", "470007"] {
            assert!(AreaCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn five_digit_codes_get_their_check_digit() {
        assert_eq!(AreaCode::parse("13101").unwrap().to_string(), "131016");
        assert_eq!(AreaCode::parse("28100").unwrap().to_string(), "281000");
    }

    #[test]
    fn wrong_check_digits_and_formats_are_refused() {
        assert_eq!(AreaCode::parse("131017"), Err(AreaCodeError::CheckDigit { expected: 6 }));
        assert_eq!(AreaCode::parse("13101a"), Err(AreaCodeError::Format));
        assert_eq!(AreaCode::parse("1310"), Err(AreaCodeError::Format));
        assert_eq!(AreaCode::parse("481000").err().map(|e| matches!(e, AreaCodeError::CheckDigit { .. } | AreaCodeError::Prefecture)), Some(true));
        assert_eq!(AreaCode::parse("00000"), Err(AreaCodeError::Prefecture));
    }

    #[test]
    fn prefecture_of_a_city() {
        let kobe = AreaCode::parse("281000").unwrap();
        assert_eq!(kobe.prefecture(), 28);
        assert!(!kobe.is_prefecture());
        assert_eq!(kobe.prefecture_code().to_string(), "280003");
        assert!(kobe.prefecture_code().is_prefecture());
    }
}

/// One prefecture or municipality of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    /// Reading in hiragana.
    pub kana: String,
    /// Name and reading folded for search, made once.
    folded: (String, String),
}

/// The list of prefectures and municipalities (47 + 1,741, `data/areas.tsv`:
/// code, name, reading). The app reads it from a data file on first use
/// (it is not in the app's code); the server and the tests compile it in
/// (`builtin-areas`).
#[derive(Debug, Default)]
pub struct AreaList {
    areas: Vec<Area>,
}

impl AreaList {
    /// Reads the TSV (comment lines start with `#`); rows that do not
    /// parse are left out.
    pub fn parse(tsv: &str) -> Self {
        let mut areas: Vec<Area> = tsv
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let code = AreaCode::parse(parts.next()?).ok()?;
                let (name, kana) = (parts.next()?.to_owned(), parts.next()?.to_owned());
                let folded = (crate::base::text::fold(&name), crate::base::text::fold(&kana));
                Some(Area { code, name, kana, folded })
            })
            .collect();
        crate::base::order::sort_by_key(&mut areas, |a| a.code);
        Self { areas }
    }

    pub fn all(&self) -> &[Area] {
        &self.areas
    }

    pub fn find(&self, code: AreaCode) -> Option<&Area> {
        self.areas.binary_search_by_key(&code, |a| a.code).ok().map(|i| &self.areas[i])
    }

    /// Areas whose name or reading contains the query (kanji, hiragana or
    /// katakana, any width, small kana or not); those that start with it
    /// first; at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Area> {
        let q = crate::base::text::fold(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut starts = Vec::new();
        let mut contains = Vec::new();
        for a in &self.areas {
            let (name, kana) = &a.folded;
            if name.starts_with(&q) || kana.starts_with(&q) {
                starts.push(a);
            } else if name.contains(&q) || kana.contains(&q) {
                contains.push(a);
            }
        }
        starts.extend(contains);
        starts.truncate(limit);
        starts
    }
}

/// An area as a field of a collection (`Kind::Area`): its code as text.
impl crate::schema::FieldType for Option<AreaCode> {
    const KIND: crate::schema::Kind = crate::schema::Kind::Area;

    fn parse(v: &serde_json::Value) -> Result<Self, String> {
        match v {
            serde_json::Value::Null => Ok(None),
            serde_json::Value::String(s) => AreaCode::parse(s).map(Some).map_err(|e| e.to_string()),
            _ => Err("expected a local government code".into()),
        }
    }

    fn to_value(&self) -> serde_json::Value {
        self.map_or(serde_json::Value::Null, |a| serde_json::Value::String(a.to_string()))
    }

    fn to_input(&self) -> crate::schema::Input {
        crate::schema::Input::One(self.map(|a| a.to_string()))
    }

    fn from_input(input: &crate::schema::Input) -> Result<Self, crate::schema::Problem> {
        match input.one().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => AreaCode::parse(s).map(Some).map_err(|_| crate::schema::Problem::BadArea),
        }
    }
}

static LIST: std::sync::OnceLock<AreaList> = std::sync::OnceLock::new();

/// The data file the app reads (and the server compiles in).
pub const DATA: &str = include_str!("../../data/areas.tsv");

/// Installs the list (once); later calls change nothing.
pub fn install(tsv: &str) {
    let _ = LIST.get_or_init(|| AreaList::parse(tsv));
}

/// The list, if installed (with `builtin-areas`, always).
pub fn list() -> Option<&'static AreaList> {
    #[cfg(feature = "builtin-areas")]
    install(DATA);
    LIST.get()
}

pub fn all() -> &'static [Area] {
    list().map_or(&[], AreaList::all)
}

pub fn find(code: AreaCode) -> Option<&'static Area> {
    list()?.find(code)
}

/// 「兵庫県 神戸市」, or just 「兵庫県」 for a prefecture; the code itself
/// while the list is not there.
pub fn full_name(code: AreaCode) -> String {
    match (find(code), find(code.prefecture_code())) {
        (Some(a), Some(p)) if a.code != p.code => format!("{} {}", p.name, a.name),
        (Some(a), _) => a.name.clone(),
        _ => code.to_string(),
    }
}

/// The municipality's own name (神戸市), or the prefecture's.
pub fn short_name(code: AreaCode) -> String {
    find(code).map_or_else(|| code.to_string(), |a| a.name.clone())
}

pub fn search(query: &str, limit: usize) -> Vec<&'static Area> {
    list().map_or_else(Vec::new, |l| l.search(query, limit))
}

#[cfg(test)]
mod list_tests {
    use super::*;

    fn list() -> AreaList {
        AreaList::parse(DATA)
    }

    #[test]
    fn the_list_is_complete_and_valid() {
        let list = list();
        assert_eq!(list.all().len(), 47 + 1741);
        assert_eq!(list.all().iter().filter(|a| a.code.is_prefecture()).count(), 47);
        assert!(list.all().windows(2).all(|w| w[0].code < w[1].code), "sorted by code");
    }

    #[test]
    fn kobe_is_found_by_kana_and_kanji() {
        let list = list();
        let names = |q: &str| list.search(q, 5).iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        assert_eq!(names("こうべ").first().map(String::as_str), Some("神戸市"));
        let by_kanji = names("神戸");
        assert!(by_kanji.contains(&"神戸市".to_owned()) && by_kanji.contains(&"神戸町".to_owned()), "{by_kanji:?}");
        assert_eq!(names("コウベ").first().map(String::as_str), Some("神戸市"));
        install(DATA);
        assert_eq!(full_name(AreaCode::parse("281000").unwrap()), "兵庫県 神戸市");
    }

    #[test]
    fn readings_keep_their_small_kana_and_match_either_way() {
        let list = list();
        let kana = |code: &str| list.find(AreaCode::parse(code).unwrap()).unwrap().kana.clone();
        assert_eq!(kana("112062"), "ぎょうだし", "行田市");
        assert_eq!(kana("112160"), "はにゅうし", "羽生市");
        assert_eq!(kana("473260"), "ちゃたんちょう", "北谷町");
        for q in ["ぎょうだ", "ぎようだ", "ギョウダ"] {
            assert_eq!(list.search(q, 3).first().map(|a| a.name.as_str()), Some("行田市"), "{q}");
        }
        // Every reading that has a contracted sound keeps its small kana:
        // none reads like the broken ones did (しよう, じよう, りよう…).
        for a in list.all() {
            for broken in ["しよう", "じよう", "りよう", "きよう", "ぎよう", "にゆう", "じゆう", "ちやた", "じやし"] {
                assert!(!a.kana.contains(broken), "{} {}", a.name, a.kana);
            }
        }
    }
}

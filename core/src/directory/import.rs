//! Importing directory entries: the 自治体標準オープンデータセット's facility
//! lists (公共施設一覧 and the like, CSV) and nimo's own HSDS-style JSON
//! (see [`super::hsds`]).
//!
//! Both the old 24-column header (都道府県コード又は市区町村コード, NO, …) and
//! the newer one (全国地方公共団体コード, ID, …) are read; real files mix
//! both. The bytes may be UTF-8 with or without a BOM, or Shift_JIS:
//! [`detect`] says which, and the platform decodes (the browser's
//! TextDecoder; encoding_rs in tests).
//!
//! Every problem is a value ([`ImportProblem`], [`ImportError`]) that says
//! itself in Japanese and English: nothing the person reads is an English
//! message from a parser.

use super::area::{AreaCode, AreaCodeError};
use super::window::{Day, Window, check_phone_number};
use crate::base::csv;
use crate::base::taxonomy::WindowType;
use crate::base::text;
use crate::base::time::{Date, TimeOfDay, Weekday};
use crate::schema::field::Degrees;
use crate::schema::{BadField, Doc, Phrase, read_strict, value};
use serde_json::Value;

/// Files larger than this are refused before they are read.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// At most this many entries in one import.
pub const MAX_ROWS: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    ShiftJis,
}

/// UTF-8 when the bytes start with a BOM or are valid UTF-8; otherwise
/// Shift_JIS (cp932), which is what Excel writes on Japanese Windows.
pub fn detect(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) || std::str::from_utf8(bytes).is_ok() { Encoding::Utf8 } else { Encoding::ShiftJis }
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    Empty,
    TooBig { bytes: u64 },
    TooManyRows { rows: usize },
    /// No 名称 column or no local government code column.
    NotAFacilityList,
    /// A quoted field never closes.
    UnclosedQuote { line: usize },
    /// Not JSON, or JSON that is not a nimo export.
    NotHsds,
}

impl ImportError {
    pub fn say(&self) -> Phrase {
        let p = |ja: String, en: String| Phrase::new(ja, en);
        match self {
            Self::Empty => p("ファイルが空です。".into(), "The file is empty.".into()),
            Self::TooBig { bytes } => {
                // Tenths of a megabyte, without printing a float.
                let tenths = bytes * 10 / 1_048_576;
                let size = format!("{}.{}", tenths / 10, tenths % 10);
                p(
                    format!("ファイルが大きすぎます（{size} MB）。{} MB までのファイルにしてください。", MAX_BYTES / 1_048_576),
                    format!("The file is too large ({size} MB). Files up to {} MB can be imported.", MAX_BYTES / 1_048_576),
                )
            }
            Self::TooManyRows { rows } => p(
                format!("行が多すぎます（{rows}行）。一度に読み込めるのは{MAX_ROWS}行までです。ファイルを分けてください。"),
                format!("Too many rows ({rows}). Up to {MAX_ROWS} can be imported at once; split the file."),
            ),
            Self::NotAFacilityList => p(
                "施設一覧のCSVではないようです（「名称」の列と「地方公共団体コード」の列が必要です）。".into(),
                "This does not look like a facility list (it needs a 名称 column and a local government code column).".into(),
            ),
            Self::UnclosedQuote { line } => p(
                format!("{line}行目：「\"」で始まった欄が閉じていません。"),
                format!("Line {line}: a quoted field is not closed."),
            ),
            Self::NotHsds => p(
                "nimo から書き出した窓口一覧（JSON）ではありません。".into(),
                "This is not a directory exported from nimo (JSON).".into(),
            ),
        }
    }
}

impl From<csv::CsvError> for ImportError {
    fn from(e: csv::CsvError) -> Self {
        match e {
            csv::CsvError::UnclosedQuote { line } => Self::UnclosedQuote { line },
        }
    }
}

/// Refuses a file by its size, before it is read.
pub fn check_size(bytes: u64) -> Result<(), ImportError> {
    if bytes == 0 {
        Err(ImportError::Empty)
    } else if bytes > MAX_BYTES {
        Err(ImportError::TooBig { bytes })
    } else {
        Ok(())
    }
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    NoName,
    Columns { found: usize, expected: usize },
    BadCode { text: String, check_digit: bool },
    BadPhone(String),
    BadFax(String),
    BadDays(String),
    BadTimes(String),
    /// The kind column names no kind of window.
    BadKind(String),
    /// A value that is not of its field's kind (or a required one missing).
    Field(BadField),
}

impl ImportProblem {
    pub fn say(&self) -> Phrase {
        let p = |ja: String, en: String| Phrase::new(ja, en);
        match self {
            Self::NoName => p("名称がありません".into(), "No name".into()),
            Self::Columns { found, expected } => p(
                format!("列の数が見出しと違います（{found}列、見出しは{expected}列）"),
                format!("{found} columns where the header has {expected}"),
            ),
            Self::BadCode { text, check_digit: true } => p(
                format!("地方公共団体コード「{text}」の最後の1桁（検査数字）が合いません"),
                format!("The local government code {text:?} has a wrong check digit"),
            ),
            Self::BadCode { text, check_digit: false } => p(
                format!("地方公共団体コード「{text}」が正しくありません（6桁の数字）"),
                format!("{text:?} is not a local government code (6 digits)"),
            ),
            Self::BadPhone(t) => p(format!("電話番号が読めません：{t}"), format!("Unreadable phone number: {t}")),
            Self::BadFax(t) => p(format!("FAX番号が読めません：{t}"), format!("Unreadable fax number: {t}")),
            Self::BadDays(t) => p(format!("利用可能曜日が読めません：{t}"), format!("Unreadable days: {t}")),
            Self::BadTimes(t) => p(format!("時間が読めません：{t}"), format!("Unreadable hours: {t}")),
            Self::BadKind(t) => p(format!("窓口の種類「{t}」がわかりません"), format!("Unknown kind of window: {t}")),
            Self::Field(BadField { field, missing: true }) => {
                p(format!("「{}」がありません", field.label.ja), format!("{} is missing", field.label.en))
            }
            Self::Field(BadField { field, missing: false }) => {
                p(format!("「{}」が正しくありません", field.label.ja), format!("{} is not valid", field.label.en))
            }
        }
    }
}

/// One entry of an import: the entry it becomes (its kind may still be
/// unset: the preview chooses it), or what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// A line number (CSV) or an index from 1 (JSON).
    pub line: usize,
    pub name: String,
    pub result: Result<Window, Vec<ImportProblem>>,
}

impl ImportRow {
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

/// The entry already in the directory that an imported one updates: the
/// same id in the source, or else the same name and address.
pub fn existing<'a>(row: &Window, entries: &'a [Doc<Window>]) -> Option<&'a Doc<Window>> {
    if !row.source_id.is_empty()
        && let Some(e) = entries.iter().find(|e| e.data.source_id.as_str() == row.source_id.as_str())
    {
        return Some(e);
    }
    let key = |w: &Window| (text::fold(&w.name), text::fold(&w.address));
    let wanted = key(row);
    entries.iter().find(|e| key(&e.data) == wanted)
}

/// Column names, in both headers, for what an entry needs.
const CODE: [&str; 2] = ["全国地方公共団体コード", "都道府県コード又は市区町村コード"];

/// 「月火水木金」「毎日」「平日」「月～金」「土日・祝日」 → days (祝日 as
/// [`Day::Hol`]). `None` if a character cannot be read.
pub fn parse_days(text: &str) -> Option<Vec<Day>> {
    let t = text.trim();
    if t.is_empty() {
        return Some(Vec::new());
    }
    if t.contains("毎日") || t.contains("年中") {
        return Some(Day::ALL.to_vec());
    }
    let holiday = t.contains('祝');
    let t = t.replace("平日", "月火水木金").replace("祝日", "").replace('祝', "").replace("曜日", "").replace('曜', "");
    let chars: Vec<char> = t.chars().collect();
    let mut days = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '・' | '、' | ',' | '，' | ' ' | '　' | '/' | '／') {
            i += 1;
            continue;
        }
        let day = Weekday::from_ja(c)?;
        // A range like 月～金 or 月-金.
        if i + 2 < chars.len() && matches!(chars[i + 1], '～' | '〜' | '-' | '－' | 'ー' | '~') {
            let end = Weekday::from_ja(chars[i + 2])?;
            let (a, b) = (day.index(), end.index());
            if b < a {
                return None;
            }
            days.extend(Day::WEEK[a..=b].iter().copied());
            i += 3;
            continue;
        }
        days.push(Day::of(day));
        i += 1;
    }
    if holiday {
        days.push(Day::Hol);
    }
    days.dedup();
    Some(days)
}

/// 「9:00」「09:00」「９：００」「9時」「9時30分」 → a time of day.
pub fn parse_time(text: &str) -> Option<TimeOfDay> {
    let folded: String = text.trim().chars().map(|c| if ('０'..='９').contains(&c) { char::from_u32(c as u32 - 0xFEE0).unwrap_or(c) } else { c }).collect();
    let t = folded.replace('：', ":");
    if let Some(rest) = t.strip_suffix('分') {
        let (h, m) = rest.split_once('時')?;
        return TimeOfDay::parse(&format!("{}:{:0>2}", h.trim(), m.trim())).ok();
    }
    if let Some(h) = t.strip_suffix('時') {
        return TimeOfDay::parse(&format!("{}:00", h.trim())).ok();
    }
    TimeOfDay::parse(&t).ok()
}

/// A kind of window named by its id or its Japanese name.
pub fn parse_kind(text: &str) -> Option<WindowType> {
    let t = text.trim();
    WindowType::from_id(t).or_else(|| WindowType::ALL.iter().copied().find(|k| k.ja() == t || text::fold(k.ja()) == text::fold(t)))
}

/// Reads a facility list. `source` says where it came from; `file_date`
/// (the file's own date) becomes every entry's 最終確認日.
pub fn open_data(text_in: &str, source: &str, file_date: Option<Date>) -> Result<Vec<ImportRow>, ImportError> {
    let rows = csv::parse(text_in)?;
    let Some(((_, header), data)) = rows.split_first() else { return Err(ImportError::Empty) };
    if data.len() > MAX_ROWS {
        return Err(ImportError::TooManyRows { rows: data.len() });
    }
    let header: Vec<String> = header.iter().map(|h| h.trim().trim_start_matches('\u{FEFF}').to_owned()).collect();
    let col = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h == n));
    let (Some(name_c), Some(code_c)) = (col(&["名称"]), col(&CODE)) else {
        return Err(ImportError::NotAFacilityList);
    };
    let (id_c, kind_c, kana_c, addr_c, extra_c) = (col(&["ID", "NO"]), col(&["窓口の種類", "種別", "type"]), col(&["名称_カナ"]), col(&["所在地_連結表記", "住所"]), col(&["方書", "所在地_建物名等"]));
    let (lat_c, lng_c, tel_c, ext_c, fax_c) = (col(&["緯度"]), col(&["経度"]), col(&["電話番号"]), col(&["内線番号"]), col(&["FAX番号"]));
    let (mail_c, days_c, open_c, close_c) = (col(&["メールアドレス"]), col(&["利用可能曜日"]), col(&["開始時間"]), col(&["終了時間"]));
    let (hours_note_c, desc_c, url_c, note_c) = (col(&["利用可能日時特記事項"]), col(&["説明"]), col(&["URL"]), col(&["備考"]));
    let s = |x: &str| Value::String(x.to_owned());
    let mut out = Vec::with_capacity(data.len());
    for (line, row) in data {
        let cell = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        let mut problems = Vec::new();
        let name = cell(Some(name_c));
        if name.is_empty() {
            problems.push(ImportProblem::NoName);
        }
        if row.len() != header.len() {
            problems.push(ImportProblem::Columns { found: row.len(), expected: header.len() });
        }
        let code_text = cell(Some(code_c));
        let area = match AreaCode::parse(&code_text) {
            Ok(code) => {
                let kind = if code.is_prefecture() { "prefecture" } else { "municipality" };
                Some((code, value::obj(vec![("kind", s(kind)), ("code", s(&code.to_string()))])))
            }
            Err(e) => {
                problems.push(ImportProblem::BadCode { text: code_text.clone(), check_digit: matches!(e, AreaCodeError::CheckDigit { .. }) });
                None
            }
        };
        let kind = match kind_c.map(|_| cell(kind_c)).filter(|k| !k.is_empty()) {
            Some(k) => match parse_kind(&k) {
                Some(kind) => Value::String(kind.id().to_owned()),
                None => {
                    problems.push(ImportProblem::BadKind(k));
                    Value::Null
                }
            },
            None => Value::Null,
        };
        let mut phones = Vec::new();
        let tel = cell(tel_c);
        if !tel.is_empty() {
            if check_phone_number(&tel).is_err() {
                problems.push(ImportProblem::BadPhone(tel.clone()));
            }
            let ext = cell(ext_c);
            let note = if ext.is_empty() { Value::Null } else { s(&format!("内線 {ext}")) };
            phones.push(value::obj(vec![("number", s(&tel)), ("note", note)]));
        }
        let fax = cell(fax_c);
        if !fax.is_empty() && check_phone_number(&fax).is_err() {
            problems.push(ImportProblem::BadFax(fax.clone()));
        }
        let mut hours = Vec::new();
        let (days_text, opens, closes) = (cell(days_c), cell(open_c), cell(close_c));
        if !(days_text.is_empty() && opens.is_empty() && closes.is_empty()) {
            match (parse_days(&days_text).filter(|d| !d.is_empty()), parse_time(&opens), parse_time(&closes)) {
                (None, _, _) => problems.push(ImportProblem::BadDays(days_text.clone())),
                (Some(days), Some(o), Some(c)) => hours.push(value::obj(vec![
                    ("days", Value::Array(days.iter().map(|d| s(d.id())).collect())),
                    ("opens", s(&o.to_string())),
                    ("closes", s(&c.to_string())),
                ])),
                _ => problems.push(ImportProblem::BadTimes(format!("{opens}〜{closes}"))),
            }
        }
        let mut address = cell(addr_c);
        let extra = cell(extra_c);
        if !extra.is_empty() {
            address = format!("{address} {extra}");
        }
        let notes: Vec<String> = [cell(desc_c), cell(hours_note_c), cell(note_c)].into_iter().filter(|s| !s.is_empty()).collect();
        let source_id = match (&area, cell(id_c)) {
            (Some((code, _)), id) if !id.is_empty() => s(&format!("{code}-{id}")),
            _ => Value::Null,
        };
        // A number when it reads as one; otherwise the text, which the
        // field's check then names.
        let coordinate = |c: Option<usize>| {
            let t = cell(c);
            match Degrees::<-180, 180>::read(&t) {
                _ if t.is_empty() => Value::Null,
                Some(micro) => serde_json::Number::from_f64(micro as f64 / 1_000_000.0).map_or_else(|| s(&t), Value::Number),
                None => s(&t),
            }
        };
        let text = |t: &str| value::text(t);
        let pairs: Vec<(&str, Value)> = vec![
            ("name", text(&name)),
            ("type", kind),
            ("areas", Value::Array(area.map(|(_, a)| a).into_iter().collect())),
            ("phones", Value::Array(phones)),
            ("hours", Value::Array(hours)),
            ("closed_holidays", Value::Bool(true)),
            ("closed_new_year", Value::Bool(true)),
            ("kana", text(&text::hiragana(&cell(kana_c)))),
            ("address", text(&address)),
            ("fax", text(&fax)),
            ("email", text(&cell(mail_c))),
            ("url", text(&cell(url_c))),
            ("note", text(&notes.join("\n"))),
            ("verified_on", file_date.map_or(Value::Null, |d| s(&d.to_string()))),
            ("source", text(source)),
            ("lat", coordinate(lat_c)),
            ("lng", coordinate(lng_c)),
            ("source_id", source_id),
        ];
        let result = if problems.is_empty() {
            read_strict::<Window>(&pairs, &["type"]).map_err(|bad| bad.into_iter().map(ImportProblem::Field).collect())
        } else {
            Err(problems)
        };
        out.push(ImportRow { line: *line, name, result });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_通称,POIコード,住所,方書,緯度,経度,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,説明,バリアフリー情報,URL,備考\r\n\
281000,1,兵庫県,神戸市,神戸市 こころの健康センター,ｺｳﾍﾞｼ ｺｺﾛﾉｹﾝｺｳｾﾝﾀｰ,,,兵庫県神戸市中央区東川崎町1-3-3,7階,34.6797,135.1815,078-371-1900,,,,月火水木金,9:00,17:00,祝日・年末年始は休み,精神保健福祉の相談,,https://www.city.kobe.lg.jp/,\r\n\
281000,2,兵庫県,神戸市,神戸市 北区 保健福祉課,ｷﾀｸ ﾎｹﾝﾌｸｼｶ,,,兵庫県神戸市北区,,34.74,135.14,078-593-1111,,,,平日,8:45,17:30,,,,,\r\n";

    const NEW: &str = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英語,所在地_連結表記,緯度,経度,電話番号,内線番号,FAX番号,利用可能曜日,開始時間,終了時間,説明,URL\n\
131016,1,東京都千代田区,千代田区 障害者福祉課,チヨダク ショウガイシャフクシカ,,東京都千代田区九段南1-2-1,35.694,139.753,03-3264-2111,2150,03-3264-0000,月～金,08:30,17:15,,https://www.city.chiyoda.lg.jp/\n";

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn reads_the_old_header() {
        let rows = open_data(OLD, "神戸市オープンデータ", Some(date("2026-10-01"))).unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].result.clone().unwrap();
        assert_eq!(first.name.as_str(), "神戸市 こころの健康センター");
        assert_eq!(first.kana.as_str(), "こうべし こころのけんこうせんたー");
        assert_eq!(first.address.as_str(), "兵庫県神戸市中央区東川崎町1-3-3 7階");
        assert_eq!(first.hours[0].days, Day::WEEK[..5].to_vec());
        assert_eq!(first.hours[0].opens.to_string(), "09:00");
        assert!(first.note.contains("年末年始"));
        assert_eq!(first.verified_on, Some(date("2026-10-01")), "the file's own date is the check date");
        assert_eq!(first.source_id.as_str(), "281000-1");
        assert_eq!(first.kind, None, "the preview chooses the kind");
        assert_eq!(first.lat.0, Some(34_679_700));
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].result.clone().unwrap().hours[0].days.len(), 5, "平日");
    }

    #[test]
    fn reads_the_newer_header_with_a_kind_column() {
        let with_kind = NEW.replacen("URL\n", "URL,窓口の種類\n", 1).replacen("chiyoda.lg.jp/\n", "chiyoda.lg.jp/,基幹相談支援センター\n", 1);
        let rows = open_data(&with_kind, "千代田区", None).unwrap();
        let w = rows[0].result.clone().unwrap();
        assert_eq!(w.phones[0].note, "内線 2150");
        assert_eq!(w.fax.as_str(), "03-3264-0000");
        assert_eq!(w.hours[0].days.len(), 5, "月～金");
        assert_eq!(w.kind, Some(WindowType::CoreConsultation));
        let bad_kind = with_kind.replace("基幹相談支援センター", "どこか");
        assert_eq!(open_data(&bad_kind, "x", None).unwrap()[0].result, Err(vec![ImportProblem::BadKind("どこか".into())]));
    }

    #[test]
    fn shift_jis_files_are_detected_and_read() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(OLD);
        assert_eq!(detect(&sjis), Encoding::ShiftJis);
        let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&sjis);
        assert_eq!(open_data(&text, "x", None).unwrap().len(), 2);
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(NEW.as_bytes());
        assert_eq!(detect(&with_bom), Encoding::Utf8);
        let text = String::from_utf8(with_bom).unwrap();
        assert!(open_data(&text, "x", None).unwrap()[0].is_ok());
    }

    #[test]
    fn malformed_rows_are_listed_with_their_problems() {
        let bad = "全国地方公共団体コード,名称,電話番号,利用可能曜日,開始時間,終了時間,メールアドレス\n\
131017,チェックディジット違い,03-1111-2222,月,9:00,17:00,\n\
131016,,03-1111-2222,月,9:00,17:00,\n\
131016,電話が変,でんわ,月,9:00,17:00,\n\
131016,曜日が変,03-1111-2222,毎週,9:00,17:00,\n\
131016,時間が変,03-1111-2222,月,朝,17:00,\n\
131016,列が足りない\n\
131016,メールが変,03-1111-2222,月,9:00,17:00,nope\n\
131016,正しい行,03-1111-2222,月水金・祝日,9時,17時30分,\n";
        let rows = open_data(bad, "x", None).unwrap();
        let problems: Vec<Vec<ImportProblem>> = rows.iter().map(|r| r.result.clone().err().unwrap_or_default()).collect();
        assert_eq!(problems[0], vec![ImportProblem::BadCode { text: "131017".into(), check_digit: true }]);
        assert!(problems[1].contains(&ImportProblem::NoName));
        assert_eq!(problems[2], vec![ImportProblem::BadPhone("でんわ".into())]);
        assert_eq!(problems[3], vec![ImportProblem::BadDays("毎週".into())]);
        assert_eq!(problems[4], vec![ImportProblem::BadTimes("朝〜17:00".into())]);
        assert!(matches!(problems[5][0], ImportProblem::Columns { found: 2, expected: 7 }));
        assert!(matches!(&problems[6][..], [ImportProblem::Field(BadField { field, missing: false })] if field.name == "email"));
        let ok = rows[7].result.clone().unwrap();
        assert_eq!(ok.hours[0].closes.to_string(), "17:30");
        assert_eq!(ok.hours[0].days, vec![Day::Mon, Day::Wed, Day::Fri, Day::Hol]);
    }

    #[test]
    fn every_message_is_japanese_in_japanese() {
        let rows = open_data(
            "全国地方公共団体コード,名称,電話番号,利用可能曜日,開始時間,終了時間,メールアドレス,URL\n131017,a,x,毎週,朝,夜,nope,ftp://x\n1,,,,,,,\n131016,b,03-1111-2222,,,,nope,ftp://x\n",
            "x",
            None,
        )
        .unwrap();
        let mut said: Vec<Phrase> = rows.iter().flat_map(|r| r.result.clone().err().unwrap_or_default()).map(|p| p.say()).collect();
        said.extend(
            [ImportError::Empty, ImportError::TooBig { bytes: 50 << 20 }, ImportError::TooManyRows { rows: 9000 }, ImportError::NotAFacilityList, ImportError::UnclosedQuote { line: 2 }, ImportError::NotHsds]
                .iter()
                .map(ImportError::say),
        );
        assert!(said.len() >= 12);
        for p in said {
            // A Japanese message has Japanese in it, and no English sentence.
            assert!(p.ja.chars().any(|c| c > '\u{3000}'), "{:?}", p.ja);
            let english_words = p.ja.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3 && !["MB", "JSON", "CSV", "FAX", "ftp", "nope", "nimo", "https", "http"].contains(w)).count();
            assert_eq!(english_words, 0, "{:?}", p.ja);
            assert!(!p.en.is_empty());
        }
    }

    #[test]
    fn whole_files_are_refused_with_a_reason() {
        assert_eq!(open_data("", "x", None), Err(ImportError::Empty));
        assert_eq!(open_data("a,b,c\n1,2,3\n", "x", None), Err(ImportError::NotAFacilityList));
        assert_eq!(open_data("名称,全国地方公共団体コード\n\"open", "x", None), Err(ImportError::UnclosedQuote { line: 2 }));
        assert_eq!(check_size(50 << 20), Err(ImportError::TooBig { bytes: 50 << 20 }));
        assert_eq!(check_size(0), Err(ImportError::Empty));
        assert!(check_size(1 << 20).is_ok());
        let mut big = String::from("全国地方公共団体コード,名称\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("131016,窓口{i}\n"));
        }
        assert_eq!(open_data(&big, "x", None), Err(ImportError::TooManyRows { rows: MAX_ROWS + 1 }));
    }

    #[test]
    fn a_second_import_finds_the_entries_of_the_first() {
        use crate::schema::Typed;
        let rows = open_data(NEW, "千代田区", None).unwrap();
        let w = rows[0].result.clone().unwrap();
        let fields = w.to_fields();
        let stored = Window::from_fields(&|n| fields.iter().find(|(k, _)| *k == n).map(|(_, v)| v));
        let doc = Doc {
            id: crate::sync::ids::RecordId::derived(&["x"]),
            group: crate::sync::ids::GroupId::new_v7(1, [2; 10]),
            owner: crate::sync::ids::UserId::new_v7(1, [3; 10]),
            visibility: crate::sync::collection::Visibility::Group,
            stamp: crate::sync::hlc::Hlc::new(1, 0, crate::sync::ids::ClientId::from_random([1; 8])),
            created: crate::sync::hlc::Hlc::new(1, 0, crate::sync::ids::ClientId::from_random([1; 8])),
            conflicts: Vec::new(),
            data: stored,
        };
        let entries = [doc];
        assert!(existing(&w, &entries).is_some(), "same source id");
        let mut renamed_in_source = w.clone();
        renamed_in_source.source_id = Default::default();
        assert!(existing(&renamed_in_source, &entries).is_some(), "same name and address");
        renamed_in_source.name = crate::schema::field::Text::new("別の窓口");
        assert!(existing(&renamed_in_source, &entries).is_none());
    }

    #[test]
    fn days_and_times() {
        assert_eq!(parse_days("毎日").unwrap().len(), 8);
        assert_eq!(parse_days("土日・祝日").unwrap(), vec![Day::Sat, Day::Sun, Day::Hol]);
        assert_eq!(parse_days("月、水、金").unwrap(), vec![Day::Mon, Day::Wed, Day::Fri]);
        assert!(parse_days("ときどき").is_none());
        assert_eq!(parse_time("９：３０").unwrap().to_string(), "09:30");
        assert_eq!(parse_time("9時").unwrap().to_string(), "09:00");
        assert!(parse_time("25:00").is_none());
    }
}

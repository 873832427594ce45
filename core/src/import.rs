//! Importing the 自治体標準オープンデータセット's facility lists (公共施設一覧
//! and the like) as directory entries. Both the old 24-column header
//! (都道府県コード又は市区町村コード, NO, …) and the newer one (全国地方公共
//! 団体コード, ID, …) are read; real files mix both. The bytes may be UTF-8
//! with or without a BOM, or Shift_JIS: [`detect`] says which, and the
//! platform decodes (the browser's TextDecoder; encoding_rs in tests).

use crate::area::AreaCode;
use crate::csv;
use crate::directory::{ImportRow, SessionForm, WindowForm};
use crate::taxonomy::WindowType;
use crate::text;
use crate::time::TimeOfDay;
use crate::window::{Day, Phone, ServiceArea, check_phone_number};

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("not a facility list: no 名称 column and no local government code column (found: {0})")]
    UnknownHeader(String),
    #[error(transparent)]
    Csv(#[from] csv::CsvError),
}

/// Column names, in both headers, for what an entry needs.
const CODE: [&str; 2] = ["全国地方公共団体コード", "都道府県コード又は市区町村コード"];

struct Columns {
    index: Vec<String>,
}

impl Columns {
    fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.index.iter().position(|h| h == n))
    }
}

/// 「月火水木金」「毎日」「平日」「月～金」「土日・祝日」 → days. `None` if a
/// character cannot be read.
pub fn parse_days(text: &str) -> Option<Vec<Day>> {
    let t = text.trim();
    if t.is_empty() {
        return Some(Vec::new());
    }
    if t.contains("毎日") || t.contains("年中") {
        return Some(Day::ALL.to_vec());
    }
    let mut days = Vec::new();
    let t = t.replace("平日", "月火水木金").replace("祝日", "").replace('祝', "").replace("曜日", "").replace('曜', "");
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '・' | '、' | ',' | '，' | ' ' | '　' | '/' | '／') {
            i += 1;
            continue;
        }
        let day = crate::time::Weekday::from_ja(c).map(Day::of)?;
        // A range like 月～金 or 月-金.
        if i + 2 < chars.len() && matches!(chars[i + 1], '～' | '〜' | '-' | '－' | 'ー' | '~') {
            let end = crate::time::Weekday::from_ja(chars[i + 2]).map(Day::of)?;
            let (a, b) = (day as usize, end as usize);
            if b < a {
                return None;
            }
            days.extend(Day::ALL[a..=b].iter().copied());
            i += 3;
            continue;
        }
        days.push(day);
        i += 1;
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

/// The readings in 名称_カナ are often half-width katakana; keep them
/// readable as hiragana.
fn reading(kana: &str) -> String {
    let folded = text::fold(kana);
    if folded.chars().all(|c| c.is_alphanumeric() || matches!(c, 'ー' | '・')) { folded } else { kana.trim().to_owned() }
}

/// Reads a facility list into directory forms of `window_type`. Rows with a
/// problem come back with the reasons (in Japanese, for the preview).
pub fn open_data(text_in: &str, window_type: WindowType, source: &str) -> Result<Vec<ImportRow>, ImportError> {
    let rows = csv::parse(text_in)?;
    let Some(((_, header), data)) = rows.split_first() else { return Err(ImportError::Empty) };
    let columns = Columns { index: header.iter().map(|h| h.trim().trim_start_matches('\u{FEFF}').to_owned()).collect() };
    let (Some(name_col), Some(code_col)) = (columns.find(&["名称"]), columns.find(&CODE)) else {
        return Err(ImportError::UnknownHeader(columns.index.join(",")));
    };
    let col = |names: &[&str]| columns.find(names);
    let (kana_c, addr_c, extra_c) = (col(&["名称_カナ"]), col(&["所在地_連結表記", "住所"]), col(&["方書", "所在地_建物名等"]));
    let (lat_c, lng_c, tel_c, ext_c, fax_c) = (col(&["緯度"]), col(&["経度"]), col(&["電話番号"]), col(&["内線番号"]), col(&["FAX番号"]));
    let (mail_c, days_c, open_c, close_c) = (col(&["メールアドレス"]), col(&["利用可能曜日"]), col(&["開始時間"]), col(&["終了時間"]));
    let (hours_note_c, desc_c, url_c, note_c) = (col(&["利用可能日時特記事項"]), col(&["説明"]), col(&["URL"]), col(&["備考"]));
    let mut out = Vec::new();
    for (line, row) in data {
        let cell = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|s| s.trim().to_owned()).unwrap_or_default();
        let mut problems = Vec::new();
        let name = cell(Some(name_col));
        if name.is_empty() {
            problems.push("名称がありません".to_owned());
        }
        if row.len() != columns.index.len() {
            problems.push(format!("列の数が見出しと違います（{}列、見出しは{}列）", row.len(), columns.index.len()));
        }
        let areas = match AreaCode::parse(&cell(Some(code_col))) {
            Ok(code) if code.is_prefecture() => vec![ServiceArea::Prefecture { code }],
            Ok(code) => vec![ServiceArea::Municipality { code }],
            Err(e) => {
                problems.push(format!("地方公共団体コードが正しくありません（{e}）"));
                Vec::new()
            }
        };
        let mut phones = Vec::new();
        let tel = cell(tel_c);
        if !tel.is_empty() {
            if check_phone_number(&tel).is_err() {
                problems.push(format!("電話番号が読めません：{tel}"));
            }
            let ext = cell(ext_c);
            phones.push(Phone { number: tel, note: (!ext.is_empty()).then(|| format!("内線 {ext}")) });
        }
        let fax = cell(fax_c);
        if !fax.is_empty() && check_phone_number(&fax).is_err() {
            problems.push(format!("FAX番号が読めません：{fax}"));
        }
        let mut sessions = Vec::new();
        let (days_text, opens, closes) = (cell(days_c), cell(open_c), cell(close_c));
        if !(days_text.is_empty() && opens.is_empty() && closes.is_empty()) {
            match (parse_days(&days_text), parse_time(&opens), parse_time(&closes)) {
                (Some(days), Some(o), Some(c)) if !days.is_empty() => {
                    sessions.push(SessionForm { days, opens: o.to_string(), closes: c.to_string() });
                }
                (None, _, _) | (Some(_), _, _) if parse_days(&days_text).is_none_or(|d| d.is_empty()) => {
                    problems.push(format!("利用可能曜日が読めません：{days_text}"));
                }
                _ => problems.push(format!("時間が読めません：{opens}〜{closes}")),
            }
        }
        let mut address = cell(addr_c);
        let extra = cell(extra_c);
        if !extra.is_empty() {
            address = format!("{address} {extra}");
        }
        let notes: Vec<String> = [cell(desc_c), cell(hours_note_c), cell(note_c)].into_iter().filter(|s| !s.is_empty()).collect();
        let form = WindowForm {
            name: name.clone(),
            kana: reading(&cell(kana_c)),
            window_type: Some(window_type.id().to_owned()),
            areas,
            address,
            phones,
            fax,
            email: cell(mail_c),
            url: cell(url_c),
            channels: Vec::new(),
            sessions,
            closed_holidays: true,
            closed_new_year: true,
            note: notes.join("\n"),
            source: source.to_owned(),
            lat: cell(lat_c),
            lng: cell(lng_c),
            ..WindowForm::default()
        };
        if problems.is_empty() {
            if let Err(p) = form.to_fields() {
                problems.extend(p.keys().map(|k| format!("{k} が正しくありません")));
            }
        }
        out.push(ImportRow { line: *line, name, result: if problems.is_empty() { Ok(form) } else { Err(problems) } });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_通称,POIコード,住所,方書,緯度,経度,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,説明,バリアフリー情報,URL,備考\r\n\
281000,1,兵庫県,神戸市,神戸市 こころの健康センター,ｺｳﾍﾞｼｺｺﾛﾉｹﾝｺｳｾﾝﾀｰ,,,兵庫県神戸市中央区東川崎町1-3-3,7階,34.6797,135.1815,078-371-1900,,,,月火水木金,9:00,17:00,祝日・年末年始は休み,精神保健福祉の相談,,https://www.city.kobe.lg.jp/,\r\n\
281000,2,兵庫県,神戸市,神戸市 北区 保健福祉課,ｷﾀｸﾎｹﾝﾌｸｼｶ,,,兵庫県神戸市北区,,34.74,135.14,078-593-1111,,,,平日,8:45,17:30,,,,,\r\n";

    const NEW: &str = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英語,所在地_連結表記,緯度,経度,電話番号,内線番号,FAX番号,利用可能曜日,開始時間,終了時間,説明,URL\n\
131016,1,東京都千代田区,千代田区 障害者福祉課,チヨダク ショウガイシャフクシカ,,東京都千代田区九段南1-2-1,35.694,139.753,03-3264-2111,2150,03-3264-0000,月～金,08:30,17:15,,https://www.city.chiyoda.lg.jp/\n";

    #[test]
    fn reads_the_old_header() {
        let rows = open_data(OLD, WindowType::MentalHealthCentre, "神戸市オープンデータ").unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].result.clone().unwrap();
        assert_eq!(first.name, "神戸市 こころの健康センター");
        assert_eq!(first.kana, "こうべしこころのけんこうせんたー");
        assert_eq!(first.address, "兵庫県神戸市中央区東川崎町1-3-3 7階");
        assert_eq!(first.sessions, vec![SessionForm { days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri], opens: "09:00".into(), closes: "17:00".into() }]);
        assert!(first.note.contains("年末年始"));
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].result.clone().unwrap().sessions[0].days.len(), 5, "平日");
    }

    #[test]
    fn reads_the_newer_header() {
        let rows = open_data(NEW, WindowType::MunicipalWelfare, "千代田区").unwrap();
        let form = rows[0].result.clone().unwrap();
        assert_eq!(form.phones[0].note.as_deref(), Some("内線 2150"));
        assert_eq!(form.fax, "03-3264-0000");
        assert_eq!(form.sessions[0].opens, "08:30");
        assert_eq!(form.sessions[0].days.len(), 5, "月～金");
        assert!(form.to_fields().is_ok());
    }

    #[test]
    fn shift_jis_files_are_detected_and_read() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(OLD);
        assert_eq!(detect(&sjis), Encoding::ShiftJis);
        let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&sjis);
        assert_eq!(open_data(&text, WindowType::MentalHealthCentre, "x").unwrap().len(), 2);
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(NEW.as_bytes());
        assert_eq!(detect(&with_bom), Encoding::Utf8);
        let text = String::from_utf8(with_bom).unwrap();
        assert!(open_data(&text, WindowType::MunicipalWelfare, "x").unwrap()[0].result.is_ok());
        assert_eq!(detect(NEW.as_bytes()), Encoding::Utf8);
    }

    #[test]
    fn malformed_rows_are_listed_with_their_problems() {
        let bad = "全国地方公共団体コード,名称,電話番号,利用可能曜日,開始時間,終了時間\n\
131017,チェックディジット違い,03-1111-2222,月,9:00,17:00\n\
131016,,03-1111-2222,月,9:00,17:00\n\
131016,電話が変,でんわ,月,9:00,17:00\n\
131016,曜日が変,03-1111-2222,毎週,9:00,17:00\n\
131016,時間が変,03-1111-2222,月,朝,17:00\n\
131016,列が足りない\n\
131016,正しい行,03-1111-2222,月水金,9時,17時30分\n";
        let rows = open_data(bad, WindowType::MunicipalWelfare, "x").unwrap();
        let errors: Vec<bool> = rows.iter().map(|r| r.result.is_err()).collect();
        assert_eq!(errors, vec![true, true, true, true, true, true, false]);
        assert!(rows[0].result.as_ref().unwrap_err()[0].contains("コード"));
        assert!(rows[2].result.as_ref().unwrap_err()[0].contains("電話番号"));
        assert!(rows[3].result.as_ref().unwrap_err()[0].contains("曜日"));
        assert!(rows[4].result.as_ref().unwrap_err()[0].contains("時間"));
        assert!(rows[5].result.as_ref().unwrap_err()[0].contains("列の数"));
        assert_eq!(rows[6].result.clone().unwrap().sessions[0].closes, "17:30");
    }

    #[test]
    fn a_file_that_is_not_a_facility_list_is_refused() {
        assert!(matches!(open_data("", WindowType::MunicipalWelfare, "x"), Err(ImportError::Empty)));
        assert!(matches!(open_data("a,b,c\n1,2,3\n", WindowType::MunicipalWelfare, "x"), Err(ImportError::UnknownHeader(_))));
        assert!(matches!(open_data("名称,全国地方公共団体コード\n\"open", WindowType::MunicipalWelfare, "x"), Err(ImportError::Csv(_))));
    }

    #[test]
    fn days_and_times() {
        assert_eq!(parse_days("毎日").unwrap().len(), 7);
        assert_eq!(parse_days("土日・祝日").unwrap(), vec![Day::Sat, Day::Sun]);
        assert_eq!(parse_days("月、水、金").unwrap(), vec![Day::Mon, Day::Wed, Day::Fri]);
        assert!(parse_days("ときどき").is_none());
        assert_eq!(parse_time("９：３０").unwrap().to_string(), "09:30");
        assert_eq!(parse_time("9時").unwrap().to_string(), "09:00");
        assert!(parse_time("25:00").is_none());
    }
}

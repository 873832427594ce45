//! The importers — open-data CSV (UTF-8 or Shift_JIS) and nimo's HSDS
//! JSON — on arbitrary files and on real files broken at random: a preview
//! or an error said in Japanese, never a panic; and time that grows with
//! the file, not faster.

use std::time::{Duration, Instant};

use nimo_core::base::taxonomy::WindowType;
use nimo_core::base::time::{Date, TimeOfDay};
use nimo_core::directory::area::AreaCode;
use nimo_core::directory::hsds;
use nimo_core::directory::import::{self, Encoding, ImportError, ImportRow};
use nimo_core::directory::window::{Day, Hours, Phone, Phones, ServiceArea, ServiceAreas, Session, Window};
use nimo_core::schema::Doc;
use nimo_core::schema::field::{PhoneNumber, Text};
use nimo_core::sync::collection::Visibility;
use nimo_core::sync::hlc::Hlc;
use nimo_core::sync::ids::{ClientId, GroupId, RecordId, UserId};
use proptest::prelude::*;

use crate::{check, ensure};

/// The old 24-column header and the newer standard one, as real files have them.
const OLD: &str = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_通称,POIコード,住所,方書,緯度,経度,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,説明,バリアフリー情報,URL,備考\r\n\
281000,1,兵庫県,神戸市,神戸市 こころの健康センター,ｺｳﾍﾞｼ ｺｺﾛﾉｹﾝｺｳｾﾝﾀｰ,,,兵庫県神戸市中央区東川崎町1-3-3,7階,34.6797,135.1815,078-371-1900,,,,月火水木金,9:00,17:00,祝日・年末年始は休み,\"精神保健福祉の相談、\"\"こころ\"\"の相談\",,https://www.city.kobe.lg.jp/,\r\n\
281000,2,兵庫県,神戸市,神戸市 北区 保健福祉課,ｷﾀｸ ﾎｹﾝﾌｸｼｶ,,,兵庫県神戸市北区,,34.74,135.14,078-593-1111,,,,平日,8:45,17:30,,,,,\r\n";

const NEW: &str = "\u{feff}全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英語,所在地_連結表記,緯度,経度,電話番号,内線番号,FAX番号,利用可能曜日,開始時間,終了時間,説明,URL\n\
131016,1,東京都千代田区,千代田区 障害者福祉課,チヨダク ショウガイシャフクシカ,,東京都千代田区九段南1-2-1,35.694,139.753,03-3264-2111,2150,03-3264-0000,月～金,08:30,17:15,,https://www.city.chiyoda.lg.jp/\n";

fn window_doc(i: u32) -> Doc<Window> {
    let stamp = Hlc::new(1, 0, ClientId::from_random([1; 8]));
    Doc {
        id: RecordId::derived(&["window", &i.to_string()]),
        group: GroupId::new_v7(1, [2; 10]),
        owner: UserId::new_v7(1, [3; 10]),
        visibility: Visibility::Group,
        stamp,
        created: stamp,
        conflicts: Vec::new(),
        data: Window {
            name: Text::new(&format!("神戸市 障害福祉課 {i}")),
            kind: Some(WindowType::MunicipalWelfare),
            areas: ServiceAreas(vec![ServiceArea::Municipality { code: AreaCode::parse("281000").unwrap() }]),
            phones: Phones(vec![Phone { number: "078-000-0000".into(), note: "平日".into() }]),
            fax: PhoneNumber("078-000-0001".into()),
            hours: Hours(vec![Session { days: vec![Day::Mon, Day::Fri], opens: TimeOfDay::at(8, 45), closes: TimeOfDay::at(17, 30) }]),
            verified_on: Date::parse("2026-04-01").ok(),
            ..Window::default()
        },
    }
}

fn hsds_file(n: u32) -> String {
    let docs: Vec<Doc<Window>> = (0..n).map(window_doc).collect();
    hsds::export(&docs, Date::parse("2026-11-24").unwrap()).to_string()
}

/// Every message the person would read is there, and in Japanese.
fn said(result: &Result<Vec<ImportRow>, ImportError>) -> Result<(), TestCaseError> {
    let japanese = |s: &str| s.chars().any(|c| c > '\u{3000}');
    match result {
        Err(e) => ensure!(japanese(&e.say().ja), "an error not said in Japanese: {e:?}"),
        Ok(rows) => {
            for row in rows {
                if let Err(problems) = &row.result {
                    ensure!(!problems.is_empty(), "a refused row with no problem named");
                    for p in problems {
                        ensure!(japanese(&p.say().ja), "a problem not said in Japanese: {p:?}");
                    }
                }
            }
        }
    }
    Ok(())
}

/// Bytes as the app reads a file: UTF-8 if they are, else Shift_JIS.
fn decode(bytes: &[u8]) -> String {
    match import::detect(bytes) {
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::ShiftJis => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

/// A real file, encoded, then broken at a few places.
fn mutated(real: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (proptest::sample::select(real), proptest::collection::vec((any::<prop::sample::Index>(), 0usize..4, proptest::collection::vec(any::<u8>(), 0..4)), 1..6)).prop_map(|(mut bytes, edits)| {
        for (at, delete, insert) in edits {
            let i = at.index(bytes.len() + 1);
            let end = (i + delete).min(bytes.len());
            bytes.splice(i..end, insert);
        }
        bytes
    })
}

fn csv_files() -> Vec<Vec<u8>> {
    let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
    vec![OLD.as_bytes().to_vec(), NEW.as_bytes().to_vec(), sjis(OLD), sjis(NEW.trim_start_matches('\u{feff}'))]
}

#[test]
fn import_csv_arbitrary_bytes_give_a_preview_or_a_japanese_error() {
    check("import_csv_bytes", 512, proptest::collection::vec(any::<u8>(), 0..600), |bytes| said(&import::open_data(&decode(&bytes), "file.csv", None)));
}

#[test]
fn import_csv_real_files_broken_at_random_give_a_preview_or_a_japanese_error() {
    check("import_csv_mutated", 1024, mutated(csv_files()), |bytes| said(&import::open_data(&decode(&bytes), "file.csv", None)));
}

#[test]
fn import_hsds_arbitrary_bytes_give_a_preview_or_a_japanese_error() {
    check("import_hsds_bytes", 256, proptest::collection::vec(any::<u8>(), 0..400), |bytes| said(&hsds::import(&String::from_utf8_lossy(&bytes))));
}

#[test]
fn import_hsds_real_files_broken_at_random_give_a_preview_or_a_japanese_error() {
    check("import_hsds_mutated", 1024, mutated(vec![hsds_file(2).into_bytes()]), |bytes| said(&hsds::import(&String::from_utf8_lossy(&bytes))));
}

/// The least of a few runs: the machine's noise only adds.
fn time(f: impl Fn()) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// A file eight times as large takes well under 64 times as long (what a
/// reader that rescans from the start would take), for ordinary rows and
/// for the shapes that make naive readers quadratic: one long row of many
/// fields, one quoted field that never closes, a long run of doubled quotes.
#[test]
fn import_time_grows_with_the_file_not_faster() {
    let rows = |n: usize| {
        let line = OLD.lines().nth(1).unwrap_or_default();
        let mut s = OLD.lines().next().unwrap_or_default().to_owned() + "\r\n";
        for _ in 0..n {
            s.push_str(line);
            s.push_str("\r\n");
        }
        s
    };
    let header = OLD.lines().next().unwrap_or_default().to_owned() + "\r\n";
    let shapes: Vec<(&str, Box<dyn Fn(usize) -> String>)> = vec![
        ("rows", Box::new(rows)),
        ("one wide row", Box::new(move |n| header.clone() + &"a,".repeat(n * 40))),
        ("an unclosed quote", Box::new(|n| format!("名称,全国地方公共団体コード\r\n\"{}", "あ,\r\n".repeat(n * 20)))),
        ("doubled quotes", Box::new(|n| format!("名称,全国地方公共団体コード\r\n\"{}\",131016\r\n", "\"\"".repeat(n * 40)))),
    ];
    for (what, make) in shapes {
        let (small, large) = (make(500), make(4000));
        let (a, b) = (time(|| drop(import::open_data(&small, "x", None))), time(|| drop(import::open_data(&large, "x", None))));
        let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-6);
        assert!(ratio < 24.0, "{what}: 8× the file took {ratio:.1}× as long ({a:?} → {b:?})");
    }
    let (small, large) = (hsds_file(250), hsds_file(2000));
    let (a, b) = (time(|| drop(hsds::import(&small))), time(|| drop(hsds::import(&large))));
    let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-6);
    assert!(ratio < 24.0, "HSDS: 8× the file took {ratio:.1}× as long ({a:?} → {b:?})");
}

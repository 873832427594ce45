//! CSV: writing for Excel (UTF-8 with a BOM, CRLF, RFC 4180 quoting) and
//! reading (quoted fields, embedded commas, quotes and line breaks).

pub const BOM: &str = "\u{FEFF}";

const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Quotes a field when it needs it.
pub fn field(value: &str) -> String {
    // A leading =, +, - or @ (or a TAB or CR before one, or their
    // full-width forms, which Excel on Japanese Windows folds) would make a
    // spreadsheet run the cell as a formula.
    let guarded = if value.starts_with(FORMULA_STARTS) && !is_plain_number(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A signed decimal such as `-12`, `+3.5` or `-1.5e3`: a spreadsheet reads it
/// as a number, not a formula, so it needs no guard. (Read by hand: Rust's
/// float parser would also accept `-inf` and `NaN`, which Excel would not,
/// and brings 20 KB of tables into the client.)
fn is_plain_number(value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let body = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, part)) => (digits(whole) || whole.is_empty()) && digits(part) || digits(whole) && part.is_empty(),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

/// A whole CSV document for Excel: BOM, header, rows, CRLF line ends.
pub fn document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from(BOM);
    let line = |cells: &mut dyn Iterator<Item = String>| cells.collect::<Vec<_>>().join(",") + "\r\n";
    out.push_str(&line(&mut header.iter().map(|h| field(h))));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(|c| field(c))));
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("line {line}: a quoted field is not closed")]
    UnclosedQuote { line: usize },
}

/// Parses CSV text into rows of fields. A BOM at the start is ignored.
/// Returns each row with the line number it started on (1-based).
pub fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push('\n');
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut cell)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
                any = false;
            }
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote { line: row_line });
    }
    if any || !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push((row_line, row));
    }
    // Lines with nothing at all are not rows.
    rows.retain(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_for_excel() {
        let doc = document(&["名前", "メモ"], &[vec!["A, B".into(), "say \"hi\"\n2行目".into()], vec!["=1+1".into(), "-3".into()]]);
        assert!(doc.starts_with('\u{FEFF}'));
        assert_eq!(doc, "\u{FEFF}名前,メモ\r\n\"A, B\",\"say \"\"hi\"\"\n2行目\"\r\n'=1+1,-3\r\n");
    }

    #[test]
    fn every_formula_start_is_guarded() {
        for bad in ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "＝1+1", "＋1", "－1+1", "＠A1"] {
            let cell = field(bad);
            let inner = cell.trim_matches('"');
            assert!(inner.starts_with('\''), "{bad:?} became {cell:?}");
        }
        for fine in ["-3", "+81", "1.5", "-.5", "-2.", "-1.5e3", "+6E-2", "電話", "a=b"] {
            assert_eq!(field(fine), fine);
        }
        // Words a float parser would take for numbers are formulas to Excel.
        for word in ["-inf", "+NaN", "-infinity", "-", "+.", "-1e", "-1.2.3", "-1-2"] {
            assert_eq!(field(word), format!("'{word}"), "{word:?}");
        }
    }

    #[test]
    fn reads_quotes_commas_and_line_breaks() {
        let rows = parse("\u{FEFF}a,b,c\r\n\"1,2\",\"x\"\"y\",\"line\nbreak\"\r\n\r\nlast,,\n").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], (2, vec!["1,2".into(), "x\"y".into(), "line\nbreak".into()]));
        assert_eq!(rows[2], (4 + 1, vec!["last".into(), "".into(), "".into()]));
        assert!(parse("a,\"open").is_err());
    }
}

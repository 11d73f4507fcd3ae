//! CSV as the exports write it (RFC 4180): UTF-8 with a byte-order mark so
//! Excel reads Chinese names right, CRLF line ends, quoted where needed,
//! and no cell a spreadsheet would run as a formula (OWASP "CSV
//! Injection": a cell starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'`).

/// The UTF-8 byte-order mark that starts every export.
pub const BOM: &str = "\u{feff}";

/// One cell, escaped.
pub fn cell(value: &str) -> String {
    let inert = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    if inert.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", inert.replace('"', "\"\""))
    } else {
        inert
    }
}

/// One line of cells, ending in CRLF.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// Splits an export back into lines of cells (RFC 4180 quoting; the
/// formula guard's `'` is kept): what a test or a script reading an
/// export needs. The BOM, if any, is dropped.
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_cells_stay_as_they_are() {
        assert_eq!(
            line(&["dev1", "开发一", "2026-12-06"]),
            "dev1,开发一,2026-12-06\r\n"
        );
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_made_inert() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                cell(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn what_is_written_reads_back() {
        let rows = [
            vec!["userid", "name"],
            vec!["a,b", "say \"hi\"\nthere"],
            vec!["", "=x"],
        ];
        let text: String = BOM.to_owned() + &rows.iter().map(|r| line(r)).collect::<String>();
        let back = parse(&text);
        assert_eq!(back[0], ["userid", "name"]);
        assert_eq!(back[1], ["a,b", "say \"hi\"\nthere"]);
        assert_eq!(back[2], ["", "'=x"]);
        assert_eq!(back.len(), 3);
    }
}

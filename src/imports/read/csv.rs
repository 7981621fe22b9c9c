//! CSV: decoding, delimiter detection and records into a [`Table`].

use std::borrow::Cow;

use super::{Format, MAX_ROWS, Refusal, Row, Table, header_text, headers_from, push_row};
use crate::imports::values::trim;

/// Longest cell read. Real cells (an address, a note) stay far below; a longer one is almost always
/// an unclosed quote that swallowed the rest of the file, which the `csv` crate reads to the end
/// without complaint.
const MAX_CELL_CHARS: usize = 100_000;
/// Longest record read, for the same reason: a hundred wide columns of long text stay below 1 MB.
const MAX_RECORD_BYTES: usize = 1024 * 1024;
/// How much of the file delimiter detection looks at, and how many records of it.
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 20;

pub(super) fn read(bytes: &[u8]) -> Result<Table, Refusal> {
    let text = decode(bytes)?;
    if text.is_empty() {
        return Err(Refusal::FileEmpty);
    }
    let (text, declared) = without_sep_line(&text);
    let delimiter = declared.unwrap_or_else(|| detect_delimiter(text.as_bytes()));
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut record = ::csv::StringRecord::new();
    let mut headers: Option<Vec<String>> = None;
    let mut rows: Vec<Row> = Vec::new();
    // Records read so far: a row's number is its record's, title lines above the header included.
    let mut seen: u32 = 0;
    // Title lines skipped above the header, in case no wider row follows.
    let mut titles: Vec<Vec<String>> = Vec::new();
    loop {
        // The number the coming record will have.
        let upcoming = seen.saturating_add(1);
        let number = upcoming;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // The input is valid UTF-8 and in memory, so this is not expected; refuse rather than panic.
            Err(_) => return Err(Refusal::CsvUnreadable { record: number }),
        }
        seen = seen.saturating_add(1);
        if record.as_slice().len() > MAX_RECORD_BYTES
            || record
                .iter()
                .any(|f| f.len() > MAX_CELL_CHARS && f.chars().count() > MAX_CELL_CHARS)
        {
            return Err(Refusal::CsvUnreadable { record: number });
        }
        let Some(headers) = &headers else {
            let mut filled = record.iter().map(trim).filter(|f| !f.is_empty());
            let first = filled.next();
            // A line with one filled cell of several words above the header is a title: skipped.
            if first.is_some_and(super::is_title)
                && filled.next().is_none()
                && titles.len() < super::TITLE_ROWS
            {
                titles.push(headers_from(record.iter().map(header_text).collect()));
                continue;
            }
            if first.is_some() {
                headers = Some(headers_from(record.iter().map(header_text).collect()));
            }
            continue;
        };
        let width = headers.len();
        let mut cells = Vec::with_capacity(width);
        cells.extend(record.iter().take(width).map(|f| trim(f).to_owned()));
        cells.resize(width, String::new());
        push_row(&mut rows, seen, cells)?;
    }
    debug_assert!(rows.len() <= MAX_ROWS);
    // Only one-cell lines: the first was the header after all (a one-column file).
    let headers = headers.or_else(|| titles.into_iter().next());
    Ok(Table {
        headers: headers.ok_or(Refusal::NoHeader)?,
        rows,
        sheets: Vec::new(),
        format: Format::Csv,
        sheet: None,
    })
}

/// The text of a CSV file. UTF-8 (with or without BOM) as is; UTF-16 with a BOM (Excel's "Unicode
/// Text"); anything else as Windows-1252, the code page Excel on an Indonesian Windows saves "CSV" in.
/// Bytes that no text file holds — NUL and the other control characters except tab, CR and LF —
/// mean a binary file renamed to `.csv`.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Refusal> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let encoding = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, malformed) = encoding.decode_with_bom_removal(bytes);
        if malformed || text.chars().any(is_binary_char) {
            return Err(Refusal::UnknownFormat);
        }
        return Ok(Cow::Owned(text.into_owned()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // DOS-era exporters end a text file with Ctrl-Z (0x1A); it is an end mark, not content.
    let bytes = bytes.strip_suffix(b"\x1A").unwrap_or(bytes);
    if bytes
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return Err(Refusal::UnknownFormat);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(Cow::Owned(text.into_owned()))
        }
    }
}

fn is_binary_char(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')
}

/// Excel writes, and reads, a first line `sep=;` naming the delimiter; it is not a record.
fn without_sep_line(text: &str) -> (&str, Option<u8>) {
    let b = text.as_bytes();
    if b.len() >= 5
        && b[..4].eq_ignore_ascii_case(b"sep=")
        && matches!(b[4], b',' | b';' | b'\t' | b'|')
    {
        let rest = &text[5..];
        let rest = rest.strip_prefix('\r').unwrap_or(rest);
        if rest.is_empty() || rest.starts_with('\n') {
            return (rest.strip_prefix('\n').unwrap_or(rest), Some(b[4]));
        }
    }
    (text, None)
}

const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// The delimiter among `,` `;` and tab that splits the first records of the file into the same,
/// largest number of fields. Counting happens outside quotes, so `"Jl. Sudirman; Lt. 3"` and
/// `1.234,56` in a semicolon file do not mislead it.
///
/// The header decides first: the candidate it contains whose count the most records repeat wins
/// (ties: more fields). Indonesian Excel separates with `;` because `,` is its decimal mark, so a
/// semicolon file's data rows carry commas in varying numbers, while its header usually carries none.
/// When the first record holds no candidate at all (a title line), the most repeated non-zero count
/// across the sampled records decides. Comma when nothing splits anything.
fn detect_delimiter(text: &[u8]) -> u8 {
    let sample = &text[..text.len().min(SNIFF_BYTES)];
    let mut records: Vec<[usize; 3]> = Vec::with_capacity(SNIFF_RECORDS);
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut has_content = false;
    for &b in sample {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                has_content = true;
            }
            _ if in_quotes => {}
            b'\n' => {
                if has_content {
                    records.push(counts);
                    if records.len() == SNIFF_RECORDS {
                        break;
                    }
                }
                counts = [0; 3];
                has_content = false;
            }
            b'\r' | b' ' => {}
            _ => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
                has_content = true;
            }
        }
    }
    if has_content && records.len() < SNIFF_RECORDS {
        records.push(counts);
    }
    let Some(first) = records.first().copied() else {
        return b',';
    };
    let repeats = |i: usize, count: usize| records.iter().filter(|r| r[i] == count).count();
    let mut best: Option<((usize, usize), u8)> = None;
    for (i, &candidate) in CANDIDATES.iter().enumerate() {
        let count = if first[i] > 0 {
            first[i]
        } else if first.iter().all(|&c| c == 0) {
            most_repeated(records.iter().map(|r| r[i]))
        } else {
            0
        };
        if count == 0 {
            continue;
        }
        let score = (repeats(i, count), count);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map_or(b',', |(_, d)| d)
}

/// The most frequent non-zero value (the larger one on a tie); 0 when all are zero.
fn most_repeated(values: impl Iterator<Item = usize> + Clone) -> usize {
    let mut best = (0, 0);
    for v in values.clone().filter(|&v| v > 0) {
        let n = values.clone().filter(|&w| w == v).count();
        if (n, v) > best {
            best = (n, v);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(text: &str) -> char {
        detect_delimiter(text.as_bytes()) as char
    }

    #[test]
    fn delimiter_semicolon_with_decimal_commas() {
        let text = "NPP;Nama;Jumlah\n12345678;PT A;1.234.567,89\n12345679;PT B;2,5\n";
        assert_eq!(sniff(text), ';');
    }

    #[test]
    fn delimiter_comma_with_quoted_semicolons() {
        let text = "NPP,Nama,Alamat\n1,\"PT A; Tbk\",\"Jl. X; Lt 3\"\n2,PT B,Jl. Y\n";
        assert_eq!(sniff(text), ',');
    }

    #[test]
    fn delimiter_semicolon_with_quoted_commas_and_newlines() {
        let text =
            "NPP;Nama;Alamat\n1;PT A;\"Jl. X, No 1\nJakarta, 10110\"\n2;PT B;\"a,b,c,d,e\"\n";
        assert_eq!(sniff(text), ';');
    }

    #[test]
    fn delimiter_tab_and_defaults() {
        assert_eq!(sniff("NPP\tNama\tKota\n1\tA, B\tC\n"), '\t');
        assert_eq!(sniff("just one column\nvalue\n"), ',');
        assert_eq!(sniff(""), ',');
        // A title line first: the records below decide.
        assert_eq!(sniff("Daftar Perusahaan\nNPP;Nama\n1;A\n2;B\n"), ';');
    }

    #[test]
    fn decode_windows_1252_and_utf16() {
        let text = decode(b"Caf\xe9;M\xfcller\n").unwrap();
        assert_eq!(text, "Café;Müller\n");
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "NPP\tNama\n1\tCafé\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&utf16).unwrap(), "NPP\tNama\n1\tCafé\n");
        assert_eq!(decode(b"a,b\n\x1A").unwrap(), "a,b\n");
        assert_eq!(decode(b"a\0b"), Err(Refusal::UnknownFormat));
        assert_eq!(decode(b"a\x07b"), Err(Refusal::UnknownFormat));
    }

    #[test]
    fn sep_line_names_the_delimiter() {
        assert_eq!(without_sep_line("sep=;\r\na;b\n"), ("a;b\n", Some(b';')));
        assert_eq!(without_sep_line("SEP=,\na,b"), ("a,b", Some(b',')));
        assert_eq!(without_sep_line("sep=;x\n"), ("sep=;x\n", None));
    }
}

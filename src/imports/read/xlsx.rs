//! XLSX: checking the archive before anything is unpacked, then streaming the chosen sheet's cells
//! into a [`Table`].

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx, XlsxError};

use super::{Format, Refusal, Row, SheetChoice, Table, header_text, headers_from, push_row};
use crate::imports::values::trim;

/// Most entries an accepted archive may hold. A workbook has a few dozen parts (one per sheet,
/// drawing, comment list…); ten thousand is far beyond any real one and stops archives built to
/// make the directory itself expensive.
const MAX_ENTRIES: usize = 10_000;
/// Most bytes all entries may declare when unpacked. Measured (`measure_100k_rows` in the tests): a
/// 100,000-row × 25-column employer sheet written by rust_xlsxwriter is 90 MB of sheet XML plus 17 MB
/// of shared strings, packed 7:1 and 9:1 into a 13 MB file. 512 MiB thus takes workbooks of roughly
/// 450,000 such rows — larger lists import as CSV — while it bounds what a crafted file can make
/// calamine hold (it keeps every shared string in memory).
const MAX_TOTAL_UNPACKED: u64 = 512 * 1024 * 1024;
/// Highest unpacked/packed ratio for an entry above [`RATIO_FLOOR`] bytes. Sheet XML packs about
/// 7–10:1 (measured above); even a sheet of identical rows stays far below 100:1 because every cell
/// carries its own reference (`r="B12345"`). A deflate stream of one repeated byte packs ~1000:1.
const MAX_RATIO: u64 = 200;
/// Small entries are not ratio-checked: a 1 MB entry cannot hurt, and tiny XML parts pack oddly.
const RATIO_FLOOR: u64 = 1024 * 1024;
/// Excel's last column (XFD); cells claiming a column beyond it are ignored, so a crafted reference
/// cannot make a row of a billion cells.
const MAX_COLUMN: u32 = 16_383;

pub(super) fn read(bytes: &[u8], sheet: Option<&SheetChoice>) -> Result<Table, Refusal> {
    check_archive(bytes)?;
    // calamine trusts some structure it reads (e.g. cell references are summed without overflow
    // checks, which panics in a debug build on `r="AAAAAAAAAAAAA1"`), so a crafted sheet could
    // panic inside it. A panic there is a damaged file, not a crashed import.
    catch_unwind(AssertUnwindSafe(|| read_workbook(bytes, sheet)))
        .unwrap_or(Err(Refusal::XlsxDamaged))
}

/// Looks at the zip's central directory only — nothing is unpacked — and refuses archives that are
/// not workbooks or would unpack to too much.
///
/// Declared sizes can lie. The `zip` crate (9.8) holds an entry to them when reading: the packed
/// bytes are read through a `Take` of the declared packed size, and the unpacked output through a
/// reader that fails with "File is larger than its declared uncompressed size" one byte past the
/// declared unpacked size. So the bounds checked here also bound what calamine can unpack.
fn check_archive(bytes: &[u8]) -> Result<(), Refusal> {
    if declared_entries(bytes).is_some_and(|n| n > MAX_ENTRIES) {
        return Err(Refusal::XlsxTooBigUnpacked);
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::XlsxDamaged)?;
    if archive.len() > MAX_ENTRIES {
        return Err(Refusal::XlsxTooBigUnpacked);
    }
    let mut total: u64 = 0;
    let mut workbook = false;
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(|_| Refusal::XlsxDamaged)?;
        let size = entry.size();
        total = total.saturating_add(size);
        if total > MAX_TOTAL_UNPACKED
            || (size > RATIO_FLOOR && size / entry.compressed_size().max(1) > MAX_RATIO)
        {
            return Err(Refusal::XlsxTooBigUnpacked);
        }
        workbook |= is_workbook_part(entry.name_raw());
    }
    if workbook {
        Ok(())
    } else {
        // A zip, but a Word document, an OpenDocument file, or a folder someone zipped.
        Err(Refusal::UnknownFormat)
    }
}

/// `xl/workbook.xml`, or a workbook part under another folder name (calamine follows
/// `_rels/.rels` to it); not `xl/workbook.bin` (XLSB, which this reader does not take).
fn is_workbook_part(name: &[u8]) -> bool {
    let file = name.rsplit(|&b| b == b'/').next().unwrap_or(name);
    file.len() >= 12
        && file[..8].eq_ignore_ascii_case(b"workbook")
        && file[file.len() - 4..].eq_ignore_ascii_case(b".xml")
}

/// The entry count the end-of-central-directory record declares, read before the `zip` crate builds
/// its index of every entry; `None` when there is no such record or it defers to ZIP64.
fn declared_entries(bytes: &[u8]) -> Option<usize> {
    // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[tail_start..];
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let field = tail.get(at + 10..at + 12)?;
    let count = u16::from_le_bytes([field[0], field[1]]);
    (count != u16::MAX).then_some(usize::from(count))
}

fn damaged<E>(_: E) -> Refusal {
    Refusal::XlsxDamaged
}

fn read_workbook(bytes: &[u8], sheet: Option<&SheetChoice>) -> Result<Table, Refusal> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let sheets = book.sheet_names();
    let name = choose(&sheets, sheet)?;
    let mut cells = book.worksheet_cells_reader(&name).map_err(|e| match e {
        // A chart sheet: nothing to import from it.
        XlsxError::NotAWorksheet(_) => Refusal::NoHeader,
        _ => Refusal::XlsxDamaged,
    })?;

    let mut builder = SheetBuilder::default();
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        let (row, column) = cell.get_position();
        if column > MAX_COLUMN {
            continue;
        }
        let text = cell_text(cell.get_value());
        if !text.is_empty() {
            builder.add(row, column, text)?;
        }
    }
    let (headers, rows) = builder.finish()?;
    Ok(Table {
        headers,
        rows,
        sheets,
        format: Format::Xlsx,
        sheet: Some(name),
    })
}

/// The sheet to read: by name (case-insensitive, trimmed), by 1-based position, or the first.
fn choose(sheets: &[String], choice: Option<&SheetChoice>) -> Result<String, Refusal> {
    let found = match choice {
        // A workbook without sheets is not one Excel would write.
        None => return sheets.first().cloned().ok_or(Refusal::XlsxDamaged),
        Some(SheetChoice::Name(wanted)) => {
            let wanted = wanted.trim().to_lowercase();
            sheets.iter().find(|s| s.trim().to_lowercase() == wanted)
        }
        Some(SheetChoice::Index(index)) => index.checked_sub(1).and_then(|i| sheets.get(i)),
    };
    found.cloned().ok_or_else(|| Refusal::SheetNotFound {
        choice: choice.cloned().unwrap_or(SheetChoice::Index(1)),
        available: sheets.to_vec(),
    })
}

/// Gathers non-empty cells, in the order the sheet XML gives them (row by row), into the header and
/// the rows. The header is the first row with a non-empty cell; its leftmost and rightmost non-empty
/// cells set the table's columns, so cells to the left of the header (a row number column without a
/// title) or to the right of it are not read.
#[derive(Default)]
struct SheetBuilder {
    /// The header row's cells while it is being read: (column, text).
    header_cells: Vec<(u32, String)>,
    header_row: Option<u32>,
    /// Set once the header row is complete: the first column and the header texts.
    columns: Option<(u32, Vec<String>)>,
    /// Title rows skipped above the header.
    titles_skipped: usize,
    rows: Vec<Row>,
    /// The data row being read: its 0-based sheet row and cells.
    current: Option<(u32, Vec<String>)>,
}

impl SheetBuilder {
    fn add(&mut self, row: u32, column: u32, text: String) -> Result<(), Refusal> {
        if self.columns.is_none() {
            match self.header_row {
                // A row with one filled cell of several words above the header is a title: the next
                // row is the header candidate instead (at most a few times).
                Some(header)
                    if header != row
                        && self.header_cells.len() == 1
                        && super::is_title(&self.header_cells[0].1)
                        && self.titles_skipped < super::TITLE_ROWS =>
                {
                    self.titles_skipped += 1;
                    self.header_cells.clear();
                    self.header_row = Some(row);
                    self.header_cells.push((column, header_text(&text)));
                    return Ok(());
                }
                Some(header) if header != row => self.close_header(),
                _ => {
                    self.header_row = Some(row);
                    self.header_cells.push((column, header_text(&text)));
                    return Ok(());
                }
            }
        }
        let Some((first, headers)) = &self.columns else {
            return Ok(());
        };
        let (first, width) = (*first, headers.len());
        if self.current.as_ref().is_none_or(|(r, _)| *r != row) {
            self.flush()?;
            self.current = Some((row, vec![String::new(); width]));
        }
        if let Some((_, cells)) = &mut self.current
            && let Some(slot) = column
                .checked_sub(first)
                .and_then(|offset| cells.get_mut(offset as usize))
        {
            *slot = text;
        }
        Ok(())
    }

    fn close_header(&mut self) {
        let first = self.header_cells.iter().map(|(c, _)| *c).min().unwrap_or(0);
        let last = self.header_cells.iter().map(|(c, _)| *c).max().unwrap_or(0);
        let mut headers = vec![String::new(); (last - first) as usize + 1];
        for (column, text) in self.header_cells.drain(..) {
            headers[(column - first) as usize] = text;
        }
        self.columns = Some((first, headers_from(headers)));
    }

    fn flush(&mut self) -> Result<(), Refusal> {
        if let Some((row, cells)) = self.current.take() {
            push_row(&mut self.rows, row.saturating_add(1), cells)?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(Vec<String>, Vec<Row>), Refusal> {
        if self.columns.is_none() && self.header_row.is_some() {
            self.close_header();
        }
        self.flush()?;
        match self.columns {
            Some((_, headers)) => Ok((headers, self.rows)),
            None => Err(Refusal::NoHeader),
        }
    }
}

/// A cell as text, the way a person reading the sheet would type it back.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            trim(s).to_owned()
        }
        DataRef::SharedString(s) => trim(s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(true) => "TRUE".to_owned(),
        DataRef::Bool(false) => "FALSE".to_owned(),
        DataRef::DateTime(dt) => date_time_text(dt),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A number without exponent and without a trailing `.0`: `1234567`, `1234567.89`. An NPP typed as a
/// number stays `123456`. Excel keeps 15 significant digits and shows no more, but writes computed
/// results with up to 17 (`0.1+0.2` is stored as `0.30000000000000004`); rounding to 15 gives what
/// the person saw.
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    // A whole number is kept whole, all of its digits: Excel never writes more than 15 significant
    // ones, so a longer integer came from a program that knew them all.
    let rounded: f64 = if f.fract() == 0.0 {
        f
    } else {
        format!("{f:.14e}").parse().unwrap_or(f)
    };
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        // Exact: every integer below 2^53 is a whole f64.
        return (rounded as i64).to_string();
    }
    // Rust's `Display` for f64 never uses an exponent and prints the shortest exact form.
    rounded.to_string()
}

/// A date-formatted cell as ISO: `2025-12-31`, or `2025-12-31T08:30:00` when it has a time of day;
/// a time-only cell (serial below 1) as `08:30:00`; a duration as `[h]:mm:ss`.
fn date_time_text(dt: &ExcelDateTime) -> String {
    let value = dt.as_f64();
    if dt.is_duration() || (0.0..1.0).contains(&value) {
        let total = (value.abs() * 86_400.0).round() as u64;
        let sign = if value < 0.0 { "-" } else { "" };
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
        return if dt.is_duration() {
            format!("{sign}{h}:{m:02}:{s:02}")
        } else {
            format!("{h:02}:{m:02}:{s:02}")
        };
    }
    let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
    if (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(1_234_567.0), "1234567");
        assert_eq!(number_text(1_234_567.89), "1234567.89");
        assert_eq!(number_text(123_456.0), "123456");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(-12.5), "-12.5");
        assert_eq!(number_text(999_999_999_999_999.0), "999999999999999");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(1_234_567_890_123_456.0), "1234567890123456");
        assert_eq!(number_text(0.000_001), "0.000001");
        assert_eq!(number_text(f64::NAN), "");
    }

    #[test]
    fn dates_and_times_as_iso() {
        let dt = |v| ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
        assert_eq!(date_time_text(&dt(46_022.0)), "2025-12-31");
        assert_eq!(date_time_text(&dt(46_022.5)), "2025-12-31T12:00:00");
        assert_eq!(date_time_text(&dt(0.354_166_666_666_666_7)), "08:30:00");
        let dur = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(date_time_text(&dur), "36:00:00");
        let in_1904 = ExcelDateTime::new(44_560.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(date_time_text(&in_1904), "2025-12-31");
    }

    #[test]
    fn workbook_parts_are_recognised() {
        assert!(is_workbook_part(b"xl/workbook.xml"));
        assert!(is_workbook_part(b"XL/Workbook.xml"));
        assert!(is_workbook_part(b"workbook.xml"));
        assert!(!is_workbook_part(b"xl/workbook.bin"));
        assert!(!is_workbook_part(b"word/document.xml"));
        assert!(!is_workbook_part(b"xl/_rels/workbook.xml.rels"));
    }

    /// The serial-dates fixture with its first sheet's XML replaced by `rows` (the inside of
    /// `<sheetData>`).
    fn with_sheet_data(rows: &str) -> Vec<u8> {
        use std::io::{Read, Write};
        let path = format!(
            "{}/tests/fixtures/imports/employers_excel_serial_dates.xlsx",
            env!("CARGO_MANIFEST_DIR")
        );
        let original = std::fs::read(path).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(original)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                data = format!(
                    r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
                )
                .into_bytes();
            }
            out.start_file(name, options).unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn inline(r: &str, text: &str) -> String {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn crafted_references_do_not_crash_or_blow_up() {
        let header = format!(
            "<row r=\"1\">{}{}</row>",
            inline("A1", "NPP"),
            inline("B1", "Nama")
        );
        // A column reference that overflows calamine's arithmetic (a panic in a debug build).
        let overflow = with_sheet_data(&format!(
            "{header}<row r=\"2\"><c r=\"AAAAAAAAAAAAAAAAAAAAAAAA2\"><v>1</v></c></row>"
        ));
        let result = read(&overflow, None);
        assert!(
            matches!(result, Ok(_) | Err(Refusal::XlsxDamaged)),
            "{result:?}"
        );
        // Columns beyond XFD are ignored; the last row Excel has is numbered as it is.
        let far = with_sheet_data(&format!(
            "{header}<row r=\"1048576\"><c r=\"XFE1048576\"><v>9</v></c><c r=\"B1048576\"><v>2</v></c></row>"
        ));
        let t = read(&far, None).unwrap();
        assert_eq!(
            t.rows,
            [Row {
                number: 1_048_576,
                cells: vec![String::new(), "2".into()]
            }]
        );
    }

    #[test]
    fn cells_without_references_and_typed_values() {
        let t = read(
            &with_sheet_data(concat!(
                r#"<row><c t="inlineStr"><is><t>NPP</t></is></c><c t="inlineStr"><is><t>Aktif</t></is></c>"#,
                r#"<c t="inlineStr"><is><t>Teks</t></is></c><c t="inlineStr"><is><t>Tanggal</t></is></c></row>"#,
                r#"<row><c><v>1</v></c><c t="b"><v>0</v></c><c t="str"><f>A2&amp;"x"</f><v>1x</v></c>"#,
                r#"<c t="d"><v>2025-12-31T00:00:00</v></c></row>"#,
            )),
            None,
        )
        .unwrap();
        assert_eq!(t.headers, ["NPP", "Aktif", "Teks", "Tanggal"]);
        assert_eq!(t.rows[0].number, 2);
        assert_eq!(t.rows[0].cells, ["1", "FALSE", "1x", "2025-12-31T00:00:00"]);
    }

    #[test]
    fn rows_out_of_order_keep_their_numbers() {
        let t = read(
            &with_sheet_data(&format!(
                "<row r=\"2\">{}</row><row r=\"9\">{}</row><row r=\"4\">{}</row>",
                inline("C2", "Kolom"),
                inline("C9", "sembilan"),
                inline("C4", "empat")
            )),
            None,
        )
        .unwrap();
        assert_eq!(t.headers, ["Kolom"]);
        let got: Vec<_> = t
            .rows
            .iter()
            .map(|r| (r.number, r.cells[0].as_str()))
            .collect();
        assert_eq!(got, [(9, "sembilan"), (4, "empat")]);
    }

    /// The finding `check_archive` relies on: the `zip` crate stops an entry at its declared size.
    #[test]
    fn zip_stops_an_entry_at_its_declared_size() {
        use std::io::Read;
        let path = format!(
            "{}/tests/fixtures/imports/zip_lying_size.xlsx",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).unwrap();
        assert!(
            check_archive(&bytes).is_ok(),
            "the declared sizes look harmless"
        );
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut entry = archive.by_name("xl/worksheets/sheet1.xml").unwrap();
        assert_eq!(entry.size(), 40_000);
        let mut sink = Vec::new();
        let err = entry.read_to_end(&mut sink).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(
            sink.len() <= 40_001 + 64 * 1024,
            "read {} bytes",
            sink.len()
        );
    }

    #[test]
    fn sheet_choice() {
        let sheets = vec!["Data".to_owned(), "Petunjuk Isi".to_owned()];
        assert_eq!(choose(&sheets, None).unwrap(), "Data");
        let by_name = SheetChoice::Name("  petunjuk isi ".into());
        assert_eq!(choose(&sheets, Some(&by_name)).unwrap(), "Petunjuk Isi");
        assert_eq!(
            choose(&sheets, Some(&SheetChoice::Index(2))).unwrap(),
            "Petunjuk Isi"
        );
        for missing in [
            SheetChoice::Index(0),
            SheetChoice::Index(3),
            SheetChoice::Name("x".into()),
        ] {
            assert_eq!(
                choose(&sheets, Some(&missing)),
                Err(Refusal::SheetNotFound {
                    choice: missing.clone(),
                    available: sheets.clone()
                })
            );
        }
        assert_eq!(choose(&[], None), Err(Refusal::XlsxDamaged));
    }
}

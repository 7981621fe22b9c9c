//! Reading import files: the bytes an admin uploaded, CSV or XLSX, into a [`Table`] of trimmed text
//! cells under one header row. What the cells mean is decided later, column by column, by the import
//! kind (with [`super::values`]); this module only makes sure that every file people actually produce
//! — Indonesian Excel's semicolon CSV in Windows-1252, UTF-8 with a BOM, tab-separated "Unicode
//! text", workbooks with dates, formulas and numbers that lost their leading zeros — reads the same
//! way, and that a hostile or broken file is refused with a message key instead of a panic, an
//! endless read or a memory blow-up.
//!
//! One pass over the bytes, no copies of the whole file beyond one decoded text for a CSV that is not
//! UTF-8 already; the result holds one `String` per cell.

mod csv;
mod xlsx;

use super::values;

/// Largest upload read: comfortably above a 100,000-row employer list (about 15 MB as CSV, 5 MB as
/// XLSX), small enough that a whole file in memory is harmless.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// Most data rows read from one file; past it the file is refused rather than imported in part.
pub const MAX_ROWS: usize = 1_000_000;

/// A file read into rows of text cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Header cells as written, trimmed, inner whitespace runs (incl. non-breaking spaces, newlines)
    /// collapsed to one space. Empty header cells at the end of the row (trailing separators in a
    /// CSV) are dropped: a column without a header cannot be matched to anything.
    pub headers: Vec<String>,
    /// Data rows below the header, skipping rows whose cells are all empty (trailing empty rows etc.).
    pub rows: Vec<Row>,
    /// For XLSX: every sheet name in the workbook (so the page can offer a choice); empty for CSV.
    pub sheets: Vec<String>,
    /// The format the bytes were read as.
    pub format: Format,
    /// For XLSX: the name of the sheet that was read.
    pub sheet: Option<String>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number people see: in a spreadsheet, its row number (header row of a sheet starting at
    /// A1 = 1, first data row = 2); for CSV, the record number counting from the file's first (a
    /// record spanning lines because of a quoted newline counts once; blank lines, which the CSV
    /// reader skips, do not count).
    pub number: u32,
    /// Cells as text, trimmed; a row shorter than the header is padded with "" up to headers.len();
    /// cells beyond the header are dropped.
    pub cells: Vec<String>,
}

/// The two file formats imports accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Which sheet of a workbook: by name (case-insensitive, trimmed) or by 1-based index; None = the
/// first sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetChoice {
    Name(String),
    Index(usize),
}

impl std::fmt::Display for SheetChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SheetChoice::Name(name) => f.write_str(name.trim()),
            SheetChoice::Index(index) => write!(f, "{index}"),
        }
    }
}

/// Why a file cannot be read at all. Each variant has a message key ([`Refusal::key`]); the fields
/// are the values its message shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is empty")]
    FileEmpty,
    #[error("the file is larger than {max_bytes} bytes")]
    FileTooLarge { max_bytes: usize },
    #[error("the file has more than {max_rows} data rows")]
    TooManyRows { max_rows: usize },
    #[error("the file is neither CSV text nor an XLSX workbook")]
    UnknownFormat,
    /// An OLE compound file: an Excel 97–2003 `.xls` workbook, or an XLSX protected by a password
    /// (Excel encrypts those into the same container).
    #[error("the file is an old .xls workbook or a password-protected one")]
    LegacyOrEncryptedWorkbook,
    #[error("the XLSX file is damaged")]
    XlsxDamaged,
    #[error("the XLSX file unpacks to more than is allowed")]
    XlsxTooBigUnpacked,
    #[error("the workbook has no sheet {choice}")]
    SheetNotFound {
        choice: SheetChoice,
        available: Vec<String>,
    },
    #[error("the file has no header row")]
    NoHeader,
    #[error("CSV record {record} cannot be read (an unclosed quote?)")]
    CsvUnreadable { record: u32 },
}

impl Refusal {
    /// The message catalog key for this refusal.
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::FileEmpty => "import.file_empty",
            Refusal::FileTooLarge { .. } => "import.file_too_large",
            Refusal::TooManyRows { .. } => "import.too_many_rows",
            Refusal::UnknownFormat => "import.file_unknown_format",
            Refusal::LegacyOrEncryptedWorkbook => "import.xls_legacy_or_encrypted",
            Refusal::XlsxDamaged => "import.xlsx_damaged",
            Refusal::XlsxTooBigUnpacked => "import.xlsx_too_big_unpacked",
            Refusal::SheetNotFound { .. } => "import.sheet_not_found",
            Refusal::NoHeader => "import.no_header",
            Refusal::CsvUnreadable { .. } => "import.csv_unreadable",
        }
    }
}

impl Format {
    /// The format the bytes claim: XLSX when they start like a zip archive, CSV otherwise (whether
    /// they really are text is found out while reading).
    pub fn detect(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// The signature of an OLE compound file (`.xls`, `.doc`, encrypted `.xlsx`).
const OLE_SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Detects the format from the bytes (XLSX = a zip archive starting with "PK\x03\x04"; else CSV if it
/// decodes as text), reads it.
pub fn read(bytes: &[u8], sheet: Option<&SheetChoice>) -> Result<Table, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::FileEmpty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::FileTooLarge {
            max_bytes: MAX_BYTES,
        });
    }
    if bytes.starts_with(OLE_SIGNATURE) {
        return Err(Refusal::LegacyOrEncryptedWorkbook);
    }
    match Format::detect(bytes) {
        Format::Xlsx => xlsx::read(bytes, sheet),
        Format::Csv => csv::read(bytes),
    }
}

/// Title lines skipped above the header, at most.
const TITLE_ROWS: usize = 10;

/// Whether a row with this one filled cell is a title above the header ("DAFTAR PERUSAHAAN
/// BINAAN", "Posisi per 30 November 2026") rather than the header of a one-column file: a header
/// names a column in a word or two.
fn is_title(cell: &str) -> bool {
    cell.split_whitespace().count() >= 3
}

/// A header cell as the page shows it and as columns are matched: trimmed, with every run of
/// whitespace (a wrapped header's newline, a pasted non-breaking space, a double space) made one space.
fn header_text(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for word in cell.split(values::is_blank).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The header row from its cells: trailing empty cells dropped.
fn headers_from(mut cells: Vec<String>) -> Vec<String> {
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

/// Adds a data row unless all its cells are empty; refuses once the row limit would be passed.
fn push_row(rows: &mut Vec<Row>, number: u32, cells: Vec<String>) -> Result<(), Refusal> {
    if cells.iter().all(String::is_empty) {
        return Ok(());
    }
    if rows.len() >= MAX_ROWS {
        return Err(Refusal::TooManyRows { max_rows: MAX_ROWS });
    }
    rows.push(Row { number, cells });
    Ok(())
}

#[cfg(test)]
mod tests;

//! Tests of `read`: the fixture files (tests/fixtures/imports/README.md), edge cases of both formats,
//! and properties over arbitrary bytes.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/imports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_fixture(name: &str) -> Table {
    read(&fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn refusal(name: &str) -> &'static str {
    match read(&fixture(name), None) {
        Ok(table) => panic!("{name} was read: {table:?}"),
        Err(e) => e.key(),
    }
}

fn csv(text: &str) -> Table {
    read(text.as_bytes(), None).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

fn numbers(table: &Table) -> Vec<u32> {
    table.rows.iter().map(|r| r.number).collect()
}

const ID_HEADERS: [&str; 10] = [
    "NPP",
    "Nama Perusahaan",
    "NPWP",
    "Kantor Cabang",
    "Email RM",
    "Segmen",
    "Kepemilikan",
    "Kota",
    "Perkiraan Tenaga Kerja",
    "Tanggal Daftar",
];

// --- Fixtures ------------------------------------------------------------------------------------

#[test]
fn fixture_semicolon_excel_id() {
    let t = read_fixture("employers_semicolon_excel_id.csv");
    assert_eq!(t.format, Format::Csv);
    assert_eq!(t.headers.len(), 11);
    assert_eq!(t.headers[7], "Alamat");
    assert_eq!(t.headers[10], "Tanggal Daftar");
    assert_eq!(
        numbers(&t),
        [2, 3, 4, 5, 6, 7],
        "the multi-line record counts once"
    );
    let first = &t.rows[0].cells;
    assert_eq!(first[0], "01234567");
    assert_eq!(first[2], "01.234.567.4-901.000");
    assert_eq!(
        first[7],
        "Jl. Jend. Sudirman Kav. 52-53; Lt. 12\nSCBD, Jakarta Selatan"
    );
    assert_eq!(first[9], "1.250");
    assert_eq!(first[10], "31/12/2025");
    assert_eq!(t.rows[1].cells[9], "12.000");
    assert_eq!(t.rows[3].cells[10], "5/1/2026");
    assert!(t.sheets.is_empty());
}

#[test]
fn fixture_utf8_bom_english() {
    let t = read_fixture("employers_utf8_bom.csv");
    assert_eq!(
        t.headers,
        [
            "NPP",
            "Company Name",
            "NPWP",
            "Branch",
            "RM Email",
            "Segment",
            "Ownership",
            "City",
            "Estimated Workforce"
        ]
    );
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[0].cells[1], "PT \"Maju\" Teknologi Indonesia");
    assert_eq!(t.rows[0].cells[8], "1,250");
    assert_eq!(t.rows[2].cells[6], "State-owned");
}

#[test]
fn fixture_windows_1252_names() {
    let t = read_fixture("employers_windows1252.csv");
    assert_eq!(t.headers, ID_HEADERS);
    assert_eq!(t.rows[0].cells[1], "Café Ñusantara");
    assert_eq!(t.rows[1].cells[1], "PT Müller Indonesia");
    assert_eq!(t.rows[2].cells[1], "Hôtel Société Bali Résidence");
    assert_eq!(t.rows[1].cells[8], "1.100");
}

#[test]
fn fixture_tab_separated() {
    let t = read_fixture("employers_tab.csv");
    assert_eq!(t.headers, ID_HEADERS);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[1].cells[1], "PT Kolom, Baris; dan Tab");
}

#[test]
fn fixture_unicode_text_utf16() {
    let t = read_fixture("employers_unicode_text_utf16.csv");
    assert_eq!(t.headers, ["NPP", "Nama Perusahaan", "Kota"]);
    assert_eq!(
        t.rows[0].cells,
        ["99001122", "PT Ünicode Çipta", "Surabaya"]
    );
}

#[test]
fn fixture_problems_reads_every_row() {
    let t = read_fixture("employers_problems.csv");
    assert_eq!(t.headers, ID_HEADERS);
    assert_eq!(numbers(&t), (2..=11).collect::<Vec<_>>());
    assert_eq!(t.rows[0].cells[0], t.rows[1].cells[0], "duplicated NPP");
    assert_eq!(t.rows[2].cells[4], "tidak.ada@contoh.example");
    assert_eq!(t.rows[3].cells[2], "0123456789012345");
    assert_eq!(t.rows[5].cells[2], "01.234.567.4-901.000");
    assert_eq!(t.rows[6].cells[2], "01.234.567.8-901.000");
    assert_eq!(t.rows[7].cells[0], "1234567");
    assert_eq!(t.rows[8].cells[9], "31/02/2026");
    assert_eq!(t.rows[9].cells[5], "Lainnya");
}

#[test]
fn fixture_xlsx_serial_dates_formula_and_trailing_rows() {
    let t = read_fixture("employers_excel_serial_dates.xlsx");
    assert_eq!(t.format, Format::Xlsx);
    assert_eq!(t.sheets, ["Data Perusahaan", "Petunjuk"]);
    assert_eq!(t.sheet.as_deref(), Some("Data Perusahaan"));
    assert_eq!(
        t.headers, ID_HEADERS,
        "merged-looking header whitespace collapsed"
    );
    assert_eq!(numbers(&t), [2, 3, 4], "trailing empty rows skipped");
    let (a, b, c) = (&t.rows[0].cells, &t.rows[1].cells, &t.rows[2].cells);
    assert_eq!(a[0], "1234567", "number-typed NPP without .0");
    assert_eq!(a[8], "1250");
    assert_eq!(a[9], "2025-12-31", "date-formatted serial");
    assert_eq!(b[0], "02345678");
    assert_eq!(b[7], "#N/A");
    assert_eq!(b[8], "1200", "formula's cached value");
    assert_eq!(b[9], "45658", "plain serial stays a number");
    assert_eq!(
        values::date(&b[9]),
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
    );
    assert_eq!(c[1], "PT Spasi Berlebih");
    assert_eq!(c[5], "Jasa Konstruksi");
    assert_eq!(c[9], "2025-12-31T12:00:00");
}

#[test]
fn fixture_xlsx_second_sheet_by_name_and_index() {
    let bytes = fixture("employers_excel_serial_dates.xlsx");
    for choice in [
        SheetChoice::Name(" petunjuk ".into()),
        SheetChoice::Index(2),
    ] {
        let t = read(&bytes, Some(&choice)).unwrap();
        assert_eq!(t.sheet.as_deref(), Some("Petunjuk"));
        assert_eq!(t.headers, ["Kolom", "Keterangan"]);
        assert_eq!(numbers(&t), [4, 5], "absolute sheet rows");
        assert_eq!(t.rows[0].cells, ["NPP", "8 digit, ketik sebagai teks"]);
    }
    let missing = SheetChoice::Name("Sheet1".into());
    assert_eq!(
        read(&bytes, Some(&missing)),
        Err(Refusal::SheetNotFound {
            choice: missing.clone(),
            available: vec!["Data Perusahaan".into(), "Petunjuk".into()],
        })
    );
}

#[test]
fn fixture_refusals() {
    assert_eq!(refusal("zip_bomb.xlsx"), "import.xlsx_too_big_unpacked");
    assert_eq!(refusal("zip_lying_size.xlsx"), "import.xlsx_damaged");
    assert_eq!(refusal("truncated.xlsx"), "import.xlsx_damaged");
    assert_eq!(refusal("not_a_workbook.xlsx"), "import.file_unknown_format");
    assert_eq!(refusal("binary_renamed.csv"), "import.file_unknown_format");
    assert_eq!(refusal("empty.csv"), "import.file_empty");
}

#[test]
fn fixture_unknown_headers_still_read() {
    let t = read_fixture("header_only_unknown.csv");
    assert_eq!(t.headers, ["foo", "bar", "baz"]);
    assert_eq!(
        t.rows,
        [Row {
            number: 2,
            cells: vec!["1".into(), "2".into(), "3".into()]
        }]
    );
}

// --- CSV -----------------------------------------------------------------------------------------

#[test]
fn csv_header_is_first_non_empty_record_and_numbers_are_record_numbers() {
    let t = csv("\n;;\nNPP;Nama\n1;A\n;\n\n2;B;extra\n3\n");
    assert_eq!(t.headers, ["NPP", "Nama"]);
    let got: Vec<(u32, Vec<&str>)> = t
        .rows
        .iter()
        .map(|r| (r.number, r.cells.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        got,
        [(3, vec!["1", "A"]), (5, vec!["2", "B"]), (6, vec!["3", ""])]
    );
}

#[test]
fn title_lines_above_the_header_are_skipped() {
    let t =
        csv("DAFTAR PERUSAHAAN BINAAN;;\nPosisi per 30 November 2026;;\nNPP;Nama;Kota\n1;A;B\n");
    assert_eq!(t.headers, ["NPP", "Nama", "Kota"]);
    assert_eq!(t.rows[0].number, 4);
    assert_eq!(t.rows[0].cells, ["1", "A", "B"]);
    // A one-column file's header is a word or two, never taken for a title.
    assert_eq!(csv("Kode\nKC-1\n").headers, ["Kode"]);
}

#[test]
fn csv_header_whitespace_collapses_and_trailing_empty_headers_drop() {
    let t = csv("\"  Nama \n  Perusahaan \";\u{a0}NPP\u{a0};;\n PT A ;\u{a0}1\u{a0};x;y\n");
    assert_eq!(t.headers, ["Nama Perusahaan", "NPP"]);
    assert_eq!(t.rows[0].cells, ["PT A", "1"]);
}

#[test]
fn csv_indonesian_amounts_stay_one_cell() {
    let t = csv("NPP;Jumlah;Tanggal\r\n1;1.234.567,89;31/12/2025\r\n2;2,5;01/01/2026\r\n");
    assert_eq!(t.rows[0].cells, ["1", "1.234.567,89", "31/12/2025"]);
    assert_eq!(t.rows[1].cells[1], "2,5");
}

#[test]
fn csv_sep_line() {
    let t = csv("sep=;\r\na,b;c\r\n1,2;3\r\n");
    assert_eq!(t.headers, ["a,b", "c"]);
    assert_eq!(t.rows[0].number, 2);
}

#[test]
fn csv_unclosed_quote_swallowing_the_file_is_unreadable() {
    let mut text = String::from("NPP,Nama\n1,\"PT A\n2,PT B\n");
    text.push_str(&"x".repeat(MAX_CELL_TEST));
    assert_eq!(
        read(text.as_bytes(), None),
        Err(Refusal::CsvUnreadable { record: 2 })
    );
    // A short unclosed quote at the very end is read as it is.
    let t = csv("NPP,Nama\n1,\"PT A");
    assert_eq!(t.rows[0].cells, ["1", "PT A"]);
}

const MAX_CELL_TEST: usize = 100_001;

#[test]
fn csv_huge_record_is_unreadable() {
    let mut text = String::from("a;b\n");
    let cell = "y".repeat(60_000);
    for _ in 0..20 {
        text.push_str(&cell);
        text.push(';');
    }
    assert_eq!(
        read(text.as_bytes(), None),
        Err(Refusal::CsvUnreadable { record: 2 })
    );
}

#[test]
fn csv_empty_and_headerless() {
    assert_eq!(read(b"", None), Err(Refusal::FileEmpty));
    assert_eq!(read(b"\xEF\xBB\xBF", None), Err(Refusal::FileEmpty));
    assert_eq!(read(b"\r\n\r\n", None), Err(Refusal::NoHeader));
    assert_eq!(read(b" ; ;\n;\n", None), Err(Refusal::NoHeader));
    let t = csv("NPP;Nama\n;\n");
    assert!(t.rows.is_empty());
}

#[test]
fn csv_too_many_rows_stops_at_the_limit() {
    let mut text = String::with_capacity(2 * MAX_ROWS + 16);
    text.push_str("n\n");
    for _ in 0..MAX_ROWS {
        text.push_str("1\n");
    }
    assert_eq!(read(text.as_bytes(), None).unwrap().rows.len(), MAX_ROWS);
    text.push_str("1\n");
    assert_eq!(
        read(text.as_bytes(), None),
        Err(Refusal::TooManyRows { max_rows: MAX_ROWS })
    );
}

#[test]
fn oversized_and_legacy_files_are_refused_up_front() {
    let big = vec![b'a'; MAX_BYTES + 1];
    assert_eq!(
        read(&big, None),
        Err(Refusal::FileTooLarge {
            max_bytes: MAX_BYTES
        })
    );
    let mut xls = OLE_SIGNATURE.to_vec();
    xls.extend_from_slice(&[0; 512]);
    assert_eq!(read(&xls, None), Err(Refusal::LegacyOrEncryptedWorkbook));
}

#[test]
fn every_refusal_has_its_own_key() {
    let all = [
        Refusal::FileEmpty,
        Refusal::FileTooLarge { max_bytes: 1 },
        Refusal::TooManyRows { max_rows: 1 },
        Refusal::UnknownFormat,
        Refusal::LegacyOrEncryptedWorkbook,
        Refusal::XlsxDamaged,
        Refusal::XlsxTooBigUnpacked,
        Refusal::SheetNotFound {
            choice: SheetChoice::Index(1),
            available: vec![],
        },
        Refusal::NoHeader,
        Refusal::CsvUnreadable { record: 1 },
    ];
    let keys: std::collections::BTreeSet<_> = all.iter().map(Refusal::key).collect();
    assert_eq!(keys.len(), all.len());
    assert!(keys.iter().all(|k| k.starts_with("import.")));
}

// --- XLSX written by rust_xlsxwriter (as Relasi's own exports are) -------------------------------

fn workbook(build: impl FnOnce(&mut rust_xlsxwriter::Workbook)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    build(&mut book);
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_cell_kinds() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Formula};
    let bytes = workbook(|book| {
        let sheet = book.add_worksheet();
        sheet.set_name("Daftar").unwrap();
        let date = XFormat::new().set_num_format("dd/mm/yyyy");
        let stamp = XFormat::new().set_num_format("dd/mm/yyyy hh:mm");
        for (col, h) in [
            "Teks", "Angka", "Desimal", "Tanggal", "Waktu", "Rumus", "Benar", "Besar",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(2, col as u16 + 1, *h).unwrap();
        }
        sheet.write_string(3, 1, "  Café Ñusantara ").unwrap();
        sheet.write_number(3, 2, 123_456).unwrap();
        sheet.write_number(3, 3, 1_234_567.89).unwrap();
        let day = ExcelDateTime::from_ymd(2025, 12, 31).unwrap();
        sheet.write_datetime_with_format(3, 4, &day, &date).unwrap();
        let at = ExcelDateTime::parse_from_str("2025-12-31T08:30:00").unwrap();
        sheet.write_datetime_with_format(3, 5, &at, &stamp).unwrap();
        sheet
            .write_formula(3, 6, Formula::new("=C4*2").set_result("246912"))
            .unwrap();
        sheet.write_boolean(3, 7, true).unwrap();
        sheet.write_number(3, 8, 1_234_567_890_123_456.0).unwrap();
        // Column A, left of the header: not part of the table.
        sheet.write_string(3, 0, "ignored").unwrap();
        // A row of whitespace, then a row far below.
        sheet.write_string(5, 1, " \u{a0} ").unwrap();
        sheet.write_string(9, 2, "x").unwrap();
        book.add_worksheet().set_name("Kedua").unwrap();
    });
    let t = read(&bytes, None).unwrap();
    assert_eq!(t.sheets, ["Daftar", "Kedua"]);
    assert_eq!(t.headers.len(), 8);
    assert_eq!(numbers(&t), [4, 10]);
    assert_eq!(
        t.rows[0].cells,
        [
            "Café Ñusantara",
            "123456",
            "1234567.89",
            "2025-12-31",
            "2025-12-31T08:30:00",
            "246912",
            "TRUE",
            "1234567890123456"
        ]
    );
    assert_eq!(t.rows[1].cells[1], "x");
    assert_eq!(
        read(&bytes, Some(&SheetChoice::Index(2))),
        Err(Refusal::NoHeader)
    );
}

// --- Properties ----------------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// What every table `read` returns must satisfy.
    fn well_formed(table: &Table) -> Result<(), TestCaseError> {
        let mut last = 0;
        for row in &table.rows {
            prop_assert_eq!(row.cells.len(), table.headers.len());
            prop_assert!(row.cells.iter().any(|c| !c.is_empty()));
            prop_assert!(row.number > last || table.format == Format::Xlsx);
            last = row.number;
        }
        prop_assert!(table.headers.last().is_none_or(|h| !h.is_empty()));
        Ok(())
    }

    fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(table) = read(bytes, None) {
            well_formed(&table)?;
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
            check(&bytes)?;
        }

        #[test]
        fn zip_looking_bytes(tail in prop::collection::vec(any::<u8>(), 0..4096)) {
            let mut bytes = b"PK\x03\x04".to_vec();
            bytes.extend(tail);
            check(&bytes)?;
        }

        #[test]
        fn csv_like_text(text in "[a-c\u{e9}\u{a0}\";,\t\r\n ]{0,300}") {
            check(text.as_bytes())?;
        }

        #[test]
        fn damaged_workbooks(cut in 0usize..4000, flips in prop::collection::vec((0usize..4000, any::<u8>()), 0..8)) {
            let mut bytes = fixture("employers_excel_serial_dates.xlsx");
            for (at, byte) in flips {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            bytes.truncate(cut.max(4));
            check(&bytes)?;
        }
    }
}

// --- Speed (run by hand: cargo test --lib imports::read -- --ignored --nocapture) ----------------

/// A 100,000-row × 25-column employer-like sheet as CSV and as XLSX, timed, with the XLSX's packing
/// ratio printed (the basis of the bounds in `xlsx.rs`).
#[test]
#[ignore = "measurement; takes a while in a debug build"]
fn measure_100k_rows() {
    use std::time::Instant;
    const ROWS: usize = 100_000;
    const COLS: usize = 25;
    let cell = |r: usize, c: usize| -> String {
        match c % 5 {
            0 => format!("{:08}", r * 7 + c),
            1 => format!("PT Perusahaan Contoh {r} Sejahtera"),
            2 => format!("{}.{:03}", r % 900 + 1, (r * c) % 1000),
            3 => format!("{:02}/{:02}/20{:02}", r % 28 + 1, c % 12 + 1, r % 30),
            _ => format!("KC-JKT-{:02}", r % 40),
        }
    };
    let mut text = String::new();
    for c in 0..COLS {
        text.push_str(&format!("Kolom {c};"));
    }
    text.push_str("\r\n");
    for r in 0..ROWS {
        for c in 0..COLS {
            text.push_str(&cell(r, c));
            text.push(';');
        }
        text.push_str("\r\n");
    }
    let started = Instant::now();
    let t = read(text.as_bytes(), None).unwrap();
    println!(
        "CSV {} MB: {:?}, peak RSS so far {}",
        text.len() / 1_000_000,
        started.elapsed(),
        peak_rss()
    );
    assert_eq!(t.rows.len(), ROWS);
    drop(t);
    drop(text);

    let bytes = workbook(|book| {
        let sheet = book.add_worksheet();
        for c in 0..COLS {
            sheet
                .write_string(0, c as u16, format!("Kolom {c}"))
                .unwrap();
        }
        for r in 0..ROWS {
            for c in 0..COLS {
                if c % 5 == 2 {
                    sheet
                        .write_number(r as u32 + 1, c as u16, (r * c) as f64 / 100.0)
                        .unwrap();
                } else {
                    sheet
                        .write_string(r as u32 + 1, c as u16, cell(r, c))
                        .unwrap();
                }
            }
        }
    });
    let archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
    for i in 0..archive.len() {
        let e = archive.by_index_data(i).unwrap();
        println!(
            "  {} {} → {} bytes ({}:1)",
            e.name().unwrap(),
            e.compressed_size(),
            e.size(),
            e.size() / e.compressed_size().max(1)
        );
    }
    let started = Instant::now();
    let t = read(&bytes, None).unwrap();
    println!(
        "XLSX {} MB: {:?}, peak RSS so far {}",
        bytes.len() / 1_000_000,
        started.elapsed(),
        peak_rss()
    );
    assert_eq!(t.rows.len(), ROWS);
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

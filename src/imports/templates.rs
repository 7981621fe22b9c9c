//! The downloadable templates: each kind's headers with one example row, as CSV or XLSX. The rows
//! follow the kind's columns in order (a test reads each template back through the kind).

use rust_xlsxwriter::Workbook;

use super::kind::ImportKind;

/// One example row per kind, cell for cell under `Kind::columns`.
pub fn example(kind: ImportKind) -> &'static [&'static [&'static str]] {
    match kind {
        ImportKind::Employers => &[&[
            "01234567",
            "",
            "PT Sinar Nusantara Logistik",
            "PT Sinar Nusantara Logistik Tbk",
            "Sinar",
            "",
            "",
            "Jl. Gatot Subroto Kav. 52, Jakarta Selatan",
            "Jakarta Selatan",
            "DKI Jakarta",
            "021-5551234",
            "",
            "Korporasi",
            "",
            "Swasta nasional",
            "",
            "Besar",
            "Logistik",
            "Rendah",
            "JKK, JKM, JHT, JP",
            "1.250",
            "Aktif",
            "",
            "",
            "",
        ]],
        ImportKind::KeyPersons => &[&[
            "01234567",
            "Ratna Wulandari",
            "Direktur SDM",
            "BOD-1",
            "Human Capital",
            "ratna.wulandari@contoh.co.id",
            "0812-3456-7890",
            "4",
            "Pengambil keputusan, SDM",
            "01/03/2024",
            "Kartu nama",
        ]],
        ImportKind::Contributions => &[&[
            "01234567",
            "10/2026",
            "1.250",
            "Rp 6.250.000.000",
            "Rp 375.000.000",
            "Rp 375.000.000",
            "14/11/2026",
        ]],
        ImportKind::BranchOffices => &[&[
            "KC-JKT-01",
            "Kantor Cabang Jakarta Gatot Subroto",
            "Kanwil DKI Jakarta",
            "Jl. Gatot Subroto No. 79, Jakarta",
        ]],
        ImportKind::SupplyChainLinks => &[&["01234567", "07654321", "Vendor", "01/01/2025", ""]],
        ImportKind::Holidays => &[&["17/08/2027", "Hari Kemerdekaan RI"]],
    }
}

/// The template as a workbook: headers in bold, every cell text (so NPPs keep their zeros).
pub fn xlsx(headers: &[&str], rows: &[&[&str]]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, (h.chars().count() as f64 + 4.0).max(14.0))?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string((r + 1) as u32, c as u16, *v)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

//! The downloadable templates: each kind's headers (its first synonym for each column), as CSV or
//! XLSX. They hold no example row, so a template uploaded unchanged writes nothing; docs/imports.md
//! shows an example for each kind.

use rust_xlsxwriter::{Format, Workbook};

/// The template as a workbook: headers in bold, and every column formatted as text, so that NPPs
/// keep their leading zeros and 16-digit NPWPs are not rounded when typed in.
pub fn xlsx(headers: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_format(c, &text)?;
        sheet.set_column_width(c, (h.chars().count() as f64 + 4.0).max(14.0))?;
        sheet.write_string_with_format(0, c, *h, &bold)?;
    }
    Ok(book.save_to_buffer()?)
}

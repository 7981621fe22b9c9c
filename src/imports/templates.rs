//! The downloadable workbooks: each kind's template (its headers, the first synonym for each column,
//! as CSV or XLSX), and an import's rejected rows to correct and import again. Templates hold no
//! example row, so a template uploaded unchanged writes nothing; docs/imports.md shows an example for
//! each kind.

use std::borrow::Cow;

use rust_xlsxwriter::{Format, Workbook};

/// The most characters a workbook cell holds (Excel's limit, which the writer enforces).
const CELL_CHARS: usize = 32_767;

/// Text cut to what a cell holds, the cut marked with an ellipsis. Files are read with longer cells
/// (a rejected row may hold one), and the problems of a row are joined into one cell.
fn cell_text(text: &str) -> Cow<'_, str> {
    if text.len() <= CELL_CHARS || text.chars().count() <= CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(CELL_CHARS - 1).collect();
    cut.push('…');
    Cow::Owned(cut)
}

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

/// An import's rejected rows as a workbook: the file's header and the rows' cells as they were read,
/// then two columns of the report — each row's number in the uploaded file (problems that name a row
/// mean that file's), and its problems. Every cell is a string in a text-formatted column: NPPs keep
/// their zeros, and a cell starting with `=` stays text, never a formula. Uploaded again after
/// correction, the two last columns are ones no field takes.
pub fn rejected_xlsx(
    headers: &[String],
    rows: &[Rejected<'_>],
    row_header: &str,
    problems_header: &str,
) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let wrapped = Format::new().set_num_format("@").set_text_wrap();
    let sheet = book.add_worksheet();
    let width = headers.len();
    let (row_column, problems_column) = (width as u16, width as u16 + 1);
    for (c, h) in headers.iter().map(String::as_str).enumerate() {
        let c = c as u16;
        sheet.set_column_format(c, &text)?;
        sheet.set_column_width(c, (h.chars().count() as f64 + 4.0).clamp(14.0, 60.0))?;
        sheet.write_string_with_format(0, c, cell_text(h), &bold)?;
    }
    sheet.set_column_width(
        row_column,
        (row_header.chars().count() as f64 + 4.0).max(10.0),
    )?;
    sheet.write_string_with_format(0, row_column, row_header, &bold)?;
    sheet.set_column_format(problems_column, &wrapped)?;
    sheet.set_column_width(problems_column, 80.0)?;
    sheet.write_string_with_format(0, problems_column, problems_header, &bold)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.cells.iter().take(width).enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r, c as u16, cell_text(cell))?;
            }
        }
        sheet.write_number(r, row_column, f64::from(row.number))?;
        sheet.write_string_with_format(r, problems_column, cell_text(&row.problems), &wrapped)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A rejected row of the uploaded file: its number there, its cells, its problems in words.
pub struct Rejected<'a> {
    pub number: u32,
    pub cells: &'a [String],
    pub problems: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_rows_longer_than_a_cell_are_cut_not_refused() {
        let long = "x".repeat(40_000);
        let headers = vec!["NPP".to_owned(), long.clone()];
        let cells = vec!["01234567".to_owned(), long.clone()];
        let row = Rejected {
            number: 7,
            cells: &cells,
            problems: long.clone(),
        };
        let book = rejected_xlsx(&headers, &[row], "Baris di berkas", "Masalah").unwrap();
        let table = crate::imports::read::read(&book, None).unwrap();
        assert_eq!(table.headers[1].chars().count(), CELL_CHARS);
        assert!(table.headers[1].ends_with('…'));
        assert_eq!(table.rows[0].cells[0], "01234567");
        assert_eq!(table.rows[0].cells[2], "7");
        assert_eq!(table.rows[0].cells[3].chars().count(), CELL_CHARS);
        assert_eq!(cell_text("pendek"), "pendek");
    }
}

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
/// then a last column (`problems_header`) naming each row's problems. Every cell is a string in a
/// text-formatted column: NPPs keep their zeros, and a cell starting with `=` stays text, never a
/// formula. Uploaded again after correction, the last column is one no field takes.
pub fn rejected_xlsx(
    headers: &[String],
    rows: &[(&[String], String)],
    problems_header: &str,
) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    let width = headers.len();
    for (c, h) in headers
        .iter()
        .map(String::as_str)
        .chain([problems_header])
        .enumerate()
    {
        let c = c as u16;
        sheet.set_column_format(c, &text)?;
        sheet.set_column_width(c, (h.chars().count() as f64 + 4.0).clamp(14.0, 60.0))?;
        sheet.write_string_with_format(0, c, cell_text(h), &bold)?;
    }
    for (r, (cells, problems)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in cells.iter().take(width).enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r, c as u16, cell_text(cell))?;
            }
        }
        sheet.write_string(r, width as u16, cell_text(problems))?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_rows_longer_than_a_cell_are_cut_not_refused() {
        let long = "x".repeat(40_000);
        let headers = vec!["NPP".to_owned(), long.clone()];
        let cells = vec!["01234567".to_owned(), long.clone()];
        let book = rejected_xlsx(&headers, &[(&cells, long.clone())], "Masalah").unwrap();
        let table = crate::imports::read::read(&book, None).unwrap();
        assert_eq!(table.headers[1].chars().count(), CELL_CHARS);
        assert!(table.headers[1].ends_with('…'));
        assert_eq!(table.rows[0].cells[0], "01234567");
        assert_eq!(table.rows[0].cells[2].chars().count(), CELL_CHARS);
        assert_eq!(cell_text("pendek"), "pendek");
    }
}

//! The employer list as CSV and XLSX. Every text cell that a spreadsheet would read as a formula is
//! neutralised (`domain::neutralise_cell`), since names and notes come from users and imports.

use anyhow::Context;
use rust_xlsxwriter::{Format, Workbook};

use super::domain::{InstitutionType, Npwp, Scale, neutralise_cell};
use super::repo::list::ExportRow;
use crate::web::i18n::Lang;

/// An export holds at most this many rows: enough for a branch's whole portfolio, and bounded so one
/// download cannot take the server's memory. A longer list says so in its last row.
pub const EXPORT_CAP: i64 = 20_000;

pub enum Cell {
    Text(String),
    Number(f64),
}

pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// Said in a last row when the list was longer than an export holds.
    pub note: Option<String>,
}

const COLUMNS: [&str; 24] = [
    "employer.npp",
    "employer.division_code",
    "employer.name",
    "employer.short_name",
    "employer.npwp",
    "employer.nib",
    "employer.segment",
    "employer.institution_type",
    "employer.ownership",
    "employer.country",
    "employer.scale",
    "employer.industry",
    "employer.programs",
    "employer.workers_reported",
    "employer.status",
    "employer.stage",
    "employer.city",
    "employer.province",
    "employer.rm",
    "employer.branch",
    "employer.tags",
    "employer.last_met",
    "contribution.arrears",
    "contribution.months_in_arrears",
];

/// The rows as cells; days in the tenant's zone `tz`.
pub fn table(lang: Lang, tz: chrono_tz::Tz, rows: &[ExportRow], truncated: bool) -> Table {
    let text = |s: &str| Cell::Text(neutralise_cell(s).into_owned());
    let label =
        |key: Option<&'static str>| Cell::Text(key.map(|k| lang.t(k)).unwrap_or("").to_owned());
    let codes = |v: &[crate::employers::domain::Program]| {
        v.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
    };
    let body = rows
        .iter()
        .map(|e| {
            let r = &e.row;
            vec![
                text(r.npp.as_deref().unwrap_or("")),
                text(&r.division_code),
                text(&r.name),
                text(&r.short_name),
                text(&e.npwp.as_deref().map(Npwp::display).unwrap_or_default()),
                text(e.nib.as_deref().unwrap_or("")),
                label(Some(r.segment.label_key())),
                label(e.institution_type.map(InstitutionType::label_key)),
                label(Some(r.ownership.label_key())),
                text(e.country.as_deref().unwrap_or("")),
                label(e.scale.map(Scale::label_key)),
                text(&e.industry),
                text(&codes(&e.programs)),
                match e.workers_reported {
                    Some(n) => Cell::Number(f64::from(n)),
                    None => Cell::Text(String::new()),
                },
                label(Some(r.status.label_key())),
                label(Some(r.stage.label_key())),
                text(&r.city),
                text(&e.province),
                text(r.rm_name.as_deref().unwrap_or("")),
                text(e.branch_name.as_deref().unwrap_or("")),
                text(&e.tags.join(", ")),
                text(
                    &r.last_bod1_meeting_at
                        .map(|at| lang.date(at.with_timezone(&tz).date_naive()))
                        .unwrap_or_default(),
                ),
                // Whole rupiah as a number, so a spreadsheet sums it.
                Cell::Number(r.arrears_total.round_dp(0).try_into().unwrap_or(0.0)),
                Cell::Number(f64::from(r.arrears_months)),
            ]
        })
        .collect();
    Table {
        headers: COLUMNS.iter().map(|k| lang.t(k)).collect(),
        rows: body,
        note: truncated.then(|| lang.tf("export.truncated", &[("n", &lang.integer(EXPORT_CAP))])),
    }
}

pub fn csv(table: &Table) -> anyhow::Result<Vec<u8>> {
    // The byte-order mark makes spreadsheet programs read the file as UTF-8.
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&table.headers).context("CSV header")?;
        for row in &table.rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(n) => n.to_string(),
            }))
            .context("CSV row")?;
        }
        if let Some(note) = &table.note {
            w.write_record([neutralise_cell(note).as_ref()])
                .context("CSV note")?;
        }
        w.flush().context("CSV flush")?;
    }
    Ok(out)
}

pub fn xlsx(table: &Table) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    for (c, h) in table.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .context("XLSX header")?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                // write_string never interprets its text as a formula; the neutralised prefix also
                // protects anyone who re-saves the sheet as CSV.
                Cell::Text(s) => sheet.write_string(r, c as u16, s),
                Cell::Number(n) => sheet.write_number(r, c as u16, *n),
            }
            .context("XLSX cell")?;
        }
    }
    if let Some(note) = &table.note {
        sheet
            .write_string(
                table.rows.len() as u32 + 1,
                0,
                neutralise_cell(note).as_ref(),
            )
            .context("XLSX note")?;
    }
    sheet.set_freeze_panes(1, 0).context("XLSX panes")?;
    sheet
        .autofilter(
            0,
            0,
            table.rows.len() as u32,
            table.headers.len() as u16 - 1,
        )
        .context("XLSX filter")?;
    book.save_to_buffer().context("XLSX save")
}

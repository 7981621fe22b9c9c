//! The filtered audit log as an XLSX workbook, in words as the page shows it: one row per event, its
//! changes as lines of one cell. Rows are appended chunk by chunk as the log is read.

use anyhow::Context;
use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::views::EventView;
use crate::employers::domain::neutralise_cell;
use crate::web::i18n::Lang;

/// An export holds at most this many events: years of a unit's trail, bounded so that one download
/// cannot take the server's memory. A longer log says so in its last row.
pub const EXPORT_CAP: i64 = 100_000;

/// The columns: their headers and widths (in characters).
const COLUMNS: [(&str, f64); 8] = [
    ("audit.time", 18.0),
    ("audit.actor", 24.0),
    ("audit.action", 28.0),
    ("audit.entity", 18.0),
    ("audit.record", 40.0),
    ("audit.changes", 60.0),
    ("audit.ip", 16.0),
    ("audit.request_id", 38.0),
];

/// The worksheet being filled.
pub struct Sheet {
    sheet: Worksheet,
    rows: u32,
    time: Format,
    wrap: Format,
}

impl Sheet {
    pub fn new(lang: Lang) -> anyhow::Result<Sheet> {
        let mut sheet = Worksheet::new();
        sheet
            .set_name(lang.t("audit.title"))
            .context("XLSX sheet name")?;
        let bold = Format::new().set_bold();
        for (c, (key, width)) in COLUMNS.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, lang.t(key), &bold)
                .context("XLSX header")?;
            sheet
                .set_column_width(c as u16, *width)
                .context("XLSX width")?;
        }
        Ok(Sheet {
            sheet,
            rows: 0,
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            wrap: Format::new().set_text_wrap(),
        })
    }

    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Appends events below the rows written so far. Every text is written as text (never as a
    /// formula) and neutralised as the employer exports are, since names and values come from users.
    pub fn append(&mut self, events: &[EventView]) -> anyhow::Result<()> {
        for e in events {
            let r = self.rows + 1;
            let text = |s: &str| neutralise_cell(s).into_owned();
            let local = e.local;
            let at = ExcelDateTime::from_ymd(
                local.year() as u16,
                local.month() as u8,
                local.day() as u8,
            )
            .and_then(|d| d.and_hms(local.hour() as u16, local.minute() as u8, local.second()))
            .context("XLSX time")?;
            self.sheet
                .write_datetime_with_format(r, 0, at, &self.time)
                .context("XLSX time")?;
            let cells = [
                (1, text(&e.actor)),
                (2, text(&e.action)),
                (3, text(&e.record.kind)),
                (4, text(&e.record.name)),
                (6, text(&e.ip)),
                (7, e.request_id.clone()),
            ];
            for (c, value) in cells {
                self.sheet.write_string(r, c, value).context("XLSX cell")?;
            }
            self.sheet
                .write_string_with_format(r, 5, text(&e.changes_text()), &self.wrap)
                .context("XLSX changes")?;
            self.rows += 1;
        }
        Ok(())
    }

    /// The workbook's bytes; `note` (the log was cut at the cap) goes in a last row.
    pub fn finish(mut self, note: Option<String>) -> anyhow::Result<Vec<u8>> {
        if let Some(note) = note {
            self.sheet
                .write_string(self.rows + 1, 0, neutralise_cell(&note).as_ref())
                .context("XLSX note")?;
        }
        self.sheet.set_freeze_panes(1, 0).context("XLSX panes")?;
        self.sheet
            .autofilter(0, 0, self.rows, COLUMNS.len() as u16 - 1)
            .context("XLSX filter")?;
        let mut book = Workbook::new();
        book.push_worksheet(self.sheet);
        book.save_to_buffer().context("XLSX save")
    }
}

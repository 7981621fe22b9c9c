//! Changing the holiday calendar: each change is recorded, and every due date it moves is rewritten
//! in the same transaction (`contributions::service::recompute_due_dates`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use super::domain::{holiday_name, parse_holiday_date};
use super::repo;
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::error::AppResult;

/// Adds holidays (a day already listed keeps its name); returns how many were new.
pub async fn add(
    conn: &mut PgConnection,
    actor: &Actor,
    holidays: &[(NaiveDate, String)],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    repo::lock_calendar(&mut *conn).await?;
    let (days, names): (Vec<NaiveDate>, Vec<String>) = holidays.iter().cloned().unzip();
    let mut added = repo::insert_many(&mut *conn, &days, &names, now).await?;
    if added.is_empty() {
        return Ok(0);
    }
    added.sort();
    let listed: Vec<String> = holidays
        .iter()
        .filter(|(d, _)| added.binary_search(d).is_ok())
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    audit::repo::record(
        &mut *conn,
        now,
        actor,
        Event::new(Action::HolidaysAdded, Entity::Holiday, None)
            .with(Changes::new().created("days", listed.join("; "))),
    )
    .await?;
    crate::contributions::service::recompute_due_dates(conn, today).await?;
    Ok(added.len())
}

/// Removes a holiday; false when it was not listed (removed meanwhile).
pub async fn remove(
    conn: &mut PgConnection,
    actor: &Actor,
    day: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    repo::lock_calendar(&mut *conn).await?;
    let Some(name) = repo::delete(&mut *conn, day).await? else {
        return Ok(false);
    };
    audit::repo::record(
        &mut *conn,
        now,
        actor,
        Event::new(Action::HolidayRemoved, Entity::Holiday, None).with(Changes::new().field(
            "days",
            Some(format!("{day} {name}")),
            None,
        )),
    )
    .await?;
    crate::contributions::service::recompute_due_dates(conn, today).await?;
    Ok(true)
}

/// A problem with one line of a holiday file.
#[derive(Debug, PartialEq)]
pub struct LineProblem {
    pub line: usize,
    pub key: &'static str,
}

/// Most holidays a file may hold: a few years' worth.
pub const MAX_LINES: usize = 1000;

/// Reads a holiday file: `date,name` per line (comma, semicolon or tab), an optional header line,
/// dates as `YYYY-MM-DD` or `DD/MM/YYYY`, UTF-8 with or without a byte-order mark. Every problem is
/// reported; nothing is added unless the whole file reads.
pub fn read_file(bytes: &[u8]) -> Result<Vec<(NaiveDate, String)>, Vec<LineProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![LineProblem {
            line: 0,
            key: "holiday.file_not_text",
        }]);
    };
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .find(|d| first.as_bytes().contains(d))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let Ok(record) = record else {
            problems.push(LineProblem {
                line,
                key: "holiday.line_unreadable",
            });
            continue;
        };
        let date_text = record.get(0).unwrap_or_default();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(day) = parse_holiday_date(date_text) else {
            // A header line names its columns instead of giving a date.
            if i == 0 && !date_text.trim().starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            problems.push(LineProblem {
                line,
                key: "holiday.date_invalid",
            });
            continue;
        };
        match holiday_name(record.get(1).unwrap_or_default()) {
            Ok(name) => out.push((day, name)),
            Err(key) => problems.push(LineProblem { line, key }),
        }
        if out.len() > MAX_LINES {
            problems.push(LineProblem {
                line,
                key: "holiday.file_too_long",
            });
            break;
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(LineProblem {
            line: 0,
            key: "holiday.file_empty",
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holiday_file_in_indonesian_excel_form() {
        let file = "\u{feff}Tanggal;Nama\n01/01/2027;Tahun Baru\n2027-03-20; Idul Fitri \n\n";
        let days = read_file(file.as_bytes()).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].1, "Idul Fitri");
        assert_eq!(days[0].0.to_string(), "2027-01-01");
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_is_taken() {
        let file = "2027-01-01,New Year\n2027-02-30,Bad\n2027-03-01,\n";
        let problems = read_file(file.as_bytes()).unwrap_err();
        assert_eq!(
            problems,
            vec![
                LineProblem {
                    line: 2,
                    key: "holiday.date_invalid"
                },
                LineProblem {
                    line: 3,
                    key: "holiday.name_required"
                }
            ]
        );
        assert_eq!(read_file(b"").unwrap_err()[0].key, "holiday.file_empty");
        assert_eq!(
            read_file(&[0xff, 0xfe, 0x00]).unwrap_err()[0].key,
            "holiday.file_not_text"
        );
    }
}

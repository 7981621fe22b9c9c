//! Working days: the one calendar that due dates and deadlines are computed with.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::web::forms::optional_text;

/// The days off of one tenant besides weekends. Built from the holidays in a window that covers the
/// dates asked about (`repo::load`); a date outside it counts only weekends.
#[derive(Clone, Debug, Default)]
pub struct WorkingDays {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingDays {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkingDays {
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// `d` itself when it is a working day, else the next one.
    pub fn on_or_after(&self, mut d: NaiveDate) -> NaiveDate {
        // A year of holidays back to back still ends: at most 366 + weekends steps.
        for _ in 0..800 {
            if self.is_working_day(d) {
                return d;
            }
            d = d + Days::new(1);
        }
        d
    }

    /// The day `n` working days after `from` (not counting `from` itself): a letter sent on a Friday
    /// with 1 working day to answer is due on Monday.
    pub fn add(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); 0 when `to` is not after `from`.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// A holiday's name: one line of text, 1–200 characters, held to the rules of every one-line field
/// (`web::forms::optional_text`). A line break is refused rather than dropped: in a file it is the
/// sign of a quote left open, which would otherwise swallow the next line into this name.
pub fn holiday_name(raw: &str) -> Result<String, &'static str> {
    if raw.contains(['\n', '\r']) {
        return Err("holiday.name_line_break");
    }
    let name = optional_text(raw, 200)?;
    if name.is_empty() {
        return Err("holiday.name_required");
    }
    Ok(name)
}

/// One line of a holiday file: `date,name` (or `;`/tab separated), the date as `YYYY-MM-DD` or
/// `DD/MM/YYYY`.
pub fn parse_holiday_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=2100).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekends_and_holidays_are_days_off() {
        let cal = WorkingDays::new([d("2026-12-25")]);
        assert!(cal.is_working_day(d("2026-12-24")));
        assert!(!cal.is_working_day(d("2026-12-25")));
        assert!(!cal.is_working_day(d("2026-12-26")));
        assert!(!cal.is_working_day(d("2026-12-27")));
        assert_eq!(cal.on_or_after(d("2026-12-25")), d("2026-12-28"));
        assert_eq!(cal.on_or_after(d("2026-12-24")), d("2026-12-24"));
    }

    #[test]
    fn deadlines_count_working_days_after_the_start() {
        let cal = WorkingDays::new([d("2026-12-25"), d("2027-01-01")]);
        // Friday + 1 working day = Monday.
        assert_eq!(cal.add(d("2026-12-04"), 1), d("2026-12-07"));
        // Ten working days from Monday 14 December across Christmas and New Year.
        assert_eq!(cal.add(d("2026-12-14"), 10), d("2026-12-29"));
        assert_eq!(cal.add(d("2026-12-21"), 10), d("2027-01-06"));
        assert_eq!(cal.add(d("2026-12-21"), 0), d("2026-12-21"));
        assert_eq!(cal.between(d("2026-12-21"), d("2027-01-06")), 10);
        assert_eq!(cal.between(d("2027-01-06"), d("2026-12-21")), 0);
    }

    #[test]
    fn holiday_lines() {
        assert_eq!(parse_holiday_date("2026-08-17"), Some(d("2026-08-17")));
        assert_eq!(parse_holiday_date(" 17/08/2026 "), Some(d("2026-08-17")));
        assert_eq!(parse_holiday_date("31/02/2026"), None);
        assert_eq!(parse_holiday_date("1800-01-01"), None);
        assert_eq!(holiday_name(" Hari Raya ").unwrap(), "Hari Raya");
        assert!(holiday_name("Hari\u{0}Raya").is_err());
        assert!(holiday_name("abc\n2099-04-04,def").is_err());
        assert!(holiday_name("\u{202e}gnirts").is_err());
        assert!(holiday_name("\u{200b}").is_err());
        assert!(holiday_name("  ").is_err());
        assert!(holiday_name(&"x".repeat(201)).is_err());
    }
}

//! Periods, due dates and money.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::working_days::domain::WorkingDays;

/// A contribution month, held as its first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period(NaiveDate);

impl Period {
    /// The first month a period may be for.
    pub const EARLIEST: Period = Period(NaiveDate::from_ymd_opt(1990, 1, 1).expect("a valid date"));

    pub fn containing(d: NaiveDate) -> Period {
        Period(d.with_day(1).expect("every month has a first day"))
    }

    /// `YYYY-MM`, as a month input sends it.
    pub fn parse(raw: &str) -> Result<Period, &'static str> {
        let raw = raw.trim();
        let d = NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
            .map_err(|_| "contribution.period_invalid")?;
        if !(1990..=2100).contains(&d.year()) {
            return Err("contribution.period_invalid");
        }
        Ok(Period(d))
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    /// `YYYY-MM`.
    pub fn code(self) -> String {
        self.0.format("%Y-%m").to_string()
    }

    pub fn plus_months(self, n: u32) -> Period {
        Period(self.0 + Months::new(n))
    }

    pub fn minus_months(self, n: u32) -> Period {
        Period(self.0 - Months::new(n))
    }

    /// The 15th of the following month, moved to the next working day when that is a Saturday,
    /// Sunday or a holiday of the tenant.
    pub fn due_on(self, calendar: &WorkingDays) -> NaiveDate {
        let fifteenth = self
            .plus_months(1)
            .0
            .with_day(15)
            .expect("every month has a 15th");
        calendar.on_or_after(fifteenth)
    }
}

impl From<NaiveDate> for Period {
    fn from(d: NaiveDate) -> Self {
        Period::containing(d)
    }
}

/// Started months of delay: one day late is one started month, exactly a month late still one, a
/// day more two. Mirrors the SQL function `started_months` (migrations/0009_contributions.sql),
/// which the figures are computed with; this one serves the unit tests and the letter preview.
pub fn started_months(due: NaiveDate, paid: NaiveDate) -> i32 {
    if paid <= due {
        return 0;
    }
    let months = (paid.year() * 12 + paid.month() as i32) - (due.year() * 12 + due.month() as i32);
    months + i32::from(paid.day() > due.day())
}

/// The late-fine estimate: 2 % of the late amount per started month of delay, in whole rupiah. An
/// estimate: the agency's core system is the source of truth.
pub fn fine_estimate(late_amount: Decimal, months: i32) -> Decimal {
    (late_amount * Decimal::new(2, 2) * Decimal::from(months.max(0))).round_dp(0)
}

/// An amount of rupiah as typed: `1.234.567`, `1.234.567,89`, `1234567.89`, `Rp 1.234.567`,
/// `1,234,567.89`. A lone separator followed by exactly three digits is a thousands separator.
pub fn parse_money(raw: &str) -> Result<Decimal, &'static str> {
    let s: String = raw
        .trim()
        .trim_start_matches("Rp")
        .trim_start_matches("rp")
        .trim_start_matches("IDR")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() {
        return Err("contribution.amount_required");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err("contribution.amount_invalid");
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    // Which character is the decimal separator: the last one when both appear; a lone one followed
    // by one or two digits; otherwise none (every separator groups thousands).
    let decimal_sep = match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let count = dots.max(commas);
            let after = s.len() - s.rfind(sep).unwrap_or(0) - 1;
            (count == 1 && after != 3).then_some(sep)
        }
        _ => {
            if s.rfind('.') > s.rfind(',') {
                Some('.')
            } else {
                Some(',')
            }
        }
    };
    let (whole, fraction) = match decimal_sep {
        Some(sep) => {
            let at = s.rfind(sep).expect("the separator is there");
            (&s[..at], &s[at + 1..])
        }
        None => (s.as_str(), ""),
    };
    let group = match decimal_sep {
        Some('.') => ',',
        Some(_) => '.',
        None => {
            if dots > 0 {
                '.'
            } else {
                ','
            }
        }
    };
    // Thousands groups must be three digits each after the first.
    let mut parts = whole.split(group);
    let first = parts.next().unwrap_or_default();
    if first.is_empty() || first.len() > 15 || !first.chars().all(|c| c.is_ascii_digit()) {
        return Err("contribution.amount_invalid");
    }
    // With groups, the first is one to three digits and not a zero: "0,001" and "1234.567" are not
    // thousands written out, and reading them as 1 or 1,234,567 would store what nobody meant.
    if whole.contains(group) && (first.len() > 3 || first.starts_with('0')) {
        return Err("contribution.amount_invalid");
    }
    let mut digits = first.to_owned();
    for p in parts {
        if p.len() != 3 || !p.chars().all(|c| c.is_ascii_digit()) {
            return Err("contribution.amount_invalid");
        }
        digits.push_str(p);
    }
    if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err("contribution.amount_invalid");
    }
    if digits.len() > 15 {
        return Err("contribution.amount_too_large");
    }
    let text = if fraction.is_empty() {
        digits
    } else {
        format!("{digits}.{fraction}")
    };
    text.parse::<Decimal>()
        .map_err(|_| "contribution.amount_invalid")
}

/// `1234567.5` as people read it: `Rp 1.234.568` in Indonesian, `Rp 1,234,568` in English (whole
/// rupiah; the cents of a contribution are not worth a column's width).
pub fn money_text(amount: Decimal, lang: crate::web::i18n::Lang) -> String {
    let whole = amount.round_dp(0);
    let n: i64 = whole.try_into().unwrap_or(i64::MAX);
    format!("Rp {}", lang.integer(n))
}

/// An amount as a form shows it back for correcting: grouped in the reader's way, with its cents
/// only when it has any (`1.150.000.000` or `1.150.000.000,50` in Indonesian), which `parse_money`
/// reads back as it was.
pub fn money_input(amount: Decimal, lang: crate::web::i18n::Lang) -> String {
    let amount = amount.round_dp(2);
    let whole: i64 = amount.trunc().try_into().unwrap_or(i64::MAX);
    let cents = ((amount - amount.trunc()) * Decimal::ONE_HUNDRED)
        .round()
        .try_into()
        .unwrap_or(0i64);
    let grouped = lang.integer(whole);
    if cents == 0 {
        return grouped;
    }
    let sep = if lang == crate::web::i18n::Lang::Id {
        ','
    } else {
        '.'
    };
    format!("{grouped}{sep}{cents:02}")
}

/// A month's contribution as entered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContributionFields {
    pub workers_reported: i32,
    pub wages_reported: Decimal,
    pub amount_due: Decimal,
    pub amount_paid: Decimal,
    pub paid_on: Option<NaiveDate>,
}

/// Most workers one period may report (the schema's bound).
pub const MAX_WORKERS: i32 = 10_000_000;

/// The rules of a period as entered, whatever it came from (the form, an import): the month has
/// begun, and the workers are within bounds.
pub fn check_period(period: Period, today: NaiveDate) -> Result<Period, &'static str> {
    if period > Period::containing(today) {
        Err("contribution.period_future")
    } else {
        Ok(period)
    }
}

pub fn check_workers(n: i32) -> Result<i32, &'static str> {
    if (0..=MAX_WORKERS).contains(&n) {
        Ok(n)
    } else {
        Err("contribution.workers_too_many")
    }
}

/// A payment has its day and no payment has none; the day is neither after today nor before the
/// month it pays for.
pub fn check_payment(
    period: Period,
    paid: Decimal,
    paid_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), &'static str> {
    match (paid.is_zero(), paid_on) {
        (false, None) => Err("contribution.paid_on_required"),
        (true, Some(_)) => Err("contribution.paid_on_without_payment"),
        (false, Some(d)) if d > today => Err("contribution.paid_on_future"),
        (false, Some(d)) if d < period.first_day() => Err("contribution.paid_on_before_period"),
        _ => Ok(()),
    }
}

/// Roman numerals for months, as letter numbers use them (XI for November).
pub fn roman_month(month: u32) -> &'static str {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    ROMAN[(month.clamp(1, 12) - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn due_dates_move_past_weekends_and_holidays() {
        let none = WorkingDays::default();
        // October 2026 is due on Sunday 15 November → Monday 16.
        assert_eq!(
            Period::parse("2026-10").unwrap().due_on(&none),
            d("2026-11-16")
        );
        // November 2026: Tuesday 15 December stays.
        assert_eq!(
            Period::parse("2026-11").unwrap().due_on(&none),
            d("2026-12-15")
        );
        // December's period crosses the year: 15 January 2027 is a Friday.
        assert_eq!(
            Period::parse("2026-12").unwrap().due_on(&none),
            d("2027-01-15")
        );
        // A Friday holiday on the 15th before a weekend moves it to Monday the 18th.
        let cal = WorkingDays::new([d("2027-01-15")]);
        assert_eq!(
            Period::parse("2026-12").unwrap().due_on(&cal),
            d("2027-01-18")
        );
        // A Friday holiday, then a Monday holiday: Tuesday.
        let cal = WorkingDays::new([d("2027-01-15"), d("2027-01-18")]);
        assert_eq!(
            Period::parse("2026-12").unwrap().due_on(&cal),
            d("2027-01-19")
        );
        // Month ends: January's period is due in February, whatever January's length.
        assert_eq!(
            Period::parse("2027-01").unwrap().due_on(&none),
            d("2027-02-15")
        );
        assert_eq!(Period::containing(d("2027-01-31")).code(), "2027-01");
    }

    #[test]
    fn periods_parse_as_months() {
        assert!(Period::parse("2026-13").is_err());
        assert!(Period::parse("1989-12").is_err());
        assert!(Period::parse("2026-1x").is_err());
        assert_eq!(
            Period::parse(" 2026-02 ").unwrap().first_day(),
            d("2026-02-01")
        );
    }

    #[test]
    fn started_months_of_delay() {
        assert_eq!(started_months(d("2026-01-15"), d("2026-01-15")), 0);
        assert_eq!(started_months(d("2026-01-15"), d("2026-01-10")), 0);
        assert_eq!(started_months(d("2026-01-15"), d("2026-01-16")), 1);
        assert_eq!(started_months(d("2026-01-15"), d("2026-02-15")), 1);
        assert_eq!(started_months(d("2026-01-15"), d("2026-02-16")), 2);
        assert_eq!(started_months(d("2026-01-31"), d("2026-02-28")), 1);
        assert_eq!(started_months(d("2026-12-15"), d("2027-01-16")), 2);
    }

    #[test]
    fn fines_are_two_percent_per_started_month() {
        let amount = Decimal::new(10_000_000, 0);
        assert_eq!(fine_estimate(amount, 0), Decimal::ZERO);
        assert_eq!(fine_estimate(amount, 1), Decimal::new(200_000, 0));
        assert_eq!(fine_estimate(amount, 3), Decimal::new(600_000, 0));
        // Rounded to whole rupiah.
        assert_eq!(
            fine_estimate(Decimal::new(12_345, 0), 1),
            Decimal::new(247, 0)
        );
    }

    #[test]
    fn money_in_indonesian_and_english_forms() {
        let m = |s| parse_money(s).map(|d| d.to_string());
        assert_eq!(m("1.234.567").unwrap(), "1234567");
        assert_eq!(m("Rp 1.234.567").unwrap(), "1234567");
        assert_eq!(m("1.234.567,89").unwrap(), "1234567.89");
        assert_eq!(m("1,234,567.89").unwrap(), "1234567.89");
        assert_eq!(m("1234567.5").unwrap(), "1234567.5");
        assert_eq!(m("1234567,50").unwrap(), "1234567.50");
        assert_eq!(m("1.234").unwrap(), "1234");
        assert_eq!(m("0").unwrap(), "0");
        assert!(m("").is_err());
        assert!(m("-5").is_err());
        assert!(m("1.23.4").is_err());
        assert!(m("12,3456").is_err());
        assert!(m("1e9").is_err());
        assert!(m("9999999999999999").is_err());
        // A leading zero group or a first group of four digits is not thousands written out.
        assert!(m("0,001").is_err());
        assert!(m("0.001.000").is_err());
        assert!(m("1234.567").is_err());
        assert!(m("1234,567.00").is_err());
        assert_eq!(m("0,50").unwrap(), "0.50");
        // What a correction form shows is read back as it was.
        for lang in [crate::web::i18n::Lang::Id, crate::web::i18n::Lang::En] {
            for amount in [
                Decimal::new(1_150_000_000, 0),
                Decimal::new(115_000_000_050, 2),
                Decimal::new(5, 2),
                Decimal::ZERO,
            ] {
                let shown = money_input(amount, lang);
                assert_eq!(parse_money(&shown).unwrap(), amount, "{shown}");
            }
        }
        assert_eq!(
            money_input(Decimal::new(115_000_000_050, 2), crate::web::i18n::Lang::Id),
            "1.150.000.000,50"
        );
        assert_eq!(
            money_text(Decimal::new(123_456_789, 2), crate::web::i18n::Lang::Id),
            "Rp 1.234.568"
        );
        assert_eq!(
            money_text(Decimal::new(1_234_567, 0), crate::web::i18n::Lang::En),
            "Rp 1,234,567"
        );
    }

    #[test]
    fn roman_months() {
        assert_eq!(roman_month(1), "I");
        assert_eq!(roman_month(4), "IV");
        assert_eq!(roman_month(9), "IX");
        assert_eq!(roman_month(11), "XI");
        assert_eq!(roman_month(12), "XII");
    }
}

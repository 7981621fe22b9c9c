//! The employer page's contributions section: the 24-month table (newest first), the totals and the
//! chart's data, all formatted for the reader's language.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::domain::{Period, money_text};
use super::repo::{MonthFigures, Totals};
use crate::web::i18n::Lang;

/// Months the employer page shows.
pub const MONTHS_SHOWN: u32 = 24;

pub struct MonthLine {
    pub code: String,
    pub label: String,
    pub reported: bool,
    pub workers: String,
    pub wages: String,
    pub due: String,
    pub paid: String,
    pub paid_on: String,
    pub due_on: String,
    pub past_due: bool,
    pub in_arrears: bool,
    pub arrears: String,
    pub late: bool,
    pub months_late: i32,
    pub fine: String,
    /// Nothing reported for a month whose due date has certainly passed.
    pub unreported_past_due: bool,
}

pub struct Section {
    /// Newest first.
    pub lines: Vec<MonthLine>,
    pub arrears: String,
    pub in_arrears: bool,
    pub months_in_arrears: i64,
    pub late_periods: i64,
    pub fine: String,
    pub has_fine: bool,
    pub workers_now: Option<String>,
    pub workers_before: Option<String>,
    /// Workers now minus three months before, signed ("+12", "−40").
    pub workers_change: Option<String>,
    /// The chart's data as JSON, for `static/app.js`.
    pub chart: String,
    /// The month a new entry proposes: the latest month not entered yet, up to last month.
    pub next_period: String,
    pub any_reported: bool,
    /// Months of the table not reported though their due date has passed: not in the arrears, which
    /// only reported amounts make.
    pub unreported_past_due: usize,
}

#[derive(Serialize)]
struct Chart<'a> {
    labels: Vec<String>,
    due: Vec<f64>,
    paid: Vec<f64>,
    arrears: Vec<bool>,
    due_label: &'a str,
    paid_label: &'a str,
    arrears_label: &'a str,
}

fn chart_number(d: Option<Decimal>) -> f64 {
    // Only the chart's bar heights are floating point; every figure shown as text stays a decimal.
    d.map(|d| d.round_dp(0).try_into().unwrap_or(0.0))
        .unwrap_or(0.0)
}

impl Section {
    pub fn new(lang: Lang, months: &[MonthFigures], totals: &Totals, today: NaiveDate) -> Section {
        let money = |d: Decimal| money_text(d, lang);
        // Day and month: the year follows from the period beside it.
        let date = |d: Option<NaiveDate>| {
            d.map(|d| format!("{} {}", d.day(), lang.month_abbr(d.month())))
                .unwrap_or_default()
        };
        // The window ends with the current month, which is shown only once something is entered
        // for it; otherwise the table ends with last month and starts a month earlier.
        let current = Period::containing(today).first_day();
        let months: &[MonthFigures] = match months.last() {
            Some(m) if m.period == current && !m.reported => &months[..months.len() - 1],
            _ if months.len() > MONTHS_SHOWN as usize => &months[1..],
            _ => months,
        };
        // A month's due date falls in the next month, from the 15th, moved past weekends and holidays
        // by two weeks at most: a month two or more before the current one is certainly past due.
        // Last month's may or may not be (it depends on the calendar), and is not flagged.
        // Months before the first one reported in the table are before reporting began, not gaps.
        let surely_due = Period::containing(today).minus_months(2).first_day();
        let first_reported = months.iter().filter(|m| m.reported).map(|m| m.period).min();
        let unreported_past_due = |m: &MonthFigures| {
            !m.reported && m.period <= surely_due && first_reported.is_some_and(|f| m.period > f)
        };
        let lines: Vec<MonthLine> = months
            .iter()
            .rev()
            .map(|m| MonthLine {
                unreported_past_due: unreported_past_due(m),
                code: Period::containing(m.period).code(),
                label: format!("{} {}", lang.month_abbr(m.period.month()), m.period.year()),
                reported: m.reported,
                workers: m
                    .workers_reported
                    .map(|n| lang.integer(n.into()))
                    .unwrap_or_default(),
                wages: m.wages_reported.map(money).unwrap_or_default(),
                due: m.amount_due.map(money).unwrap_or_default(),
                paid: m.amount_paid.map(money).unwrap_or_default(),
                paid_on: date(m.paid_on),
                due_on: date(m.due_on),
                past_due: m.past_due,
                in_arrears: m.arrears > Decimal::ZERO,
                arrears: money(m.arrears),
                late: m.late,
                months_late: m.months_late,
                fine: money(m.fine_estimate),
            })
            .collect();
        let chart = Chart {
            labels: months
                .iter()
                .map(|m| format!("{} {}", lang.month_abbr(m.period.month()), m.period.year()))
                .collect(),
            due: months.iter().map(|m| chart_number(m.amount_due)).collect(),
            paid: months.iter().map(|m| chart_number(m.amount_paid)).collect(),
            arrears: months.iter().map(|m| m.arrears > Decimal::ZERO).collect(),
            due_label: lang.t("contribution.amount_due"),
            paid_label: lang.t("contribution.amount_paid"),
            arrears_label: lang.t("contribution.arrears"),
        };
        let last_month = Period::containing(today).minus_months(1);
        let next_period = months
            .iter()
            .rev()
            .map(|m| Period::containing(m.period))
            .find(|p| {
                *p <= last_month
                    && !months
                        .iter()
                        .any(|m| m.reported && m.period == p.first_day())
            })
            .unwrap_or(last_month)
            .code();
        let workers_change = match (totals.workers_now, totals.workers_three_months_before) {
            (Some(now), Some(before)) => {
                let d = i64::from(now) - i64::from(before);
                Some(match d.signum() {
                    1 => format!("+{}", lang.integer(d)),
                    -1 => format!("−{}", lang.integer(-d)),
                    _ => "±0".to_owned(),
                })
            }
            _ => None,
        };
        Section {
            any_reported: months.iter().any(|m| m.reported),
            unreported_past_due: months.iter().filter(|m| unreported_past_due(m)).count(),
            lines,
            arrears: money(totals.arrears),
            in_arrears: totals.arrears > Decimal::ZERO,
            months_in_arrears: totals.months_in_arrears,
            late_periods: totals.late_periods,
            fine: money(totals.fine_estimate),
            has_fine: totals.fine_estimate > Decimal::ZERO,
            workers_now: totals.workers_now.map(|n| lang.integer(n.into())),
            workers_before: totals
                .workers_three_months_before
                .map(|n| lang.integer(n.into())),
            workers_change,
            chart: serde_json::to_string(&chart).unwrap_or_default(),
            next_period,
        }
    }
}

/// The months to read for the employer page: the 24 up to last month, and the current one
/// (`Section::new` keeps 24 of them).
pub fn window(today: NaiveDate) -> (Period, Period) {
    let current = Period::containing(today);
    (current.minus_months(MONTHS_SHOWN), current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(period: &str, reported: bool) -> MonthFigures {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        MonthFigures {
            period: d(period),
            reported,
            workers_reported: reported.then_some(10),
            wages_reported: reported.then_some(Decimal::new(1_000, 0)),
            amount_due: reported.then_some(Decimal::new(100, 0)),
            amount_paid: reported.then_some(Decimal::new(100, 0)),
            paid_on: None,
            due_on: None,
            past_due: reported,
            arrears: Decimal::ZERO,
            late: false,
            months_late: 0,
            fine_estimate: Decimal::ZERO,
        }
    }

    #[test]
    fn months_not_reported_after_reporting_began_are_flagged_once_surely_past_due() {
        // Reported from March to June 2026, nothing since; today is 6 December 2026.
        let months: Vec<MonthFigures> = (1..=12)
            .map(|m| month(&format!("2026-{m:02}-01"), (3..=6).contains(&m)))
            .collect();
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let s = Section::new(Lang::En, &months, &Totals::default(), today);
        let flagged: Vec<&str> = s
            .lines
            .iter()
            .filter(|l| l.unreported_past_due)
            .map(|l| l.code.as_str())
            .collect();
        // July to October; November is due this month; January and February were before reporting
        // began; December, the current month, is not in the table.
        assert_eq!(flagged, ["2026-10", "2026-09", "2026-08", "2026-07"]);
        assert_eq!(s.unreported_past_due, 4);
    }
}

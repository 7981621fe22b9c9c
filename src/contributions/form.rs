//! The contribution form as sent (one month of one employer), and its conversion into
//! `ContributionFields`.

use serde::Deserialize;

use super::domain::{
    ContributionFields, Period, check_payment, check_period, check_workers, money_input,
    parse_money,
};
use super::repo::PeriodRow;
use crate::web::forms::{FieldErrors, Submitted, optional_count, optional_date};
use crate::web::i18n::Lang;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ContributionForm {
    /// `YYYY-MM`.
    pub period: String,
    pub workers_reported: String,
    pub wages_reported: String,
    pub amount_due: String,
    pub amount_paid: String,
    pub paid_on: String,
    /// 0 for a month not entered yet; the stored version for a correction.
    pub version: i32,
}

/// A valid form: the month and what was entered for it.
#[derive(Debug)]
pub struct Entered {
    pub period: Period,
    pub fields: ContributionFields,
}

impl TryFrom<Submitted<'_, ContributionForm>> for Entered {
    type Error = FieldErrors;

    fn try_from(s: Submitted<'_, ContributionForm>) -> Result<Self, FieldErrors> {
        let f = s.form;
        let today = s.today();
        let mut errors = FieldErrors::default();
        let period = errors.check(
            "period",
            Period::parse(&f.period).and_then(|p| check_period(p, today)),
        );
        let workers = errors.check(
            "workers_reported",
            optional_count(&f.workers_reported)
                .and_then(|n| n.ok_or("error.required"))
                .and_then(check_workers),
        );
        let wages = errors.check("wages_reported", parse_money(&f.wages_reported));
        let due = errors.check("amount_due", parse_money(&f.amount_due));
        let paid = errors.check(
            "amount_paid",
            if f.amount_paid.trim().is_empty() {
                Ok(rust_decimal::Decimal::ZERO)
            } else {
                parse_money(&f.amount_paid)
            },
        );
        let paid_on = errors.check("paid_on", optional_date(&f.paid_on));
        // Cross-field rules, once each part parsed; with no valid month only the payment's own.
        if let (Some(paid), Some(paid_on)) = (paid, paid_on) {
            let month = period.unwrap_or(Period::EARLIEST);
            if let Err(key) = check_payment(month, paid, paid_on, today) {
                errors.add("paid_on", key);
            }
        }
        errors.finish(|| {
            Some(Entered {
                period: period?,
                fields: ContributionFields {
                    workers_reported: workers?,
                    wages_reported: wages?,
                    amount_due: due?,
                    amount_paid: paid?,
                    paid_on: paid_on?,
                },
            })
        })
    }
}

impl ContributionForm {
    /// A stored month as the correction form shows it, amounts grouped in the reader's way.
    pub fn of(r: &PeriodRow, lang: Lang) -> Self {
        ContributionForm {
            period: r.period.code(),
            workers_reported: r.fields.workers_reported.to_string(),
            wages_reported: money_input(r.fields.wages_reported, lang),
            amount_due: money_input(r.fields.amount_due, lang),
            amount_paid: money_input(r.fields.amount_paid, lang),
            paid_on: r.fields.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            version: r.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn submit(form: &ContributionForm) -> Result<Entered, FieldErrors> {
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
        Entered::try_from(Submitted {
            form,
            now,
            tz: chrono_tz::Asia::Jakarta,
        })
    }

    #[test]
    fn a_month_needs_its_figures() {
        let errors = submit(&ContributionForm::default()).unwrap_err();
        assert_eq!(errors.get("period"), Some("contribution.period_invalid"));
        assert_eq!(errors.get("workers_reported"), Some("error.required"));
        assert_eq!(
            errors.get("amount_due"),
            Some("contribution.amount_required")
        );
        assert_eq!(errors.get("amount_paid"), None);
    }

    #[test]
    fn payments_need_a_date_and_a_date_needs_a_payment() {
        let form = ContributionForm {
            period: "2026-10".into(),
            workers_reported: "1.250".into(),
            wages_reported: "Rp 6.250.000.000".into(),
            amount_due: "1.187.500.000".into(),
            amount_paid: "1.000.000.000,50".into(),
            ..Default::default()
        };
        assert_eq!(
            submit(&form).unwrap_err().get("paid_on"),
            Some("contribution.paid_on_required")
        );
        let ok = submit(&ContributionForm {
            paid_on: "2026-11-20".into(),
            ..form.clone()
        })
        .unwrap();
        assert_eq!(ok.fields.workers_reported, 1250);
        assert_eq!(ok.fields.amount_paid.to_string(), "1000000000.50");
        assert_eq!(ok.period.code(), "2026-10");
        let unpaid = ContributionForm {
            amount_paid: "0".into(),
            paid_on: "2026-11-20".into(),
            ..form.clone()
        };
        assert_eq!(
            submit(&unpaid).unwrap_err().get("paid_on"),
            Some("contribution.paid_on_without_payment")
        );
        let future = ContributionForm {
            paid_on: "2026-12-02".into(),
            ..form.clone()
        };
        assert_eq!(
            submit(&future).unwrap_err().get("paid_on"),
            Some("contribution.paid_on_future")
        );
        let early = ContributionForm {
            paid_on: "2026-09-30".into(),
            ..form.clone()
        };
        assert_eq!(
            submit(&early).unwrap_err().get("paid_on"),
            Some("contribution.paid_on_before_period")
        );
        let ahead = ContributionForm {
            period: "2027-01".into(),
            ..form
        };
        assert_eq!(
            submit(&ahead).unwrap_err().get("period"),
            Some("contribution.period_future")
        );
    }
}

//! A letter as lists show it — the pipeline, the approval queue, the chain, the employer page and
//! "My month" — and durations as people read them.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::domain::{State, fill, overdue};
use super::repo::LetterRow;
use super::repo::list::ListRow;
use crate::contributions::domain::money_text;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;

pub struct LetterItem {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub kind: &'static str,
    pub reason: &'static str,
    pub state: State,
    pub state_label: &'static str,
    pub number: String,
    pub drafted_by: Uuid,
    pub drafter: String,
    pub created: String,
    /// How long it has been in its state, e.g. "3 days".
    pub waiting: String,
    pub response_due: String,
    pub overdue: bool,
}

impl LetterItem {
    pub fn all(l: &Layout, rows: &[ListRow], now: DateTime<Utc>, today: NaiveDate) -> Vec<Self> {
        rows.iter()
            .map(|r| LetterItem {
                id: r.id,
                employer_id: r.employer_id,
                employer_name: r.employer_name.clone(),
                kind: l.t(r.kind.label_key()),
                reason: l.t(r.reason.label_key()),
                state: r.state,
                state_label: l.t(r.state.label_key()),
                number: r.number.clone().unwrap_or_default(),
                drafted_by: r.drafted_by,
                drafter: r.drafter_name.clone(),
                created: l.day_of(&r.created_at),
                waiting: duration(l, (now - r.state_since).num_seconds()),
                response_due: r.response_due_on.map(|d| l.date(&d)).unwrap_or_default(),
                overdue: overdue(r.state, r.response_due_on, today),
            })
            .collect()
    }
}

/// A duration in whole days, or hours under a day, or minutes under an hour.
pub fn duration(l: &Layout, secs: i64) -> String {
    let secs = secs.max(0);
    let (n, one, many) = if secs >= 86_400 {
        (secs / 86_400, "letter.day", "letter.days")
    } else if secs >= 3_600 {
        (secs / 3_600, "letter.hour", "letter.hours")
    } else {
        (secs / 60, "letter.minute", "letter.minutes")
    };
    let key = if n == 1 { one } else { many };
    l.tf(key, &[("n", &l.integer(n))])
}

/// Days with one decimal, as the cycle-time table shows them.
pub fn days(l: &Layout, d: f64) -> String {
    let tenths = (d * 10.0).round() as i64;
    let text = format!("{}.{}", tenths / 10, tenths % 10);
    if l.lang == Lang::Id {
        text.replace('.', ",")
    } else {
        text
    }
}

/// A letter's text in one language, as its page and its print view show it.
pub struct Written {
    pub lang: Lang,
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub arrears: Vec<ArrearsText>,
    pub arrears_total: String,
    /// Labels in this language (a bilingual letter prints both side by side).
    pub labels: Labels,
}

pub struct ArrearsText {
    pub period: String,
    pub due_on: String,
    pub amount_due: String,
    pub amount_paid: String,
    pub arrears: String,
}

pub struct Labels {
    pub number: &'static str,
    pub date: &'static str,
    pub subject: &'static str,
    pub period: &'static str,
    pub due_on: &'static str,
    pub amount_due: &'static str,
    pub amount_paid: &'static str,
    pub arrears: &'static str,
    pub total: &'static str,
    pub response_due: &'static str,
}

impl Written {
    /// The letter in each of its languages, Indonesian first. The response date and the number are
    /// filled here: they are known only once the letter is approved and sent.
    pub fn all(r: &LetterRow) -> Vec<Written> {
        let mut out = Vec::new();
        for lang in [Lang::Id, Lang::En] {
            let wanted = match lang {
                Lang::Id => r.content.language.has_indonesian(),
                Lang::En => r.content.language.has_english(),
            };
            if !wanted {
                continue;
            }
            let (subject, body) = match lang {
                Lang::Id => (&r.content.subject_id, &r.content.body_id),
                Lang::En => (&r.content.subject_en, &r.content.body_en),
            };
            let due = match r.response_due_on {
                Some(d) => lang.long_date(d),
                None => lang.t("letter.due_when_sent").to_owned(),
            };
            let number = r
                .number
                .clone()
                .unwrap_or_else(|| lang.t("letter.number_when_approved").to_owned());
            let values = [("response_due", due.as_str()), ("number", number.as_str())];
            let body = fill(body, &values);
            out.push(Written {
                lang,
                subject: fill(subject, &values),
                paragraphs: body
                    .split("\n\n")
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
                arrears: r
                    .arrears
                    .iter()
                    .map(|a| ArrearsText {
                        period: lang.month_year(a.period),
                        due_on: lang.date(a.due_on),
                        amount_due: money_text(a.amount_due, lang),
                        amount_paid: money_text(a.amount_paid, lang),
                        arrears: money_text(a.arrears, lang),
                    })
                    .collect(),
                arrears_total: money_text(r.arrears_total, lang),
                labels: Labels {
                    number: lang.t("letter.number"),
                    date: lang.t("letter.date"),
                    subject: lang.t("letter.subject"),
                    period: lang.t("contribution.period"),
                    due_on: lang.t("contribution.due_on"),
                    amount_due: lang.t("contribution.amount_due"),
                    amount_paid: lang.t("contribution.amount_paid"),
                    arrears: lang.t("contribution.arrears"),
                    total: lang.t("letter.arrears_total"),
                    response_due: lang.t("letter.response_due"),
                },
            });
        }
        out
    }
}

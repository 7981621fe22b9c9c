//! Letter operations: drafting (the wording filled from the tenant's template, the arrears kept as they
//! are today), editing a draft, and every step of the workflow — each under the letter's row lock, with
//! its own history row and audit event, one way.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{
    ArrearsLine, Content, DEFAULT_NUMBER_FORMAT, Kind, KindSettings, Language, NumberFormat,
    NumberValues, Reason, State, Step, fill,
};
use super::policy;
use super::repo::{self, LetterRow, NewLetter, Written};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::contributions::domain::money_text;
use crate::employers::domain::npp_text;
use crate::employers::repo::Employer;
use crate::error::{AppError, AppResult};
use crate::tenancy::domain::Who;
use crate::web::i18n::Lang;
use crate::working_days;

/// The tenant's letter settings, with the built-in defaults where an admin changed nothing.
#[derive(Clone, Debug)]
pub struct Settings {
    pub format: NumberFormat,
    pub kinds: Vec<(Kind, KindSettings)>,
    pub version: i32,
}

impl Settings {
    pub fn kind(&self, kind: Kind) -> KindSettings {
        self.kinds
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| kind.defaults())
    }

    /// The kinds as stored: a JSON object by kind code.
    pub fn kinds_json(kinds: &[(Kind, KindSettings)]) -> serde_json::Value {
        serde_json::Value::Object(
            kinds
                .iter()
                .map(|(k, s)| {
                    (
                        k.as_str().to_owned(),
                        serde_json::to_value(s).unwrap_or_default(),
                    )
                })
                .collect(),
        )
    }
}

pub async fn settings(conn: &mut PgConnection) -> AppResult<Settings> {
    let stored = repo::settings::settings(conn).await?;
    let (format, kinds_json, version) = match stored {
        Some(s) => (s.number_format, s.kinds, s.version),
        None => (DEFAULT_NUMBER_FORMAT.to_owned(), serde_json::Value::Null, 0),
    };
    let kinds = Kind::ALL
        .iter()
        .map(|k| {
            let s = kinds_json
                .get(k.as_str())
                .and_then(|v| serde_json::from_value::<KindSettings>(v.clone()).ok())
                .unwrap_or_else(|| k.defaults());
            (*k, s)
        })
        .collect();
    Ok(Settings {
        // The stored format was checked when it was saved; a default stands in should it not parse.
        format: NumberFormat::parse(&format).unwrap_or_default(),
        kinds,
        version,
    })
}

/// What the drafter chooses.
pub struct DraftInput {
    pub kind: Kind,
    pub reason: Reason,
    pub language: Language,
    /// A supervisor's reason to send a second warning without a sent first one; empty otherwise.
    pub override_note: String,
}

/// Whether a letter of `kind` for `reason` needs a supervisor's override: a second warning with no
/// first warning sent for the same employer and reason.
pub async fn needs_override(
    conn: &mut PgConnection,
    employer: Uuid,
    kind: Kind,
    reason: Reason,
) -> AppResult<bool> {
    Ok(kind == Kind::Warning2 && !repo::has_sent_warning_1(conn, employer, reason).await?)
}

/// The language a new letter to this employer starts in: both for a foreign-owned employer.
pub fn default_language(e: &Employer) -> Language {
    if e.fields.ownership == crate::employers::domain::Ownership::Foreign {
        Language::Both
    } else {
        Language::Indonesian
    }
}

/// The arrears a letter states: the unpaid past-due months as of `today`.
async fn arrears_now(
    conn: &mut PgConnection,
    employer: Uuid,
    today: NaiveDate,
) -> AppResult<(Vec<ArrearsLine>, Decimal)> {
    let lines: Vec<ArrearsLine> = crate::contributions::repo::unpaid(conn, employer, today)
        .await?
        .into_iter()
        .map(|u| ArrearsLine {
            period: u.period,
            due_on: u.due_on,
            amount_due: u.amount_due,
            amount_paid: u.amount_paid,
            arrears: u.amount_due - u.amount_paid,
        })
        .collect();
    let total = lines.iter().map(|l| l.arrears).sum();
    Ok((lines, total))
}

/// The wording of a new letter in both languages: the kind's template filled with the employer, the
/// reason, the legal basis, the arrears and the earlier letter. The response date is filled when the
/// letter is shown, since it is known only once the letter is sent.
fn wording(
    s: &KindSettings,
    e: &Employer,
    reason: Reason,
    language: Language,
    lines: &[ArrearsLine],
    total: Decimal,
    previous_number: &str,
) -> Content {
    let npp = npp_text(e.fields.npp.as_deref(), &e.fields.division_code);
    let address = [e.fields.address.as_str(), e.fields.city.as_str()]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let in_lang = |lang: Lang| {
        let months = lines.len().to_string();
        let total_text = money_text(total, lang);
        let sentence = if lines.is_empty() {
            String::new()
        } else {
            lang.tf(
                "letter.arrears_sentence",
                &[("total", &total_text), ("months", &months)],
            )
        };
        let (previous, following) = if previous_number.is_empty() {
            (lang.t("letter.previous_none").to_owned(), String::new())
        } else {
            (
                previous_number.to_owned(),
                lang.tf("letter.following", &[("number", previous_number)]) + " ",
            )
        };
        let values: [(&str, &str); 11] = [
            ("following", &following),
            ("employer_name", &e.fields.name),
            ("npp", if npp.is_empty() { "—" } else { &npp }),
            ("address", &address),
            ("legal_basis", &s.legal_basis),
            ("reason", lang.t(reason.label_key())),
            ("arrears_total", &total_text),
            ("months_in_arrears", &months),
            (
                if lang == Lang::Id {
                    "arrears_sentence_id"
                } else {
                    "arrears_sentence_en"
                },
                &sentence,
            ),
            ("response_days", &s.response_days.to_string()),
            ("previous_letter", &previous),
        ];
        let body = if lang == Lang::Id {
            &s.body_id
        } else {
            &s.body_en
        };
        let subject = if lang == Lang::Id {
            &s.subject_id
        } else {
            &s.subject_en
        };
        (fill(subject, &values), fill(body, &values))
    };
    // Both languages whatever the letter's: a drafter who switches it to bilingual or English
    // finds the other side worded from the template rather than empty.
    let (subject_id, body_id) = in_lang(Lang::Id);
    let (subject_en, body_en) = in_lang(Lang::En);
    Content {
        language,
        subject_id,
        subject_en,
        body_id,
        body_en,
        legal_basis: s.legal_basis.clone(),
    }
}

/// What the history records of a new letter.
#[derive(Serialize)]
struct Drafted<'a> {
    kind: &'a str,
    reason: &'a str,
    language: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    override_note: &'a str,
}

/// Drafts a letter to `e` (escalating `previous` when given). The caller has checked that `who` may
/// draft for the employer; the second-warning rule is checked here.
#[allow(clippy::too_many_arguments)]
pub async fn draft(
    conn: &mut PgConnection,
    actor: &Actor,
    who: Who,
    e: &Employer,
    input: &DraftInput,
    previous: Option<&LetterRow>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let needs = previous.is_none_or(|p| p.kind != Kind::Warning1)
        && needs_override(&mut *conn, e.id, input.kind, input.reason).await?;
    let override_note = input.override_note.trim();
    if needs && (override_note.is_empty() || !policy::may_override(who)) {
        return Err(AppError::Conflict("letter.needs_warning_1"));
    }
    let override_note = if needs { override_note } else { "" };
    let settings = settings(&mut *conn).await?;
    let s = settings.kind(input.kind);
    let (lines, total) = arrears_now(&mut *conn, e.id, today).await?;
    let previous_number = previous.and_then(|p| p.number.clone()).unwrap_or_default();
    let content = wording(
        &s,
        e,
        input.reason,
        input.language,
        &lines,
        total,
        &previous_number,
    )
    .without_oversized_unused_side();
    if !content.fits() {
        return Err(AppError::Conflict("letter.wording_too_long"));
    }
    let id = Uuid::new_v4();
    let inserted = repo::insert(
        &mut *conn,
        &NewLetter {
            id,
            employer_id: e.id,
            kind: input.kind,
            reason: input.reason,
            content: &content,
            arrears: &lines,
            arrears_total: total,
            response_days: s.response_days,
            previous_id: previous.map(|p| p.id),
            override_note,
            override_by: (!override_note.is_empty()).then_some(who.user.0),
            drafted_by: who.user.0,
        },
        now,
    )
    .await?;
    if !inserted {
        return Err(AppError::Conflict("letter.already_escalated"));
    }
    repo::insert_event(
        &mut *conn,
        id,
        None,
        State::Draft,
        who.user.0,
        override_note,
        now,
    )
    .await?;
    audit::repo::record(
        conn,
        now,
        actor,
        Event::new(Action::LetterDrafted, Entity::Letter, Some(id))
            .with(Changes::created_with(&Drafted {
                kind: input.kind.as_str(),
                reason: input.reason.as_str(),
                language: input.language.as_str(),
                override_note,
            }))
            .of_employer(e.id),
    )
    .await?;
    Ok(id)
}

/// Saves the wording of a draft edited on `version`; 409 when it changed or left draft meanwhile.
pub async fn edit(
    conn: &mut PgConnection,
    actor: &Actor,
    old: &LetterRow,
    content: &Content,
    version: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if old.state != State::Draft {
        return Err(AppError::Conflict("letter.not_a_draft"));
    }
    if !repo::update_content(&mut *conn, old.id, content, version, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    audit::repo::record(
        conn,
        now,
        actor,
        Event::new(Action::LetterEdited, Entity::Letter, Some(old.id))
            .with(Changes::between(&old.content, content))
            .of_employer(old.employer_id),
    )
    .await?;
    Ok(())
}

/// What a step brings besides itself.
#[derive(Default)]
pub struct StepInput {
    pub version: i32,
    pub note: String,
    /// The day the letter went out (send) or its receipt was confirmed (acknowledge); today if none.
    pub on: Option<NaiveDate>,
    /// A supervisor's reason to approve a second warning without a sent first one.
    pub override_note: String,
}

/// The step's audit action.
fn action(step: Step) -> Action {
    match step {
        Step::Submit => Action::LetterSubmitted,
        Step::Return => Action::LetterReturned,
        Step::Revise => Action::LetterRevised,
        Step::Approve => Action::LetterApproved,
        Step::Send => Action::LetterSent,
        Step::Acknowledge => Action::LetterAcknowledged,
        Step::Resolve => Action::LetterResolved,
        Step::Escalate => Action::LetterEscalated,
        Step::Cancel => Action::LetterCancelled,
    }
}

/// What the history records of a step.
#[derive(Serialize)]
struct Stepped<'a> {
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_due_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledged_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "str::is_empty")]
    note: &'a str,
}

/// Takes `step` on letter `id` as `who`. The letter's row is locked first, so of two people acting at
/// once the second sees the first's result: a step that no longer applies is a 409, and nothing of it
/// is written. Returns the letter to show next (the new draft, for an escalation).
#[allow(clippy::too_many_arguments)]
pub async fn take(
    conn: &mut PgConnection,
    actor: &Actor,
    who: Who,
    id: Uuid,
    step: Step,
    input: &StepInput,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let today = now.with_timezone(&tz).date_naive();
    let l = repo::find(&mut *conn, id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    if !policy::may_take(who, step, l.state, l.drafted_by, l.employer_rm) {
        return Err(AppError::Forbidden);
    }
    let to = step.from(l.state).map_err(AppError::Conflict)?;
    if l.version != input.version {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let note = input.note.trim();
    if step.needs_note() && note.is_empty() {
        return Err(AppError::BadRequest("letter.note_required"));
    }
    let mut w = Written::default();
    let mut next = l.id;
    match step {
        Step::Approve => {
            if l.kind == Kind::Warning2 && l.override_note.is_empty() {
                // A second warning escalated from a first one has its prerequisite by construction.
                let needs = l.previous_id.is_none()
                    && needs_override(&mut *conn, l.employer_id, l.kind, l.reason).await?;
                let reason = input.override_note.trim();
                if needs {
                    if reason.is_empty() {
                        return Err(AppError::Conflict("letter.needs_warning_1"));
                    }
                    w.override_note = Some((reason.to_owned(), who.user.0));
                }
            }
            let settings = settings(&mut *conn).await?;
            let year = today.year() as i16;
            let seq = repo::next_seq(&mut *conn, l.kind, year).await?;
            let branch = match &l.branch_code {
                Some(code) => code.clone(),
                None => repo::tenant_code(&mut *conn).await?,
            };
            let number = settings.format.render(&NumberValues {
                seq,
                kind_code: &settings.kind(l.kind).code,
                branch_code: &branch,
                on: today,
            });
            w.approved_by = Some(who.user.0);
            w.number = Some((number, year, seq));
        }
        Step::Send => {
            // Not before the day it was approved (the state it is leaving).
            let approved_on = l.state_since.with_timezone(&tz).date_naive();
            let sent_on = checked_day(input.on, today, Some(approved_on))?;
            let calendar =
                working_days::repo::load(&mut *conn, sent_on, sent_on + Days::new(200)).await?;
            w.sent_on = Some(sent_on);
            w.response_due_on = Some(calendar.add(sent_on, l.response_days as u32));
        }
        Step::Acknowledge => {
            w.acknowledged_on = Some(checked_day(input.on, today, l.sent_on)?);
        }
        Step::Escalate if l.kind.next().is_none() => {
            return Err(AppError::Conflict("letter.no_next_kind"));
        }
        _ => {}
    }
    if !repo::transition(&mut *conn, l.id, (l.state, l.version), to, &w, now).await? {
        return Err(AppError::Conflict("error.stale_edit"));
    }
    let event_note = match &w.override_note {
        Some((reason, _)) if note.is_empty() => reason.as_str(),
        _ => note,
    };
    repo::insert_event(
        &mut *conn,
        l.id,
        Some(l.state),
        to,
        who.user.0,
        event_note,
        now,
    )
    .await?;
    let old = Stepped {
        state: l.state.as_str(),
        number: None,
        sent_on: None,
        response_due_on: None,
        acknowledged_on: None,
        note: "",
    };
    let new = Stepped {
        state: to.as_str(),
        number: w.number.as_ref().map(|(n, _, _)| n.as_str()),
        sent_on: w.sent_on,
        response_due_on: w.response_due_on,
        acknowledged_on: w.acknowledged_on,
        note: event_note,
    };
    audit::repo::record(
        &mut *conn,
        now,
        actor,
        Event::new(action(step), Entity::Letter, Some(l.id))
            .with(Changes::between(&old, &new))
            .of_employer(l.employer_id),
    )
    .await?;
    if step == Step::Escalate {
        let kind = l
            .kind
            .next()
            .ok_or(AppError::Conflict("letter.no_next_kind"))?;
        let e = crate::employers::repo::find(&mut *conn, l.employer_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut after = l.clone();
        after.state = to;
        next = draft(
            conn,
            actor,
            who,
            &e,
            &DraftInput {
                kind,
                reason: l.reason,
                language: l.content.language,
                override_note: String::new(),
            },
            Some(&after),
            today,
            now,
        )
        .await?;
    }
    Ok(next)
}

/// A day a letter went out or was received: not in the future, not before `after`.
fn checked_day(
    on: Option<NaiveDate>,
    today: NaiveDate,
    after: Option<NaiveDate>,
) -> AppResult<NaiveDate> {
    let d = on.unwrap_or(today);
    if d > today {
        return Err(AppError::BadRequest("letter.date_in_future"));
    }
    if after.is_some_and(|a| d < a) || today - d > chrono::Duration::days(366) {
        return Err(AppError::BadRequest("letter.date_invalid"));
    }
    Ok(d)
}

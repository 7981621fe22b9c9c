//! SQL for letters: one letter, its transitions, its history and its number. The lists of letters are
//! in `list`, the tenant's letter settings in `settings`.

pub mod list;
pub mod settings;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::domain::{ArrearsLine, Content, Kind, Language, Reason, State};

/// A letter as its page, its print view and its actions read it.
#[derive(Clone, Debug)]
pub struct LetterRow {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub employer_npp: Option<String>,
    pub employer_rm: Option<Uuid>,
    pub branch_code: Option<String>,
    pub kind: Kind,
    pub reason: Reason,
    pub state: State,
    pub content: Content,
    pub arrears: Vec<ArrearsLine>,
    pub arrears_total: Decimal,
    pub response_days: i16,
    pub previous_id: Option<Uuid>,
    pub override_note: String,
    pub drafted_by: Uuid,
    pub drafter_name: String,
    pub approved_by: Option<Uuid>,
    pub approver_name: Option<String>,
    pub number: Option<String>,
    pub sent_on: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub state_since: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// Reads one letter; `lock` takes its row lock for a transition, so two people acting at once are
/// served one after the other and the second sees the first's result.
pub async fn find(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> sqlx::Result<Option<LetterRow>> {
    if lock {
        let locked = sqlx::query_scalar!("select id from letters where id = $1 for update", id)
            .fetch_optional(&mut *conn)
            .await?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    let r = sqlx::query!(
        r#"select l.id, l.employer_id, e.name as employer_name, e.npp as employer_npp, e.rm_id as employer_rm,
                  b.code as "branch_code?", l.kind as "kind: Kind", l.reason as "reason: Reason",
                  l.state as "state: State", l.language as "language: Language", l.subject_id, l.subject_en,
                  l.body_id, l.body_en, l.legal_basis, l.arrears as "arrears: Json<Vec<ArrearsLine>>",
                  l.arrears_total, l.response_days, l.previous_id, l.override_note, l.drafted_by,
                  d.name as drafter_name, l.approved_by, a.name as "approver_name?", l.number, l.sent_on,
                  l.response_due_on, l.acknowledged_on, l.state_since, l.created_at, l.version
             from letters l
             join employers e on e.tenant_id = l.tenant_id and e.id = l.employer_id
             left join branch_offices b on b.tenant_id = e.tenant_id and b.id = e.branch_id
             join users d on d.id = l.drafted_by
             left join users a on a.id = l.approved_by
            where l.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(r.map(|r| LetterRow {
        id: r.id,
        employer_id: r.employer_id,
        employer_name: r.employer_name,
        employer_npp: r.employer_npp,
        employer_rm: r.employer_rm,
        branch_code: r.branch_code,
        kind: r.kind,
        reason: r.reason,
        state: r.state,
        content: Content {
            language: r.language,
            subject_id: r.subject_id,
            subject_en: r.subject_en,
            body_id: r.body_id,
            body_en: r.body_en,
            legal_basis: r.legal_basis,
        },
        arrears: r.arrears.0,
        arrears_total: r.arrears_total,
        response_days: r.response_days,
        previous_id: r.previous_id,
        override_note: r.override_note,
        drafted_by: r.drafted_by,
        drafter_name: r.drafter_name,
        approved_by: r.approved_by,
        approver_name: r.approver_name,
        number: r.number,
        sent_on: r.sent_on,
        response_due_on: r.response_due_on,
        acknowledged_on: r.acknowledged_on,
        state_since: r.state_since,
        created_at: r.created_at,
        version: r.version,
    }))
}

/// A new draft.
pub struct NewLetter<'a> {
    pub id: Uuid,
    pub employer_id: Uuid,
    pub kind: Kind,
    pub reason: Reason,
    pub content: &'a Content,
    pub arrears: &'a [ArrearsLine],
    pub arrears_total: Decimal,
    pub response_days: i16,
    pub previous_id: Option<Uuid>,
    pub override_note: &'a str,
    pub override_by: Option<Uuid>,
    pub drafted_by: Uuid,
}

/// Inserts a draft; false when the earlier letter already has a later one (two escalations at once).
pub async fn insert(
    conn: &mut PgConnection,
    l: &NewLetter<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into letters (tenant_id, id, employer_id, kind, reason, state, language, subject_id, subject_en,
                body_id, body_en, legal_basis, arrears, arrears_total, response_days, previous_id, override_note,
                override_by, drafted_by, state_since, created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 $16, $17, $18, $18, $18)
         on conflict (tenant_id, previous_id) do nothing",
        l.id,
        l.employer_id,
        l.kind.as_str(),
        l.reason.as_str(),
        l.content.language.as_str(),
        l.content.subject_id,
        l.content.subject_en,
        l.content.body_id,
        l.content.body_en,
        l.content.legal_basis,
        Json(l.arrears) as _,
        l.arrears_total,
        l.response_days,
        l.previous_id,
        l.override_note,
        l.override_by,
        l.drafted_by,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Saves the wording of a draft edited on `version`; false when it changed or left draft meanwhile.
pub async fn update_content(
    conn: &mut PgConnection,
    id: Uuid,
    c: &Content,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update letters set language = $2, subject_id = $3, subject_en = $4, body_id = $5, body_en = $6,
                legal_basis = $7, updated_at = $8, version = version + 1
          where id = $1 and version = $9 and state = 'draft'",
        id,
        c.language.as_str(),
        c.subject_id,
        c.subject_en,
        c.body_id,
        c.body_en,
        c.legal_basis,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a transition writes besides the state.
#[derive(Default)]
pub struct Written {
    pub approved_by: Option<Uuid>,
    pub number: Option<(String, i16, i32)>,
    pub sent_on: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub override_note: Option<(String, Uuid)>,
}

/// Moves a letter from `from` (as read at `version`) to `to`; false when it changed meanwhile.
pub async fn transition(
    conn: &mut PgConnection,
    id: Uuid,
    (from, version): (State, i32),
    to: State,
    w: &Written,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let (number, year, seq) = match &w.number {
        Some((n, y, s)) => (Some(n.as_str()), Some(*y), Some(*s)),
        None => (None, None, None),
    };
    let (note, by) = match &w.override_note {
        Some((n, b)) => (Some(n.as_str()), Some(*b)),
        None => (None, None),
    };
    let done = sqlx::query!(
        "update letters
            set state = $2, state_since = $3, updated_at = $3, version = version + 1,
                submitted_at = case when $2 = 'submitted' then $3 else submitted_at end,
                approved_at = case when $2 = 'approved' then $3 else approved_at end,
                sent_at = case when $2 = 'sent' then $3 else sent_at end,
                closed_at = case when $2 in ('resolved', 'escalated', 'cancelled') then $3 else closed_at end,
                approved_by = coalesce($4, approved_by),
                number = coalesce($5, number), number_year = coalesce($6, number_year),
                number_seq = coalesce($7, number_seq),
                sent_on = coalesce($8, sent_on), response_due_on = coalesce($9, response_due_on),
                acknowledged_on = coalesce($10, acknowledged_on),
                override_note = coalesce($11, override_note), override_by = coalesce($12, override_by)
          where id = $1 and state = $13 and version = $14",
        id,
        to.as_str(),
        now,
        w.approved_by,
        number,
        year,
        seq,
        w.sent_on,
        w.response_due_on,
        w.acknowledged_on,
        note,
        by,
        from.as_str(),
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a transition in the letter's own history.
pub async fn insert_event(
    conn: &mut PgConnection,
    letter: Uuid,
    from: Option<State>,
    to: State,
    actor: Uuid,
    note: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into letter_events (tenant_id, letter_id, at, from_state, to_state, actor_id, note)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6)",
        letter,
        at,
        from.map(State::as_str),
        to.as_str(),
        actor,
        note
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The next number of `kind` in `year`. The counter's row lock is held until the approving
/// transaction ends, so a second approval waits and takes the next number, and a rolled-back approval
/// leaves no gap.
pub async fn next_seq(conn: &mut PgConnection, kind: Kind, year: i16) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "insert into letter_counters (tenant_id, kind, year, last_seq) values (app_tenant_id(), $1, $2, 1)
         on conflict (tenant_id, kind, year) do update set last_seq = letter_counters.last_seq + 1
         returning last_seq",
        kind.as_str(),
        year
    )
    .fetch_one(conn)
    .await
}

/// Whether the employer has a first warning for `reason` that went out (sent, answered, resolved or
/// escalated), the condition for a second warning.
pub async fn has_sent_warning_1(
    conn: &mut PgConnection,
    employer: Uuid,
    reason: Reason,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from letters
                           where employer_id = $1 and reason = $2 and kind = 'warning_1'
                             and sent_at is not null and state <> 'cancelled') as "x!""#,
        employer,
        reason.as_str()
    )
    .fetch_one(conn)
    .await
}

/// One transition as the letter's history shows it, with how long the letter stayed in the state it
/// led to (until the next transition, or until now for the current one).
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub from_state: Option<State>,
    pub to_state: State,
    pub actor: String,
    pub note: String,
    pub stayed_secs: i64,
}

pub async fn events(
    conn: &mut PgConnection,
    letter: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as!(
        EventRow,
        r#"select ev.at, ev.from_state as "from_state: State", ev.to_state as "to_state: State",
                  u.name as actor, ev.note,
                  extract(epoch from coalesce(lead(ev.at) over w, case when ev.to_state in ('resolved', 'escalated', 'cancelled')
                                                                     then ev.at else $2 end) - ev.at)::bigint
                      as "stayed_secs!"
             from letter_events ev
             join users u on u.id = ev.actor_id
            where ev.letter_id = $1
           window w as (order by ev.at, ev.id)
            order by ev.at, ev.id"#,
        letter,
        now
    )
    .fetch_all(conn)
    .await
}

/// The tenant's slug, upper-cased, stands in for a branch code when the employer has no branch.
pub async fn tenant_code(conn: &mut PgConnection) -> sqlx::Result<String> {
    sqlx::query_scalar!("select upper(slug) as \"code!\" from tenants where id = app_tenant_id()")
        .fetch_one(conn)
        .await
}

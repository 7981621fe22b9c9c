//! SQL for employers: the record, its tags, reassignment, the meeting cadence marks and the
//! employer's history. The list and its exports are in `list`, the search's counts and corrections in
//! `search`.

pub mod list;
pub mod search;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{
    EmployerFields, InstitutionType, Ownership, Program, RiskBand, Scale, Segment, Stage, Status,
};
use crate::text_enum::codes;

/// One employer as the page and the edit form show it: what people edit, and what the code keeps.
pub struct Employer {
    pub id: Uuid,
    pub fields: EmployerFields,
    pub stage_entered_on: NaiveDate,
    /// Kept from the employer's meetings: the local date of the latest held regulation briefing.
    pub regulation_briefing_on: Option<NaiveDate>,
    /// Kept from the employer's meetings: the start of the latest held BOD-1 meeting.
    pub last_bod1_meeting_at: Option<DateTime<Utc>>,
    pub rm_name: Option<String>,
    pub branch_name: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Employer>> {
    let row = sqlx::query!(
        r#"select e.id, e.npp, e.division_code, e.npwp, e.nib, e.name, e.legal_name, e.short_name, e.address, e.city,
                  e.province, e.phone, e.website, e.segment as "segment: Segment",
                  e.institution_type as "institution_type: InstitutionType",
                  e.ownership as "ownership: Ownership", e.country, e.scale as "scale: Scale", e.industry,
                  e.risk_band as "risk_band: RiskBand", e.programs as "programs: Vec<Program>",
                  e.workers_reported, e.workforce_estimate, e.status as "status: Status",
                  e.stage as "stage: Stage", e.stage_entered_on, e.stage_reason, e.revisit_on,
                  e.regulation_briefing_on, e.last_bod1_meeting_at, e.rm_id, u.name as "rm_name?", e.branch_id,
                  b.name as "branch_name?", e.approach_notes,
                  array(select t.tag from employer_tags t where t.employer_id = e.id order by t.tag) as "tags!",
                  e.archived_at, e.created_at, e.updated_at, e.version
             from employers e
             left join users u on u.id = e.rm_id
             left join branch_offices b on b.id = e.branch_id
            where e.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Employer {
        id: r.id,
        fields: EmployerFields {
            npp: r.npp,
            division_code: r.division_code,
            npwp: r.npwp,
            nib: r.nib,
            name: r.name,
            legal_name: r.legal_name,
            short_name: r.short_name,
            address: r.address,
            city: r.city,
            province: r.province,
            phone: r.phone,
            website: r.website,
            segment: r.segment,
            institution_type: r.institution_type,
            ownership: r.ownership,
            country: r.country,
            scale: r.scale,
            industry: r.industry,
            risk_band: r.risk_band,
            programs: r.programs,
            workers_reported: r.workers_reported,
            workforce_estimate: r.workforce_estimate,
            status: r.status,
            stage: r.stage,
            stage_reason: r.stage_reason,
            revisit_on: r.revisit_on,
            rm_id: r.rm_id,
            branch_id: r.branch_id,
            approach_notes: r.approach_notes,
            tags: r.tags,
        },
        stage_entered_on: r.stage_entered_on,
        regulation_briefing_on: r.regulation_briefing_on,
        last_bod1_meeting_at: r.last_bod1_meeting_at,
        rm_name: r.rm_name,
        branch_name: r.branch_name,
        archived_at: r.archived_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    }))
}

/// The assigned RM of an employer, for the portfolio check before any write; `None` when the employer
/// does not exist in this tenant.
pub async fn owner_of(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Option<Uuid>>> {
    let row = sqlx::query_scalar!("select rm_id from employers where id = $1", id)
        .fetch_optional(conn)
        .await?;
    Ok(row)
}

pub enum SaveOutcome {
    Saved,
    Stale,
    NppTaken,
}

fn npp_clash(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.constraint() == Some("employers_npp_key"))
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    f: &EmployerFields,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<SaveOutcome> {
    let query = sqlx::query!(
        "insert into employers (tenant_id, id, npp, division_code, npwp, nib, name, legal_name, address,
                city, province, phone, website, segment, institution_type, ownership, country, scale,
                industry, risk_band, programs, workers_reported, workforce_estimate, status, stage,
                stage_entered_on, stage_reason, revisit_on, rm_id, branch_id, approach_notes,
                created_at, updated_at, short_name)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $31, $32)",
        id,
        f.npp,
        f.division_code,
        f.npwp,
        f.nib,
        f.name,
        f.legal_name,
        f.address,
        f.city,
        f.province,
        f.phone,
        f.website,
        f.segment.as_str(),
        f.institution_type.map(InstitutionType::as_str),
        f.ownership.as_str(),
        f.country,
        f.scale.map(Scale::as_str),
        f.industry,
        f.risk_band.map(RiskBand::as_str),
        &codes(&f.programs),
        f.workers_reported,
        f.workforce_estimate,
        f.status.as_str(),
        f.stage.as_str(),
        today,
        f.stage_reason,
        f.revisit_on,
        f.rm_id,
        f.branch_id,
        f.approach_notes,
        now,
        f.short_name,
    );
    match crate::db::execute_in_savepoint(&mut *conn, query).await? {
        Ok(_) => {}
        Err(e) if npp_clash(&e) => return Ok(SaveOutcome::NppTaken),
        Err(e) => return Err(e),
    }
    set_tags(conn, id, &f.tags).await?;
    Ok(SaveOutcome::Saved)
}

/// Saves an edit made on `version`. The stage's entry date moves only when the stage changes.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &EmployerFields,
    version: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<SaveOutcome> {
    let query = sqlx::query!(
        "update employers set npp = $2, division_code = $3, npwp = $4, nib = $5, name = $6,
                legal_name = $7, address = $8, city = $9, province = $10, phone = $11, website = $12,
                segment = $13, institution_type = $14, ownership = $15, country = $16, scale = $17,
                industry = $18, risk_band = $19, programs = $20, workers_reported = $21,
                workforce_estimate = $22, status = $23,
                stage_entered_on = case when stage = $24 then stage_entered_on else $25 end,
                stage = $24, stage_reason = $26, revisit_on = $27, rm_id = $28, branch_id = $29,
                approach_notes = $30, updated_at = $31, short_name = $33, version = version + 1
          where id = $1 and version = $32",
        id,
        f.npp,
        f.division_code,
        f.npwp,
        f.nib,
        f.name,
        f.legal_name,
        f.address,
        f.city,
        f.province,
        f.phone,
        f.website,
        f.segment.as_str(),
        f.institution_type.map(InstitutionType::as_str),
        f.ownership.as_str(),
        f.country,
        f.scale.map(Scale::as_str),
        f.industry,
        f.risk_band.map(RiskBand::as_str),
        &codes(&f.programs),
        f.workers_reported,
        f.workforce_estimate,
        f.status.as_str(),
        f.stage.as_str(),
        today,
        f.stage_reason,
        f.revisit_on,
        f.rm_id,
        f.branch_id,
        f.approach_notes,
        now,
        version,
        f.short_name,
    );
    match crate::db::execute_in_savepoint(&mut *conn, query).await? {
        Ok(d) if d.rows_affected() == 1 => {}
        Ok(_) => return Ok(SaveOutcome::Stale),
        Err(e) if npp_clash(&e) => return Ok(SaveOutcome::NppTaken),
        Err(e) => return Err(e),
    }
    set_tags(conn, id, &f.tags).await?;
    Ok(SaveOutcome::Saved)
}

/// Replaces the employer's tags with `tags` in two statements.
async fn set_tags(conn: &mut PgConnection, id: Uuid, tags: &[String]) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from employer_tags where employer_id = $1 and tag <> all($2)",
        id,
        tags
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into employer_tags (tenant_id, employer_id, tag)
         select app_tenant_id(), $1, t from unnest($2::text[]) as t
         on conflict do nothing",
        id,
        tags
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Archives (`Some`) or restores (`None`); false when stale.
pub async fn set_archived(
    conn: &mut PgConnection,
    id: Uuid,
    archived_at: Option<DateTime<Utc>>,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update employers set archived_at = $2, updated_at = $3, version = version + 1
          where id = $1 and version = $4",
        id,
        archived_at,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An employer `reassign` moved, with its previous assignment for the audit trail.
pub struct Reassigned {
    pub id: Uuid,
    pub old_rm: Option<Uuid>,
    pub old_branch: Option<Uuid>,
}

/// How many of `ids` are open (not archived) employers of the tenant, locked until the transaction
/// ends so that they stay open while it works on them; another tenant's ids count as none.
pub async fn count_open(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!"
             from (select 1 from employers where id = any($1) and archived_at is null for update) locked"#,
        ids
    )
    .fetch_one(conn)
    .await
}

/// Moves employers to another RM and/or branch in one statement; returns each moved employer with its
/// previous assignment. Employers already assigned so are left alone.
pub async fn reassign(
    conn: &mut PgConnection,
    ids: &[Uuid],
    rm: Option<Uuid>,
    branch: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Reassigned>> {
    sqlx::query_as!(
        Reassigned,
        r#"update employers e
              set rm_id = coalesce($2, e.rm_id), branch_id = coalesce($3, e.branch_id),
                  updated_at = $4, version = e.version + 1
             from employers old
            where e.id = any($1) and old.tenant_id = e.tenant_id and old.id = e.id
              and e.archived_at is null
              and (($2::uuid is not null and e.rm_id is distinct from $2)
                   or ($3::uuid is not null and e.branch_id is distinct from $3))
        returning e.id, old.rm_id as old_rm, old.branch_id as old_branch"#,
        ids,
        rm,
        branch,
        now
    )
    .fetch_all(conn)
    .await
}

/// How many open (unarchived) employers `rm` holds: the portfolio that moves when they are disabled.
pub async fn portfolio_size(conn: &mut PgConnection, rm: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from employers where rm_id = $1 and archived_at is null"#,
        rm
    )
    .fetch_one(conn)
    .await
}

/// Moves every open employer of `from` to `to`, or to nobody, in one statement; returns the moved
/// employers. An employer changed meanwhile is read again once its writer is done, and moves only if
/// it is still `from`'s. Archived employers keep their RM, as they keep the rest of their record.
pub async fn move_portfolio(
    conn: &mut PgConnection,
    from: Uuid,
    to: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "update employers set rm_id = $2, updated_at = $3, version = version + 1
          where rm_id = $1 and archived_at is null
         returning id",
        from,
        to,
        now
    )
    .fetch_all(conn)
    .await
}

/// One event of an employer's history: its own changes, its key persons' and its links'.
pub struct HistoryRow {
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub changes: Value,
}

pub async fn history(
    conn: &mut PgConnection,
    employer: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as!(
        HistoryRow,
        r#"select a.occurred_at, coalesce(u.name, nullif(a.actor_label, ''), '—') as "actor!",
                  a.action, a.entity_type, a.changes
             from audit_events a
             left join users u on u.id = a.actor_id
            where a.employer_id = $1 or a.related_employer_id = $1
            order by a.occurred_at desc, a.id desc
            limit $2"#,
        employer,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Locks the row of an open (not archived) employer for the rest of the transaction and returns its
/// RM, or `None` when there is no such employer in the tenant. Two meetings saved at once for one
/// employer then recompute its cadence marks one after the other, each seeing the other's meeting.
pub async fn lock_open(
    conn: &mut PgConnection,
    employer: Uuid,
) -> sqlx::Result<Option<Option<Uuid>>> {
    sqlx::query_scalar!(
        "select rm_id from employers where id = $1 and archived_at is null for no key update",
        employer
    )
    .fetch_optional(conn)
    .await
}

/// The regulation-briefing date before and after a cadence refresh, for the employer's history.
pub struct Cadence {
    pub briefing_before: Option<NaiveDate>,
    pub briefing_after: Option<NaiveDate>,
}

/// Recomputes what the employer's meetings decide about it: the start of its latest held BOD-1
/// meeting, its next planned meeting, and the day of its latest held regulation-education meeting in
/// the tenant's zone `tz` (kept as it was when no such meeting remains, so a date recorded before
/// meetings were logged is not lost). Call it with the employer locked (`lock_open`).
pub async fn refresh_cadence(
    conn: &mut PgConnection,
    employer: Uuid,
    tz: &str,
) -> sqlx::Result<Cadence> {
    // The update is skipped when nothing changes (another meeting in a month already met, say): it
    // touches indexed columns, so every real update writes all of the employer's index entries.
    let row = sqlx::query!(
        r#"with fresh as (
             select (select max(starts_at) from meetings
                      where employer_id = $1 and status = 'held' and decision_level and archived_at is null) as last_bod1,
                    (select min(starts_at) from meetings
                      where employer_id = $1 and status = 'planned' and archived_at is null) as next_planned,
                    (select max((starts_at at time zone $2)::date) from meetings
                      where employer_id = $1 and status = 'held' and archived_at is null
                        and 'regulation_education' = any(topics)) as briefing),
           current as (
             select last_bod1_meeting_at, next_planned_meeting_at, regulation_briefing_on
               from employers where id = $1),
           changed as (
             update employers e
                set last_bod1_meeting_at = f.last_bod1, next_planned_meeting_at = f.next_planned,
                    regulation_briefing_on = coalesce(f.briefing, e.regulation_briefing_on)
               from fresh f
              where e.id = $1
                and (e.last_bod1_meeting_at, e.next_planned_meeting_at, e.regulation_briefing_on)
                    is distinct from (f.last_bod1, f.next_planned, coalesce(f.briefing, e.regulation_briefing_on))
          returning e.regulation_briefing_on)
           select c.regulation_briefing_on as briefing_before,
                  coalesce((select regulation_briefing_on from changed), c.regulation_briefing_on) as briefing_after
             from current c"#,
        employer,
        tz
    )
    .fetch_one(conn)
    .await?;
    Ok(Cadence {
        briefing_before: row.briefing_before,
        briefing_after: row.briefing_after,
    })
}

/// Brings one employer's arrears summary (what the list filters and sorts on) up to date as of
/// `today`. Derived figures: neither `updated_at` nor `version` moves, so an open edit form stays
/// valid.
pub async fn refresh_arrears_of(
    conn: &mut PgConnection,
    employer: Uuid,
    today: NaiveDate,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update employers e
              set arrears_total = s.total, arrears_months = s.months
             from (select coalesce(sum(amount_due - amount_paid), 0) as total,
                          count(*)::smallint as months
                     from contribution_periods
                    where employer_id = $1 and amount_paid < amount_due and due_on < $2) s
            where e.id = $1
              and (e.arrears_total, e.arrears_months) is distinct from (s.total, s.months)"#,
        employer,
        today
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The same for every employer of the tenant whose summary changed (periods that became past due,
/// a moved due date); returns how many changed. Set-based: reads only the unpaid periods.
pub async fn refresh_arrears_all(conn: &mut PgConnection, today: NaiveDate) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"with s as (
               select employer_id, sum(amount_due - amount_paid) as total, count(*)::smallint as months
                 from contribution_periods
                where amount_paid < amount_due and due_on < $1
                group by employer_id),
           t as (
               select e.id, coalesce(s.total, 0) as total, coalesce(s.months, 0::smallint) as months
                 from employers e
                 left join s on s.employer_id = e.id
                where e.arrears_total > 0 or s.employer_id is not null)
           update employers e
              set arrears_total = t.total, arrears_months = t.months
             from t
            where e.id = t.id
              and (e.arrears_total, e.arrears_months) is distinct from (t.total, t.months)"#,
        today
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

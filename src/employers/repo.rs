//! SQL for employers: the record, the filtered list, reassignment, tags and the employer's history.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

/// One employer as the page and the edit form show it.
pub struct Employer {
    pub id: Uuid,
    pub npp: Option<String>,
    pub division_code: String,
    pub npwp: Option<String>,
    pub nib: Option<String>,
    pub name: String,
    pub legal_name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub phone: Option<String>,
    pub website: String,
    pub segment: String,
    pub institution_type: Option<String>,
    pub ownership: String,
    pub country: Option<String>,
    pub scale: Option<String>,
    pub industry: String,
    pub risk_band: Option<String>,
    pub programs: Vec<String>,
    pub workers_reported: Option<i32>,
    pub workforce_estimate: Option<i32>,
    pub status: String,
    pub stage: String,
    pub stage_entered_on: NaiveDate,
    pub stage_reason: String,
    pub revisit_on: Option<NaiveDate>,
    pub regulation_briefing_on: Option<NaiveDate>,
    /// Kept by the meetings module: the start of the latest held BOD-1 meeting.
    pub last_bod1_meeting_at: Option<DateTime<Utc>>,
    pub rm_id: Option<Uuid>,
    pub rm_name: Option<String>,
    pub branch_id: Option<Uuid>,
    pub branch_name: Option<String>,
    pub approach_notes: String,
    pub tags: Vec<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// What a form sets. Stage bookkeeping (`stage_entered_on`) is the repo's job, not the form's.
pub struct EmployerFields {
    pub npp: Option<String>,
    pub division_code: String,
    pub npwp: Option<String>,
    pub nib: Option<String>,
    pub name: String,
    pub legal_name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub phone: Option<String>,
    pub website: String,
    pub segment: String,
    pub institution_type: Option<String>,
    pub ownership: String,
    pub country: Option<String>,
    pub scale: Option<String>,
    pub industry: String,
    pub risk_band: Option<String>,
    pub programs: Vec<String>,
    pub workers_reported: Option<i32>,
    pub workforce_estimate: Option<i32>,
    pub status: String,
    pub stage: String,
    pub stage_reason: String,
    pub revisit_on: Option<NaiveDate>,
    pub rm_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub approach_notes: String,
    pub tags: Vec<String>,
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Employer>> {
    sqlx::query_as!(
        Employer,
        r#"select e.id, e.npp, e.division_code, e.npwp, e.nib, e.name, e.legal_name, e.address, e.city,
                  e.province, e.phone, e.website, e.segment, e.institution_type, e.ownership, e.country,
                  e.scale, e.industry, e.risk_band, e.programs, e.workers_reported, e.workforce_estimate,
                  e.status, e.stage, e.stage_entered_on, e.stage_reason, e.revisit_on,
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
    .await
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
                created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $31)",
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
        f.segment,
        f.institution_type,
        f.ownership,
        f.country,
        f.scale,
        f.industry,
        f.risk_band,
        &f.programs,
        f.workers_reported,
        f.workforce_estimate,
        f.status,
        f.stage,
        today,
        f.stage_reason,
        f.revisit_on,
        f.rm_id,
        f.branch_id,
        f.approach_notes,
        now,
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
                approach_notes = $30, updated_at = $31, version = version + 1
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
        f.segment,
        f.institution_type,
        f.ownership,
        f.country,
        f.scale,
        f.industry,
        f.risk_band,
        &f.programs,
        f.workers_reported,
        f.workforce_estimate,
        f.status,
        f.stage,
        today,
        f.stage_reason,
        f.revisit_on,
        f.rm_id,
        f.branch_id,
        f.approach_notes,
        now,
        version,
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

/// People an employer can be assigned to: enabled RMs, supervisors and admins of the tenant.
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
    pub role: String,
}

pub async fn assignees(conn: &mut PgConnection) -> sqlx::Result<Vec<Assignee>> {
    sqlx::query_as!(
        Assignee,
        "select u.id, u.name, m.role from memberships m join users u on u.id = m.user_id
          where m.tenant_id = app_tenant_id() and m.disabled_at is null
            and m.role in ('rm', 'supervisor', 'admin')
          order by m.role <> 'rm', u.name"
    )
    .fetch_all(conn)
    .await
}

pub struct BranchChoice {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

pub async fn branch_choices(conn: &mut PgConnection) -> sqlx::Result<Vec<BranchChoice>> {
    sqlx::query_as!(
        BranchChoice,
        "select id, code, name from branch_offices where archived_at is null order by code"
    )
    .fetch_all(conn)
    .await
}

/// Filters of the employer list, already parsed into stored codes.
#[derive(Default, Clone)]
pub struct ListFilter {
    pub npp: Option<String>,
    pub npwp: Option<String>,
    /// Name words with the exclusive upper bound of each prefix range.
    pub words: Vec<(String, String)>,
    pub segment: Option<String>,
    pub institution_type: Option<String>,
    pub ownership: Option<String>,
    pub status: Option<String>,
    pub stage: Option<String>,
    pub branch_id: Option<Uuid>,
    pub rm_id: Option<Uuid>,
    pub tag: Option<String>,
    pub archived: bool,
    /// Only these employers (the rows a supervisor ticked).
    pub ids: Option<Vec<Uuid>>,
}

#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub enum Sort {
    #[default]
    Name,
    Npp,
    Rm,
    Updated,
}

impl Sort {
    pub fn parse(raw: &str) -> Sort {
        match raw {
            "npp" => Sort::Npp,
            "rm" => Sort::Rm,
            "updated" => Sort::Updated,
            _ => Sort::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Npp => "npp",
            Sort::Rm => "rm",
            Sort::Updated => "updated",
        }
    }

    /// Static SQL per sort; the id makes every order total, so pages never overlap.
    fn order_by(self) -> &'static str {
        match self {
            Sort::Name => " order by e.name, e.id",
            Sort::Npp => " order by e.npp nulls last, e.division_code, e.id",
            Sort::Rm => " order by u.name nulls last, e.name, e.id",
            Sort::Updated => " order by e.updated_at desc, e.id",
        }
    }
}

pub struct ListRow {
    pub id: Uuid,
    pub npp: Option<String>,
    pub division_code: String,
    pub name: String,
    pub city: String,
    pub segment: String,
    pub ownership: String,
    pub status: String,
    pub stage: String,
    pub rm_id: Option<Uuid>,
    pub rm_name: Option<String>,
    pub branch_code: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// Export rows carry more columns than the list shows.
pub struct ExportRow {
    pub row: ListRow,
    pub npwp: Option<String>,
    pub nib: Option<String>,
    pub institution_type: Option<String>,
    pub province: String,
    pub country: Option<String>,
    pub scale: Option<String>,
    pub industry: String,
    pub programs: Vec<String>,
    pub workers_reported: Option<i32>,
    pub branch_name: Option<String>,
    pub tags: Vec<String>,
}

/// Appends the filter's conditions. Each is a static fragment with bound values: the SQL text depends
/// only on which filters are set, never on what the user typed.
fn push_filters(q: &mut QueryBuilder<Postgres>, f: &ListFilter) {
    if f.archived {
        q.push(" where e.archived_at is not null");
    } else {
        q.push(" where e.archived_at is null");
    }
    if let Some(npp) = &f.npp {
        q.push(" and e.npp = ").push_bind(npp.clone());
    }
    if let Some(npwp) = &f.npwp {
        q.push(" and e.npwp = ").push_bind(npwp.clone());
    }
    if !f.words.is_empty() {
        // An array, not `in (…)`: PostgreSQL misjudges how few ids an intersection leaves and would
        // hash-join them against every employer of the tenant; with the ids in hand it looks up each.
        q.push(" and e.id = any(array(");
        push_word_matches(q, "employer_name_tokens", "employer_id", &f.words);
        q.push("))");
    }
    let eq = |q: &mut QueryBuilder<Postgres>, column: &str, value: &Option<String>| {
        if let Some(v) = value {
            q.push(format_args!(" and e.{column} = "))
                .push_bind(v.clone());
        }
    };
    eq(q, "segment", &f.segment);
    eq(q, "institution_type", &f.institution_type);
    eq(q, "ownership", &f.ownership);
    eq(q, "status", &f.status);
    eq(q, "stage", &f.stage);
    if let Some(b) = f.branch_id {
        q.push(" and e.branch_id = ").push_bind(b);
    }
    if let Some(rm) = f.rm_id {
        q.push(" and e.rm_id = ").push_bind(rm);
    }
    if let Some(tag) = &f.tag {
        q.push(
            " and exists (select 1 from employer_tags g where g.employer_id = e.id and g.tag = ",
        )
        .push_bind(tag.clone())
        .push(")");
    }
    if let Some(ids) = &f.ids {
        q.push(" and e.id = any(").push_bind(ids.clone()).push(")");
    }
}

/// Search plans depend on how common a word is, so each search is planned for its own values rather
/// than with a generic plan cached for the prepared statement.
async fn plan_for_these_values(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("select set_config('plan_cache_mode', 'force_custom_plan', true)")
        .execute(conn)
        .await?;
    Ok(())
}

/// One page of the list; asks for one row more than `limit` so the caller knows whether a next page
/// exists (a total count over 100,000 rows would cost more than the page itself).
const LIST_COLUMNS: &str =
    "e.id, e.npp, e.division_code, e.name, e.city, e.segment, e.ownership, e.status,
        e.stage, e.rm_id, u.name as rm_name, b.code as branch_code, e.updated_at, e.archived_at";

const LIST_JOINS: &str =
    " left join users u on u.id = e.rm_id left join branch_offices b on b.id = e.branch_id";

pub async fn list(
    conn: &mut PgConnection,
    f: &ListFilter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ListRow>> {
    let mut q = match (f.words.as_slice(), sort) {
        ([word], Sort::Name) => {
            plan_for_these_values(&mut *conn).await?;
            by_name_word(f, word, limit + 1, offset)
        }
        _ => {
            if !f.words.is_empty() {
                plan_for_these_values(&mut *conn).await?;
            }
            let mut q = QueryBuilder::new("select ");
            q.push(LIST_COLUMNS)
                .push(" from employers e")
                .push(LIST_JOINS);
            push_filters(&mut q, f);
            q.push(sort.order_by());
            q.push(" limit ").push_bind(limit + 1);
            q.push(" offset ").push_bind(offset);
            q
        }
    };
    let rows = q.build().fetch_all(conn).await?;
    rows.iter().map(list_row).collect()
}

/// The ids whose name has a word starting with every search word: one index range per word,
/// intersected. Each range is read once (index only), so two common words cost the sum of their
/// matches instead of a probe per candidate.
pub fn push_word_matches(
    q: &mut QueryBuilder<Postgres>,
    table: &'static str,
    id_column: &'static str,
    words: &[(String, String)],
) {
    for (i, (word, upper)) in words.iter().enumerate() {
        if i > 0 {
            q.push(" intersect ");
        }
        q.push(format_args!(
            "select w.{id_column} from {table} w where w.token >= "
        ))
        .push_bind(word.clone())
        .push(" and w.token < ")
        .push_bind(upper.clone());
    }
}

/// A one-word name search in name order. For each distinct token in the word's
/// prefix range (found with a loose index scan), the search index yields matching employers already in
/// name order, so each token contributes at most one page of rows and nothing is sorted but those:
/// a word shared by 12,500 employers costs about as much as a rare one. The filters are checked on
/// the way, per candidate.
fn by_name_word(
    f: &ListFilter,
    (word, upper): &(String, String),
    limit: i64,
    offset: i64,
) -> QueryBuilder<Postgres> {
    let mut q = QueryBuilder::new(
        "with recursive toks (token) as (
             select min(t.token) from employer_name_tokens t where t.token >= ",
    );
    q.push_bind(word.clone())
        .push(" and t.token < ")
        .push_bind(upper.clone())
        .push(
            " union all
             select (select min(t.token) from employer_name_tokens t where t.token > toks.token and t.token < ",
        )
        .push_bind(upper.clone())
        .push(
            ") from toks where toks.token is not null)
         select distinct on (m.name, m.id) m.* from toks cross join lateral (select ",
        )
        .push(LIST_COLUMNS)
        .push(" from employer_name_tokens tk join employers e on e.id = tk.employer_id")
        .push(LIST_JOINS);
    let rest = ListFilter {
        words: Vec::new(),
        ..f.clone()
    };
    push_filters(&mut q, &rest);
    q.push(" and tk.token = toks.token and tk.archived = ")
        .push_bind(f.archived)
        .push(" order by tk.name, tk.employer_id limit ")
        .push_bind(limit + offset)
        .push(") m order by m.name, m.id limit ")
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset);
    q
}

/// Every row of the filtered list, for CSV and XLSX. Capped, so an export cannot exhaust the server.
pub async fn export(
    conn: &mut PgConnection,
    f: &ListFilter,
    sort: Sort,
    cap: i64,
) -> sqlx::Result<Vec<ExportRow>> {
    if !f.words.is_empty() {
        plan_for_these_values(&mut *conn).await?;
    }
    let mut q = QueryBuilder::new(
        "select e.id, e.npp, e.division_code, e.name, e.city, e.segment, e.ownership, e.status, e.stage,
                e.rm_id, u.name as rm_name, b.code as branch_code, e.updated_at, e.archived_at,
                e.npwp, e.nib, e.institution_type, e.province, e.country, e.scale, e.industry, e.programs,
                e.workers_reported, b.name as branch_name,
                array(select g.tag from employer_tags g where g.employer_id = e.id order by g.tag) as tags
           from employers e
           left join users u on u.id = e.rm_id
           left join branch_offices b on b.id = e.branch_id",
    );
    push_filters(&mut q, f);
    q.push(sort.order_by());
    q.push(" limit ").push_bind(cap);
    let rows = q.build().fetch_all(conn).await?;
    use sqlx::Row;
    rows.iter()
        .map(|r| {
            Ok(ExportRow {
                row: list_row(r)?,
                npwp: r.try_get("npwp")?,
                nib: r.try_get("nib")?,
                institution_type: r.try_get("institution_type")?,
                province: r.try_get("province")?,
                country: r.try_get("country")?,
                scale: r.try_get("scale")?,
                industry: r.try_get("industry")?,
                programs: r.try_get("programs")?,
                workers_reported: r.try_get("workers_reported")?,
                branch_name: r.try_get("branch_name")?,
                tags: r.try_get("tags")?,
            })
        })
        .collect()
}

fn list_row(r: &sqlx::postgres::PgRow) -> sqlx::Result<ListRow> {
    use sqlx::Row;
    Ok(ListRow {
        id: r.try_get("id")?,
        npp: r.try_get("npp")?,
        division_code: r.try_get("division_code")?,
        name: r.try_get("name")?,
        city: r.try_get("city")?,
        segment: r.try_get("segment")?,
        ownership: r.try_get("ownership")?,
        status: r.try_get("status")?,
        stage: r.try_get("stage")?,
        rm_id: r.try_get("rm_id")?,
        rm_name: r.try_get("rm_name")?,
        branch_code: r.try_get("branch_code")?,
        updated_at: r.try_get("updated_at")?,
        archived_at: r.try_get("archived_at")?,
    })
}

/// Moves employers to another RM and/or branch in one statement; returns each moved employer with its
/// previous assignment for the audit trail.
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

/// Is this person an enabled member the tenant may assign employers to?
pub async fn is_assignable(conn: &mut PgConnection, user: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"select exists (select 1 from memberships where tenant_id = app_tenant_id() and user_id = $1
                  and disabled_at is null and role in ('rm', 'supervisor', 'admin')) as "found!""#,
        user
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

pub async fn branch_is_open(conn: &mut PgConnection, branch: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"select exists (select 1 from branch_offices where id = $1 and archived_at is null) as "found!""#,
        branch
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
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

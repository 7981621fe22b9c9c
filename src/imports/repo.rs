//! The imports tables: the upload and its file, the states it moves through, its problems; and the
//! tenant's references a file may name (read, never written, here).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::kind::ImportKind;
use super::validate::{Lookups, Problem};
use crate::auth::domain::UserId;

/// An upload whose file has not been read yet.
pub async fn create(
    conn: &mut PgConnection,
    id: Uuid,
    kind: ImportKind,
    file_name: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"insert into imports (tenant_id, id, kind, file_name, file_size, state, created_by, created_at,
                                updated_at)
           values (app_tenant_id(), $1, $2, $3, 0, 'mapping', $4, $5, $5)"#,
        id,
        kind.as_str(),
        file_name,
        by.map(|u| u.0),
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_chunk(
    conn: &mut PgConnection,
    id: Uuid,
    seq: i32,
    data: &[u8],
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into import_file_chunks (tenant_id, import_id, seq, data) values (app_tenant_id(), $1, $2, $3)",
        id,
        seq,
        data,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The uploaded file, put back together.
pub async fn file(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Vec<u8>> {
    let chunks = sqlx::query_scalar!(
        "select data from import_file_chunks where import_id = $1 order by seq",
        id
    )
    .fetch_all(conn)
    .await?;
    Ok(chunks.concat())
}

/// What reading the file found, for the mapping page.
pub struct ReadFile<'a> {
    pub file_size: i64,
    pub format: &'a str,
    pub sheet: &'a str,
    pub headers: Value,
    pub sheets: Value,
    pub preview: Value,
    pub row_count: i32,
    pub mapping: Value,
}

pub async fn set_read(conn: &mut PgConnection, id: Uuid, r: &ReadFile<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update imports set file_size = $2, format = $3, sheet = $4, headers = $5, sheets = $6,
                  preview = $7, row_count = $8, mapping = $9, state = 'mapping', refusal = '',
                  refusal_arg = '', version = version + 1
            where id = $1"#,
        id,
        r.file_size,
        r.format,
        r.sheet,
        r.headers,
        r.sheets,
        r.preview,
        r.row_count,
        r.mapping,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_refused(
    conn: &mut PgConnection,
    id: Uuid,
    file_size: i64,
    key: &str,
    arg: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update imports set file_size = $2, state = 'refused', refusal = $3, refusal_arg = $4,
                version = version + 1
          where id = $1",
        id,
        file_size,
        key,
        arg,
    )
    .execute(&mut *conn)
    .await?;
    drop_file(conn, id).await
}

/// Deletes the stored file of a refused or discarded import, and what was read from its cells (the
/// preview's rows, the problems' values): nothing reads them again. The counts stay for the history.
pub async fn drop_file(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("delete from import_file_chunks where import_id = $1", id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("delete from import_problems where import_id = $1", id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "update imports set preview = '[]', changes = '[]' where id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct ImportRow {
    pub id: Uuid,
    pub kind: ImportKind,
    pub file_name: String,
    pub file_size: i64,
    pub format: Option<String>,
    pub sheet: String,
    pub state: String,
    pub refusal: String,
    pub refusal_arg: String,
    pub headers: Value,
    pub sheets: Value,
    pub preview: Value,
    pub row_count: i32,
    pub mapping: Value,
    pub skip_invalid: bool,
    pub inserted: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub rejected: i32,
    pub problem_count: i32,
    pub blocked: bool,
    pub changes: Value,
    pub renamed: i32,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub validated_at: Option<DateTime<Utc>>,
    pub committed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<ImportRow>> {
    sqlx::query_as!(
        ImportRow,
        r#"select i.id, i.kind as "kind: ImportKind", i.file_name, i.file_size, i.format, i.sheet, i.state,
                  i.refusal, i.refusal_arg, i.headers, i.sheets, i.preview, i.row_count, i.mapping,
                  i.skip_invalid, i.inserted, i.updated, i.unchanged, i.rejected, i.problem_count, i.blocked,
                  i.changes, i.renamed, u.name as "created_by?", i.created_at, i.validated_at, i.committed_at,
                  i.updated_at, i.version
             from imports i left join users u on u.id = i.created_by
            where i.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Locks the import's row until the transaction ends (reading another sheet replaces what the
/// mapping form was drawn from).
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("select id from imports where id = $1 for update", id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// The import history, newest first; one row more than `limit` tells of a next page.
pub async fn list(
    conn: &mut PgConnection,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ImportRow>> {
    sqlx::query_as!(
        ImportRow,
        r#"select i.id, i.kind as "kind: ImportKind", i.file_name, i.file_size, i.format, i.sheet, i.state,
                  i.refusal, i.refusal_arg, '[]'::jsonb as "headers!", '[]'::jsonb as "sheets!",
                  '[]'::jsonb as "preview!", i.row_count, i.mapping, i.skip_invalid, i.inserted, i.updated,
                  i.unchanged, i.rejected, i.problem_count, i.blocked, '[]'::jsonb as "changes!",
                  i.renamed, u.name as "created_by?", i.created_at,
                  i.validated_at, i.committed_at, i.updated_at, i.version
             from imports i left join users u on u.id = i.created_by
            order by i.created_at desc, i.id
            limit $1 offset $2"#,
        limit + 1,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// Moves an import to `to` from one of `from`, at the version shown; false when it moved meanwhile.
pub async fn advance(
    conn: &mut PgConnection,
    id: Uuid,
    from: &[&str],
    to: &str,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let from: Vec<String> = from.iter().map(|s| (*s).to_owned()).collect();
    let done = sqlx::query!(
        r#"update imports set state = $4, updated_at = $5, version = version + 1
            where id = $1 and state = any($2) and version = $3"#,
        id,
        &from,
        version,
        to,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_mapping(
    conn: &mut PgConnection,
    id: Uuid,
    mapping: &Value,
    sheet: &str,
    skip_invalid: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update imports set mapping = $2, sheet = $3, skip_invalid = $4 where id = $1",
        id,
        mapping,
        sheet,
        skip_invalid,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_skip_invalid(conn: &mut PgConnection, id: Uuid, skip: bool) -> sqlx::Result<()> {
    sqlx::query!(
        "update imports set skip_invalid = $2 where id = $1",
        id,
        skip
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A validation's or a commit's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub inserted: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub rejected: i32,
    pub problem_count: i32,
    pub blocked: bool,
    /// Stored employers the run gives another name.
    pub renamed: i32,
}

/// Records a run's outcome: `validated` (a dry run, or a commit that was refused) or `committed`.
pub async fn record_outcome(
    conn: &mut PgConnection,
    id: Uuid,
    state: &str,
    o: &Outcome,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update imports set state = $2, inserted = $3, updated = $4, unchanged = $5, rejected = $6,
                  problem_count = $7, blocked = $8, renamed = $11, updated_at = $10, version = version + 1,
                  validated_at = case when $2 = 'validated' then $10 else validated_at end,
                  committed_at = case when $2 = 'committed' then $10 else committed_at end,
                  committed_by = case when $2 = 'committed' then $9 else committed_by end
            where id = $1"#,
        id,
        state,
        o.inserted,
        o.updated,
        o.unchanged,
        o.rejected,
        o.problem_count,
        o.blocked,
        by.map(|u| u.0),
        now,
        o.renamed,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Most changed fields of stored records a run keeps for its report.
pub const MAX_CHANGES_KEPT: i64 = 200;

/// The fields this run changed in records that were already stored, read from the audit events it
/// has written in this transaction (`at` is the run's time): the record as people name it, its kind,
/// the field, and the values before and after. A record is named as it was stored (an employer by its
/// NPP and former name). Employers given another name come first, each with its other changes, and
/// are counted: a wrong NPP in the file shows as a change of name. Then the rest, by NPP.
pub struct ChangesWritten {
    pub changes: Value,
    pub renamed: i64,
}

pub async fn changes_written(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
) -> sqlx::Result<ChangesWritten> {
    sqlx::query_as!(
        ChangesWritten,
        r#"with events as (
             select a.id, a.entity_type, a.entity_id, a.employer_id, a.changes,
                    coalesce(a.entity_type = 'employer' and a.changes -> 'name' -> 'old' <> 'null'::jsonb, false)
                        as renames
               from audit_events a
              where a.occurred_at = $1 and a.action like '%.imported'
                -- Records this run created have nothing to compare: a record it updated does, even
                -- where it fills a field that was empty. A created record carries the run's time.
                and not case a.entity_type
                      when 'employer' then exists (select from employers x
                                                    where x.id = a.entity_id and x.created_at = $1)
                      when 'key_person' then exists (select from key_persons x
                                                      where x.id = a.entity_id and x.created_at = $1)
                      when 'branch_office' then exists (select from branch_offices x
                                                         where x.id = a.entity_id and x.created_at = $1)
                      when 'supply_chain_link' then exists (select from supply_chain_links x
                                                             where x.id = a.entity_id and x.created_at = $1)
                      when 'contribution' then exists (
                        select from contribution_periods x
                         where x.employer_id = a.entity_id
                           and x.period = to_date(a.changes -> 'period' ->> 'new', 'YYYY-MM')
                           and x.created_at = $1)
                      -- A holiday's event holds the day as it was: nothing before means a new one.
                      else a.changes -> 'days' -> 'old' = 'null'::jsonb
                    end
           )
           select (select coalesce(jsonb_agg(c), '[]')
                     from (select case a.entity_type
                                    when 'key_person' then (select k.full_name from key_persons k where k.id = a.entity_id)
                                                           || ' — ' || e.name
                                    when 'contribution' then e.name || ' · ' || (a.changes -> 'period' ->> 'new')
                                    when 'branch_office' then (select b.code from branch_offices b where b.id = a.entity_id)
                                    else coalesce(e.npp || ' ', '')
                                         || coalesce(a.changes -> 'name' ->> 'old', e.name, '')
                                  end as record,
                                  a.entity_type as entity, f.key as field, f.value -> 'old' as before,
                                  f.value -> 'new' as after
                             from events a
                             left join employers e on e.id = a.employer_id
                             cross join lateral jsonb_each(a.changes) as f
                            -- A month of contributions is named by its record, not listed as a change.
                            where not (a.entity_type = 'contribution' and f.key = 'period')
                            order by a.renames desc, e.npp, e.division_code, a.id, f.key <> 'name', f.key
                            limit $2) as c) as "changes!",
                  (select count(*) from events where renames) as "renamed!""#,
        at,
        MAX_CHANGES_KEPT,
    )
    .fetch_one(conn)
    .await
}

pub async fn set_changes(conn: &mut PgConnection, id: Uuid, changes: &Value) -> sqlx::Result<()> {
    sqlx::query!("update imports set changes = $2 where id = $1", id, changes)
        .execute(conn)
        .await?;
    Ok(())
}

/// Most problems kept per run; the count says how many there were in all.
pub const MAX_PROBLEMS_KEPT: usize = 100_000;

/// Replaces the import's problems with `problems` (the first `MAX_PROBLEMS_KEPT`).
pub async fn replace_problems(
    conn: &mut PgConnection,
    id: Uuid,
    problems: &[Problem],
) -> sqlx::Result<()> {
    sqlx::query!("delete from import_problems where import_id = $1", id)
        .execute(&mut *conn)
        .await?;
    for (n, batch) in problems
        .iter()
        .take(MAX_PROBLEMS_KEPT)
        .collect::<Vec<_>>()
        .chunks(5000)
        .enumerate()
    {
        let first = (n * 5000) as i32;
        let rows: Vec<i32> = batch.iter().map(|p| p.row as i32).collect();
        let columns: Vec<String> = batch.iter().map(|p| p.column.clone()).collect();
        let values: Vec<String> = batch.iter().map(|p| p.value.clone()).collect();
        let messages: Vec<String> = batch.iter().map(|p| p.message.to_owned()).collect();
        let args: Vec<String> = batch.iter().map(|p| p.arg.clone()).collect();
        sqlx::query!(
            r#"insert into import_problems (tenant_id, import_id, seq, row_number, column_name, value, message,
                                            message_arg)
               select app_tenant_id(), $1, $2 + ord::integer - 1, r, c, v, m, a
                 from unnest($3::integer[], $4::text[], $5::text[], $6::text[], $7::text[])
                      with ordinality as p (r, c, v, m, a, ord)"#,
            id,
            first,
            &rows,
            &columns,
            &values,
            &messages,
            &args,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub struct ProblemRow {
    pub row_number: i32,
    pub column_name: String,
    pub value: String,
    pub message: String,
    pub message_arg: String,
}

/// The import's problems in file order; `limit` None for all of them.
pub async fn problems(
    conn: &mut PgConnection,
    id: Uuid,
    limit: Option<i64>,
    offset: i64,
) -> sqlx::Result<Vec<ProblemRow>> {
    sqlx::query_as!(
        ProblemRow,
        r#"select row_number, column_name, value, message, message_arg from import_problems
            where import_id = $1 order by seq limit $2 offset $3"#,
        id,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// The tenant's open branch offices, people who may hold a portfolio, and employers with an NPP, as a
/// file names them. `need` says which the kind's columns refer to. People are share-locked so that
/// none is disabled before the import that assigns them commits (as `tenancy::repo::is_assignable`).
pub async fn lookups(
    conn: &mut PgConnection,
    branches: bool,
    people: bool,
    employers: bool,
) -> sqlx::Result<Lookups> {
    let mut l = Lookups::default();
    if branches {
        l.branches = sqlx::query!("select code, id from branch_offices where archived_at is null")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.code, r.id))
            .collect();
    }
    if people {
        l.assignees = sqlx::query!(
            r#"select lower(u.email) as "email!", u.id from memberships m join users u on u.id = m.user_id
                where m.tenant_id = app_tenant_id() and m.disabled_at is null
                  and m.role in ('rm', 'supervisor', 'admin')
                  for share of m"#
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.email, r.id))
        .collect();
    }
    if employers {
        let rows = sqlx::query!(
            r#"select npp as "npp!", division_code, id from employers
                where npp is not null and archived_at is null"#
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut map = HashMap::with_capacity(rows.len());
        for r in rows {
            let key = crate::employers::domain::npp_text(Some(&r.npp), &r.division_code);
            map.insert(key, r.id);
        }
        l.employers = map;
    }
    Ok(l)
}

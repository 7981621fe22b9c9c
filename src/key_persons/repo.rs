//! SQL for key persons.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{Departure, KeyPersonFields, KpRole, LegalBasis, Level};
use crate::text_enum::codes;

/// A key person as the employer page, the form and the data export show them.
#[derive(Serialize)]
pub struct KeyPersonRow {
    pub id: Uuid,
    pub employer_id: Uuid,
    #[serde(flatten)]
    pub fields: KeyPersonFields,
    pub reports_to_name: Option<String>,
    pub left_on: Option<NaiveDate>,
    pub left_reason: String,
    pub moved_to_text: String,
    pub moved_to_id: Option<Uuid>,
    pub moved_to_employer_id: Option<Uuid>,
    pub moved_to_employer_name: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Builds a row from a query's record; both queries select the same columns.
macro_rules! key_person_row {
    ($r:expr) => {{
        let r = $r;
        KeyPersonRow {
            id: r.id,
            employer_id: r.employer_id,
            fields: KeyPersonFields {
                full_name: r.full_name,
                position_title: r.position_title,
                level: r.level,
                department: r.department,
                email: r.email,
                phone: r.phone,
                influence: r.influence,
                roles: r.roles,
                is_primary: r.is_primary,
                reports_to_id: r.reports_to_id,
                active_since: r.active_since,
                legal_basis: r.legal_basis,
                consent_at: r.consent_at,
                source: r.source,
            },
            reports_to_name: r.reports_to_name,
            left_on: r.left_on,
            left_reason: r.left_reason,
            moved_to_text: r.moved_to_text,
            moved_to_id: r.moved_to_id,
            moved_to_employer_id: r.moved_to_employer_id,
            moved_to_employer_name: r.moved_to_employer_name,
            erased_at: r.erased_at,
            archived_at: r.archived_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }};
}

pub async fn for_employer(
    conn: &mut PgConnection,
    employer: Uuid,
) -> sqlx::Result<Vec<KeyPersonRow>> {
    let rows = sqlx::query!(
        r#"select k.id, k.employer_id, k.full_name, k.position_title, k.level as "level: Level", k.department,
                  k.email, k.phone, k.influence, k.roles as "roles: Vec<KpRole>", k.is_primary, k.reports_to_id,
                  r.full_name as "reports_to_name?", k.active_since, k.left_on, k.left_reason,
                  k.moved_to_text, k.moved_to_id, m.employer_id as "moved_to_employer_id?",
                  me.name as "moved_to_employer_name?", k.legal_basis as "legal_basis: LegalBasis",
                  k.consent_at, k.source, k.erased_at, k.archived_at, k.created_at, k.updated_at, k.version
             from key_persons k
             left join key_persons r on r.tenant_id = k.tenant_id and r.id = k.reports_to_id
             left join key_persons m on m.tenant_id = k.tenant_id and m.id = k.moved_to_id
             left join employers me on me.tenant_id = m.tenant_id and me.id = m.employer_id
            where k.employer_id = $1
            order by k.is_primary desc,
                     array_position(array['bod', 'bod_minus_one', 'manager', 'staff'], k.level),
                     k.influence desc, k.full_name"#,
        employer
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| key_person_row!(r)).collect())
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<KeyPersonRow>> {
    let row = sqlx::query!(
        r#"select k.id, k.employer_id, k.full_name, k.position_title, k.level as "level: Level", k.department,
                  k.email, k.phone, k.influence, k.roles as "roles: Vec<KpRole>", k.is_primary, k.reports_to_id,
                  r.full_name as "reports_to_name?", k.active_since, k.left_on, k.left_reason,
                  k.moved_to_text, k.moved_to_id, m.employer_id as "moved_to_employer_id?",
                  me.name as "moved_to_employer_name?", k.legal_basis as "legal_basis: LegalBasis",
                  k.consent_at, k.source, k.erased_at, k.archived_at, k.created_at, k.updated_at, k.version
             from key_persons k
             left join key_persons r on r.tenant_id = k.tenant_id and r.id = k.reports_to_id
             left join key_persons m on m.tenant_id = k.tenant_id and m.id = k.moved_to_id
             left join employers me on me.tenant_id = m.tenant_id and me.id = m.employer_id
            where k.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| key_person_row!(r)))
}

pub enum SaveOutcome {
    Saved,
    Stale,
    PrimaryTaken,
}

fn primary_clash(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.constraint() == Some("key_persons_one_primary"))
}

/// Takes the transaction's advisory lock on one employer's reporting lines, so two concurrent edits
/// cannot together build a reports-to cycle that neither would build alone.
pub async fn lock_reporting_lines(conn: &mut PgConnection, employer: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('key_persons:' || $1::text, 0))",
        employer.to_string()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Would `person` reporting to `manager` close a loop? Walks up from the manager.
pub async fn reports_to_would_cycle(
    conn: &mut PgConnection,
    person: Uuid,
    manager: Uuid,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"with recursive up (id, depth) as (
               select $2::uuid, 0
               union all
               select k.reports_to_id, up.depth + 1
                 from up join key_persons k on k.id = up.id
                where k.reports_to_id is not null and up.depth < 1000)
           select exists (select 1 from up where id = $1) as "found!""#,
        person,
        manager
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// Clears the current primary contact of an employer (another person is becoming primary); returns
/// the person cleared, for the audit trail.
pub async fn clear_primary(
    conn: &mut PgConnection,
    employer: Uuid,
    except: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "update key_persons set is_primary = false, updated_at = $3, version = version + 1
          where employer_id = $1 and is_primary and id <> $2
        returning id",
        employer,
        except,
        now
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    employer: Uuid,
    f: &KeyPersonFields,
    now: DateTime<Utc>,
) -> sqlx::Result<SaveOutcome> {
    let query = sqlx::query!(
        "insert into key_persons (tenant_id, id, employer_id, full_name, position_title, level, department,
                email, phone, influence, roles, is_primary, reports_to_id, active_since, legal_basis,
                consent_at, source, created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        id,
        employer,
        f.full_name,
        f.position_title,
        f.level.as_str(),
        f.department,
        f.email,
        f.phone,
        f.influence,
        &codes(&f.roles),
        f.is_primary,
        f.reports_to_id,
        f.active_since,
        f.legal_basis.as_str(),
        f.consent_at,
        f.source,
        now
    );
    match crate::db::execute_in_savepoint(&mut *conn, query).await? {
        Ok(_) => Ok(SaveOutcome::Saved),
        Err(e) if primary_clash(&e) => Ok(SaveOutcome::PrimaryTaken),
        Err(e) => Err(e),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    f: &KeyPersonFields,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<SaveOutcome> {
    let query = sqlx::query!(
        "update key_persons set full_name = $2, position_title = $3, level = $4, department = $5,
                email = $6, phone = $7, influence = $8, roles = $9, is_primary = $10, reports_to_id = $11,
                active_since = $12, legal_basis = $13, consent_at = $14, source = $15, updated_at = $16,
                version = version + 1
          where id = $1 and version = $17",
        id,
        f.full_name,
        f.position_title,
        f.level.as_str(),
        f.department,
        f.email,
        f.phone,
        f.influence,
        &codes(&f.roles),
        f.is_primary,
        f.reports_to_id,
        f.active_since,
        f.legal_basis.as_str(),
        f.consent_at,
        f.source,
        now,
        version
    );
    match crate::db::execute_in_savepoint(&mut *conn, query).await? {
        Ok(d) if d.rows_affected() == 1 => Ok(SaveOutcome::Saved),
        Ok(_) => Ok(SaveOutcome::Stale),
        Err(e) if primary_clash(&e) => Ok(SaveOutcome::PrimaryTaken),
        Err(e) => Err(e),
    }
}

/// Records that the person left; they stop being the primary contact. False when stale.
pub async fn mark_left(
    conn: &mut PgConnection,
    id: Uuid,
    d: &Departure,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update key_persons set left_on = $2, left_reason = $3, moved_to_text = $4, moved_to_id = $5,
                is_primary = false, updated_at = $6, version = version + 1
          where id = $1 and version = $7",
        id,
        d.left_on,
        d.reason,
        d.moved_to_text,
        d.moved_to_id,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_archived(
    conn: &mut PgConnection,
    id: Uuid,
    archived_at: Option<DateTime<Utc>>,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update key_persons set archived_at = $2, is_primary = is_primary and $2::timestamptz is null,
                updated_at = $3, version = version + 1
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

/// Replaces the person's name, email and phone with the placeholder, on the row and in the audit
/// trail's stored values. Their meetings and history stay.
pub async fn erase(
    conn: &mut PgConnection,
    id: Uuid,
    placeholder: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update key_persons set full_name = $2, email = null, phone = null, erased_at = $3,
                updated_at = $3, version = version + 1
          where id = $1",
        id,
        placeholder,
        now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar!(
        "select erase_key_person_from_audit($1, $2)",
        id,
        placeholder
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// A possible "moved to" record: someone of the same name at another employer.
pub struct MoveCandidate {
    pub id: Uuid,
    pub full_name: String,
    pub position_title: String,
    pub employer_name: String,
}

pub async fn same_name_elsewhere(
    conn: &mut PgConnection,
    person: Uuid,
    employer: Uuid,
    tokens: &[String],
) -> sqlx::Result<Vec<MoveCandidate>> {
    sqlx::query_as!(
        MoveCandidate,
        r#"select k.id, k.full_name, k.position_title, e.name as employer_name
             from key_persons k join employers e on e.id = k.employer_id
            where k.id in (select t.key_person_id from key_person_name_tokens t
                            where t.token = any($3::text[])
                            group by t.key_person_id
                           having count(*) = cardinality($3::text[]))
              and k.id <> $1 and k.employer_id <> $2 and k.erased_at is null
            order by e.name
            limit 20"#,
        person,
        employer,
        tokens
    )
    .fetch_all(conn)
    .await
}

/// Is `other` a key person at an employer other than `employer`?
pub async fn is_elsewhere(
    conn: &mut PgConnection,
    other: Uuid,
    employer: Uuid,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"select exists (select 1 from key_persons where id = $1 and employer_id <> $2) as "found!""#,
        other,
        employer
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// Audit events of one person, for their data export.
pub struct PersonEvent {
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub changes: serde_json::Value,
}

pub async fn events_of(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Vec<PersonEvent>> {
    sqlx::query_as!(
        PersonEvent,
        "select occurred_at, action, changes from audit_events
          where entity_type = 'key_person' and entity_id = $1
          order by occurred_at, id",
        id
    )
    .fetch_all(conn)
    .await
}

/// A key person found by name in the search box.
pub struct Found {
    pub id: Uuid,
    pub full_name: String,
    pub position_title: String,
    pub employer_id: Uuid,
    pub employer_name: String,
    pub left_on: Option<NaiveDate>,
}

/// Key persons whose name has a word starting with each search word, in name order. One word reads
/// its matches in order from the search index (tokens with the name as sort key), like the employer
/// search: each distinct token in the word's prefix range gives at most `limit` rows. Several words
/// intersect their index ranges first.
pub async fn search(
    conn: &mut PgConnection,
    words: &[(String, String)],
    limit: i64,
) -> sqlx::Result<Vec<Found>> {
    use sqlx::Row;
    if words.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query("select set_config('plan_cache_mode', 'force_custom_plan', true)")
        .execute(&mut *conn)
        .await?;
    let mut q = match words {
        [(word, upper)] => {
            let mut q = sqlx::QueryBuilder::new(
                "with recursive toks (token) as (
                     select min(t.token) from key_person_name_tokens t where t.token >= ",
            );
            q.push_bind(word.clone())
                .push(" and t.token < ")
                .push_bind(upper.clone())
                .push(
                    " union all
                     select (select min(t.token) from key_person_name_tokens t where t.token > toks.token and t.token < ",
                )
                .push_bind(upper.clone())
                .push(
                    ") from toks where toks.token is not null)
                 select distinct on (m.full_name, m.id) m.* from toks cross join lateral (
                     select k.id, k.full_name, k.position_title, k.employer_id, e.name as employer_name, k.left_on
                       from key_person_name_tokens tk
                       join key_persons k on k.id = tk.key_person_id
                       join employers e on e.id = k.employer_id
                      where tk.token = toks.token and k.archived_at is null and k.erased_at is null
                      order by tk.full_name, tk.key_person_id limit ",
                )
                .push_bind(limit)
                .push(") m order by m.full_name, m.id limit ")
                .push_bind(limit);
            q
        }
        _ => {
            // Intersect (id, name) pairs straight from the search index and keep the first names in
            // order, so only the people shown are looked up. A few more than asked for are kept, in
            // case some of them are archived.
            let mut q = sqlx::QueryBuilder::new(
                "select k.id, k.full_name, k.position_title, k.employer_id, e.name as employer_name, k.left_on
                   from (",
            );
            for (i, (word, upper)) in words.iter().enumerate() {
                if i > 0 {
                    q.push(" intersect ");
                }
                q.push("select w.key_person_id, w.full_name from key_person_name_tokens w where w.token >= ")
                    .push_bind(word.clone())
                    .push(" and w.token < ")
                    .push_bind(upper.clone());
            }
            q.push(" order by 2, 1 limit ")
                .push_bind(limit * 2)
                .push(
                    ") m join key_persons k on k.id = m.key_person_id join employers e on e.id = k.employer_id
                     where k.archived_at is null and k.erased_at is null
                     order by m.full_name, m.key_person_id limit ",
                )
                .push_bind(limit);
            q
        }
    };
    let rows = q.build().fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Found {
                id: r.try_get("id")?,
                full_name: r.try_get("full_name")?,
                position_title: r.try_get("position_title")?,
                employer_id: r.try_get("employer_id")?,
                employer_name: r.try_get("employer_name")?,
                left_on: r.try_get("left_on")?,
            })
        })
        .collect()
}

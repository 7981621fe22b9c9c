//! SQL for supply-chain links.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domain::{LinkFields, Relation};
use crate::employers::domain::Status;
use crate::employers::repo::list::{self as employer_list, ListFilter, Sort};

/// A link seen from one employer: the other employer is the parent (in `parents`) or the member (in
/// `members`).
pub struct LinkRow {
    pub id: Uuid,
    pub relation: Relation,
    pub started_on: Option<NaiveDate>,
    pub notes: String,
    pub other_id: Uuid,
    pub other_name: String,
    pub other_npp: Option<String>,
    pub other_status: Status,
    pub version: i32,
}

impl LinkRow {
    /// Counts toward the parent's chain coverage: active and registered.
    pub fn covered(&self) -> bool {
        self.other_status == Status::Active && self.other_npp.is_some()
    }
}

/// An employer's parents and members, in one round trip: `(parents, members)`, each by name. Archived
/// members are left out (a parent stays visible to its members whatever its state).
pub async fn both_sides(
    conn: &mut PgConnection,
    employer: Uuid,
) -> sqlx::Result<(Vec<LinkRow>, Vec<LinkRow>)> {
    let rows = sqlx::query!(
        r#"select l.member_id = $1 as "is_parent!", l.id, l.relation as "relation: Relation", l.started_on,
                  l.notes, e.id as other_id, e.name as other_name, e.npp as other_npp,
                  e.status as "other_status: Status", l.version
             from supply_chain_links l
             join employers e on e.tenant_id = l.tenant_id
                             and e.id = case when l.member_id = $1 then l.parent_id else l.member_id end
            where (l.member_id = $1 or l.parent_id = $1) and l.removed_at is null
              and (l.member_id = $1 or e.archived_at is null)
            order by e.name"#,
        employer
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.is_parent,
                LinkRow {
                    id: r.id,
                    relation: r.relation,
                    started_on: r.started_on,
                    notes: r.notes,
                    other_id: r.other_id,
                    other_name: r.other_name,
                    other_npp: r.other_npp,
                    other_status: r.other_status,
                    version: r.version,
                },
            )
        })
        .fold(
            (Vec::new(), Vec::new()),
            |(mut parents, mut members), (is_parent, row)| {
                if is_parent {
                    parents.push(row);
                } else {
                    members.push(row);
                }
                (parents, members)
            },
        ))
}

pub struct Link {
    pub id: Uuid,
    pub parent_id: Uuid,
    pub member_id: Uuid,
    pub relation: Relation,
    pub removed_at: Option<DateTime<Utc>>,
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Link>> {
    sqlx::query_as!(
        Link,
        r#"select id, parent_id, member_id, relation as "relation: Relation", removed_at
             from supply_chain_links where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Subsidiary chains are checked one tenant at a time: two concurrent links could otherwise each pass
/// the cycle check and together close a loop.
pub async fn lock_subsidiary_chains(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('subsidiary:' || app_tenant_id()::text, 0))"
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Would making `member` a subsidiary of `parent` close a loop, i.e. is `parent` already below
/// `member` in a subsidiary chain?
pub async fn subsidiary_would_cycle(
    conn: &mut PgConnection,
    parent: Uuid,
    member: Uuid,
) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!(
        r#"with recursive below (id) as (
               select $2::uuid
               union
               select l.member_id from supply_chain_links l join below b on l.parent_id = b.id
                where l.relation = 'subsidiary' and l.removed_at is null)
           select exists (select 1 from below where id = $1) as "found!""#,
        parent,
        member
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// Inserts a link from `parent` to `member`; false when the pair is already linked.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    parent: Uuid,
    member: Uuid,
    l: &LinkFields,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into supply_chain_links (tenant_id, id, parent_id, member_id, relation, started_on, notes,
                created_at, updated_at)
         values (app_tenant_id(), $1, $2, $3, $4, $5, $6, $7, $7)
         on conflict (tenant_id, parent_id, member_id) where removed_at is null do nothing",
        id,
        parent,
        member,
        l.relation.as_str(),
        l.started_on,
        l.notes,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update supply_chain_links set removed_at = $2, updated_at = $2, version = version + 1
          where id = $1 and version = $3 and removed_at is null",
        id,
        now,
        version
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An employer whose name matches the words, offered as the other side of a link.
pub struct LinkCandidate {
    pub id: Uuid,
    pub name: String,
    pub npp: Option<String>,
    pub city: String,
}

pub async fn candidates(
    conn: &mut PgConnection,
    words: &[(String, String)],
    except: Uuid,
) -> sqlx::Result<Vec<LinkCandidate>> {
    let filter = ListFilter {
        words: words.to_vec(),
        ..Default::default()
    };
    let rows = employer_list::list(conn, &filter, Sort::Name, 15, 0).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.id != except)
        .map(|r| LinkCandidate {
            id: r.id,
            name: r.name,
            npp: r.npp,
            city: r.city,
        })
        .collect())
}

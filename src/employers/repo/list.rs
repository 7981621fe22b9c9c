//! SQL for the employer list and its exports: filters, sorts, and the name search that reads its
//! matches in order from the token index.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::employers::domain::{
    InstitutionType, Ownership, Program, Scale, Segment, Stage, Status, searches_npp_digits,
};
use crate::text_enum;

/// Filters of the employer list, already parsed.
#[derive(Default, Clone, PartialEq, Eq, Hash)]
pub struct ListFilter {
    pub npp: Option<String>,
    pub npwp: Option<String>,
    /// Name words with the exclusive upper bound of each prefix range.
    pub words: Vec<(String, String)>,
    pub segment: Option<Segment>,
    pub institution_type: Option<InstitutionType>,
    pub ownership: Option<Ownership>,
    pub status: Option<Status>,
    pub stage: Option<Stage>,
    pub branch_id: Option<Uuid>,
    pub rm_id: Option<Uuid>,
    /// Only employers without an RM.
    pub unassigned: bool,
    pub tag: Option<String>,
    /// Only employers with arrears (as of the summary's last refresh).
    pub in_arrears: bool,
    /// Only employers with at least this many months in arrears.
    pub min_arrears_months: Option<i16>,
    pub archived: bool,
    /// Only these employers (the rows a supervisor ticked).
    pub ids: Option<Vec<Uuid>>,
}

text_enum!(
    /// The orders the list offers, each a column people can click.
    Sort, "employer.sort_invalid", {
    Name = "name" => "employer.name",
    Npp = "npp" => "employer.npp",
    Rm = "rm" => "employer.rm",
    LastMet = "last_met" => "employer.last_met",
    Arrears = "arrears" => "contribution.arrears",
    Updated = "updated" => "employer.updated",
});

impl Sort {
    /// Static SQL per sort; the id makes every order total, so pages never overlap.
    fn order_by(self) -> &'static str {
        match self {
            Sort::Name => " order by e.name, e.id",
            Sort::Npp => " order by e.npp nulls last, e.division_code, e.id",
            Sort::Rm => " order by u.name nulls last, e.name, e.id",
            // Longest without a BOD-1 meeting first: never met, then the oldest meeting.
            Sort::LastMet => " order by e.last_bod1_meeting_at nulls first, e.name, e.id",
            Sort::Updated => " order by e.updated_at desc, e.id",
            // Largest arrears first.
            Sort::Arrears => " order by e.arrears_total desc, e.id",
        }
    }
}

pub struct ListRow {
    pub id: Uuid,
    pub npp: Option<String>,
    pub division_code: String,
    pub name: String,
    pub short_name: String,
    pub city: String,
    pub segment: Segment,
    pub ownership: Ownership,
    pub status: Status,
    pub stage: Stage,
    pub rm_id: Option<Uuid>,
    /// Filled from the tenant's cached people by the page (`employers::web::list`), not joined:
    /// reading `users` through its row policy cost a page of the list more than the page itself.
    pub rm_name: Option<String>,
    pub branch_id: Option<Uuid>,
    /// Filled like `rm_name`, from the cached branch offices.
    pub branch_code: Option<String>,
    pub last_bod1_meeting_at: Option<DateTime<Utc>>,
    pub arrears_total: Decimal,
    pub arrears_months: i16,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

/// Export rows carry more columns than the list shows.
pub struct ExportRow {
    pub row: ListRow,
    pub npwp: Option<String>,
    pub nib: Option<String>,
    pub institution_type: Option<InstitutionType>,
    pub province: String,
    pub country: Option<String>,
    pub scale: Option<Scale>,
    pub industry: String,
    pub programs: Vec<Program>,
    pub workers_reported: Option<i32>,
    pub branch_name: Option<String>,
    pub tags: Vec<String>,
}

/// Appends the filter's conditions. Each is a static fragment with bound values: the SQL text depends
/// only on which filters are set, never on what the user typed.
pub(super) fn push_filters(q: &mut QueryBuilder<Postgres>, f: &ListFilter) {
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
        push_word_matches(q, &f.words, None);
        q.push("))");
    }
    fn eq(q: &mut QueryBuilder<Postgres>, column: &str, code: Option<&'static str>) {
        if let Some(code) = code {
            q.push(format_args!(" and e.{column} = ")).push_bind(code);
        }
    }
    eq(q, "segment", f.segment.map(Segment::as_str));
    eq(
        q,
        "institution_type",
        f.institution_type.map(InstitutionType::as_str),
    );
    eq(q, "ownership", f.ownership.map(Ownership::as_str));
    eq(q, "status", f.status.map(Status::as_str));
    eq(q, "stage", f.stage.map(Stage::as_str));
    if let Some(b) = f.branch_id {
        q.push(" and e.branch_id = ").push_bind(b);
    }
    if let Some(rm) = f.rm_id {
        q.push(" and e.rm_id = ").push_bind(rm);
    }
    if f.unassigned {
        q.push(" and e.rm_id is null");
    }
    if let Some(tag) = &f.tag {
        q.push(
            " and exists (select 1 from employer_tags g where g.employer_id = e.id and g.tag = ",
        )
        .push_bind(tag.clone())
        .push(")");
    }
    if f.in_arrears {
        q.push(" and e.arrears_total > 0");
    }
    if let Some(n) = f.min_arrears_months {
        q.push(" and e.arrears_months >= ").push_bind(n);
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

const LIST_COLUMNS: &str =
    "e.id, e.npp, e.division_code, e.name, e.short_name, e.city, e.segment, e.ownership, e.status,
        e.stage, e.rm_id, e.branch_id, e.last_bod1_meeting_at, e.arrears_total, e.arrears_months,
        e.updated_at, e.archived_at";

/// One page of the list; asks for one row more than `limit` so the caller knows whether a next page
/// exists (a total count over 100,000 rows would cost more than the page itself).
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
            if searches_npp_digits(&word.0) {
                by_digits(f, word, limit + 1, offset)
            } else {
                by_name_word(f, word, limit + 1, offset)
            }
        }
        _ => {
            if !f.words.is_empty() {
                plan_for_these_values(&mut *conn).await?;
            }
            let mut q = QueryBuilder::new("select ");
            q.push(LIST_COLUMNS).push(" from employers e");
            if sort == Sort::Rm {
                // Only this order reads people's names; the page names them from the cache.
                q.push(" left join users u on u.id = e.rm_id");
            }
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

/// The ids of the employers every search word matches (docs/domain.md, "Search"): a word matches a
/// name token it begins (name, legal name, short name), initials it equals, and, when it is three
/// digits or more, an NPP containing it (an NPP suffix it begins). One set per word, intersected. Each
/// set is read once from the indexes alone, so two common words cost the sum of their matches.
/// `archived` narrows each set to live or archived employers, for callers that do not join
/// `employers` to check it.
pub fn push_word_matches(
    q: &mut QueryBuilder<Postgres>,
    words: &[(String, String)],
    archived: Option<bool>,
) {
    for (i, (word, upper)) in words.iter().enumerate() {
        if i > 0 {
            q.push(" intersect ");
        }
        q.push("(select w.employer_id from employer_name_tokens w where w.token >= ")
            .push_bind(word.clone())
            .push(" and w.token < ")
            .push_bind(upper.clone());
        if let Some(a) = archived {
            q.push(" and w.archived = ").push_bind(a);
        }
        q.push(" union all select k.employer_id from employer_search_keys k where ");
        push_key_match(q, word, upper);
        if let Some(a) = archived {
            q.push(" and k.archived = ").push_bind(a);
        }
        q.push(")");
    }
}

/// The search keys a word matches: initials equal to it, or, for NPP digits, the NPP suffixes it
/// begins. Both are leakproof comparisons, index conditions under row-level security.
fn push_key_match(q: &mut QueryBuilder<Postgres>, word: &str, upper: &str) {
    if searches_npp_digits(word) {
        q.push("k.key >= ")
            .push_bind(word.to_owned())
            .push(" and k.key < ")
            .push_bind(upper.to_owned());
    } else {
        q.push("k.key = ").push_bind(word.to_owned());
    }
}

/// A one-word name search in name order. For each distinct token in the word's
/// prefix range (found with a loose index scan), the search index yields matching employers already in
/// name order, so each token contributes at most one page of rows and nothing is sorted but those:
/// a word shared by 12,500 employers costs about as much as a rare one. Initials equal to the word add
/// one more page, read the same way from the keys' index. The filters are checked on the way, per
/// candidate (and only the employer itself is read for them, none when only the archive is filtered:
/// the token rows know it); the people and branches shown are looked up for the page alone, which
/// also keeps planning short, since each of their joins brings its tables' row-level security.
fn by_name_word(
    f: &ListFilter,
    (word, upper): &(String, String),
    limit: i64,
    offset: i64,
) -> QueryBuilder<Postgres> {
    let rest = ListFilter {
        words: Vec::new(),
        ..f.clone()
    };
    let archive_only = rest
        == ListFilter {
            archived: f.archived,
            ..ListFilter::default()
        };
    // The candidates of one source (`tk`), with the filters checked when there are any besides the
    // archive.
    let candidates = |q: &mut QueryBuilder<Postgres>, table: &str| {
        q.push(format_args!(
            "select tk.name, tk.employer_id from {table} tk"
        ));
        if archive_only {
            q.push(" where ");
        } else {
            q.push(" join employers e on e.id = tk.employer_id");
            push_filters(q, &rest);
            q.push(" and ");
        }
    };
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
        .push(") from toks where toks.token is not null) select ")
        .push(LIST_COLUMNS)
        .push(
            " from (select distinct on (m.name, m.employer_id) m.name, m.employer_id from (
                 select m.* from toks cross join lateral (",
        );
    candidates(&mut q, "employer_name_tokens");
    q.push("tk.token = toks.token and tk.archived = ")
        .push_bind(f.archived)
        .push(" order by tk.name, tk.employer_id limit ")
        .push_bind(limit + offset)
        .push(") m union all (");
    candidates(&mut q, "employer_search_keys");
    q.push("tk.key = ")
        .push_bind(word.clone())
        .push(" and tk.archived = ")
        .push_bind(f.archived)
        .push(" order by tk.name, tk.employer_id limit ")
        .push_bind(limit + offset)
        .push(")) m order by m.name, m.employer_id limit ")
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset)
        .push(") p join employers e on e.id = p.employer_id")
        .push(" order by p.name, p.employer_id");
    q
}

/// A search of three digits or more, in name order: name tokens it begins and NPPs containing it.
/// Their distinct suffixes are nearly as many as the matches, so instead of a page per distinct key
/// the matches' (name, id) pairs are read from the two indexes alone, sorted, and only the employers
/// of the page are looked up (with no filter but the archive, only the page is kept from the sort). A
/// few hundred matches for four digits, a few thousand for three.
fn by_digits(
    f: &ListFilter,
    (word, upper): &(String, String),
    limit: i64,
    offset: i64,
) -> QueryBuilder<Postgres> {
    let rest = ListFilter {
        words: Vec::new(),
        ..f.clone()
    };
    let archive_only = rest
        == ListFilter {
            archived: f.archived,
            ..ListFilter::default()
        };
    let mut q = QueryBuilder::new("select ");
    q.push(LIST_COLUMNS)
        .push(" from (select t.name, t.employer_id from employer_name_tokens t where t.token >= ")
        .push_bind(word.clone())
        .push(" and t.token < ")
        .push_bind(upper.clone())
        .push(" and t.archived = ")
        .push_bind(f.archived)
        .push(" union select k.name, k.employer_id from employer_search_keys k where ");
    push_key_match(&mut q, word, upper);
    // Sorted before the join, so that the join reads the candidates in order and stops after a page.
    q.push(" and k.archived = ")
        .push_bind(f.archived)
        .push(" order by name, employer_id");
    if archive_only {
        q.push(" limit ").push_bind(limit + offset);
    }
    q.push(") tk join employers e on e.id = tk.employer_id");
    push_filters(&mut q, &rest);
    q.push(" order by tk.name, tk.employer_id limit ")
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
        "select e.id, e.npp, e.division_code, e.name, e.short_name, e.city, e.segment, e.ownership, e.status, e.stage,
                e.rm_id, u.name as rm_name, e.branch_id, b.code as branch_code, e.last_bod1_meeting_at,
                e.arrears_total, e.arrears_months, e.updated_at, e.archived_at, e.npwp, e.nib, e.institution_type, e.province, e.country, e.scale, e.industry, e.programs,
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
                row: ListRow {
                    rm_name: r.try_get("rm_name")?,
                    branch_code: r.try_get("branch_code")?,
                    ..list_row(r)?
                },
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
        short_name: r.try_get("short_name")?,
        city: r.try_get("city")?,
        segment: r.try_get("segment")?,
        ownership: r.try_get("ownership")?,
        status: r.try_get("status")?,
        stage: r.try_get("stage")?,
        rm_id: r.try_get("rm_id")?,
        rm_name: None,
        branch_id: r.try_get("branch_id")?,
        branch_code: None,
        last_bod1_meeting_at: r.try_get("last_bod1_meeting_at")?,
        arrears_total: r.try_get("arrears_total")?,
        arrears_months: r.try_get("arrears_months")?,
        updated_at: r.try_get("updated_at")?,
        archived_at: r.try_get("archived_at")?,
    })
}

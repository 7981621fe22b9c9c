//! SQL behind the search's second steps (docs/domain.md, "Search"): how many employers a search finds
//! beyond the ones shown, and the one-letter corrections of words that match nothing.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::list::{self, ListFilter, ListRow, Sort, push_word_matches};
use crate::employers::domain::searches_npp_digits;
use crate::employers::vocabulary::Words;

/// How many employers a search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub n: i64,
    /// The count stopped at its cap: there are at least `n`.
    pub at_least: bool,
}

/// How many employers `f` finds, reading at most `cap` index entries. A search by words that sets no
/// other filter is counted from the token and key indexes alone (a common word has 12,500 matches,
/// and looking each one up in `employers` would cost more than the page); anything else counts the
/// employers the filters select. Meant for the transaction that has just listed the first page, whose
/// search already plans for its own values.
pub async fn count(conn: &mut PgConnection, f: &ListFilter, cap: i64) -> sqlx::Result<Found> {
    use sqlx::Row;
    let words_only = ListFilter {
        words: f.words.clone(),
        archived: f.archived,
        ..ListFilter::default()
    };
    let mut q = QueryBuilder::<Postgres>::new("");
    if !f.words.is_empty() && words_only == *f {
        q.push("select count(distinct m.employer_id) as n, count(*) as read from (");
        push_word_matches(&mut q, &f.words, Some(f.archived));
        q.push(" limit ").push_bind(cap).push(") m");
    } else {
        // Read in the order of a covering index: the planner then walks it index-only, the
        // tenant's entries alone. Without an order it costs a capped count as the first `cap`
        // matches of a sequential scan, as if the tenant's rows were spread evenly through the
        // table, and read thousands of pages of other tenants' rows first. Employers in arrears sit
        // together at the head of the arrears index; everything else is counted in name order.
        q.push("select count(*) as n, count(*) as read from (select 1 from employers e");
        list::push_filters(&mut q, f);
        if !f.archived && (f.in_arrears || f.min_arrears_months.is_some()) {
            q.push(" order by e.arrears_total desc, e.id");
        } else {
            q.push(" order by e.name, e.id");
        }
        q.push(" limit ").push_bind(cap).push(") m");
    }
    let row = q.build().fetch_one(conn).await?;
    let n: i64 = row.try_get("n")?;
    let read: i64 = row.try_get("read")?;
    Ok(Found {
        n,
        at_least: read >= cap,
    })
}

/// A word of the search replaced by the token one letter away from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub typed: String,
    pub shown: String,
}

/// What the words of a search match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// Every word matches something in the tenant: search as typed.
    Matched,
    /// A word matches nothing at all, so the search as typed would find nothing. With the words to
    /// search instead when every such word is one letter away from a known one.
    Unmatched(Option<Corrected>),
}

/// Search words with some of them corrected, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub words: Vec<(String, String)>,
    pub corrections: Vec<Correction>,
}

/// Checks the words of a search before it runs. Words the tenant's vocabulary knows (`known`, a name
/// token they begin, or digits) need nothing more: the usual search pays nothing. Otherwise one
/// prepared query asks the database whether each word matches anything in the tenant, archived or not
/// (a name token it begins, initials it equals, NPP digits it is part of, and, with `people`, a key
/// person's name token it begins): the vocabulary may be minutes old, and does not hold initials. A
/// word that matches nothing is replaced by the token one edit away from it that the most employers
/// have (counted up to a thousand; the first in alphabetical order among equals), or else, with
/// `people`, the most key persons. The neighbours come from the vocabulary; when there are several,
/// the database confirms and counts them, a few index probes.
pub async fn check_words(
    conn: &mut PgConnection,
    known: &Words,
    words: &[(String, String)],
    people: bool,
) -> sqlx::Result<Checked> {
    if words.iter().all(|(w, _)| known.knows(w, people)) {
        return Ok(Checked::Matched);
    }
    let (lows, (uppers, key_uppers)): (Vec<String>, (Vec<String>, Vec<String>)) = words
        .iter()
        .map(|(w, u)| {
            // Initials match whole: the range of one string. NPP digits match the suffixes they begin.
            let key_upper = if searches_npp_digits(w) {
                u.clone()
            } else {
                format!("{w}\u{1}")
            };
            (w.clone(), (u.clone(), key_upper))
        })
        .unzip();
    let matched = sqlx::query_scalar!(
        r#"select (exists (select 1 from employer_name_tokens t where t.token >= w.word and t.token < w.upper)
                   or exists (select 1 from employer_search_keys k where k.key >= w.word and k.key < w.key_upper)
                   or ($4 and exists (select 1 from key_person_name_tokens p
                                       where p.token >= w.word and p.token < w.upper))) as "matched!"
             from unnest($1::text[], $2::text[], $3::text[]) with ordinality as w (word, upper, key_upper, i)
            order by w.i"#,
        &lows,
        &uppers,
        &key_uppers,
        people
    )
    .fetch_all(&mut *conn)
    .await?;
    if matched.iter().all(|m| *m) {
        return Ok(Checked::Matched);
    }
    let mut corrected = Vec::with_capacity(words.len());
    let mut corrections = Vec::new();
    for ((word, upper), matched) in words.iter().zip(matched) {
        if matched {
            corrected.push((word.clone(), upper.clone()));
            continue;
        }
        let (mut near, of_people) = known.one_letter_away(word, people);
        // One neighbour needs no count; if it has gone since the vocabulary was read, the corrected
        // search finds nothing and is not offered.
        let best = match near.len() {
            0 => None,
            1 => near.pop(),
            _ => most_common(&mut *conn, &near, of_people).await?,
        };
        let Some(best) = best else {
            return Ok(Checked::Unmatched(None));
        };
        corrections.push(Correction {
            typed: word.clone(),
            shown: best.clone(),
        });
        let upper = format!("{best}\u{10FFFF}");
        corrected.push((best, upper));
    }
    Ok(Checked::Unmatched(Some(Corrected {
        words: corrected,
        corrections,
    })))
}

/// Of `tokens`, the one the most employers (or, with `of_people`, key persons) have, counting up to a
/// thousand each; `None` when none of them exists any more. Each is compared whole (`token = v`):
/// `texteq` is leakproof, so the comparison is an index condition under row-level security.
async fn most_common(
    conn: &mut PgConnection,
    tokens: &[String],
    of_people: bool,
) -> sqlx::Result<Option<String>> {
    if of_people {
        return sqlx::query_scalar!(
            r#"select v.token as "token!"
                 from unnest($1::text[]) as v (token)
                where exists (select 1 from key_person_name_tokens p where p.token = v.token)
                order by (select count(*) from (select 1 from key_person_name_tokens p
                                                  where p.token = v.token limit 1000) e) desc,
                         v.token
                limit 1"#,
            tokens
        )
        .fetch_optional(conn)
        .await;
    }
    sqlx::query_scalar!(
        r#"select v.token as "token!"
             from unnest($1::text[]) as v (token)
            where exists (select 1 from employer_name_tokens t where t.token = v.token)
            order by (select count(*) from (select 1 from employer_name_tokens t
                                              where t.token = v.token limit 1000) e) desc,
                     v.token
            limit 1"#,
        tokens
    )
    .fetch_optional(conn)
    .await
}

/// The tenant's distinct name tokens of employers and of key persons, each read with a loose index scan
/// (one index descent per distinct token), for `employers::vocabulary`.
pub async fn distinct_tokens(conn: &mut PgConnection) -> sqlx::Result<(Vec<String>, Vec<String>)> {
    let employers = sqlx::query_scalar!(
        r#"with recursive t (token) as (
             select min(token) from employer_name_tokens
             union all
             select (select min(x.token) from employer_name_tokens x where x.token > t.token)
               from t where t.token is not null)
           select token as "token!" from t where token is not null"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let people = sqlx::query_scalar!(
        r#"with recursive t (token) as (
             select min(token) from key_person_name_tokens
             union all
             select (select min(x.token) from key_person_name_tokens x where x.token > t.token)
               from t where t.token is not null)
           select token as "token!" from t where token is not null"#
    )
    .fetch_all(conn)
    .await?;
    Ok((employers, people))
}

/// A page of the list for `f` or, when a word matches nothing and its correction finds something, for
/// the corrected words: `f` then holds them, so that what follows uses them too. A search with a word
/// that matches nothing is not run: it would find nothing.
pub async fn list_correcting(
    conn: &mut PgConnection,
    known: &Words,
    f: &mut ListFilter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ListRow>, Vec<Correction>)> {
    if f.words.is_empty() {
        return Ok((list::list(conn, f, sort, limit, offset).await?, Vec::new()));
    }
    match check_words(&mut *conn, known, &f.words, false).await? {
        Checked::Matched => Ok((list::list(conn, f, sort, limit, offset).await?, Vec::new())),
        Checked::Unmatched(None) => Ok((Vec::new(), Vec::new())),
        Checked::Unmatched(Some(c)) => {
            let corrected = ListFilter {
                words: c.words,
                ..f.clone()
            };
            let rows = list::list(conn, &corrected, sort, limit, offset).await?;
            if rows.is_empty() {
                return Ok((rows, Vec::new()));
            }
            *f = corrected;
            Ok((rows, c.corrections))
        }
    }
}

/// "kencna, sentsa" and "kencana, sentosa": the words as typed and as searched, for the message that
/// says the results are for the corrected words.
pub fn typed_and_shown(corrections: &[Correction]) -> (String, String) {
    let join =
        |f: fn(&Correction) -> &str| corrections.iter().map(f).collect::<Vec<_>>().join(", ");
    (join(|c| &c.typed), join(|c| &c.shown))
}

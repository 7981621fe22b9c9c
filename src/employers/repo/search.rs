//! SQL behind the search's second steps (docs/domain.md, "Search"): how many employers a search finds
//! beyond the ones shown, and the one-letter corrections of words that match nothing.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::list::{self, ListFilter, ListRow, Sort, push_word_matches};
use crate::employers::domain::{one_edit_variants, searches_npp_digits};

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
        // Distinct ids by hashing: sorting them for `count(distinct …)` took twice as long.
        q.push("with r as materialized (");
        push_word_matches(&mut q, &f.words, Some(f.archived));
        q.push(" limit ").push_bind(cap).push(
            ") select (select count(*) from (select distinct employer_id from r) d) as n,
                      (select count(*) from r) as read",
        );
    } else {
        q.push("select count(*) as n, count(*) as read from (select 1 from employers e");
        list::push_filters(&mut q, f);
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

/// For a search whose words found nothing: each word that matches nothing at all in the tenant, archived
/// or not (no name token begins with it, no initials or NPP digits match it, and, with `people`, no key
/// person's name token begins with it), replaced by the token one edit away from it
/// (`one_edit_variants`) that the most employers (and key persons) have, the first in alphabetical
/// order among equals. `None` when every word matches something (the words are right, the combination
/// or the filters find nothing) or when an unmatched word has no such neighbour.
///
/// The variants are compared whole with `token = any(…)`: `texteq` is leakproof, so the comparison is
/// an index condition under row-level security, a few hundred index probes per word.
pub async fn corrected_words(
    conn: &mut PgConnection,
    words: &[(String, String)],
    people: bool,
) -> sqlx::Result<Option<(Vec<(String, String)>, Vec<Correction>)>> {
    if words.is_empty() {
        return Ok(None);
    }
    let mut q = QueryBuilder::<Postgres>::new("select array[");
    for (i, (word, upper)) in words.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("exists (select 1 from employer_name_tokens w where w.token >= ")
            .push_bind(word.clone())
            .push(" and w.token < ")
            .push_bind(upper.clone())
            .push(") or exists (select 1 from employer_search_keys k where ");
        if searches_npp_digits(word) {
            q.push("k.key >= ")
                .push_bind(word.clone())
                .push(" and k.key < ")
                .push_bind(upper.clone());
        } else {
            q.push("k.key = ").push_bind(word.clone());
        }
        q.push(")");
        if people {
            q.push(" or exists (select 1 from key_person_name_tokens p where p.token >= ")
                .push_bind(word.clone())
                .push(" and p.token < ")
                .push_bind(upper.clone())
                .push(")");
        }
    }
    q.push("]::boolean[]");
    let matched: Vec<bool> = q.build_query_scalar().fetch_one(&mut *conn).await?;
    if matched.iter().all(|m| *m) {
        return Ok(None);
    }
    let mut corrected = Vec::with_capacity(words.len());
    let mut corrections = Vec::new();
    for ((word, upper), matched) in words.iter().zip(matched) {
        if matched {
            corrected.push((word.clone(), upper.clone()));
            continue;
        }
        let variants = one_edit_variants(word);
        if variants.is_empty() {
            return Ok(None);
        }
        let Some(best) = closest_token(&mut *conn, &variants, people).await? else {
            return Ok(None);
        };
        corrections.push(Correction {
            typed: word.clone(),
            shown: best.clone(),
        });
        let upper = format!("{best}\u{10FFFF}");
        corrected.push((best, upper));
    }
    Ok(Some((corrected, corrections)))
}

/// Of `variants`, the token the most employers (and, with `people`, key persons) have.
async fn closest_token(
    conn: &mut PgConnection,
    variants: &[String],
    people: bool,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"select t.token as "token!"
             from (select token, count(*) as n from employer_name_tokens
                    where token = any($1) group by token
                   union all
                   select token, count(*) from key_person_name_tokens
                    where $2 and token = any($1) group by token) t
            group by t.token
            order by sum(t.n) desc, t.token
            limit 1"#,
        variants,
        people
    )
    .fetch_optional(conn)
    .await
}

/// A page of the list for `f` or, when its words find nothing and their corrections find something,
/// for the corrections: `f` then holds the corrected words, so that what follows uses them too.
pub async fn list_correcting(
    conn: &mut PgConnection,
    f: &mut ListFilter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ListRow>, Vec<Correction>)> {
    let rows = list::list(&mut *conn, f, sort, limit, offset).await?;
    if !rows.is_empty() || f.words.is_empty() {
        return Ok((rows, Vec::new()));
    }
    if let Some((words, corrections)) = corrected_words(&mut *conn, &f.words, false).await? {
        let corrected = ListFilter { words, ..f.clone() };
        let found = list::list(conn, &corrected, sort, limit, offset).await?;
        if !found.is_empty() {
            *f = corrected;
            return Ok((found, corrections));
        }
    }
    Ok((rows, Vec::new()))
}

/// "kencna, sentsa" and "kencana, sentosa": the words as typed and as searched, for the message that
/// says the results are for the corrected words.
pub fn typed_and_shown(corrections: &[Correction]) -> (String, String) {
    let join =
        |f: fn(&Correction) -> &str| corrections.iter().map(f).collect::<Vec<_>>().join(", ");
    (join(|c| &c.typed), join(|c| &c.shown))
}

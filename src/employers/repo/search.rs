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

/// What the words of a search match before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// Every word matches something in the tenant: search as typed.
    Matched,
    /// A word matches nothing at all, so the search as typed finds nothing and need not run. With the
    /// words to search instead when every such word is one letter away from a known one.
    Unmatched(Option<Corrected>),
}

/// Search words with some of them corrected, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub words: Vec<(String, String)>,
    pub corrections: Vec<Correction>,
}

/// Checks each word before a search: does it match anything in the tenant, archived or not (a name
/// token it begins, initials it equals, NPP digits it is part of, and, with `people`, a key person's
/// name token it begins)? One prepared query of a few index probes per word, planned once per
/// connection. A word that matches nothing is replaced by the token one edit away from it
/// (`one_edit_variants`) that the most employers have, or else the most key persons (counted up to a
/// thousand), the first in alphabetical order among equals; words that each match something but find nothing together are not corrected.
///
/// Each variant is probed whole (`token = v`): `texteq` is leakproof, so the comparison is an index
/// condition under row-level security, a few hundred index probes per corrected word.
pub async fn check_words(
    conn: &mut PgConnection,
    words: &[(String, String)],
    people: bool,
) -> sqlx::Result<Checked> {
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
        let variants = one_edit_variants(word);
        if variants.is_empty() {
            return Ok(Checked::Unmatched(None));
        }
        let Some(best) = closest_token(&mut *conn, &variants, people).await? else {
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

/// Of `variants`, the name token the most employers have or, when none has any and `people` is set,
/// the one the most key persons have; counting up to a thousand each. A probe per variant finds the
/// few that exist, and only those are counted; key persons' tokens are probed only when no employer's
/// matched, which spares half the probes when the typo is in an employer's name.
async fn closest_token(
    conn: &mut PgConnection,
    variants: &[String],
    people: bool,
) -> sqlx::Result<Option<String>> {
    let employers = sqlx::query_scalar!(
        r#"select v.token as "token!"
             from unnest($1::text[]) as v (token)
            where exists (select 1 from employer_name_tokens t where t.token = v.token)
            order by (select count(*) from (select 1 from employer_name_tokens t
                                              where t.token = v.token limit 1000) e) desc,
                     v.token
            limit 1"#,
        variants
    )
    .fetch_optional(&mut *conn)
    .await?;
    if employers.is_some() || !people {
        return Ok(employers);
    }
    sqlx::query_scalar!(
        r#"select v.token as "token!"
             from unnest($1::text[]) as v (token)
            where exists (select 1 from key_person_name_tokens p where p.token = v.token)
            order by (select count(*) from (select 1 from key_person_name_tokens p
                                              where p.token = v.token limit 1000) e) desc,
                     v.token
            limit 1"#,
        variants
    )
    .fetch_optional(conn)
    .await
}

/// A page of the list for `f` or, when a word matches nothing and its correction finds something, for
/// the corrected words: `f` then holds them, so that what follows uses them too. A word that matches
/// nothing and has no correction spares the list query: it would find nothing.
pub async fn list_correcting(
    conn: &mut PgConnection,
    f: &mut ListFilter,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ListRow>, Vec<Correction>)> {
    if f.words.is_empty() {
        return Ok((list::list(conn, f, sort, limit, offset).await?, Vec::new()));
    }
    match check_words(&mut *conn, &f.words, false).await? {
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

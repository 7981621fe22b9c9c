//! Import operations: reading an upload for its mapping page, and the validation and commit runs
//! (background jobs, or inline from the command line). Both runs check every row the same way; a
//! validation then writes the valid rows inside a savepoint it rolls back, so its counts are exactly
//! what a commit would do.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use sqlx::{Acquire, PgConnection};
use uuid::Uuid;

use super::kind::{self, Cell, CommitContext, ImportKind, Kind, Written};
use super::read::{self, Refusal, SheetChoice, Table};
use super::repo::{self, ImportRow, Outcome};
use super::report::refusal_arg;
use super::validate::{self, Problem, mapping_json, mapping_of, missing_columns};
use crate::audit::{self, Action, Actor, Changes, Entity, Event};
use crate::auth::domain::UserId;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::jobs::{self, Job, JobKind, Progress, Runner};

/// Rows shown on the mapping page.
pub const PREVIEW_ROWS: usize = 10;

/// Reads a file off the async runtime (it may take seconds for a large workbook).
pub async fn read_file(bytes: Arc<Vec<u8>>, sheet: Option<SheetChoice>) -> Result<Table, Refusal> {
    tokio::task::spawn_blocking(move || read::read(&bytes, sheet.as_ref()))
        .await
        .unwrap_or(Err(Refusal::XlsxDamaged))
}

/// Most columns a file may have: the kinds have at most 25 fields, and the mapping page offers every
/// column for each of them (a header row of 100,000 cells made a 95 MB page).
pub const MAX_COLUMNS: usize = 256;

/// Characters of a cell or header the mapping page's preview shows.
const PREVIEW_CHARS: usize = 120;

/// Whether a file read is one this kind can import: a catalog key and what it names when not.
pub fn assess(kind: &Kind, read: Result<Table, Refusal>) -> Result<Table, (&'static str, String)> {
    let table = read.map_err(|r| (r.key(), refusal_arg(&r)))?;
    if table.headers.len() > MAX_COLUMNS {
        return Err(("import.too_many_columns", MAX_COLUMNS.to_string()));
    }
    if validate::suggest(kind, &table.headers)
        .iter()
        .all(Option::is_none)
    {
        return Err(("import.no_known_column", String::new()));
    }
    Ok(table)
}

fn preview_text(cell: &str) -> String {
    match cell.char_indices().nth(PREVIEW_CHARS) {
        Some((at, _)) => format!("{}…", &cell[..at]),
        None => cell.to_owned(),
    }
}

/// Records what reading the uploaded file found: its headers, sheets and first rows with a suggested
/// mapping, or why it was refused. The import's version moves, so a mapping form shown for another
/// sheet is stale.
pub async fn record_read(
    conn: &mut PgConnection,
    import: Uuid,
    kind: &Kind,
    bytes: &[u8],
    read: Result<Table, Refusal>,
) -> AppResult<()> {
    let size = bytes.len() as i64;
    let table = match assess(kind, read) {
        Ok(t) => t,
        Err((key, arg)) => {
            repo::set_refused(conn, import, size, key, &arg).await?;
            return Ok(());
        }
    };
    let format = match table.format {
        read::Format::Csv => "csv",
        read::Format::Xlsx => "xlsx",
    };
    let headers: Vec<String> = table.headers.iter().map(|h| preview_text(h)).collect();
    let preview: Vec<Vec<String>> = table
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|r| r.cells.iter().map(|c| preview_text(c)).collect())
        .collect();
    let mapping = mapping_json(kind, &validate::suggest(kind, &table.headers));
    repo::set_read(
        conn,
        import,
        &repo::ReadFile {
            file_size: size,
            format,
            sheet: table.sheet.as_deref().unwrap_or(""),
            headers: json!(headers),
            sheets: json!(table.sheets),
            preview: json!(preview),
            row_count: table.rows.len() as i32,
            mapping,
        },
    )
    .await?;
    Ok(())
}

/// The sheet an import reads: by the name stored, or the first.
pub fn sheet_choice(row: &ImportRow) -> Option<SheetChoice> {
    (!row.sheet.is_empty()).then(|| SheetChoice::Name(row.sheet.clone()))
}

/// Escapes one value for `COPY … from stdin` in text format.
fn copy_escape(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

/// Loads the valid rows into the kind's temporary staging table with `COPY`, in batches of about
/// 1 MB so that the text never sits in memory whole.
async fn stage(
    conn: &mut PgConnection,
    kind: &Kind,
    rows: &[(u32, kind::Values)],
) -> sqlx::Result<()> {
    sqlx::query(kind.staging).execute(&mut *conn).await?;
    let mut copy = conn.copy_in_raw("copy import_staging from stdin").await?;
    let mut buf = String::with_capacity(1 << 20);
    for (number, values) in rows {
        buf.push_str(&number.to_string());
        for v in values {
            buf.push('\t');
            match v {
                Some(v) => copy_escape(&mut buf, v),
                None => buf.push_str("\\N"),
            }
        }
        buf.push('\n');
        if buf.len() >= 1 << 20 {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
            buf.reserve(1 << 20);
        }
    }
    if !buf.is_empty() {
        copy.send(buf.into_bytes()).await?;
    }
    copy.finish().await?;
    sqlx::query("analyze import_staging")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Where a run shows how far it has come.
#[derive(Clone, Copy)]
pub enum Report<'a> {
    /// In the job's progress row, for the page's bar.
    Job(&'a Progress),
    /// On the terminal (the command line), as a percentage.
    Terminal,
    None,
}

impl Report<'_> {
    /// Whether the run waits for another import of the tenant to finish (the command line), rather
    /// than stepping aside (a job).
    fn waits(self) -> bool {
        !matches!(self, Report::Job(_))
    }

    async fn show(self, pct: usize) {
        match self {
            Report::Job(p) => p.set(pct, 100).await,
            Report::Terminal => {
                use std::io::Write;
                let mut err = std::io::stderr();
                let _ = write!(err, "\r{pct:>3}%");
                if pct >= 100 {
                    let _ = writeln!(err);
                }
            }
            Report::None => {}
        }
    }
}

/// Takes the tenant's import lock for the transaction; false when `wait` is off and another import
/// of the tenant holds it.
async fn lock_tenant_imports(conn: &mut PgConnection, wait: bool) -> sqlx::Result<bool> {
    if wait {
        sqlx::query(
            "select pg_advisory_xact_lock(hashtextextended('import:' || app_tenant_id()::text, 0))",
        )
        .execute(conn)
        .await?;
        return Ok(true);
    }
    sqlx::query_scalar(
        "select pg_try_advisory_xact_lock(hashtextextended('import:' || app_tenant_id()::text, 0))",
    )
    .fetch_one(conn)
    .await
}

/// What a run found and did.
pub struct RunResult {
    pub outcome: Outcome,
    pub problems: Vec<Problem>,
    /// The file could no longer be read (it was read at upload; this is for the command line).
    pub refusal: Option<Refusal>,
    /// The changes to stored records as the report lists them (`repo::changes_written`).
    pub changes: Value,
}

/// Checks every row of the import and, unless `dry`, writes the valid ones — all in `conn`'s
/// transaction. A commit is refused (nothing written) when rows were rejected and the import does not
/// skip invalid rows. Records the outcome on the import.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    conn: &mut PgConnection,
    row: &ImportRow,
    dry: bool,
    by: Option<UserId>,
    now: DateTime<Utc>,
    today: NaiveDate,
    bytes: Arc<Vec<u8>>,
    report: Report<'_>,
) -> AppResult<RunResult> {
    let progress = async |pct: usize| report.show(pct).await;
    let kind = kind::of(row.kind);
    progress(5).await;
    let table = match read_file(bytes, sheet_choice(row)).await {
        Ok(t) => t,
        Err(refusal) => {
            return Ok(RunResult {
                outcome: Outcome::default(),
                problems: Vec::new(),
                refusal: Some(refusal),
                changes: Value::Array(Vec::new()),
            });
        }
    };
    progress(20).await;
    let mapping = mapping_of(kind, &row.mapping, table.headers.len());
    let refers = |cell: fn(&Cell) -> bool| {
        kind.columns
            .iter()
            .zip(&mapping)
            .any(|(c, m)| m.is_some() && cell(&c.cell))
    };
    // Imports of one tenant run one at a time: each reads the tenant's references and natural keys
    // as they are when it writes. A job finding another of its tenant's imports running steps aside
    // (the worker turns to other tenants' jobs and comes back); the command line waits.
    if !lock_tenant_imports(&mut *conn, report.waits()).await? {
        return Err(AppError::Conflict(jobs::BUSY));
    }
    let lookups = repo::lookups(
        &mut *conn,
        refers(|c| matches!(c, Cell::Branch)),
        refers(|c| matches!(c, Cell::Assignee)),
        refers(|c| matches!(c, Cell::Employer)),
    )
    .await?;
    let checked = {
        let headers = table.headers.clone();
        let mapping = mapping.clone();
        tokio::task::spawn_blocking(move || {
            validate::check(kind, &headers, &mapping, &table.rows, &lookups, today)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("checking rows: {e}")))?
    };
    progress(40).await;
    let mut problems = checked.problems;
    let mut rejected = checked.rejected;
    let valid = checked.valid.len();
    let blocked = !dry && rejected > 0 && !row.skip_invalid;
    let mut written = Written::default();
    let mut changes = Value::Array(Vec::new());
    let mut renamed = 0;
    let mut refused_whole = false;
    if !blocked && valid > 0 {
        let mut savepoint = conn.begin().await?;
        stage(&mut savepoint, kind, &checked.valid).await?;
        drop(checked.valid);
        progress(60).await;
        let ctx = CommitContext {
            import: row.id,
            by,
            given: kind
                .columns
                .iter()
                .zip(&mapping)
                .filter(|(_, m)| m.is_some())
                .map(|(c, _)| c.field.to_owned())
                .collect(),
            now,
            today,
        };
        // The upserts join their CTEs (file rows, the rows that change, what was written), which
        // carry no statistics: planned as nested loops over 100,000 rows each they took over a
        // minute; as hash joins, a few seconds. Their estimated cost then passes every JIT
        // threshold, and compiling one upsert took 3.6 s of a 5 s re-import (auto_explain): a
        // statement run once gains nothing from it. Local to this savepoint.
        sqlx::query(
            "select set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)",
        )
        .execute(&mut *savepoint)
        .await?;
        match kind.upsert.run(&mut savepoint, &ctx).await {
            Ok(w) => {
                written = w;
                // Only updates have changes to list (a new record's fields were nothing before).
                if written.updated > 0 {
                    let w = repo::changes_written(&mut savepoint, now).await?;
                    changes = w.changes;
                    renamed = w.renamed as i32;
                }
            }
            // A rule over the whole file (a loop of subsidiaries): nothing is written.
            Err(AppError::Conflict(key)) => {
                refused_whole = true;
                problems.push(Problem {
                    row: 0,
                    column: String::new(),
                    value: String::new(),
                    message: key,
                    arg: String::new(),
                });
                // Every row is rejected when the file is refused whole.
                rejected += valid;
            }
            Err(e) => return Err(e),
        }
        if dry || refused_whole {
            savepoint.rollback().await?;
        } else {
            savepoint.commit().await?;
        }
    }
    progress(90).await;
    let committed = !dry && !blocked && !refused_whole;
    let outcome = Outcome {
        inserted: written.inserted as i32,
        updated: written.updated as i32,
        unchanged: if refused_whole {
            0
        } else {
            (valid as i64 - written.inserted - written.updated).max(0) as i32
        },
        rejected: rejected as i32,
        problem_count: problems.len() as i32,
        blocked: blocked || (!dry && refused_whole),
        renamed,
    };
    repo::replace_problems(&mut *conn, row.id, &problems).await?;
    repo::set_changes(&mut *conn, row.id, &changes).await?;
    let state = if committed { "committed" } else { "validated" };
    repo::record_outcome(&mut *conn, row.id, state, &outcome, by, now).await?;
    if committed {
        // The admin who queued the commit, or the command line.
        let actor = match by {
            Some(u) => Actor {
                user: Some(u),
                label: String::new(),
                ..Actor::cli()
            },
            None => Actor::cli(),
        };
        audit::repo::record(
            &mut *conn,
            now,
            &actor,
            Event::new(Action::ImportCommitted, Entity::Import, Some(row.id)).with(
                Changes::new()
                    .created("kind", row.kind.as_str())
                    .created("file", &row.file_name)
                    .created("inserted", outcome.inserted)
                    .created("updated", outcome.updated)
                    .created("unchanged", outcome.unchanged)
                    .created("rejected", outcome.rejected),
            ),
        )
        .await?;
    }
    progress(100).await;
    Ok(RunResult {
        outcome,
        problems,
        refusal: None,
        changes,
    })
}

/// Runs import jobs for the worker (`jobs::worker`).
pub struct ImportJobs {
    pub clock: Clock,
}

impl Runner for ImportJobs {
    fn run<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        job: &'a Job,
        progress: &'a Progress,
    ) -> jobs::worker::BoxFuture<'a, AppResult<()>> {
        Box::pin(async move {
            let id = job.subject.ok_or(AppError::NotFound)?;
            let Some(row) = repo::find(&mut *conn, id).await? else {
                return Ok(());
            };
            let dry = job.kind == JobKind::ImportValidate;
            let expected = if dry { "validating" } else { "committing" };
            if row.state != expected {
                return Ok(());
            }
            let tz: chrono_tz::Tz = crate::tenancy::repo::settings(&mut *conn)
                .await?
                .timezone
                .parse()
                .unwrap_or(chrono_tz::Asia::Jakarta);
            let now = self.clock.now();
            let today = now.with_timezone(&tz).date_naive();
            let bytes = Arc::new(repo::file(&mut *conn, id).await?);
            let result = run(
                conn,
                &row,
                dry,
                job.created_by,
                now,
                today,
                bytes,
                Report::Job(progress),
            )
            .await?;
            if let Some(refusal) = result.refusal {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "the stored file no longer reads: {}",
                    refusal.key()
                )));
            }
            Ok(())
        })
    }

    fn failed<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        job: &'a Job,
    ) -> jobs::worker::BoxFuture<'a, AppResult<()>> {
        Box::pin(async move {
            if let Some(id) = job.subject {
                sqlx::query(
                    "update imports set state = 'failed', version = version + 1 where id = $1",
                )
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }
}

/// Queues a validation (after the mapping was confirmed) or a commit.
pub async fn queue(
    conn: &mut PgConnection,
    import: Uuid,
    kind: JobKind,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    jobs::repo::enqueue(conn, kind, Some(import), by, now).await?;
    Ok(())
}

/// The kind an import page names in its URL or form.
pub fn kind_of(code: &str) -> Option<&'static Kind> {
    ImportKind::parse(code).ok().map(kind::of)
}

/// What the command line imported.
pub enum Inline {
    /// The file was refused (the history keeps it): the catalog key and what it names.
    Refused {
        key: &'static str,
        arg: String,
    },
    Ran {
        import: Uuid,
        result: RunResult,
    },
}

/// The command line's import: upload, mapping as suggested, then validation (`dry`) or commit in
/// one run, with the same checks, report and semantics as the pages.
#[allow(clippy::too_many_arguments)]
pub async fn import_inline(
    pool: &sqlx::PgPool,
    tenant: crate::tenancy::domain::TenantId,
    kind: &'static Kind,
    file_name: &str,
    bytes: Vec<u8>,
    sheet: Option<SheetChoice>,
    dry: bool,
    skip_invalid: bool,
    clock: &Clock,
) -> AppResult<Inline> {
    let now = clock.now();
    let id = Uuid::new_v4();
    let bytes = Arc::new(bytes);
    let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
    repo::create(&mut tx, id, kind.kind, file_name, None, now).await?;
    for (seq, chunk) in bytes.chunks(1 << 20).enumerate() {
        repo::add_chunk(&mut tx, id, seq as i32, chunk).await?;
    }
    let read = read_file(bytes.clone(), sheet).await;
    record_read(&mut tx, id, kind, &bytes, read).await?;
    let row = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if row.state == "refused" {
        tx.commit().await?;
        let key = crate::web::i18n::known_key(&row.refusal).unwrap_or("import.file_unknown_format");
        return Ok(Inline::Refused {
            key,
            arg: row.refusal_arg,
        });
    }
    let mapping = mapping_of(
        kind,
        &row.mapping,
        row.headers.as_array().map_or(0, Vec::len),
    );
    let missing = missing_columns(kind, &mapping);
    if !missing.is_empty() {
        let names: Vec<&str> = missing
            .iter()
            .map(|k| crate::web::i18n::Lang::En.t(k))
            .collect();
        repo::set_refused(
            &mut tx,
            id,
            bytes.len() as i64,
            "import.columns_missing",
            &names.join(", "),
        )
        .await?;
        tx.commit().await?;
        return Ok(Inline::Refused {
            key: "import.columns_missing",
            arg: names.join(", "),
        });
    }
    repo::set_skip_invalid(&mut tx, id, skip_invalid).await?;
    let to = if dry { "validating" } else { "committing" };
    repo::advance(&mut tx, id, &["mapping"], to, row.version, now).await?;
    let row = repo::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;

    let mut tx = crate::db::tenant_tx(pool, tenant, None).await?;
    let tz: chrono_tz::Tz = crate::tenancy::repo::settings(&mut tx)
        .await?
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Jakarta);
    let today = now.with_timezone(&tz).date_naive();
    let report = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        Report::Terminal
    } else {
        Report::None
    };
    let result = run(&mut tx, &row, dry, None, now, today, bytes, report).await?;
    tx.commit().await?;
    Ok(Inline::Ran { import: id, result })
}

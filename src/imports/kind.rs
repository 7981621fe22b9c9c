//! What an import kind is: a declarative description of its columns (how each cell reads, its header
//! synonyms in both languages), its natural key, its staging table and its upsert statement. Adding a
//! kind is one such description in the module that owns the table, listed in `KINDS`
//! (docs/imports.md, "Adding a kind").

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::domain::UserId;
use crate::error::AppResult;
use crate::text_enum::TextEnum;

crate::text_enum!(ImportKind, "import.kind_invalid", {
    Employers = "employers" => "import.kind.employers",
    KeyPersons = "key_persons" => "import.kind.key_persons",
    Contributions = "contributions" => "import.kind.contributions",
    BranchOffices = "branch_offices" => "import.kind.branch_offices",
    SupplyChainLinks = "supply_chain_links" => "import.kind.supply_chain_links",
    Holidays = "holidays" => "import.kind.holidays",
});

/// How a column's cells read, and what the staging table receives (its COPY text).
#[derive(Clone, Copy)]
pub enum Cell {
    /// One line of text, at most `max` characters; empty is "".
    Text { max: usize },
    /// Several lines (an address, notes), at most `max` characters; empty is "".
    Notes { max: usize },
    /// An NPP: 8 digits; fewer are padded with zeros (spreadsheets drop leading zeros).
    Npp,
    /// The division code after an NPP.
    DivisionCode,
    /// An NPWP in 16 digits or 15 with or without punctuation; empty is none.
    Npwp,
    /// A NIB: 13 digits; empty is none.
    Nib,
    /// An Indonesian phone number, normalised to +62…; empty is none.
    Phone,
    /// An email address, lowercased; empty is none.
    Email,
    /// An ISO 3166 alpha-2 country code; empty is none.
    Country,
    /// A branch office's own code (the branch offices kind's key).
    BranchCode,
    /// One value of a closed set, by its code or its Indonesian or English name; empty is none.
    Choice(Choices),
    /// Several values of a closed set, separated by commas, semicolons or slashes.
    ChoiceList(Choices),
    /// A day: DD/MM/YYYY, YYYY-MM-DD or an Excel serial; empty is none.
    Date,
    /// A month: MM/YYYY, YYYY-MM, a month name and year, or any day of it.
    Period,
    /// Rupiah, never negative: 1.234.567,89, 1,234,567.89, Rp 1.234.567; empty is none.
    Money,
    /// A whole number of people, never negative; empty is none.
    Count,
    /// A whole number from 1 to 5; empty is none.
    Score,
    /// Yes or no: ya/tidak, yes/no, y/n, 1/0, x; empty is none.
    YesNo,
    /// A branch office by its code → its id.
    Branch,
    /// A person who may hold a portfolio, by email → their id.
    Assignee,
    /// An employer of the tenant by NPP (with its division: 12345678-01) → its id.
    Employer,
}

/// The values of a closed set with their catalog keys, and extra words people use for them.
#[derive(Clone, Copy)]
pub struct Choices {
    pub values: fn() -> Vec<(&'static str, &'static str)>,
    /// (word, code): abbreviations and older names found in files (`PMDN`, `Swasta`).
    pub also: &'static [(&'static str, &'static str)],
}

/// The codes and catalog keys of a `text_enum!` set.
pub fn values_of<T: TextEnum>() -> Vec<(&'static str, &'static str)> {
    T::all().iter().map(|v| (v.code(), v.label())).collect()
}

/// One column of a kind.
pub struct Column {
    /// The field's name: the mapping's key and the staging table's column.
    pub field: &'static str,
    /// The catalog key of the column's name on pages and in templates.
    pub label: &'static str,
    /// Headers that mean this column, Indonesian and English (matched ignoring case, spaces and
    /// punctuation). The first is the template's header.
    pub headers: &'static [&'static str],
    pub cell: Cell,
    /// The file must have this column.
    pub required: bool,
    /// Every row must give a value (when the column is mapped).
    pub value_required: bool,
}

impl Column {
    /// An optional column.
    pub const fn new(
        field: &'static str,
        label: &'static str,
        headers: &'static [&'static str],
        cell: Cell,
    ) -> Column {
        Column {
            field,
            label,
            headers,
            cell,
            required: false,
            value_required: false,
        }
    }

    /// A column the file must have, with a value in every row.
    pub const fn required(self) -> Column {
        Column {
            required: true,
            value_required: true,
            ..self
        }
    }
}

/// A row as read: each column's staging text by position in `Kind::columns`; None is NULL (an empty
/// cell of an optional value, or a column the file does not have).
pub type Values = Vec<Option<String>>;

/// What an import's statements need besides the staging table.
pub struct CommitContext {
    pub import: Uuid,
    pub by: Option<UserId>,
    /// Fields the file gives. The others keep their stored values on update and take their defaults
    /// on insert.
    pub given: Vec<String>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// Rows written by an upsert. Unchanged rows are the valid rows minus these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub inserted: i64,
    pub updated: i64,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An import kind.
pub struct Kind {
    pub kind: ImportKind,
    pub columns: &'static [Column],
    /// The natural key of a row (for duplicates inside the file); None when the row has none.
    pub key: fn(&Kind, &Values) -> Option<String>,
    /// Rules across a row's fields (and today's date): (field, message key) for each broken one.
    pub rules: fn(&Kind, &Values, NaiveDate) -> Vec<(&'static str, &'static str)>,
    /// `create temp table import_staging (row_number integer, <one column per field, in order>)`.
    pub staging: &'static str,
    /// Writes the staging table's rows into the kind's table, set-based, with an audit event per
    /// changed record.
    pub upsert: Upsert,
}

/// How a kind writes its staging table's rows.
pub enum Upsert {
    /// One statement taking the usual parameters (`upsert_rows`).
    Statement(&'static str),
    /// Work around the statement (a lock, due dates, a loop check), in the kind's own function.
    Custom(
        for<'a> fn(&'a mut PgConnection, &'a CommitContext) -> BoxFuture<'a, AppResult<Written>>,
    ),
}

impl Upsert {
    pub async fn run(&self, conn: &mut PgConnection, ctx: &CommitContext) -> AppResult<Written> {
        match self {
            Upsert::Statement(statement) => Ok(upsert_rows(conn, statement, ctx).await?),
            Upsert::Custom(write) => write(conn, ctx).await,
        }
    }
}

impl Kind {
    pub fn position(&self, field: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.field == field)
    }

    /// The value of `field` in `row`.
    pub fn get<'r>(&self, row: &'r Values, field: &str) -> Option<&'r str> {
        self.position(field)
            .and_then(|i| row.get(i))
            .and_then(|v| v.as_deref())
    }
}

/// Runs a kind's upsert statement with the parameters every kind's statement takes — `$1` the fields
/// the file gives (`text[]`), `$2` now, `$3` the acting user (null from the command line), `$4`
/// today — and reads its one row of (inserted, updated) counts.
pub async fn upsert_rows(
    conn: &mut PgConnection,
    statement: &'static str,
    ctx: &CommitContext,
) -> sqlx::Result<Written> {
    let (inserted, updated): (i64, i64) = sqlx::query_as(statement)
        .bind(&ctx.given)
        .bind(ctx.now)
        .bind(ctx.by.map(|u| u.0))
        .bind(ctx.today)
        .fetch_one(conn)
        .await?;
    Ok(Written { inserted, updated })
}

/// No rules across fields.
pub fn no_rules(_: &Kind, _: &Values, _: NaiveDate) -> Vec<(&'static str, &'static str)> {
    Vec::new()
}

/// The key made of `fields`' values, when all are present.
pub fn key_of(kind: &Kind, row: &Values, fields: &[&str]) -> Option<String> {
    let mut key = String::new();
    for f in fields {
        key.push_str(kind.get(row, f)?);
        key.push('\u{1f}');
    }
    Some(key)
}

/// Every kind, in the order the import page offers them.
pub fn all() -> [&'static Kind; 6] {
    [
        &crate::employers::import::KIND,
        &crate::key_persons::import::KIND,
        &crate::contributions::import::KIND,
        &crate::branches::import::KIND,
        &crate::supply_chain::import::KIND,
        &crate::working_days::import::KIND,
    ]
}

pub fn of(kind: ImportKind) -> &'static Kind {
    all()
        .into_iter()
        .find(|k| k.kind == kind)
        .expect("every import kind is described")
}

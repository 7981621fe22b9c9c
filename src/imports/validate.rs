//! Checking every row of a file against its kind: each mapped cell read by its column's rule, values
//! every row must give, the kind's rules across fields, duplicate keys inside the file, and references
//! to branch offices, people and employers of the tenant. Pure: the tenant's references come in as
//! `Lookups`, read by the caller in its transaction.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use uuid::Uuid;

use super::kind::{Cell, Choices, Kind, Values};
use super::read::Row;
use super::values;
use crate::web::i18n::Lang;

/// One problem of one row: the file's row number, the column's header as written, the value, and a
/// catalog key (with what it names, such as the row a duplicate first appeared in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub message: &'static str,
    pub arg: String,
}

/// A value outside a closed set.
pub const UNKNOWN_VALUE: &str = "import.value_unknown";

/// The tenant's references, by the text a file names them with.
#[derive(Default)]
pub struct Lookups {
    /// Branch office code → id.
    pub branches: HashMap<String, Uuid>,
    /// Email (lowercase) of a person who may hold a portfolio → id.
    pub assignees: HashMap<String, Uuid>,
    /// NPP as written (`12345678` or `12345678-01`) → employer id.
    pub employers: HashMap<String, Uuid>,
}

/// Which header of the file each column of the kind reads, by position in `Kind::columns`.
pub type Mapping = Vec<Option<usize>>;

/// The outcome of checking every row.
pub struct Checked {
    /// Rows without a problem: their number and values.
    pub valid: Vec<(u32, Values)>,
    pub problems: Vec<Problem>,
    /// Rows with at least one problem.
    pub rejected: usize,
}

/// The mapping a file's headers suggest: each column takes the first header that is one of its
/// synonyms (ignoring case, spaces and punctuation), each header at most once.
pub fn suggest(kind: &Kind, headers: &[String]) -> Mapping {
    let keys: Vec<String> = headers.iter().map(|h| values::label_key(h)).collect();
    let mut taken = vec![false; headers.len()];
    kind.columns
        .iter()
        .map(|c| {
            let synonyms: Vec<String> = c.headers.iter().map(|h| values::label_key(h)).collect();
            let found = keys
                .iter()
                .enumerate()
                .position(|(i, k)| !taken[i] && !k.is_empty() && synonyms.contains(k));
            if let Some(i) = found {
                taken[i] = true;
            }
            found
        })
        .collect()
}

/// Words that name each value of a closed set: its code, its names in both catalogs, the parts of a
/// name around a slash or in brackets ("Asing (PMA)" → "asing", "pma"), and the set's extra words.
/// A word two values share is dropped: it names neither.
fn words_of(choices: &Choices) -> HashMap<String, &'static str> {
    let mut words: HashMap<String, Option<&'static str>> = HashMap::new();
    let mut add = |word: &str, code: &'static str| {
        let k = values::label_key(word);
        if k.is_empty() {
            return;
        }
        words
            .entry(k)
            .and_modify(|c| {
                if *c != Some(code) {
                    *c = None
                }
            })
            .or_insert(Some(code));
    };
    for (code, label) in (choices.values)() {
        add(code, code);
        for lang in Lang::ALL {
            let name = lang.t(label);
            add(name, code);
            for part in name.split(['(', ')', '/']) {
                add(part, code);
            }
        }
    }
    for (word, code) in choices.also {
        if let Some((c, _)) = (choices.values)().into_iter().find(|(c, _)| c == code) {
            add(word, c);
        }
    }
    words
        .into_iter()
        .filter_map(|(k, c)| c.map(|c| (k, c)))
        .collect()
}

/// Excel's error values, which a workbook's cells (a formula's last result) and its CSV exports carry
/// as text: never a value to import.
fn is_excel_error(raw: &str) -> bool {
    matches!(
        raw,
        "#N/A"
            | "#REF!"
            | "#VALUE!"
            | "#DIV/0!"
            | "#NAME?"
            | "#NULL!"
            | "#NUM!"
            | "#SPILL!"
            | "#CALC!"
            | "#GETTING_DATA"
            | "#FIELD!"
            | "#BLOCKED!"
            | "#CONNECT!"
            | "#UNKNOWN!"
    )
}

/// Reads one cell by its column's rule into the staging table's text; None is NULL.
pub fn read_cell(
    cell: Cell,
    raw: &str,
    words: Option<&HashMap<String, &'static str>>,
    lookups: &Lookups,
) -> Result<Option<String>, &'static str> {
    use crate::employers::domain as e;
    use crate::web::forms;
    let raw = raw.trim();
    if is_excel_error(raw) {
        return Err("import.excel_error");
    }
    let empty = raw.is_empty();
    let some = |s: String| Ok(Some(s));
    match cell {
        Cell::Text { max } => forms::optional_text(raw, max).map(Some),
        Cell::Notes { max } => forms::multiline_text(raw, max).map(Some),
        _ if empty => Ok(None),
        Cell::Npp => {
            let digits = if raw.len() < 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
                format!("{raw:0>8}")
            } else {
                raw.to_owned()
            };
            e::Npp::parse(&digits).map(|n| Some(n.as_str().to_owned()))
        }
        Cell::DivisionCode => e::DivisionCode::parse(raw).map(|d| Some(d.as_str().to_owned())),
        Cell::Npwp => e::Npwp::parse(raw).map(|n| Some(n.as_str().to_owned())),
        Cell::Nib => e::Nib::parse(raw).map(|n| Some(n.as_str().to_owned())),
        Cell::Phone => e::PhoneNumber::parse(raw).map(|n| Some(n.as_str().to_owned())),
        Cell::Email => crate::auth::domain::Email::parse(raw).map(|n| Some(n.as_str().to_owned())),
        Cell::Country => e::CountryCode::parse(raw).map(|n| Some(n.as_str().to_owned())),
        Cell::BranchCode => {
            crate::branches::domain::BranchCode::parse(raw).map(|n| Some(n.as_str().to_owned()))
        }
        Cell::Choice(_) => {
            let words = words.expect("a choice column has its words");
            match words.get(&values::label_key(raw)) {
                Some(code) => some((*code).to_owned()),
                None => Err(UNKNOWN_VALUE),
            }
        }
        Cell::ChoiceList(_) => {
            let words = words.expect("a choice column has its words");
            let mut codes: Vec<&str> = Vec::new();
            for part in raw.split([',', ';', '/', '|']) {
                if part.trim().is_empty() {
                    continue;
                }
                match words.get(&values::label_key(part)) {
                    Some(code) if !codes.contains(code) => codes.push(code),
                    Some(_) => {}
                    None => return Err(UNKNOWN_VALUE),
                }
            }
            // The staging column is text[]: COPY reads `{A,B}`; the codes are plain words.
            some(format!("{{{}}}", codes.join(",")))
        }
        Cell::Date => match values::date(raw) {
            Some(d) => forms::plausible(d).map(|d| Some(d.to_string())),
            None => Err("import.date_invalid"),
        },
        Cell::Period => match values::period(raw) {
            Some(d) if (1990..=2100).contains(&chrono::Datelike::year(&d)) => some(d.to_string()),
            _ => Err("contribution.period_invalid"),
        },
        Cell::Money => crate::contributions::domain::parse_money(raw).map(|d| Some(d.to_string())),
        Cell::Count => match values::integer(raw) {
            Some(n) if (0..=10_000_000).contains(&n) => some(n.to_string()),
            _ => Err("error.number_invalid"),
        },
        Cell::Score => match values::integer(raw) {
            Some(n) if (1..=5).contains(&n) => some(n.to_string()),
            _ => Err("import.score_invalid"),
        },
        Cell::YesNo => match values::label_key(raw).as_str() {
            "ya" | "y" | "yes" | "1" | "x" | "true" | "benar" => some("t".into()),
            "tidak" | "t" | "no" | "n" | "0" | "false" | "salah" => some("f".into()),
            _ => Err("import.yes_no_invalid"),
        },
        Cell::Branch => match lookups.branches.get(&raw.to_ascii_uppercase()) {
            Some(id) => some(id.to_string()),
            None => Err("import.branch_unknown"),
        },
        Cell::Assignee => match lookups.assignees.get(&raw.to_lowercase()) {
            Some(id) => some(id.to_string()),
            None => Err("import.assignee_unknown"),
        },
        Cell::Employer => {
            let npp = match raw.split_once('-') {
                Some((n, d)) if n.len() < 8 && n.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("{n:0>8}-{d}")
                }
                None if raw.len() < 8 && raw.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("{raw:0>8}")
                }
                _ => raw.to_owned(),
            };
            match lookups.employers.get(&npp) {
                Some(id) => some(id.to_string()),
                None => Err("import.employer_unknown"),
            }
        }
    }
}

/// Checks every row. `headers` are the file's, for the report's column names.
pub fn check(
    kind: &Kind,
    headers: &[String],
    mapping: &Mapping,
    rows: &[Row],
    lookups: &Lookups,
    today: chrono::NaiveDate,
) -> Checked {
    let words: Vec<Option<HashMap<String, &'static str>>> = kind
        .columns
        .iter()
        .map(|c| match c.cell {
            Cell::Choice(ch) | Cell::ChoiceList(ch) => Some(words_of(&ch)),
            _ => None,
        })
        .collect();
    // The file's header of a column; for a field the file does not have (a rule across fields may
    // name one), its catalog label, which the report translates.
    let header_of = |i: usize| -> String {
        mapping[i]
            .and_then(|h| headers.get(h).cloned())
            .unwrap_or_else(|| kind.columns[i].label.to_owned())
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    let mut rejected = 0;
    for row in rows {
        let before = problems.len();
        let mut values: Values = vec![None; kind.columns.len()];
        for (i, column) in kind.columns.iter().enumerate() {
            let Some(h) = mapping[i] else { continue };
            let raw = row.cells.get(h).map(String::as_str).unwrap_or("");
            if column.value_required && raw.trim().is_empty() {
                problems.push(Problem {
                    row: row.number,
                    column: header_of(i),
                    value: String::new(),
                    message: "error.required",
                    arg: String::new(),
                });
                continue;
            }
            match read_cell(column.cell, raw, words[i].as_ref(), lookups) {
                Ok(v) => values[i] = v,
                Err(message) => problems.push(Problem {
                    row: row.number,
                    column: header_of(i),
                    value: shorten(raw),
                    message,
                    // A value outside a closed set names its field, so the report can list the
                    // values the field takes (`report::problem_message`).
                    arg: if message == UNKNOWN_VALUE {
                        column.field.to_owned()
                    } else {
                        String::new()
                    },
                }),
            }
        }
        if problems.len() == before {
            for (field, message) in (kind.rules)(kind, &values, today) {
                let i = kind.position(field).unwrap_or(0);
                // The cell as the file has it, which the admin can find.
                let raw = mapping[i]
                    .and_then(|h| row.cells.get(h))
                    .map(String::as_str)
                    .unwrap_or("");
                problems.push(Problem {
                    row: row.number,
                    column: header_of(i),
                    value: shorten(raw),
                    message,
                    arg: String::new(),
                });
            }
        }
        if problems.len() == before
            && let Some(key) = (kind.key)(kind, &values)
        {
            if let Some(first) = seen.get(&key) {
                let i = mapping.iter().position(Option::is_some).unwrap_or(0);
                problems.push(Problem {
                    row: row.number,
                    column: header_of(i),
                    value: shorten(key.replace('\u{1f}', " ").trim()),
                    message: "import.duplicate_key",
                    arg: first.to_string(),
                });
            } else {
                seen.insert(key, row.number);
            }
        }
        if problems.len() == before {
            valid.push((row.number, values));
        } else {
            rejected += 1;
        }
    }
    Checked {
        valid,
        problems,
        rejected,
    }
}

/// A value as the report shows it: at most 200 characters.
fn shorten(value: &str) -> String {
    match value.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_owned(),
    }
}

/// A mapping as stored: field → header position.
pub fn mapping_json(kind: &Kind, mapping: &Mapping) -> Value {
    let map: BTreeMap<&str, usize> = kind
        .columns
        .iter()
        .zip(mapping)
        .filter_map(|(c, m)| m.map(|m| (c.field, m)))
        .collect();
    json!(map)
}

/// A stored mapping, read against the file's `headers`: positions beyond them are dropped.
pub fn mapping_of(kind: &Kind, stored: &Value, headers: usize) -> Mapping {
    kind.columns
        .iter()
        .map(|c| {
            stored
                .get(c.field)
                .and_then(Value::as_u64)
                .map(|n| n as usize)
                .filter(|n| *n < headers)
        })
        .collect()
}

/// The required columns a mapping leaves out (their catalog keys).
pub fn missing_columns(kind: &Kind, mapping: &Mapping) -> Vec<&'static str> {
    kind.columns
        .iter()
        .zip(mapping)
        .filter(|(c, m)| c.required && m.is_none())
        .map(|(c, _)| c.label)
        .collect()
}

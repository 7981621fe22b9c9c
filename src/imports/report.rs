//! How an import's report and progress read: what a refusal names, a problem's column and its message,
//! the step a run is at, in the reader's language (the pages, the problems CSV and the command line
//! share them).

use super::kind::{Cell, Kind};
use super::read::Refusal;
use super::validate;
use crate::web::i18n::Lang;

/// What a refusal's message names: the sheet asked for, or the record that cannot be read.
pub fn refusal_arg(refusal: &Refusal) -> String {
    match refusal {
        Refusal::SheetNotFound { choice, .. } => choice.to_string(),
        Refusal::CsvUnreadable { record } => record.to_string(),
        _ => String::new(),
    }
}

/// A problem's column: the file's header, or a field's name (a catalog key) for a field the file
/// does not have.
pub fn column_name(lang: Lang, column: &str) -> String {
    match crate::web::i18n::known_key(column) {
        Some(key) if key.contains('.') && !column.contains(' ') => lang.t(key).to_owned(),
        _ => column.to_owned(),
    }
}

/// A problem's message in `lang`. A value outside a closed set lists the values its field takes
/// (in `lang`'s names); a duplicate names the row the key first appeared in.
pub fn problem_message(lang: Lang, kind: &Kind, message: &str, arg: &str) -> String {
    if message == validate::UNKNOWN_VALUE {
        let choices = kind
            .columns
            .iter()
            .find(|c| c.field == arg)
            .and_then(|c| match &c.cell {
                Cell::Choice(ch) | Cell::ChoiceList(ch) => Some(ch),
                _ => None,
            });
        if let Some(ch) = choices {
            let names: Vec<&str> = (ch.values)()
                .into_iter()
                .map(|(_, label)| lang.t(label))
                .collect();
            return lang.tf(
                "import.value_unknown_one_of",
                &[("values", &names.join(", "))],
            );
        }
    }
    if arg.is_empty() {
        lang.t(message).to_owned()
    } else {
        lang.tf(message, &[("row", arg)])
    }
}

/// The steps of a run as its progress bar names them, each with the percentage `service::run`
/// reports as it starts: reading the file, checking every row, loading the valid rows, writing them
/// (in a check, a write that is rolled back), and keeping the report.
const STEPS: [(i64, &str, &str); 5] = [
    (0, "import.step.reading", "import.step.reading"),
    (20, "import.step.checking", "import.step.checking"),
    (40, "import.step.loading", "import.step.loading"),
    (60, "import.step.trying", "import.step.writing"),
    (90, "import.step.reporting", "import.step.reporting"),
];

/// The step a run is at: its number (from 1), how many there are, and its label (for a check when
/// `dry`, else for a commit).
pub fn step_at(percent: i64, dry: bool) -> (usize, usize, &'static str) {
    let n = STEPS
        .iter()
        .rposition(|(from, _, _)| percent >= *from)
        .unwrap_or(0);
    let (_, check, commit) = STEPS[n];
    (n + 1, STEPS.len(), if dry { check } else { commit })
}

#[cfg(test)]
mod tests {
    use super::step_at;

    #[test]
    fn the_progress_names_the_step_a_run_is_at() {
        assert_eq!(step_at(0, true), (1, 5, "import.step.reading"));
        assert_eq!(step_at(20, false), (2, 5, "import.step.checking"));
        assert_eq!(step_at(65, true), (4, 5, "import.step.trying"));
        assert_eq!(step_at(65, false), (4, 5, "import.step.writing"));
        assert_eq!(step_at(100, false), (5, 5, "import.step.reporting"));
    }
}

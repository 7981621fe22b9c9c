//! How an import's report reads: what a refusal names, a problem's column and its message, in the
//! reader's language (the pages, the problems CSV and the command line share them).

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

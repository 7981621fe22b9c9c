//! Reading cell values: the text of one cell, as `read` hands it over, into a date, a period, an amount
//! or a label key. Every function here is total — any string, however odd, gives `None` (or a key)
//! and never a panic — because cells come straight from files people made by hand.
//!
//! The formats are the ones Indonesian spreadsheets produce (`31/12/2026`, `1.234.567,89`,
//! `Rp 1.234.567,-`, `Agustus 2026`), the ones English spreadsheets produce (`1,234,567.89`,
//! `Aug 2026`), and the ones the XLSX reader writes for typed cells (`2026-12-31`, `1234567.89`,
//! Excel serial numbers when a date lost its format).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Characters a spreadsheet pads cells with besides the ASCII ones: non-breaking spaces (Excel's
/// accounting format and web copy-paste put them in), the narrow and thin spaces some locales use to
/// group digits, and the zero-width ones copy-paste leaves behind.
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}')
}

/// `cell` without surrounding blanks, as [`is_blank`] defines them.
pub(crate) fn trim(cell: &str) -> &str {
    cell.trim_matches(is_blank)
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// The last serial number Excel can show as a date: 9999-12-31.
const EXCEL_MAX_SERIAL: u32 = 2_958_465;

/// A day from a cell, in one of these forms:
///
/// - `DD/MM/YYYY` or `D/M/YYYY`, also with `-` or `.` (`31-12-2026`, `31.12.2026`) — the day always
///   comes first: an Indonesian file never writes the month first, and a date such as `04/05/2026`
///   cannot tell us otherwise, so `MM/DD/YYYY` is never guessed. Two-digit years are refused (which
///   century?).
/// - `YYYY-MM-DD` (also `YYYY/MM/DD`), possibly followed by a time part (`2026-12-31T00:00:00`,
///   `2026-12-31 00:00:00`) as the XLSX reader and database exports write it; the time is ignored.
/// - A day with a month name: `31 Desember 2026`, `31-Dec-2026`, `1 Agt 2026`.
/// - An Excel serial number, whole or with a time fraction (`46022`, `46022.5`): a date cell whose
///   format was lost on the way (copied as values, saved as CSV by a script). Excel counts 1 as
///   1900-01-01 and believes 1900-02-29 existed (serial 60), so serial 60 is refused and serials
///   below it are shifted by one day.
///
/// Impossible days (`31/02/2026`) are refused.
pub fn date(cell: &str) -> Option<NaiveDate> {
    let s = trim(cell);
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    day_first(s)
        .or_else(|| year_first(s))
        .or_else(|| with_month_name(s))
        .or_else(|| excel_serial(s))
}

/// Splits `s` into its digit runs and the separators between them: `31/12/2026` → (["31", "12",
/// "2026"], ['/', '/']); `None` when any other character appears.
fn numeric_parts(s: &str) -> Option<(Vec<&str>, Vec<char>)> {
    let mut parts = Vec::with_capacity(3);
    let mut seps = Vec::with_capacity(2);
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            continue;
        }
        if !matches!(c, '/' | '-' | '.') {
            return None;
        }
        parts.push(&s[start..i]);
        seps.push(c);
        start = i + c.len_utf8();
    }
    parts.push(&s[start..]);
    Some((parts, seps))
}

fn number(part: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if part.len() < min_len || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// `D/M/YYYY` with one separator kind used twice.
fn day_first(s: &str) -> Option<NaiveDate> {
    let s = without_time(s, 10);
    let (parts, seps) = numeric_parts(s)?;
    if parts.len() != 3 || seps[0] != seps[1] {
        return None;
    }
    let day = number(parts[0], 1, 2)?;
    let month = number(parts[1], 1, 2)?;
    let year = number(parts[2], 4, 4)?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `YYYY-MM-DD` (or `/`, `.`), with an optional time part after it.
fn year_first(s: &str) -> Option<NaiveDate> {
    let s = without_time(s, 10);
    let (parts, seps) = numeric_parts(s)?;
    if parts.len() != 3 || seps[0] != seps[1] {
        return None;
    }
    let year = number(parts[0], 4, 4)?;
    let month = number(parts[1], 1, 2)?;
    let day = number(parts[2], 1, 2)?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `s` without a trailing time part (`T12:00:00`, ` 00:00:00`, ` 00.00`, `Z`, `+07:00`), found
/// after a date of at least `min_date_len - 2` characters. A part that is not time-shaped is kept,
/// so the date parser that follows refuses the whole cell.
fn without_time(s: &str, min_date_len: usize) -> &str {
    let Some(at) = s.find(['T', ' ']) else {
        return s;
    };
    if at + 2 < min_date_len {
        return s;
    }
    let time = s[at + 1..].trim_start();
    let time_shaped = !time.is_empty()
        && time.starts_with(|c: char| c.is_ascii_digit())
        && time
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | 'Z' | '+' | '-' | ' '));
    if time_shaped { &s[..at] } else { s }
}

/// `31 Desember 2026`, `31-Dec-2026`, `1 Agt. 2026`.
fn with_month_name(s: &str) -> Option<NaiveDate> {
    let mut words = s
        .split(|c: char| is_blank(c) || matches!(c, '-' | '/' | ','))
        .filter(|w| !w.is_empty());
    let day = number(words.next()?, 1, 2)?;
    let month = month_number(words.next()?)?;
    let year = number(words.next()?, 4, 4)?;
    if words.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// An Excel serial day number (1900 date system), with or without a time fraction.
fn excel_serial(s: &str) -> Option<NaiveDate> {
    let whole = match s.find(['.', ',']) {
        Some(at) => {
            let fraction = &s[at + 1..];
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            &s[..at]
        }
        None => s,
    };
    let serial = number(whole, 1, 7)?;
    serial_to_date(serial)
}

/// The day an Excel serial number (1900 date system) stands for; `None` outside 1..=9999-12-31 and
/// for serial 60, the 1900-02-29 that Lotus 1-2-3 invented and Excel kept.
pub(crate) fn serial_to_date(serial: u32) -> Option<NaiveDate> {
    if !(1..=EXCEL_MAX_SERIAL).contains(&serial) || serial == 60 {
        return None;
    }
    // From serial 61 on, counting from 1899-12-30 absorbs the phantom day; before it, 1899-12-31.
    let epoch = if serial > 60 {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    };
    epoch.checked_add_days(chrono::Days::new(u64::from(serial)))
}

// ---------------------------------------------------------------------------------------------
// Periods (months)
// ---------------------------------------------------------------------------------------------

/// The month number for an Indonesian or English month name or abbreviation, any case, with an
/// optional trailing dot. Includes the old Indonesian spellings `Pebruari` and `Nopember` and the
/// several abbreviations of Agustus (`Agu`, `Agt`, `Ags`, `Agus`) seen in real files.
fn month_number(word: &str) -> Option<u32> {
    let word = word.strip_suffix('.').unwrap_or(word);
    if word.len() > 10 {
        return None;
    }
    let lower = word.to_lowercase();
    let month = match lower.as_str() {
        "januari" | "january" | "jan" => 1,
        "februari" | "pebruari" | "february" | "feb" | "peb" => 2,
        "maret" | "march" | "mar" | "mrt" => 3,
        "april" | "apr" => 4,
        "mei" | "may" => 5,
        "juni" | "june" | "jun" => 6,
        "juli" | "july" | "jul" => 7,
        "agustus" | "august" | "agu" | "agt" | "ags" | "agus" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "oktober" | "october" | "okt" | "oct" => 10,
        "november" | "nopember" | "nov" | "nop" => 11,
        "desember" | "december" | "des" | "dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// A month, as its first day, from a cell in one of these forms:
///
/// - `MM/YYYY` or `M/YYYY` (also with `-` or `.`), `YYYY-MM` (also with `/` or `.`);
/// - `YYYYMM` (`202601`), as payroll and contribution systems write a period;
/// - a month name or abbreviation with a four-digit year, Indonesian or English: `Januari 2026`,
///   `Jan 2026`, `Mei 2026`, `Agt 2026`, `Des-2026`, `August 2026`;
/// - any full date [`date`] reads (its month), including Excel serials. A bare whole number is
///   read by its length: five digits are a serial (1927–2173), six are `YYYYMM`, any other (`2026`,
///   `202613`) is refused rather than taken for a serial of a far-off year.
pub fn period(cell: &str) -> Option<NaiveDate> {
    let s = trim(cell);
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.len() {
            5 => date(s).and_then(|d| d.with_day(1)),
            6 => numeric_period(s),
            _ => None,
        };
    }
    numeric_period(s)
        .or_else(|| named_period(s))
        .or_else(|| date(s).and_then(|d| d.with_day(1)))
}

fn first_of(year: u32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)
}

fn numeric_period(s: &str) -> Option<NaiveDate> {
    let (parts, _) = numeric_parts(s)?;
    match parts.as_slice() {
        // A six-digit YYYYMM; the year range keeps an Excel serial (e.g. 46022) from reading as one.
        [one] if one.len() == 6 => {
            let year = number(&one[..4], 4, 4)?;
            let month = number(&one[4..], 2, 2)?;
            if !(1900..=2100).contains(&year) {
                return None;
            }
            first_of(year, month)
        }
        [a, b] if a.len() == 4 => first_of(number(a, 4, 4)?, number(b, 1, 2)?),
        [a, b] => first_of(number(b, 4, 4)?, number(a, 1, 2)?),
        _ => None,
    }
}

fn named_period(s: &str) -> Option<NaiveDate> {
    let mut words = s
        .split(|c: char| is_blank(c) || matches!(c, '-' | '/' | ','))
        .filter(|w| !w.is_empty());
    let month = month_number(words.next()?)?;
    let year = number(words.next()?, 4, 4)?;
    if words.next().is_some() {
        return None;
    }
    first_of(year, month)
}

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/// No amount a person types is longer; a longer cell is refused before any work on it.
const MAX_AMOUNT_LEN: usize = 64;

/// An amount from a cell, written the Indonesian way, the English way, or as the XLSX reader writes
/// a number:
///
/// - `1.234.567,89`, `Rp 1.234.567`, `Rp1.234.567,00`, `Rp 1.234.567,-` (the `,-` rupiah suffix
///   means "no cents"), `IDR 1,234,567`, `1,234,567.89`, `1234567`, `1234567.89`, `1234567,89`,
///   `1 234 567` (spaces, also non-breaking, as thousands separators).
///
/// How `.` and `,` are told apart:
/// - If both appear, the one that appears **last** is the decimal separator; it must appear once,
///   and the other one must group the digits in threes (`1.234.567,89`, `1,234,567.89`).
/// - If only one kind appears, **more than once**, it groups digits in threes (`1.234.567`).
/// - If only one kind appears, **once**, and it is followed by exactly three digits and preceded by
///   one to three digits not starting with `0`, it is a **thousands separator**: `1.234` and `1,234`
///   are both 1234, never 1.234 — rupiah amounts practically never carry three decimals, while
///   thousands written with a separator are everywhere. `0,125` and `1234.567` stay decimals.
/// - Otherwise it is the decimal separator (`1234,5`, `12,50`, `1234567.89`, `1234.0`).
///
/// Grouping must be regular — a first group of one to three digits, then groups of exactly three —
/// so `1.23.456` and `12,3456,789` are refused. Any number of decimals is accepted (the XLSX reader
/// writes computed values with many); whether an amount may carry cents is the caller's rule.
///
/// A leading `-` (or `−`) or surrounding parentheses (accounting style) give a **negative** amount;
/// the callers refuse negatives with their own message. Letters other than the `Rp`/`IDR` prefix,
/// exponents (`1.2E+06`, a number Excel showed in scientific notation and so lost digits of) and
/// empty cells give `None`.
pub fn decimal(cell: &str) -> Option<Decimal> {
    let s = trim(cell);
    if s.is_empty() || s.len() > MAX_AMOUNT_LEN {
        return None;
    }
    let (negative, body) = sign_and_body(s)?;
    let plain = normalise_number(body)?;
    let mut value = Decimal::from_str(&plain).ok()?;
    if negative {
        value.set_sign_negative(true);
    }
    Some(value)
}

/// Splits off a sign (`-`, `−`, `+`, or accounting parentheses) and a currency prefix (`Rp`, `Rp.`,
/// `IDR`), in whichever order they come (`-Rp 1.000`, `Rp -1.000`, `(Rp 1.000)`).
fn sign_and_body(s: &str) -> Option<(bool, &str)> {
    let mut negative = false;
    let mut signed = false;
    let mut s = s;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        signed = true;
        s = trim(inner);
    }
    for _ in 0..2 {
        if let Some(rest) = strip_sign(s) {
            if signed {
                return None;
            }
            signed = true;
            negative = rest.0;
            s = trim(rest.1);
            continue;
        }
        if let Some(rest) = strip_currency(s) {
            s = trim(rest);
            continue;
        }
        break;
    }
    Some((negative, s))
}

fn strip_sign(s: &str) -> Option<(bool, &str)> {
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        Some((true, rest))
    } else {
        s.strip_prefix('+').map(|rest| (false, rest))
    }
}

fn strip_currency(s: &str) -> Option<&str> {
    for prefix in ["idr", "rp.", "rp"] {
        if let Some(head) = s.get(..prefix.len())
            && head.eq_ignore_ascii_case(prefix)
        {
            return Some(&s[prefix.len()..]);
        }
    }
    None
}

/// The digits of a number body with the grouping removed and `.` as the decimal separator, after
/// checking the grouping rules documented on [`decimal`].
fn normalise_number(body: &str) -> Option<String> {
    // The rupiah "no cents" suffix: `1.234.567,-`.
    let body = body
        .strip_suffix(",-")
        .or_else(|| body.strip_suffix(".-"))
        .unwrap_or(body);
    if body.is_empty() {
        return None;
    }
    let mut dots = 0;
    let mut commas = 0;
    let mut last_dot = 0;
    let mut last_comma = 0;
    for (i, c) in body.char_indices() {
        match c {
            '.' => {
                dots += 1;
                last_dot = i;
            }
            ',' => {
                commas += 1;
                last_comma = i;
            }
            c if c.is_ascii_digit() || is_blank(c) => {}
            _ => return None,
        }
    }
    // Which character, if any, separates the decimals; the other one (and blanks) group.
    let decimal_at = match (dots, commas) {
        (0, 0) => None,
        (_, _) if dots > 0 && commas > 0 => {
            let (at, count) = if last_dot > last_comma {
                (last_dot, dots)
            } else {
                (last_comma, commas)
            };
            if count != 1 {
                return None;
            }
            Some(at)
        }
        (1, 0) => single_separator(body, last_dot),
        (0, 1) => single_separator(body, last_comma),
        _ => None,
    };
    let (int_part, frac_part) = match decimal_at {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mut out = String::with_capacity(body.len());
    grouped_digits(int_part, &mut out)?;
    if let Some(frac) = frac_part {
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// For a body with one `.` or one `,` at `at`: `None` when it groups thousands (`1.234`), `Some(at)`
/// when it separates decimals.
fn single_separator(body: &str, at: usize) -> Option<usize> {
    let before = trim(&body[..at]);
    let after = &body[at + 1..];
    let three_after = after.len() == 3 && after.bytes().all(|b| b.is_ascii_digit());
    let lead = before.rsplit(is_blank).next().unwrap_or("");
    let group_before = (1..=3).contains(&lead.len()) && !lead.starts_with('0');
    if three_after && group_before {
        None
    } else {
        Some(at)
    }
}

/// Appends the digits of an integer part to `out`, checking that any separators (`.`, `,`, blanks)
/// group them in threes after a first group of one to three digits.
fn grouped_digits(int_part: &str, out: &mut String) -> Option<()> {
    let int_part = trim(int_part);
    if int_part.is_empty() {
        // `.5` and `,50`: a missing leading zero.
        out.push('0');
        return Some(());
    }
    let groups: Vec<&str> = int_part
        .split(|c: char| c == '.' || c == ',' || is_blank(c))
        .collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    for g in groups {
        if g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(g);
    }
    Some(())
}

/// A whole number, read like [`decimal`] (so `1.234` is 1234 and the XLSX reader's `1234.0` is
/// 1234); `None` when it has a non-zero fraction or does not fit an `i64`.
pub fn integer(cell: &str) -> Option<i64> {
    let value = decimal(cell)?;
    if !value.fract().is_zero() {
        return None;
    }
    i64::try_from(value.trunc()).ok()
}

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

/// The key headers and enum labels are matched by: lowercase, accents folded (`é` → `e`, `ß` →
/// `ss`), and everything that is not a letter or a digit removed — so `Nama  Perusahaan`,
/// `nama_perusahaan`, `NAMA PERUSAHAAN`, `Nama Perusahaan*` and `Nama-Perusahaan` all meet as
/// `namaperusahaan`. Letters outside Latin (and digits) are kept as they are.
pub fn label_key(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for c in cell.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(folded) = fold_accent(c) {
            out.push_str(folded);
        } else if c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

/// The plain Latin letters for a lowercase accented Latin letter, for the accents names in
/// Indonesian, Dutch-era, and European company names carry.
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn dates_day_first_in_every_separator() {
        assert_eq!(date("31/12/2026"), Some(d(2026, 12, 31)));
        assert_eq!(date("1/2/2026"), Some(d(2026, 2, 1)));
        assert_eq!(date("01/02/2026"), Some(d(2026, 2, 1)));
        assert_eq!(date("31-12-2026"), Some(d(2026, 12, 31)));
        assert_eq!(date("31.12.2026"), Some(d(2026, 12, 31)));
        assert_eq!(date(" 31/12/2026\u{a0}"), Some(d(2026, 12, 31)));
        assert_eq!(date("31/12/2025 00:00"), Some(d(2025, 12, 31)));
    }

    #[test]
    fn dates_never_guess_month_first() {
        // 12/31/2026 would be an American date; the 31st month does not exist.
        assert_eq!(date("12/31/2026"), None);
        // Ambiguous ones are read day first.
        assert_eq!(date("04/05/2026"), Some(d(2026, 5, 4)));
    }

    #[test]
    fn dates_refuse_impossible_and_malformed() {
        for bad in [
            "31/02/2026",
            "29/02/2025",
            "0/1/2026",
            "1/13/2026",
            "31/12/26",
            "31/12-2026",
            "31//2026",
            "2026-02-30",
            "2026-13-01",
            "",
            "   ",
            "tanggal",
            "31/12/2026 pagi",
            "2026-12-31Tabc",
            "-5",
            "1e5",
        ] {
            assert_eq!(date(bad), None, "{bad:?}");
        }
        assert_eq!(date("29/02/2024"), Some(d(2024, 2, 29)));
    }

    #[test]
    fn dates_year_first_with_time_parts() {
        assert_eq!(date("2026-12-31"), Some(d(2026, 12, 31)));
        assert_eq!(date("2026-1-5"), Some(d(2026, 1, 5)));
        assert_eq!(date("2026/12/31"), Some(d(2026, 12, 31)));
        assert_eq!(date("2026-12-31T00:00:00"), Some(d(2026, 12, 31)));
        assert_eq!(date("2026-12-31T13:45:10.123Z"), Some(d(2026, 12, 31)));
        assert_eq!(date("2026-12-31 00:00:00"), Some(d(2026, 12, 31)));
        assert_eq!(date("2026-12-31 00:00:00+07:00"), Some(d(2026, 12, 31)));
    }

    #[test]
    fn dates_with_month_names() {
        assert_eq!(date("31 Desember 2026"), Some(d(2026, 12, 31)));
        assert_eq!(date("31-Dec-2026"), Some(d(2026, 12, 31)));
        assert_eq!(date("1 Agt. 2026"), Some(d(2026, 8, 1)));
        assert_eq!(date("17 Agustus 1945"), Some(d(1945, 8, 17)));
        assert_eq!(date("30 Februari 2026"), None);
        assert_eq!(date("31 Foo 2026"), None);
    }

    #[test]
    fn dates_from_excel_serials() {
        assert_eq!(date("46022"), Some(d(2025, 12, 31)));
        assert_eq!(date("46023"), Some(d(2026, 1, 1)));
        assert_eq!(date("46022.5"), Some(d(2025, 12, 31)));
        assert_eq!(date("46022,75"), Some(d(2025, 12, 31)));
        assert_eq!(date("45658"), Some(d(2025, 1, 1)));
        assert_eq!(date("1"), Some(d(1900, 1, 1)));
        assert_eq!(date("59"), Some(d(1900, 2, 28)));
        assert_eq!(date("60"), None, "Excel's phantom 1900-02-29");
        assert_eq!(date("61"), Some(d(1900, 3, 1)));
        assert_eq!(date("2958465"), Some(d(9999, 12, 31)));
        assert_eq!(date("2958466"), None);
        assert_eq!(date("0"), None);
        assert_eq!(date("46022."), None);
        assert_eq!(date("12345678"), None);
    }

    #[test]
    fn periods_in_every_form() {
        let jan = d(2026, 1, 1);
        for ok in [
            "01/2026",
            "1/2026",
            "1-2026",
            "2026-01",
            "2026/1",
            "202601",
            "Januari 2026",
            "januari 2026",
            "JANUARI 2026",
            "Jan 2026",
            "Jan. 2026",
            "Jan-2026",
            "January 2026",
            "15/01/2026",
            "2026-01-31",
            "46023",
        ] {
            assert_eq!(period(ok), Some(jan), "{ok:?}");
        }
        assert_eq!(period("Mei 2026"), Some(d(2026, 5, 1)));
        assert_eq!(period("May 2026"), Some(d(2026, 5, 1)));
        assert_eq!(period("Agustus 2026"), Some(d(2026, 8, 1)));
        assert_eq!(period("Agu 2026"), Some(d(2026, 8, 1)));
        assert_eq!(period("Agt 2026"), Some(d(2026, 8, 1)));
        assert_eq!(period("Aug 2026"), Some(d(2026, 8, 1)));
        assert_eq!(period("Okt 2026"), Some(d(2026, 10, 1)));
        assert_eq!(period("Nopember 2026"), Some(d(2026, 11, 1)));
        assert_eq!(period("Des 2026"), Some(d(2026, 12, 1)));
        assert_eq!(period("December 2026"), Some(d(2026, 12, 1)));
    }

    #[test]
    fn periods_refuse_nonsense() {
        for bad in [
            "13/2026",
            "0/2026",
            "2026-13",
            "202613",
            "Foo 2026",
            "Jan 26",
            "Jan",
            "2026",
            "",
            "Januari 2026 x",
            "1/2/3/2026",
        ] {
            assert_eq!(period(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn decimals_indonesian_and_english() {
        let cases = [
            ("1.234.567,89", "1234567.89"),
            ("1,234,567.89", "1234567.89"),
            ("Rp 1.234.567", "1234567"),
            ("Rp1.234.567,00", "1234567.00"),
            ("Rp. 1.234.567,-", "1234567"),
            ("rp 1.234.567", "1234567"),
            ("IDR 1,234,567", "1234567"),
            ("1234567", "1234567"),
            ("1234567.89", "1234567.89"),
            ("1234567,89", "1234567.89"),
            ("1 234 567", "1234567"),
            ("1\u{a0}234\u{a0}567,50", "1234567.50"),
            ("Rp\u{a0}1.234.567,00\u{a0}", "1234567.00"),
            ("0", "0"),
            ("0,5", "0.5"),
            (",5", "0.5"),
            ("12,50", "12.50"),
            ("1234.0", "1234.0"),
            ("0.125", "0.125"),
            ("1234.567", "1234.567"),
            ("1.5", "1.5"),
        ];
        for (input, want) in cases {
            assert_eq!(decimal(input), Some(dec(want)), "{input:?}");
        }
    }

    #[test]
    fn decimals_single_separator_with_three_digits_is_thousands() {
        assert_eq!(decimal("1.234"), Some(dec("1234")));
        assert_eq!(decimal("1,234"), Some(dec("1234")));
        assert_eq!(decimal("123.456"), Some(dec("123456")));
        assert_eq!(decimal("1.250"), Some(dec("1250")));
        // A leading zero cannot start a thousands group.
        assert_eq!(decimal("0,125"), Some(dec("0.125")));
    }

    #[test]
    fn decimals_negative_forms_are_returned_negative() {
        assert_eq!(decimal("-1.234"), Some(dec("-1234")));
        assert_eq!(decimal("\u{2212}5"), Some(dec("-5")));
        assert_eq!(decimal("(1.234.567,00)"), Some(dec("-1234567.00")));
        assert_eq!(decimal("-Rp 1.000"), Some(dec("-1000")));
        assert_eq!(decimal("Rp -1.000"), Some(dec("-1000")));
        assert_eq!(decimal("(Rp 1.000)"), Some(dec("-1000")));
        assert_eq!(decimal("+1.000"), Some(dec("1000")));
    }

    #[test]
    fn decimals_refuse_malformed() {
        for bad in [
            "",
            " ",
            "Rp",
            "abc",
            "1.23.456",
            "12,3456,789",
            "1.234.567.89,0.0",
            "1,234.567,89",
            "1.2E+06",
            "1e5",
            "--5",
            "-(5)",
            "(-5)",
            "5-",
            "1..2",
            "1.,2",
            "1.234,56,78",
            "1234,",
            "12 34",
            "Rp 1.234 juta",
            "USD 5",
            "１２３",
            "1.2.3",
            "99999999999999999999999999999999",
        ] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn integers_must_be_whole() {
        assert_eq!(integer("1.234"), Some(1234));
        assert_eq!(integer("1234.0"), Some(1234));
        assert_eq!(integer("1.250"), Some(1250));
        assert_eq!(integer("Rp 1.000.000,00"), Some(1_000_000));
        assert_eq!(integer("-3"), Some(-3));
        assert_eq!(integer("1234.5"), None);
        assert_eq!(integer("12,5"), None);
        assert_eq!(integer("99999999999999999999"), None);
        assert_eq!(integer(""), None);
    }

    #[test]
    fn label_keys_meet_across_spellings() {
        for label in [
            "Nama Perusahaan",
            "Nama  Perusahaan",
            "nama_perusahaan",
            "NAMA PERUSAHAAN",
            "Nama Perusahaan*",
            " Nama\u{a0}Perusahaan ",
            "Nama\nPerusahaan",
            "Nama-Perusahaan",
        ] {
            assert_eq!(label_key(label), "namaperusahaan", "{label:?}");
        }
        assert_eq!(label_key("Café Ñusantara"), "cafenusantara");
        assert_eq!(label_key("Müller & Söhne"), "mullersohne");
        assert_eq!(label_key("Straße"), "strasse");
        assert_eq!(label_key("Email RM"), "emailrm");
        assert_eq!(label_key("KC-JKT-01"), "kcjkt01");
        assert_eq!(label_key(""), "");
        assert_eq!(label_key("***"), "");
    }

    #[test]
    fn serials_match_excel_known_values() {
        assert_eq!(serial_to_date(45_658), Some(d(2025, 1, 1)));
        assert_eq!(serial_to_date(36_526), Some(d(2000, 1, 1)));
        assert_eq!(serial_to_date(1), Some(d(1900, 1, 1)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// `n` with `sep` between groups of three digits.
        fn grouped(n: u64, sep: char) -> String {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(sep);
                }
                out.push(c);
            }
            out
        }

        proptest! {
            #[test]
            fn parsers_never_panic(s in "\\PC{0,40}") {
                let _ = date(&s);
                let _ = period(&s);
                let _ = decimal(&s);
                let _ = integer(&s);
                let _ = label_key(&s);
            }

            #[test]
            fn parsers_never_panic_on_number_shaped_text(s in "[-+() Rp0-9.,/:TtEe\u{a0}]{0,30}") {
                let _ = date(&s);
                let _ = period(&s);
                let _ = decimal(&s);
                let _ = integer(&s);
            }

            #[test]
            fn amounts_round_trip_in_both_styles(whole in 0u64..1_000_000_000_000_000, cents in 0u32..100) {
                let want = Decimal::from_str(&format!("{whole}.{cents:02}")).unwrap();
                let id = format!("{},{cents:02}", grouped(whole, '.'));
                let en = format!("{}.{cents:02}", grouped(whole, ','));
                prop_assert_eq!(decimal(&id), Some(want), "{}", id);
                prop_assert_eq!(decimal(&en), Some(want), "{}", en);
                prop_assert_eq!(decimal(&format!("Rp {id}")), Some(want));
            }

            #[test]
            fn whole_amounts_round_trip_grouped(whole in 0u64..1_000_000_000_000_000) {
                prop_assert_eq!(integer(&grouped(whole, '.')), Some(whole as i64));
                prop_assert_eq!(integer(&grouped(whole, ',')), Some(whole as i64));
                prop_assert_eq!(integer(&whole.to_string()), Some(whole as i64));
            }

            #[test]
            fn dates_round_trip_day_first_and_iso(days in 0i64..(365 * 200)) {
                let day = d(1950, 1, 1) + chrono::Duration::days(days);
                prop_assert_eq!(date(&day.format("%d/%m/%Y").to_string()), Some(day));
                prop_assert_eq!(date(&day.format("%-d-%-m-%Y").to_string()), Some(day));
                prop_assert_eq!(date(&day.format("%Y-%m-%d").to_string()), Some(day));
                prop_assert_eq!(period(&day.format("%m/%Y").to_string()), day.with_day(1));
            }
        }
    }
}

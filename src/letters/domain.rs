//! The rules of a compliance letter (docs/domain.md, "Letters"): its kinds in escalation order, its
//! reasons and states, which step leads from which state, the number format and the wording templates.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::contributions::domain::roman_month;
use crate::text_enum;

text_enum!(
    /// What a letter is, in escalation order: each escalates to the next.
    Kind, "letter.kind_invalid", {
    Notification = "notification" => "letter.kind.notification",
    Warning1 = "warning_1" => "letter.kind.warning_1",
    Warning2 = "warning_2" => "letter.kind.warning_2",
    InspectionReferral = "inspection_referral" => "letter.kind.inspection_referral",
    LegalReferral = "legal_referral" => "letter.kind.legal_referral",
});

impl Kind {
    /// The kind an escalation drafts next; none after the referral to the state attorney.
    pub fn next(self) -> Option<Kind> {
        match self {
            Kind::Notification => Some(Kind::Warning1),
            Kind::Warning1 => Some(Kind::Warning2),
            Kind::Warning2 => Some(Kind::InspectionReferral),
            Kind::InspectionReferral => Some(Kind::LegalReferral),
            Kind::LegalReferral => None,
        }
    }

    /// The built-in settings of the kind; an admin may change each (`KindSettings`).
    pub fn defaults(self) -> KindSettings {
        let (code, days, basis) = match self {
            Kind::Notification => ("PEMB", 10, BASIS_LAW),
            Kind::Warning1 => ("TEG-I", 10, BASIS_SANCTIONS),
            Kind::Warning2 => ("TEG-II", 10, BASIS_SANCTIONS),
            Kind::InspectionReferral => ("RUJ-WAS", 14, BASIS_INSPECTION),
            Kind::LegalReferral => ("SKK", 14, BASIS_ATTORNEY),
        };
        let (subject_id, subject_en, opening_id, opening_en) = match self {
            Kind::Notification => (
                "Pemberitahuan Kewajiban Kepesertaan BPJS Ketenagakerjaan",
                "Notice of BPJS Ketenagakerjaan Participation Obligations",
                "{following}Bersama ini kami memberitahukan bahwa berdasarkan data kami, {employer_name} (NPP {npp}) memiliki kewajiban yang belum dipenuhi: {reason}.",
                "{following}We hereby notify you that, according to our records, {employer_name} (NPP {npp}) has an obligation that is not yet met: {reason}.",
            ),
            Kind::Warning1 => (
                "Surat Teguran I",
                "First Warning Letter",
                "{following}Dengan ini kami menegur {employer_name} (NPP {npp}) karena kewajiban berikut belum dipenuhi: {reason}.",
                "{following}We hereby formally warn {employer_name} (NPP {npp}) that the following obligation is not met: {reason}.",
            ),
            Kind::Warning2 => (
                "Surat Teguran II",
                "Second Warning Letter",
                "{following}Teguran kami belum ditanggapi. Dengan ini kami menegur kembali {employer_name} (NPP {npp}) atas kewajiban berikut: {reason}.",
                "{following}Our warning has not been answered. We warn {employer_name} (NPP {npp}) a second time about the following obligation: {reason}.",
            ),
            Kind::InspectionReferral => (
                "Permohonan Pemeriksaan oleh Pengawas Ketenagakerjaan",
                "Referral to the Labour Inspectorate",
                "{following}Setelah dua kali teguran, {employer_name} (NPP {npp}) belum memenuhi kewajiban berikut: {reason}. Kami memohon pemeriksaan oleh pengawas ketenagakerjaan.",
                "{following}After two warnings, {employer_name} (NPP {npp}) has not met the following obligation: {reason}. We request an inspection by the labour inspectorate.",
            ),
            Kind::LegalReferral => (
                "Surat Kuasa Khusus kepada Jaksa Pengacara Negara",
                "Special Power of Attorney to the State Attorney",
                "{following}Dengan ini kami memberikan kuasa khusus kepada Jaksa Pengacara Negara untuk menagih kewajiban {employer_name} (NPP {npp}): {reason}.",
                "{following}We hereby grant the State Attorney a special power of attorney to collect the obligation of {employer_name} (NPP {npp}): {reason}.",
            ),
        };
        KindSettings {
            code: code.to_owned(),
            response_days: days,
            legal_basis: basis.to_owned(),
            subject_id: subject_id.to_owned(),
            subject_en: subject_en.to_owned(),
            body_id: format!(
                "Kepada Yth. Pimpinan {{employer_name}}\n{{address}}\n\n{opening_id}\n\n{{arrears_sentence_id}}\n\nDasar hukum: {{legal_basis}}.\n\nKami meminta Bapak/Ibu memenuhi kewajiban tersebut dan menanggapi surat ini paling lambat {{response_due}} ({{response_days}} hari kerja sejak surat ini dikirim).\n\nAtas perhatian dan kerja samanya kami ucapkan terima kasih."
            ),
            body_en: format!(
                "To the Management of {{employer_name}}\n{{address}}\n\n{opening_en}\n\n{{arrears_sentence_en}}\n\nLegal basis: {{legal_basis}}.\n\nWe ask you to meet this obligation and to answer this letter by {{response_due}} ({{response_days}} working days after it is sent).\n\nThank you for your attention and cooperation."
            ),
        }
    }
}

const BASIS_LAW: &str = "UU No. 24 Tahun 2011 tentang BPJS, Pasal 15 dan 19";
const BASIS_SANCTIONS: &str =
    "UU No. 24 Tahun 2011 tentang BPJS, Pasal 17; PP No. 86 Tahun 2013, Pasal 5 dan 6";
const BASIS_INSPECTION: &str =
    "PP No. 86 Tahun 2013, Pasal 7; UU No. 24 Tahun 2011 tentang BPJS, Pasal 11 huruf c";
const BASIS_ATTORNEY: &str =
    "UU No. 16 Tahun 2004 tentang Kejaksaan, Pasal 30 ayat (2); UU No. 24 Tahun 2011, Pasal 11";

text_enum!(
    /// Why a letter is written.
    Reason, "letter.reason_invalid", {
    Arrears = "arrears" => "letter.reason.arrears",
    PdsWorkforce = "pds_workforce" => "letter.reason.pds_workforce",
    PdsWages = "pds_wages" => "letter.reason.pds_wages",
    PdsProgram = "pds_program" => "letter.reason.pds_program",
    NotRegistered = "not_registered" => "letter.reason.not_registered",
    DataUpdate = "data_update" => "letter.reason.data_update",
    Other = "other" => "letter.reason.other",
});

text_enum!(
    /// Where a letter is in its workflow.
    State, "letter.state_invalid", {
    Draft = "draft" => "letter.state.draft",
    Submitted = "submitted" => "letter.state.submitted",
    Returned = "returned" => "letter.state.returned",
    Approved = "approved" => "letter.state.approved",
    Sent = "sent" => "letter.state.sent",
    Acknowledged = "acknowledged" => "letter.state.acknowledged",
    Resolved = "resolved" => "letter.state.resolved",
    Escalated = "escalated" => "letter.state.escalated",
    Cancelled = "cancelled" => "letter.state.cancelled",
});

impl State {
    /// No step leads out of a final state.
    pub fn is_final(self) -> bool {
        matches!(self, State::Resolved | State::Escalated | State::Cancelled)
    }

    /// The states the pipeline shows as columns, in workflow order.
    pub const OPEN: [State; 6] = [
        State::Draft,
        State::Submitted,
        State::Returned,
        State::Approved,
        State::Sent,
        State::Acknowledged,
    ];

    pub const FINAL: [State; 3] = [State::Resolved, State::Escalated, State::Cancelled];

    /// A badge class per state.
    pub fn badge(self) -> &'static str {
        match self {
            State::Draft | State::Returned => "badge-muted",
            State::Submitted | State::Approved => "badge-stage",
            State::Sent | State::Acknowledged => "badge-warn",
            State::Resolved => "badge-ok",
            State::Escalated | State::Cancelled => "badge-muted",
        }
    }
}

text_enum!(
    /// The language a letter is written in; bilingual prints both side by side.
    Language, "letter.language_invalid", {
    Indonesian = "id" => "letter.language.id",
    English = "en" => "letter.language.en",
    Both = "both" => "letter.language.both",
});

impl Language {
    pub fn has_indonesian(self) -> bool {
        self != Language::English
    }
    pub fn has_english(self) -> bool {
        self != Language::Indonesian
    }
}

text_enum!(
    /// What someone does to a letter: each step leads from some states to one.
    Step, "letter.step_invalid", {
    Submit = "submit" => "letter.step.submit",
    Return = "return" => "letter.step.return",
    Revise = "revise" => "letter.step.revise",
    Approve = "approve" => "letter.step.approve",
    Send = "send" => "letter.step.send",
    Acknowledge = "acknowledge" => "letter.step.acknowledge",
    Resolve = "resolve" => "letter.step.resolve",
    Escalate = "escalate" => "letter.step.escalate",
    Cancel = "cancel" => "letter.step.cancel",
});

impl Step {
    /// The state the step leads to from `from`, or the reason it cannot be taken there.
    pub fn from(self, from: State) -> Result<State, &'static str> {
        use State::*;
        let to = match (self, from) {
            (Step::Submit, Draft) => Submitted,
            (Step::Return, Submitted) => Returned,
            (Step::Revise, Returned) => Draft,
            (Step::Approve, Submitted) => Approved,
            (Step::Send, Approved) => Sent,
            (Step::Acknowledge, Sent) => Acknowledged,
            (Step::Resolve, Sent | Acknowledged) => Resolved,
            (Step::Escalate, Sent | Acknowledged) => Escalated,
            (Step::Cancel, s) if !s.is_final() => Cancelled,
            _ => return Err("letter.step_not_allowed"),
        };
        Ok(to)
    }

    /// A note is required: returning says what to change, cancelling says why.
    pub fn needs_note(self) -> bool {
        matches!(self, Step::Return | Step::Cancel)
    }

    /// Whether the step's button is a primary one (the way forward) rather than a secondary one.
    pub fn primary(self) -> bool {
        matches!(
            self,
            Step::Submit | Step::Approve | Step::Send | Step::Resolve | Step::Revise
        )
    }
}

/// A letter's wording as drafted and edited.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Content {
    pub language: Language,
    pub subject_id: String,
    pub subject_en: String,
    pub body_id: String,
    pub body_en: String,
    pub legal_basis: String,
}

/// The longest subject and text a letter keeps, in characters (the form's and the table's bounds).
pub const SUBJECT_MAX: usize = 300;
pub const BODY_MAX: usize = 20_000;

impl Content {
    /// Whether the wording keeps within the bounds. A template within them can grow past them once
    /// filled in (an employer's long name repeated in the subject, the legal basis in the text).
    pub fn fits(&self) -> bool {
        side_fits(&self.subject_id, &self.body_id) && side_fits(&self.subject_en, &self.body_en)
    }

    /// Empties the side of a language the letter is not in when it does not fit: it is there only in
    /// case the drafter switches languages, and must not stop the letter itself.
    pub fn without_oversized_unused_side(mut self) -> Content {
        if !self.language.has_indonesian() && !side_fits(&self.subject_id, &self.body_id) {
            self.subject_id.clear();
            self.body_id.clear();
        }
        if !self.language.has_english() && !side_fits(&self.subject_en, &self.body_en) {
            self.subject_en.clear();
            self.body_en.clear();
        }
        self
    }
}

fn side_fits(subject: &str, body: &str) -> bool {
    subject.chars().count() <= SUBJECT_MAX && body.chars().count() <= BODY_MAX
}

/// A kind as a tenant uses it: what admins may change from the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindSettings {
    pub code: String,
    pub response_days: i16,
    pub legal_basis: String,
    pub subject_id: String,
    pub subject_en: String,
    pub body_id: String,
    pub body_en: String,
}

/// A letter code in a number: capitals, digits and dashes, as branch codes are.
pub fn parse_kind_code(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    let ok = (1..=20).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("letter.kind_code_invalid")
    }
}

/// Working days a recipient has to answer.
pub fn parse_response_days(raw: &str) -> Result<i16, &'static str> {
    match raw.trim().parse::<i16>() {
        Ok(n) if (1..=90).contains(&n) => Ok(n),
        _ => Err("letter.response_days_invalid"),
    }
}

/// One part of a number format.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    /// The sequence number, padded with zeros to this width.
    Seq(usize),
    KindCode,
    BranchCode,
    MonthRoman,
    Month,
    Year,
}

/// A tenant's number format, e.g. `{seq:03}/{kind_code}/{branch_code}/{month_roman}/{year}`: checked
/// once, so a number is always made of known parts and always has the sequence and the year (which
/// keep it unique).
#[derive(Clone, Debug, PartialEq)]
pub struct NumberFormat {
    raw: String,
    parts: Vec<Part>,
}

pub const DEFAULT_NUMBER_FORMAT: &str = "{seq:03}/{kind_code}/{branch_code}/{month_roman}/{year}";

/// What a number is made of besides the format.
pub struct NumberValues<'a> {
    pub seq: i32,
    pub kind_code: &'a str,
    pub branch_code: &'a str,
    pub on: NaiveDate,
}

impl NumberFormat {
    pub fn parse(raw: &str) -> Result<NumberFormat, &'static str> {
        let s = raw.trim();
        if s.is_empty() || s.chars().count() > 120 {
            return Err("letter.format_length");
        }
        // A number is printed, filed, typed into other systems and read aloud: letters, digits,
        // spaces and the separators numbers use, besides the placeholders' braces (no markup, no
        // control, direction-changing or invisible characters).
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " /-._:()#{}".contains(c))
        {
            return Err("letter.format_characters");
        }
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or("letter.format_unclosed")?;
            let token = &after[..close];
            parts.push(match token {
                "seq" => Part::Seq(1),
                "kind_code" => Part::KindCode,
                "branch_code" => Part::BranchCode,
                "month_roman" => Part::MonthRoman,
                "month" => Part::Month,
                "year" => Part::Year,
                t => match t
                    .strip_prefix("seq:0")
                    .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|w| w.parse::<usize>().ok())
                {
                    Some(w) if (1..=9).contains(&w) => Part::Seq(w),
                    _ => return Err("letter.format_unknown_token"),
                },
            });
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err("letter.format_unknown_token");
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        // Sequences count per kind and year: without any of the three, two letters could share a
        // number.
        let has = |f: fn(&Part) -> bool| parts.iter().any(f);
        if !has(|p| matches!(p, Part::Seq(_)))
            || !has(|p| matches!(p, Part::Year))
            || !has(|p| matches!(p, Part::KindCode))
        {
            return Err("letter.format_needs_seq_and_year");
        }
        Ok(NumberFormat {
            raw: s.to_owned(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn render(&self, v: &NumberValues) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Seq(w) => out.push_str(&format!("{:0w$}", v.seq, w = *w)),
                Part::KindCode => out.push_str(v.kind_code),
                Part::BranchCode => out.push_str(v.branch_code),
                Part::MonthRoman => out.push_str(roman_month(v.on.month())),
                Part::Month => out.push_str(&format!("{:02}", v.on.month())),
                Part::Year => out.push_str(&v.on.year().to_string()),
            }
        }
        out
    }
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat::parse(DEFAULT_NUMBER_FORMAT).expect("the default format is valid")
    }
}

/// Fills `{name}` placeholders from `values`; an unknown placeholder stays as typed, so a typo shows in
/// the draft rather than vanishing.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a template may use, with what each stands for, for the settings page.
pub const PLACEHOLDERS: [(&str, &str); 14] = [
    ("employer_name", "letter.ph.employer_name"),
    ("npp", "letter.ph.npp"),
    ("address", "letter.ph.address"),
    ("reason", "letter.ph.reason"),
    ("legal_basis", "letter.ph.legal_basis"),
    ("arrears_total", "letter.ph.arrears_total"),
    ("months_in_arrears", "letter.ph.months_in_arrears"),
    ("arrears_sentence_id", "letter.ph.arrears_sentence_id"),
    ("arrears_sentence_en", "letter.ph.arrears_sentence_en"),
    ("response_days", "letter.ph.response_days"),
    ("response_due", "letter.ph.response_due"),
    ("number", "letter.ph.number"),
    ("previous_letter", "letter.ph.previous_letter"),
    ("following", "letter.ph.following"),
];

/// The parts of a number format, with what each gives, for the settings page.
pub const FORMAT_PARTS: [(&str, &str); 7] = [
    ("{seq}", "letter.part.seq"),
    ("{seq:03}", "letter.part.seq_padded"),
    ("{kind_code}", "letter.part.kind_code"),
    ("{branch_code}", "letter.part.branch_code"),
    ("{month_roman}", "letter.part.month_roman"),
    ("{month}", "letter.part.month"),
    ("{year}", "letter.part.year"),
];

/// One unpaid month as the letter states it, kept with the letter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArrearsLine {
    pub period: NaiveDate,
    pub due_on: NaiveDate,
    pub amount_due: rust_decimal::Decimal,
    pub amount_paid: rust_decimal::Decimal,
    pub arrears: rust_decimal::Decimal,
}

/// Whether a response is late on `today`: the letter is out (sent or acknowledged), not closed, and
/// its due date has passed.
pub fn overdue(state: State, response_due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    matches!(state, State::Sent | State::Acknowledged)
        && response_due_on.is_some_and(|due| due < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_format_makes_the_agencys_numbers() {
        let f = NumberFormat::default();
        let n = f.render(&NumberValues {
            seq: 12,
            kind_code: "TEG-I",
            branch_code: "KC-SDM",
            on: d("2026-11-03"),
        });
        assert_eq!(n, "012/TEG-I/KC-SDM/XI/2026");
        let wide = NumberFormat::parse("B/{seq:05}-{kind_code}/{month}.{year}").unwrap();
        let n = wide.render(&NumberValues {
            seq: 1234,
            kind_code: "PEMB",
            branch_code: "X",
            on: d("2026-01-31"),
        });
        assert_eq!(n, "B/01234-PEMB/01.2026");
        // Wider than the padding: every digit is kept.
        let n = f.render(&NumberValues {
            seq: 12345,
            kind_code: "SKK",
            branch_code: "KC",
            on: d("2026-12-01"),
        });
        assert_eq!(n, "12345/SKK/KC/XII/2026");
    }

    #[test]
    fn a_side_out_of_bounds_stops_a_letter_only_in_its_language() {
        let content = |language| Content {
            language,
            subject_id: "Teguran".into(),
            subject_en: "W".repeat(SUBJECT_MAX + 1),
            body_id: "Isi".into(),
            body_en: "Text".into(),
            legal_basis: String::new(),
        };
        // An Indonesian letter drops the English side it does not use and goes ahead.
        let id = content(Language::Indonesian).without_oversized_unused_side();
        assert!(id.fits());
        assert_eq!((id.subject_en.as_str(), id.body_en.as_str()), ("", ""));
        assert_eq!(id.subject_id, "Teguran");
        // An English or bilingual one keeps it, and does not fit.
        for language in [Language::English, Language::Both] {
            assert!(!content(language).without_oversized_unused_side().fits());
        }
    }

    #[test]
    fn formats_without_sequence_or_year_or_with_unknown_tokens_are_refused() {
        for (bad, key) in [
            ("{kind_code}/{year}", "letter.format_needs_seq_and_year"),
            ("{seq}/{kind_code}", "letter.format_needs_seq_and_year"),
            ("{seq}/{yaer}", "letter.format_unknown_token"),
            ("{seq}/{year", "letter.format_unclosed"),
            ("{seq:0}/{year}", "letter.format_unknown_token"),
            ("{seq:abc}/{year}", "letter.format_unknown_token"),
            ("{seq}/{year}}", "letter.format_unknown_token"),
            ("", "letter.format_length"),
            ("{seq}\n{year}", "letter.format_characters"),
            ("{seq}\u{202e}{kind_code}{year}", "letter.format_characters"),
            (
                "<b>{seq}</b>/{kind_code}/{year}",
                "letter.format_characters",
            ),
            ("{seq}/{kind_code}/{year}\"", "letter.format_characters"),
            ("{seq:0+3}/{kind_code}/{year}", "letter.format_characters"),
            ("{seq}/{year}", "letter.format_needs_seq_and_year"),
        ] {
            assert_eq!(NumberFormat::parse(bad), Err(key), "{bad:?}");
        }
        assert!(NumberFormat::parse("{seq}{kind_code}{year}").is_ok());
    }

    #[test]
    fn every_allowed_step_and_every_refused_one() {
        use State::*;
        let allowed = [
            (Step::Submit, Draft, Submitted),
            (Step::Return, Submitted, Returned),
            (Step::Revise, Returned, Draft),
            (Step::Approve, Submitted, Approved),
            (Step::Send, Approved, Sent),
            (Step::Acknowledge, Sent, Acknowledged),
            (Step::Resolve, Sent, Resolved),
            (Step::Resolve, Acknowledged, Resolved),
            (Step::Escalate, Sent, Escalated),
            (Step::Escalate, Acknowledged, Escalated),
        ];
        for step in Step::ALL {
            for from in State::ALL {
                let expected = if *step == Step::Cancel {
                    (!from.is_final()).then_some(Cancelled)
                } else {
                    allowed
                        .iter()
                        .find(|(s, f, _)| s == step && f == from)
                        .map(|(_, _, to)| *to)
                };
                assert_eq!(step.from(*from).ok(), expected, "{step:?} from {from:?}");
            }
        }
    }

    #[test]
    fn kinds_escalate_in_order_and_stop_at_the_attorney() {
        let mut k = Kind::Notification;
        let mut chain = vec![k];
        while let Some(n) = k.next() {
            chain.push(n);
            k = n;
        }
        assert_eq!(chain, Kind::ALL);
        assert_eq!(Kind::Warning1.defaults().code, "TEG-I");
        assert_eq!(Kind::Warning2.defaults().response_days, 10);
    }

    #[test]
    fn placeholders_are_filled_and_typos_stay_visible() {
        let s = fill(
            "Dear {employer_name}, {npp} {unknown} {open",
            &[("employer_name", "PT A"), ("npp", "123")],
        );
        assert_eq!(s, "Dear PT A, 123 {unknown} {open");
        // A value containing braces is not filled again.
        assert_eq!(fill("{a}", &[("a", "{b}"), ("b", "x")]), "{b}");
    }

    #[test]
    fn kind_codes_and_response_days() {
        assert_eq!(parse_kind_code(" TEG-I "), Ok("TEG-I".to_owned()));
        assert!(parse_kind_code("teg").is_err());
        assert!(parse_kind_code("A/B").is_err());
        assert!(parse_kind_code("-A").is_err());
        assert_eq!(parse_response_days("10"), Ok(10));
        assert!(parse_response_days("0").is_err() && parse_response_days("91").is_err());
    }

    #[test]
    fn overdue_only_while_out_and_past_the_deadline() {
        let due = Some(d("2026-11-10"));
        assert!(overdue(State::Sent, due, d("2026-11-11")));
        assert!(overdue(State::Acknowledged, due, d("2026-11-11")));
        assert!(!overdue(State::Sent, due, d("2026-11-10")));
        assert!(!overdue(State::Resolved, due, d("2026-12-11")));
        assert!(!overdue(State::Approved, None, d("2026-12-11")));
    }
}

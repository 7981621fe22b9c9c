//! Employer values: registration numbers, tax ids, phone numbers, countries, the closed sets that
//! classify an employer (docs/domain.md, "Employers"), and the fields a form sets. Each value type can
//! only be built by `parse`, so an `Npwp` in hand is a valid NPWP.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::domain::joined;
use crate::text_enum;

/// Keeps the digits of `raw` if every other character is one of `allowed` separators.
fn digits_only(raw: &str, allowed: &[char]) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !allowed.contains(&c) {
            return None;
        }
    }
    Some(out)
}

/// Nomor Pendaftaran Perusahaan: exactly 8 digits, kept as text because leading zeros matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Npp(String);

impl Npp {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match digits_only(raw, &[' ']) {
            Some(d) if d.len() == 8 => Ok(Npp(d)),
            _ => Err("employer.npp_invalid"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The optional division code that may follow an NPP: up to 5 letters or digits, uppercased.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() <= 5
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            Ok(DivisionCode(s))
        } else {
            Err("employer.division_invalid")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Luhn check digit for `digits` (the digit that, appended, makes the whole string pass Luhn).
pub fn luhn_check_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            // The rightmost digit of the payload is doubled, since the check digit will follow it.
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// NPWP (tax id), always held as the 16-digit form. A 15-digit NPWP — with or without the punctuation
/// `XX.XXX.XXX.X-XXX.XXX` — becomes `0` followed by its digits; its 9th digit is the Luhn check digit
/// of the first eight, and a value that fails it is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Npwp(String);

impl Npwp {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let digits = digits_only(raw, &['.', '-', ' ']).ok_or("employer.npwp_invalid")?;
        let fifteen = match digits.len() {
            15 => digits,
            // A 16-digit NPWP that starts with 0 is a converted 15-digit one; others are NIK-based.
            16 if digits.starts_with('0') => digits[1..].to_owned(),
            16 => return Ok(Npwp(digits)),
            _ => return Err("employer.npwp_invalid"),
        };
        let check = fifteen.as_bytes()[8] - b'0';
        if luhn_check_digit(&fifteen[..8]) != check {
            return Err("employer.npwp_check_digit");
        }
        Ok(Npwp(format!("0{fifteen}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The familiar punctuated form for a converted 15-digit NPWP, the 16 digits otherwise.
    pub fn display(stored: &str) -> String {
        match stored.strip_prefix('0') {
            Some(d) if d.len() == 15 => format!(
                "{}.{}.{}.{}-{}.{}",
                &d[0..2],
                &d[2..5],
                &d[5..8],
                &d[8..9],
                &d[9..12],
                &d[12..15]
            ),
            _ => stored.to_owned(),
        }
    }
}

/// Nomor Induk Berusaha: 13 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nib(String);

impl Nib {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match digits_only(raw, &[' ']) {
            Some(d) if d.len() == 13 => Ok(Nib(d)),
            _ => Err("employer.nib_invalid"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An Indonesian phone number normalised to `+62…`: accepts `0812-3456-7890`, `(021) 520 0123`,
/// `62 812 …` and `+62 812 …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, raw),
        };
        let digits =
            digits_only(rest, &[' ', '-', '.', '(', ')']).ok_or("employer.phone_invalid")?;
        let national = if let Some(n) = digits.strip_prefix("62") {
            n
        } else if plus {
            // Another country's code: not an Indonesian number.
            return Err("employer.phone_invalid");
        } else if let Some(n) = digits.strip_prefix('0') {
            n
        } else {
            return Err("employer.phone_invalid");
        };
        if !(6..=13).contains(&national.len()) || national.starts_with('0') {
            return Err("employer.phone_invalid");
        }
        Ok(PhoneNumber(format!("+62{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The WhatsApp link of a stored number (`+62…`, as `PhoneNumber` keeps it) — how RMs reach people —
/// for Indonesian mobile numbers (`+628…`) only: a landline has no WhatsApp.
pub fn whatsapp_link(stored: &str) -> Option<String> {
    let digits = stored.strip_prefix('+')?;
    (digits.starts_with("628") && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("https://wa.me/{digits}"))
}

/// ISO 3166-1 alpha-2 codes, officially assigned.
const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() == 2 && ISO_3166.split(' ').any(|c| c == s) {
            Ok(CountryCode(s))
        } else {
            Err("employer.country_invalid")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag: lowercase letters, digits and inner hyphens, at most 40 characters (`bumn-karya`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim().to_lowercase().replace(' ', "-");
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(Tag(s))
        } else {
            Err("employer.tag_invalid")
        }
    }

    /// Comma-separated tags, deduplicated and sorted.
    pub fn parse_list(raw: &str) -> Result<Vec<Tag>, &'static str> {
        let mut tags = raw
            .split(',')
            .filter(|t| !t.trim().is_empty())
            .map(Tag::parse)
            .collect::<Result<Vec<_>, _>>()?;
        tags.sort();
        tags.dedup();
        if tags.len() > 20 {
            return Err("employer.too_many_tags");
        }
        Ok(tags)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_enum!(Segment, "employer.segment_invalid", {
    Corporate = "corporate" => "segment.corporate",
    Institution = "institution" => "segment.institution",
    Construction = "construction" => "segment.construction",
    Migrant = "migrant" => "segment.migrant",
});

text_enum!(InstitutionType, "employer.institution_type_invalid", {
    Ministry = "ministry" => "institution_type.ministry",
    Agency = "agency" => "institution_type.agency",
    LocalGovernment = "local_government" => "institution_type.local_government",
    Other = "other" => "institution_type.other",
});

text_enum!(Ownership, "employer.ownership_invalid", {
    PrivateDomestic = "private_domestic" => "ownership.private_domestic",
    Foreign = "foreign" => "ownership.foreign",
    StateOwned = "state_owned" => "ownership.state_owned",
    RegionalOwned = "regional_owned" => "ownership.regional_owned",
    Government = "government" => "ownership.government",
});

text_enum!(Scale, "employer.scale_invalid", {
    Large = "large" => "scale.large",
    Medium = "medium" => "scale.medium",
    Small = "small" => "scale.small",
    Micro = "micro" => "scale.micro",
});

text_enum!(RiskBand, "employer.risk_band_invalid", {
    VeryLow = "very_low" => "risk_band.very_low",
    Low = "low" => "risk_band.low",
    Medium = "medium" => "risk_band.medium",
    High = "high" => "risk_band.high",
    VeryHigh = "very_high" => "risk_band.very_high",
});

text_enum!(Program, "employer.program_invalid", {
    Jkk = "JKK" => "program.jkk",
    Jkm = "JKM" => "program.jkm",
    Jht = "JHT" => "program.jht",
    Jp = "JP" => "program.jp",
    Jkp = "JKP" => "program.jkp",
});

text_enum!(Status, "employer.status_invalid", {
    Prospect = "prospect" => "status.prospect",
    Active = "active" => "status.active",
    Inactive = "inactive" => "status.inactive",
    Closed = "closed" => "status.closed",
});

text_enum!(Stage, "employer.stage_invalid", {
    Approach = "approach" => "stage.approach",
    Discussion = "discussion" => "stage.discussion",
    Committed = "committed" => "stage.committed",
    Implementing = "implementing" => "stage.implementing",
    Monitoring = "monitoring" => "stage.monitoring",
    Paused = "paused" => "stage.paused",
    Rejected = "rejected" => "stage.rejected",
});

impl Stage {
    /// Paused and rejected engagements say why, and when to try again.
    pub fn needs_reason(self) -> bool {
        matches!(self, Stage::Paused | Stage::Rejected)
    }
}

/// The engagement stage with what it carries. A reason and a revisit date exist only for paused and
/// rejected engagements, so the type cannot hold one without the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engagement {
    pub stage: Stage,
    pub reason: String,
    pub revisit_on: Option<NaiveDate>,
}

impl Engagement {
    /// Checks the reason and revisit date against the stage; errors are (field, key) pairs.
    pub fn parse(
        stage: Stage,
        reason: String,
        revisit_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, Vec<(&'static str, &'static str)>> {
        if !stage.needs_reason() {
            return Ok(Engagement {
                stage,
                reason: String::new(),
                revisit_on: None,
            });
        }
        let mut errors = Vec::new();
        if reason.is_empty() {
            errors.push(("stage_reason", "employer.stage_reason_required"));
        }
        match revisit_on {
            None => errors.push(("revisit_on", "employer.revisit_required")),
            Some(d) if d <= today => errors.push(("revisit_on", "employer.revisit_future")),
            Some(_) => {}
        }
        if errors.is_empty() {
            Ok(Engagement {
                stage,
                reason,
                revisit_on,
            })
        } else {
            Err(errors)
        }
    }
}

/// What the employer form sets: everything about an employer that people edit. The stage's entry
/// date, the meeting cadence marks and the archive mark are kept by the code, not typed.
///
/// It serialises as the audit trail records it; `Recorded` adds the RM and the branch by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EmployerFields {
    pub npp: Option<String>,
    pub division_code: String,
    pub npwp: Option<String>,
    pub nib: Option<String>,
    pub name: String,
    pub legal_name: String,
    /// What people call the employer ("BRIN", "Telkom"); searchable like the name.
    pub short_name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub phone: Option<String>,
    pub website: String,
    pub segment: Segment,
    pub institution_type: Option<InstitutionType>,
    pub ownership: Ownership,
    pub country: Option<String>,
    pub scale: Option<Scale>,
    pub industry: String,
    pub risk_band: Option<RiskBand>,
    #[serde(serialize_with = "joined")]
    pub programs: Vec<Program>,
    pub workers_reported: Option<i32>,
    pub workforce_estimate: Option<i32>,
    pub status: Status,
    pub stage: Stage,
    pub stage_reason: String,
    pub revisit_on: Option<NaiveDate>,
    #[serde(skip)]
    pub rm_id: Option<Uuid>,
    #[serde(skip)]
    pub branch_id: Option<Uuid>,
    pub approach_notes: String,
    #[serde(serialize_with = "joined")]
    pub tags: Vec<String>,
}

/// An employer's fields as its history records them: people and branches by name, so the history
/// says "Dewi Lestari", not an id.
#[derive(Serialize)]
pub struct Recorded<'a> {
    #[serde(flatten)]
    pub fields: &'a EmployerFields,
    pub rm: Option<String>,
    pub branch: Option<String>,
}

/// An NPP as people write it, with its division code: `12345678-01`.
pub fn npp_text(npp: Option<&str>, division: &str) -> String {
    match (npp, division) {
        (None, _) => String::new(),
        (Some(n), "") => n.to_owned(),
        (Some(n), d) => format!("{n}-{d}"),
    }
}

/// Words of a name search, lowercased and split the way the database splits names into tokens
/// (`name_tokens` in the migration), each with the exclusive upper bound of its prefix range. At most
/// three words count: more narrow nothing in practice and would only slow the query.
pub fn search_words(q: &str) -> Vec<(String, String)> {
    let lower = q.to_lowercase();
    let mut words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.dedup();
    // The longest words narrow the most.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.truncate(3);
    words
        .into_iter()
        .map(|w| (w.to_owned(), format!("{w}\u{10FFFF}")))
        .collect()
}

/// The fewest digits a search word needs to match inside NPPs: shorter runs occur in most NPPs and
/// would only make the search slow without narrowing it.
pub const NPP_DIGITS_MIN: usize = 3;

/// Whether a search word also looks for employers whose NPP contains it (docs/domain.md, "Search").
pub fn searches_npp_digits(word: &str) -> bool {
    word.len() >= NPP_DIGITS_MIN && word.bytes().all(|b| b.is_ascii_digit())
}

/// The shortest and longest word a one-letter typo is looked for in: a shorter word is one edit away
/// from too many others, and a longer one has hundreds of variants per extra letter.
pub const TYPO_WORD_CHARS: std::ops::RangeInclusive<usize> = 4..=24;

/// Every string one edit away from `word` (a letter deleted, inserted, replaced, or two neighbours
/// swapped; Damerau–Levenshtein distance 1), over the letters a–z. About 54 strings per character of
/// the word, without duplicates and without `word` itself. Empty for a word outside
/// `TYPO_WORD_CHARS` or with anything but lowercase letters: digits, NPPs and short words are not
/// corrected.
pub fn one_edit_variants(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if !TYPO_WORD_CHARS.contains(&chars.len()) || !chars.iter().all(char::is_ascii_lowercase) {
        return Vec::new();
    }
    let n = chars.len();
    let mut out = std::collections::BTreeSet::new();
    let with = |f: &dyn Fn(&mut Vec<char>)| {
        let mut c = chars.clone();
        f(&mut c);
        c.into_iter().collect::<String>()
    };
    for i in 0..n {
        out.insert(with(&|c| {
            c.remove(i);
        }));
        if i + 1 < n {
            out.insert(with(&|c| c.swap(i, i + 1)));
        }
        for l in 'a'..='z' {
            out.insert(with(&|c| c[i] = l));
        }
    }
    for i in 0..=n {
        for l in 'a'..='z' {
            out.insert(with(&|c| c.insert(i, l)));
        }
    }
    out.remove(word);
    out.into_iter().collect()
}

/// What a search box query is: an NPP, an NPWP, or words of a name.
#[derive(Debug, PartialEq, Eq)]
pub enum SearchTerm {
    Npp(String),
    Npwp(String),
    Name(Vec<(String, String)>),
    Nothing,
}

impl SearchTerm {
    pub fn parse(q: &str) -> SearchTerm {
        // No name, NPP or NPWP is longer; a longer query is read by its first 200 characters.
        let q = match q.char_indices().nth(200) {
            Some((end, _)) => &q[..end],
            None => q,
        };
        let q = q.trim();
        if q.is_empty() {
            return SearchTerm::Nothing;
        }
        if let Ok(npp) = Npp::parse(q) {
            return SearchTerm::Npp(npp.as_str().to_owned());
        }
        let digits = digits_only(q, &['.', '-', ' ']);
        if let Some(d) = digits.filter(|d| d.len() == 15 || d.len() == 16) {
            let stored = if d.len() == 15 { format!("0{d}") } else { d };
            return SearchTerm::Npwp(stored);
        }
        let words = search_words(q);
        if words.is_empty() {
            SearchTerm::Nothing
        } else {
            SearchTerm::Name(words)
        }
    }
}

/// Neutralises a spreadsheet cell that a program would read as a formula (`=`, `+`, `-`, `@`, and the
/// tab and carriage return some programs also honour), by prefixing an apostrophe.
pub fn neutralise_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_have_a_whatsapp_link_and_landlines_none() {
        let mobile = PhoneNumber::parse("0812-3456-7890").unwrap();
        assert_eq!(
            whatsapp_link(mobile.as_str()).as_deref(),
            Some("https://wa.me/6281234567890")
        );
        let landline = PhoneNumber::parse("(021) 520-1234").unwrap();
        assert_eq!(whatsapp_link(landline.as_str()), None);
        assert_eq!(whatsapp_link("+62812\"><script>"), None);
    }

    /// A 15-digit NPWP with a correct check digit, built from 8 digits and a 6-digit tail.
    fn npwp15(first8: &str, tail: &str) -> String {
        format!("{first8}{}{tail}", luhn_check_digit(first8))
    }

    #[test]
    fn luhn_matches_the_textbook_example() {
        // 7992739871 + check digit 3 is the classic Luhn example.
        assert_eq!(luhn_check_digit("7992739871"), 3);
        assert_eq!(luhn_check_digit("00000000"), 0);
    }

    #[test]
    fn npwp_forms() {
        let plain = npwp15("01855081", "412000");
        let stored = format!("0{plain}");
        let punctuated = format!(
            "{}.{}.{}.{}-{}.{}",
            &plain[0..2],
            &plain[2..5],
            &plain[5..8],
            &plain[8..9],
            &plain[9..12],
            &plain[12..15]
        );
        assert_eq!(Npwp::parse(&plain).unwrap().as_str(), stored);
        assert_eq!(Npwp::parse(&punctuated).unwrap().as_str(), stored);
        assert_eq!(Npwp::parse(&stored).unwrap().as_str(), stored);
        assert_eq!(Npwp::display(&stored), punctuated);
        // A NIK-based 16-digit NPWP has no check digit of this kind.
        assert_eq!(
            Npwp::parse("3171012304560001").unwrap().as_str(),
            "3171012304560001"
        );
    }

    #[test]
    fn npwp_refuses_a_wrong_check_digit_and_junk() {
        let good = npwp15("01855081", "412000");
        let wrong = (good.as_bytes()[8] - b'0' + 1) % 10;
        let bad = format!("{}{}{}", &good[..8], wrong, &good[9..]);
        assert_eq!(Npwp::parse(&bad), Err("employer.npwp_check_digit"));
        for junk in [
            "",
            "12345",
            "01.855.081.4-412.00a",
            "0185508144120001234",
            "abc",
        ] {
            assert_eq!(Npwp::parse(junk), Err("employer.npwp_invalid"), "{junk}");
        }
    }

    #[test]
    fn npp_nib_and_division() {
        assert_eq!(Npp::parse(" 00123456 ").unwrap().as_str(), "00123456");
        for bad in ["1234567", "123456789", "1234567a", ""] {
            assert!(Npp::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Nib::parse("9120 0012 34567").unwrap().as_str(),
            "9120001234567"
        );
        assert!(Nib::parse("912000123456").is_err());
        assert_eq!(DivisionCode::parse(" 01a ").unwrap().as_str(), "01A");
        assert!(DivisionCode::parse("ABCDEF").is_err());
        assert!(DivisionCode::parse("A-1").is_err());
    }

    #[test]
    fn phones_become_plus_62() {
        for (raw, want) in [
            ("0812-3456-7890", "+6281234567890"),
            ("+62 812 3456 7890", "+6281234567890"),
            ("62812 3456 7890", "+6281234567890"),
            ("(021) 520 0123", "+62215200123"),
            ("021.5200123", "+62215200123"),
        ] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().as_str(), want, "{raw}");
        }
        for bad in [
            "+65 6123 4567",
            "812345",
            "0",
            "00812345678",
            "0812-abc",
            "081234567890123456",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn countries_and_tags() {
        assert_eq!(CountryCode::parse(" jp ").unwrap().as_str(), "JP");
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("JPN").is_err());
        let tags = Tag::parse_list("BUMN Karya, padat karya, bumn-karya,").unwrap();
        let names: Vec<_> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["bumn-karya", "padat-karya"]);
        assert!(Tag::parse_list("<script>").is_err());
    }

    #[test]
    fn engagement_needs_a_reason_only_when_paused_or_rejected() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let later = NaiveDate::from_ymd_opt(2027, 2, 1);
        let e = Engagement::parse(Stage::Discussion, "ignored".into(), later, today).unwrap();
        assert_eq!((e.reason.as_str(), e.revisit_on), ("", None));
        let errs = Engagement::parse(Stage::Paused, String::new(), None, today).unwrap_err();
        assert_eq!(errs.len(), 2);
        let errs = Engagement::parse(Stage::Rejected, "x".into(), Some(today), today).unwrap_err();
        assert_eq!(errs, [("revisit_on", "employer.revisit_future")]);
        assert!(Engagement::parse(Stage::Paused, "budget".into(), later, today).is_ok());
    }

    #[test]
    fn search_terms() {
        assert_eq!(
            SearchTerm::parse("00123456"),
            SearchTerm::Npp("00123456".into())
        );
        let npwp = npwp15("01855081", "412000");
        assert_eq!(
            SearchTerm::parse(&npwp),
            SearchTerm::Npwp(format!("0{npwp}"))
        );
        let SearchTerm::Name(words) = SearchTerm::parse("Semen  PT. indo") else {
            panic!("a name search")
        };
        let w: Vec<_> = words.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(w, ["semen", "indo", "pt"]);
        assert!(words[0].1.as_str() > "semenx");
        assert_eq!(SearchTerm::parse("  ,, "), SearchTerm::Nothing);
    }

    #[test]
    fn npp_digits_need_three_digits_and_nothing_else() {
        assert!(searches_npp_digits("0051"));
        assert!(searches_npp_digits("512"));
        assert!(!searches_npp_digits("51"));
        assert!(!searches_npp_digits("k24"));
        // Four digits are a name word and NPP digits at once.
        let SearchTerm::Name(words) = SearchTerm::parse("0051") else {
            panic!("a word search")
        };
        assert_eq!(words[0].0, "0051");
    }

    #[test]
    fn one_edit_variants_cover_each_kind_of_typo() {
        let v = one_edit_variants("kencna");
        for typo_fixed in [
            "kencana", // insertion
            "kencn",   // deletion
            "kencan",  // transposition
            "kencba",  // substitution
        ] {
            assert!(v.iter().any(|w| w == typo_fixed), "{typo_fixed}");
        }
        assert!(!v.iter().any(|w| w == "kencna"), "not the word itself");
        assert!(!v.iter().any(|w| w == "knecan"), "two edits away");
        let mut sorted = v.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), v.len(), "no duplicates");
        // 6 deletions, 5 swaps, 6 × 25 replacements and 7 × 26 insertions, less the ones that coincide.
        assert!(
            v.len() <= 6 + 5 + 6 * 25 + 7 * 26 && v.len() > 300,
            "{}",
            v.len()
        );
    }

    #[test]
    fn short_long_and_non_letter_words_are_not_corrected() {
        assert!(one_edit_variants("bri").is_empty());
        assert!(one_edit_variants("0051").is_empty());
        assert!(one_edit_variants("k24x").is_empty());
        assert!(one_edit_variants(&"a".repeat(25)).is_empty());
        assert!(!one_edit_variants("brin").is_empty());
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise_cell("=1+1"), "'=1+1");
        assert_eq!(neutralise_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_cell("-5"), "'-5");
        assert_eq!(neutralise_cell("+62"), "'+62");
        assert_eq!(neutralise_cell("PT Maju"), "PT Maju");
    }

    #[test]
    fn every_enum_value_has_a_label_in_both_catalogs() {
        let keys = Segment::ALL
            .iter()
            .map(|v| v.label_key())
            .chain(InstitutionType::ALL.iter().map(|v| v.label_key()))
            .chain(Ownership::ALL.iter().map(|v| v.label_key()))
            .chain(Scale::ALL.iter().map(|v| v.label_key()))
            .chain(RiskBand::ALL.iter().map(|v| v.label_key()))
            .chain(Program::ALL.iter().map(|v| v.label_key()))
            .chain(Status::ALL.iter().map(|v| v.label_key()))
            .chain(Stage::ALL.iter().map(|v| v.label_key()));
        for key in keys {
            assert!(crate::web::i18n::is_known_key(key), "{key}");
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_8_digits_with_their_check_digit_parse_in_every_form(first8 in "[0-9]{8}", tail in "[0-9]{6}") {
                let plain = format!("{first8}{}{tail}", luhn_check_digit(&first8));
                let stored = Npwp::parse(&plain).unwrap();
                prop_assert_eq!(stored.as_str().len(), 16);
                let shown = Npwp::display(stored.as_str());
                prop_assert_eq!(Npwp::parse(&shown).unwrap(), stored);
            }

            #[test]
            fn every_wrong_check_digit_is_refused(first8 in "[0-9]{8}", tail in "[0-9]{6}", delta in 1u8..10) {
                let wrong = (luhn_check_digit(&first8) + delta) % 10;
                let bad = format!("{first8}{wrong}{tail}");
                prop_assert_eq!(Npwp::parse(&bad), Err("employer.npwp_check_digit"));
            }

            #[test]
            fn parsers_never_panic(s in "\\PC{0,40}") {
                let _ = Npwp::parse(&s);
                let _ = Npp::parse(&s);
                let _ = Nib::parse(&s);
                let _ = PhoneNumber::parse(&s);
                let _ = CountryCode::parse(&s);
                let _ = Tag::parse_list(&s);
                let _ = SearchTerm::parse(&s);
            }

            #[test]
            fn mobile_numbers_normalise_the_same_from_every_form(n in "8[0-9]{8,11}") {
                let want = format!("+62{n}");
                let local = format!("0{n}");
                let intl = format!("+62 {n}");
                prop_assert_eq!(PhoneNumber::parse(&local).unwrap(), PhoneNumber(want.clone()));
                prop_assert_eq!(PhoneNumber::parse(&intl).unwrap(), PhoneNumber(want));
            }
        }
    }
}

//! The employer form as it is sent (every field text, as typed) and its conversion into
//! `EmployerFields`, which reports every problem at once.

use serde::Deserialize;

use super::domain::{
    CountryCode, DivisionCode, EmployerFields, Engagement, InstitutionType, Nib, Npp, Npwp,
    Ownership, PhoneNumber, Program, RiskBand, Scale, Segment, Stage, Status, Tag,
};
use super::repo::Employer;
use crate::web::forms::{
    FieldErrors, Submitted, multiline_text, optional, optional_count, optional_date, optional_text,
    optional_uuid, required_text,
};

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct EmployerForm {
    pub npp: String,
    pub division_code: String,
    pub npwp: String,
    pub nib: String,
    pub name: String,
    pub legal_name: String,
    pub short_name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub phone: String,
    pub website: String,
    pub segment: String,
    pub institution_type: String,
    pub ownership: String,
    pub country: String,
    pub scale: String,
    pub industry: String,
    pub risk_band: String,
    pub programs: Vec<String>,
    pub workers_reported: String,
    pub workforce_estimate: String,
    pub status: String,
    pub stage: String,
    pub stage_reason: String,
    pub revisit_on: String,
    pub rm_id: String,
    pub branch_id: String,
    pub approach_notes: String,
    pub tags: String,
    pub version: i32,
}

impl TryFrom<Submitted<'_, EmployerForm>> for EmployerFields {
    type Error = FieldErrors;

    /// Converts every field, collecting every problem. A paused or rejected engagement needs a
    /// reason and a revisit date after today (in the tenant's zone).
    fn try_from(sent: Submitted<'_, EmployerForm>) -> Result<Self, FieldErrors> {
        let f = sent.form;
        let mut errors = FieldErrors::default();
        let npp = errors.check("npp", optional(&f.npp, Npp::parse));
        let division = errors.check("division_code", DivisionCode::parse(&f.division_code));
        let npwp = errors.check("npwp", optional(&f.npwp, Npwp::parse));
        let nib = errors.check("nib", optional(&f.nib, Nib::parse));
        let name = errors.check("name", required_text(&f.name, 200));
        let legal_name = errors.check("legal_name", optional_text(&f.legal_name, 200));
        let short_name = errors.check("short_name", optional_text(&f.short_name, 60));
        let address = errors.check("address", multiline_text(&f.address, 500));
        let city = errors.check("city", optional_text(&f.city, 100));
        let province = errors.check("province", optional_text(&f.province, 100));
        let phone = errors.check("phone", optional(&f.phone, PhoneNumber::parse));
        let website = errors.check("website", optional_text(&f.website, 200));
        let segment = errors.check("segment", Segment::parse(&f.segment));
        // An institution says what kind; a company has none.
        let institution_type = match segment {
            Some(Segment::Institution) if f.institution_type.trim().is_empty() => {
                errors.add("institution_type", "employer.institution_type_required");
                None
            }
            Some(Segment::Institution) => errors
                .check(
                    "institution_type",
                    InstitutionType::parse(&f.institution_type),
                )
                .map(Some),
            _ => Some(None),
        };
        let ownership = errors.check("ownership", Ownership::parse(&f.ownership));
        // A foreign-owned employer names its country; others have none.
        let country = match ownership {
            Some(Ownership::Foreign) if f.country.trim().is_empty() => {
                errors.add("country", "employer.country_required");
                None
            }
            Some(Ownership::Foreign) => errors
                .check("country", CountryCode::parse(&f.country))
                .map(Some),
            _ => Some(None),
        };
        let scale = errors.check("scale", optional(&f.scale, Scale::parse));
        let industry = errors.check("industry", optional_text(&f.industry, 200));
        let risk_band = errors.check("risk_band", optional(&f.risk_band, RiskBand::parse));
        let programs = errors.check(
            "programs",
            f.programs
                .iter()
                .map(|p| Program::parse(p))
                .collect::<Result<Vec<_>, _>>(),
        );
        let workers = errors.check("workers_reported", optional_count(&f.workers_reported));
        let estimate = errors.check("workforce_estimate", optional_count(&f.workforce_estimate));
        let status = errors.check("status", Status::parse(&f.status));
        let stage = errors.check("stage", Stage::parse(&f.stage));
        let reason = errors.check("stage_reason", optional_text(&f.stage_reason, 500));
        let revisit = errors.check("revisit_on", optional_date(&f.revisit_on));
        let rm_id = errors.check("rm_id", optional_uuid(&f.rm_id, "employer.rm_invalid"));
        let branch_id = errors.check(
            "branch_id",
            optional_uuid(&f.branch_id, "employer.branch_invalid"),
        );
        let notes = errors.check("approach_notes", multiline_text(&f.approach_notes, 4000));
        let tags = errors.check("tags", Tag::parse_list(&f.tags));
        let engagement = match (stage, reason, revisit) {
            (Some(stage), Some(reason), Some(revisit)) => {
                match Engagement::parse(stage, reason, revisit, sent.today()) {
                    Ok(e) => Some(e),
                    Err(list) => {
                        for (field, key) in list {
                            errors.add(field, key);
                        }
                        None
                    }
                }
            }
            _ => None,
        };
        if matches!(npp, Some(None)) && division.as_ref().is_some_and(|d| !d.as_str().is_empty()) {
            errors.add("division_code", "employer.division_without_npp");
        }
        errors.finish(|| {
            let mut programs = programs?;
            // The programmes' own order (JKK, JKM, JHT, JP, JKP), as stored everywhere: a save that
            // only reorders them changes nothing.
            programs.sort_by_key(|p| Program::ALL.iter().position(|x| x == p));
            programs.dedup();
            let engagement = engagement?;
            Some(EmployerFields {
                npp: npp?.map(|n| n.as_str().to_owned()),
                division_code: division?.as_str().to_owned(),
                npwp: npwp?.map(|n| n.as_str().to_owned()),
                nib: nib?.map(|n| n.as_str().to_owned()),
                name: name?,
                legal_name: legal_name?,
                short_name: short_name?,
                address: address?,
                city: city?,
                province: province?,
                phone: phone?.map(|p| p.as_str().to_owned()),
                website: website?,
                segment: segment?,
                institution_type: institution_type?,
                ownership: ownership?,
                country: country?.map(|c| c.as_str().to_owned()),
                scale: scale?,
                industry: industry?,
                risk_band: risk_band?,
                programs,
                workers_reported: workers?,
                workforce_estimate: estimate?,
                status: status?,
                stage: engagement.stage,
                stage_reason: engagement.reason,
                revisit_on: engagement.revisit_on,
                rm_id: rm_id?,
                branch_id: branch_id?,
                approach_notes: notes?,
                tags: tags?.into_iter().map(|t| t.as_str().to_owned()).collect(),
            })
        })
    }
}

/// The edit form of a saved employer.
impl From<&Employer> for EmployerForm {
    fn from(e: &Employer) -> Self {
        EmployerForm::of(&e.fields, e.version)
    }
}

impl EmployerForm {
    /// The form showing `f`, saved at `version`.
    pub fn of(f: &EmployerFields, version: i32) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let count = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        let code = |v: Option<&'static str>| v.unwrap_or_default().to_owned();
        EmployerForm {
            npp: text(&f.npp),
            division_code: f.division_code.clone(),
            npwp: f.npwp.as_deref().map(Npwp::display).unwrap_or_default(),
            nib: text(&f.nib),
            name: f.name.clone(),
            legal_name: f.legal_name.clone(),
            short_name: f.short_name.clone(),
            address: f.address.clone(),
            city: f.city.clone(),
            province: f.province.clone(),
            phone: text(&f.phone),
            website: f.website.clone(),
            segment: f.segment.as_str().to_owned(),
            institution_type: code(f.institution_type.map(InstitutionType::as_str)),
            ownership: f.ownership.as_str().to_owned(),
            country: text(&f.country),
            scale: code(f.scale.map(Scale::as_str)),
            industry: f.industry.clone(),
            risk_band: code(f.risk_band.map(RiskBand::as_str)),
            programs: f.programs.iter().map(|p| p.as_str().to_owned()).collect(),
            workers_reported: count(f.workers_reported),
            workforce_estimate: count(f.workforce_estimate),
            status: f.status.as_str().to_owned(),
            stage: f.stage.as_str().to_owned(),
            stage_reason: f.stage_reason.clone(),
            revisit_on: f.revisit_on.map(|d| d.to_string()).unwrap_or_default(),
            rm_id: f.rm_id.map(|u| u.to_string()).unwrap_or_default(),
            branch_id: f.branch_id.map(|u| u.to_string()).unwrap_or_default(),
            approach_notes: f.approach_notes.clone(),
            tags: f.tags.join(", "),
            version,
        }
    }

    /// A new employer's form: a private domestic company being approached, assigned to `rm`.
    pub fn new_for(rm: uuid::Uuid) -> Self {
        EmployerForm {
            segment: Segment::Corporate.as_str().into(),
            ownership: Ownership::PrivateDomestic.as_str().into(),
            status: Status::Prospect.as_str().into(),
            stage: Stage::Approach.as_str().into(),
            rm_id: rm.to_string(),
            ..EmployerForm::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-25T03:00:00Z".parse().unwrap()
    }

    fn parse(f: &EmployerForm) -> Result<EmployerFields, FieldErrors> {
        EmployerFields::try_from(Submitted {
            form: f,
            now: now(),
            tz: chrono_tz::Asia::Jakarta,
        })
    }

    fn valid() -> EmployerForm {
        EmployerForm {
            name: " PT Maju Jaya ".into(),
            short_name: " Maju ".into(),
            npp: "1234 5678".into(),
            division_code: "01a".into(),
            programs: vec!["JHT".into(), "JKK".into(), "JHT".into()],
            tags: "Padat Karya, bumn".into(),
            workers_reported: "1.250".into(),
            ..EmployerForm::new_for(uuid::Uuid::nil())
        }
    }

    #[test]
    fn a_valid_form_becomes_typed_fields() {
        let f = parse(&valid()).unwrap();
        assert_eq!(f.name, "PT Maju Jaya");
        assert_eq!(f.short_name, "Maju");
        assert_eq!(f.npp.as_deref(), Some("12345678"));
        assert_eq!(f.division_code, "01A");
        assert_eq!(f.segment, Segment::Corporate);
        assert_eq!(f.programs, [Program::Jkk, Program::Jht]);
        assert_eq!(f.tags, ["bumn", "padat-karya"]);
        assert_eq!(f.workers_reported, Some(1250));
        assert_eq!(f.rm_id, Some(uuid::Uuid::nil()));
        assert_eq!((f.stage, f.revisit_on), (Stage::Approach, None));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let form = EmployerForm {
            name: String::new(),
            npp: "123".into(),
            segment: "institution".into(),
            ownership: "foreign".into(),
            stage: "paused".into(),
            revisit_on: "2026-11-25".into(),
            programs: vec!["XYZ".into()],
            rm_id: "not-an-id".into(),
            ..valid()
        };
        let errors = parse(&form).unwrap_err();
        for (field, key) in [
            ("name", "error.required"),
            ("npp", "employer.npp_invalid"),
            ("institution_type", "employer.institution_type_required"),
            ("country", "employer.country_required"),
            ("programs", "employer.program_invalid"),
            ("stage_reason", "employer.stage_reason_required"),
            // Today in Jakarta is 25 November: a revisit must lie after it.
            ("revisit_on", "employer.revisit_future"),
            ("rm_id", "employer.rm_invalid"),
        ] {
            assert_eq!(errors.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn a_division_needs_an_npp_and_a_company_has_no_institution_type() {
        let form = EmployerForm {
            npp: String::new(),
            ..valid()
        };
        assert_eq!(
            parse(&form).unwrap_err().get("division_code"),
            Some("employer.division_without_npp")
        );
        let form = EmployerForm {
            institution_type: "ministry".into(),
            country: "JP".into(),
            ..valid()
        };
        let f = parse(&form).unwrap();
        assert_eq!((f.institution_type, f.country), (None, None));
    }

    #[test]
    fn a_saved_employer_reads_back_into_the_same_fields() {
        let fields = EmployerFields {
            stage: Stage::Paused,
            stage_reason: "budget".into(),
            revisit_on: NaiveDate::from_ymd_opt(2027, 1, 10),
            npwp: Some("0018550814412000".into()),
            ..parse(&valid()).unwrap()
        };
        let again = parse(&EmployerForm::of(&fields, 3)).unwrap();
        assert_eq!(again, fields);
    }
}

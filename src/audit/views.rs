//! How recorded events read for people, on the audit log, in its export, in an employer's history and
//! beside a form someone else saved first: actions and fields by their labels, coded values in words,
//! dates in the reader's language, and each record by its name.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use uuid::Uuid;

use super::domain::{
    Action, Entity, FieldChange, field_label_key_of, is_list_field, list_item_label_key,
    meaningful, value_label_key,
};
use super::repo::{RecordIds, RecordRow, Row};
use crate::web::i18n::Lang;

/// Changed fields with their names, and coded values such as a stage, translated.
pub fn field_changes(lang: Lang, changes: &Value) -> Vec<FieldChange> {
    Words::new(lang, None).changes(None, changes)
}

/// A translated label where the catalog has one, the code itself otherwise.
pub fn label(lang: Lang, key: Option<&'static str>, code: String) -> String {
    key.map(|k| lang.t(k).to_owned()).unwrap_or(code)
}

/// The tenant's people and branch offices by id, for values recorded as ids (the filters of an
/// export). Disabled people and archived offices keep their names.
#[derive(Default)]
pub struct Names {
    pub people: HashMap<Uuid, String>,
    pub branches: HashMap<Uuid, String>,
}

/// Recorded values in the reader's words.
pub struct Words<'a> {
    lang: Lang,
    /// The tenant's zone, for recorded instants; without it they are shown as recorded.
    tz: Option<Tz>,
    names: Option<&'a Names>,
}

impl<'a> Words<'a> {
    pub fn new(lang: Lang, tz: Option<Tz>) -> Self {
        Words {
            lang,
            tz,
            names: None,
        }
    }

    pub fn with_names(mut self, names: &'a Names) -> Self {
        self.names = Some(names);
        self
    }

    /// The fields that changed, by their labels, with their values in words. Fields whose values did
    /// not change, and a new record's empty fields, are left out.
    pub fn changes(&self, entity: Option<Entity>, changes: &Value) -> Vec<FieldChange> {
        meaningful(changes)
            .into_iter()
            .map(|(field, old, new)| FieldChange {
                field: label(
                    self.lang,
                    field_label_key_of(entity, field),
                    field.to_owned(),
                ),
                old: self.value(entity, field, old),
                new: self.value(entity, field, new),
                // Set where there was nothing: shown without an old value.
                is_new: old.is_null() || old.as_str() == Some("") || old == &Value::Array(vec![]),
            })
            .collect()
    }

    /// The changes as lines of text ("Stage: Approach → Rejected").
    pub fn changes_text(&self, entity: Option<Entity>, changes: &Value) -> String {
        lines(&self.changes(entity, changes))
    }

    /// One recorded value in words.
    pub fn value(&self, entity: Option<Entity>, field: &str, v: &Value) -> String {
        let lang = self.lang;
        match v {
            Value::Null => "—".to_owned(),
            Value::Bool(b) => lang
                .t(if *b { "common.yes" } else { "common.no" })
                .to_owned(),
            Value::Number(n) => match n.as_i64() {
                Some(n) if field == "duration" => {
                    lang.tf("meeting.minutes", &[("n", &lang.integer(n))])
                }
                Some(n) => lang.integer(n),
                None => n.to_string(),
            },
            Value::String(s) if s.is_empty() => "—".to_owned(),
            Value::String(s) => self.text(entity, field, s),
            other => other.to_string(),
        }
    }

    fn text(&self, entity: Option<Entity>, field: &str, s: &str) -> String {
        let lang = self.lang;
        if let Some(key) = value_label_key(entity, field, s) {
            return lang.t(key).to_owned();
        }
        if is_list_field(field) {
            return s
                .split(", ")
                .filter(|item| !item.is_empty())
                .map(|item| label(lang, list_item_label_key(field, item), item.to_owned()))
                .collect::<Vec<_>>()
                .join(", ");
        }
        match field {
            // A letter's text in the history is a reminder of which wording it was, not the letter:
            // the letter's page shows it whole.
            "body_id" | "body_en" if entity == Some(Entity::Letter) => {
                const SHOWN: usize = 160;
                return match s.char_indices().nth(SHOWN) {
                    Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
                    None => s.to_owned(),
                };
            }
            // A contribution's month and amounts as the contributions table shows them.
            "period" if entity == Some(Entity::Contribution) => {
                if let Ok(p) = crate::contributions::domain::Period::parse(s) {
                    let d = p.first_day();
                    return format!("{} {}", lang.month_abbr(d.month()), d.year());
                }
            }
            "amount_due" | "amount_paid" | "wages_reported"
                if entity == Some(Entity::Contribution) =>
            {
                if let Ok(d) = s.parse::<rust_decimal::Decimal>() {
                    return format!("Rp {}", crate::contributions::domain::money_input(d, lang));
                }
            }
            "filters" => return self.filters(s),
            "npwp" => return crate::employers::domain::Npwp::display(s),
            // An export's file format, as its download links name it.
            "format" => return s.to_uppercase(),
            // The languages by their own names, as the settings page offers them.
            "default_language" => match s {
                "id" => return "Bahasa Indonesia".to_owned(),
                "en" => return "English".to_owned(),
                _ => {}
            },
            _ => {}
        }
        self.moment(s).unwrap_or_else(|| s.to_owned())
    }

    /// A recorded day (`2026-11-20`), instant (RFC 3339) or local meeting time (`2026-11-20 09:30`,
    /// already in the tenant's zone) in the reader's format; None for any other text.
    fn moment(&self, s: &str) -> Option<String> {
        let lang = self.lang;
        if s.len() == 10
            && let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        {
            return Some(lang.date(d));
        }
        if s.len() == 16
            && let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        {
            return Some(lang.datetime(t.and_utc(), chrono_tz::UTC));
        }
        let tz = self.tz?;
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| lang.datetime(t.with_timezone(&Utc), tz))
    }

    /// The filters of an exported list (its query string) in words: "Stage: Rejected; RM: Dewi".
    /// Ids name their person or office; the order of rows and the page are not filters.
    fn filters(&self, query: &str) -> String {
        use crate::employers::domain::{InstitutionType, Ownership, Segment, Stage, Status};
        use crate::text_enum::TextEnum;
        fn coded<T: TextEnum>(lang: Lang, v: &str) -> String {
            let key = T::all().iter().find(|c| c.code() == v).map(|c| c.label());
            label(lang, key, v.to_owned())
        }
        let lang = self.lang;
        let named = |map: Option<&HashMap<Uuid, String>>, v: &str| {
            v.parse::<Uuid>()
                .ok()
                .and_then(|id| map.and_then(|m| m.get(&id)).cloned())
                .unwrap_or_else(|| v.to_owned())
        };
        let people = self.names.map(|n| &n.people);
        let branches = self.names.map(|n| &n.branches);
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| {
                let (key, value) = match k.as_str() {
                    "q" => ("employer.search_label", v),
                    "segment" => ("employer.segment", coded::<Segment>(lang, &v)),
                    "institution_type" => (
                        "employer.institution_type",
                        coded::<InstitutionType>(lang, &v),
                    ),
                    "ownership" => ("employer.ownership", coded::<Ownership>(lang, &v)),
                    "status" => ("employer.status", coded::<Status>(lang, &v)),
                    "stage" => ("employer.stage", coded::<Stage>(lang, &v)),
                    "branch" => ("employer.branch", named(branches, &v)),
                    "rm" => ("employer.rm", named(people, &v)),
                    "tag" => ("employer.tag", v),
                    "archived" => ("employer.show_archived", lang.t("common.yes").to_owned()),
                    "actor" => ("audit.actor", named(people, &v)),
                    "action" => ("audit.action", coded::<Action>(lang, &v)),
                    "entity" => ("audit.entity", coded::<Entity>(lang, &v)),
                    "from" => ("audit.from", self.moment(&v).unwrap_or(v)),
                    "to" => ("audit.to", self.moment(&v).unwrap_or(v)),
                    _ => return None,
                };
                Some(format!("{}: {value}", lang.t(key)))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Changes as lines of text, one per field: "Stage: Approach → Rejected", "Name: PT Maju" for a value
/// set where there was none.
pub fn lines(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(|c| {
            if c.is_new {
                format!("{}: {}", c.field, c.new)
            } else {
                format!("{}: {} → {}", c.field, c.old, c.new)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One event as the log and its export show it.
pub struct EventView {
    /// When, in the tenant's zone and the reader's format.
    pub at: String,
    /// When, in the tenant's zone, for a spreadsheet's date cell.
    pub local: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub record: RecordName,
    pub changes: Vec<FieldChange>,
    pub ip: String,
    pub request_id: String,
}

impl EventView {
    pub fn of(row: Row, records: &Records, words: &Words, tz: Tz) -> EventView {
        let lang = words.lang;
        let entity = Entity::parse(&row.entity_type).ok();
        EventView {
            at: lang.datetime(row.occurred_at, tz),
            local: row.occurred_at.with_timezone(&tz).naive_local(),
            // Work done from the command line has no person behind it in this tenant.
            actor: if row.actor == "cli" {
                lang.t("audit.actor_cli").to_owned()
            } else {
                row.actor
            },
            // Events recorded by another version may name what this one does not know: shown as
            // their codes.
            action: label(
                lang,
                Action::parse(&row.action).ok().map(Action::label_key),
                row.action,
            ),
            record: records.name(lang, tz, &row.entity_type, row.entity_id),
            changes: words.changes(entity, &row.changes),
            ip: row.ip.unwrap_or_default(),
            request_id: row.request_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    pub fn changes_text(&self) -> String {
        lines(&self.changes)
    }
}

/// Which record an event is about, as the log shows it: its kind, its name and where its page is.
pub struct RecordName {
    pub kind: String,
    /// The record's name, or a note that it is not found (any more) or its personal data was erased.
    pub name: String,
    /// The record's page, when it still exists.
    pub href: Option<String>,
}

/// The records a set of events is about, read in one statement (`repo::records`) and named in the
/// reader's language.
pub struct Records {
    found: HashMap<(Entity, Uuid), RecordRow>,
}

impl Records {
    /// The ids to read for these events, by kind.
    pub fn ids<'e>(events: impl IntoIterator<Item = (&'e str, Option<Uuid>)>) -> RecordIds {
        let mut ids = RecordIds::default();
        for (kind, id) in events {
            let (Ok(entity), Some(id)) = (Entity::parse(kind), id) else {
                continue;
            };
            let list = match entity {
                Entity::Employer => &mut ids.employers,
                Entity::KeyPerson => &mut ids.key_persons,
                Entity::Meeting => &mut ids.meetings,
                Entity::FollowUp => &mut ids.follow_ups,
                Entity::SupplyChainLink => &mut ids.links,
                Entity::BranchOffice => &mut ids.branches,
                Entity::User | Entity::Membership | Entity::CalendarFeed => &mut ids.users,
                Entity::Invitation => &mut ids.invitations,
                Entity::Tenant => &mut ids.tenants,
                Entity::Letter => &mut ids.letters,
                Entity::Import => &mut ids.imports,
                // A contribution's event names its employer already; holidays have no page of
                // their own.
                Entity::EmployerList
                | Entity::AuditLog
                | Entity::Contribution
                | Entity::Holiday
                | Entity::LetterSettings => continue,
            };
            if !list.contains(&id) {
                list.push(id);
            }
        }
        ids
    }

    pub fn new(rows: Vec<RecordRow>) -> Self {
        let found = rows
            .into_iter()
            .filter_map(|r| {
                let entity = Entity::parse(&r.kind).ok()?;
                Some(((entity, r.id), r))
            })
            .collect();
        Records { found }
    }

    /// The record an event of kind `kind` is about, named.
    pub fn name(&self, lang: Lang, tz: Tz, kind: &str, id: Option<Uuid>) -> RecordName {
        let Ok(entity) = Entity::parse(kind) else {
            // Recorded by another version of the code: shown as recorded.
            return RecordName {
                kind: kind.to_owned(),
                name: String::new(),
                href: None,
            };
        };
        let kind = lang.t(entity.label_key()).to_owned();
        let Some(id) = id else {
            return RecordName {
                kind,
                name: String::new(),
                href: None,
            };
        };
        // A membership and a calendar feed are named by their person.
        let looked_up = match entity {
            Entity::User | Entity::Membership | Entity::CalendarFeed => Entity::User,
            other => other,
        };
        let Some(r) = self.found.get(&(looked_up, id)) else {
            return RecordName {
                kind,
                name: lang.t("audit.record_gone").to_owned(),
                href: None,
            };
        };
        RecordName {
            kind,
            name: describe(lang, tz, entity, r),
            href: entity.href(id),
        }
    }
}

/// "PT Semen Indonesia · NPP 12345678", "Rudi Hartanto · PT Semen Indonesia", "16 Nov 2026 09.00 ·
/// Coordination meeting · PT Semen Indonesia".
fn describe(lang: Lang, tz: Tz, entity: Entity, r: &RecordRow) -> String {
    use crate::meetings::domain::Kind;
    let title = r.title.clone().unwrap_or_default();
    let parts: Vec<String> = match entity {
        Entity::Employer => vec![
            title,
            r.code
                .as_ref()
                .map(|npp| format!("NPP {npp}"))
                .unwrap_or_default(),
        ],
        Entity::KeyPerson if r.erased => vec![
            lang.t("audit.record_erased").to_owned(),
            r.employer.clone().unwrap_or_default(),
        ],
        Entity::Meeting => vec![
            r.at.map(|at| lang.datetime(at, tz)).unwrap_or_default(),
            label(lang, Kind::parse(&title).ok().map(Kind::label_key), title),
            r.employer.clone().unwrap_or_default(),
        ],
        Entity::SupplyChainLink => {
            vec![format!(
                "{title} → {}",
                r.employer.clone().unwrap_or_default()
            )]
        }
        Entity::BranchOffice => vec![r.code.clone().unwrap_or_default(), title],
        // "Teguran 1 · 005/KPS/2026 · PT Semen Indonesia" (a draft has no number yet).
        Entity::Letter => vec![
            label(
                lang,
                crate::letters::domain::Kind::parse(&title)
                    .ok()
                    .map(crate::letters::domain::Kind::label_key),
                title,
            ),
            r.code.clone().unwrap_or_default(),
            r.employer.clone().unwrap_or_default(),
        ],
        // "daftar-pk.xlsx · 16 Nov 2026 09.00": the file and when it was uploaded.
        Entity::Import => vec![
            title,
            r.at.map(|at| lang.datetime(at, tz)).unwrap_or_default(),
        ],
        _ => vec![title, r.employer.clone().unwrap_or_default()],
    };
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_words_and_unchanged_fields_are_left_out() {
        let w = Words::new(Lang::En, Some(chrono_tz::Asia::Jakarta));
        let changes = json!({
            "name": {"old": "PT A", "new": "PT A"},
            "stage": {"old": "approach", "new": "rejected"},
            "revisit_on": {"old": null, "new": "2027-01-15"},
            "stage_reason": {"old": "", "new": null},
            "primary": {"old": false, "new": true},
            "programs": {"old": "", "new": "JHT, JKK"},
            "consent_at": {"old": null, "new": "2026-10-31T16:30:00Z"},
        });
        let lines = w.changes_text(Some(Entity::Employer), &changes);
        assert!(
            lines.contains("Engagement stage: Approach → Rejected"),
            "{lines}"
        );
        assert!(
            lines.contains("Programs enrolled: JHT (old age), JKK"),
            "{lines}"
        );
        assert!(lines.contains(": 15 Jan 2027"), "{lines}");
        assert!(lines.contains("No → Yes"), "{lines}");
        assert!(lines.contains("31 Oct 2026 23:30"), "{lines}");
        assert!(!lines.contains("PT A"), "unchanged: {lines}");
        assert_eq!(lines.lines().count(), 5, "{lines}");
        let id = Words::new(Lang::Id, None);
        assert_eq!(
            id.value(Some(Entity::Employer), "stage", &json!("rejected")),
            Lang::Id.t("stage.rejected")
        );
        assert_eq!(
            id.value(Some(Entity::Membership), "status", &json!("disabled")),
            Lang::Id.t("admin.disabled")
        );
        assert_eq!(id.value(None, "rows", &json!(12345)), "12.345");
    }

    #[test]
    fn letters_and_contributions_read_in_words() {
        let w = Words::new(Lang::En, None);
        let letter = json!({
            "kind": {"old": null, "new": "warning_1"},
            "state": {"old": "submitted", "new": "approved"},
            "response_due_on": {"old": null, "new": "2026-12-18"},
            "body_id": {"old": null, "new": "x".repeat(500)},
        });
        let lines = w.changes_text(Some(Entity::Letter), &letter);
        for words in [
            "Letter kind: First warning",
            "Status: Awaiting approval → Approved",
            "Response due: 18 Dec 2026",
        ] {
            let words = words
                .replace("Letter kind", Lang::En.t("letter.kind"))
                .replace("Status", Lang::En.t("letter.state"))
                .replace("Response due", Lang::En.t("letter.response_due"));
            assert!(lines.contains(&words), "{words}: {lines}");
        }
        assert!(lines.len() < 400, "a letter's text is shortened: {lines}");
        let contribution = json!({
            "period": {"old": null, "new": "2026-07"},
            "amount_due": {"old": null, "new": "1150000000.50"},
        });
        let lines = w.changes_text(Some(Entity::Contribution), &contribution);
        assert!(lines.contains(": Jul 2026"), "{lines}");
        assert!(lines.contains(": Rp 1,150,000,000.50"), "{lines}");
    }

    #[test]
    fn export_filters_read_as_words_with_names() {
        let rm = Uuid::new_v4();
        let names = Names {
            people: HashMap::from([(rm, "Dewi Lestari".to_owned())]),
            branches: HashMap::new(),
        };
        let w = Words::new(Lang::En, None).with_names(&names);
        let text = w.value(
            Some(Entity::EmployerList),
            "filters",
            &json!(format!("stage=rejected&rm={rm}&sort=npp")),
        );
        assert_eq!(text, "Engagement stage: Rejected; RM: Dewi Lestari");
    }
}

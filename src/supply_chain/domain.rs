//! Supply-chain values (docs/domain.md, "Supply chains"): how a member relates to its parent, what a
//! link records, and the chain's coverage.

use chrono::NaiveDate;
use serde::Serialize;

use crate::text_enum;

text_enum!(Relation, "link.relation_invalid", {
    Subsidiary = "subsidiary" => "relation.subsidiary",
    Vendor = "vendor" => "relation.vendor",
    Contractor = "contractor" => "relation.contractor",
    Partner = "partner" => "relation.partner",
});

/// What the link form sets besides the two employers. It serialises as the audit trail records it;
/// `Recorded` adds the employers by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkFields {
    pub relation: Relation,
    pub started_on: Option<NaiveDate>,
    pub notes: String,
}

/// A link as its history records it.
#[derive(Serialize)]
pub struct Recorded<'a> {
    #[serde(flatten)]
    pub fields: &'a LinkFields,
    pub parent: Option<String>,
    pub member: Option<String>,
}

/// A parent's chain coverage: members that are active and registered (have an NPP) out of all members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coverage {
    pub covered: i64,
    pub members: i64,
}

impl Coverage {
    /// Whole percent, rounded down so that 99.6 % never shows as complete; none without members.
    pub fn percent(self) -> Option<i64> {
        (self.members > 0).then(|| self.covered * 100 / self.members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_percent() {
        assert_eq!(
            Coverage {
                covered: 0,
                members: 0
            }
            .percent(),
            None
        );
        assert_eq!(
            Coverage {
                covered: 2,
                members: 3
            }
            .percent(),
            Some(66)
        );
        assert_eq!(
            Coverage {
                covered: 199,
                members: 200
            }
            .percent(),
            Some(99)
        );
        assert_eq!(
            Coverage {
                covered: 5,
                members: 5
            }
            .percent(),
            Some(100)
        );
    }

    #[test]
    fn every_relation_has_a_label() {
        for r in Relation::ALL {
            assert!(crate::web::i18n::is_known_key(r.label_key()), "{r}");
        }
    }
}

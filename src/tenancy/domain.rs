//! Tenants, roles and what each role may do (docs/domain.md, "People and roles"). No SQL, no HTTP.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::domain::UserId;
use crate::text_enum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A tenant's short name: lowercase letters, digits and inner hyphens, at most 40 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        let valid_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if s.is_empty() || s.len() > 40 || !valid_chars || s.starts_with('-') || s.ends_with('-') {
            return Err("error.slug_invalid");
        }
        Ok(Slug(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone the tenant's dates are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        raw.trim()
            .parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| "error.timezone_invalid")
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

text_enum!(
    /// The roles (docs/domain.md, "People and roles"), from most to least privileged.
    Role, "error.role_invalid", {
    Admin = "admin" => "role.admin",
    Supervisor = "supervisor" => "role.supervisor",
    Rm = "rm" => "role.rm",
    Viewer = "viewer" => "role.viewer",
});

impl Role {
    /// Where a user lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Rm => "/my-month",
            Role::Supervisor | Role::Viewer => "/dashboard",
            Role::Admin => "/admin",
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ReadRecords | ExportLists => true,
            CreateEmployers | EditOwnPortfolio | LogMeetings | DraftLetters | ActOnFlags
            | ReadOwnAuditTrail | ViewMyMonth => matches!(self, Rm | Supervisor | Admin),
            EditAnyRecord | ReassignPortfolio | ApproveLetters | ReadAuditLog
            | RecordContributions => {
                matches!(self, Supervisor | Admin)
            }
            ViewDashboard => matches!(self, Viewer | Supervisor | Admin),
            ImportFiles | ManageUsers | ManageBranches | ManageSettings | ManagePersonalData
            | OpenAdmin => self == Admin,
        }
    }
}

impl FromStr for Role {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s)
    }
}

text_enum!(
    /// Who in a tenant must answer a second factor (a code from an authenticator app) at sign-in.
    SecondFactorRule, "error.second_factor_rule_invalid", {
    Admins = "admins" => "second_factor.rule_admins",
    Everyone = "everyone" => "second_factor.rule_everyone",
    Off = "off" => "second_factor.rule_off",
});

impl SecondFactorRule {
    /// A stored value: the column's check allows only the three; anything else is read as the
    /// strictest rule, which fails safe.
    pub fn from_stored(raw: &str) -> Self {
        Self::parse(raw).unwrap_or(SecondFactorRule::Everyone)
    }

    pub fn requires(self, role: Role) -> bool {
        match self {
            SecondFactorRule::Off => false,
            SecondFactorRule::Admins => role == Role::Admin,
            SecondFactorRule::Everyone => true,
        }
    }
}

/// Who is asking, as the permission rules of each domain's `policy.rs` see them: a role in the
/// active tenant and a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who {
    pub role: Role,
    pub user: UserId,
}

impl Who {
    pub fn can(self, permission: Permission) -> bool {
        self.role.can(permission)
    }

    /// Is this the person a record names (its RM, its author)?
    pub fn is(self, user: Option<Uuid>) -> bool {
        user == Some(self.user.0)
    }
}

/// Everything a handler may ask "is this user allowed to …?" about. One table (`Role::can`) answers,
/// for every handler and for every template that decides whether to show a control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ReadRecords,
    ExportLists,
    CreateEmployers,
    /// Edit employers, key persons, meetings … of one's own portfolio; the record check comes on top.
    EditOwnPortfolio,
    /// Edit any record of the tenant, whoever's portfolio it is in.
    EditAnyRecord,
    ReassignPortfolio,
    LogMeetings,
    /// Enter or correct an employer's monthly contributions (until imports bring them).
    RecordContributions,
    DraftLetters,
    ApproveLetters,
    ActOnFlags,
    ImportFiles,
    ManageUsers,
    ManageBranches,
    ManageSettings,
    /// Export or erase a key person's personal data (UU PDP).
    ManagePersonalData,
    OpenAdmin,
    ReadAuditLog,
    ReadOwnAuditTrail,
    ViewDashboard,
    ViewMyMonth,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("demo").is_ok());
        assert!(Slug::parse("kanwil-dki-1").is_ok());
        assert_eq!(Slug::parse("  demo ").unwrap().as_str(), "demo");
        for bad in [
            "",
            "-demo",
            "demo-",
            "Demo",
            "de mo",
            "dé",
            &"a".repeat(41),
            "a_b",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn time_zones() {
        assert_eq!(
            TimeZone::parse("Asia/Jakarta").unwrap().name(),
            "Asia/Jakarta"
        );
        assert!(TimeZone::parse("Asia/Makassar").is_ok());
        assert!(TimeZone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn role_table_matches_the_specification() {
        use Permission::*;
        // (permission, viewer, rm, supervisor, admin)
        let table = [
            (ReadRecords, true, true, true, true),
            (ExportLists, true, true, true, true),
            (CreateEmployers, false, true, true, true),
            (EditOwnPortfolio, false, true, true, true),
            (EditAnyRecord, false, false, true, true),
            (ReassignPortfolio, false, false, true, true),
            (LogMeetings, false, true, true, true),
            (DraftLetters, false, true, true, true),
            (ApproveLetters, false, false, true, true),
            (ActOnFlags, false, true, true, true),
            (ImportFiles, false, false, false, true),
            (ManageUsers, false, false, false, true),
            (ManageBranches, false, false, false, true),
            (ManageSettings, false, false, false, true),
            (OpenAdmin, false, false, false, true),
            (ReadAuditLog, false, false, true, true),
            (ReadOwnAuditTrail, false, true, true, true),
            (ManagePersonalData, false, false, false, true),
        ];
        for (p, viewer, rm, supervisor, admin) in table {
            assert_eq!(Role::Viewer.can(p), viewer, "viewer {p:?}");
            assert_eq!(Role::Rm.can(p), rm, "rm {p:?}");
            assert_eq!(Role::Supervisor.can(p), supervisor, "supervisor {p:?}");
            assert_eq!(Role::Admin.can(p), admin, "admin {p:?}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for &r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn the_second_factor_rule_says_who_needs_one() {
        use SecondFactorRule::*;
        for &role in Role::ALL {
            assert!(!Off.requires(role));
            assert!(Everyone.requires(role));
            assert_eq!(Admins.requires(role), role == Role::Admin);
        }
        for &rule in SecondFactorRule::ALL {
            assert_eq!(SecondFactorRule::parse(rule.as_str()), Ok(rule));
        }
        assert_eq!(SecondFactorRule::from_stored("garbled"), Everyone);
        assert!(SecondFactorRule::parse("sometimes").is_err());
    }

    #[test]
    fn every_role_lands_on_a_page_it_may_open() {
        assert!(Role::Rm.can(Permission::ViewMyMonth));
        assert!(Role::Supervisor.can(Permission::ViewDashboard));
        assert!(Role::Viewer.can(Permission::ViewDashboard));
        assert!(Role::Admin.can(Permission::OpenAdmin));
    }
}

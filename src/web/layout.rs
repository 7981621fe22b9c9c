//! The page shell every template extends: who is signed in, the active tenant and its switcher, the
//! navigation for the role, the language, flash messages. One `Layout` value per page.

use crate::tenancy::domain::{Permission, Role, TenantId};
use crate::web::i18n::Lang;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct TenantChoice {
    pub id: TenantId,
    pub name: String,
    pub active: bool,
}

pub struct Flash {
    pub success: bool,
    pub message: &'static str,
}

pub struct Layout {
    pub lang: Lang,
    pub title: String,
    /// Path and query of this page, so the language switch can come back to it.
    pub here: String,
    pub user_name: Option<String>,
    pub tenant_name: Option<String>,
    pub role: Option<Role>,
    pub tenants: Vec<TenantChoice>,
    pub nav: Vec<NavItem>,
    pub flash: Option<Flash>,
    /// The tenant's zone, in which every date and time is shown.
    pub tz: chrono_tz::Tz,
}

impl Layout {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.lang.tf(key, args)
    }

    pub fn asset(&self, name: &str) -> String {
        crate::web::assets::url(name)
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.is_some_and(|r| r.can(permission))
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }

    pub fn other_language(&self) -> Lang {
        match self.lang {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// Takes the number by value or by reference, as templates pass either.
    pub fn integer(&self, n: impl std::borrow::Borrow<i64>) -> String {
        self.lang.integer(*n.borrow())
    }

    /// An amount of rupiah: `Rp 1.234.567` (`contributions::domain::money_text`).
    pub fn money(&self, amount: &rust_decimal::Decimal) -> String {
        crate::contributions::domain::money_text(*amount, self.lang)
    }

    /// A count of people or rows, with the language's separators.
    pub fn count(&self, n: &i32) -> String {
        self.lang.integer(i64::from(*n))
    }

    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        self.lang.date(*d)
    }

    /// The day an instant falls on in the tenant's zone.
    pub fn day_of(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.lang.date(at.with_timezone(&self.tz).date_naive())
    }

    pub fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        self.lang.datetime(*at, self.tz)
    }

    /// The navigation a role sees: only pages it may open.
    pub fn nav_for(role: Role, lang: Lang, path: &str) -> Vec<NavItem> {
        let entries: [(&'static str, &'static str, Permission, bool); 7] = [
            ("/my-month", "nav.my_month", Permission::ViewMyMonth, true),
            ("/employers", "nav.employers", Permission::ReadRecords, true),
            (
                "/follow-ups",
                "nav.follow_ups",
                Permission::ReadRecords,
                true,
            ),
            ("/letters", "nav.letters", Permission::ReadRecords, true),
            (
                "/dashboard",
                "nav.dashboard",
                Permission::ViewDashboard,
                true,
            ),
            (
                "/admin/audit",
                "nav.audit_log",
                Permission::ReadAuditLog,
                !role.can(Permission::OpenAdmin),
            ),
            ("/admin", "nav.admin", Permission::OpenAdmin, true),
        ];
        entries
            .into_iter()
            .filter(|(_, _, permission, shown)| *shown && role.can(*permission))
            .map(|(href, key, _, _)| NavItem {
                href,
                label: lang.t(key),
                active: path == href
                    || (path.starts_with(href) && path[href.len()..].starts_with('/')),
            })
            .collect()
    }
}

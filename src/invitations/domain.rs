//! Invitation secrets, how long an invitation lasts, and the two forms: the admin's invitation and the
//! invited person's new account. No SQL, no HTTP.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::domain::{Email, NewPassword, hex, random_token, token_hash};
use crate::tenancy::domain::Role;
use crate::web::forms::{FieldErrors, required_text};

/// The secret in an invitation's link: 256 random bits as 64 hex characters. Only its SHA-256 is
/// stored, so the link is shown once, to the admin who made it.
pub struct InvitationSecret(String);

impl InvitationSecret {
    pub fn generate() -> Self {
        InvitationSecret(random_token())
    }

    /// A secret as it appears in a link; anything else cannot be one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = raw.len() == 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| InvitationSecret(raw.to_owned()))
    }

    pub fn hash(&self) -> Vec<u8> {
        token_hash(&self.0)
    }

    /// The hash as the `app.invitation` setting carries it.
    pub fn hash_hex(&self) -> String {
        hex(&self.hash())
    }

    pub fn path(&self) -> String {
        format!("/invitations/{}", self.0)
    }
}

/// How long an invitation may be accepted, in days: the admin picks one.
pub const VALID_DAYS: [i64; 5] = [1, 3, 7, 14, 30];
pub const DEFAULT_DAYS: i64 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    Accepted,
    Revoked,
    Expired,
}

impl Status {
    pub fn of(
        accepted_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Status {
        match (accepted_at, revoked_at) {
            (Some(_), _) => Status::Accepted,
            (_, Some(_)) => Status::Revoked,
            _ if expires_at <= now => Status::Expired,
            _ => Status::Open,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::Open => "invitation.status_open",
            Status::Accepted => "invitation.status_accepted",
            Status::Revoked => "invitation.status_revoked",
            Status::Expired => "invitation.status_expired",
        }
    }
}

/// The admin's form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct InvitationForm {
    pub email: String,
    pub role: String,
    pub branch_id: String,
    pub days: String,
}

/// An invitation to make: whom, as what, where, for how long.
pub struct NewInvitation {
    pub email: Email,
    pub role: Role,
    pub branch: Option<Uuid>,
    pub days: i64,
}

impl TryFrom<&InvitationForm> for NewInvitation {
    type Error = FieldErrors;

    fn try_from(f: &InvitationForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(&f.email));
        let role = errors.check("role", f.role.parse::<Role>());
        let branch = match f.branch_id.trim() {
            "" => Some(None),
            raw => errors.check(
                "branch_id",
                raw.parse::<Uuid>()
                    .map(Some)
                    .map_err(|_| "error.branch_invalid"),
            ),
        };
        let days = match f.days.trim() {
            "" => Some(DEFAULT_DAYS),
            raw => errors.check(
                "days",
                raw.parse::<i64>()
                    .ok()
                    .filter(|d| VALID_DAYS.contains(d))
                    .ok_or("invitation.days_invalid"),
            ),
        };
        match (email, role, branch, days) {
            (Some(email), Some(role), Some(branch), Some(days)) if errors.is_empty() => {
                Ok(NewInvitation {
                    email,
                    role,
                    branch,
                    days,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The invited person's form when they have no account yet.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    pub name: String,
    pub password: String,
    pub confirm: String,
}

pub struct NewAccount {
    pub name: String,
    pub password: NewPassword,
}

impl AccountForm {
    /// `email` is the invitation's; `tenant_name` the unit's — a password may be made of neither.
    pub fn parse(&self, email: &str, tenant_name: &str) -> Result<NewAccount, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", required_text(&self.name, 200));
        let typed_name = name.as_deref().unwrap_or(self.name.as_str());
        let password = if self.password.len() > 1024 {
            errors.add("password", "error.password_too_long");
            None
        } else {
            errors.check(
                "password",
                NewPassword::parse(&self.password, &[email, typed_name, tenant_name]),
            )
        };
        if self.confirm != self.password {
            errors.add("confirm", "auth.password_mismatch");
        }
        match (name, password) {
            (Some(name), Some(password)) if errors.is_empty() => Ok(NewAccount { name, password }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn secrets_are_256_bits_and_only_their_hash_is_kept() {
        let s = InvitationSecret::generate();
        assert_eq!(s.0.len(), 64);
        assert_eq!(s.hash().len(), 32);
        assert_eq!(s.hash_hex().len(), 64);
        assert_ne!(s.hash_hex(), s.0);
        assert!(InvitationSecret::parse(&s.0).is_some());
        for bad in ["", "abc", &"g".repeat(64), &"A".repeat(64), &"a".repeat(65)] {
            assert!(InvitationSecret::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn status_follows_the_record_and_the_clock() {
        let now = Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0).unwrap();
        let later = now + chrono::Duration::days(1);
        let earlier = now - chrono::Duration::days(1);
        assert_eq!(Status::of(None, None, later, now), Status::Open);
        assert_eq!(Status::of(None, None, earlier, now), Status::Expired);
        assert_eq!(
            Status::of(Some(earlier), None, earlier, now),
            Status::Accepted
        );
        assert_eq!(Status::of(None, Some(earlier), later, now), Status::Revoked);
    }

    #[test]
    fn the_invitation_form_reports_every_problem() {
        let f = InvitationForm {
            email: "not an email".into(),
            role: "boss".into(),
            branch_id: "x".into(),
            days: "9".into(),
        };
        let errors = NewInvitation::try_from(&f).err().unwrap();
        for field in ["email", "role", "branch_id", "days"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let f = InvitationForm {
            email: " Hire@A-Agency.example ".into(),
            role: "rm".into(),
            branch_id: String::new(),
            days: String::new(),
        };
        let n = NewInvitation::try_from(&f).ok().unwrap();
        assert_eq!(n.email.as_str(), "hire@a-agency.example");
        assert_eq!((n.role, n.branch, n.days), (Role::Rm, None, DEFAULT_DAYS));
    }

    #[test]
    fn a_new_account_needs_a_name_and_a_password_of_its_own() {
        let form = |name: &str, password: &str, confirm: &str| AccountForm {
            name: name.into(),
            password: password.into(),
            confirm: confirm.into(),
        };
        let ok = form(
            "Sari Wulandari",
            "kopi-tubruk-di-menteng-42",
            "kopi-tubruk-di-menteng-42",
        );
        assert!(ok.parse("sari@x.example", "Unit Satu").is_ok());
        let bad = form("", "password1234", "other");
        let errors = bad.parse("sari@x.example", "Unit Satu").err().unwrap();
        assert_eq!(errors.get("name"), Some("error.required"));
        assert!(errors.get("password").is_some());
        assert_eq!(errors.get("confirm"), Some("auth.password_mismatch"));
        let own_name = form(
            "Sari Wulandari",
            "SariWulandari!!2026",
            "SariWulandari!!2026",
        );
        assert!(own_name.parse("sari@x.example", "Unit Satu").is_err());
    }
}

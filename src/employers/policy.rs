//! Who may do what to an employer (docs/domain.md, "Portfolios"). The role table (`Role::can`) says
//! what a role may do at all; these rules add the record: an RM changes only their own portfolio.

use uuid::Uuid;

use crate::tenancy::domain::{Permission, Who};

/// May `who` change an employer assigned to `rm` — its fields, key persons, links, meetings and
/// follow-ups? Supervisors and admins any; RMs their own portfolio.
pub fn may_edit(who: Who, rm: Option<Uuid>) -> bool {
    who.can(Permission::EditAnyRecord) || (who.can(Permission::EditOwnPortfolio) && who.is(rm))
}

/// May `who` read the employer's history? Everyone who reads the audit log, and RMs for their own
/// portfolio.
pub fn may_read_history(who: Who, rm: Option<Uuid>) -> bool {
    who.can(Permission::ReadAuditLog) || (who.can(Permission::ReadOwnAuditTrail) && who.is(rm))
}

/// Archiving is open to whoever may edit the employer; restoring to supervisors and admins.
pub fn may_archive(who: Who, rm: Option<Uuid>, archive: bool) -> bool {
    if archive {
        may_edit(who, rm)
    } else {
        who.can(Permission::EditAnyRecord)
    }
}

/// Only supervisors and admins move employers between RMs and branches; an RM's new employer is
/// theirs, whatever the form says.
pub fn may_assign(who: Who) -> bool {
    who.can(Permission::ReassignPortfolio)
}

/// Does `who` work a portfolio of their own (an RM)? Their lists then open on it, with the whole unit
/// one tap away.
pub fn holds_portfolio(who: Who) -> bool {
    who.can(Permission::EditOwnPortfolio) && !who.can(Permission::EditAnyRecord)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;
    use crate::tenancy::domain::Role;

    fn who(role: Role, user: Uuid) -> Who {
        Who {
            role,
            user: UserId(user),
        }
    }

    #[test]
    fn rms_change_their_own_portfolio_and_supervisors_any() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(may_edit(who(Role::Rm, me), Some(me)));
        assert!(!may_edit(who(Role::Rm, me), Some(other)));
        assert!(!may_edit(who(Role::Rm, me), None));
        assert!(may_edit(who(Role::Supervisor, me), Some(other)));
        assert!(may_edit(who(Role::Admin, me), None));
        assert!(!may_edit(who(Role::Viewer, me), Some(me)));
    }

    #[test]
    fn history_archive_and_assignment() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(may_read_history(who(Role::Rm, me), Some(me)));
        assert!(!may_read_history(who(Role::Rm, me), Some(other)));
        assert!(may_read_history(who(Role::Supervisor, me), Some(other)));
        assert!(may_archive(who(Role::Rm, me), Some(me), true));
        assert!(!may_archive(who(Role::Rm, me), Some(me), false));
        assert!(may_archive(who(Role::Supervisor, me), Some(other), false));
        assert!(!may_assign(who(Role::Rm, me)));
        assert!(holds_portfolio(who(Role::Rm, me)));
        assert!(!holds_portfolio(who(Role::Supervisor, me)));
        assert!(!holds_portfolio(who(Role::Admin, me)));
        assert!(may_assign(who(Role::Admin, me)));
    }
}

//! Who may change a supply-chain link. A link is part of both employers' portfolios.

use uuid::Uuid;

use crate::employers::policy as employer_policy;
use crate::tenancy::domain::Who;

/// Links are added from an employer's page by whoever may change that employer.
pub fn may_add(who: Who, rm: Option<Uuid>) -> bool {
    employer_policy::may_edit(who, rm)
}

/// Either side's RM may remove a link (and supervisors and admins any).
pub fn may_remove(who: Who, parent_rm: Option<Uuid>, member_rm: Option<Uuid>) -> bool {
    employer_policy::may_edit(who, parent_rm) || employer_policy::may_edit(who, member_rm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;
    use crate::tenancy::domain::Role;

    #[test]
    fn either_side_may_remove() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        let rm = Who {
            role: Role::Rm,
            user: UserId(me),
        };
        assert!(may_remove(rm, Some(other), Some(me)));
        assert!(may_remove(rm, Some(me), None));
        assert!(!may_remove(rm, Some(other), None));
        assert!(may_add(rm, Some(me)) && !may_add(rm, Some(other)));
    }
}

//! Who may do what to a key person. A person belongs to their employer's portfolio: whoever may change
//! the employer may change its people (`employers::policy`).

use uuid::Uuid;

use crate::employers::policy as employer_policy;
use crate::tenancy::domain::{Permission, Who};

/// May `who` change a person of an employer assigned to `rm`? Nobody changes an erased person.
pub fn may_change(who: Who, rm: Option<Uuid>, erased: bool) -> bool {
    !erased && employer_policy::may_edit(who, rm)
}

/// Archiving is open to whoever may change the person; restoring to supervisors and admins.
pub fn may_archive(who: Who, rm: Option<Uuid>, erased: bool, archive: bool) -> bool {
    may_change(who, rm, erased) && (archive || who.can(Permission::EditAnyRecord))
}

/// Exporting and erasing a person's data (UU PDP) is for admins.
pub fn may_manage_personal_data(who: Who) -> bool {
    who.can(Permission::ManagePersonalData)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;
    use crate::tenancy::domain::Role;

    #[test]
    fn the_portfolio_decides_and_erased_people_stay_as_they_are() {
        let me = Uuid::new_v4();
        let rm = Who {
            role: Role::Rm,
            user: UserId(me),
        };
        let supervisor = Who {
            role: Role::Supervisor,
            user: UserId(Uuid::new_v4()),
        };
        assert!(may_change(rm, Some(me), false));
        assert!(!may_change(rm, Some(me), true));
        assert!(!may_change(rm, None, false));
        assert!(may_archive(rm, Some(me), false, true));
        assert!(!may_archive(rm, Some(me), false, false));
        assert!(may_archive(supervisor, Some(me), false, false));
        assert!(!may_manage_personal_data(supervisor));
    }
}

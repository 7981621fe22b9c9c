//! Who may change a follow-up: whoever may change its employer, and its assignee (who may not own the
//! employer but does the work).

use uuid::Uuid;

use crate::employers::policy as employer_policy;
use crate::tenancy::domain::{Permission, Role, Who};

/// May `who` change (edit, mark done, reopen) a follow-up of an employer assigned to `rm`?
pub fn may_change(who: Who, rm: Option<Uuid>, assignee: Uuid) -> bool {
    who.can(Permission::LogMeetings)
        && (employer_policy::may_edit(who, rm) || who.user.0 == assignee)
}

/// May `who` add a follow-up to an employer assigned to `rm`?
pub fn may_add(who: Who, rm: Option<Uuid>) -> bool {
    who.can(Permission::LogMeetings) && employer_policy::may_edit(who, rm)
}

/// May `who` see everyone's follow-ups, not only their own? Supervisors and admins, and viewers who
/// follow the team's work.
pub fn may_see_team(who: Who) -> bool {
    who.can(Permission::EditAnyRecord) || who.role == Role::Viewer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;

    #[test]
    fn an_assignee_changes_a_follow_up_of_someone_elses_employer() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        let rm = Who {
            role: Role::Rm,
            user: UserId(me),
        };
        assert!(may_change(rm, Some(other), me));
        assert!(!may_change(rm, Some(other), other));
        assert!(may_change(rm, Some(me), other));
        assert!(!may_add(rm, Some(other)));
        let viewer = Who {
            role: Role::Viewer,
            user: UserId(me),
        };
        assert!(!may_change(viewer, Some(me), me));
        assert!(may_see_team(viewer) && !may_see_team(rm));
    }
}

//! Who may do what to a meeting. Meetings are logged for an employer of one's portfolio; the meeting
//! then belongs to whoever logged it.

use uuid::Uuid;

use crate::employers::policy as employer_policy;
use crate::tenancy::domain::{Permission, Who};

/// May `who` plan or log a meeting with an employer assigned to `rm`?
pub fn may_log_for(who: Who, rm: Option<Uuid>) -> bool {
    who.can(Permission::LogMeetings) && employer_policy::may_edit(who, rm)
}

/// May `who` change (edit, complete, cancel, archive) a meeting logged by `logged_by`? Supervisors
/// and admins any; RMs the meetings they logged.
pub fn may_change(who: Who, logged_by: Uuid) -> bool {
    who.can(Permission::EditAnyRecord)
        || (who.can(Permission::LogMeetings) && who.user.0 == logged_by)
}

/// Archiving is open to whoever may change the meeting; restoring to supervisors and admins.
pub fn may_archive(who: Who, logged_by: Uuid, archive: bool) -> bool {
    if archive {
        may_change(who, logged_by)
    } else {
        who.can(Permission::EditAnyRecord)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;
    use crate::tenancy::domain::Role;

    #[test]
    fn an_rm_changes_the_meetings_they_logged() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        let rm = Who {
            role: Role::Rm,
            user: UserId(me),
        };
        assert!(may_change(rm, me) && !may_change(rm, other));
        assert!(may_log_for(rm, Some(me)) && !may_log_for(rm, Some(other)));
        assert!(may_archive(rm, me, true) && !may_archive(rm, me, false));
        let admin = Who {
            role: Role::Admin,
            user: UserId(me),
        };
        assert!(may_change(admin, other) && may_archive(admin, other, false));
        let viewer = Who {
            role: Role::Viewer,
            user: UserId(me),
        };
        assert!(!may_change(viewer, me) && !may_log_for(viewer, Some(me)));
    }
}

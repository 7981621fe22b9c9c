//! Who may do what to a letter. Drafting, sending and recording answers belong to whoever may change
//! the employer; approving belongs to supervisors and admins who did not draft it; cancelling a letter
//! already approved needs an approver too, since its number is then taken.

use uuid::Uuid;

use super::domain::{State, Step};
use crate::employers::policy as employer_policy;
use crate::tenancy::domain::{Permission, Who};

/// May `who` draft a letter to an employer assigned to `rm`?
pub fn may_draft(who: Who, rm: Option<Uuid>) -> bool {
    who.can(Permission::DraftLetters) && employer_policy::may_edit(who, rm)
}

/// May `who` take `step` on a letter in `state`, drafted by `drafter`, of an employer assigned to `rm`?
/// Whether the step leads anywhere from `state` is the domain's question (`Step::from`).
pub fn may_take(who: Who, step: Step, state: State, drafter: Uuid, rm: Option<Uuid>) -> bool {
    match step {
        Step::Approve | Step::Return => may_approve(who, drafter),
        Step::Cancel if matches!(state, State::Approved | State::Sent | State::Acknowledged) => {
            who.can(Permission::ApproveLetters)
        }
        _ => may_draft(who, rm),
    }
}

/// The drafter never approves their own letter, whatever their role.
pub fn may_approve(who: Who, drafter: Uuid) -> bool {
    who.can(Permission::ApproveLetters) && who.user.0 != drafter
}

/// May `who` let a second warning go without a sent first one (with a written reason)?
pub fn may_override(who: Who) -> bool {
    who.can(Permission::ApproveLetters)
}

/// May `who` see the approval queue?
pub fn may_see_queue(who: Who) -> bool {
    who.can(Permission::ApproveLetters)
}

/// May `who` change the tenant's number format and wording?
pub fn may_configure(who: Who) -> bool {
    who.can(Permission::ManageSettings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;
    use crate::tenancy::domain::Role;

    fn who(role: Role, id: Uuid) -> Who {
        Who {
            role,
            user: UserId(id),
        }
    }

    #[test]
    fn the_drafter_never_approves_and_rms_draft_only_their_own() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        let sup = who(Role::Supervisor, me);
        assert!(!may_take(sup, Step::Approve, State::Submitted, me, None));
        assert!(may_take(sup, Step::Approve, State::Submitted, other, None));
        let rm = who(Role::Rm, me);
        assert!(may_draft(rm, Some(me)) && !may_draft(rm, Some(other)));
        assert!(!may_take(
            rm,
            Step::Approve,
            State::Submitted,
            other,
            Some(me)
        ));
        assert!(may_take(rm, Step::Send, State::Approved, me, Some(me)));
        assert!(!may_take(rm, Step::Cancel, State::Approved, me, Some(me)));
        assert!(may_take(rm, Step::Cancel, State::Draft, me, Some(me)));
        let viewer = who(Role::Viewer, me);
        assert!(!may_draft(viewer, Some(me)) && !may_override(viewer) && !may_override(rm));
    }
}

//! Who may enter contributions: supervisors and admins, for any employer of the tenant. Until imports
//! bring them from the agency's core system, a correction is a deliberate act of the unit's
//! supervisors, not of the RM whose arrears the figures show.

use crate::tenancy::domain::{Permission, Who};

pub fn may_record(who: Who) -> bool {
    who.can(Permission::RecordContributions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::domain::UserId;
    use crate::tenancy::domain::Role;

    #[test]
    fn supervisors_and_admins_record_contributions() {
        let who = |role| Who {
            role,
            user: UserId(uuid::Uuid::nil()),
        };
        assert!(may_record(who(Role::Supervisor)) && may_record(who(Role::Admin)));
        assert!(!may_record(who(Role::Rm)) && !may_record(who(Role::Viewer)));
    }
}

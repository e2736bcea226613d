//! Rules of an investor organisation's standing.

use crate::{ConflictReason, Error, Result, VerificationStatus};

/// A suspended organisation cannot invite people.
pub fn check_invite(standing: VerificationStatus) -> Result<()> {
    if standing == VerificationStatus::Suspended {
        return Err(Error::conflict(
            ConflictReason::OrganizationSuspended,
            "a suspended organisation cannot invite",
        ));
    }
    Ok(())
}

/// Verifying or suspending must change the standing.
pub fn check_standing_change(from: VerificationStatus, to: VerificationStatus) -> Result<()> {
    if from == to {
        return Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("the organisation is already {to}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspended_organisations_do_not_invite_and_a_change_must_change() {
        assert!(check_invite(VerificationStatus::Verified).is_ok());
        assert!(check_invite(VerificationStatus::Pending).is_ok());
        assert!(matches!(
            check_invite(VerificationStatus::Suspended),
            Err(Error::Conflict {
                reason: ConflictReason::OrganizationSuspended,
                ..
            })
        ));
        assert!(
            check_standing_change(VerificationStatus::Pending, VerificationStatus::Verified)
                .is_ok()
        );
        assert!(matches!(
            check_standing_change(VerificationStatus::Verified, VerificationStatus::Verified),
            Err(Error::Conflict {
                reason: ConflictReason::InvalidTransition,
                ..
            })
        ));
    }
}

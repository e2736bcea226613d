//! A proposal's lifecycle and content.
//!
//! `DRAFT → SUBMITTED → SHORTLISTED → ACCEPTED`, `SUBMITTED|SHORTLISTED → REJECTED`,
//! `DRAFT|SUBMITTED → WITHDRAWN` before the deadline.

use crate::ConflictReason;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::{
    Dimension, Error, FinancingModel, Money, ProjectStatus, ProposalStatus, Result,
    VerificationStatus, project::bidding_over,
};

/// What an investor offers, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalContent {
    pub amount: Money,
    pub financing_model: FinancingModel,
    pub timeline_months: i32,
    pub approach: String,
    /// One entry per dimension at most, kept in the enum's order.
    pub contributions: Vec<(Dimension, f64)>,
    /// 0..100 with two decimals.
    pub local_content_percent: Decimal,
}

impl ProposalContent {
    /// Checks the numbers and texts, rounds local content to 2 decimals and strengths to 4,
    /// and orders contributions as the enum.
    pub fn validate(mut self) -> Result<Self> {
        if self.amount.amount().is_zero() {
            return Err(Error::validation("input.amount.amount", "must be positive"));
        }
        if !(1..=600).contains(&self.timeline_months) {
            return Err(Error::validation(
                "input.timelineMonths",
                "must be 1 to 600 months",
            ));
        }
        if self.approach.trim().is_empty() || self.approach.chars().count() > 20_000 {
            return Err(Error::validation(
                "input.approach",
                "must be 1 to 20000 characters",
            ));
        }
        if self.local_content_percent < Decimal::ZERO
            || self.local_content_percent > Decimal::ONE_HUNDRED
        {
            return Err(Error::validation(
                "input.localContentPercent",
                "must be 0 to 100",
            ));
        }
        self.local_content_percent = self.local_content_percent.round_dp(2);
        let mut seen = [false; 6];
        for (i, (d, s)) in self.contributions.iter_mut().enumerate() {
            if std::mem::replace(&mut seen[d.index()], true) {
                return Err(Error::validation(
                    format!("input.contributions.{i}.dimension"),
                    "each dimension may appear once",
                ));
            }
            if !s.is_finite() || !(0.0..=1.0).contains(s) {
                return Err(Error::validation(
                    format!("input.contributions.{i}.strength"),
                    "must be between 0 and 1",
                ));
            }
            *s = (*s * 10_000.0).round() / 10_000.0;
        }
        self.contributions.sort_by_key(|(d, _)| *d);
        Ok(self)
    }
}

fn invalid(from: ProposalStatus, action: &str) -> Error {
    Error::conflict(
        ConflictReason::InvalidTransition,
        format!("a {from} proposal cannot be {action}"),
    )
}

fn deadline_passed() -> Error {
    Error::conflict(
        ConflictReason::DeadlinePassed,
        "the proposal deadline has passed",
    )
}

/// The state of the project a proposal is for, as the rules need it.
#[derive(Debug, Clone, Copy)]
pub struct ProjectState {
    pub status: ProjectStatus,
    pub deadline: DateTime<Utc>,
}

impl ProjectState {
    fn open(&self, now: DateTime<Utc>) -> Result<()> {
        if self.status != ProjectStatus::Published {
            return Err(Error::conflict(
                ConflictReason::ProjectNotOpen,
                "the project does not take proposals",
            ));
        }
        if self.deadline <= now {
            return Err(deadline_passed());
        }
        Ok(())
    }
}

/// What saving a proposal does, given its current state (`None`: there is none yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveEffect {
    /// A new DRAFT.
    Create,
    /// The DRAFT's content is replaced.
    UpdateDraft,
    /// A SUBMITTED proposal is revised: a new revision and a new commitment.
    Revise,
    /// A WITHDRAWN proposal becomes a DRAFT again.
    Reopen,
}

/// Checks saving and says what it does.
pub fn check_save(
    current: Option<ProposalStatus>,
    project: ProjectState,
    now: DateTime<Utc>,
) -> Result<SaveEffect> {
    project.open(now)?;
    match current {
        None => Ok(SaveEffect::Create),
        Some(ProposalStatus::Draft) => Ok(SaveEffect::UpdateDraft),
        Some(ProposalStatus::Submitted) => Ok(SaveEffect::Revise),
        Some(ProposalStatus::Withdrawn) => Ok(SaveEffect::Reopen),
        Some(other) => Err(invalid(other, "changed")),
    }
}

/// Checks submitting: a DRAFT of a VERIFIED organisation, to a PUBLISHED project before its
/// deadline.
pub fn check_submit(
    current: ProposalStatus,
    verification: VerificationStatus,
    project: ProjectState,
    now: DateTime<Utc>,
) -> Result<()> {
    if verification != VerificationStatus::Verified {
        return Err(Error::Forbidden);
    }
    match current {
        ProposalStatus::Draft => project.open(now),
        ProposalStatus::Submitted => Err(Error::conflict(
            ConflictReason::AlreadySubmitted,
            "the proposal is already submitted",
        )),
        other => Err(invalid(other, "submitted")),
    }
}

/// Checks withdrawing: DRAFT or SUBMITTED, before the deadline.
pub fn check_withdraw(
    current: ProposalStatus,
    project: ProjectState,
    now: DateTime<Utc>,
) -> Result<()> {
    match current {
        ProposalStatus::Draft | ProposalStatus::Submitted => {
            if project.deadline <= now {
                Err(deadline_passed())
            } else {
                Ok(())
            }
        }
        other => Err(invalid(other, "withdrawn")),
    }
}

/// The city's decisions on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Shortlist,
    Accept,
    Reject,
}

/// Checks a decision: only once bidding is over, on an open proposal of a project that can still
/// be awarded.
pub fn check_decision(
    decision: Decision,
    current: ProposalStatus,
    project: ProjectState,
    now: DateTime<Utc>,
) -> Result<ProposalStatus> {
    if !matches!(
        project.status,
        ProjectStatus::Published | ProjectStatus::Closed
    ) {
        return Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("the project is {}", project.status),
        ));
    }
    if !bidding_over(project.status, project.deadline, now) {
        return Err(Error::conflict(
            ConflictReason::DeadlineNotPassed,
            "proposals are judged only after the deadline or once the project is closed",
        ));
    }
    match (decision, current) {
        (Decision::Shortlist, ProposalStatus::Submitted) => Ok(ProposalStatus::Shortlisted),
        (Decision::Accept, ProposalStatus::Submitted | ProposalStatus::Shortlisted) => {
            Ok(ProposalStatus::Accepted)
        }
        (Decision::Reject, ProposalStatus::Submitted | ProposalStatus::Shortlisted) => {
            Ok(ProposalStatus::Rejected)
        }
        (d, other) => Err(invalid(other, &format!("{d:?}ed").to_lowercase())),
    }
}

/// Whether a caller who is not the bidder may read a proposal's content now: sealed bids only
/// once the deadline has passed or the project is closed.
pub fn content_open(sealed: bool, project: ProjectState, now: DateTime<Utc>) -> bool {
    !sealed || bidding_over(project.status, project.deadline, now)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn open_project(now: DateTime<Utc>) -> ProjectState {
        ProjectState {
            status: ProjectStatus::Published,
            deadline: now + Duration::days(1),
        }
    }

    #[test]
    fn only_verified_organisations_submit() {
        let now = Utc::now();
        let p = open_project(now);
        assert_eq!(
            check_submit(ProposalStatus::Draft, VerificationStatus::Pending, p, now),
            Err(Error::Forbidden)
        );
        assert!(check_submit(ProposalStatus::Draft, VerificationStatus::Verified, p, now).is_ok());
    }

    #[test]
    fn nothing_is_saved_after_the_deadline() {
        let now = Utc::now();
        let p = ProjectState {
            status: ProjectStatus::Published,
            deadline: now,
        };
        let e = check_save(Some(ProposalStatus::Submitted), p, now).unwrap_err();
        assert!(matches!(
            e,
            Error::Conflict {
                reason: ConflictReason::DeadlinePassed,
                ..
            }
        ));
    }

    #[test]
    fn decisions_wait_for_the_deadline() {
        let now = Utc::now();
        let e = check_decision(
            Decision::Accept,
            ProposalStatus::Submitted,
            open_project(now),
            now,
        )
        .unwrap_err();
        assert!(matches!(
            e,
            Error::Conflict {
                reason: ConflictReason::DeadlineNotPassed,
                ..
            }
        ));
        let closed = ProjectState {
            status: ProjectStatus::Closed,
            deadline: now + Duration::days(1),
        };
        assert_eq!(
            check_decision(Decision::Accept, ProposalStatus::Shortlisted, closed, now),
            Ok(ProposalStatus::Accepted)
        );
        assert!(check_decision(Decision::Shortlist, ProposalStatus::Draft, closed, now).is_err());
    }

    #[test]
    fn saving_a_submitted_proposal_revises_it() {
        let now = Utc::now();
        assert_eq!(
            check_save(Some(ProposalStatus::Submitted), open_project(now), now),
            Ok(SaveEffect::Revise)
        );
        assert_eq!(
            check_save(Some(ProposalStatus::Withdrawn), open_project(now), now),
            Ok(SaveEffect::Reopen)
        );
    }
}

//! A project's lifecycle: `DRAFT → PUBLISHED → CLOSED → AWARDED`, and cancellation.

use crate::ConflictReason;
use chrono::{DateTime, Datelike, Utc};

use crate::{Dimension, Error, FinancingModel, Money, ProjectStatus, Result, Sector};

/// What a city publishes: a project's terms and texts, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectContent {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub owner_agency: Option<String>,
    pub dimensions: Vec<Dimension>,
    pub sector: Sector,
    pub capex: Money,
    pub accepted_financing: Vec<FinancingModel>,
    pub timeline_months: i32,
    pub proposal_deadline: DateTime<Utc>,
    pub sealed_bids: bool,
    pub location: Option<(f64, f64)>,
    pub tags: Vec<String>,
}

/// Tags a project may carry.
pub const MAX_TAGS: usize = 30;

impl ProjectContent {
    /// Checks the texts, lists and numbers; `capex` was validated when it was built.
    pub fn validate(mut self) -> Result<Self> {
        self.title = crate::text::required("input.title", &self.title, 200)?;
        self.summary = crate::text::required("input.summary", &self.summary, 1000)?;
        self.description = crate::text::required("input.description", &self.description, 20_000)?;
        self.owner_agency = match self.owner_agency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => Some(crate::text::required("input.ownerAgency", a, 200)?),
        };
        if self.dimensions.is_empty() {
            return Err(Error::validation(
                "input.dimensions",
                "at least one dimension",
            ));
        }
        if dedup_keep_order(&self.dimensions).len() != self.dimensions.len() {
            return Err(Error::validation(
                "input.dimensions",
                "each dimension at most once",
            ));
        }
        if self.accepted_financing.is_empty() {
            return Err(Error::validation(
                "input.acceptedFinancing",
                "at least one model",
            ));
        }
        if dedup_keep_order(&self.accepted_financing).len() != self.accepted_financing.len() {
            return Err(Error::validation(
                "input.acceptedFinancing",
                "each model at most once",
            ));
        }
        let year = self.proposal_deadline.year();
        if !(2000..=2100).contains(&year) {
            return Err(Error::validation(
                "input.proposalDeadline",
                "must be in the years 2000 to 2100",
            ));
        }
        if !(1..=600).contains(&self.timeline_months) {
            return Err(Error::validation(
                "input.timelineMonths",
                "must be 1 to 600 months",
            ));
        }
        if self.capex.amount().is_zero() {
            return Err(Error::validation("input.capex.amount", "must be positive"));
        }
        if let Some(point) = self.location {
            crate::text::coordinates("input.location", point)?;
        }
        // Bounded before any work on them: 10,000 tags are refused, not folded into a few.
        if self.tags.len() > MAX_TAGS {
            return Err(Error::validation(
                "input.tags",
                format!("at most {MAX_TAGS} tags"),
            ));
        }
        let mut tags: Vec<String> = Vec::new();
        for t in &self.tags {
            let t = t.trim().to_lowercase();
            if t.is_empty() || t.chars().count() > 50 {
                return Err(Error::validation(
                    "input.tags",
                    "each tag is 1 to 50 characters",
                ));
            }
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        self.tags = tags;
        Ok(self)
    }

    /// Whether the terms bidders are judged on differ (dimensions, sector, capex, financing,
    /// timeline).
    pub fn terms_differ(&self, other: &ProjectContent) -> bool {
        self.dimensions != other.dimensions
            || self.sector != other.sector
            || self.capex != other.capex
            || self.accepted_financing != other.accepted_financing
            || self.timeline_months != other.timeline_months
    }
}

fn dedup_keep_order<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(i) {
            out.push(*i);
        }
    }
    out
}

fn invalid(from: ProjectStatus, action: &str) -> Error {
    Error::conflict(
        ConflictReason::InvalidTransition,
        format!("a {from} project cannot be {action}"),
    )
}

/// Checks an edit of a project: drafts freely; published ones until the deadline, with the
/// terms frozen and the deadline only moving later once a proposal was submitted.
pub fn check_update(
    status: ProjectStatus,
    current: &ProjectContent,
    new: &ProjectContent,
    has_submitted_proposals: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    match status {
        ProjectStatus::Draft => Ok(()),
        ProjectStatus::Published => {
            if current.proposal_deadline <= now {
                return Err(Error::conflict(
                    ConflictReason::DeadlinePassed,
                    "the proposal deadline has passed",
                ));
            }
            if new.proposal_deadline <= now {
                return Err(Error::validation(
                    "input.proposalDeadline",
                    "must be in the future",
                ));
            }
            if has_submitted_proposals {
                if current.terms_differ(new) {
                    return Err(Error::conflict(
                        ConflictReason::HasProposals,
                        "proposals were submitted: dimensions, sector, capex, financing and timeline are frozen",
                    ));
                }
                if new.proposal_deadline < current.proposal_deadline {
                    return Err(Error::conflict(
                        ConflictReason::HasProposals,
                        "proposals were submitted: the deadline can only move later",
                    ));
                }
                if new.sealed_bids != current.sealed_bids {
                    return Err(Error::conflict(
                        ConflictReason::HasProposals,
                        "proposals were submitted: sealing cannot change",
                    ));
                }
            }
            Ok(())
        }
        other => Err(invalid(other, "edited")),
    }
}

/// Checks publishing: from DRAFT, with a future deadline and an active masterplan.
pub fn check_publish(
    status: ProjectStatus,
    deadline: DateTime<Utc>,
    has_masterplan: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if status != ProjectStatus::Draft {
        return Err(invalid(status, "published"));
    }
    if deadline <= now {
        return Err(Error::conflict(
            ConflictReason::DeadlinePassed,
            "the proposal deadline is not in the future",
        ));
    }
    if !has_masterplan {
        return Err(Error::conflict(
            ConflictReason::NoMasterplan,
            "the city has no active masterplan",
        ));
    }
    Ok(())
}

/// Checks closing: an open-bid project any time it is PUBLISHED, a sealed one after its deadline.
pub fn check_close(
    status: ProjectStatus,
    sealed: bool,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    if status != ProjectStatus::Published {
        return Err(invalid(status, "closed"));
    }
    if sealed && deadline > now {
        return Err(Error::conflict(
            ConflictReason::SealedUntilDeadline,
            "a sealed-bid project closes only after its deadline",
        ));
    }
    Ok(())
}

/// Checks cancelling: from DRAFT, PUBLISHED or CLOSED.
pub fn check_cancel(status: ProjectStatus) -> Result<()> {
    match status {
        ProjectStatus::Draft | ProjectStatus::Published | ProjectStatus::Closed => Ok(()),
        other => Err(invalid(other, "cancelled")),
    }
}

/// Whether bidding has ended, so proposals may be judged.
pub fn bidding_over(status: ProjectStatus, deadline: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == ProjectStatus::Closed || deadline <= now
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn a_sealed_project_cannot_close_before_its_deadline() {
        let now = Utc::now();
        let later = now + Duration::days(3);
        let e = check_close(ProjectStatus::Published, true, later, now).unwrap_err();
        assert!(matches!(
            e,
            Error::Conflict {
                reason: ConflictReason::SealedUntilDeadline,
                ..
            }
        ));
        assert!(check_close(ProjectStatus::Published, false, later, now).is_ok());
        assert!(
            check_close(
                ProjectStatus::Published,
                true,
                now - Duration::seconds(1),
                now
            )
            .is_ok()
        );
    }

    #[test]
    fn publishing_needs_a_draft_a_future_deadline_and_a_masterplan() {
        let now = Utc::now();
        let later = now + Duration::days(3);
        assert!(check_publish(ProjectStatus::Draft, later, true, now).is_ok());
        assert!(check_publish(ProjectStatus::Published, later, true, now).is_err());
        assert!(check_publish(ProjectStatus::Draft, now, true, now).is_err());
        let e = check_publish(ProjectStatus::Draft, later, false, now).unwrap_err();
        assert!(matches!(
            e,
            Error::Conflict {
                reason: ConflictReason::NoMasterplan,
                ..
            }
        ));
    }

    #[test]
    fn awarded_and_cancelled_projects_cannot_be_cancelled() {
        assert!(check_cancel(ProjectStatus::Awarded).is_err());
        assert!(check_cancel(ProjectStatus::Cancelled).is_err());
        assert!(check_cancel(ProjectStatus::Closed).is_ok());
    }
}

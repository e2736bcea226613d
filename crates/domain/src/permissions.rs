//! Who may do what: DESIGN.md's permission table, decided here and nowhere else.
//!
//! Reads are expressed as *scopes* that the services crate turns into SQL conditions, so a request
//! never loads what its caller may not see; writes are yes/no checks on loaded objects the
//! caller could already see. A refused read is NOT_FOUND, exactly like a missing object.

use uuid::Uuid;

use chrono::{DateTime, Utc};

use crate::{
    ConflictReason, Error, ProjectStatus, Result, Role, VerificationStatus,
    proposal::{ProjectState, content_open},
};

/// The signed-in caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    /// For city officials.
    pub city_id: Option<Uuid>,
    /// For embassy liaisons.
    pub embassy_id: Option<Uuid>,
    /// For investors.
    pub organization_id: Option<Uuid>,
}

/// Which projects a caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectScope {
    /// PUBLISHED, CLOSED and AWARDED projects only.
    Public,
    /// Public ones, and every project of this city.
    PublicAndCity(Uuid),
    /// Everything.
    All,
}

/// Statuses anybody may read.
pub const PUBLIC_PROJECT_STATUSES: [ProjectStatus; 3] = [
    ProjectStatus::Published,
    ProjectStatus::Closed,
    ProjectStatus::Awarded,
];

/// The projects a caller may read.
pub fn project_scope(actor: Option<&Actor>) -> ProjectScope {
    match actor {
        Some(Actor {
            role: Role::Admin, ..
        }) => ProjectScope::All,
        Some(Actor {
            role: Role::CityOfficial,
            city_id: Some(c),
            ..
        }) => ProjectScope::PublicAndCity(*c),
        _ => ProjectScope::Public,
    }
}

impl ProjectScope {
    /// Whether a project of this city and status is in scope.
    pub fn allows(&self, city_id: Uuid, status: ProjectStatus) -> bool {
        match self {
            ProjectScope::All => true,
            ProjectScope::PublicAndCity(c) if *c == city_id => true,
            _ => PUBLIC_PROJECT_STATUSES.contains(&status),
        }
    }
}

/// Which investor organisations a caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationScope {
    None,
    /// The investor's own organisation.
    Own(Uuid),
    /// Organisations referred by this embassy.
    Embassy(Uuid),
    /// VERIFIED organisations, and any that bid on a project of this city.
    VerifiedAndBiddersOf(Uuid),
    All,
}

/// The organisations a caller may read.
pub fn organization_scope(actor: Option<&Actor>) -> OrganizationScope {
    match actor {
        Some(Actor {
            role: Role::Admin, ..
        }) => OrganizationScope::All,
        Some(Actor {
            role: Role::Investor,
            organization_id: Some(o),
            ..
        }) => OrganizationScope::Own(*o),
        Some(Actor {
            role: Role::EmbassyLiaison,
            embassy_id: Some(e),
            ..
        }) => OrganizationScope::Embassy(*e),
        Some(Actor {
            role: Role::CityOfficial,
            city_id: Some(c),
            ..
        }) => OrganizationScope::VerifiedAndBiddersOf(*c),
        _ => OrganizationScope::None,
    }
}

/// Which proposals a caller may read (the sealed rule applies on top, to their content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalScope {
    None,
    /// The investor's own organisation's.
    Organization(Uuid),
    /// Those to this city's projects.
    City(Uuid),
    All,
}

/// The proposals a caller may read.
pub fn proposal_scope(actor: Option<&Actor>) -> ProposalScope {
    match actor {
        Some(Actor {
            role: Role::Admin, ..
        }) => ProposalScope::All,
        Some(Actor {
            role: Role::Investor,
            organization_id: Some(o),
            ..
        }) => ProposalScope::Organization(*o),
        Some(Actor {
            role: Role::CityOfficial,
            city_id: Some(c),
            ..
        }) => ProposalScope::City(*c),
        _ => ProposalScope::None,
    }
}

impl Actor {
    /// Admins only.
    pub fn require_admin(&self) -> Result<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// City officials of this city, and admins: masterplans and projects.
    pub fn require_city_writer(&self, city_id: Uuid) -> Result<()> {
        match self.role {
            Role::Admin => Ok(()),
            Role::CityOfficial if self.city_id == Some(city_id) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    /// Embassy liaisons of the embassy that referred the organisation, and admins.
    pub fn require_embassy_of(&self, embassy_id: Uuid) -> Result<()> {
        match self.role {
            Role::Admin => Ok(()),
            Role::EmbassyLiaison if self.embassy_id == Some(embassy_id) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    /// The investor's organisation, for investor-only operations.
    pub fn require_investor(&self) -> Result<Uuid> {
        match (self.role, self.organization_id) {
            (Role::Investor, Some(o)) => Ok(o),
            _ => Err(Error::Forbidden),
        }
    }

    /// Whether the caller decides on this city's proposals (city officials of it, admins).
    pub fn judges_city(&self, city_id: Uuid) -> bool {
        self.require_city_writer(city_id).is_ok()
    }

    /// Admins read the audit trail.
    pub fn can_read_audit(&self) -> bool {
        self.role == Role::Admin
    }

    /// The sealed-content rule: whether the caller may read a proposal's content (amount,
    /// approach, contributions, score) now. The bidding organisation always; the project's
    /// city and admins once it is open — at once for open bids, after the deadline (or the
    /// project's closing) for sealed ones; nobody else, ever.
    pub fn may_read_proposal_content(
        &self,
        bidder: Uuid,
        project_city: Uuid,
        sealed: bool,
        project: ProjectState,
        now: DateTime<Utc>,
    ) -> bool {
        self.organization_id == Some(bidder)
            || (self.judges_city(project_city) && content_open(sealed, project, now))
    }

    /// Whether the caller may open a project's ranked proposals now: its city and admins
    /// (else FORBIDDEN), for sealed bids only once bidding is over (else CONFLICT,
    /// SEALED_UNTIL_DEADLINE).
    pub fn check_open_ranking(
        &self,
        project_city: Uuid,
        sealed: bool,
        project: ProjectState,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !self.judges_city(project_city) {
            return Err(Error::Forbidden);
        }
        if !content_open(sealed, project, now) {
            return Err(Error::conflict(
                ConflictReason::SealedUntilDeadline,
                "sealed proposals open after the deadline",
            ));
        }
        Ok(())
    }

    /// Which organisations may be recommended to the caller for a project of `project_city`:
    /// its city and admins get every verified one, a liaison only their own embassy's;
    /// anyone else is FORBIDDEN.
    pub fn investor_recommendation_pool(&self, project_city: Uuid) -> Result<InvestorPool> {
        match (self.role, self.embassy_id) {
            (Role::EmbassyLiaison, Some(e)) => Ok(InvestorPool::Embassy(e)),
            _ if self.judges_city(project_city) => Ok(InvestorPool::All),
            _ => Err(Error::Forbidden),
        }
    }
}

/// The organisations a caller may be recommended (verified ones only, always).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvestorPool {
    All,
    Embassy(Uuid),
}

/// The recommendation policy for investors: whether an organisation's own project
/// recommendations rank it as verified. Always: every investor gets projects to look at — an
/// unverified one cannot submit until its embassy verifies it, and is told so when it tries —
/// while only verified organisations are ever recommended to cities and liaisons.
pub fn own_recommendations_rank_as_verified(_standing: VerificationStatus) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Uuid::new_v4(),
            role,
            city_id: (role == Role::CityOfficial).then(Uuid::new_v4),
            embassy_id: (role == Role::EmbassyLiaison).then(Uuid::new_v4),
            organization_id: (role == Role::Investor).then(Uuid::new_v4),
        }
    }

    #[test]
    fn drafts_are_seen_by_their_city_and_admins_only() {
        let official = actor(Role::CityOfficial);
        let own = official.city_id.expect("city");
        let other = Uuid::new_v4();
        let scope = project_scope(Some(&official));
        assert!(scope.allows(own, ProjectStatus::Draft));
        assert!(!scope.allows(other, ProjectStatus::Draft));
        assert!(!project_scope(None).allows(own, ProjectStatus::Draft));
        assert!(!project_scope(Some(&actor(Role::Investor))).allows(own, ProjectStatus::Cancelled));
        assert!(project_scope(Some(&actor(Role::Admin))).allows(other, ProjectStatus::Draft));
    }

    #[test]
    fn liaisons_and_investors_see_no_proposals_but_their_own() {
        assert_eq!(
            proposal_scope(Some(&actor(Role::EmbassyLiaison))),
            ProposalScope::None
        );
        assert_eq!(proposal_scope(None), ProposalScope::None);
        assert!(matches!(
            proposal_scope(Some(&actor(Role::Investor))),
            ProposalScope::Organization(_)
        ));
    }

    #[test]
    fn writers_are_checked_against_their_own_city_and_embassy() {
        let official = actor(Role::CityOfficial);
        assert!(official.require_city_writer(Uuid::new_v4()).is_err());
        assert!(
            official
                .require_city_writer(official.city_id.expect("c"))
                .is_ok()
        );
        let liaison = actor(Role::EmbassyLiaison);
        assert!(liaison.require_embassy_of(Uuid::new_v4()).is_err());
        assert!(actor(Role::Investor).require_admin().is_err());
    }

    #[test]
    fn sealed_content_opens_to_its_city_and_admins_after_the_deadline_and_to_nobody_else() {
        let now = Utc::now();
        let official = actor(Role::CityOfficial);
        let city = official.city_id.expect("city");
        let bidder = actor(Role::Investor);
        let org = bidder.organization_id.expect("org");
        let before = ProjectState {
            status: ProjectStatus::Published,
            deadline: now + chrono::Duration::days(1),
        };
        let after = ProjectState {
            deadline: now - chrono::Duration::days(1),
            ..before
        };
        let closed = ProjectState {
            status: ProjectStatus::Closed,
            ..before
        };
        assert!(bidder.may_read_proposal_content(org, city, true, before, now));
        for judge in [&official, &actor(Role::Admin)] {
            assert!(!judge.may_read_proposal_content(org, city, true, before, now));
            assert!(judge.may_read_proposal_content(org, city, true, after, now));
            assert!(judge.may_read_proposal_content(org, city, true, closed, now));
            assert!(judge.may_read_proposal_content(org, city, false, before, now));
            assert!(matches!(
                judge.check_open_ranking(city, true, before, now),
                Err(Error::Conflict {
                    reason: ConflictReason::SealedUntilDeadline,
                    ..
                })
            ));
            assert!(judge.check_open_ranking(city, true, after, now).is_ok());
        }
        let other_city = actor(Role::CityOfficial);
        for outsider in [
            &other_city,
            &actor(Role::Investor),
            &actor(Role::EmbassyLiaison),
        ] {
            assert!(!outsider.may_read_proposal_content(org, city, true, after, now));
            assert!(!outsider.may_read_proposal_content(org, city, false, before, now));
            assert_eq!(
                outsider.check_open_ranking(city, false, after, now),
                Err(Error::Forbidden)
            );
        }
    }

    #[test]
    fn investors_are_recommended_to_their_city_admins_and_their_own_embassy() {
        let official = actor(Role::CityOfficial);
        let city = official.city_id.expect("city");
        assert_eq!(
            official.investor_recommendation_pool(city),
            Ok(InvestorPool::All)
        );
        assert_eq!(
            actor(Role::Admin).investor_recommendation_pool(city),
            Ok(InvestorPool::All)
        );
        let liaison = actor(Role::EmbassyLiaison);
        assert_eq!(
            liaison.investor_recommendation_pool(city),
            Ok(InvestorPool::Embassy(liaison.embassy_id.expect("embassy")))
        );
        let stray = Actor {
            embassy_id: None,
            ..liaison
        };
        assert_eq!(
            stray.investor_recommendation_pool(city),
            Err(Error::Forbidden)
        );
        for other in [actor(Role::CityOfficial), actor(Role::Investor)] {
            assert_eq!(
                other.investor_recommendation_pool(city),
                Err(Error::Forbidden)
            );
        }
    }
}

/// What a search may return: statuses anywhere, and further statuses in one city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchVisibility {
    pub everywhere: Vec<ProjectStatus>,
    pub own_city: Option<(Uuid, Vec<ProjectStatus>)>,
}

/// Statuses a search returns to everybody, and to anybody who does not ask for others.
pub const SEARCHABLE_STATUSES: [ProjectStatus; 2] =
    [ProjectStatus::Published, ProjectStatus::Awarded];

/// The visibility of a search: anonymous callers, investors and liaisons get PUBLISHED and
/// AWARDED projects whatever they ask for; city officials also their own city's other statuses
/// when they ask; admins whatever they ask for.
pub fn search_visibility(
    actor: Option<&Actor>,
    requested: Option<&[ProjectStatus]>,
) -> SearchVisibility {
    let requested: Vec<ProjectStatus> =
        requested.map_or_else(|| SEARCHABLE_STATUSES.to_vec(), <[_]>::to_vec);
    let public: Vec<ProjectStatus> = requested
        .iter()
        .copied()
        .filter(|s| SEARCHABLE_STATUSES.contains(s))
        .collect();
    match actor {
        Some(Actor {
            role: Role::Admin, ..
        }) => SearchVisibility {
            everywhere: requested,
            own_city: None,
        },
        Some(Actor {
            role: Role::CityOfficial,
            city_id: Some(c),
            ..
        }) => SearchVisibility {
            everywhere: public,
            own_city: Some((*c, requested)),
        },
        _ => SearchVisibility {
            everywhere: public,
            own_city: None,
        },
    }
}

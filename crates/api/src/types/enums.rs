//! The contract's enums, mirrored from the domain's.

use sinergi_domain as d;

macro_rules! mirror {
    ($(#[$m:meta])* $name:ident = $dom:path { $($(#[$vm:meta])* $v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl From<$dom> for $name {
            fn from(v: $dom) -> Self {
                match v { $(<$dom>::$v => $name::$v),+ }
            }
        }

        impl From<$name> for $dom {
            fn from(v: $name) -> Self {
                match v { $($name::$v => <$dom>::$v),+ }
            }
        }
    };
}

mirror!(
    /// What a user account may do; fixed when the account is created.
    Role = d::Role {
        /// Runs the platform: creates cities, embassies and accounts; reads everything but
        /// DRAFT proposals.
        Admin,
        /// Works for one city (`User.city`): keeps its masterplan, publishes its projects,
        /// judges proposals on them.
        CityOfficial,
        /// Works for one embassy (`User.embassy`): onboards, verifies and suspends the investor
        /// organisations it refers.
        EmbassyLiaison,
        /// Belongs to one investor organisation (`User.investorOrganization`) and bids for it.
        Investor
    }
);
mirror!(
    /// The six dimensions of Indonesia's smart city masterplans (Gerakan Menuju 100 Smart City).
    Dimension = d::Dimension {
        /// Smart governance: public services, bureaucracy, public policy.
        Governance,
        /// Smart branding: tourism, business and the city's appearance.
        Branding,
        /// Smart economy: industry, business ecosystem, financial transactions.
        Economy,
        /// Smart living: housing, health, mobility.
        Living,
        /// Smart society: community, learning, security.
        Society,
        /// Smart environment: protection, waste, energy.
        Environment
    }
);
mirror!(
    /// The infrastructure sector of a project; investors state the sectors they fund.
    Sector = d::Sector {
        /// Roads, public transport, traffic systems.
        Transport,
        /// Drinking water, drainage, flood control.
        Water,
        /// Power generation, street lighting, efficiency.
        Energy,
        /// Collection, recycling, landfill and waste-to-energy.
        Waste,
        /// Networks, data centres, command centres, city platforms.
        DigitalInfrastructure,
        /// CCTV, early warning, emergency response.
        PublicSafety,
        /// Hospitals, clinics, health information systems.
        Health,
        /// Schools, campuses, e-learning.
        Education,
        /// Destinations, heritage, visitor services.
        Tourism,
        /// Public and affordable housing.
        Housing,
        /// Farming, fisheries, markets and cold chains.
        AgricultureFisheries,
        /// E-government, licensing, civil registry.
        GovernmentServices,
        /// None of the above.
        Other,
    }
);
mirror!(
    /// How a project may be financed; a proposal names one of its project's accepted models.
    FinancingModel = d::FinancingModel {
        /// Public-private partnership (KPBU).
        Ppp,
        /// The investor builds and operates, then hands over to the city.
        BuildOperateTransfer,
        /// A grant: nothing is repaid.
        Grant,
        /// A loan to the city.
        Loan,
        /// An equity stake in a project company.
        Equity,
        /// Corporate social responsibility funding.
        Csr,
        /// The supplier finances its own equipment or service.
        VendorFinancing
    }
);
mirror!(
    /// Where a project is in its life: DRAFT → PUBLISHED → CLOSED → AWARDED, or CANCELLED.
    ProjectStatus = d::ProjectStatus {
        /// Being written; seen only by its city's officials and admins.
        Draft,
        /// In the public catalogue and taking proposals until its deadline.
        Published,
        /// No longer taking proposals; being judged.
        Closed,
        /// A proposal was accepted.
        Awarded,
        /// Withdrawn by the city, with a reason.
        Cancelled
    }
);
mirror!(
    /// Where a proposal is in its life.
    ProposalStatus = d::ProposalStatus {
        /// Being written; the bidder's alone, not even an admin reads it.
        Draft,
        /// Sent to the city; may still be updated or withdrawn before the deadline.
        Submitted,
        /// Taken back by the bidder.
        Withdrawn,
        /// Kept for the final choice by the city.
        Shortlisted,
        /// Chosen: the project is AWARDED.
        Accepted,
        /// Turned down, with a reason (every other proposal when one is accepted).
        Rejected
    }
);
mirror!(
    /// Whether an embassy vouches for an investor organisation.
    VerificationStatus = d::VerificationStatus {
        /// Onboarded, not yet vouched for: may draft proposals but not submit them.
        Pending,
        /// Vouched for by its referring embassy: may submit proposals.
        Verified,
        /// Suspended by its embassy: may not submit proposals, and nobody new is invited into it.
        Suspended
    }
);

/// How search results are ordered.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProjectSort {
    /// Best match to the search text first.
    #[default]
    Relevance,
    /// Most recently created first.
    Newest,
    /// Nearest proposal deadline first.
    DeadlineSoonest,
    /// Smallest capital expenditure (in USD) first.
    CapexAsc,
    /// Largest capital expenditure (in USD) first.
    CapexDesc,
}

/// Maps a list of API enum values to the domain's.
pub fn to_domain<A: Copy + Into<D>, D>(items: &[A]) -> Vec<D> {
    items.iter().map(|a| (*a).into()).collect()
}

/// Maps a list of domain enum values to the API's.
pub fn from_domain<D: Copy + Into<A>, A>(items: &[D]) -> Vec<A> {
    items.iter().map(|d| (*d).into()).collect()
}

mirror!(
    /// Where a match-making event is in its life.
    MatchmakingEventStatus = d::EventStatus {
        /// Being prepared by its organisers; invisible to others.
        Draft,
        /// Registration and meeting requests are open.
        Open,
        /// Agendas are out; requests are closed.
        Scheduled,
        /// The event is over.
        Closed,
        /// Called off by its organisers; its meetings are cancelled.
        Cancelled
    }
);

mirror!(
    /// How a match-making event is held.
    EventMode = d::EventMode {
        /// At a venue: meetings at numbered tables.
        InPerson,
        /// Online: each meeting has its own link.
        Virtual,
        /// At a venue, with a link for those who join online.
        Hybrid
    }
);

mirror!(
    /// Which side of the meetings a participant is.
    ParticipantKind = d::ParticipantKind {
        /// A city (any of its officials acts for it).
        City,
        /// An investor organisation (any of its investors acts for it).
        Investor
    }
);

mirror!(
    /// Where a meeting request is in its life.
    MeetingRequestStatus = d::RequestStatus {
        /// Waiting for the other side.
        Pending,
        /// The other side wants to meet: the scheduler places it.
        Accepted,
        /// The other side said no.
        Declined,
        /// The requester took it back (or left the event).
        Withdrawn
    }
);

mirror!(
    /// Whether a meeting is on.
    MeetingStatus = d::MeetingStatus {
        /// In the agenda.
        Scheduled,
        /// Called off; calendar feeds show it as cancelled.
        Cancelled
    }
);

mirror!(
    /// What one side recorded of a meeting.
    MeetingOutcome = d::MeetingOutcome {
        /// Both want to continue, e.g. towards a proposal.
        FollowUp,
        /// Talked, and it does not fit.
        NotAFit,
        /// The other side did not come.
        NoShow
    }
);

/// Which of the caller's side's requests to list.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum RequestDirection {
    /// Requests the caller's side received.
    Incoming,
    /// Requests the caller's side sent.
    Outgoing,
}

mirror!(
    /// What a notification is about.
    NotificationType = d::NotificationType {
        /// A project was published.
        ProjectPublished,
        /// Terms or deadline changed; sent to organisations with a proposal on it.
        ProjectUpdated,
        /// A project closed for bids.
        ProjectClosed,
        /// A project was awarded.
        ProjectAwarded,
        /// A project was cancelled.
        ProjectCancelled,
        /// To the project's city: that a proposal arrived (never its content while sealed).
        ProposalSubmitted,
        /// To the bidding organisation: shortlisted, accepted, rejected.
        ProposalStatusChanged,
        /// An organisation was verified.
        OrganizationVerified,
        /// An organisation was suspended.
        OrganizationSuspended,
        /// A meeting was requested.
        MeetingRequested,
        /// A meeting request was accepted or declined.
        MeetingRequestAnswered,
        /// A meeting was scheduled.
        MeetingScheduled,
        /// A scheduled meeting moved or was cancelled.
        MeetingChanged,
        /// A newly published project matches one of the caller's saved searches.
        SavedSearchMatch,
        /// Sent on demand by sendTestWebhook.
        WebhookTest
    }
);

mirror!(
    /// Where a webhook delivery is.
    WebhookDeliveryStatus = d::DeliveryStatus {
        /// Waiting for its first or next attempt.
        Pending,
        /// The endpoint answered 2xx.
        Succeeded,
        /// Gave up after the last retry, or the endpoint was disabled.
        Failed
    }
);

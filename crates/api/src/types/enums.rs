//! The contract's enums, mirrored from the domain's.

use sinergi_domain as d;

macro_rules! mirror {
    ($(#[$m:meta])* $name:ident = $dom:path { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($v),+ }

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
    Role = d::Role {
        Admin,
        CityOfficial,
        EmbassyLiaison,
        Investor
    }
);
mirror!(
    /// The six dimensions of Indonesia's smart city masterplans (Gerakan Menuju 100 Smart City).
    Dimension = d::Dimension { Governance, Branding, Economy, Living, Society, Environment }
);
mirror!(
    Sector = d::Sector {
        Transport,
        Water,
        Energy,
        Waste,
        DigitalInfrastructure,
        PublicSafety,
        Health,
        Education,
        Tourism,
        Housing,
        AgricultureFisheries,
        GovernmentServices,
        Other,
    }
);
mirror!(
    FinancingModel = d::FinancingModel {
        Ppp,
        BuildOperateTransfer,
        Grant,
        Loan,
        Equity,
        Csr,
        VendorFinancing
    }
);
mirror!(
    ProjectStatus = d::ProjectStatus {
        Draft,
        Published,
        Closed,
        Awarded,
        Cancelled
    }
);
mirror!(
    ProposalStatus = d::ProposalStatus {
        Draft,
        Submitted,
        Withdrawn,
        Shortlisted,
        Accepted,
        Rejected
    }
);
mirror!(
    VerificationStatus = d::VerificationStatus {
        Pending,
        Verified,
        Suspended
    }
);

/// How search results are ordered.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProjectSort {
    #[default]
    Relevance,
    Newest,
    DeadlineSoonest,
    CapexAsc,
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

//! The contract's enumerations, with their stable names.

use std::fmt;

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable SCREAMING_SNAKE name used in the contract and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the stable name.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The position in the contract's order.
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// Why the object's state forbids a change: `extensions.reason` of a CONFLICT error.
    ConflictReason {
        AlreadySubmitted => "ALREADY_SUBMITTED", DeadlineNotPassed => "DEADLINE_NOT_PASSED", DeadlinePassed => "DEADLINE_PASSED", Duplicate => "DUPLICATE", HasProposals => "HAS_PROPOSALS", InvalidTransition => "INVALID_TRANSITION", NoMasterplan => "NO_MASTERPLAN", OrganizationSuspended => "ORGANIZATION_SUSPENDED", ProjectNotOpen => "PROJECT_NOT_OPEN", SealedUntilDeadline => "SEALED_UNTIL_DEADLINE",
        NotVerified => "NOT_VERIFIED", RegistrationClosed => "REGISTRATION_CLOSED", EventNotOver => "EVENT_NOT_OVER",
        ParticipantBusy => "PARTICIPANT_BUSY", TableTaken => "TABLE_TAKEN", OutsideSessions => "OUTSIDE_SESSIONS",
        MeetingNotStarted => "MEETING_NOT_STARTED", EventNotOpen => "EVENT_NOT_OPEN", SessionsStarted => "SESSIONS_STARTED",
    }
);
named_enum!(
    /// What a user is on the platform.
    Role { Admin => "ADMIN", CityOfficial => "CITY_OFFICIAL", EmbassyLiaison => "EMBASSY_LIAISON", Investor => "INVESTOR" }
);
named_enum!(
    /// The six dimensions of the smart city masterplans.
    Dimension { Governance => "GOVERNANCE", Branding => "BRANDING", Economy => "ECONOMY", Living => "LIVING", Society => "SOCIETY", Environment => "ENVIRONMENT" }
);
named_enum!(
    /// A project's sector.
    Sector {
        Transport => "TRANSPORT", Water => "WATER", Energy => "ENERGY", Waste => "WASTE",
        DigitalInfrastructure => "DIGITAL_INFRASTRUCTURE", PublicSafety => "PUBLIC_SAFETY",
        Health => "HEALTH", Education => "EDUCATION", Tourism => "TOURISM", Housing => "HOUSING",
        AgricultureFisheries => "AGRICULTURE_FISHERIES", GovernmentServices => "GOVERNMENT_SERVICES",
        Other => "OTHER",
    }
);
named_enum!(
    /// How an investor finances a project.
    FinancingModel {
        Ppp => "PPP", BuildOperateTransfer => "BUILD_OPERATE_TRANSFER", Grant => "GRANT",
        Loan => "LOAN", Equity => "EQUITY", Csr => "CSR", VendorFinancing => "VENDOR_FINANCING",
    }
);
named_enum!(
    /// A project's lifecycle state.
    ProjectStatus { Draft => "DRAFT", Published => "PUBLISHED", Closed => "CLOSED", Awarded => "AWARDED", Cancelled => "CANCELLED" }
);
named_enum!(
    /// A proposal's lifecycle state.
    ProposalStatus {
        Draft => "DRAFT", Submitted => "SUBMITTED", Withdrawn => "WITHDRAWN",
        Shortlisted => "SHORTLISTED", Accepted => "ACCEPTED", Rejected => "REJECTED",
    }
);
named_enum!(
    /// Whether an embassy vouches for an investor organisation.
    VerificationStatus { Pending => "PENDING", Verified => "VERIFIED", Suspended => "SUSPENDED" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(*d));
        }
        assert_eq!(
            Sector::parse("DIGITAL_INFRASTRUCTURE"),
            Some(Sector::DigitalInfrastructure)
        );
        assert_eq!(Role::parse("admin"), None);
    }
}
named_enum!(
    /// Where a match-making event is in its life.
    EventStatus { Draft => "DRAFT", Open => "OPEN", Scheduled => "SCHEDULED", Closed => "CLOSED", Cancelled => "CANCELLED" }
);
named_enum!(
    /// How a match-making event is held.
    EventMode { InPerson => "IN_PERSON", Virtual => "VIRTUAL", Hybrid => "HYBRID" }
);
named_enum!(
    /// Which side a participant is.
    ParticipantKind { City => "CITY", Investor => "INVESTOR" }
);
named_enum!(
    /// Where a meeting request is in its life.
    RequestStatus { Pending => "PENDING", Accepted => "ACCEPTED", Declined => "DECLINED", Withdrawn => "WITHDRAWN" }
);
named_enum!(
    /// Whether a meeting is on.
    MeetingStatus { Scheduled => "SCHEDULED", Cancelled => "CANCELLED" }
);
named_enum!(
    /// What one side recorded of a meeting.
    MeetingOutcome { FollowUp => "FOLLOW_UP", NotAFit => "NOT_A_FIT", NoShow => "NO_SHOW" }
);
named_enum!(
    /// What a notification is about.
    NotificationType {
        ProjectPublished => "PROJECT_PUBLISHED", ProjectUpdated => "PROJECT_UPDATED", ProjectClosed => "PROJECT_CLOSED",
        ProjectAwarded => "PROJECT_AWARDED", ProjectCancelled => "PROJECT_CANCELLED", ProposalSubmitted => "PROPOSAL_SUBMITTED",
        ProposalStatusChanged => "PROPOSAL_STATUS_CHANGED", OrganizationVerified => "ORGANIZATION_VERIFIED",
        OrganizationSuspended => "ORGANIZATION_SUSPENDED", MeetingRequested => "MEETING_REQUESTED",
        MeetingRequestAnswered => "MEETING_REQUEST_ANSWERED", MeetingScheduled => "MEETING_SCHEDULED",
        MeetingChanged => "MEETING_CHANGED", SavedSearchMatch => "SAVED_SEARCH_MATCH", WebhookTest => "WEBHOOK_TEST",
    }
);
named_enum!(
    /// Where a webhook delivery is.
    DeliveryStatus { Pending => "PENDING", Succeeded => "SUCCEEDED", Failed => "FAILED" }
);

impl NotificationType {
    /// The webhook body's `type`: lower case, the last underscore a dot
    /// (PROJECT_PUBLISHED → project.published, SAVED_SEARCH_MATCH → saved_search.match).
    pub fn dotted(self) -> String {
        let lower = self.as_str().to_ascii_lowercase();
        match lower.rfind('_') {
            Some(i) => format!("{}.{}", &lower[..i], &lower[i + 1..]),
            None => lower,
        }
    }
}

//! The marketplace's records as the rest of the system reads them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    Dimension, FinancingModel, Money, ProjectStatus, ProposalStatus, Role, Sector,
    VerificationStatus, masterplan::MasterplanContent, project::ProjectContent,
    proposal::ProposalContent,
};

/// A user account (never its password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub city_id: Option<Uuid>,
    pub embassy_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The user as a caller of the API.
    pub fn actor(&self) -> crate::Actor {
        crate::Actor {
            user_id: self.id,
            role: self.role,
            city_id: self.city_id,
            embassy_id: self.embassy_id,
            organization_id: self.organization_id,
        }
    }
}

/// A city or regency of the programme.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub id: Uuid,
    pub name: String,
    pub province: String,
    pub country: String,
    pub time_zone: String,
    pub location: Option<(f64, f64)>,
    pub population: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// An embassy that refers investors.
#[derive(Debug, Clone, PartialEq)]
pub struct Embassy {
    pub id: Uuid,
    pub country: String,
    pub name: String,
}

/// A city's masterplan, at one version.
#[derive(Debug, Clone, PartialEq)]
pub struct Masterplan {
    pub id: Uuid,
    pub city_id: Uuid,
    pub version: i32,
    pub content: MasterplanContent,
    pub updated_at: DateTime<Utc>,
}

/// A project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: Uuid,
    pub city_id: Uuid,
    pub content: ProjectContent,
    pub status: ProjectStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a list of projects shows of each without its terms: a page that asks for no more
/// reads no more.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectListing {
    pub id: Uuid,
    pub city_id: Uuid,
    pub title: String,
    pub status: ProjectStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an investor organisation says of itself.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationProfile {
    pub name: String,
    pub country: String,
    pub description: String,
    pub website: Option<String>,
    pub sectors: Vec<Sector>,
    pub dimensions: Vec<Dimension>,
    pub financing_models: Vec<FinancingModel>,
    pub ticket_min: Option<Money>,
    pub ticket_max: Option<Money>,
}

/// An investor organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: Uuid,
    pub embassy_id: Uuid,
    pub verification: VerificationStatus,
    pub profile: OrganizationProfile,
    pub created_at: DateTime<Utc>,
}

/// An invitation to join an organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub organization_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub id: Uuid,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub status: ProposalStatus,
    pub content: ProposalContent,
    pub commitment: Option<String>,
    pub commitment_salt: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One link of the audit chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub sequence: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub hash: String,
}

impl OrganizationProfile {
    /// Checks the texts and lists; the ticket range is compared in USD by the caller.
    pub fn validate(mut self) -> crate::Result<Self> {
        use crate::{Error, text::required};
        self.name = required("input.name", &self.name, 200)?;
        self.country = crate::text::country_code("input.country", &self.country)?;
        self.description = required("input.description", &self.description, 10_000)?;
        self.website = match self.website.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(w)
                if (w.starts_with("https://") || w.starts_with("http://"))
                    && w.len() <= 500
                    && !w.contains(char::is_whitespace) =>
            {
                Some(w.to_owned())
            }
            Some(_) => return Err(Error::validation("input.website", "must be an http(s) URL")),
        };
        self.sectors.sort();
        self.sectors.dedup();
        self.dimensions.sort();
        self.dimensions.dedup();
        self.financing_models.sort();
        self.financing_models.dedup();
        Ok(self)
    }
}

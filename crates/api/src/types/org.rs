//! Investor organisations and invitations.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sinergi_domain::{FxTable, model};

use super::{
    common::{Money, MoneyInput},
    enums::{Dimension, FinancingModel, Sector, VerificationStatus, from_domain, to_domain},
    place::Embassy,
};
use crate::{
    error::{ApiError, Result},
    state::state,
};

/// An investor organisation.
#[derive(Clone)]
pub struct InvestorOrganization(pub model::Organization);

/// An investor organisation, referred by an embassy. Anyone may read VERIFIED ones; PENDING and SUSPENDED ones only its members, its embassy's liaisons and admins.
#[Object]
impl InvestorOrganization {
    /// The organisation's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its legal or trading name.
    async fn name(&self) -> &str {
        &self.0.profile.name
    }
    /// Where it is based, ISO 3166-1 alpha-2 (e.g. NL).
    async fn country(&self) -> &str {
        &self.0.profile.country
    }
    /// The embassy that referred it and vouches for it.
    async fn referred_by(&self, ctx: &Context<'_>) -> Result<Embassy> {
        let l = crate::loaders::get(ctx);
        l.embassies
            .load_one(self.0.embassy_id)
            .await?
            .map(Embassy)
            .ok_or(ApiError::NotFound)
    }
    /// Whether its embassy vouches for it; only VERIFIED organisations may submit proposals.
    async fn verification(&self) -> VerificationStatus {
        self.0.verification.into()
    }
    /// What it does and funds, in its own words.
    async fn description(&self) -> &str {
        &self.0.profile.description
    }
    /// Its web site; null when none was given.
    async fn website(&self) -> Option<&str> {
        self.0.profile.website.as_deref()
    }
    /// The sectors it funds.
    async fn sectors(&self) -> Vec<Sector> {
        from_domain(&self.0.profile.sectors)
    }
    /// The masterplan dimensions it wants to serve.
    async fn dimensions(&self) -> Vec<Dimension> {
        from_domain(&self.0.profile.dimensions)
    }
    /// The ways it finances projects.
    async fn financing_models(&self) -> Vec<FinancingModel> {
        from_domain(&self.0.profile.financing_models)
    }
    /// The smallest investment it makes; null when open.
    async fn ticket_min(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        self.0
            .profile
            .ticket_min
            .as_ref()
            .map(|m| Money::new(m, &state(ctx).fx))
            .transpose()
    }
    /// The largest investment it makes; null when open.
    async fn ticket_max(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        self.0
            .profile
            .ticket_max
            .as_ref()
            .map(|m| Money::new(m, &state(ctx).fx))
            .transpose()
    }
    /// When it was onboarded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

super::common::connection!(
    InvestorOrganizationConnection,
    InvestorOrganizationEdge,
    InvestorOrganization
);

/// An organisation's profile as a liaison or investor writes it.
#[derive(InputObject, Clone)]
pub struct InvestorOrganizationInput {
    /// Legal or trading name, 1..200 characters.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code, e.g. NL.
    pub country: String,
    /// What it does and funds.
    pub description: String,
    /// An http(s) URL, or null.
    pub website: Option<String>,
    /// Sectors it funds (no duplicates).
    pub sectors: Vec<Sector>,
    /// Dimensions it wants to serve (no duplicates).
    pub dimensions: Vec<Dimension>,
    /// Ways it finances (no duplicates).
    pub financing_models: Vec<FinancingModel>,
    /// Smallest investment, in a currency with an FX rate; null for none.
    pub ticket_min: Option<MoneyInput>,
    /// Largest investment; at least `ticketMin` once converted.
    pub ticket_max: Option<MoneyInput>,
}

impl InvestorOrganizationInput {
    /// Into the domain's profile (validated by the service).
    pub fn into_profile(self, fx: &FxTable) -> Result<model::OrganizationProfile> {
        Ok(model::OrganizationProfile {
            ticket_min: self
                .ticket_min
                .map(|m| m.parse("input.ticketMin", fx))
                .transpose()?,
            ticket_max: self
                .ticket_max
                .map(|m| m.parse("input.ticketMax", fx))
                .transpose()?,
            name: self.name,
            country: self.country,
            description: self.description,
            website: self.website,
            sectors: to_domain(&self.sectors),
            dimensions: to_domain(&self.dimensions),
            financing_models: to_domain(&self.financing_models),
        })
    }
}

/// An invitation to join an organisation.
#[derive(Clone)]
pub struct Invitation {
    pub invitation: model::Invitation,
    /// Only set on the response of `inviteInvestor`.
    pub code: Option<String>,
}

/// An invitation for one e-mail address to join an investor organisation, made by its embassy's liaison; seen by that liaison and admins.
#[Object]
impl Invitation {
    /// The invitation's ID.
    async fn id(&self) -> ID {
        ID(self.invitation.id.to_string())
    }
    /// The address invited.
    async fn email(&self) -> &str {
        &self.invitation.email
    }
    /// The organisation the invitee joins.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InvestorOrganization> {
        let l = crate::loaders::get(ctx);
        l.organizations
            .load_one(self.invitation.organization_id)
            .await?
            .map(InvestorOrganization)
            .ok_or(ApiError::NotFound)
    }
    /// After this the code no longer works.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.invitation.expires_at
    }
    /// When it was accepted; null while open.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.invitation.accepted_at
    }
    /// Only returned once, by inviteInvestor; null when read later.
    async fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

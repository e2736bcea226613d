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

#[Object]
impl InvestorOrganization {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.profile.name
    }
    async fn country(&self) -> &str {
        &self.0.profile.country
    }
    async fn referred_by(&self, ctx: &Context<'_>) -> Result<Embassy> {
        let l = crate::loaders::get(ctx);
        l.embassies
            .load_one(self.0.embassy_id)
            .await?
            .map(Embassy)
            .ok_or(ApiError::NotFound)
    }
    async fn verification(&self) -> VerificationStatus {
        self.0.verification.into()
    }
    async fn description(&self) -> &str {
        &self.0.profile.description
    }
    async fn website(&self) -> Option<&str> {
        self.0.profile.website.as_deref()
    }
    async fn sectors(&self) -> Vec<Sector> {
        from_domain(&self.0.profile.sectors)
    }
    async fn dimensions(&self) -> Vec<Dimension> {
        from_domain(&self.0.profile.dimensions)
    }
    async fn financing_models(&self) -> Vec<FinancingModel> {
        from_domain(&self.0.profile.financing_models)
    }
    async fn ticket_min(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        self.0
            .profile
            .ticket_min
            .as_ref()
            .map(|m| Money::new(m, &state(ctx).fx))
            .transpose()
    }
    async fn ticket_max(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        self.0
            .profile
            .ticket_max
            .as_ref()
            .map(|m| Money::new(m, &state(ctx).fx))
            .transpose()
    }
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
    pub name: String,
    pub country: String,
    pub description: String,
    pub website: Option<String>,
    pub sectors: Vec<Sector>,
    pub dimensions: Vec<Dimension>,
    pub financing_models: Vec<FinancingModel>,
    pub ticket_min: Option<MoneyInput>,
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

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        ID(self.invitation.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.invitation.email
    }
    async fn organization(&self, ctx: &Context<'_>) -> Result<InvestorOrganization> {
        let l = crate::loaders::get(ctx);
        l.organizations
            .load_one(self.invitation.organization_id)
            .await?
            .map(InvestorOrganization)
            .ok_or(ApiError::NotFound)
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.invitation.expires_at
    }
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.invitation.accepted_at
    }
    /// Only returned once, by inviteInvestor; null when read later.
    async fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

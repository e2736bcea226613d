//! Users and sign-in payloads.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sinergi_domain::model;

use super::{
    enums::Role,
    org::InvestorOrganization,
    place::{City, Embassy},
};
use crate::error::Result;

/// A user account.
#[derive(Clone)]
pub struct User(pub model::User);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        let Some(id) = self.0.city_id else {
            return Ok(None);
        };
        Ok(crate::loaders::get(ctx)
            .cities
            .load_one(id)
            .await?
            .map(City))
    }
    async fn embassy(&self, ctx: &Context<'_>) -> Result<Option<Embassy>> {
        let Some(id) = self.0.embassy_id else {
            return Ok(None);
        };
        Ok(crate::loaders::get(ctx)
            .embassies
            .load_one(id)
            .await?
            .map(Embassy))
    }
    async fn investor_organization(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<InvestorOrganization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(crate::loaders::get(ctx)
            .organizations
            .load_one(id)
            .await?
            .map(InvestorOrganization))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What signing in returns.
#[derive(SimpleObject, Clone)]
pub struct AuthPayload {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

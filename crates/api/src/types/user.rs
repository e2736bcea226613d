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

/// A user account. Callers read their own (`me`); admins read any.
#[Object]
impl User {
    /// The account's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The e-mail address it signs in with, lower-case.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the account may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// The city a CITY_OFFICIAL works for; null for other roles.
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
    /// The embassy an EMBASSY_LIAISON works for; null for other roles.
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
    /// The organisation an INVESTOR belongs to; null for other roles.
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
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What signing in returns.
#[derive(SimpleObject, Clone)]
pub struct AuthPayload {
    /// A JWT to send as `Authorization: Bearer <token>`; short-lived (see `expiresAt`).
    pub access_token: String,
    /// Trades for a new pair with `refreshToken` once; reusing it revokes the whole session. Keep it secret.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    /// The account signed in.
    pub user: User,
}

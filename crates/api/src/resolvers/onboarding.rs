//! Embassies onboarding investors: organisations, invitations, verification.

use async_graphql::{Context, ID, Object};
use sinergi_domain::VerificationStatus;
use sinergi_services::{invitations, organizations};

use super::account::start_session;
use crate::{
    auth::{check_password, hash_password, random_token, token_hash},
    error::Result,
    state::{require, state},
    types::{
        org::{InvestorOrganization, InvestorOrganizationInput, Invitation},
        parse_id,
        user::AuthPayload,
    },
};

/// Onboarding mutations.
#[derive(Default)]
pub struct OnboardingMutation;

#[Object]
impl OnboardingMutation {
    /// Embassy liaisons onboard investor organisations, referred by their own embassy.
    async fn create_investor_organization(
        &self,
        ctx: &Context<'_>,
        input: InvestorOrganizationInput,
    ) -> Result<InvestorOrganization> {
        let a = require(ctx)?;
        let st = state(ctx);
        let profile = input.into_profile(&st.fx)?;
        Ok(InvestorOrganization(
            organizations::create(&st.db, a, &st.fx, profile).await?,
        ))
    }

    async fn invite_investor(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        email: String,
    ) -> Result<Invitation> {
        let a = require(ctx)?;
        let id = parse_id("organizationId", &organization_id)?;
        let code = random_token();
        let invitation =
            invitations::invite(&state(ctx).db, a, id, &email, token_hash(&code)).await?;
        Ok(Invitation {
            invitation,
            code: Some(code),
        })
    }

    async fn verify_investor(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<InvestorOrganization> {
        let a = require(ctx)?;
        let id = parse_id("organizationId", &organization_id)?;
        let o = organizations::set_verification(
            &state(ctx).db,
            a,
            state(ctx).scoring(),
            id,
            VerificationStatus::Verified,
            None,
        )
        .await?;
        Ok(InvestorOrganization(o))
    }

    async fn suspend_investor(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        reason: String,
    ) -> Result<InvestorOrganization> {
        let a = require(ctx)?;
        let id = parse_id("organizationId", &organization_id)?;
        let o = organizations::set_verification(
            &state(ctx).db,
            a,
            state(ctx).scoring(),
            id,
            VerificationStatus::Suspended,
            Some(&reason),
        )
        .await?;
        Ok(InvestorOrganization(o))
    }

    /// Creates the investor's user account from an invitation code and signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        code: String,
        name: String,
        password: String,
    ) -> Result<AuthPayload> {
        check_password("password", &password)?;
        let st = state(ctx);
        let password_hash = hash_password(password).await?;
        let user = invitations::accept(
            &st.db,
            &token_hash(&code),
            &name,
            password_hash,
            state(ctx).now(),
        )
        .await?;
        start_session(st, user).await
    }

    async fn update_investor_profile(
        &self,
        ctx: &Context<'_>,
        input: InvestorOrganizationInput,
    ) -> Result<InvestorOrganization> {
        let a = require(ctx)?;
        let st = state(ctx);
        let profile = input.into_profile(&st.fx)?;
        Ok(InvestorOrganization(
            organizations::update_profile(&st.db, a, &st.fx, profile).await?,
        ))
    }
}

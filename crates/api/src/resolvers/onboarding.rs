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
        #[graphql(desc = "The organisation's profile.")] input: InvestorOrganizationInput,
    ) -> Result<InvestorOrganization> {
        let a = require(ctx)?;
        let st = state(ctx);
        let profile = input.into_profile(&st.fx)?;
        Ok(InvestorOrganization(
            organizations::create(&st.db, a, &st.fx, profile).await?,
        ))
    }

    /// An embassy liaison invites an e-mail address into an organisation it referred (a SUSPENDED one: CONFLICT, reason ORGANIZATION_SUSPENDED). The code is returned once, here.
    async fn invite_investor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's ID.")] organization_id: ID,
        #[graphql(desc = "The address to invite.")] email: String,
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

    /// An embassy liaison vouches for an organisation it referred: it becomes VERIFIED and may submit proposals.
    async fn verify_investor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's ID.")] organization_id: ID,
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

    /// An embassy liaison suspends an organisation it referred, with a reason: it may no longer submit proposals.
    async fn suspend_investor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's ID.")] organization_id: ID,
        #[graphql(desc = "Why, 1..2,000 characters.")] reason: String,
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
        #[graphql(desc = "The invitation code, as sent.")] code: String,
        #[graphql(desc = "Display name.")] name: String,
        #[graphql(desc = "At least 10 characters.")] password: String,
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

    /// An investor updates its own organisation's profile.
    async fn update_investor_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new profile, whole.")] input: InvestorOrganizationInput,
    ) -> Result<InvestorOrganization> {
        let a = require(ctx)?;
        let st = state(ctx);
        let profile = input.into_profile(&st.fx)?;
        Ok(InvestorOrganization(
            organizations::update_profile(&st.db, a, &st.fx, profile).await?,
        ))
    }
}

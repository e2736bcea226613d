//! Masterplans, projects and proposals.

use async_graphql::{Context, ID, Object};
use sinergi_domain::{
    masterplan::{MasterplanContent, Priority},
    proposal::Decision,
};
use sinergi_services::{masterplans, projects, proposals};

use crate::{
    error::Result,
    state::{require, state},
    types::{
        parse_id,
        place::Masterplan,
        project::{Project, ProjectInput},
        proposal::{Proposal, ProposalInput},
    },
};

/// Input of a masterplan.
#[derive(async_graphql::InputObject, Clone)]
pub struct MasterplanInput {
    /// First year covered.
    pub period_start_year: i32,
    /// Last year covered, not before the first.
    pub period_end_year: i32,
    /// The city's vision statement.
    pub vision: String,
    /// Weighted priorities, one per dimension at most; weights sum to 1.
    pub priorities: Vec<PriorityInput>,
}

/// Input of one priority.
#[derive(async_graphql::InputObject, Clone)]
pub struct PriorityInput {
    /// The dimension prioritised.
    pub dimension: crate::types::enums::Dimension,
    /// Its weight, 0..1.
    pub weight: f64,
    /// Free-text focus areas, e.g. 'flood early warning'.
    pub focus_areas: Vec<String>,
}

/// What cities and investors change.
#[derive(Default)]
pub struct MarketplaceMutation;

#[Object]
impl MarketplaceMutation {
    /// City officials of that city (or admins). Replaces the active masterplan and bumps its version; scores are recomputed.
    async fn set_masterplan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's ID.")] city_id: ID,
        #[graphql(desc = "The new masterplan.")] input: MasterplanInput,
    ) -> Result<Masterplan> {
        let a = require(ctx)?;
        let city_id = parse_id("cityId", &city_id)?;
        let content = MasterplanContent {
            period_start_year: input.period_start_year,
            period_end_year: input.period_end_year,
            vision: input.vision,
            priorities: input
                .priorities
                .into_iter()
                .map(|p| Priority {
                    dimension: p.dimension.into(),
                    weight: p.weight,
                    focus_areas: p.focus_areas,
                })
                .collect(),
        };
        Ok(Masterplan(
            masterplans::set(&state(ctx).db, a, state(ctx).scoring(), city_id, content).await?,
        ))
    }

    /// City officials create projects for their own city, as DRAFT.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city, which must be the official's own (FORBIDDEN otherwise).")]
        city_id: ID,
        #[graphql(desc = "The project's terms.")] input: ProjectInput,
    ) -> Result<Project> {
        let a = require(ctx)?;
        let st = state(ctx);
        let city_id = parse_id("cityId", &city_id)?;
        let content = input.into_content(&st.fx)?;
        Ok(Project::from(
            projects::create(&st.db, a, &st.fx, city_id, content).await?,
        ))
    }

    /// The city's officials (or admins) change a project's terms; once proposals exist its capex, financing, deadline and sealing are frozen (CONFLICT, reason HAS_PROPOSALS).
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID.")] id: ID,
        #[graphql(desc = "The new terms, whole.")] input: ProjectInput,
    ) -> Result<Project> {
        let a = require(ctx)?;
        let st = state(ctx);
        let id = parse_id("id", &id)?;
        let content = input.into_content(&st.fx)?;
        Ok(Project::from(
            projects::update(&st.db, a, &st.fx, id, content, state(ctx).now()).await?,
        ))
    }

    /// Puts a DRAFT in the public catalogue; its deadline must be in the future. The city's officials or admins.
    async fn publish_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID.")] id: ID,
    ) -> Result<Project> {
        let a = require(ctx)?;
        Ok(Project::from(
            projects::publish(&state(ctx).db, a, parse_id("id", &id)?, state(ctx).now()).await?,
        ))
    }

    /// Stops accepting proposals.
    async fn close_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID.")] id: ID,
    ) -> Result<Project> {
        let a = require(ctx)?;
        Ok(Project::from(
            projects::close(&state(ctx).db, a, parse_id("id", &id)?, state(ctx).now()).await?,
        ))
    }

    /// Withdraws a project that was not awarded, with a reason its bidders read. The city's officials or admins.
    async fn cancel_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID.")] id: ID,
        #[graphql(desc = "Why, 1..2,000 characters.")] reason: String,
    ) -> Result<Project> {
        let a = require(ctx)?;
        Ok(Project::from(
            projects::cancel(&state(ctx).db, a, parse_id("id", &id)?, &reason).await?,
        ))
    }

    /// Keeps a SUBMITTED proposal for the final choice, after the deadline for sealed bids. The project's city officials or admins.
    async fn shortlist_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's ID.")] id: ID,
    ) -> Result<Proposal> {
        let a = require(ctx)?;
        let p = proposals::decide(
            &state(ctx).db,
            a,
            parse_id("id", &id)?,
            Decision::Shortlist,
            None,
            state(ctx).now(),
        )
        .await?;
        Ok(Proposal(p))
    }

    /// Accepting one proposal awards the project and rejects the other submitted ones.
    async fn accept_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's ID.")] id: ID,
    ) -> Result<Proposal> {
        let a = require(ctx)?;
        let p = proposals::decide(
            &state(ctx).db,
            a,
            parse_id("id", &id)?,
            Decision::Accept,
            None,
            state(ctx).now(),
        )
        .await?;
        Ok(Proposal(p))
    }

    /// Turns a proposal down with a reason its bidder reads. The project's city officials or admins.
    async fn reject_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's ID.")] id: ID,
        #[graphql(desc = "Why, 1..2,000 characters.")] reason: String,
    ) -> Result<Proposal> {
        let a = require(ctx)?;
        let p = proposals::decide(
            &state(ctx).db,
            a,
            parse_id("id", &id)?,
            Decision::Reject,
            Some(&reason),
            state(ctx).now(),
        )
        .await?;
        Ok(Proposal(p))
    }

    /// Creates a DRAFT proposal for the caller's organisation, or updates its existing DRAFT/SUBMITTED one before the deadline. One proposal per organisation per project.
    async fn save_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's content.")] input: ProposalInput,
    ) -> Result<Proposal> {
        let a = require(ctx)?;
        let st = state(ctx);
        let project_id = parse_id("input.projectId", &input.project_id)?;
        let content = input.into_content(&st.fx)?;
        Ok(Proposal(
            proposals::save(
                &st.db,
                a,
                st.scoring(),
                project_id,
                content,
                state(ctx).now(),
            )
            .await?,
        ))
    }

    /// Only VERIFIED organisations may submit; only PUBLISHED projects before their deadline.
    async fn submit_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's ID.")] id: ID,
    ) -> Result<Proposal> {
        let a = require(ctx)?;
        Ok(Proposal(
            proposals::submit(
                &state(ctx).db,
                a,
                state(ctx).scoring(),
                parse_id("id", &id)?,
                state(ctx).now(),
            )
            .await?,
        ))
    }

    /// The bidding organisation's investors take back a proposal before the deadline.
    async fn withdraw_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's ID.")] id: ID,
    ) -> Result<Proposal> {
        let a = require(ctx)?;
        Ok(Proposal(
            proposals::withdraw(&state(ctx).db, a, parse_id("id", &id)?, state(ctx).now()).await?,
        ))
    }
}

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
    pub period_start_year: i32,
    pub period_end_year: i32,
    pub vision: String,
    pub priorities: Vec<PriorityInput>,
}

/// Input of one priority.
#[derive(async_graphql::InputObject, Clone)]
pub struct PriorityInput {
    pub dimension: crate::types::enums::Dimension,
    pub weight: f64,
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
        city_id: ID,
        input: MasterplanInput,
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
        city_id: ID,
        input: ProjectInput,
    ) -> Result<Project> {
        let a = require(ctx)?;
        let st = state(ctx);
        let city_id = parse_id("cityId", &city_id)?;
        let content = input.into_content(&st.fx)?;
        Ok(Project(
            projects::create(&st.db, a, &st.fx, city_id, content).await?,
        ))
    }

    async fn update_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProjectInput,
    ) -> Result<Project> {
        let a = require(ctx)?;
        let st = state(ctx);
        let id = parse_id("id", &id)?;
        let content = input.into_content(&st.fx)?;
        Ok(Project(
            projects::update(&st.db, a, &st.fx, id, content, state(ctx).now()).await?,
        ))
    }

    async fn publish_project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let a = require(ctx)?;
        Ok(Project(
            projects::publish(&state(ctx).db, a, parse_id("id", &id)?, state(ctx).now()).await?,
        ))
    }

    /// Stops accepting proposals.
    async fn close_project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let a = require(ctx)?;
        Ok(Project(
            projects::close(&state(ctx).db, a, parse_id("id", &id)?, state(ctx).now()).await?,
        ))
    }

    async fn cancel_project(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Project> {
        let a = require(ctx)?;
        Ok(Project(
            projects::cancel(&state(ctx).db, a, parse_id("id", &id)?, &reason).await?,
        ))
    }

    async fn shortlist_proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Proposal> {
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
    async fn accept_proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Proposal> {
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

    async fn reject_proposal(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Proposal> {
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
    async fn save_proposal(&self, ctx: &Context<'_>, input: ProposalInput) -> Result<Proposal> {
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
    async fn submit_proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Proposal> {
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

    async fn withdraw_proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Proposal> {
        let a = require(ctx)?;
        Ok(Proposal(
            proposals::withdraw(&state(ctx).db, a, parse_id("id", &id)?, state(ctx).now()).await?,
        ))
    }
}

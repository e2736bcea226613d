//! Proposals, with the sealed rule applied field by field.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use sinergi_domain::{
    FxTable, ProposalStatus as DomainStatus, model,
    proposal::{ProjectState, ProposalContent},
};

use super::{
    common::{Money, MoneyInput},
    enums::{Dimension, FinancingModel, ProposalStatus},
    org::InvestorOrganization,
    project::Project,
};
use crate::{
    error::{ApiError, Result},
    ranking,
    state::{actor, state},
};

/// A proposal (bid).
#[derive(Clone)]
pub struct Proposal(pub model::Proposal);

/// A dimension a proposal claims to serve.
#[derive(SimpleObject, Clone)]
pub struct DimensionContribution {
    /// The dimension claimed.
    pub dimension: Dimension,
    /// 0..1: how strongly the proposal claims to serve this dimension.
    pub strength: f64,
}

/// One explained part of a score.
#[derive(SimpleObject, Clone)]
pub struct ScoreComponent {
    /// Stable machine name, e.g. 'dimension_alignment', 'budget_fit', 'financing_fit', 'timeline_fit', 'focus_area_match', 'local_content', 'investor_standing'.
    pub name: String,
    /// The component's weight in the total; weights sum to 1.
    pub weight: f64,
    /// 0..1
    pub value: f64,
    /// One human sentence on why, e.g. 'Offers 12% above the capex estimate'.
    pub explanation: String,
}

/// A proposal's match score against its city's masterplan.
#[derive(SimpleObject, Clone)]
pub struct MatchScore {
    /// 0..100
    pub total: f64,
    /// The parts of the total, each weighted and explained.
    pub components: Vec<ScoreComponent>,
    /// The masterplan version it was scored against; scores follow a new version.
    pub masterplan_version: i32,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
}

impl Proposal {
    /// Whether the caller may read the content: the bidder always; the project's city and admins
    /// once a sealed proposal has opened.
    async fn content_visible(&self, ctx: &Context<'_>) -> Result<bool> {
        let Some(a) = actor(ctx) else {
            return Ok(false);
        };
        if a.organization_id == Some(self.0.organization_id) {
            return Ok(true); // the bidder's own: no need to load the project
        }
        let l = crate::loaders::get(ctx);
        let p = l
            .projects_of_proposals
            .load_one(self.0.project_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let state = ProjectState {
            status: p.status,
            deadline: p.content.proposal_deadline,
        };
        Ok(a.may_read_proposal_content(
            self.0.organization_id,
            p.city_id,
            p.content.sealed_bids,
            state,
            crate::state::state(ctx).now(),
        ))
    }

    async fn content<'a>(&'a self, ctx: &Context<'_>) -> Result<Option<&'a ProposalContent>> {
        Ok(if self.content_visible(ctx).await? {
            Some(&self.0.content)
        } else {
            None
        })
    }
}

/// An investor organisation's bid for a project. Its organisation's investors always read it; the project's city officials and admins once it is SUBMITTED, its content (amount, approach, score) only after a sealed deadline. A DRAFT is the bidder's alone.
#[Object]
impl Proposal {
    /// The proposal's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The project it bids for.
    async fn project(&self, ctx: &Context<'_>) -> Result<Project> {
        let l = crate::loaders::get(ctx);
        l.projects_of_proposals
            .load_one(self.0.project_id)
            .await?
            .map(Project::from)
            .ok_or(ApiError::NotFound)
    }
    /// The bidding organisation.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InvestorOrganization> {
        let l = crate::loaders::get(ctx);
        l.organizations
            .load_one(self.0.organization_id)
            .await?
            .map(InvestorOrganization)
            .ok_or(ApiError::NotFound)
    }
    /// Where the proposal is in its life.
    async fn status(&self) -> ProposalStatus {
        self.0.status.into()
    }
    /// Null for callers who may not see the content (sealed before the deadline).
    async fn amount(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        self.content(ctx)
            .await?
            .map(|c| Money::new(&c.amount, &state(ctx).fx))
            .transpose()
    }
    /// The financing model offered; null when sealed for the caller.
    async fn financing_model(&self, ctx: &Context<'_>) -> Result<Option<FinancingModel>> {
        Ok(self.content(ctx).await?.map(|c| c.financing_model.into()))
    }
    /// Months to deliver; null when sealed for the caller.
    async fn timeline_months(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        Ok(self.content(ctx).await?.map(|c| c.timeline_months))
    }
    /// How the bidder will deliver; null when sealed for the caller.
    async fn approach(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.content(ctx).await?.map(|c| c.approach.clone()))
    }
    /// The dimensions it claims to serve; null when sealed for the caller.
    async fn contributions(&self, ctx: &Context<'_>) -> Result<Option<Vec<DimensionContribution>>> {
        Ok(self.content(ctx).await?.map(|c| {
            c.contributions
                .iter()
                .map(|(d, s)| DimensionContribution {
                    dimension: (*d).into(),
                    strength: *s,
                })
                .collect()
        }))
    }
    /// 0..100, share of local partners / local content.
    async fn local_content_percent(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(self
            .content(ctx)
            .await?
            .and_then(|c| c.local_content_percent.to_f64()))
    }
    /// When it was last submitted; null while DRAFT.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Hex SHA-256 commitment to the submitted content (amount, currency, financing model, timeline, approach, contributions, local content) and a random salt. Visible to every party that may see the proposal from the moment it is submitted; null while DRAFT. Each revision gets a new one.
    async fn commitment(&self) -> Option<&str> {
        if self.0.status == DomainStatus::Draft {
            None
        } else {
            self.0.commitment.as_deref()
        }
    }
    /// The salt of the commitment, revealed together with the content (null for callers who may not see the content), so anyone who opens a proposal can recompute the commitment and prove it was not changed after sealing. shared/DESIGN.md gives the canonical byte layout.
    async fn commitment_salt(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.0.status == DomainStatus::Draft || !self.content_visible(ctx).await? {
            return Ok(None);
        }
        Ok(self.0.commitment_salt.clone())
    }
    /// The match score against the city's masterplan; null while DRAFT or when the content is sealed for the caller.
    async fn score(&self, ctx: &Context<'_>) -> Result<Option<MatchScore>> {
        if self.0.status == DomainStatus::Draft || !self.content_visible(ctx).await? {
            return Ok(None);
        }
        ranking::for_proposal(ctx, &self.0).await
    }
    /// The score this content would get against the city's current masterplan, computed now: for the bidding organisation only (null for everyone else), also while DRAFT, so a bidder sees the effect of each saved change before submitting. Not stored and not used for ranking.
    async fn draft_score(&self, ctx: &Context<'_>) -> Result<Option<MatchScore>> {
        let own = actor(ctx).is_some_and(|a| a.organization_id == Some(self.0.organization_id));
        if !own {
            return Ok(None);
        }
        let st = state(ctx);
        Ok(
            sinergi_services::match_scores::fresh(&st.db, st.scoring(), &self.0)
                .await?
                .map(Into::into),
        )
    }
}

super::common::connection!(ProposalConnection, ProposalEdge, Proposal);

/// A dimension claim clients send.
#[derive(InputObject, Clone)]
pub struct DimensionContributionInput {
    /// A dimension of the masterplan.
    pub dimension: Dimension,
    /// 0..1: how strongly the proposal serves it.
    pub strength: f64,
}

/// A proposal's content as an investor writes it.
#[derive(InputObject, Clone)]
pub struct ProposalInput {
    /// The PUBLISHED project bid for, before its deadline.
    pub project_id: ID,
    /// The amount offered, more than 0, in a currency with an FX rate.
    pub amount: MoneyInput,
    /// One of the project's accepted financing models.
    pub financing_model: FinancingModel,
    /// Months to deliver, 1..600.
    pub timeline_months: i32,
    /// How the bidder will deliver, 1..20,000 characters.
    pub approach: String,
    /// Dimensions served, no duplicates.
    pub contributions: Vec<DimensionContributionInput>,
    /// 0..100: share of local partners or content.
    pub local_content_percent: f64,
}

impl ProposalInput {
    /// Into the domain's content (validated by the service).
    pub fn into_content(self, fx: &FxTable) -> Result<ProposalContent> {
        let local = rust_decimal::Decimal::from_f64_retain(self.local_content_percent).ok_or_else(
            || ApiError::validation("input.localContentPercent", "must be a number 0 to 100"),
        )?;
        Ok(ProposalContent {
            amount: self.amount.parse("input.amount", fx)?,
            financing_model: self.financing_model.into(),
            timeline_months: self.timeline_months,
            approach: self.approach,
            contributions: self
                .contributions
                .iter()
                .map(|c| (c.dimension.into(), c.strength))
                .collect(),
            local_content_percent: local,
        })
    }
}

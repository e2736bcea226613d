//! Projects.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sinergi_domain::{FxTable, model, project::ProjectContent, proposal::ProjectState};

use super::{
    common::{GeoPoint, GeoPointInput, Money, MoneyInput},
    enums::{Dimension, FinancingModel, ProjectStatus, Sector, from_domain, to_domain},
    place::City,
    proposal::{Proposal, ProposalConnection},
};
use crate::{
    cursor,
    error::{ApiError, Result},
    ranking,
    state::{actor, state},
};

/// A project a city publishes.
/// Shared, not copied: a page hands the same project to its edges and the loaders keep it.
#[derive(Clone)]
pub struct Project(pub std::sync::Arc<model::Project>);

impl Project {
    fn judged_by_caller(&self, ctx: &Context<'_>) -> bool {
        actor(ctx).is_some_and(|a| a.judges_city(self.0.city_id))
    }
}

/// An infrastructure project a city publishes for investment. Anonymous callers and investors read PUBLISHED and AWARDED ones (CLOSED ones they bid on too); its city's officials and admins read every status.
#[Object]
impl Project {
    /// The project's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The city that publishes it.
    async fn city(&self, ctx: &Context<'_>) -> Result<City> {
        let l = crate::loaders::get(ctx);
        l.cities
            .load_one(self.0.city_id)
            .await?
            .map(City)
            .ok_or(ApiError::NotFound)
    }
    /// Short title, 1..200 characters.
    async fn title(&self) -> &str {
        &self.0.content.title
    }
    /// One paragraph for lists and search results.
    async fn summary(&self) -> &str {
        &self.0.content.summary
    }
    /// The full description: scope, state, expected outcomes.
    async fn description(&self) -> &str {
        &self.0.content.description
    }
    /// The city agency (OPD) that owns the project, e.g. 'Dinas Kominfo dan Persandian'.
    async fn owner_agency(&self) -> Option<&str> {
        self.0.content.owner_agency.as_deref()
    }
    /// Primary dimension first.
    async fn dimensions(&self) -> Vec<Dimension> {
        from_domain(&self.0.content.dimensions)
    }
    /// Its infrastructure sector.
    async fn sector(&self) -> Sector {
        self.0.content.sector.into()
    }
    /// Estimated capital expenditure, with its USD value.
    async fn capex(&self, ctx: &Context<'_>) -> Result<Money> {
        Money::new(&self.0.content.capex, &state(ctx).fx)
    }
    /// The financing models the city accepts; a proposal names one of them.
    async fn accepted_financing(&self) -> Vec<FinancingModel> {
        from_domain(&self.0.content.accepted_financing)
    }
    /// Expected duration of delivery, in months.
    async fn timeline_months(&self) -> i32 {
        self.0.content.timeline_months
    }
    /// Proposals are taken until this instant; sealed ones open after it.
    async fn proposal_deadline(&self) -> DateTime<Utc> {
        self.0.content.proposal_deadline
    }
    /// Sealed: nobody but the bidder sees a proposal's content before the deadline.
    async fn sealed_bids(&self) -> bool {
        self.0.content.sealed_bids
    }
    /// Where the project is in its life.
    async fn status(&self) -> ProjectStatus {
        self.0.status.into()
    }
    /// Where it is on the map; null when not given.
    async fn location(&self) -> Option<GeoPoint> {
        self.0.content.location.map(GeoPoint::from)
    }
    /// Free-text tags, e.g. 'flood', 'smart lighting'; at most 30.
    async fn tags(&self) -> &[String] {
        &self.0.content.tags
    }
    /// When it was first PUBLISHED; null while DRAFT.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its terms or status last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Visible to the project's city and admins; others get null.
    async fn proposal_count(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if !self.judged_by_caller(ctx) {
            return Ok(None);
        }
        let l = crate::loaders::get(ctx);
        let n = l.proposal_counts.load_one(self.0.id).await?.unwrap_or(0);
        Ok(Some(i32::try_from(n).unwrap_or(i32::MAX)))
    }
    /// The caller's organisation's proposal, for investors; null otherwise.
    async fn my_proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        if actor(ctx).and_then(|a| a.organization_id).is_none() {
            return Ok(None);
        }
        let l = crate::loaders::get(ctx);
        Ok(l.my_proposals.load_one(self.0.id).await?.map(Proposal))
    }
    /// The project's proposals ranked by match score, best first. City officials of this city and admins only; for sealed bids only after the deadline (before it: CONFLICT, reason SEALED_UNTIL_DEADLINE).
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn ranked_proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<ProposalConnection> {
        let a = actor(ctx).ok_or(ApiError::Forbidden)?;
        a.check_open_ranking(
            self.0.city_id,
            self.0.content.sealed_bids,
            ProjectState {
                status: self.0.status,
                deadline: self.0.content.proposal_deadline,
            },
            state(ctx).now(),
        )?;
        let n = cursor::first(first, 20)? as usize;
        let key = &state(ctx).cursor_key;
        let kind = format!("ranked:{}", self.0.id);
        let offset = cursor::decode_offset(key, &kind, after.as_deref())?;
        let ranked = ranking::ranked(&state(ctx).db, self.0.id).await?;
        let total = ranked.len();
        let items = ranked
            .into_iter()
            .enumerate()
            .skip(offset)
            .take(n)
            .map(|(i, p)| (cursor::encode_offset(key, &kind, i + 1), Proposal(p)))
            .collect();
        Ok(ProposalConnection::new(
            items,
            offset + n < total,
            Some(total as u64),
        ))
    }
}

super::common::connection!(ProjectConnection, ProjectEdge, Project);

/// A project's terms as a city writes them.
#[derive(InputObject, Clone)]
pub struct ProjectInput {
    /// 1..200 characters.
    pub title: String,
    /// 1..1,000 characters.
    pub summary: String,
    /// The full description, up to 20,000 characters.
    pub description: String,
    /// The city agency (OPD) that owns it, or null.
    pub owner_agency: Option<String>,
    /// 1..6 dimensions it serves, primary first, no duplicates.
    pub dimensions: Vec<Dimension>,
    /// Its sector.
    pub sector: Sector,
    /// Estimated capital expenditure, more than 0, in a currency with an FX rate.
    pub capex: MoneyInput,
    /// At least one financing model, no duplicates.
    pub accepted_financing: Vec<FinancingModel>,
    /// Expected duration in months, 1..600.
    pub timeline_months: i32,
    /// In the future when published; between the years 2000 and 2100.
    pub proposal_deadline: DateTime<Utc>,
    /// Whether proposals stay sealed until the deadline (default true). Frozen once proposals exist.
    #[graphql(default_with = "Some(true)")]
    pub sealed_bids: Option<bool>,
    /// Where it is, or null.
    pub location: Option<GeoPointInput>,
    /// At most 30 tags of up to 50 characters each.
    #[graphql(default_with = "Some(Vec::new())")]
    pub tags: Option<Vec<String>>,
}

impl ProjectInput {
    /// Into the domain's content (validated by the service).
    pub fn into_content(self, fx: &FxTable) -> Result<ProjectContent> {
        Ok(ProjectContent {
            capex: self.capex.parse("input.capex", fx)?,
            title: self.title,
            summary: self.summary,
            description: self.description,
            owner_agency: self.owner_agency,
            dimensions: to_domain(&self.dimensions),
            sector: self.sector.into(),
            accepted_financing: to_domain(&self.accepted_financing),
            timeline_months: self.timeline_months,
            proposal_deadline: self.proposal_deadline,
            sealed_bids: self.sealed_bids.unwrap_or(true),
            location: self.location.map(|l| (l.lat, l.lng)),
            tags: self.tags.unwrap_or_default(),
        })
    }
}

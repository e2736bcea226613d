//! Projects.

use async_graphql::{Context, ID, InputObject, Object};
use std::sync::Arc;

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

/// A project a city publishes: the whole record, or a listing of it when the page that
/// brought it asked for no more ([`LISTING_FIELDS`]). Shared, not copied: a page hands the
/// same project to its edges and the loaders keep it.
#[derive(Clone, Debug)]
pub struct Project(Shown);

#[derive(Clone, Debug)]
enum Shown {
    Full(Arc<model::Project>),
    Listing(Arc<model::ProjectListing>),
}

impl From<Arc<model::Project>> for Project {
    fn from(p: Arc<model::Project>) -> Self {
        Self(Shown::Full(p))
    }
}

impl From<model::Project> for Project {
    fn from(p: model::Project) -> Self {
        Self(Shown::Full(Arc::new(p)))
    }
}

/// The fields of `Project` a listing answers; any other makes a page read whole projects.
pub const LISTING_FIELDS: [&str; 10] = [
    "__typename",
    "id",
    "city",
    "title",
    "status",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "proposalCount",
    "myProposal",
];

/// Whether every project a selection (of a connection's `edges { node }`) asks about can be
/// answered from a listing.
pub fn listing_will_do(ctx: &Context<'_>) -> bool {
    listing_will_do_for(ctx.look_ahead())
}

/// [`listing_will_do`] for the selection `connection` of a connection of projects.
pub fn listing_will_do_for(connection: async_graphql::Lookahead<'_>) -> bool {
    connection
        .field("edges")
        .field("node")
        .selection_fields()
        .iter()
        .all(|node| {
            node.selection_set()
                .all(|f| LISTING_FIELDS.contains(&f.name()))
        })
}

impl Project {
    /// A project from a listing.
    pub fn listing(p: Arc<model::ProjectListing>) -> Self {
        Self(Shown::Listing(p))
    }

    /// Its id.
    pub fn uuid(&self) -> uuid::Uuid {
        match &self.0 {
            Shown::Full(p) => p.id,
            Shown::Listing(p) => p.id,
        }
    }

    /// Its city's id.
    pub fn city_id(&self) -> uuid::Uuid {
        match &self.0 {
            Shown::Full(p) => p.city_id,
            Shown::Listing(p) => p.city_id,
        }
    }

    /// When it was created (the lists' order).
    pub fn created(&self) -> DateTime<Utc> {
        match &self.0 {
            Shown::Full(p) => p.created_at,
            Shown::Listing(p) => p.created_at,
        }
    }

    /// The whole record: read (within the caller's scope, by the request's loader, so a page
    /// of listings asking for more costs one statement) when this is a listing. Not normally
    /// reached: a page reads listings only when its selection needs no more.
    async fn whole(&self, ctx: &Context<'_>) -> Result<Arc<model::Project>> {
        match &self.0 {
            Shown::Full(p) => Ok(p.clone()),
            Shown::Listing(p) => crate::loaders::get(ctx)
                .projects
                .load_one(p.id)
                .await?
                .ok_or(ApiError::NotFound),
        }
    }

    fn judged_by_caller(&self, ctx: &Context<'_>) -> bool {
        actor(ctx).is_some_and(|a| a.judges_city(self.city_id()))
    }
}

/// An infrastructure project a city publishes for investment. Anonymous callers and investors read PUBLISHED and AWARDED ones (CLOSED ones they bid on too); its city's officials and admins read every status.
#[Object]
impl Project {
    /// The project's ID.
    async fn id(&self) -> ID {
        ID(self.uuid().to_string())
    }
    /// The city that publishes it.
    async fn city(&self, ctx: &Context<'_>) -> Result<City> {
        let l = crate::loaders::get(ctx);
        l.cities
            .load_one(self.city_id())
            .await?
            .map(City)
            .ok_or(ApiError::NotFound)
    }
    /// Short title, 1..200 characters.
    async fn title(&self) -> &str {
        match &self.0 {
            Shown::Full(p) => &p.content.title,
            Shown::Listing(p) => &p.title,
        }
    }
    /// One paragraph for lists and search results.
    async fn summary(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.content.summary.clone())
    }
    /// The full description: scope, state, expected outcomes.
    async fn description(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.whole(ctx).await?.content.description.clone())
    }
    /// The city agency (OPD) that owns the project, e.g. 'Dinas Kominfo dan Persandian'.
    async fn owner_agency(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.whole(ctx).await?.content.owner_agency.clone())
    }
    /// Primary dimension first.
    async fn dimensions(&self, ctx: &Context<'_>) -> Result<Vec<Dimension>> {
        Ok(from_domain(&self.whole(ctx).await?.content.dimensions))
    }
    /// Its infrastructure sector.
    async fn sector(&self, ctx: &Context<'_>) -> Result<Sector> {
        Ok(self.whole(ctx).await?.content.sector.into())
    }
    /// Estimated capital expenditure, with its USD value.
    async fn capex(&self, ctx: &Context<'_>) -> Result<Money> {
        Money::new(&self.whole(ctx).await?.content.capex, &state(ctx).fx)
    }
    /// The financing models the city accepts; a proposal names one of them.
    async fn accepted_financing(&self, ctx: &Context<'_>) -> Result<Vec<FinancingModel>> {
        Ok(from_domain(
            &self.whole(ctx).await?.content.accepted_financing,
        ))
    }
    /// Expected duration of delivery, in months.
    async fn timeline_months(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.content.timeline_months)
    }
    /// Proposals are taken until this instant; sealed ones open after it.
    async fn proposal_deadline(&self, ctx: &Context<'_>) -> Result<DateTime<Utc>> {
        Ok(self.whole(ctx).await?.content.proposal_deadline)
    }
    /// Sealed: nobody but the bidder sees a proposal's content before the deadline.
    async fn sealed_bids(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.whole(ctx).await?.content.sealed_bids)
    }
    /// Where the project is in its life.
    async fn status(&self) -> ProjectStatus {
        match &self.0 {
            Shown::Full(p) => p.status.into(),
            Shown::Listing(p) => p.status.into(),
        }
    }
    /// Where it is on the map; null when not given.
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<GeoPoint>> {
        Ok(self.whole(ctx).await?.content.location.map(GeoPoint::from))
    }
    /// Free-text tags, e.g. 'flood', 'smart lighting'; at most 30.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self.whole(ctx).await?.content.tags.clone())
    }
    /// When it was first PUBLISHED; null while DRAFT.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        match &self.0 {
            Shown::Full(p) => p.published_at,
            Shown::Listing(p) => p.published_at,
        }
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created()
    }
    /// When its terms or status last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        match &self.0 {
            Shown::Full(p) => p.updated_at,
            Shown::Listing(p) => p.updated_at,
        }
    }
    /// Visible to the project's city and admins; others get null.
    async fn proposal_count(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if !self.judged_by_caller(ctx) {
            return Ok(None);
        }
        let l = crate::loaders::get(ctx);
        let n = l.proposal_counts.load_one(self.uuid()).await?.unwrap_or(0);
        Ok(Some(i32::try_from(n).unwrap_or(i32::MAX)))
    }
    /// The caller's organisation's proposal, for investors; null otherwise.
    async fn my_proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        if actor(ctx).and_then(|a| a.organization_id).is_none() {
            return Ok(None);
        }
        let l = crate::loaders::get(ctx);
        Ok(l.my_proposals.load_one(self.uuid()).await?.map(Proposal))
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
        let p = self.whole(ctx).await?;
        a.check_open_ranking(
            p.city_id,
            p.content.sealed_bids,
            ProjectState {
                status: p.status,
                deadline: p.content.proposal_deadline,
            },
            state(ctx).now(),
        )?;
        let n = cursor::first(first, 20)? as usize;
        let key = &state(ctx).cursor_key;
        let kind = format!("ranked:{}", p.id);
        let offset = cursor::decode_offset(key, &kind, after.as_deref())?;
        let ranked = ranking::ranked(&state(ctx).db, p.id).await?;
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

//! Search and recommendation types of the contract.

use async_graphql::{InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{
    common::PageInfo,
    enums::{Dimension, FinancingModel, ProjectStatus, Sector},
    org::InvestorOrganization,
    project::Project,
};

/// Filters of a project search.
#[derive(InputObject, Clone, Default, Debug)]
pub struct ProjectFilter {
    pub city_ids: Option<Vec<async_graphql::ID>>,
    pub provinces: Option<Vec<String>>,
    pub dimensions: Option<Vec<Dimension>>,
    pub sectors: Option<Vec<Sector>>,
    pub financing: Option<Vec<FinancingModel>>,
    pub min_capex_usd: Option<Decimal>,
    pub max_capex_usd: Option<Decimal>,
    /// Only projects whose deadline is after this time.
    pub deadline_after: Option<DateTime<Utc>>,
    /// City officials and admins may ask for DRAFT/CLOSED/...; everyone else only ever sees PUBLISHED (and AWARDED).
    pub statuses: Option<Vec<ProjectStatus>>,
}

/// A value of a facet and how many hits have it.
#[derive(SimpleObject, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: i32,
}

/// Counts of hits per value of a field.
#[derive(SimpleObject, Clone)]
pub struct Facet {
    /// One of: dimension, sector, province, financing, status.
    pub field: String,
    pub values: Vec<FacetValue>,
}

/// One search hit.
#[derive(SimpleObject, Clone)]
pub struct ProjectHit {
    pub project: Project,
    /// Search engine ranking score 0..1 where available.
    pub relevance: Option<f64>,
    /// Title and summary with matched words wrapped in <em></em>.
    pub highlighted_title: Option<String>,
    pub highlighted_summary: Option<String>,
}

/// A page of search results.
#[derive(SimpleObject, Clone)]
pub struct ProjectSearchResult {
    pub hits: Vec<ProjectHit>,
    pub total_hits: i32,
    pub facets: Vec<Facet>,
    pub page_info: PageInfo,
    /// Milliseconds the search engine took.
    pub processing_time_ms: i32,
}

/// A project recommended to an organisation.
#[derive(SimpleObject, Clone)]
pub struct ProjectRecommendation {
    pub project: Project,
    /// 0..100
    pub score: f64,
    pub reasons: Vec<String>,
}

/// An organisation recommended for a project.
#[derive(SimpleObject, Clone)]
pub struct InvestorRecommendation {
    pub organization: InvestorOrganization,
    /// 0..100
    pub score: f64,
    pub reasons: Vec<String>,
}

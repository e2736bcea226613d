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
    /// Only projects of these cities.
    pub city_ids: Option<Vec<async_graphql::ID>>,
    /// Only projects in these provinces, e.g. 'Maluku'.
    pub provinces: Option<Vec<String>>,
    /// Only projects serving any of these dimensions.
    pub dimensions: Option<Vec<Dimension>>,
    /// Only projects in any of these sectors.
    pub sectors: Option<Vec<Sector>>,
    /// Only projects accepting any of these financing models.
    pub financing: Option<Vec<FinancingModel>>,
    /// Only projects with a capex of at least this many USD.
    pub min_capex_usd: Option<Decimal>,
    /// Only projects with a capex of at most this many USD.
    pub max_capex_usd: Option<Decimal>,
    /// Only projects whose deadline is after this time.
    pub deadline_after: Option<DateTime<Utc>>,
    /// City officials and admins may ask for DRAFT/CLOSED/...; everyone else only ever sees PUBLISHED (and AWARDED).
    pub statuses: Option<Vec<ProjectStatus>>,
}

/// A value of a facet and how many hits have it.
#[derive(SimpleObject, Clone)]
pub struct FacetValue {
    /// The value, as the filter takes it (an enum name, or a province).
    pub value: String,
    /// Hits with this value, among all hits of the search.
    pub count: i32,
}

/// Counts of hits per value of a field.
#[derive(SimpleObject, Clone)]
pub struct Facet {
    /// One of: dimension, sector, province, financing, status.
    pub field: String,
    /// Values with at least one hit, most hits first.
    pub values: Vec<FacetValue>,
}

/// One search hit.
#[derive(SimpleObject, Clone)]
pub struct ProjectHit {
    /// The project found.
    pub project: Project,
    /// Search engine ranking score 0..1 where available.
    pub relevance: Option<f64>,
    /// Title and summary with matched words wrapped in <em></em>.
    pub highlighted_title: Option<String>,
    /// The summary with matched words wrapped in <em></em>.
    pub highlighted_summary: Option<String>,
}

/// A page of search results.
#[derive(SimpleObject, Clone)]
pub struct ProjectSearchResult {
    /// This page of hits, in the order asked for.
    pub hits: Vec<ProjectHit>,
    /// Hits over every page, exact.
    pub total_hits: i32,
    /// Counts per value of dimension, sector, province, financing and status, over all hits.
    pub facets: Vec<Facet>,
    /// Where this page ends.
    pub page_info: PageInfo,
    /// Milliseconds the search engine took.
    pub processing_time_ms: i32,
}

/// A project recommended to an organisation.
#[derive(SimpleObject, Clone)]
pub struct ProjectRecommendation {
    /// The project recommended.
    pub project: Project,
    /// 0..100
    pub score: f64,
    /// Human sentences on why it fits, strongest first.
    pub reasons: Vec<String>,
}

/// An organisation recommended for a project.
#[derive(SimpleObject, Clone)]
pub struct InvestorRecommendation {
    /// The organisation recommended.
    pub organization: InvestorOrganization,
    /// 0..100
    pub score: f64,
    /// Human sentences on why it fits, strongest first.
    pub reasons: Vec<String>,
}

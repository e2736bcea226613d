//! Saved searches.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sinergi_services::saved_searches::{SavedFilter, SavedSearch as Saved};

use super::{
    enums::{Dimension, FinancingModel, ProjectSort, Sector, to_domain},
    parse_id,
    search::{ProjectFilter, ProjectSearchResult},
};
use crate::error::{ApiError, Result};

/// The filter of a saved search, as saved.
#[derive(SimpleObject, Clone)]
pub struct SavedProjectFilter {
    /// Only projects of these cities.
    pub city_ids: Option<Vec<ID>>,
    /// Only projects in these provinces.
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
}

fn some<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// The saved form of a search filter. Statuses and deadlines are not kept (a saved search
/// alerts on newly published projects, and its deadline would age): VALIDATION names them.
pub fn saved_filter(f: Option<ProjectFilter>) -> Result<SavedFilter> {
    let f = f.unwrap_or_default();
    if f.statuses.is_some() {
        return Err(ApiError::validation(
            "filter.statuses",
            "a saved search finds published projects; leave statuses out",
        ));
    }
    if f.deadline_after.is_some() {
        return Err(ApiError::validation(
            "filter.deadlineAfter",
            "a saved search cannot keep a deadline; leave deadlineAfter out",
        ));
    }
    let city_ids = f
        .city_ids
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("filter.cityIds.{i}"), id))
        .collect::<Result<Vec<_>>>()?;
    for (field, v) in [
        ("filter.minCapexUsd", f.min_capex_usd),
        ("filter.maxCapexUsd", f.max_capex_usd),
    ] {
        if v.is_some_and(|d| d.is_sign_negative()) {
            return Err(ApiError::validation(field, "must not be negative"));
        }
    }
    Ok(SavedFilter {
        city_ids,
        provinces: f.provinces.unwrap_or_default(),
        dimensions: to_domain(f.dimensions.as_deref().unwrap_or_default()),
        sectors: to_domain(f.sectors.as_deref().unwrap_or_default()),
        financing: to_domain(f.financing.as_deref().unwrap_or_default()),
        min_capex_usd: f.min_capex_usd,
        max_capex_usd: f.max_capex_usd,
    })
}

/// The search filter a saved filter runs as.
pub fn project_filter(f: &SavedFilter) -> ProjectFilter {
    ProjectFilter {
        city_ids: some(f.city_ids.iter().map(|c| ID(c.to_string())).collect()),
        provinces: some(f.provinces.clone()),
        dimensions: some(f.dimensions.iter().map(|d| (*d).into()).collect()),
        sectors: some(f.sectors.iter().map(|d| (*d).into()).collect()),
        financing: some(f.financing.iter().map(|d| (*d).into()).collect()),
        min_capex_usd: f.min_capex_usd,
        max_capex_usd: f.max_capex_usd,
        deadline_after: None,
        statuses: None,
    }
}

/// A search the caller saved.
#[derive(Clone)]
pub struct SavedSearch(pub Saved);

/// A search the caller saved, to run again and to be alerted of.
#[Object]
impl SavedSearch {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The caller's name for it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The words searched for, as `projects(search)` takes them.
    async fn search(&self) -> Option<&str> {
        self.0.search.as_deref()
    }
    /// The filter, as saved.
    async fn filter(&self) -> SavedProjectFilter {
        let f = project_filter(&self.0.filter);
        SavedProjectFilter {
            city_ids: f.city_ids,
            provinces: f.provinces,
            dimensions: f.dimensions,
            sectors: f.sectors,
            financing: f.financing,
            min_capex_usd: f.min_capex_usd,
            max_capex_usd: f.max_capex_usd,
        }
    }
    /// Notify (inbox, webhooks, subscription) when a newly published project matches.
    async fn alerts(&self) -> bool {
        self.0.alerts
    }
    /// When it was saved.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last alerted for a project.
    async fn last_matched_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_matched_at
    }
    /// Runs the saved search now.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn results(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 1..100.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<ProjectSearchResult> {
        crate::search::projects(
            ctx,
            self.0.search.clone(),
            Some(project_filter(&self.0.filter)),
            ProjectSort::Relevance,
            first,
            after,
        )
        .await
    }
}

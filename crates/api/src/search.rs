//! The `projects` search: the caller's visibility and filters into a request for the engine,
//! and its answer into the contract's types.

use std::collections::HashMap;

use async_graphql::Context;
use rust_decimal::prelude::ToPrimitive;
use sha2::{Digest, Sha256};
use sinergi_domain::permissions::{project_scope, search_visibility};
use sinergi_search::{Filter, SearchRequest, Sort};
use uuid::Uuid;

use crate::{
    cursor,
    error::{ApiError, Result},
    loaders,
    state::{actor, state},
    types::{
        common::PageInfo,
        enums::{ProjectSort, to_domain},
        parse_id,
        project::Project,
        search::{Facet, FacetValue, ProjectFilter, ProjectHit, ProjectSearchResult},
    },
};

fn sort(s: ProjectSort) -> Sort {
    match s {
        ProjectSort::Relevance => Sort::Relevance,
        ProjectSort::Newest => Sort::Newest,
        ProjectSort::DeadlineSoonest => Sort::DeadlineSoonest,
        ProjectSort::CapexAsc => Sort::CapexAsc,
        ProjectSort::CapexDesc => Sort::CapexDesc,
    }
}

/// The longest search text, in characters: a few sentences, far more than anyone types.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most words a search may have: each one is looked up with its typos and prefixes.
pub const MAX_SEARCH_WORDS: usize = 12;

/// Bounds the search text before the engine sees it: a 100,000-character word took the
/// embedded engine 13.6 s.
pub(crate) fn check_search_text(text: &str) -> Result<()> {
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(ApiError::validation(
            "search",
            format!("at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    if text.split_whitespace().count() > MAX_SEARCH_WORDS {
        return Err(ApiError::validation(
            "search",
            format!("at most {MAX_SEARCH_WORDS} words"),
        ));
    }
    Ok(())
}

/// Runs a search for the caller.
pub async fn projects(
    ctx: &Context<'_>,
    text: Option<String>,
    filter: Option<ProjectFilter>,
    order: ProjectSort,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ProjectSearchResult> {
    let st = state(ctx);
    if let Some(t) = &text {
        check_search_text(t)?;
    }
    let limit = cursor::first(first, 20)? as usize;
    let f = filter.unwrap_or_default();
    // A cursor belongs to one query: the kind carries a digest of everything but the position.
    let digest = hex::encode(&Sha256::digest(format!("{text:?}|{f:?}|{order:?}").as_bytes())[..8]);
    let kind = format!("search:{digest}");
    let offset = cursor::decode_offset(&st.cursor_key, &kind, after.as_deref())?;
    let city_ids = f
        .city_ids
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("filter.cityIds.{i}"), id))
        .collect::<Result<Vec<_>>>()?;
    let usd = |d: Option<rust_decimal::Decimal>, field: &str| -> Result<Option<f64>> {
        d.map(|d| {
            d.to_f64()
                .ok_or_else(|| ApiError::validation(field, "not a number"))
        })
        .transpose()
    };
    let statuses: Option<Vec<sinergi_domain::ProjectStatus>> = f.statuses.as_deref().map(to_domain);
    let req = SearchRequest {
        text: text.filter(|t| !t.trim().is_empty()),
        filter: Filter {
            city_ids,
            provinces: f.provinces.clone().unwrap_or_default(),
            dimensions: to_domain(f.dimensions.as_deref().unwrap_or_default()),
            sectors: to_domain(f.sectors.as_deref().unwrap_or_default()),
            financing: to_domain(f.financing.as_deref().unwrap_or_default()),
            min_capex_usd: usd(f.min_capex_usd, "filter.minCapexUsd")?,
            max_capex_usd: usd(f.max_capex_usd, "filter.maxCapexUsd")?,
            deadline_after: f.deadline_after,
        },
        visibility: search_visibility(actor(ctx), statuses.as_deref()),
        sort: sort(order),
        offset,
        limit,
    };
    let started = std::time::Instant::now();
    let found = st.search.search(&req).await;
    st.metrics.search(started.elapsed(), found.is_ok());
    let found = st.search_health.observe(found).inspect_err(|e| {
        if let ApiError::Unavailable {
            retry_after_seconds,
            ..
        } = e
        {
            ctx.append_http_header("retry-after", retry_after_seconds.to_string());
        }
    })?;
    // The engine's time to the microsecond, for clients and load tests (processingTimeMs is
    // whole milliseconds, as Meilisearch gives it).
    ctx.append_http_header(
        "server-timing",
        format!("search;dur={:.3}", started.elapsed().as_secs_f64() * 1000.0),
    );
    // Hits are read again from the database within the caller's own scope, so an index behind
    // the database can never show more than the caller may read. Read directly rather than
    // through a DataLoader: this is the only load of its level, and a loader would wait its
    // batching delay for nothing. The same goes for the hits' cities when they are asked for:
    // loaded here in one query and handed to the request's city loader.
    let ids: Vec<_> = found.hits.iter().map(|h| h.id).collect();
    let projects: HashMap<Uuid, sinergi_domain::model::Project> =
        sinergi_services::projects::by_ids(&st.db, project_scope(actor(ctx)), &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    if ctx
        .look_ahead()
        .field("hits")
        .field("project")
        .field("city")
        .exists()
    {
        let mut city_ids: Vec<Uuid> = projects.values().map(|p| p.city_id).collect();
        city_ids.sort_unstable();
        city_ids.dedup();
        let cities = sinergi_services::places::cities_by_id(&st.db, &city_ids).await?;
        loaders::get(ctx)
            .cities
            .feed_many(cities.into_iter().map(|c| (c.id, c)))
            .await;
    }
    let hits: Vec<ProjectHit> = found
        .hits
        .into_iter()
        .filter_map(|h| {
            projects.get(&h.id).map(|p| ProjectHit {
                project: Project::from(p.clone()),
                relevance: h.relevance,
                highlighted_title: Some(h.highlighted_title),
                highlighted_summary: Some(h.highlighted_summary),
            })
        })
        .collect();
    let next = offset + limit;
    let has_next = (next as u64) < found.total_hits;
    Ok(ProjectSearchResult {
        hits,
        total_hits: i32::try_from(found.total_hits).unwrap_or(i32::MAX),
        facets: found
            .facets
            .into_iter()
            .map(|fc| Facet {
                field: fc.field.to_owned(),
                values: fc
                    .values
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        value,
                        count: i32::try_from(count).unwrap_or(i32::MAX),
                    })
                    .collect(),
            })
            .collect(),
        page_info: PageInfo {
            has_next_page: has_next,
            end_cursor: has_next.then(|| cursor::encode_offset(&st.cursor_key, &kind, next).into()),
        },
        processing_time_ms: i32::try_from(found.processing_time_ms).unwrap_or(i32::MAX),
    })
}

/// How long a client is told to wait before searching again while the engine is unreachable.
pub const SEARCH_RETRY_AFTER_SECONDS: u64 = 5;

/// Whether the search engine answered last time: an outage is logged once when it starts and
/// once when it ends, not on every request in between.
#[derive(Debug, Default)]
pub struct SearchHealth {
    down: std::sync::atomic::AtomicBool,
}

impl SearchHealth {
    /// Turns a search's outcome into the API's: unreachable is UNAVAILABLE with a retry time,
    /// any other failure INTERNAL.
    pub fn observe<T>(&self, outcome: sinergi_search::Result<T>) -> Result<T> {
        use std::sync::atomic::Ordering;
        match outcome {
            Ok(v) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!("search engine reachable again");
                }
                Ok(v)
            }
            Err(sinergi_search::Error::Unreachable(why)) => {
                if !self.down.swap(true, Ordering::Relaxed) {
                    tracing::error!(error = %why, "search engine unreachable: searches answer UNAVAILABLE until it is back");
                }
                Err(ApiError::Unavailable {
                    what: "the search engine",
                    retry_after_seconds: SEARCH_RETRY_AFTER_SECONDS,
                })
            }
            Err(e) => {
                tracing::error!(error = %e, "search failed");
                Err(ApiError::Internal)
            }
        }
    }

    /// Whether the last search found the engine unreachable.
    pub fn is_down(&self) -> bool {
        self.down.load(std::sync::atomic::Ordering::Relaxed)
    }
}

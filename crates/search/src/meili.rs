//! The Meilisearch backend. Settings are applied by the code (at start-up and by `reindex`),
//! never by hand; every write waits until Meilisearch has processed its task.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use meilisearch_sdk::{
    client::{Client, SwapIndexes},
    settings::{FacetingSettings, PaginationSetting, Settings},
    task_info::TaskInfo,
    tasks::Task,
};
use serde::{Deserialize, Serialize};
use sinergi_domain::ProjectStatus;
use uuid::Uuid;

use crate::{
    Error, FACETS, FacetCounts, Hit, ProjectDoc, Result, SearchIndex, SearchRequest, SearchResult,
    Sort,
    text::{highlight, query_words},
};

/// A project as Meilisearch stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Doc {
    id: String,
    city_id: String,
    title: String,
    summary: String,
    description: String,
    tags: Vec<String>,
    city: String,
    province: String,
    owner_agency: String,
    status: String,
    dimension: Vec<String>,
    sector: String,
    financing: Vec<String>,
    capex_usd: f64,
    deadline: i64,
    created_at: i64,
}

impl From<&ProjectDoc> for Doc {
    fn from(d: &ProjectDoc) -> Self {
        Doc {
            id: d.id.to_string(),
            city_id: d.city_id.to_string(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            description: d.description.clone(),
            tags: d.tags.clone(),
            city: d.city.clone(),
            province: d.province.clone(),
            owner_agency: d.owner_agency.clone(),
            status: d.status.as_str().into(),
            dimension: d.dimensions.iter().map(|x| x.as_str().to_owned()).collect(),
            sector: d.sector.as_str().into(),
            financing: d.financing.iter().map(|x| x.as_str().to_owned()).collect(),
            capex_usd: d.capex_usd,
            deadline: d.deadline,
            created_at: d.created_at,
        }
    }
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::Engine(e.to_string())
}

/// The longest a search waits for Meilisearch before it is treated as unreachable.
const SEARCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A search's failure: no connection, no answer, or a 5xx from a proxy in front is the engine
/// being unreachable (retryable); anything else is the engine's own error.
fn search_err(e: meilisearch_sdk::errors::Error) -> Error {
    use meilisearch_sdk::errors::Error as E;
    match &e {
        E::HttpError(_) => Error::Unreachable(e.to_string()),
        E::MeilisearchCommunication(c) if c.status_code >= 500 => Error::Unreachable(e.to_string()),
        _ => Error::Engine(e.to_string()),
    }
}

/// The settings Sinergi's project index runs with.
pub fn settings() -> Settings {
    Settings::new()
        .with_searchable_attributes([
            "title",
            "tags",
            "summary",
            "city",
            "province",
            "owner_agency",
            "description",
        ])
        .with_filterable_attributes([
            "status",
            "city_id",
            "province",
            "dimension",
            "sector",
            "financing",
            "capex_usd",
            "deadline",
        ])
        .with_sortable_attributes(["created_at", "deadline", "capex_usd"])
        .with_ranking_rules([
            "words",
            "typo",
            "proximity",
            "attribute",
            "sort",
            "exactness",
        ])
        .with_faceting(FacetingSettings {
            max_values_per_facet: 1000,
            sort_facet_values_by: None,
        })
        .with_pagination(PaginationSetting {
            max_total_hits: 1_000_000,
        })
}

/// A Meilisearch index of projects.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    uid: String,
}

impl std::fmt::Debug for MeiliIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliIndex")
            .field("uid", &self.uid)
            .finish_non_exhaustive()
    }
}

async fn wait(client: &Client, task: TaskInfo) -> Result<()> {
    match task
        .wait_for_completion(
            client,
            Some(Duration::from_millis(25)),
            Some(Duration::from_secs(120)),
        )
        .await
        .map_err(err)?
    {
        Task::Succeeded { .. } => Ok(()),
        Task::Failed { content } => Err(Error::Engine(format!(
            "meilisearch task failed: {:?}",
            content.error
        ))),
        _ => Err(Error::Engine("meilisearch task did not finish".into())),
    }
}

impl MeiliIndex {
    /// Connects to a server and applies the index settings (idempotent).
    pub async fn connect(url: &str, key: Option<&str>, uid: &str) -> Result<Self> {
        let client = Client::new(url, key).map_err(err)?;
        let me = Self {
            client,
            uid: uid.to_owned(),
        };
        me.apply_settings(uid).await?;
        Ok(me)
    }

    async fn apply_settings(&self, uid: &str) -> Result<()> {
        let index = self.client.index(uid);
        let task = index.set_settings(&settings()).await.map_err(err)?;
        wait(&self.client, task).await
    }

    /// Rebuilds the index without downtime: `fill` writes into a new index, which is then
    /// swapped with the one in use; the old one is deleted.
    pub async fn rebuild_aside(&self) -> Result<MeiliIndex> {
        let aside = format!(
            "{}_rebuild_{}",
            self.uid,
            chrono::Utc::now().timestamp_micros()
        );
        self.apply_settings(&aside).await?;
        Ok(MeiliIndex {
            client: self.client.clone(),
            uid: aside,
        })
    }

    /// Swaps an index built by [`Self::rebuild_aside`] into place and drops the old contents.
    pub async fn swap_in(&self, aside: &MeiliIndex) -> Result<()> {
        // The live index may not exist yet on a fresh server: settings create it.
        self.apply_settings(&self.uid).await?;
        let swap = SwapIndexes {
            indexes: (self.uid.clone(), aside.uid.clone()),
            rename: None,
        };
        let task = self.client.swap_indexes([&swap]).await.map_err(err)?;
        wait(&self.client, task).await?;
        let task = self.client.index(&aside.uid).delete().await.map_err(err)?;
        wait(&self.client, task).await
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn any_of(field: &str, values: impl IntoIterator<Item = String>) -> String {
    let v: Vec<String> = values.into_iter().map(|s| quote(&s)).collect();
    format!("{field} IN [{}]", v.join(", "))
}

fn statuses(s: &[ProjectStatus]) -> String {
    any_of("status", s.iter().map(|x| x.as_str().to_owned()))
}

/// The filter expression of a request: the caller's visibility first, then the filters.
fn filter(req: &SearchRequest) -> Option<String> {
    let v = &req.visibility;
    let mut visible = Vec::new();
    if !v.everywhere.is_empty() {
        visible.push(format!("({})", statuses(&v.everywhere)));
    }
    if let Some((city, own)) = &v.own_city
        && !own.is_empty()
    {
        visible.push(format!(
            "(city_id = {} AND {})",
            quote(&city.to_string()),
            statuses(own)
        ));
    }
    if visible.is_empty() {
        return None;
    }
    let mut parts = vec![format!("({})", visible.join(" OR "))];
    let f = &req.filter;
    if !f.city_ids.is_empty() {
        parts.push(any_of("city_id", f.city_ids.iter().map(Uuid::to_string)));
    }
    if !f.provinces.is_empty() {
        parts.push(any_of("province", f.provinces.iter().cloned()));
    }
    if !f.dimensions.is_empty() {
        parts.push(any_of(
            "dimension",
            f.dimensions.iter().map(|x| x.as_str().to_owned()),
        ));
    }
    if !f.sectors.is_empty() {
        parts.push(any_of(
            "sector",
            f.sectors.iter().map(|x| x.as_str().to_owned()),
        ));
    }
    if !f.financing.is_empty() {
        parts.push(any_of(
            "financing",
            f.financing.iter().map(|x| x.as_str().to_owned()),
        ));
    }
    if let Some(x) = f.min_capex_usd {
        parts.push(format!("capex_usd >= {x}"));
    }
    if let Some(x) = f.max_capex_usd {
        parts.push(format!("capex_usd <= {x}"));
    }
    if let Some(t) = f.deadline_after {
        parts.push(format!("deadline > {}", t.timestamp()));
    }
    Some(parts.join(" AND "))
}

const FACET_ATTRS: [&str; 5] = ["dimension", "sector", "province", "financing", "status"];

#[async_trait]
impl SearchIndex for MeiliIndex {
    async fn upsert(&self, docs: Vec<ProjectDoc>) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let docs: Vec<Doc> = docs.iter().map(Doc::from).collect();
        let task = self
            .client
            .index(&self.uid)
            .add_or_replace(&docs, Some("id"))
            .await
            .map_err(err)?;
        wait(&self.client, task).await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let task = self
            .client
            .index(&self.uid)
            .delete_documents(&ids)
            .await
            .map_err(err)?;
        wait(&self.client, task).await
    }

    async fn search(&self, req: &SearchRequest) -> Result<SearchResult> {
        let started = Instant::now();
        let Some(filter) = filter(req) else {
            return Ok(SearchResult {
                hits: vec![],
                total_hits: 0,
                facets: FACETS
                    .iter()
                    .map(|f| FacetCounts {
                        field: f,
                        values: vec![],
                    })
                    .collect(),
                processing_time_ms: 0,
            });
        };
        let index = self.client.index(&self.uid);
        let sort: &[&str] = match req.sort {
            Sort::Relevance => &[],
            Sort::Newest => &["created_at:desc"],
            Sort::DeadlineSoonest => &["deadline:asc"],
            Sort::CapexAsc => &["capex_usd:asc"],
            Sort::CapexDesc => &["capex_usd:desc"],
        };
        let text = req.text.clone().unwrap_or_default();
        let limit = req.limit.max(1);
        let mut q = index.search();
        q.with_query(&text)
            .with_filter(&filter)
            .with_facets(meilisearch_sdk::search::Selectors::Some(&FACET_ATTRS))
            .with_show_ranking_score(true);
        // Page mode gives exhaustive totals; cursors advance by whole pages.
        if req.offset.is_multiple_of(limit) {
            q.with_page(req.offset / limit + 1)
                .with_hits_per_page(limit);
        } else {
            q.with_offset(req.offset).with_limit(limit);
        }
        if !sort.is_empty() {
            q.with_sort(sort);
        }
        let res = tokio::time::timeout(SEARCH_TIMEOUT, q.execute::<Doc>())
            .await
            .map_err(|_| {
                Error::Unreachable(format!("no answer within {} s", SEARCH_TIMEOUT.as_secs()))
            })?
            .map_err(search_err)?;
        let words = query_words(&text);
        let hits = res
            .hits
            .into_iter()
            .filter_map(|h| {
                let id = Uuid::parse_str(&h.result.id).ok()?;
                Some(Hit {
                    id,
                    relevance: if words.is_empty() {
                        None
                    } else {
                        h.ranking_score
                    },
                    highlighted_title: highlight(&h.result.title, &words),
                    highlighted_summary: highlight(&h.result.summary, &words),
                })
            })
            .collect();
        let dist: HashMap<String, HashMap<String, usize>> =
            res.facet_distribution.unwrap_or_default();
        let facets = FACETS
            .iter()
            .zip(FACET_ATTRS)
            .map(|(name, attr)| {
                let mut values: Vec<(String, u64)> = dist
                    .get(attr)
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), *v as u64)).collect())
                    .unwrap_or_default();
                values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                FacetCounts {
                    field: name,
                    values,
                }
            })
            .collect();
        let total = res.total_hits.or(res.estimated_total_hits).unwrap_or(0) as u64;
        let _ = started;
        Ok(SearchResult {
            hits,
            total_hits: total,
            facets,
            processing_time_ms: res.processing_time_ms as u64,
        })
    }

    async fn count(&self) -> Result<u64> {
        Ok(self
            .client
            .index(&self.uid)
            .get_stats()
            .await
            .map_err(err)?
            .number_of_documents as u64)
    }
}

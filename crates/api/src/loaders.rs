//! Per-request DataLoaders: a page of objects costs one query per kind of related object, and
//! each loader is built with the caller's scope, so it never loads what the caller may not see.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use futures::future::BoxFuture;
use sinergi_domain::{
    Actor,
    model::{City, Embassy, Masterplan, Organization, Project, Proposal, User},
    permissions::{ProjectScope, organization_scope, project_scope},
};
use sinergi_services::{Db, masterplans, organizations, places, projects, proposals, users};
use uuid::Uuid;

/// The request's loaders.
pub fn get<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Arc<Loaders>>()
}

type LoadFn<T> = Box<
    dyn Fn(Vec<Uuid>) -> BoxFuture<'static, sinergi_services::Result<Vec<(Uuid, T)>>> + Send + Sync,
>;

/// A loader from a batch function over ids.
pub struct FnLoader<T>(LoadFn<T>);

impl<T: Send + Sync + Clone + 'static> Loader<Uuid> for FnLoader<T> {
    type Value = T;
    type Error = Arc<sinergi_services::Error>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, T>, Self::Error> {
        Ok((self.0)(keys.to_vec())
            .await
            .map_err(Arc::new)?
            .into_iter()
            .collect())
    }
}

/// The batch loads of one request, run on the request's own task rather than spawned: a batch
/// starts once the request has no more work to do without it — every sibling field of a level
/// has asked for its key by then — instead of after a fixed wait. Batching so does not depend
/// on timing, a lone lookup does not wait a millisecond, and a request that is dropped (timed
/// out) drops its loads with it.
#[derive(Clone, Default)]
pub struct Batches(Arc<BatchQueue>);

#[derive(Default)]
struct BatchQueue {
    queued: std::sync::Mutex<Vec<BoxFuture<'static, ()>>>,
    /// Set when a load is queued, so that a poll with nothing new takes no lock.
    pending: std::sync::atomic::AtomicBool,
    waker: futures::task::AtomicWaker,
}

impl Batches {
    fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let q = self.0.clone();
        move |f| {
            q.queued.lock().unwrap_or_else(|p| p.into_inner()).push(f);
            q.pending.store(true, std::sync::atomic::Ordering::Release);
            q.waker.wake();
        }
    }

    /// Drives `fut` and the batch loads it queues, on this task, until `fut` is done.
    pub async fn run<F: std::future::Future>(&self, fut: F) -> F::Output {
        use futures::StreamExt;
        use std::task::Poll;
        let mut fut = std::pin::pin!(fut);
        let mut running = futures::stream::FuturesUnordered::new();
        std::future::poll_fn(|cx| {
            loop {
                if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                    return Poll::Ready(out);
                }
                self.0.waker.register(cx.waker());
                let mut queued = false;
                if self
                    .0
                    .pending
                    .swap(false, std::sync::atomic::Ordering::Acquire)
                {
                    let new = std::mem::take(
                        &mut *self.0.queued.lock().unwrap_or_else(|p| p.into_inner()),
                    );
                    queued = !new.is_empty();
                    running.extend(new);
                }
                let mut finished = false;
                while !running.is_empty()
                    && let Poll::Ready(Some(())) = running.poll_next_unpin(cx)
                {
                    finished = true;
                }
                if !queued && !finished {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

/// How long a loader waits for more keys once its batch is due: nothing, since [`Batches`]
/// starts a batch only when the request cannot go on without it.
const NO_DELAY: std::time::Duration = std::time::Duration::ZERO;

fn loader<T, F, Fut>(db: &Db, batches: &Batches, f: F) -> DataLoader<FnLoader<T>>
where
    T: Send + Sync + Clone + 'static,
    F: Fn(Db, Vec<Uuid>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = sinergi_services::Result<Vec<(Uuid, T)>>> + Send + 'static,
{
    let db = db.clone();
    DataLoader::new(
        FnLoader(Box::new(move |ids| Box::pin(f(db.clone(), ids)))),
        batches.spawner(),
    )
    .delay(NO_DELAY)
}

/// A loader that also keeps what it loaded, or was given, for the rest of the request.
fn cached<T, F, Fut>(db: &Db, batches: &Batches, f: F) -> DataLoader<FnLoader<T>, HashMapCache>
where
    T: Send + Sync + Clone + 'static,
    F: Fn(Db, Vec<Uuid>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = sinergi_services::Result<Vec<(Uuid, T)>>> + Send + 'static,
{
    let db = db.clone();
    DataLoader::with_cache(
        FnLoader(Box::new(move |ids| Box::pin(f(db.clone(), ids)))),
        batches.spawner(),
        HashMapCache::default(),
    )
    .delay(NO_DELAY)
}

/// Which page of a city's projects. The cities of one selection all ask with the same
/// arguments, so a level of the query costs one statement (and one for its counts).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CityProjectsKey {
    pub city: Uuid,
    pub status: Option<sinergi_domain::ProjectStatus>,
    pub after: Option<sinergi_services::page::Key>,
    pub first: u64,
    /// Whether `totalCount` is selected.
    pub count: bool,
    /// Whether the selection needs no more of each project than a listing.
    pub listing: bool,
}

/// A page of one city's projects.
pub type CityProjectsPage = sinergi_services::page::Page<crate::types::project::Project>;

/// Loads the pages of many cities' projects at once, within the caller's scope.
pub struct CityProjects {
    db: Db,
    scope: ProjectScope,
}

impl Loader<CityProjectsKey> for CityProjects {
    type Value = Arc<CityProjectsPage>;
    type Error = Arc<sinergi_services::Error>;

    async fn load(
        &self,
        keys: &[CityProjectsKey],
    ) -> Result<HashMap<CityProjectsKey, Self::Value>, Self::Error> {
        use crate::types::project::Project as Shown;
        type Args = (
            Option<sinergi_domain::ProjectStatus>,
            Option<sinergi_services::page::Key>,
            u64,
            bool,
            bool,
        );
        let mut groups: HashMap<Args, Vec<Uuid>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.status, k.after.clone(), k.first, k.count, k.listing))
                .or_default()
                .push(k.city);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((status, after, first, count, listing), cities) in groups {
            let (db, scope, after_key) = (&self.db, self.scope, after.as_ref());
            let mut pages: HashMap<Uuid, Vec<Shown>> = if listing {
                projects::listings_per_city(db, scope, &cities, status, after_key, first)
                    .await
                    .map_err(Arc::new)?
                    .into_iter()
                    .map(|(c, l)| (c, l.into_iter().map(|p| Shown::listing(p.into())).collect()))
                    .collect()
            } else {
                projects::first_per_city(db, scope, &cities, status, after_key, first)
                    .await
                    .map_err(Arc::new)?
                    .into_iter()
                    .map(|(c, l)| (c, l.into_iter().map(Shown::from).collect()))
                    .collect()
            };
            let mut totals = if count {
                projects::count_per_city(&self.db, self.scope, &cities, status)
                    .await
                    .map_err(Arc::new)?
            } else {
                HashMap::new()
            };
            for city in cities {
                let rows = pages.remove(&city).unwrap_or_default();
                let total = count.then(|| totals.remove(&city).unwrap_or(0));
                out.insert(
                    CityProjectsKey {
                        city,
                        status,
                        after: after.clone(),
                        first,
                        count,
                        listing,
                    },
                    Arc::new(CityProjectsPage::from_rows(rows, first, total)),
                );
            }
        }
        Ok(out)
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Cities, kept for the request (a search hands over its hits' cities).
    pub cities: DataLoader<FnLoader<City>, HashMapCache>,
    pub embassies: DataLoader<FnLoader<Embassy>>,
    /// Active masterplans by city id.
    pub masterplans: DataLoader<FnLoader<Masterplan>>,
    /// Projects the caller may see.
    pub projects: DataLoader<FnLoader<Arc<Project>>>,
    /// Projects whatever their status: only for proposals the caller may already see.
    pub projects_of_proposals: DataLoader<FnLoader<Arc<Project>>>,
    /// Organisations the caller may see.
    pub organizations: DataLoader<FnLoader<Organization>>,
    pub users: DataLoader<FnLoader<User>>,
    /// Submitted proposals per project.
    pub proposal_counts: DataLoader<FnLoader<i64>>,
    /// Stored match scores per proposal.
    pub scores: DataLoader<FnLoader<sinergi_services::match_scores::StoredScore>>,
    /// The caller's organisation's proposal per project.
    pub my_proposals: DataLoader<FnLoader<Proposal>>,
    /// Pages of cities' projects the caller may see, kept for the request: a list of cities
    /// that read them with the cities hands them over.
    pub city_projects: DataLoader<CityProjects, HashMapCache>,
}

/// Records to share between the loaders and the objects that show them.
fn shared<T>(items: Vec<T>) -> Vec<Arc<T>> {
    items.into_iter().map(Arc::new).collect()
}

fn keyed<T>(items: Vec<T>, id: impl Fn(&T) -> Uuid) -> Vec<(Uuid, T)> {
    items.into_iter().map(|t| (id(&t), t)).collect()
}

impl Loaders {
    /// Loaders for a caller, their batches run by `batches`.
    pub fn new(db: &Db, actor: Option<&Actor>, batches: &Batches) -> Self {
        let pscope = project_scope(actor);
        let oscope = organization_scope(actor);
        let org = actor.and_then(|a| a.organization_id);
        Self {
            cities: cached(db, batches, |db, ids| async move {
                Ok(keyed(places::cities_by_id(&db, &ids).await?, |c| c.id))
            }),
            embassies: loader(db, batches, |db, ids| async move {
                Ok(keyed(places::embassies_by_id(&db, &ids).await?, |e| e.id))
            }),
            masterplans: loader(db, batches, |db, ids| async move {
                Ok(keyed(masterplans::active(&db, &ids).await?, |m| m.city_id))
            }),
            projects: loader(db, batches, move |db, ids| async move {
                Ok(keyed(
                    shared(projects::by_ids(&db, pscope, &ids).await?),
                    |p| p.id,
                ))
            }),
            projects_of_proposals: loader(db, batches, |db, ids| async move {
                Ok(keyed(
                    shared(projects::by_ids(&db, ProjectScope::All, &ids).await?),
                    |p| p.id,
                ))
            }),
            organizations: loader(db, batches, move |db, ids| async move {
                Ok(keyed(
                    organizations::by_ids(&db, oscope, &ids).await?,
                    |o| o.id,
                ))
            }),
            users: loader(db, batches, |db, ids| async move {
                Ok(keyed(users::get_many(&db, &ids).await?, |u| u.id))
            }),
            proposal_counts: loader(db, batches, |db, ids| async move {
                projects::proposal_counts(&db, &ids).await
            }),
            scores: loader(db, batches, |db, ids| async move {
                Ok(keyed(
                    sinergi_services::match_scores::stored(&db, &ids).await?,
                    |s| s.proposal_id,
                ))
            }),
            city_projects: DataLoader::with_cache(
                CityProjects {
                    db: db.clone(),
                    scope: pscope,
                },
                batches.spawner(),
                HashMapCache::default(),
            )
            .delay(NO_DELAY),
            my_proposals: loader(db, batches, move |db, ids| async move {
                match org {
                    Some(o) => Ok(keyed(
                        proposals::of_organization_for(&db, o, &ids).await?,
                        |p| p.project_id,
                    )),
                    None => Ok(vec![]),
                }
            }),
        }
    }
}

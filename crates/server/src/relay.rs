//! The outbox relay: sends leased changes to the search index, waits until the engine accepted
//! them, then marks them done. While the engine is down, rows wait and retry with backoff;
//! nothing is lost. Several replicas may run it at once: rows are leased. Saved-search alerts
//! for the projects sent follow once the engine has them.

use std::sync::Arc;
use std::time::Duration;

use sinergi_domain::{FxTable, permissions::ProjectScope};
use sinergi_search::{EmbeddedIndex, ProjectDoc, SearchIndex};
use sinergi_services::{Db, outbox, places, projects};
use tokio::sync::watch;
use uuid::Uuid;

/// How many changes one pass sends.
pub const BATCH: u64 = 200;

/// The documents of projects, with their cities.
pub async fn documents(db: &Db, fx: &FxTable, ids: &[Uuid]) -> anyhow::Result<Vec<ProjectDoc>> {
    let ps = projects::by_ids(db, ProjectScope::All, ids).await?;
    let mut city_ids: Vec<Uuid> = ps.iter().map(|p| p.city_id).collect();
    city_ids.sort();
    city_ids.dedup();
    let cities = places::cities_by_id(db, &city_ids).await?;
    Ok(ps
        .iter()
        .filter_map(|p| {
            cities
                .iter()
                .find(|c| c.id == p.city_id)
                .map(|c| ProjectDoc::new(p, c, fx))
        })
        .collect())
}

/// One pass: lease, send, mark. Returns how many changes were sent.
pub async fn pass(
    db: &Db,
    fx: &FxTable,
    index: &dyn SearchIndex,
    alerts: &mut crate::alerts::Alerts,
    owner: &str,
) -> anyhow::Result<usize> {
    let leased = outbox::lease(db, owner, BATCH, chrono::Duration::seconds(30)).await?;
    if leased.is_empty() {
        return Ok(0);
    }
    let mut ids: Vec<Uuid> = leased.iter().map(|l| l.project_id).collect();
    ids.sort();
    ids.dedup();
    let sent = async {
        let docs = documents(db, fx, &ids).await?;
        let gone: Vec<Uuid> = ids
            .iter()
            .copied()
            .filter(|id| !docs.iter().any(|d| d.id == *id))
            .collect();
        let published: Vec<ProjectDoc> = docs
            .iter()
            .filter(|d| d.status == sinergi_domain::ProjectStatus::Published)
            .cloned()
            .collect();
        index.upsert(docs).await?;
        if !gone.is_empty() {
            index.delete(gone).await?;
        }
        // Alerts once the index holds the projects, so they agree with what a search finds;
        // before the rows are marked done, so a failure retries them (alerts are idempotent).
        alerts.after_indexing(db, &published).await?;
        anyhow::Ok(())
    }
    .await;
    match sent {
        Ok(()) => {
            outbox::complete(db, &leased.iter().map(|l| l.row).collect::<Vec<_>>()).await?;
            Ok(leased.len())
        }
        Err(e) => {
            tracing::warn!(error = %e, rows = leased.len(), "search index unavailable: changes will be retried");
            outbox::retry(db, &leased, &e.to_string()).await?;
            Ok(0)
        }
    }
}

/// Runs passes until `stop` turns true; follows index rebuilds made by `sinergi reindex`.
pub async fn run(
    db: Db,
    fx: FxTable,
    index: Arc<dyn SearchIndex>,
    embedded: Option<EmbeddedIndex>,
    mut stop: watch::Receiver<bool>,
) {
    let owner = format!("relay-{}", Uuid::new_v4());
    let mut alerts = crate::alerts::Alerts::default();
    loop {
        if let Some(e) = &embedded {
            match e.follow_current() {
                Ok(true) => tracing::info!("search index switched to a rebuilt generation"),
                Ok(false) => {}
                Err(err) => tracing::warn!(error = %err, "cannot open the rebuilt search index"),
            }
        }
        let sent = match pass(&db, &fx, index.as_ref(), &mut alerts, &owner).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay pass failed");
                0
            }
        };
        if sent as u64 == BATCH {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

//! Rebuilding the search index from the database.

use sinergi_services::Db;

use crate::{Config, progress::Phase};

/// Where a rebuild writes: a new embedded generation, or a new Meilisearch index.
enum Aside {
    Embedded(sinergi_search::EmbeddedIndex, String),
    Meili(sinergi_search::MeiliIndex, sinergi_search::MeiliIndex),
}

/// Rebuilds the search index from the database aside, then switches to it; changes made
/// meanwhile are queued again. Used by `sinergi reindex` and by a server that finds an index
/// of an older layout.
pub async fn reindex(db: &Db, config: &Config) -> anyhow::Result<()> {
    use sinergi_search::SearchIndex;
    let started = db.now();
    let aside = match &config.meili_url {
        Some(url) => {
            let live = sinergi_search::MeiliIndex::connect(
                url,
                config.meili_key.as_deref(),
                &config.meili_index,
            )
            .await?;
            let new = live.rebuild_aside().await?;
            Aside::Meili(live, new)
        }
        None => {
            let (e, name) =
                sinergi_search::EmbeddedIndex::build_aside(&config.data_dir.join("search"))?;
            Aside::Embedded(e, name)
        }
    };
    let total = sinergi_services::outbox::project_count(db).await?;
    let phase = Phase::start("indexing", total);
    let mut done = 0u64;
    let mut after: Option<String> = None;
    loop {
        let ids = sinergi_services::outbox::project_ids_page(db, after.as_deref(), 1000).await?;
        let Some(last) = ids.last() else { break };
        after = Some(last.to_string());
        let docs = crate::relay::documents(db, &config.fx, &ids).await?;
        match &aside {
            Aside::Embedded(e, _) => e.add_bulk(&docs)?,
            Aside::Meili(_, new) => new.upsert(docs).await?,
        }
        done += ids.len() as u64;
        phase.advance(ids.len() as u64);
    }
    phase.finish();
    let name = match &aside {
        Aside::Embedded(e, name) => {
            e.commit()?;
            e.publish(name)?;
            name.clone()
        }
        Aside::Meili(live, new) => {
            live.swap_in(new).await?;
            config.meili_index.clone()
        }
    };
    let requeued = sinergi_services::outbox::requeue_since(db, started).await?;
    println!(
        "reindexed {done} projects into {name}; {requeued} changes made meanwhile will follow"
    );
    Ok(())
}

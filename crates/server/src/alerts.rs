//! Saved-search alerts, run by the outbox relay once the index has accepted a batch: each
//! published project of the batch is matched against the saved searches with alerts (held in
//! memory, inverted, by the search crate's matcher), and the owners of those it matches are
//! told, once per project (the database keeps which saved search alerted for which project).
//!
//! The matcher follows the database: saved searches created since its last look (with a
//! lookback for transactions that committed late) are added on each pass; when the number it
//! holds differs from the database's (a deletion, or a late commit), it is loaded again whole.
//! A deleted saved search it still holds is harmless: alerts go only to saved searches that
//! still exist when they are written.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::prelude::ToPrimitive;
use sinergi_domain::ProjectStatus;
use sinergi_search::{
    Filter, ProjectDoc,
    alerts::{AlertIndex, SavedQuery},
};
use sinergi_services::{
    Db,
    saved_searches::{self, Matched, SavedSearch},
};

/// How far back each look for new saved searches reaches before the previous one.
const LOOKBACK: Duration = Duration::seconds(5);

/// The matcher's form of a saved search.
pub fn query(s: &SavedSearch) -> SavedQuery {
    let f = &s.filter;
    SavedQuery {
        id: s.id,
        text: s.search.clone(),
        filter: Filter {
            city_ids: f.city_ids.clone(),
            provinces: f.provinces.clone(),
            dimensions: f.dimensions.clone(),
            sectors: f.sectors.clone(),
            financing: f.financing.clone(),
            min_capex_usd: f.min_capex_usd.and_then(|d| d.to_f64()),
            max_capex_usd: f.max_capex_usd.and_then(|d| d.to_f64()),
            deadline_after: None,
        },
    }
}

/// The saved searches with alerts, as of the last look.
#[derive(Default)]
pub struct Alerts {
    index: AlertIndex,
    looked_at: Option<DateTime<Utc>>,
}

impl Alerts {
    /// Brings the matcher up to date with the database.
    async fn follow(&mut self, db: &Db) -> anyhow::Result<()> {
        let now = db.now();
        let since = self.looked_at.map(|t| t - LOOKBACK);
        for s in saved_searches::alerting(db, since).await? {
            if !self.index.contains(s.id) {
                self.index.insert(query(&s));
            }
        }
        self.looked_at = Some(now);
        if saved_searches::alerting_count(db).await? != self.index.len() as u64 {
            let mut fresh = AlertIndex::new();
            for s in saved_searches::alerting(db, None).await? {
                fresh.insert(query(&s));
            }
            self.index = fresh;
        }
        Ok(())
    }

    /// Alerts for the published projects among `docs`; how many alerts were written.
    pub async fn after_indexing(&mut self, db: &Db, docs: &[ProjectDoc]) -> anyhow::Result<usize> {
        let published: Vec<&ProjectDoc> = docs
            .iter()
            .filter(|d| d.status == ProjectStatus::Published)
            .collect();
        if published.is_empty() {
            return Ok(0);
        }
        self.follow(db).await?;
        if self.index.is_empty() {
            return Ok(0);
        }
        let mut told = 0;
        for d in published {
            let found = self.index.matching(d);
            told += saved_searches::alert(
                db,
                &Matched {
                    project_id: d.id,
                    title: d.title.clone(),
                    city: d.city.clone(),
                },
                &found,
            )
            .await?;
        }
        Ok(told)
    }
}

//! Recommendations as the API serves them: an in-memory snapshot of open projects and verified
//! organisations with their precomputed features, rebuilt when the data's fingerprint changes,
//! so a request scores dense arrays instead of loading 250,000 rows.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::prelude::ToPrimitive;
use sinergi_db::{Db, masterplans, organizations, projects};
use sinergi_domain::{
    FxTable,
    model::{Organization, Project},
};
use sinergi_matching::recommend::{self, OrgFeatures, ProjectIndex};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::error::Result;

/// What recommendations score.
pub struct Snapshot {
    pub projects: Vec<Project>,
    /// The projects' features, in the order of `projects`, arranged for recommendation.
    pub project_index: ProjectIndex,
    /// Where each project is in `projects`.
    pub project_at: HashMap<Uuid, usize>,
    pub orgs: Vec<Organization>,
    pub org_features: Vec<OrgFeatures>,
    /// The organisations each embassy vouches for, as positions in `orgs`.
    pub orgs_of_embassy: HashMap<Uuid, Vec<usize>>,
}

/// The snapshot and the fingerprint it was built from.
#[derive(Default)]
pub struct Cache {
    inner: Mutex<Option<(String, Arc<Snapshot>)>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("recommend::Cache")
    }
}

fn usd(fx: &FxTable, m: &sinergi_domain::Money) -> f64 {
    fx.to_usd(m).and_then(|d| d.to_f64()).unwrap_or(0.0)
}

impl Cache {
    /// The current snapshot, rebuilt first if projects or organisations changed.
    pub async fn get(&self, db: &Db, fx: &FxTable) -> Result<Arc<Snapshot>> {
        let fp = projects::fingerprint(db).await?;
        let mut guard = self.inner.lock().await;
        if let Some((f, snap)) = guard.as_ref()
            && *f == fp
        {
            return Ok(snap.clone());
        }
        let open = projects::open(db, db.now()).await?;
        let mut city_ids: Vec<_> = open.iter().map(|p| p.city_id).collect();
        city_ids.sort();
        city_ids.dedup();
        let plans: HashMap<_, _> = masterplans::active_for(db.conn(), &city_ids)
            .await?
            .into_iter()
            .map(|m| (m.city_id, m))
            .collect();
        // Cities numbered in order of appearance: what the variety rule compares.
        let mut city_number: HashMap<Uuid, u32> = HashMap::new();
        let project_features = open
            .iter()
            .map(|p| {
                let next = city_number.len() as u32;
                let city = *city_number.entry(p.city_id).or_insert(next);
                recommend::project_features(
                    p,
                    plans.get(&p.city_id),
                    usd(fx, &p.content.capex),
                    city,
                )
            })
            .collect();
        let project_index = ProjectIndex::new(project_features);
        let orgs = organizations::verified(db).await?;
        let org_features = orgs
            .iter()
            .map(|o| {
                let min = o.profile.ticket_min.as_ref().map(|m| usd(fx, m));
                let max = o.profile.ticket_max.as_ref().map(|m| usd(fx, m));
                recommend::org_features(o, min, max)
            })
            .collect();
        let project_at = open.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let mut orgs_of_embassy: HashMap<Uuid, Vec<usize>> = HashMap::new();
        for (i, o) in orgs.iter().enumerate() {
            orgs_of_embassy.entry(o.embassy_id).or_default().push(i);
        }
        let snap = Arc::new(Snapshot {
            projects: open,
            project_index,
            project_at,
            orgs,
            org_features,
            orgs_of_embassy,
        });
        *guard = Some((fp, snap.clone()));
        Ok(snap)
    }
}

//! Recommendations as the API serves them: an in-memory snapshot of open projects and verified
//! organisations with their precomputed features, rebuilt when the data's fingerprint changes,
//! so a request scores dense arrays instead of loading 250,000 rows.

use std::collections::HashMap;
use std::sync::Arc;

use sinergi_domain::{
    FxTable,
    model::{Organization, Project},
};
use sinergi_matching::recommend::{self, OrgFeatures, ProjectIndex};
use sinergi_services::{Db, masterplans, organizations, projects};
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

/// An organisation's features, its ticket range converted to USD by the one conversion.
pub fn org_features(o: &Organization, fx: &FxTable) -> Result<OrgFeatures, sinergi_domain::Error> {
    let min = o
        .profile
        .ticket_min
        .as_ref()
        .map(|m| fx.usd(m, "ticketMin"))
        .transpose()?;
    let max = o
        .profile
        .ticket_max
        .as_ref()
        .map(|m| fx.usd(m, "ticketMax"))
        .transpose()?;
    Ok(recommend::org_features(o, min, max))
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
        // What the FX table cannot convert cannot be scored honestly: left out, and said.
        let mut all = projects::open(db, db.now()).await?;
        // In id order: equal scores then rank the same way whichever order the database
        // returned the rows in, snapshot after snapshot.
        all.sort_unstable_by_key(|p| p.id);
        let found = all.len();
        let (open, capex): (Vec<Project>, Vec<f64>) = all
            .into_iter()
            .filter_map(|p| {
                let usd = fx.usd(&p.content.capex, "capex").ok()?;
                Some((p, usd))
            })
            .unzip();
        if open.len() < found {
            tracing::warn!(
                projects = found - open.len(),
                "projects left out of recommendations: no FX rate for their capex"
            );
        }
        let mut city_ids: Vec<_> = open.iter().map(|p| p.city_id).collect();
        city_ids.sort();
        city_ids.dedup();
        let plans: HashMap<_, _> = masterplans::active(db, &city_ids)
            .await?
            .into_iter()
            .map(|m| (m.city_id, m))
            .collect();
        // Cities numbered in order of appearance: what the variety rule compares.
        let mut city_number: HashMap<Uuid, u32> = HashMap::new();
        let project_features = open
            .iter()
            .zip(capex)
            .map(|(p, usd)| {
                let next = city_number.len() as u32;
                let city = *city_number.entry(p.city_id).or_insert(next);
                recommend::project_features(p, plans.get(&p.city_id), usd, city)
            })
            .collect();
        let project_index = ProjectIndex::new(project_features);
        let mut all = organizations::verified(db).await?;
        all.sort_unstable_by_key(|o| o.id);
        let found = all.len();
        let (orgs, org_features): (Vec<Organization>, Vec<OrgFeatures>) = all
            .into_iter()
            .filter_map(|o| {
                let f = org_features(&o, fx).ok()?;
                Some((o, f))
            })
            .unzip();
        if orgs.len() < found {
            tracing::warn!(
                organizations = found - orgs.len(),
                "organisations left out of recommendations: no FX rate for their ticket range"
            );
        }
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

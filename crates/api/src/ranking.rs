//! Match scores as the API serves them, and proposals ranked by them.

use async_graphql::Context;
use sinergi_domain::model::Proposal;
use sinergi_services::{Db, match_scores::StoredScore};
use uuid::Uuid;

use crate::{
    error::Result,
    loaders,
    state::state,
    types::proposal::{MatchScore, ScoreComponent},
};

impl From<StoredScore> for MatchScore {
    fn from(s: StoredScore) -> Self {
        MatchScore {
            total: s.total,
            components: s
                .components
                .into_iter()
                .map(|c| ScoreComponent {
                    name: c.name,
                    weight: c.weight,
                    value: c.value,
                    explanation: c.explanation,
                })
                .collect(),
            masterplan_version: s.masterplan_version,
            computed_at: s.computed_at,
        }
    }
}

/// A proposal's stored score. Scores follow a new masterplan in the transaction that makes it,
/// so a stored score behind the active version means something went wrong: then the score is
/// computed afresh rather than served as current.
pub async fn for_proposal(ctx: &Context<'_>, p: &Proposal) -> Result<Option<MatchScore>> {
    let l = loaders::get(ctx);
    let stored = l.scores.load_one(p.id).await?;
    let project = l.projects_of_proposals.load_one(p.project_id).await?;
    let current = match &project {
        Some(pr) => l.masterplans.load_one(pr.city_id).await?.map(|m| m.version),
        None => None,
    };
    match stored {
        Some(s) if Some(s.masterplan_version) == current => Ok(Some(s.into())),
        _ => {
            let st = state(ctx);
            Ok(
                sinergi_services::match_scores::fresh(&st.db, st.scoring(), p)
                    .await?
                    .map(Into::into),
            )
        }
    }
}

/// A project's submitted proposals, best first: by stored score, then earliest submission.
pub async fn ranked(db: &Db, project_id: Uuid) -> Result<Vec<Proposal>> {
    let mut ps = sinergi_services::proposals::submitted_for_project(db, project_id).await?;
    let ids: Vec<Uuid> = ps.iter().map(|p| p.id).collect();
    let scores: std::collections::HashMap<Uuid, f64> =
        sinergi_services::match_scores::stored(db, &ids)
            .await?
            .into_iter()
            .map(|s| (s.proposal_id, s.total))
            .collect();
    let key = |p: &Proposal| scores.get(&p.id).copied().unwrap_or(f64::NEG_INFINITY);
    ps.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(ps)
}

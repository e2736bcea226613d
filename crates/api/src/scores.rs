//! Match scores as the API serves them, and proposals ranked by them.

use async_graphql::Context;
use sinergi_db::Db;
use sinergi_domain::model::Proposal;
use uuid::Uuid;

use crate::{error::Result, types::proposal::MatchScore};

/// The stored score of a proposal. Scores arrive with the matching issue; until then there is
/// none, and null is the honest answer.
pub async fn for_proposal(_ctx: &Context<'_>, _p: &Proposal) -> Result<Option<MatchScore>> {
    Ok(None)
}

/// A project's submitted proposals, best first: by stored score, then earliest submission.
pub async fn ranked(db: &Db, project_id: Uuid) -> Result<Vec<Proposal>> {
    let mut ps = sinergi_db::proposals::submitted_for_project(db, project_id).await?;
    ps.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)));
    Ok(ps)
}

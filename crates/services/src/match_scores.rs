//! Match scores: computed with the matching crate when a proposal is submitted or revised, when
//! its city's masterplan gets a new version, when its organisation's standing changes and when
//! the FX rates change; stored with the masterplan version they used.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, prelude::ToPrimitive};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use sinergi_domain::{
    FxTable, ProposalStatus, VerificationStatus,
    model::{Masterplan, Project, Proposal},
};
use sinergi_matching::{ProjectTerms, ProposalTerms, Weights};
use uuid::Uuid;

use crate::{
    Db, Error, Result, codec,
    entities::{
        fx_rates, investor_organizations as org, match_scores as ms, projects, proposals as pr,
    },
};

/// What scoring needs beside the data: the FX table and the component weights.
#[derive(Debug, Clone, Copy)]
pub struct Scoring<'a> {
    pub fx: &'a FxTable,
    pub weights: &'a Weights,
}

/// One explained component, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredComponent {
    pub name: String,
    pub weight: f64,
    pub value: f64,
    pub explanation: String,
}

/// A stored score.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScore {
    pub proposal_id: Uuid,
    pub total: f64,
    pub components: Vec<StoredComponent>,
    pub masterplan_version: i32,
    pub computed_at: DateTime<Utc>,
}

/// Statuses whose proposals carry a score (DRAFT and WITHDRAWN do not).
const SCORED: [ProposalStatus; 4] = [
    ProposalStatus::Submitted,
    ProposalStatus::Shortlisted,
    ProposalStatus::Accepted,
    ProposalStatus::Rejected,
];

/// A stored amount in USD; one the FX table can no longer convert is an error, not zero.
fn usd(fx: &FxTable, m: &sinergi_domain::Money, what: &str) -> Result<f64> {
    fx.usd(m, what)
        .map_err(|e| Error::corrupt(format!("{what} cannot be converted to USD: {e}")))
}

/// Scores a proposal against its project and the masterplan (pure; nothing is stored).
pub fn compute(
    s: Scoring<'_>,
    plan: &Masterplan,
    project: &Project,
    p: &Proposal,
    verification: VerificationStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<StoredScore> {
    let terms = ProjectTerms {
        dimensions: project.content.dimensions.clone(),
        capex_usd: usd(s.fx, &project.content.capex, "the project's capex")?,
        accepted_financing: project.content.accepted_financing.clone(),
        timeline_months: project.content.timeline_months,
    };
    let offer = ProposalTerms {
        amount_usd: usd(s.fx, &p.content.amount, "the proposal's amount")?,
        financing_model: p.content.financing_model,
        timeline_months: p.content.timeline_months,
        approach: p.content.approach.clone(),
        contributions: p.content.contributions.clone(),
        local_content_percent: p.content.local_content_percent.to_f64().unwrap_or(0.0),
        verification,
    };
    let score = sinergi_matching::score(s.weights, &plan.content, &terms, &offer);
    Ok(StoredScore {
        proposal_id: p.id,
        total: score.total,
        components: score
            .components
            .into_iter()
            .map(|c| StoredComponent {
                name: c.name.into(),
                weight: c.weight,
                value: c.value,
                explanation: c.explanation,
            })
            .collect(),
        masterplan_version: plan.version,
        computed_at: now,
    })
}

/// Recomputes and stores the scores of these proposals, inside the caller's transaction.
///
/// In batches of 500: a batch reads its proposals, their projects, their organisations and
/// their cities' active masterplans in one query each, then replaces the batch's scores with
/// one delete and one multi-row insert — a handful of statements per batch rather than six per
/// proposal (a masterplan change rescores a whole city; an FX change, everything).
pub async fn rescore<C: ConnectionTrait>(
    conn: &C,
    s: Scoring<'_>,
    proposal_ids: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    use std::collections::{HashMap, HashSet};
    let mut plans: HashMap<Uuid, Masterplan> = HashMap::new();
    let mut done = 0;
    for chunk in proposal_ids.chunks(500) {
        let rows = pr::Entity::find()
            .filter(pr::Column::Id.is_in(chunk.to_vec()))
            .filter(pr::Column::Status.is_in(SCORED.map(|s| s.as_str())))
            .all(conn)
            .await?;
        let distinct = |ids: Vec<String>| -> Vec<String> {
            ids.into_iter()
                .collect::<HashSet<_>>()
                .into_iter()
                .collect()
        };
        let project_ids = distinct(rows.iter().map(|r| r.project_id.clone()).collect());
        let mut projects: HashMap<String, Project> = HashMap::new();
        for p in projects::Entity::find()
            .filter(projects::Column::Id.is_in(project_ids))
            .all(conn)
            .await?
        {
            projects.insert(p.id.clone(), Project::try_from(p)?);
        }
        let org_ids = distinct(rows.iter().map(|r| r.organization_id.clone()).collect());
        let mut standing: HashMap<String, VerificationStatus> = HashMap::new();
        for o in org::Entity::find()
            .filter(org::Column::Id.is_in(org_ids))
            .all(conn)
            .await?
        {
            let v = codec::one(&o.verification, VerificationStatus::parse, "verification")?;
            standing.insert(o.id, v);
        }
        let mut cities: Vec<Uuid> = projects
            .values()
            .map(|p| p.city_id)
            .filter(|c| !plans.contains_key(c))
            .collect();
        cities.sort_unstable();
        cities.dedup();
        for plan in crate::masterplans::active_for(conn, &cities).await? {
            plans.insert(plan.city_id, plan);
        }
        let mut scores = Vec::with_capacity(rows.len());
        for row in rows {
            let project = projects
                .get(&row.project_id)
                .ok_or(Error::corrupt("proposal's project"))?;
            let Some(plan) = plans.get(&project.city_id) else {
                continue;
            };
            let verification = *standing
                .get(&row.organization_id)
                .ok_or(Error::corrupt("proposal's organisation"))?;
            scores.push(compute(
                s,
                plan,
                project,
                &Proposal::try_from(row)?,
                verification,
                now,
            )?);
        }
        store(conn, &scores).await?;
        done += scores.len();
    }
    Ok(done)
}

/// The components as stored: built as a JSON value, whose text cannot fail to be written.
fn components_text(components: &[StoredComponent]) -> String {
    serde_json::Value::from(
        components
            .iter()
            .map(|c| {
                serde_json::json!({
                    "name": c.name,
                    "weight": c.weight,
                    "value": c.value,
                    "explanation": c.explanation,
                })
            })
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// A stored score as a row.
pub(crate) fn score_row(s: &StoredScore) -> ms::ActiveModel {
    ms::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        proposal_id: Set(s.proposal_id.to_string()),
        total: Set(s.total),
        components: Set(components_text(&s.components)),
        masterplan_version: Set(s.masterplan_version),
        computed_at: Set(s.computed_at),
    }
}

/// Replaces the stored scores of these proposals.
async fn store<C: ConnectionTrait>(conn: &C, scores: &[StoredScore]) -> Result<()> {
    if scores.is_empty() {
        return Ok(());
    }
    ms::Entity::delete_many()
        .filter(ms::Column::ProposalId.is_in(scores.iter().map(|s| s.proposal_id.to_string())))
        .exec(conn)
        .await?;
    ms::Entity::insert_many(scores.iter().map(score_row))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The scored proposals of a city's projects.
pub(crate) async fn ids_for_city<C: ConnectionTrait>(
    conn: &C,
    city_id: &str,
) -> Result<Vec<String>> {
    let project_ids: Vec<String> = projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .filter(projects::Column::CityId.eq(city_id))
        .into_tuple()
        .all(conn)
        .await?;
    ids_where(conn, pr::Column::ProjectId.is_in(project_ids)).await
}

/// The scored proposals of an organisation.
pub(crate) async fn ids_for_organization<C: ConnectionTrait>(
    conn: &C,
    org_id: &str,
) -> Result<Vec<String>> {
    ids_where(conn, pr::Column::OrganizationId.eq(org_id)).await
}

async fn ids_where<C: ConnectionTrait>(
    conn: &C,
    cond: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<String>> {
    Ok(pr::Entity::find()
        .select_only()
        .column(pr::Column::Id)
        .filter(cond)
        .filter(pr::Column::Status.is_in(SCORED.map(|s| s.as_str())))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Stored scores of these proposals.
pub async fn stored(db: &Db, proposal_ids: &[Uuid]) -> Result<Vec<StoredScore>> {
    let ids: Vec<String> = proposal_ids.iter().map(Uuid::to_string).collect();
    let rows = ms::Entity::find()
        .filter(ms::Column::ProposalId.is_in(ids))
        .all(db.conn())
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredScore {
                proposal_id: codec::id(&r.proposal_id)?,
                total: r.total,
                components: serde_json::from_str(&r.components)
                    .map_err(|_| Error::corrupt("components"))?,
                masterplan_version: r.masterplan_version,
                computed_at: r.computed_at,
            })
        })
        .collect()
}

/// A proposal's score computed now, for when the stored one is behind the masterplan.
pub async fn fresh(db: &Db, s: Scoring<'_>, p: &Proposal) -> Result<Option<StoredScore>> {
    let Some(project) = projects::Entity::find_by_id(p.project_id.to_string())
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    let project = Project::try_from(project)?;
    let Some(plan) = crate::masterplans::active_for(db.conn(), &[project.city_id])
        .await?
        .pop()
    else {
        return Ok(None);
    };
    let o = org::Entity::find_by_id(p.organization_id.to_string())
        .one(db.conn())
        .await?
        .ok_or(Error::corrupt("organisation"))?;
    let verification = codec::one(&o.verification, VerificationStatus::parse, "verification")?;
    Ok(Some(compute(
        s,
        &plan,
        &project,
        p,
        verification,
        db.now(),
    )?))
}

/// Records the FX table the stored scores were computed with, without rescoring (bulk loads
/// compute their scores with it).
pub async fn record_fx(db: &Db, fx: &FxTable) -> Result<()> {
    let txn = db.begin_write().await?;
    fx_rates::Entity::delete_many().exec(&txn).await?;
    let now = db.now();
    for (c, r) in fx.currencies() {
        let row = fx_rates::ActiveModel {
            currency: Set(c.to_string()),
            usd_per_unit: Set(r.normalize().to_string()),
            updated_at: Set(now),
        };
        fx_rates::Entity::insert(row)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Brings the stored FX table in line with the configured one; when a rate changed, every
/// score is recomputed in the same transaction. Returns how many scores were recomputed.
pub async fn sync_fx(db: &Db, s: Scoring<'_>) -> Result<usize> {
    let txn = db.begin_write().await?;
    let stored: Vec<(String, String)> = fx_rates::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.currency, r.usd_per_unit))
        .collect();
    let configured: Vec<(String, String)> =
        s.fx.currencies()
            .map(|(c, r)| (c.to_string(), r.normalize().to_string()))
            .collect();
    let same = stored.len() == configured.len()
        && configured.iter().all(|(c, r)| {
            stored
                .iter()
                .any(|(sc, sr)| sc == c && Decimal::from_str(sr).ok() == Decimal::from_str(r).ok())
        });
    if same {
        return Ok(0);
    }
    fx_rates::Entity::delete_many().exec(&txn).await?;
    let now = db.now();
    for (currency, rate) in &configured {
        let row = fx_rates::ActiveModel {
            currency: Set(currency.clone()),
            usd_per_unit: Set(rate.clone()),
            updated_at: Set(now),
        };
        fx_rates::Entity::insert(row)
            .exec_without_returning(&txn)
            .await?;
    }
    let ids = ids_where(&txn, pr::Column::Id.is_not_null()).await?;
    let n = rescore(&txn, s, &ids, db.now()).await?;
    txn.commit().await?;
    Ok(n)
}

//! Bulk loading for generated data sets: many rows per statement, many statements per
//! transaction. Rows go in as they are; the generator is responsible for their validity.

use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use sinergi_domain::model::{City, Embassy, Masterplan, Organization, Project, Proposal};
use uuid::Uuid;

use crate::{
    Db, Result, audit, codec,
    convert::contributions_text,
    entities::{
        cities, embassies, investor_organizations as org, masterplans as mp, match_scores as ms,
        priorities, projects, proposals as pr,
    },
    match_scores::{self, StoredScore},
};

const ROWS: usize = 400;

macro_rules! insert_chunks {
    ($txn:expr, $entity:ty, $rows:expr) => {
        for chunk in $rows.chunks(ROWS) {
            <$entity>::insert_many(chunk.to_vec())
                .exec_without_returning($txn)
                .await?;
        }
    };
}

/// Cities, embassies and active masterplans.
pub async fn places(db: &Db, cs: &[City], es: &[Embassy], plans: &[Masterplan]) -> Result<()> {
    let txn = db.begin_write().await?;
    let now = db.now();
    let rows: Vec<cities::ActiveModel> = cs
        .iter()
        .map(|c| cities::ActiveModel {
            id: Set(c.id.to_string()),
            name: Set(c.name.clone()),
            province: Set(c.province.clone()),
            country: Set(c.country.clone()),
            time_zone: Set(c.time_zone.clone()),
            lat: Set(c.location.map(|l| l.0)),
            lng: Set(c.location.map(|l| l.1)),
            population: Set(c.population),
            created_at: Set(c.created_at),
        })
        .collect();
    insert_chunks!(&txn, cities::Entity, rows);
    let rows: Vec<embassies::ActiveModel> = es
        .iter()
        .map(|e| embassies::ActiveModel {
            id: Set(e.id.to_string()),
            country: Set(e.country.clone()),
            name: Set(e.name.clone()),
            created_at: Set(now),
        })
        .collect();
    insert_chunks!(&txn, embassies::Entity, rows);
    let rows: Vec<mp::ActiveModel> = plans
        .iter()
        .map(|m| mp::ActiveModel {
            id: Set(m.id.to_string()),
            city_id: Set(m.city_id.to_string()),
            version: Set(m.version),
            active: Set(true),
            period_start_year: Set(m.content.period_start_year),
            period_end_year: Set(m.content.period_end_year),
            vision: Set(m.content.vision.clone()),
            created_by: Set(None),
            created_at: Set(m.updated_at),
        })
        .collect();
    insert_chunks!(&txn, mp::Entity, rows);
    let rows: Vec<priorities::ActiveModel> = plans
        .iter()
        .flat_map(|m| {
            m.content
                .priorities
                .iter()
                .map(move |p| priorities::ActiveModel {
                    id: Set(Uuid::new_v4().to_string()),
                    masterplan_id: Set(m.id.to_string()),
                    dimension: Set(p.dimension.as_str().into()),
                    weight: Set(p.weight),
                    focus_areas: Set(codec::strings(&p.focus_areas)),
                })
        })
        .collect();
    insert_chunks!(&txn, priorities::Entity, rows);
    txn.commit().await?;
    Ok(())
}

/// Investor organisations.
pub async fn organizations(db: &Db, os: &[Organization]) -> Result<()> {
    let txn = db.begin_write().await?;
    let rows: Vec<org::ActiveModel> = os
        .iter()
        .map(|o| {
            let p = &o.profile;
            org::ActiveModel {
                id: Set(o.id.to_string()),
                name: Set(p.name.clone()),
                country: Set(p.country.clone()),
                embassy_id: Set(o.embassy_id.to_string()),
                verification: Set(o.verification.as_str().into()),
                description: Set(p.description.clone()),
                website: Set(p.website.clone()),
                sectors: Set(codec::sectors(&p.sectors)),
                dimensions: Set(codec::dimensions(&p.dimensions)),
                financing_models: Set(codec::financing(&p.financing_models)),
                ticket_min_amount: Set(p.ticket_min.map(|m| m.plain_amount())),
                ticket_min_currency: Set(p.ticket_min.map(|m| m.currency().to_string())),
                ticket_max_amount: Set(p.ticket_max.map(|m| m.plain_amount())),
                ticket_max_currency: Set(p.ticket_max.map(|m| m.currency().to_string())),
                suspension_reason: Set(None),
                created_at: Set(o.created_at),
                updated_at: Set(o.created_at),
            }
        })
        .collect();
    insert_chunks!(&txn, org::Entity, rows);
    txn.commit().await?;
    Ok(())
}

/// Projects, with their capex in USD already converted.
pub async fn projects(db: &Db, ps: &[(Project, String)]) -> Result<()> {
    let txn = db.begin_write().await?;
    let rows: Vec<projects::ActiveModel> = ps
        .iter()
        .map(|(p, usd)| {
            let c = &p.content;
            projects::ActiveModel {
                id: Set(p.id.to_string()),
                city_id: Set(p.city_id.to_string()),
                title: Set(c.title.clone()),
                summary: Set(c.summary.clone()),
                description: Set(c.description.clone()),
                owner_agency: Set(c.owner_agency.clone()),
                dimensions: Set(codec::dimensions(&c.dimensions)),
                sector: Set(c.sector.as_str().into()),
                capex_amount: Set(c.capex.plain_amount()),
                capex_currency: Set(c.capex.currency().to_string()),
                capex_usd: Set(usd.clone()),
                accepted_financing: Set(codec::financing(&c.accepted_financing)),
                timeline_months: Set(c.timeline_months),
                proposal_deadline: Set(c.proposal_deadline),
                sealed_bids: Set(c.sealed_bids),
                status: Set(p.status.as_str().into()),
                lat: Set(c.location.map(|l| l.0)),
                lng: Set(c.location.map(|l| l.1)),
                tags: Set(codec::strings(&c.tags)),
                cancel_reason: Set(None),
                awarded_proposal_id: Set(None),
                published_at: Set(p.published_at),
                created_at: Set(p.created_at),
                updated_at: Set(p.updated_at),
            }
        })
        .collect();
    insert_chunks!(&txn, projects::Entity, rows);
    txn.commit().await?;
    Ok(())
}

/// Submitted proposals with their scores.
pub async fn proposals(db: &Db, ps: &[(Proposal, StoredScore)]) -> Result<()> {
    let txn = db.begin_write().await?;
    let rows: Vec<pr::ActiveModel> = ps
        .iter()
        .map(|(p, _)| {
            let c = &p.content;
            pr::ActiveModel {
                id: Set(p.id.to_string()),
                project_id: Set(p.project_id.to_string()),
                organization_id: Set(p.organization_id.to_string()),
                status: Set(p.status.as_str().into()),
                amount: Set(c.amount.plain_amount()),
                currency: Set(c.amount.currency().to_string()),
                financing_model: Set(c.financing_model.as_str().into()),
                timeline_months: Set(c.timeline_months),
                approach: Set(c.approach.clone()),
                contributions: Set(contributions_text(&c.contributions)),
                local_content_percent: Set(format!("{:.2}", c.local_content_percent)),
                commitment: Set(p.commitment.clone()),
                commitment_salt: Set(p.commitment_salt.clone()),
                revision: Set(1),
                decision_reason: Set(None),
                submitted_at: Set(p.submitted_at),
                created_at: Set(p.created_at),
                updated_at: Set(p.updated_at),
            }
        })
        .collect();
    insert_chunks!(&txn, pr::Entity, rows);
    let rows: Vec<ms::ActiveModel> = ps.iter().map(|(_, s)| match_scores::score_row(s)).collect();
    insert_chunks!(&txn, ms::Entity, rows);
    txn.commit().await?;
    Ok(())
}

/// Records the load in the audit chain.
pub async fn record(db: &Db, what: serde_json::Value) -> Result<()> {
    let txn = db.begin_write().await?;
    audit::append(
        &txn,
        audit::NewEvent {
            actor: None,
            action: "seed.scale",
            entity_type: "platform",
            entity_id: Uuid::nil(),
            payload: json!(what),
            at: db.now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

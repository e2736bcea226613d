//! Rows to domain records. A row that does not parse is corrupt, never silently defaulted.

use std::str::FromStr;

use rust_decimal::Decimal;
use sinergi_domain::{
    Dimension, FinancingModel, Money, ProjectStatus, ProposalStatus, Role, Sector,
    VerificationStatus,
    masterplan::{MasterplanContent, Priority},
    model,
    project::ProjectContent,
    proposal::ProposalContent,
};

use crate::{
    Error, Result,
    codec::{id, one, opt_id, parse_names, parse_strings},
    entities::*,
};

fn money(amount: &str, currency: &str) -> Result<Money> {
    Money::from_stored(amount, currency).map_err(|_| Error::corrupt("money"))
}

fn opt_money(amount: Option<&str>, currency: Option<&str>) -> Result<Option<Money>> {
    match (amount, currency) {
        (Some(a), Some(c)) => money(a, c).map(Some),
        _ => Ok(None),
    }
}

fn location(lat: Option<f64>, lng: Option<f64>) -> Option<(f64, f64)> {
    lat.zip(lng)
}

impl TryFrom<users::Model> for model::User {
    type Error = Error;
    fn try_from(r: users::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            email: r.email,
            name: r.name,
            role: one(&r.role, Role::parse, "role")?,
            city_id: opt_id(r.city_id.as_deref())?,
            embassy_id: opt_id(r.embassy_id.as_deref())?,
            organization_id: opt_id(r.organization_id.as_deref())?,
            created_at: r.created_at,
        })
    }
}

impl TryFrom<cities::Model> for model::City {
    type Error = Error;
    fn try_from(r: cities::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            name: r.name,
            province: r.province,
            country: r.country,
            time_zone: r.time_zone,
            location: location(r.lat, r.lng),
            population: r.population,
            created_at: r.created_at,
        })
    }
}

impl TryFrom<embassies::Model> for model::Embassy {
    type Error = Error;
    fn try_from(r: embassies::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            country: r.country,
            name: r.name,
        })
    }
}

/// A masterplan row with its priority rows.
pub fn masterplan(r: masterplans::Model, ps: Vec<priorities::Model>) -> Result<model::Masterplan> {
    let mut priorities = ps
        .into_iter()
        .map(|p| {
            Ok(Priority {
                dimension: one(&p.dimension, Dimension::parse, "dimension")?,
                weight: p.weight,
                focus_areas: parse_strings(&p.focus_areas)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    priorities.sort_by_key(|p| p.dimension);
    Ok(model::Masterplan {
        id: id(&r.id)?,
        city_id: id(&r.city_id)?,
        version: r.version,
        content: MasterplanContent {
            period_start_year: r.period_start_year,
            period_end_year: r.period_end_year,
            vision: r.vision,
            priorities,
        },
        updated_at: r.created_at,
    })
}

impl TryFrom<projects::Model> for model::Project {
    type Error = Error;
    fn try_from(r: projects::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            city_id: id(&r.city_id)?,
            content: ProjectContent {
                title: r.title,
                summary: r.summary,
                description: r.description,
                owner_agency: r.owner_agency,
                dimensions: parse_names(&r.dimensions, Dimension::parse, "dimension")?,
                sector: one(&r.sector, Sector::parse, "sector")?,
                capex: money(&r.capex_amount, &r.capex_currency)?,
                accepted_financing: parse_names(
                    &r.accepted_financing,
                    FinancingModel::parse,
                    "financing",
                )?,
                timeline_months: r.timeline_months,
                proposal_deadline: r.proposal_deadline,
                sealed_bids: r.sealed_bids,
                location: location(r.lat, r.lng),
                tags: parse_strings(&r.tags)?,
            },
            status: one(&r.status, ProjectStatus::parse, "project status")?,
            published_at: r.published_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl TryFrom<projects::Listing> for model::ProjectListing {
    type Error = Error;
    fn try_from(r: projects::Listing) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            city_id: id(&r.city_id)?,
            title: r.title,
            status: one(&r.status, ProjectStatus::parse, "project status")?,
            published_at: r.published_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl TryFrom<investor_organizations::Model> for model::Organization {
    type Error = Error;
    fn try_from(r: investor_organizations::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            embassy_id: id(&r.embassy_id)?,
            verification: one(&r.verification, VerificationStatus::parse, "verification")?,
            profile: model::OrganizationProfile {
                name: r.name,
                country: r.country,
                description: r.description,
                website: r.website,
                sectors: parse_names(&r.sectors, Sector::parse, "sector")?,
                dimensions: parse_names(&r.dimensions, Dimension::parse, "dimension")?,
                financing_models: parse_names(
                    &r.financing_models,
                    FinancingModel::parse,
                    "financing",
                )?,
                ticket_min: opt_money(
                    r.ticket_min_amount.as_deref(),
                    r.ticket_min_currency.as_deref(),
                )?,
                ticket_max: opt_money(
                    r.ticket_max_amount.as_deref(),
                    r.ticket_max_currency.as_deref(),
                )?,
            },
            created_at: r.created_at,
        })
    }
}

impl TryFrom<invitations::Model> for model::Invitation {
    type Error = Error;
    fn try_from(r: invitations::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            email: r.email,
            organization_id: id(&r.organization_id)?,
            expires_at: r.expires_at,
            accepted_at: r.accepted_at,
        })
    }
}

/// Contributions as stored: a JSON object of dimension name to strength.
pub fn contributions(text: &str) -> Result<Vec<(Dimension, f64)>> {
    let raw: Vec<(String, f64)> =
        serde_json::from_str(text).map_err(|_| Error::corrupt("contributions"))?;
    raw.into_iter()
        .map(|(d, s)| Ok((one(&d, Dimension::parse, "dimension")?, s)))
        .collect()
}

/// Contributions to store.
pub fn contributions_text(c: &[(Dimension, f64)]) -> String {
    serde_json::Value::from(
        c.iter()
            .map(|(d, s)| serde_json::json!([d.as_str(), *s]))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

impl TryFrom<proposals::Model> for model::Proposal {
    type Error = Error;
    fn try_from(r: proposals::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            project_id: id(&r.project_id)?,
            organization_id: id(&r.organization_id)?,
            status: one(&r.status, ProposalStatus::parse, "proposal status")?,
            content: ProposalContent {
                amount: money(&r.amount, &r.currency)?,
                financing_model: one(&r.financing_model, FinancingModel::parse, "financing")?,
                timeline_months: r.timeline_months,
                approach: r.approach,
                contributions: contributions(&r.contributions)?,
                local_content_percent: Decimal::from_str(&r.local_content_percent)
                    .map_err(|_| Error::corrupt("local content"))?,
            },
            commitment: r.commitment,
            commitment_salt: r.commitment_salt,
            submitted_at: r.submitted_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl TryFrom<audit_events::Model> for model::AuditEvent {
    type Error = Error;
    fn try_from(r: audit_events::Model) -> Result<Self> {
        Ok(Self {
            id: id(&r.id)?,
            sequence: r.sequence,
            at: r.at,
            actor_id: opt_id(r.actor_id.as_deref())?,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: id(&r.entity_id)?,
            hash: r.hash,
        })
    }
}

/// Converts a list of rows.
pub fn all<R, T: TryFrom<R, Error = Error>>(rows: Vec<R>) -> Result<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}

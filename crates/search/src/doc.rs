//! A project as the search index holds it: texts, filterable values, and nothing of proposals.

use rust_decimal_free::to_f64;
use sinergi_domain::{
    Dimension, FinancingModel, FxTable, ProjectStatus, Sector,
    model::{City, Project},
};
use uuid::Uuid;

/// The indexed form of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDoc {
    pub id: Uuid,
    pub city_id: Uuid,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub city: String,
    pub province: String,
    pub owner_agency: String,
    pub status: ProjectStatus,
    pub dimensions: Vec<Dimension>,
    pub sector: Sector,
    pub financing: Vec<FinancingModel>,
    pub capex_usd: f64,
    /// Seconds since the epoch.
    pub deadline: i64,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

impl ProjectDoc {
    /// The document of a project in its city.
    pub fn new(p: &Project, city: &City, fx: &FxTable) -> Self {
        Self {
            id: p.id,
            city_id: p.city_id,
            title: p.content.title.clone(),
            summary: p.content.summary.clone(),
            description: p.content.description.clone(),
            tags: p.content.tags.clone(),
            city: city.name.clone(),
            province: city.province.clone(),
            owner_agency: p.content.owner_agency.clone().unwrap_or_default(),
            status: p.status,
            dimensions: p.content.dimensions.clone(),
            sector: p.content.sector,
            financing: p.content.accepted_financing.clone(),
            capex_usd: fx.to_usd(&p.content.capex).map_or(0.0, to_f64),
            deadline: p.content.proposal_deadline.timestamp(),
            created_at: p.created_at.timestamp_micros(),
        }
    }
}

mod rust_decimal_free {
    /// A decimal as a float, for ranges and sorting only (money stays exact elsewhere).
    pub fn to_f64(d: impl std::fmt::Display) -> f64 {
        d.to_string().parse().unwrap_or(0.0)
    }
}

//! The `projects` table.

use sea_orm::entity::prelude::*;

/// One row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub city_id: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub owner_agency: Option<String>,
    pub dimensions: String,
    pub sector: String,
    pub capex_amount: String,
    pub capex_currency: String,
    pub capex_usd: String,
    pub accepted_financing: String,
    pub timeline_months: i32,
    pub proposal_deadline: DateTimeUtc,
    pub sealed_bids: bool,
    pub status: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub tags: String,
    pub cancel_reason: Option<String>,
    pub awarded_proposal_id: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// The columns of a listing ([`Listing`]), in its order.
pub const LISTING: [Column; 7] = [
    Column::Id,
    Column::CityId,
    Column::Title,
    Column::Status,
    Column::PublishedAt,
    Column::CreatedAt,
    Column::UpdatedAt,
];

/// The columns a list of projects shows without their terms.
#[derive(Clone, Debug, PartialEq, sea_orm::FromQueryResult)]
pub struct Listing {
    pub id: String,
    pub city_id: String,
    pub title: String,
    pub status: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A project belongs to its city: a point lookup reads both in one statement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cities::Entity",
        from = "Column::CityId",
        to = "super::cities::Column::Id"
    )]
    City,
}

impl Related<super::cities::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::City.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

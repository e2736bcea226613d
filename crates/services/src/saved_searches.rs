//! Saved searches: a caller's search text and filter, kept to run again and to alert on. Which
//! saved searches a newly published project matches is the search crate's matcher's call; here
//! is what follows from it: each saved search alerts its owner once per project, and only while
//! it exists and has alerts on.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use sinergi_domain::{Actor, Dimension, Error as Rule, FinancingModel, NotificationType, Sector};
use uuid::Uuid;

use crate::{
    Db, Result, codec,
    entities::{saved_search_hits as hits, saved_searches as ss},
    notify::{Notice, Target},
};

/// The most saved searches one user keeps.
pub const MAX_PER_USER: u64 = 100;
/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The filter of a saved search, as saved (the contract's SavedProjectFilter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedFilter {
    pub city_ids: Vec<Uuid>,
    pub provinces: Vec<String>,
    pub dimensions: Vec<Dimension>,
    pub sectors: Vec<Sector>,
    pub financing: Vec<FinancingModel>,
    pub min_capex_usd: Option<Decimal>,
    pub max_capex_usd: Option<Decimal>,
}

impl SavedFilter {
    fn to_json(&self) -> String {
        json!({
            "cityIds": self.city_ids.iter().map(Uuid::to_string).collect::<Vec<_>>(),
            "provinces": self.provinces,
            "dimensions": self.dimensions.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "sectors": self.sectors.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "financing": self.financing.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
            "minCapexUsd": self.min_capex_usd.map(|d| d.to_string()),
            "maxCapexUsd": self.max_capex_usd.map(|d| d.to_string()),
        })
        .to_string()
    }

    fn from_json(text: &str) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| crate::Error::Corrupt(format!("saved filter: {e}")))?;
        let strings = |k: &str| -> Vec<String> {
            v[k].as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        };
        let money = |k: &str| -> Option<Decimal> { v[k].as_str().and_then(|s| s.parse().ok()) };
        Ok(Self {
            city_ids: strings("cityIds")
                .iter()
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect(),
            provinces: strings("provinces"),
            dimensions: parsed(&strings("dimensions"), Dimension::parse),
            sectors: parsed(&strings("sectors"), Sector::parse),
            financing: parsed(&strings("financing"), FinancingModel::parse),
            min_capex_usd: money("minCapexUsd"),
            max_capex_usd: money("maxCapexUsd"),
        })
    }
}

fn parsed<T>(names: &[String], p: fn(&str) -> Option<T>) -> Vec<T> {
    names.iter().filter_map(|s| p(s)).collect()
}

/// A saved search.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSearch {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub name: String,
    pub search: Option<String>,
    pub filter: SavedFilter,
    pub alerts: bool,
    pub created_at: DateTime<Utc>,
    pub last_matched_at: Option<DateTime<Utc>>,
}

fn of_row(r: ss::Model) -> Result<SavedSearch> {
    Ok(SavedSearch {
        id: codec::id(&r.id)?,
        owner_id: codec::id(&r.owner_id)?,
        filter: SavedFilter::from_json(&r.filter)?,
        name: r.name,
        search: r.search,
        alerts: r.alerts,
        created_at: r.created_at,
        last_matched_at: r.last_matched_at,
    })
}

/// Saves a search for the caller (any signed-in role).
pub async fn create(
    db: &Db,
    actor: &Actor,
    name: &str,
    search: Option<String>,
    filter: SavedFilter,
    alerts: bool,
) -> Result<SavedSearch> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Rule::validation("name", "must not be empty").into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(
            Rule::validation("name", format!("at most {MAX_NAME_CHARS} characters")).into(),
        );
    }
    if let (Some(lo), Some(hi)) = (filter.min_capex_usd, filter.max_capex_usd)
        && lo > hi
    {
        return Err(Rule::validation("filter.maxCapexUsd", "is below minCapexUsd").into());
    }
    let mine = ss::Entity::find().filter(ss::Column::OwnerId.eq(actor.user_id.to_string()));
    if mine.count(db.conn()).await? >= MAX_PER_USER {
        return Err(Rule::validation(
            "name",
            format!("at most {MAX_PER_USER} saved searches; delete one first"),
        )
        .into());
    }
    let m = crate::tx::Mutation::begin(db).await?;
    let id = Uuid::new_v4();
    let row = ss::ActiveModel {
        id: Set(id.to_string()),
        owner_id: Set(actor.user_id.to_string()),
        name: Set(name.to_owned()),
        search: Set(search.filter(|s| !s.trim().is_empty())),
        filter: Set(filter.to_json()),
        alerts: Set(alerts),
        created_at: Set(m.now()),
        last_matched_at: Set(None),
    }
    .insert(&m.txn)
    .await?;
    m.commit(
        Some(actor.user_id),
        "saved_search.create",
        "saved_search",
        id,
        json!({"name": name, "alerts": alerts}),
    )
    .await?;
    of_row(row)
}

/// The caller's saved searches, oldest first.
pub async fn mine(db: &Db, actor: &Actor) -> Result<Vec<SavedSearch>> {
    ss::Entity::find()
        .filter(ss::Column::OwnerId.eq(actor.user_id.to_string()))
        .order_by_asc(ss::Column::CreatedAt)
        .order_by_asc(ss::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(of_row)
        .collect()
}

/// Deletes one of the caller's saved searches; NOT_FOUND for anybody else's.
pub async fn delete(db: &Db, actor: &Actor, id: Uuid) -> Result<bool> {
    let m = crate::tx::Mutation::begin(db).await?;
    let found = ss::Entity::find_by_id(id.to_string())
        .filter(ss::Column::OwnerId.eq(actor.user_id.to_string()))
        .one(&m.txn)
        .await?;
    if found.is_none() {
        return Err(Rule::NotFound.into());
    }
    hits::Entity::delete_many()
        .filter(hits::Column::SavedSearchId.eq(id.to_string()))
        .exec(&m.txn)
        .await?;
    ss::Entity::delete_by_id(id.to_string())
        .exec(&m.txn)
        .await?;
    m.commit(
        Some(actor.user_id),
        "saved_search.delete",
        "saved_search",
        id,
        json!({}),
    )
    .await?;
    Ok(true)
}

/// Saved searches with alerts created at or after `since` (all of them for `None`).
pub async fn alerting(db: &Db, since: Option<DateTime<Utc>>) -> Result<Vec<SavedSearch>> {
    let mut q = ss::Entity::find().filter(ss::Column::Alerts.eq(true));
    if let Some(t) = since {
        q = q.filter(ss::Column::CreatedAt.gte(t));
    }
    q.all(db.conn()).await?.into_iter().map(of_row).collect()
}

/// How many saved searches have alerts: a matcher holding another number missed a deletion.
pub async fn alerting_count(db: &Db) -> Result<u64> {
    Ok(ss::Entity::find()
        .filter(ss::Column::Alerts.eq(true))
        .count(db.conn())
        .await?)
}

/// What an alert says of its project.
#[derive(Debug, Clone)]
pub struct Matched {
    pub project_id: Uuid,
    pub title: String,
    pub city: String,
}

/// Alerts the owners of `candidates` (saved searches the matcher found for the project) that
/// still exist, have alerts on, and have not alerted for this project before. Returns how many
/// alerted. One transaction: the hits and their notifications are written together.
pub async fn alert(db: &Db, project: &Matched, candidates: &[Uuid]) -> Result<usize> {
    if candidates.is_empty() {
        return Ok(0);
    }
    let now = db.now();
    let txn = db.begin_write().await?;
    let pid = project.project_id.to_string();
    let mut told = 0;
    for chunk in candidates.chunks(500) {
        let rows = ss::Entity::find()
            .filter(ss::Column::Id.is_in(chunk.iter().map(Uuid::to_string)))
            .filter(ss::Column::Alerts.eq(true))
            .all(&txn)
            .await?;
        let already: Vec<String> = hits::Entity::find()
            .filter(hits::Column::ProjectId.eq(pid.clone()))
            .filter(hits::Column::SavedSearchId.is_in(rows.iter().map(|r| r.id.clone())))
            .all(&txn)
            .await?
            .into_iter()
            .map(|h| h.saved_search_id)
            .collect();
        let mut notices = Vec::new();
        let mut matched = Vec::new();
        for r in rows.into_iter().filter(|r| !already.contains(&r.id)) {
            hits::ActiveModel {
                id: Set(Uuid::new_v4().to_string()),
                saved_search_id: Set(r.id.clone()),
                project_id: Set(pid.clone()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            let owner = codec::id(&r.owner_id)?;
            let search_id = codec::id(&r.id)?;
            notices.push(Notice {
                kind: NotificationType::SavedSearchMatch,
                entity_type: "project",
                entity_id: project.project_id,
                targets: vec![Target::User(owner)],
                title: format!("New match for “{}”", r.name),
                body: format!("{} ({})", project.title, project.city),
                data: json!({
                    "savedSearchId": search_id,
                    "savedSearchName": r.name,
                    "projectId": project.project_id,
                    "title": project.title,
                    "city": project.city,
                }),
            });
            matched.push(r.id);
        }
        if !matched.is_empty() {
            ss::Entity::update_many()
                .col_expr(
                    ss::Column::LastMatchedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(ss::Column::Id.is_in(matched))
                .exec(&txn)
                .await?;
        }
        told += notices.len();
        crate::notify::write(&txn, &notices, now).await?;
    }
    txn.commit().await?;
    Ok(told)
}

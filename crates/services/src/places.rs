//! Cities and embassies: created by admins, read by everyone.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sinergi_domain::ConflictReason;
use sinergi_domain::{
    Actor, Error as Rule,
    model::{City, Embassy},
    text,
};
use uuid::Uuid;

use crate::{
    Db, Result,
    entities::{cities, embassies},
    page::{self, Key, Page},
    tx::Mutation,
};

/// A city to create.
#[derive(Debug, Clone)]
pub struct NewCity {
    pub name: String,
    pub province: String,
    pub country: String,
    pub time_zone: String,
    pub location: Option<(f64, f64)>,
    pub population: Option<i32>,
}

/// Admins create cities.
pub async fn create_city(db: &Db, actor: &Actor, c: NewCity) -> Result<City> {
    actor.require_admin()?;
    let name = text::required("name", &c.name, 200)?;
    let province = text::required("province", &c.province, 200)?;
    let country = text::country_code("country", &c.country)?;
    let time_zone = text::time_zone("timeZone", &c.time_zone)?;
    if let Some(point) = c.location {
        text::coordinates("location", point)?;
    }
    if c.population.is_some_and(|p| p < 0) {
        return Err(Rule::validation("population", "must not be negative").into());
    }
    let m = Mutation::begin(db).await?;
    let exists = cities::Entity::find()
        .filter(cities::Column::Country.eq(&country))
        .filter(cities::Column::Province.eq(&province))
        .filter(cities::Column::Name.eq(&name))
        .one(&m.txn)
        .await?;
    if exists.is_some() {
        return Err(Rule::conflict(ConflictReason::Duplicate, "this city exists").into());
    }
    let row = cities::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        name: Set(name),
        province: Set(province),
        country: Set(country),
        time_zone: Set(time_zone),
        lat: Set(c.location.map(|l| l.0)),
        lng: Set(c.location.map(|l| l.1)),
        population: Set(c.population),
        created_at: Set(db.now()),
    }
    .insert(&m.txn)
    .await?;
    let city = City::try_from(row)?;
    m.commit(
        Some(actor.user_id),
        "city.created",
        "city",
        city.id,
        json!({"name": city.name}),
    )
    .await?;
    Ok(city)
}

/// Cities by id.
pub async fn cities_by_id(db: &Db, ids: &[Uuid]) -> Result<Vec<City>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    crate::convert::all(
        cities::Entity::find()
            .filter(cities::Column::Id.is_in(ids))
            .all(db.conn())
            .await?,
    )
}

/// Whether a city exists, read within the caller's transaction.
pub(crate) async fn city_exists(conn: &impl sea_orm::ConnectionTrait, id: Uuid) -> Result<bool> {
    Ok(cities::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .is_some())
}

/// A page of cities, optionally of one province.
pub async fn list_cities(
    db: &Db,
    province: Option<&str>,
    after: Option<&Key>,
    first: u64,
    count: bool,
) -> Result<Page<City>> {
    page::fetch(
        db.conn(),
        cities_in(province),
        cities::Column::CreatedAt,
        cities::Column::Id,
        after,
        first,
        count,
    )
    .await?
    .try_map(City::try_from)
}

/// The cities of a province, or all.
fn cities_in(province: Option<&str>) -> sea_orm::Select<cities::Entity> {
    let q = cities::Entity::find();
    match province {
        Some(p) => q.filter(cities::Column::Province.eq(p)),
        None => q,
    }
}

/// How many cities [`list_cities`] pages through.
pub async fn count_cities(db: &Db, province: Option<&str>) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(cities_in(province).count(db.conn()).await?)
}

/// Cities to read with something of each (their projects: `projects::cities_with_projects`).
#[derive(Debug, Clone)]
pub struct CitySelection {
    pub(crate) select: sea_orm::Select<cities::Entity>,
    /// How many of the selected cities are the page: one more may follow it, to say that
    /// another page does.
    pub(crate) paged: u64,
}

impl CitySelection {
    /// How many of the selected cities are the page.
    pub fn paged(&self) -> u64 {
        self.paged
    }

    /// One city.
    pub fn one(id: Uuid) -> Self {
        Self {
            select: cities::Entity::find_by_id(id.to_string()),
            paged: 1,
        }
    }

    /// A page of [`list_cities`]: `first` cities and, if there is one, the next.
    pub fn page(province: Option<&str>, after: Option<&Key>, first: u64) -> Self {
        Self {
            select: page::select_page(
                cities_in(province),
                cities::Column::CreatedAt,
                cities::Column::Id,
                after,
                first,
            ),
            paged: first,
        }
    }
}

/// Admins create embassies, one per country.
pub async fn create_embassy(
    db: &Db,
    actor: &Actor,
    country_code: &str,
    name: &str,
) -> Result<Embassy> {
    actor.require_admin()?;
    let country = text::country_code("country", country_code)?;
    let name = text::required("name", name, 200)?;
    let m = Mutation::begin(db).await?;
    if embassies::Entity::find()
        .filter(embassies::Column::Country.eq(&country))
        .one(&m.txn)
        .await?
        .is_some()
    {
        return Err(
            Rule::conflict(ConflictReason::Duplicate, "this country has an embassy").into(),
        );
    }
    let row = embassies::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        country: Set(country),
        name: Set(name),
        created_at: Set(db.now()),
    }
    .insert(&m.txn)
    .await?;
    let e = Embassy::try_from(row)?;
    m.commit(
        Some(actor.user_id),
        "embassy.created",
        "embassy",
        e.id,
        json!({"country": e.country}),
    )
    .await?;
    Ok(e)
}

/// Every embassy, by country.
pub async fn embassies(db: &Db) -> Result<Vec<Embassy>> {
    crate::convert::all(
        embassies::Entity::find()
            .order_by_asc(embassies::Column::Country)
            .all(db.conn())
            .await?,
    )
}

/// Embassies by id.
pub async fn embassies_by_id(db: &Db, ids: &[Uuid]) -> Result<Vec<Embassy>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    crate::convert::all(
        embassies::Entity::find()
            .filter(embassies::Column::Id.is_in(ids))
            .all(db.conn())
            .await?,
    )
}

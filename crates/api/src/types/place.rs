//! Cities, masterplans and embassies.

use async_graphql::{Context, ID, Lookahead, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sinergi_domain::{
    model,
    permissions::{organization_scope, project_scope},
};
use sinergi_services::{organizations, places::CitySelection, projects};

use super::{
    common::GeoPoint,
    cursor_of,
    enums::{Dimension, ProjectStatus},
    org::{InvestorOrganization, InvestorOrganizationConnection},
    page_args,
    project::ProjectConnection,
    wants_total,
};
use crate::{
    error::{ApiError, Result},
    loaders::{CityProjectsKey, CityProjectsPage},
    state::{actor, state},
};

/// A city or regency.
#[derive(Clone)]
pub struct City(pub model::City);

/// A city or regency (kota/kabupaten) of the programme. Anyone may read cities.
#[Object]
impl City {
    /// The city's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The city's name, e.g. 'Kota Ambon'.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its province, e.g. 'Maluku'.
    async fn province(&self) -> &str {
        &self.0.province
    }
    /// Country, ISO 3166-1 alpha-2 (ID for Indonesia).
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// Where it is on the map; null when unknown.
    async fn location(&self) -> Option<GeoPoint> {
        self.0.location.map(GeoPoint::from)
    }
    /// Inhabitants; null when unknown.
    async fn population(&self) -> Option<i32> {
        self.0.population
    }
    /// IANA time zone of the city, e.g. Asia/Jayapura for Ambon (WIT), Asia/Jakarta for Semarang (WIB); clients show deadlines in it and in the viewer's own.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// The active masterplan, if any.
    async fn masterplan(&self, ctx: &Context<'_>) -> Result<Option<Masterplan>> {
        let l = crate::loaders::get(ctx);
        Ok(l.masterplans.load_one(self.0.id).await?.map(Masterplan))
    }
    /// The city's projects, newest first. Anonymous callers and investors see PUBLISHED and AWARDED ones; the city's officials and admins see every status. `first` is 1..100.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "The `endCursor` of the previous page; a cursor from another list is VALIDATION."
        )]
        after: Option<String>,
        #[graphql(desc = "Only projects in this status (others see only what they may read).")]
        status: Option<ProjectStatus>,
    ) -> Result<ProjectConnection> {
        let (key, n) = page_args(ctx, "city-projects", first, after.as_deref())?;
        let l = crate::loaders::get(ctx);
        // The projects' city is this one: known already.
        l.cities.feed_one(self.0.id, self.0.clone()).await;
        let page = l
            .city_projects
            .load_one(CityProjectsKey {
                city: self.0.id,
                status: status.map(Into::into),
                after: key,
                first: n,
                count: wants_total(ctx),
                listing: super::project::listing_will_do(ctx),
            })
            .await?
            .unwrap_or_default();
        let items = page
            .items
            .iter()
            .map(|p| {
                (
                    cursor_of(ctx, "city-projects", p.created(), p.uuid()),
                    p.clone(),
                )
            })
            .collect();
        Ok(ProjectConnection::new(items, page.has_next, page.total))
    }
}

super::common::connection!(CityConnection, CityEdge, City);

/// The page of projects that a selection of cities (`city`: what it asks of each) asks of
/// every one: one `projects` field, without `totalCount`, whose arguments parse. Anything else
/// is left to `City.projects`, which says what is wrong with it.
fn projects_asked(ctx: &Context<'_>, city: Lookahead<'_>) -> Option<CityProjectsKey> {
    use async_graphql::InputType;
    let [field] = city.field("projects").selection_fields()[..] else {
        return None;
    };
    let mut first = None;
    let mut after = None;
    let mut status = None;
    for (name, value) in field.arguments().ok()? {
        match name.as_str() {
            "first" => first = <Option<i32>>::parse(Some(value)).ok()?,
            "after" => after = <Option<String>>::parse(Some(value)).ok()?,
            "status" => status = <Option<ProjectStatus>>::parse(Some(value)).ok()?,
            _ => return None,
        }
    }
    let projects = Lookahead::from(field);
    if projects.field("totalCount").exists() {
        return None;
    }
    let (after, first) =
        super::page_args(ctx, "city-projects", first.or(Some(20)), after.as_deref()).ok()?;
    Some(CityProjectsKey {
        city: uuid::Uuid::nil(),
        status: status.map(Into::into),
        after,
        first,
        count: false,
        listing: super::project::listing_will_do_for(projects),
    })
}

/// Reads the cities `selection` selects, with the page of projects that `city` (what the
/// query asks of each) asks every one for, in one statement; the pages go to the request's
/// loader, where `City.projects` finds them. `None` when the query asks for no such page, or
/// not for the same of each: then `City.projects` reads them, one statement for all cities.
pub async fn with_projects(
    ctx: &Context<'_>,
    selection: &CitySelection,
    city: Lookahead<'_>,
) -> Result<Option<Vec<model::City>>> {
    use super::project::Project;
    let Some(asked) = projects_asked(ctx, city) else {
        return Ok(None);
    };
    let (db, first) = (&state(ctx).db, asked.first);
    let each = projects::EachCity {
        scope: project_scope(actor(ctx)),
        status: asked.status,
        after: asked.after.as_ref(),
        first,
    };
    let rows: Vec<(model::City, Vec<Project>)> = if asked.listing {
        projects::cities_with_listings(db, selection, each)
            .await?
            .into_iter()
            .map(|(c, l)| {
                (
                    c,
                    l.into_iter().map(|p| Project::listing(p.into())).collect(),
                )
            })
            .collect()
    } else {
        projects::cities_with_projects(db, selection, each)
            .await?
            .into_iter()
            .map(|(c, l)| (c, l.into_iter().map(Project::from).collect()))
            .collect()
    };
    let mut cities = Vec::with_capacity(rows.len());
    let mut pages = Vec::with_capacity(rows.len());
    for (city, items) in rows {
        if (pages.len() as u64) < selection.paged() {
            let key = CityProjectsKey {
                city: city.id,
                ..asked.clone()
            };
            let page = CityProjectsPage::from_rows(items, first, None);
            pages.push((key, std::sync::Arc::new(page)));
        }
        cities.push(city);
    }
    crate::loaders::get(ctx)
        .city_projects
        .feed_many(pages)
        .await;
    Ok(Some(cities))
}

/// A city's masterplan at one version.
#[derive(Clone)]
pub struct Masterplan(pub model::Masterplan);

/// One weighted priority.
#[derive(SimpleObject, Clone)]
pub struct Priority {
    /// The dimension this priority is about.
    pub dimension: Dimension,
    /// 0..1; the weights of one masterplan sum to 1.
    pub weight: f64,
    /// Free-text focus areas, e.g. 'flood early warning', 'city of music'.
    pub focus_areas: Vec<String>,
}

/// A city's smart city masterplan at one version: the priorities proposals are scored against. Anyone may read it.
#[Object]
impl Masterplan {
    /// The masterplan version's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The city it belongs to.
    async fn city(&self, ctx: &Context<'_>) -> Result<City> {
        let l = crate::loaders::get(ctx);
        l.cities
            .load_one(self.0.city_id)
            .await?
            .map(City)
            .ok_or(ApiError::NotFound)
    }
    /// Increases by one every time the masterplan is replaced.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// First year it covers, e.g. 2024.
    async fn period_start_year(&self) -> i32 {
        self.0.content.period_start_year
    }
    /// Last year it covers, e.g. 2028.
    async fn period_end_year(&self) -> i32 {
        self.0.content.period_end_year
    }
    /// The city's vision statement.
    async fn vision(&self) -> &str {
        &self.0.content.vision
    }
    /// Its weighted priorities, one per dimension at most.
    async fn priorities(&self) -> Vec<Priority> {
        self.0
            .content
            .priorities
            .iter()
            .map(|p| Priority {
                dimension: p.dimension.into(),
                weight: p.weight,
                focus_areas: p.focus_areas.clone(),
            })
            .collect()
    }
    /// When this version was set.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An embassy that refers investors from its country.
#[derive(Clone)]
pub struct Embassy(pub model::Embassy);

/// An embassy that refers and vouches for investors from its country. Anyone may read embassies.
#[Object]
impl Embassy {
    /// The embassy's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The country the embassy represents, ISO 3166-1 alpha-2.
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// Its name, e.g. 'Embassy of the Kingdom of the Netherlands in Jakarta'.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The organisations it referred that the caller may see.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn investors(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<InvestorOrganizationConnection> {
        let (key, n) = page_args(ctx, "embassy-investors", first, after.as_deref())?;
        let scope = organization_scope(actor(ctx));
        let page = organizations::list_for_embassy(
            &state(ctx).db,
            scope,
            self.0.id,
            key.as_ref(),
            n,
            wants_total(ctx),
        )
        .await?;
        let items = page
            .items
            .into_iter()
            .map(|o| {
                (
                    cursor_of(ctx, "embassy-investors", o.created_at, o.id),
                    InvestorOrganization(o),
                )
            })
            .collect();
        Ok(InvestorOrganizationConnection::new(
            items,
            page.has_next,
            page.total,
        ))
    }
}

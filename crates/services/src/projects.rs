//! Projects through their lifecycle, and reads filtered by the caller's scope in SQL.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use sinergi_domain::{
    Actor, Error as Rule, FxTable, ProjectStatus, ProposalStatus,
    model::{Project, ProjectListing},
    permissions::{PUBLIC_PROJECT_STATUSES, ProjectScope},
    project::{self as rules, ProjectContent},
};
use uuid::Uuid;

use crate::{
    Db, Result, codec,
    entities::{cities, masterplans, projects as pj, proposals},
    outbox,
    page::{self, Key},
    tx::Mutation,
};

/// The SQL condition of a project scope.
pub fn scope_condition(scope: ProjectScope) -> Condition {
    let public = pj::Column::Status.is_in(PUBLIC_PROJECT_STATUSES.map(|s| s.as_str()));
    match scope {
        ProjectScope::All => Condition::all(),
        ProjectScope::Public => Condition::all().add(public),
        ProjectScope::PublicAndCity(c) => Condition::any()
            .add(public)
            .add(pj::Column::CityId.eq(c.to_string())),
    }
}

/// Projects by id, as far as the scope lets the caller see them.
pub async fn by_ids(db: &Db, scope: ProjectScope, ids: &[Uuid]) -> Result<Vec<Project>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows = pj::Entity::find()
        .filter(pj::Column::Id.is_in(ids))
        .filter(scope_condition(scope))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

/// Projects by id with their cities, in one statement (a join), as far as the scope lets the
/// caller see them.
pub async fn by_ids_with_cities(
    db: &Db,
    scope: ProjectScope,
    ids: &[Uuid],
) -> Result<Vec<(Project, sinergi_domain::model::City)>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows = pj::Entity::find()
        .filter(pj::Column::Id.is_in(ids))
        .filter(scope_condition(scope))
        .find_also_related(cities::Entity)
        .all(db.conn())
        .await?;
    rows.into_iter()
        .map(|(p, c)| {
            let c = c.ok_or_else(|| crate::Error::corrupt("a project without its city"))?;
            Ok((
                Project::try_from(p)?,
                sinergi_domain::model::City::try_from(c)?,
            ))
        })
        .collect()
}

/// One project the caller may see.
pub async fn get(db: &Db, scope: ProjectScope, id: Uuid) -> Result<Option<Project>> {
    Ok(by_ids(db, scope, &[id]).await?.pop())
}

/// The first `first` projects of each of `city_ids` (after `after`, in creation order) as far
/// as the scope lets the caller see them, in one statement whatever the number of cities. Each
/// city gets up to `first + 1` rows, the extra one saying that another page follows.
///
/// On PostgreSQL a lateral join reads each city's first rows straight off the
/// `(city_id, created_at, id)` index and stops there. SQLite has no lateral join: a window
/// function numbers each city's ids (in index order, so without a sort) and the rows are read
/// by id after.
pub async fn first_per_city(
    db: &Db,
    scope: ProjectScope,
    city_ids: &[Uuid],
    status: Option<ProjectStatus>,
    after: Option<&Key>,
    first: u64,
) -> Result<std::collections::HashMap<Uuid, Vec<Project>>> {
    let rows: Vec<pj::Model> =
        first_rows_per_city(db, scope, city_ids, status, after, first, None).await?;
    by_city(rows, |p: &Project| (p.city_id, p.created_at, p.id))
}

/// [`first_per_city`], reading only what a listing shows: for a page that asks for no more.
pub async fn listings_per_city(
    db: &Db,
    scope: ProjectScope,
    city_ids: &[Uuid],
    status: Option<ProjectStatus>,
    after: Option<&Key>,
    first: u64,
) -> Result<std::collections::HashMap<Uuid, Vec<ProjectListing>>> {
    let rows: Vec<pj::Listing> = first_rows_per_city(
        db,
        scope,
        city_ids,
        status,
        after,
        first,
        Some(&pj::LISTING),
    )
    .await?;
    by_city(rows, |p: &ProjectListing| (p.city_id, p.created_at, p.id))
}

/// Rows grouped by city, each city's in creation order.
fn by_city<R, T: TryFrom<R, Error = crate::Error>>(
    rows: Vec<R>,
    key: impl Fn(&T) -> (Uuid, DateTime<Utc>, Uuid),
) -> Result<std::collections::HashMap<Uuid, Vec<T>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<T>> = Default::default();
    for row in rows {
        let p = T::try_from(row)?;
        out.entry(key(&p).0).or_default().push(p);
    }
    for list in out.values_mut() {
        list.sort_by_key(|p| {
            let (_, at, id) = key(p);
            (at, id)
        });
    }
    Ok(out)
}

/// The projects of a scope, in `status` if given, after `after` if given.
fn visible(
    scope: ProjectScope,
    status: Option<ProjectStatus>,
    after: Option<&Key>,
) -> sea_orm::Select<pj::Entity> {
    let mut q = pj::Entity::find().filter(scope_condition(scope));
    if let Some(s) = status {
        q = q.filter(pj::Column::Status.eq(s.as_str()));
    }
    if let Some(k) = after {
        q = q.filter(page::after_key(pj::Column::CreatedAt, pj::Column::Id, k));
    }
    q
}

/// Which page of its projects each city of a list comes with: the arguments of
/// [`first_per_city`].
#[derive(Debug, Clone, Copy)]
pub struct EachCity<'a> {
    pub scope: ProjectScope,
    pub status: Option<ProjectStatus>,
    pub after: Option<&'a Key>,
    /// Each city gets up to `first + 1` projects, the extra one saying that another page follows.
    pub first: u64,
}

/// The cities `cities` selects, each with its first projects as [`first_per_city`] reads them:
/// one statement for both levels, where the two functions would take two. Only the page's
/// cities get projects, not the one after it that says another page follows. The cities come
/// in (created_at, id) order, each with its projects in creation order.
pub async fn cities_with_projects(
    db: &Db,
    cities: &crate::places::CitySelection,
    each: EachCity<'_>,
) -> Result<Vec<(sinergi_domain::model::City, Vec<Project>)>> {
    cities_with_rows::<pj::Model, Project>(db, cities, each, None, |p| (p.created_at, p.id)).await
}

/// [`cities_with_projects`], reading only what a listing shows.
pub async fn cities_with_listings(
    db: &Db,
    cities: &crate::places::CitySelection,
    each: EachCity<'_>,
) -> Result<Vec<(sinergi_domain::model::City, Vec<ProjectListing>)>> {
    cities_with_rows::<pj::Listing, ProjectListing>(db, cities, each, Some(&pj::LISTING), |p| {
        (p.created_at, p.id)
    })
    .await
}

/// The statement of [`cities_with_projects`]. The page of cities is a subquery numbering its
/// rows (`page_rn`); each of its first `paged` rows is joined to its first projects, their
/// columns named with a `p_` prefix. On PostgreSQL a lateral join reads each city's first
/// projects off the `(city_id, created_at, id)` index and stops there; SQLite, without
/// lateral joins, does the same with a correlated `IN (… LIMIT)` in the join's condition.
async fn cities_with_rows<M, T>(
    db: &Db,
    cities: &crate::places::CitySelection,
    each: EachCity<'_>,
    columns: Option<&[pj::Column]>,
    key: impl Fn(&T) -> (DateTime<Utc>, Uuid),
) -> Result<Vec<(sinergi_domain::model::City, Vec<T>)>>
where
    M: sea_orm::FromQueryResult + Send + Sync,
    T: TryFrom<M, Error = crate::Error>,
{
    use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query};
    use sea_orm::{ConnectionTrait, IdenStatic, Iterable, QueryTrait};
    let (page, p) = (Alias::new("page"), Alias::new("p"));
    let rn = Alias::new("page_rn");
    let paged = cities.paged;
    let mut cities = cities.select.clone().into_query();
    cities.expr_as(
        Expr::cust("ROW_NUMBER() OVER (ORDER BY \"cities\".\"created_at\", \"cities\".\"id\")"),
        rn.clone(),
    );
    let all: Vec<pj::Column>;
    let columns = match columns {
        Some(c) => c,
        None => {
            all = pj::Column::iter().collect();
            &all
        }
    };
    let firsts = visible(each.scope, each.status, each.after)
        .filter(
            Expr::col((page.clone(), cities::Column::Id)).equals((pj::Entity, pj::Column::CityId)),
        )
        .filter(Expr::col((page.clone(), rn.clone())).lte(paged as i64))
        .order_by_asc(pj::Column::CreatedAt)
        .order_by_asc(pj::Column::Id)
        .limit(each.first + 1);
    let mut q = Query::select();
    q.column((page.clone(), Asterisk))
        .from_subquery(cities, page.clone());
    for c in columns {
        q.expr_as(
            Expr::col((p.clone(), *c)),
            Alias::new(format!("p_{}", c.as_str())),
        );
    }
    match db.dialect() {
        crate::Dialect::Postgres => {
            let firsts = firsts
                .select_only()
                .columns(columns.iter().copied())
                .into_query();
            q.join_lateral(JoinType::LeftJoin, firsts, p.clone(), Expr::cust("TRUE"));
        }
        crate::Dialect::Sqlite => {
            let ids = firsts.select_only().column(pj::Column::Id).into_query();
            q.join_as(
                JoinType::LeftJoin,
                pj::Entity,
                p.clone(),
                Expr::col((p.clone(), pj::Column::Id)).in_subquery(ids),
            );
        }
    }
    // No ORDER BY: sorting 120 rows here costs less than PostgreSQL's sort of them (a sixth of
    // the statement's time), and the rows are put in order below whatever order they come in.
    let rows = db.conn().query_all(&q).await?;
    let mut out: Vec<(sinergi_domain::model::City, Vec<T>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = Default::default();
    for row in rows {
        let id: String = row.try_get("", "id")?;
        let i = match at.get(&id) {
            Some(&i) => i,
            None => {
                let city =
                    <cities::Model as sea_orm::FromQueryResult>::from_query_result(&row, "")?;
                out.push((sinergi_domain::model::City::try_from(city)?, Vec::new()));
                at.insert(id, out.len() - 1);
                out.len() - 1
            }
        };
        if row.try_get::<Option<String>>("p_", "id")?.is_some() {
            out[i]
                .1
                .push(T::try_from(M::from_query_result(&row, "p_")?)?);
        }
    }
    out.sort_by_key(|(c, _)| (c.created_at, c.id));
    for (_, list) in &mut out {
        list.sort_by_key(|p| key(p));
    }
    Ok(out)
}

/// The rows of [`first_per_city`]: every column, or only `columns`.
async fn first_rows_per_city<M: sea_orm::FromQueryResult + Send + Sync>(
    db: &Db,
    scope: ProjectScope,
    city_ids: &[Uuid],
    status: Option<ProjectStatus>,
    after: Option<&Key>,
    first: u64,
    columns: Option<&[pj::Column]>,
) -> Result<Vec<M>> {
    use sea_orm::QueryTrait;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let inner = visible(scope, status, after);
    let only = |q: sea_orm::Select<pj::Entity>| match columns {
        Some(cols) => q.select_only().columns(cols.iter().copied()),
        None => q,
    };
    Ok(match db.dialect() {
        crate::Dialect::Sqlite => {
            let mut numbered = inner
                .select_only()
                .column(pj::Column::Id)
                .filter(pj::Column::CityId.is_in(city_ids.iter().map(Uuid::to_string)))
                .into_query();
            numbered.expr_as(
                Expr::cust("ROW_NUMBER() OVER (PARTITION BY city_id ORDER BY created_at, id)"),
                Alias::new("rn"),
            );
            let firsts = Query::select()
                .column(Alias::new("id"))
                .from_subquery(numbered, Alias::new("numbered"))
                .and_where(Expr::col(Alias::new("rn")).lte(first as i64 + 1))
                .to_owned();
            only(pj::Entity::find().filter(pj::Column::Id.in_subquery(firsts)))
                .into_model::<M>()
                .all(db.conn())
                .await?
        }
        crate::Dialect::Postgres => {
            let backend = db.conn().get_database_backend();
            let per_city = only(inner)
                .filter(Expr::cust("\"projects\".\"city_id\" = \"wanted\".\"id\""))
                .order_by_asc(pj::Column::CreatedAt)
                .order_by_asc(pj::Column::Id)
                .limit(first + 1)
                .build(backend);
            let mut values = per_city.values.map(|v| v.0).unwrap_or_default();
            // The cities as one text parameter, so that the statement's text (and its
            // prepared plan) is the same for any number of them. Ids hold no comma.
            values.push(
                city_ids
                    .iter()
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
                    .into(),
            );
            let sql = format!(
                "SELECT \"projects\".* FROM unnest(string_to_array(${}, ',')) AS \"wanted\"(\"id\") \
                 CROSS JOIN LATERAL ({}) AS \"projects\"",
                values.len(),
                per_city.sql
            );
            M::find_by_statement(sea_orm::Statement::from_sql_and_values(
                backend, sql, values,
            ))
            .all(db.conn())
            .await?
        }
    })
}

/// How many projects each of `city_ids` has that the caller may see, in one grouped statement.
pub async fn count_per_city(
    db: &Db,
    scope: ProjectScope,
    city_ids: &[Uuid],
    status: Option<ProjectStatus>,
) -> Result<std::collections::HashMap<Uuid, u64>> {
    let mut q = pj::Entity::find()
        .select_only()
        .column(pj::Column::CityId)
        .column_as(pj::Column::Id.count(), "n")
        .filter(pj::Column::CityId.is_in(city_ids.iter().map(Uuid::to_string)))
        .filter(scope_condition(scope));
    if let Some(s) = status {
        q = q.filter(pj::Column::Status.eq(s.as_str()));
    }
    let rows: Vec<(String, i64)> = q
        .group_by(pj::Column::CityId)
        .into_tuple()
        .all(db.conn())
        .await?;
    rows.into_iter()
        .map(|(id, n)| Ok((codec::id(&id)?, u64::try_from(n).unwrap_or(0))))
        .collect()
}

/// How many proposals beyond DRAFT each project has (withdrawn ones excluded).
pub async fn proposal_counts(db: &Db, ids: &[Uuid]) -> Result<Vec<(Uuid, i64)>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows: Vec<(String, i64)> = proposals::Entity::find()
        .select_only()
        .column(proposals::Column::ProjectId)
        .column_as(proposals::Column::Id.count(), "n")
        .filter(proposals::Column::ProjectId.is_in(ids))
        .filter(proposals::Column::Status.is_not_in([
            ProposalStatus::Draft.as_str(),
            ProposalStatus::Withdrawn.as_str(),
        ]))
        .group_by(proposals::Column::ProjectId)
        .into_tuple()
        .all(db.conn())
        .await?;
    rows.into_iter()
        .map(|(id, n)| Ok((codec::id(&id)?, n)))
        .collect()
}

fn usd(fx: &FxTable, c: &ProjectContent) -> Result<String> {
    fx.usd(&c.capex, "input.capex")?;
    fx.to_usd(&c.capex)
        .map(|d| d.to_string())
        .ok_or_else(|| Rule::validation("input.capex.amount", "the amount is too large").into())
}

fn apply(row: &mut pj::ActiveModel, c: &ProjectContent, capex_usd: String) {
    row.title = Set(c.title.clone());
    row.summary = Set(c.summary.clone());
    row.description = Set(c.description.clone());
    row.owner_agency = Set(c.owner_agency.clone());
    row.dimensions = Set(codec::dimensions(&c.dimensions));
    row.sector = Set(c.sector.as_str().into());
    row.capex_amount = Set(c.capex.plain_amount());
    row.capex_currency = Set(c.capex.currency().to_string());
    row.capex_usd = Set(capex_usd);
    row.accepted_financing = Set(codec::financing(&c.accepted_financing));
    row.timeline_months = Set(c.timeline_months);
    row.proposal_deadline = Set(c.proposal_deadline);
    row.sealed_bids = Set(c.sealed_bids);
    row.lat = Set(c.location.map(|l| l.0));
    row.lng = Set(c.location.map(|l| l.1));
    row.tags = Set(codec::strings(&c.tags));
}

/// City officials create projects for their own city, as DRAFT.
pub async fn create(
    db: &Db,
    actor: &Actor,
    fx: &FxTable,
    city_id: Uuid,
    content: ProjectContent,
) -> Result<Project> {
    let m = Mutation::begin(db).await?;
    if !crate::places::city_exists(&m.txn, city_id).await? {
        return Err(Rule::NotFound.into());
    }
    actor.require_city_writer(city_id)?;
    let content = content.validate()?;
    let capex_usd = usd(fx, &content)?;
    let now = db.now();
    let id = Uuid::new_v4();
    let mut row = pj::ActiveModel {
        id: Set(id.to_string()),
        city_id: Set(city_id.to_string()),
        status: Set(ProjectStatus::Draft.as_str().into()),
        cancel_reason: Set(None),
        awarded_proposal_id: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut row, &content, capex_usd);
    let project = Project::try_from(row.insert(&m.txn).await?)?;
    outbox::enqueue_project(&m.txn, id, m.now()).await?;
    m.commit(
        Some(actor.user_id),
        "project.created",
        "project",
        id,
        json!({"title": project.content.title}),
    )
    .await?;
    Ok(project)
}

/// Loads a project for a change: NOT_FOUND unless the caller may see it, FORBIDDEN unless they
/// may write it.
async fn load_for_write(m: &Mutation<'_>, actor: &Actor, id: Uuid) -> Result<pj::Model> {
    let scope = sinergi_domain::permissions::project_scope(Some(actor));
    let row = pj::Entity::find_by_id(id.to_string())
        .filter(scope_condition(scope))
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    actor.require_city_writer(codec::id(&row.city_id)?)?;
    Ok(row)
}

async fn has_submitted(m: &Mutation<'_>, project_id: &str) -> Result<bool> {
    Ok(proposals::Entity::find()
        .filter(proposals::Column::ProjectId.eq(project_id))
        .filter(proposals::Column::Status.is_not_in([
            ProposalStatus::Draft.as_str(),
            ProposalStatus::Withdrawn.as_str(),
        ]))
        .count(&m.txn)
        .await?
        > 0)
}

/// Edits a project under the lifecycle's rules.
pub async fn update(
    db: &Db,
    actor: &Actor,
    fx: &FxTable,
    id: Uuid,
    content: ProjectContent,
    now: DateTime<Utc>,
) -> Result<Project> {
    let mut m = Mutation::begin(db).await?;
    let row = load_for_write(&m, actor, id).await?;
    let current = Project::try_from(row.clone())?;
    let content = content.validate()?;
    let submitted = has_submitted(&m, &row.id).await?;
    rules::check_update(current.status, &current.content, &content, submitted, now)?;
    let capex_usd = usd(fx, &content)?;
    let mut am = row.into_active_model();
    apply(&mut am, &content, capex_usd);
    am.updated_at = Set(db.now());
    let project = Project::try_from(am.update(&m.txn).await?)?;
    outbox::enqueue_project(&m.txn, id, m.now()).await?;
    // Organisations with a proposal learn that the terms or the deadline moved.
    if project.status == ProjectStatus::Published
        && (current.content.proposal_deadline != project.content.proposal_deadline
            || current.content.capex != project.content.capex
            || current.content.timeline_months != project.content.timeline_months
            || current.content.accepted_financing != project.content.accepted_financing
            || current.content.dimensions != project.content.dimensions)
    {
        let n = notice(
            &m.txn,
            sinergi_domain::NotificationType::ProjectUpdated,
            &project,
        )
        .await?;
        m.notify(n);
    }
    m.commit(
        Some(actor.user_id),
        "project.updated",
        "project",
        id,
        json!({"title": project.content.title}),
    )
    .await?;
    Ok(project)
}

/// The notice of a project's change: to its city, the organisations that bid on it, and the
/// platform; only the project's public facts.
pub(crate) async fn notice<C: sea_orm::ConnectionTrait>(
    conn: &C,
    kind: sinergi_domain::NotificationType,
    p: &Project,
) -> Result<crate::notify::Notice> {
    use crate::notify::Target;
    let mut targets = vec![Target::City(p.city_id), Target::Platform];
    targets.extend(
        crate::notify::bidders(conn, &p.id.to_string())
            .await?
            .into_iter()
            .map(Target::Organization),
    );
    let what = match kind {
        sinergi_domain::NotificationType::ProjectPublished => "was published",
        sinergi_domain::NotificationType::ProjectUpdated => "changed its terms or deadline",
        sinergi_domain::NotificationType::ProjectClosed => "closed for bids",
        sinergi_domain::NotificationType::ProjectAwarded => "was awarded",
        _ => "was cancelled",
    };
    Ok(crate::notify::Notice {
        kind,
        entity_type: "project",
        entity_id: p.id,
        targets,
        title: format!("'{}' {what}", p.content.title),
        body: format!(
            "The project '{}' {what}. Proposals are due by {}.",
            p.content.title,
            p.content.proposal_deadline.to_rfc3339()
        ),
        data: serde_json::json!({
            "projectId": p.id, "cityId": p.city_id, "title": p.content.title,
            "status": p.status.as_str(),
            "proposalDeadline": p.content.proposal_deadline.to_rfc3339(),
        }),
    })
}

async fn set_status(
    mut m: Mutation<'_>,
    actor: &Actor,
    row: pj::Model,
    status: ProjectStatus,
    action: &str,
    extra: impl FnOnce(&mut pj::ActiveModel),
    payload: serde_json::Value,
) -> Result<Project> {
    let id = codec::id(&row.id)?;
    let mut am = row.into_active_model();
    am.status = Set(status.as_str().into());
    am.updated_at = Set(m.now());
    extra(&mut am);
    let project = Project::try_from(am.update(&m.txn).await?)?;
    outbox::enqueue_project(&m.txn, id, m.now()).await?;
    let kind = match status {
        ProjectStatus::Published => Some(sinergi_domain::NotificationType::ProjectPublished),
        ProjectStatus::Closed => Some(sinergi_domain::NotificationType::ProjectClosed),
        ProjectStatus::Cancelled => Some(sinergi_domain::NotificationType::ProjectCancelled),
        _ => None,
    };
    if let Some(kind) = kind {
        let n = notice(&m.txn, kind, &project).await?;
        m.notify(n);
    }
    m.commit(Some(actor.user_id), action, "project", id, payload)
        .await?;
    Ok(project)
}

/// Publishes a draft: needs a future deadline and the city's active masterplan.
pub async fn publish(db: &Db, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<Project> {
    let m = Mutation::begin(db).await?;
    let row = load_for_write(&m, actor, id).await?;
    let has_plan = masterplans::Entity::find()
        .filter(masterplans::Column::CityId.eq(&row.city_id))
        .filter(masterplans::Column::Active.eq(true))
        .count(&m.txn)
        .await?
        > 0;
    let status = codec::one(&row.status, ProjectStatus::parse, "status")?;
    rules::check_publish(status, row.proposal_deadline, has_plan, now)?;
    let at = db.now();
    set_status(
        m,
        actor,
        row,
        ProjectStatus::Published,
        "project.published",
        |am| am.published_at = Set(Some(at)),
        json!({}),
    )
    .await
}

/// Closes bidding.
pub async fn close(db: &Db, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<Project> {
    let m = Mutation::begin(db).await?;
    let row = load_for_write(&m, actor, id).await?;
    let status = codec::one(&row.status, ProjectStatus::parse, "status")?;
    rules::check_close(status, row.sealed_bids, row.proposal_deadline, now)?;
    set_status(
        m,
        actor,
        row,
        ProjectStatus::Closed,
        "project.closed",
        |_| {},
        json!({}),
    )
    .await
}

/// Cancels a project, with a reason.
pub async fn cancel(db: &Db, actor: &Actor, id: Uuid, reason: &str) -> Result<Project> {
    let reason = sinergi_domain::text::required("reason", reason, 2000)?;
    let m = Mutation::begin(db).await?;
    let row = load_for_write(&m, actor, id).await?;
    rules::check_cancel(codec::one(&row.status, ProjectStatus::parse, "status")?)?;
    let r = reason.clone();
    set_status(
        m,
        actor,
        row,
        ProjectStatus::Cancelled,
        "project.cancelled",
        |am| am.cancel_reason = Set(Some(r)),
        json!({"reason": reason}),
    )
    .await
}

/// PUBLISHED projects whose deadline is still ahead: the candidates of recommendations.
pub async fn open(db: &Db, now: DateTime<Utc>) -> Result<Vec<Project>> {
    let rows = pj::Entity::find()
        .filter(pj::Column::Status.eq(ProjectStatus::Published.as_str()))
        .filter(pj::Column::ProposalDeadline.gt(now))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

/// A fingerprint of the projects, organisations and masterplans: it changes whenever one is
/// created or updated (none is ever deleted), so caches built from them know when to rebuild.
/// Three lookups of an indexed maximum.
pub async fn fingerprint(db: &Db) -> Result<String> {
    use crate::entities::{investor_organizations as org, masterplans as mp};
    let p: Option<Option<DateTime<Utc>>> = pj::Entity::find()
        .select_only()
        .column_as(pj::Column::UpdatedAt.max(), "m")
        .into_tuple()
        .one(db.conn())
        .await?;
    let o: Option<Option<DateTime<Utc>>> = org::Entity::find()
        .select_only()
        .column_as(org::Column::UpdatedAt.max(), "m")
        .into_tuple()
        .one(db.conn())
        .await?;
    let m: Option<Option<DateTime<Utc>>> = mp::Entity::find()
        .select_only()
        .column_as(mp::Column::CreatedAt.max(), "m")
        .into_tuple()
        .one(db.conn())
        .await?;
    Ok(format!("{p:?}/{o:?}/{m:?}"))
}

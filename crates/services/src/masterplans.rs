//! Masterplans: versioned, one active per city.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use sinergi_domain::{Actor, Error as Rule, masterplan::MasterplanContent, model::Masterplan};
use uuid::Uuid;

use crate::{
    Db, Result, codec,
    entities::{masterplans as mp, priorities as pr},
    match_scores::{self, Scoring},
    tx::Mutation,
};

/// Replaces a city's active masterplan with a new version.
pub async fn set(
    db: &Db,
    actor: &Actor,
    scoring: Scoring<'_>,
    city_id: Uuid,
    content: MasterplanContent,
) -> Result<Masterplan> {
    let content = content.validate()?;
    let m = Mutation::begin(db).await?;
    if !crate::places::city_exists(&m.txn, city_id).await? {
        return Err(Rule::NotFound.into());
    }
    actor.require_city_writer(city_id)?;
    let last = mp::Entity::find()
        .filter(mp::Column::CityId.eq(city_id.to_string()))
        .order_by_desc(mp::Column::Version)
        .limit(1)
        .one(&m.txn)
        .await?;
    let version = last.map_or(1, |l| l.version + 1);
    mp::Entity::update_many()
        .col_expr(mp::Column::Active, sea_orm::sea_query::Expr::value(false))
        .filter(mp::Column::CityId.eq(city_id.to_string()))
        .exec(&m.txn)
        .await?;
    let id = Uuid::new_v4();
    let row = mp::ActiveModel {
        id: Set(id.to_string()),
        city_id: Set(city_id.to_string()),
        version: Set(version),
        active: Set(true),
        period_start_year: Set(content.period_start_year),
        period_end_year: Set(content.period_end_year),
        vision: Set(content.vision.clone()),
        created_by: Set(Some(actor.user_id.to_string())),
        created_at: Set(db.now()),
    }
    .insert(&m.txn)
    .await?;
    let mut prows = Vec::new();
    for p in &content.priorities {
        prows.push(
            pr::ActiveModel {
                id: Set(Uuid::new_v4().to_string()),
                masterplan_id: Set(id.to_string()),
                dimension: Set(p.dimension.as_str().into()),
                weight: Set(p.weight),
                focus_areas: Set(codec::strings(&p.focus_areas)),
            }
            .insert(&m.txn)
            .await?,
        );
    }
    let plan = crate::convert::masterplan(row, prows)?;
    // Every score of the city follows the new version in the same transaction, so none is
    // ever served against an older masterplan as if it were current.
    let ids = match_scores::ids_for_city(&m.txn, &city_id.to_string()).await?;
    let rescored = match_scores::rescore(&m.txn, scoring, &ids, m.now()).await?;
    let weights: serde_json::Map<String, serde_json::Value> = content
        .priorities
        .iter()
        .map(|p| (p.dimension.as_str().to_owned(), json!(p.weight)))
        .collect();
    m.commit(
        Some(actor.user_id),
        "masterplan.replaced",
        "city",
        city_id,
        json!({"version": version, "weights": weights, "rescored": rescored}),
    )
    .await?;
    Ok(plan)
}

/// The active masterplans of these cities.
pub async fn active(db: &Db, city_ids: &[Uuid]) -> Result<Vec<Masterplan>> {
    active_for(db.conn(), city_ids).await
}

/// The active masterplans of these cities, inside a transaction or on the pool.
pub(crate) async fn active_for<C: ConnectionTrait>(
    conn: &C,
    city_ids: &[Uuid],
) -> Result<Vec<Masterplan>> {
    let ids: Vec<String> = city_ids.iter().map(Uuid::to_string).collect();
    let plans = mp::Entity::find()
        .filter(mp::Column::CityId.is_in(ids))
        .filter(mp::Column::Active.eq(true))
        .all(conn)
        .await?;
    let plan_ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
    let mut prios: std::collections::HashMap<String, Vec<pr::Model>> = Default::default();
    for x in pr::Entity::find()
        .filter(pr::Column::MasterplanId.is_in(plan_ids))
        .all(conn)
        .await?
    {
        prios.entry(x.masterplan_id.clone()).or_default().push(x);
    }
    plans
        .into_iter()
        .map(|p| {
            let mine = prios.remove(&p.id).unwrap_or_default();
            crate::convert::masterplan(p, mine)
        })
        .collect()
}

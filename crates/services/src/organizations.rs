//! Investor organisations: referred by an embassy, verified or suspended by its liaisons.

use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::json;
use sinergi_domain::ConflictReason;
use sinergi_domain::{
    Actor, Error as Rule, FxTable, ProposalStatus, Role, VerificationStatus,
    model::{Organization, OrganizationProfile},
    permissions::{OrganizationScope, organization_scope},
};
use uuid::Uuid;

use crate::{
    Db, Result, codec,
    entities::{investor_organizations as org, projects, proposals},
    match_scores::{self, Scoring},
    page::{self, Key, Page},
    tx::Mutation,
};

/// The SQL condition of an organisation scope.
pub fn scope_condition(scope: OrganizationScope) -> Condition {
    match scope {
        OrganizationScope::All => Condition::all(),
        OrganizationScope::None => Condition::all().add(org::Column::Id.is_null()), // ids are never null: nothing
        OrganizationScope::Own(o) => Condition::all().add(org::Column::Id.eq(o.to_string())),
        OrganizationScope::Embassy(e) => {
            Condition::all().add(org::Column::EmbassyId.eq(e.to_string()))
        }
        OrganizationScope::VerifiedAndBiddersOf(c) => {
            let bidders = Query::select()
                .column((proposals::Entity, proposals::Column::OrganizationId))
                .from(proposals::Entity)
                .inner_join(
                    projects::Entity,
                    Expr::col((projects::Entity, projects::Column::Id))
                        .equals((proposals::Entity, proposals::Column::ProjectId)),
                )
                .and_where(
                    Expr::col((projects::Entity, projects::Column::CityId)).eq(c.to_string()),
                )
                .and_where(
                    Expr::col((proposals::Entity, proposals::Column::Status))
                        .ne(ProposalStatus::Draft.as_str()),
                )
                .to_owned();
            Condition::any()
                .add(org::Column::Verification.eq(VerificationStatus::Verified.as_str()))
                .add(org::Column::Id.in_subquery(bidders))
        }
    }
}

/// Organisations by id, as far as the scope lets the caller see them.
pub async fn by_ids(db: &Db, scope: OrganizationScope, ids: &[Uuid]) -> Result<Vec<Organization>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows = org::Entity::find()
        .filter(org::Column::Id.is_in(ids))
        .filter(scope_condition(scope))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

/// A page of an embassy's organisations that the caller may see.
pub async fn list_for_embassy(
    db: &Db,
    scope: OrganizationScope,
    embassy_id: Uuid,
    after: Option<&Key>,
    first: u64,
    count: bool,
) -> Result<Page<Organization>> {
    let q = org::Entity::find()
        .filter(org::Column::EmbassyId.eq(embassy_id.to_string()))
        .filter(scope_condition(scope));
    page::fetch(
        db.conn(),
        q,
        org::Column::CreatedAt,
        org::Column::Id,
        after,
        first,
        count,
    )
    .await?
    .try_map(Organization::try_from)
}

fn check_tickets(fx: &FxTable, p: &OrganizationProfile) -> Result<()> {
    let lo = p
        .ticket_min
        .as_ref()
        .map(|m| fx.usd(m, "input.ticketMin"))
        .transpose()?;
    let hi = p
        .ticket_max
        .as_ref()
        .map(|m| fx.usd(m, "input.ticketMax"))
        .transpose()?;
    if let (Some(lo), Some(hi)) = (lo, hi)
        && lo > hi
    {
        return Err(Rule::validation("input.ticketMax", "must not be below ticketMin").into());
    }
    Ok(())
}

fn apply(am: &mut org::ActiveModel, p: &OrganizationProfile) {
    am.name = Set(p.name.clone());
    am.country = Set(p.country.clone());
    am.description = Set(p.description.clone());
    am.website = Set(p.website.clone());
    am.sectors = Set(codec::sectors(&p.sectors));
    am.dimensions = Set(codec::dimensions(&p.dimensions));
    am.financing_models = Set(codec::financing(&p.financing_models));
    am.ticket_min_amount = Set(p.ticket_min.map(|m| m.plain_amount()));
    am.ticket_min_currency = Set(p.ticket_min.map(|m| m.currency().to_string()));
    am.ticket_max_amount = Set(p.ticket_max.map(|m| m.plain_amount()));
    am.ticket_max_currency = Set(p.ticket_max.map(|m| m.currency().to_string()));
}

/// Embassy liaisons onboard an organisation referred by their embassy, as PENDING.
pub async fn create(
    db: &Db,
    actor: &Actor,
    fx: &FxTable,
    profile: OrganizationProfile,
) -> Result<Organization> {
    let embassy_id = match (actor.role, actor.embassy_id) {
        (Role::EmbassyLiaison, Some(e)) => e,
        _ => return Err(Rule::Forbidden.into()),
    };
    let profile = profile.validate()?;
    check_tickets(fx, &profile)?;
    let m = Mutation::begin(db).await?;
    let dup = org::Entity::find()
        .filter(org::Column::EmbassyId.eq(embassy_id.to_string()))
        .filter(org::Column::Name.eq(&profile.name))
        .one(&m.txn)
        .await?;
    if dup.is_some() {
        return Err(Rule::conflict(
            ConflictReason::Duplicate,
            "this embassy already refers an organisation of that name",
        )
        .into());
    }
    let now = db.now();
    let id = Uuid::new_v4();
    let mut am = org::ActiveModel {
        id: Set(id.to_string()),
        embassy_id: Set(embassy_id.to_string()),
        verification: Set(VerificationStatus::Pending.as_str().into()),
        suspension_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &profile);
    let o = Organization::try_from(am.insert(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "organization.created",
        "organization",
        id,
        json!({"name": o.profile.name}),
    )
    .await?;
    Ok(o)
}

/// Investors update their own organisation's profile.
pub async fn update_profile(
    db: &Db,
    actor: &Actor,
    fx: &FxTable,
    profile: OrganizationProfile,
) -> Result<Organization> {
    let org_id = actor.require_investor()?;
    let profile = profile.validate()?;
    check_tickets(fx, &profile)?;
    let m = Mutation::begin(db).await?;
    let row = org::Entity::find_by_id(org_id.to_string())
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    let mut am = row.into_active_model();
    apply(&mut am, &profile);
    am.updated_at = Set(db.now());
    let o = Organization::try_from(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "organization.updated",
        "organization",
        org_id,
        json!({"name": o.profile.name}),
    )
    .await?;
    Ok(o)
}

/// Loads an organisation the caller may see and manage (its embassy's liaisons, admins).
pub(crate) async fn load_managed(m: &Mutation<'_>, actor: &Actor, id: Uuid) -> Result<org::Model> {
    let row = org::Entity::find_by_id(id.to_string())
        .filter(scope_condition(organization_scope(Some(actor))))
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    actor.require_embassy_of(codec::id(&row.embassy_id)?)?;
    Ok(row)
}

/// Verifies (or, with a reason, suspends) an organisation.
pub async fn set_verification(
    db: &Db,
    actor: &Actor,
    scoring: Scoring<'_>,
    id: Uuid,
    to: VerificationStatus,
    reason: Option<&str>,
) -> Result<Organization> {
    let reason = reason
        .map(|r| sinergi_domain::text::required("reason", r, 2000))
        .transpose()?;
    let mut m = Mutation::begin(db).await?;
    let row = load_managed(&m, actor, id).await?;
    sinergi_domain::organization::check_standing_change(
        codec::one(&row.verification, VerificationStatus::parse, "verification")?,
        to,
    )?;
    let mut am = row.into_active_model();
    am.verification = Set(to.as_str().into());
    am.suspension_reason = Set(reason.clone());
    am.updated_at = Set(db.now());
    let o = Organization::try_from(am.update(&m.txn).await?)?;
    // Standing is part of every score of the organisation's proposals.
    let ids = match_scores::ids_for_organization(&m.txn, &id.to_string()).await?;
    match_scores::rescore(&m.txn, scoring, &ids, m.now()).await?;
    let (action, kind, what) = if to == VerificationStatus::Verified {
        (
            "organization.verified",
            sinergi_domain::NotificationType::OrganizationVerified,
            "verified",
        )
    } else {
        (
            "organization.suspended",
            sinergi_domain::NotificationType::OrganizationSuspended,
            "suspended",
        )
    };
    m.notify(crate::notify::Notice {
        kind,
        entity_type: "organization",
        entity_id: id,
        targets: vec![
            crate::notify::Target::Organization(id),
            crate::notify::Target::Embassy(o.embassy_id),
            crate::notify::Target::Platform,
        ],
        title: format!("{} was {what}", o.profile.name),
        body: match &reason {
            Some(r) => format!("{} was {what}: {r}", o.profile.name),
            None => format!("{} was {what}.", o.profile.name),
        },
        data: json!({"organizationId": id, "verification": to.as_str()}),
    });
    m.commit(
        Some(actor.user_id),
        action,
        "organization",
        id,
        json!({"reason": reason}),
    )
    .await?;
    Ok(o)
}

/// Every VERIFIED organisation: the candidates of recommendations.
pub async fn verified(db: &Db) -> Result<Vec<Organization>> {
    let rows = org::Entity::find()
        .filter(org::Column::Verification.eq(VerificationStatus::Verified.as_str()))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

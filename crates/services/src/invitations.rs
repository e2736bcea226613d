//! Invitations: single-use codes, stored hashed, valid 14 days, that create an investor account.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;
use sinergi_domain::{
    Actor, Error as Rule, Role, VerificationStatus,
    model::{Invitation, User},
};
use uuid::Uuid;

use crate::{
    Db, Result, codec,
    entities::invitations as inv,
    organizations::load_managed,
    tx::Mutation,
    users::{NewUser, insert},
};

/// How long an invitation stays valid.
pub fn validity() -> Duration {
    Duration::days(14)
}

/// A liaison of the organisation's embassy (or an admin) invites a person by e-mail.
pub async fn invite(
    db: &Db,
    actor: &Actor,
    org_id: Uuid,
    email: &str,
    code_hash: String,
) -> Result<Invitation> {
    let email = sinergi_domain::text::email("email", email)?;
    let m = Mutation::begin(db).await?;
    let o = load_managed(&m, actor, org_id).await?;
    sinergi_domain::organization::check_invite(codec::one(
        &o.verification,
        VerificationStatus::parse,
        "verification",
    )?)?;
    let id = Uuid::new_v4();
    let now = db.now();
    let row = inv::ActiveModel {
        id: Set(id.to_string()),
        organization_id: Set(org_id.to_string()),
        email: Set(email.clone()),
        code_hash: Set(code_hash),
        expires_at: Set(now + validity()),
        accepted_at: Set(None),
        created_by: Set(actor.user_id.to_string()),
        created_at: Set(now),
    }
    .insert(&m.txn)
    .await?;
    let invitation = Invitation::try_from(row)?;
    m.commit(
        Some(actor.user_id),
        "invitation.created",
        "organization",
        org_id,
        json!({"invitation": id, "email": email}),
    )
    .await?;
    Ok(invitation)
}

/// Spends an invitation code: creates the investor's account in the organisation.
pub async fn accept(
    db: &Db,
    code_hash: &str,
    name: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<User> {
    let invalid = || Rule::validation("code", "invalid, used or expired invitation code");
    let m = Mutation::begin(db).await?;
    let row = inv::Entity::find()
        .filter(inv::Column::CodeHash.eq(code_hash))
        .one(&m.txn)
        .await?
        .ok_or_else(invalid)?;
    if row.accepted_at.is_some() || row.expires_at <= now {
        return Err(invalid().into());
    }
    let org_id = codec::id(&row.organization_id)?;
    let user = insert(
        &m,
        NewUser {
            email: row.email.clone(),
            name: name.into(),
            role: Role::Investor,
            password_hash,
            city_id: None,
            embassy_id: None,
            organization_id: Some(org_id),
        },
    )
    .await?;
    let inv_id = codec::id(&row.id)?;
    let mut am = row.into_active_model();
    am.accepted_at = Set(Some(db.now()));
    am.update(&m.txn).await?;
    m.commit(
        Some(user.id),
        "invitation.accepted",
        "organization",
        org_id,
        json!({"invitation": inv_id}),
    )
    .await?;
    Ok(user)
}

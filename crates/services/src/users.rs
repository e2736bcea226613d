//! User accounts and their sessions (refresh tokens).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use sinergi_domain::ConflictReason;
use sinergi_domain::{Actor, Error as Rule, Role, model::User};
use uuid::Uuid;

use crate::{
    Db, Error, Result,
    entities::{embassies, investor_organizations, refresh_tokens as rt, users},
    tx::Mutation,
};

/// A user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub city_id: Option<Uuid>,
    pub embassy_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
}

/// The user with this e-mail and their password hash, for signing in.
pub async fn find_for_login(db: &Db, email: &str) -> Result<Option<(User, String)>> {
    let row = users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db.conn())
        .await?;
    row.map(|r| {
        let hash = r.password_hash.clone();
        Ok((User::try_from(r)?, hash))
    })
    .transpose()
}

/// Users by id (signed-in callers, actors of audit events).
pub async fn get_many(db: &Db, ids: &[Uuid]) -> Result<Vec<User>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

/// How many accounts exist.
pub async fn count(db: &Db) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(users::Entity::find().count(db.conn()).await?)
}

/// One user by id.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<User>> {
    Ok(get_many(db, &[id]).await?.pop())
}

/// Inserts a user inside an open mutation, checking the role's links.
pub(crate) async fn insert(m: &Mutation<'_>, u: NewUser) -> Result<User> {
    let email = sinergi_domain::text::email("email", &u.email)?;
    let name = sinergi_domain::text::required("name", &u.name, 200)?;
    match u.role {
        Role::CityOfficial => {
            let c = u
                .city_id
                .ok_or_else(|| Rule::validation("cityId", "city officials need a city"))?;
            if !crate::places::city_exists(&m.txn, c).await? {
                return Err(Rule::validation("cityId", "no such city").into());
            }
        }
        Role::EmbassyLiaison => {
            let e = u
                .embassy_id
                .ok_or_else(|| Rule::validation("embassyId", "embassy liaisons need an embassy"))?;
            if embassies::Entity::find_by_id(e.to_string())
                .one(&m.txn)
                .await?
                .is_none()
            {
                return Err(Rule::validation("embassyId", "no such embassy").into());
            }
        }
        Role::Investor => {
            let o = u.organization_id.ok_or_else(|| {
                Rule::validation("organizationId", "investors need an organisation")
            })?;
            if investor_organizations::Entity::find_by_id(o.to_string())
                .one(&m.txn)
                .await?
                .is_none()
            {
                return Err(Rule::validation("organizationId", "no such organisation").into());
            }
        }
        Role::Admin => {}
    }
    if users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .one(&m.txn)
        .await?
        .is_some()
    {
        return Err(
            Rule::conflict(ConflictReason::Duplicate, "a user with this e-mail exists").into(),
        );
    }
    let keep = |role: Role, v: Option<Uuid>| {
        if u.role == role {
            v.map(|x| x.to_string())
        } else {
            None
        }
    };
    let row = users::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        email: Set(email),
        name: Set(name),
        role: Set(u.role.as_str().into()),
        password_hash: Set(u.password_hash),
        city_id: Set(keep(Role::CityOfficial, u.city_id)),
        embassy_id: Set(keep(Role::EmbassyLiaison, u.embassy_id)),
        organization_id: Set(keep(Role::Investor, u.organization_id)),
        created_at: Set(m.now()),
    }
    .insert(&m.txn)
    .await?;
    User::try_from(row)
}

/// Admins create city officials, embassy liaisons and other admins.
pub async fn create(db: &Db, actor: &Actor, u: NewUser) -> Result<User> {
    actor.require_admin()?;
    if u.role == Role::Investor {
        return Err(Rule::validation("role", "investors join through an invitation").into());
    }
    let m = Mutation::begin(db).await?;
    let user = insert(&m, u).await?;
    let payload = json!({"email": user.email, "role": user.role.as_str()});
    m.commit(
        Some(actor.user_id),
        "user.created",
        "user",
        user.id,
        payload,
    )
    .await?;
    Ok(user)
}

/// Creates the admin unless a user with this e-mail exists; says whether it created one.
pub async fn ensure_admin(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: String,
) -> Result<(User, bool)> {
    let email = sinergi_domain::text::email("email", email)?;
    if let Some((user, _)) = find_for_login(db, &email).await? {
        return Ok((user, false));
    }
    let m = Mutation::begin(db).await?;
    let user = insert(
        &m,
        NewUser {
            email,
            name: name.into(),
            role: Role::Admin,
            password_hash,
            city_id: None,
            embassy_id: None,
            organization_id: None,
        },
    )
    .await?;
    m.commit(
        None,
        "user.created",
        "user",
        user.id,
        json!({"email": user.email, "role": "ADMIN"}),
    )
    .await?;
    Ok((user, true))
}

/// Records a sign-in and stores the new session's first refresh token (hashed).
pub async fn start_session(
    db: &Db,
    user_id: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let m = Mutation::begin(db).await?;
    let family = Uuid::new_v4();
    insert_token(&m, user_id, family, token_hash, expires_at).await?;
    m.commit(
        Some(user_id),
        "user.signed_in",
        "user",
        user_id,
        json!({"session": family}),
    )
    .await
}

async fn insert_token(
    m: &Mutation<'_>,
    user_id: Uuid,
    family: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    rt::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        user_id: Set(user_id.to_string()),
        family_id: Set(family.to_string()),
        token_hash: Set(token_hash),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(m.now()),
    }
    .insert(&m.txn)
    .await?;
    Ok(())
}

async fn revoke_family(db: &Db, family: &str) -> Result<()> {
    let txn = db.begin_write().await?;
    rt::Entity::update_many()
        .col_expr(
            rt::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(db.now()),
        )
        .filter(rt::Column::FamilyId.eq(family))
        .filter(rt::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Spends a refresh token and stores its successor in the same family. A token used twice
/// revokes its whole family: whoever holds a stolen copy loses the session too.
pub async fn rotate_session(
    db: &Db,
    old_hash: &str,
    new_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<User> {
    let m = Mutation::begin(db).await?;
    let row = rt::Entity::find()
        .filter(rt::Column::TokenHash.eq(old_hash))
        .one(&m.txn)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let now = db.now();
    if row.used_at.is_some() || row.revoked_at.is_some() {
        drop(m);
        revoke_family(db, &row.family_id).await?;
        tracing::warn!(family = %row.family_id, "refresh token reused: session revoked");
        return Err(Error::Unauthenticated);
    }
    if row.expires_at <= now {
        return Err(Error::Unauthenticated);
    }
    // Spend it only if nobody spent it meanwhile (two refreshes racing).
    let spent = rt::Entity::update_many()
        .col_expr(rt::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(rt::Column::Id.eq(&row.id))
        .filter(rt::Column::UsedAt.is_null())
        .exec(&m.txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(Error::Unauthenticated);
    }
    let user_id = crate::codec::id(&row.user_id)?;
    let family = crate::codec::id(&row.family_id)?;
    let user = get(db, user_id).await?.ok_or(Error::Unauthenticated)?;
    insert_token(&m, user_id, family, new_hash, expires_at).await?;
    m.commit(
        Some(user_id),
        "user.session_refreshed",
        "user",
        user_id,
        json!({"session": family}),
    )
    .await?;
    Ok(user)
}

/// Revokes the session a refresh token belongs to; says whether there was one.
pub async fn end_session(db: &Db, token_hash: &str) -> Result<bool> {
    let Some(row) = rt::Entity::find()
        .filter(rt::Column::TokenHash.eq(token_hash))
        .one(db.conn())
        .await?
    else {
        return Ok(false);
    };
    let m = Mutation::begin(db).await?;
    rt::Entity::update_many()
        .col_expr(
            rt::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(db.now()),
        )
        .filter(rt::Column::FamilyId.eq(&row.family_id))
        .filter(rt::Column::RevokedAt.is_null())
        .exec(&m.txn)
        .await?;
    let user_id = crate::codec::id(&row.user_id)?;
    m.commit(
        Some(user_id),
        "user.signed_out",
        "user",
        user_id,
        json!({"session": row.family_id}),
    )
    .await?;
    Ok(true)
}

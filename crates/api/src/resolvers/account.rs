//! Signing in and out, and the accounts admins create.

use async_graphql::{Context, ID, Object};
use sinergi_domain::model;
use sinergi_services::{places, users};

use crate::{
    auth::{
        self, REFRESH_TTL, check_password, hash_password, random_token, token_hash, verify_password,
    },
    error::{ApiError, Result},
    state::{ApiState, address, require, state},
    types::{
        common::GeoPointInput,
        enums::Role,
        parse_id,
        place::{City, Embassy},
        user::{AuthPayload, User},
    },
};

/// Signs a user in: a fresh access token and the given refresh token.
fn payload(st: &ApiState, user: model::User, refresh_token: String) -> Result<AuthPayload> {
    let (access_token, expires_at) = st.keys.issue(&user.actor())?;
    Ok(AuthPayload {
        access_token,
        refresh_token,
        expires_at,
        user: User(user),
    })
}

/// Starts a session for a user who just proved who they are.
pub(crate) async fn start_session(st: &ApiState, user: model::User) -> Result<AuthPayload> {
    let refresh = random_token();
    users::start_session(
        &st.db,
        user.id,
        token_hash(&refresh),
        st.now() + REFRESH_TTL,
    )
    .await?;
    payload(st, user, refresh)
}

/// Sign-in, sessions and admin-made accounts.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let st = state(ctx);
        let email = email.trim().to_lowercase();
        st.limiter.check(&st.db, &email, address(ctx)).await?;
        let found = users::find_for_login(&st.db, &email).await?;
        let (user, hash) = match found {
            Some((u, h)) => (Some(u), Some(h)),
            None => (None, None),
        };
        if !verify_password(password, hash).await {
            return Err(ApiError::BadCredentials);
        }
        let user = user.ok_or(ApiError::BadCredentials)?;
        st.limiter.succeeded(&st.db, &email).await?;
        start_session(st, user).await
    }

    /// Rotates: the old refresh token stops working; reusing it revokes the whole session.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let st = state(ctx);
        let next = random_token();
        let user = users::rotate_session(
            &st.db,
            &token_hash(&refresh_token),
            token_hash(&next),
            state(ctx).now() + REFRESH_TTL,
        )
        .await?;
        payload(st, user, next)
    }

    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        Ok(users::end_session(&state(ctx).db, &auth::token_hash(&refresh_token)).await?)
    }

    /// Admins.
    #[allow(clippy::too_many_arguments)] // the contract's arguments, one each
    async fn create_city(
        &self,
        ctx: &Context<'_>,
        name: String,
        province: String,
        #[graphql(default = "ID")] country: String,
        #[graphql(default = "Asia/Jakarta")] time_zone: String,
        location: Option<GeoPointInput>,
        population: Option<i32>,
    ) -> Result<City> {
        let a = require(ctx)?;
        let c = places::NewCity {
            name,
            province,
            country,
            time_zone,
            location: location.map(|l| (l.lat, l.lng)),
            population,
        };
        Ok(City(places::create_city(&state(ctx).db, a, c).await?))
    }

    async fn create_embassy(
        &self,
        ctx: &Context<'_>,
        country: String,
        name: String,
    ) -> Result<Embassy> {
        let a = require(ctx)?;
        Ok(Embassy(
            places::create_embassy(&state(ctx).db, a, &country, &name).await?,
        ))
    }

    /// Admins create city officials and embassy liaisons.
    #[allow(clippy::too_many_arguments)] // the contract's arguments, one each
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        email: String,
        name: String,
        password: String,
        role: Role,
        city_id: Option<ID>,
        embassy_id: Option<ID>,
    ) -> Result<User> {
        let a = require(ctx)?;
        // The service decides this; asked here too only so that nobody but an admin can make
        // the server spend an argon2id hash (~50 ms of CPU) before being refused.
        a.require_admin()?;
        check_password("password", &password)?;
        let city_id = city_id
            .as_ref()
            .map(|c| parse_id("cityId", c))
            .transpose()?;
        let embassy_id = embassy_id
            .as_ref()
            .map(|e| parse_id("embassyId", e))
            .transpose()?;
        let password_hash = hash_password(password).await?;
        let u = users::NewUser {
            email,
            name,
            role: role.into(),
            password_hash,
            city_id,
            embassy_id,
            organization_id: None,
        };
        Ok(User(users::create(&state(ctx).db, a, u).await?))
    }
}

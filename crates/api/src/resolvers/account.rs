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
    /// Signs in with an e-mail and password. A wrong e-mail or password is UNAUTHENTICATED ("wrong e-mail or password", the same for both); 10 attempts per account and 50 per address per 15 minutes, then RATE_LIMITED with retryAfterSeconds.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The e-mail address, in any case.")] email: String,
        #[graphql(desc = "The password.")] password: String,
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
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token of the last AuthPayload.")] refresh_token: String,
    ) -> Result<AuthPayload> {
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

    /// Ends the session of this refresh token: it and its access tokens' refresh stop working. True when a session ended.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token of the session to end.")] refresh_token: String,
    ) -> Result<bool> {
        Ok(users::end_session(&state(ctx).db, &auth::token_hash(&refresh_token)).await?)
    }

    /// Admins.
    #[allow(clippy::too_many_arguments)] // the contract's arguments, one each
    async fn create_city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's name, e.g. 'Kota Ambon'.")] name: String,
        #[graphql(desc = "Its province, e.g. 'Maluku'.")] province: String,
        #[graphql(desc = "ISO 3166-1 alpha-2 country code; ID when null or left out.")]
        country: Option<String>,
        #[graphql(
            desc = "IANA time zone, e.g. Asia/Jayapura (VALIDATION for an unknown one); Asia/Jakarta when null or left out."
        )]
        time_zone: Option<String>,
        #[graphql(desc = "Where it is on the map.")] location: Option<GeoPointInput>,
        #[graphql(desc = "Inhabitants, 0 or more.")] population: Option<i32>,
    ) -> Result<City> {
        let a = require(ctx)?;
        let c = places::NewCity {
            name,
            province,
            // No SDL defaults: schema.graphql keeps every argument's description, which the
            // contract checker cannot read after a string default.
            country: country.unwrap_or_else(|| "ID".into()),
            time_zone: time_zone.unwrap_or_else(|| "Asia/Jakarta".into()),
            location: location.map(|l| (l.lat, l.lng)),
            population,
        };
        Ok(City(places::create_city(&state(ctx).db, a, c).await?))
    }

    /// Admins. Adds the embassy of a country.
    async fn create_embassy(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The country it represents, ISO 3166-1 alpha-2 (one embassy per country: CONFLICT, reason DUPLICATE)."
        )]
        country: String,
        #[graphql(desc = "Its name.")] name: String,
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
        #[graphql(desc = "E-mail address to sign in with; CONFLICT DUPLICATE when taken.")]
        email: String,
        #[graphql(desc = "Display name.")] name: String,
        #[graphql(desc = "At least 10 characters.")] password: String,
        #[graphql(desc = "CITY_OFFICIAL or EMBASSY_LIAISON (investors join by invitation).")] role: Role,
        #[graphql(desc = "The city, for a CITY_OFFICIAL.")] city_id: Option<ID>,
        #[graphql(desc = "The embassy, for an EMBASSY_LIAISON.")] embassy_id: Option<ID>,
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

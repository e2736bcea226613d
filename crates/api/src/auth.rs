//! Authentication: argon2id passwords, short-lived JWTs with rotating keys, opaque refresh
//! tokens stored hashed, and the login rate limit.

use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sinergi_domain::{Actor, Role};
use uuid::Uuid;

use crate::error::ApiError;

/// How long an access token lives.
pub const ACCESS_TTL: chrono::Duration = chrono::Duration::minutes(15);
/// How long a refresh token lives.
pub const REFRESH_TTL: chrono::Duration = chrono::Duration::days(30);
const ISSUER: &str = "sinergi";
const AUDIENCE: &str = "sinergi-api";

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (argon2id, random salt) on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| ApiError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::Internal
    })
}

/// Checks a password against a stored hash on a blocking thread; `None` checks it against
/// [`DUMMY_HASH`] so an unknown e-mail costs the same time as a wrong password.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match &hash {
            Some(h) => (h.as_str(), true),
            None => (DUMMY_HASH, false),
        };
        argon2().verify_password(password.as_bytes(), hash).is_ok()
            && hash.starts_with("$argon2id$")
            && real
    })
    .await
    .unwrap_or(false)
}

/// An argon2id hash with [`argon2`]'s parameters (a test holds them equal) of a password no
/// account has: a constant, so the dummy check can never be a cheap empty one.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$h4V8roS0Oup7JUzOBMAWRQ$oIOE+9d/Dpz2Ldg3JBRQvs+khwVw8UR0zfsfdkNY51M";

/// Checks a new password's strength.
pub fn check_password(field: &str, password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(10..=200).contains(&n) {
        return Err(ApiError::validation(field, "must be 10 to 200 characters"));
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    exp: i64,
    iat: i64,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embassy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<String>,
}

/// The HMAC keys that sign and verify access tokens. The first signs; all verify, so a key
/// that was rotated out keeps working for the tokens it signed until they expire.
#[derive(Clone)]
pub struct JwtKeys {
    keys: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kids", &self.keys.iter().map(|k| &k.0).collect::<Vec<_>>())
            .finish()
    }
}

/// The key id of a secret: the start of its SHA-256, so it names the key without revealing it.
pub fn kid(secret: &[u8]) -> String {
    hex::encode(&Sha256::digest(secret)[..6])
}

impl JwtKeys {
    /// The current secret first, then previous ones still accepted.
    pub fn new(current: &[u8], previous: &[Vec<u8>]) -> Self {
        let mut keys = vec![(kid(current), current.to_vec())];
        keys.extend(previous.iter().map(|s| (kid(s), s.clone())));
        Self { keys }
    }

    /// Signs an access token for a user; returns it and its expiry.
    pub fn issue(&self, actor: &Actor) -> Result<(String, DateTime<Utc>), ApiError> {
        let now = Utc::now();
        let exp = now + ACCESS_TTL;
        let claims = Claims {
            sub: actor.user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: exp.timestamp(),
            iat: now.timestamp(),
            role: actor.role.as_str().into(),
            city: actor.city_id.map(|x| x.to_string()),
            embassy: actor.embassy_id.map(|x| x.to_string()),
            org: actor.organization_id.map(|x| x.to_string()),
        };
        let (kid, secret) = &self.keys[0];
        let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(kid.clone());
        let token = encode(&header, &claims, &EncodingKey::from_secret(secret)).map_err(|e| {
            tracing::error!(error = %e, "signing failed");
            ApiError::Internal
        })?;
        Ok((token, exp))
    }

    /// Verifies an access token: HS256 only, a known `kid`, and exp, iat, iss, aud, sub.
    pub fn verify(&self, token: &str) -> Result<Actor, ApiError> {
        let header = decode_header(token).map_err(|_| ApiError::Unauthenticated)?;
        if header.alg != jsonwebtoken::Algorithm::HS256 {
            return Err(ApiError::Unauthenticated);
        }
        let kid = header.kid.ok_or(ApiError::Unauthenticated)?;
        let (_, secret) = self
            .keys
            .iter()
            .find(|(k, _)| *k == kid)
            .ok_or(ApiError::Unauthenticated)?;
        let mut v = Validation::new(jsonwebtoken::Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        v.leeway = 5;
        let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &v)
            .map_err(|_| ApiError::Unauthenticated)?;
        let c = data.claims;
        if c.iat > Utc::now().timestamp() + 5 {
            return Err(ApiError::Unauthenticated);
        }
        let id = |s: Option<String>| -> Result<Option<Uuid>, ApiError> {
            s.map(|s| Uuid::parse_str(&s).map_err(|_| ApiError::Unauthenticated))
                .transpose()
        };
        Ok(Actor {
            user_id: Uuid::parse_str(&c.sub).map_err(|_| ApiError::Unauthenticated)?,
            role: Role::parse(&c.role).ok_or(ApiError::Unauthenticated)?,
            city_id: id(c.city)?,
            embassy_id: id(c.embassy)?,
            organization_id: id(c.org)?,
        })
    }
}

/// A random opaque token (refresh tokens, invitation codes): 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// How an opaque token is stored: its SHA-256 (the token has 256 bits of entropy, so no salt
/// or slow hash is needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fixed-window limit on login attempts per account and per client address, counted in the
/// database ([`sinergi_services::login_attempts`]) so that it holds across every replica: N
/// servers on one database give an attacker the limit once, not N times.
///
/// Not the governor crate: its state lives in one process.
#[derive(Debug)]
pub struct LoginLimiter {
    window: Duration,
    per_account: u32,
    per_address: u32,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 10, 50)
    }
}

impl LoginLimiter {
    /// A limiter allowing `per_account` and `per_address` attempts per `window`.
    pub fn new(window: Duration, per_account: u32, per_address: u32) -> Self {
        Self {
            window,
            per_account,
            per_address,
        }
    }

    fn window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::minutes(15))
    }

    /// Counts an attempt; refuses with the seconds to wait once either limit is reached.
    pub async fn check(
        &self,
        db: &sinergi_services::Db,
        account: &str,
        address: &str,
    ) -> Result<(), ApiError> {
        let window = self.window();
        let mut worst: Option<u64> = None;
        for (bucket, limit) in [
            (format!("a:{account}"), self.per_account),
            (format!("ip:{address}"), self.per_address),
        ] {
            let (attempts, start) =
                sinergi_services::login_attempts::count(db, &bucket, window).await?;
            if attempts > limit {
                let wait = (start + window - db.now()).num_seconds().max(1) as u64;
                worst = Some(worst.map_or(wait, |w| w.max(wait)));
            }
        }
        match worst {
            Some(retry_after_seconds) => Err(ApiError::RateLimited {
                retry_after_seconds,
            }),
            None => Ok(()),
        }
    }

    /// Forgets an account's failures after it signed in.
    pub async fn succeeded(
        &self,
        db: &sinergi_services::Db,
        account: &str,
    ) -> Result<(), ApiError> {
        sinergi_services::login_attempts::clear(db, &format!("a:{account}")).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dummy_hash_costs_what_a_real_one_does_and_admits_nobody() {
        let dummy = argon2::PasswordHash::new(DUMMY_HASH).expect("a PHC string");
        let params = Params::try_from(&dummy).expect("argon2 parameters");
        let ours = argon2();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (
                ours.params().m_cost(),
                ours.params().t_cost(),
                ours.params().p_cost()
            )
        );
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        assert!(!verify_password("sinergi: no account has this password".into(), None).await);
        let real = hash_password("a real password 1".into())
            .await
            .expect("hash");
        assert!(verify_password("a real password 1".into(), Some(real)).await);
    }

    fn actor() -> Actor {
        Actor {
            user_id: Uuid::new_v4(),
            role: Role::Admin,
            city_id: None,
            embassy_id: None,
            organization_id: None,
        }
    }

    #[test]
    fn a_token_signed_by_a_rotated_key_still_verifies() {
        let old = JwtKeys::new(b"old-secret-old-secret-old-secret", &[]);
        let (token, _) = old.issue(&actor()).expect("issue");
        let new = JwtKeys::new(
            b"new-secret-new-secret-new-secret",
            &[b"old-secret-old-secret-old-secret".to_vec()],
        );
        assert!(new.verify(&token).is_ok());
        let dropped = JwtKeys::new(b"new-secret-new-secret-new-secret", &[]);
        assert_eq!(dropped.verify(&token), Err(ApiError::Unauthenticated));
    }
}

//! Tokens: forged, expired, replayed; refresh rotation; the login rate limit.

use chrono::Utc;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code, ext};

const LOGIN: &str = "mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken refreshToken expiresAt user{email role}}}";
const REFRESH: &str =
    "mutation($t:String!){refreshToken(refreshToken:$t){accessToken refreshToken}}";

fn forge(secret: &[u8], kid: &str, alg: jsonwebtoken::Algorithm, claims: Value) -> String {
    let mut h = Header::new(alg);
    h.kid = Some(kid.to_owned());
    encode(&h, &claims, &EncodingKey::from_secret(secret)).expect("encode")
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let me = "{me{email}}";
    assert_eq!(
        app.ok(Some(&token), me, json!({})).await["me"]["email"],
        "admin@test.example"
    );

    let secret = app.config.jwt_secret.clone().expect("secret");
    let kid = sinergi_api::auth::kid(&secret);
    let now = Utc::now().timestamp();
    let claims = |exp: i64, aud: &str| json!({"sub": uuid::Uuid::new_v4().to_string(), "iss": "sinergi", "aud": aud, "exp": exp, "iat": now - 10, "role": "ADMIN"});
    let mut bad = vec![
        (
            "expired",
            forge(
                &secret,
                &kid,
                jsonwebtoken::Algorithm::HS256,
                claims(now - 60, "sinergi-api"),
            ),
        ),
        (
            "wrong audience",
            forge(
                &secret,
                &kid,
                jsonwebtoken::Algorithm::HS256,
                claims(now + 600, "other-api"),
            ),
        ),
        (
            "wrong key",
            forge(
                b"another-secret-another-secret-0000",
                &kid,
                jsonwebtoken::Algorithm::HS256,
                claims(now + 600, "sinergi-api"),
            ),
        ),
        (
            "other algorithm",
            forge(
                &secret,
                &kid,
                jsonwebtoken::Algorithm::HS512,
                claims(now + 600, "sinergi-api"),
            ),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];
    // alg=none: a header and claims with an empty signature.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{}.",
        b64.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string()),
        b64.encode(claims(now + 600, "sinergi-api").to_string())
    );
    bad.push(("alg none", none));
    // A real token with one character of its payload changed.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload = parts[1].clone().into_bytes();
    payload[5] = if payload[5] == b'A' { b'B' } else { b'A' };
    parts[1] = String::from_utf8(payload).expect("utf8");
    bad.push(("tampered", parts.join(".")));
    for (what, t) in bad {
        let r = app.gql(Some(&t), me, json!({})).await;
        assert_eq!(code(&r), "UNAUTHENTICATED", "{what}: {r}");
        assert_eq!(r["data"], Value::Null, "{what}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_replayed_refresh_token_revokes_the_whole_session() {
    let app = TestApp::spawn().await;
    app.admin_token().await;
    let d = app
        .ok(
            None,
            LOGIN,
            json!({"e": "admin@test.example", "p": "admin-password-1"}),
        )
        .await;
    assert_eq!(d["login"]["user"]["role"], "ADMIN");
    let r0 = d["login"]["refreshToken"].as_str().expect("r0").to_owned();
    let d = app.ok(None, REFRESH, json!({"t": r0})).await;
    let r1 = d["refreshToken"]["refreshToken"]
        .as_str()
        .expect("r1")
        .to_owned();
    assert_ne!(r0, r1);
    // Replaying the spent token fails, and takes its successor down with it.
    let r = app.gql(None, REFRESH, json!({"t": r0})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let r = app.gql(None, REFRESH, json!({"t": r1})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "the family was revoked");
    // Logging out ends a fresh session.
    let d = app
        .ok(
            None,
            LOGIN,
            json!({"e": "admin@test.example", "p": "admin-password-1"}),
        )
        .await;
    let r2 = d["login"]["refreshToken"].as_str().expect("r2").to_owned();
    assert_eq!(
        app.ok(
            None,
            "mutation($t:String!){logout(refreshToken:$t)}",
            json!({"t": r2})
        )
        .await["logout"],
        true
    );
    let r = app.gql(None, REFRESH, json!({"t": r2})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    app.stop().await;
}

#[tokio::test]
async fn wrong_passwords_are_refused_and_then_rate_limited() {
    let app = TestApp::spawn().await;
    app.admin_token().await;
    let r = app
        .gql(
            None,
            LOGIN,
            json!({"e": "nobody@test.example", "p": "whatever-123"}),
        )
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let mut last = Value::Null;
    for _ in 0..11 {
        last = app
            .gql(
                None,
                LOGIN,
                json!({"e": "admin@test.example", "p": "wrong-password"}),
            )
            .await;
    }
    assert_eq!(code(&last), "RATE_LIMITED");
    assert!(ext(&last)["retryAfterSeconds"].as_u64().expect("retry") > 0);
    // Even the right password waits now.
    let r = app
        .gql(
            None,
            LOGIN,
            json!({"e": "admin@test.example", "p": "admin-password-1"}),
        )
        .await;
    assert_eq!(code(&r), "RATE_LIMITED");
    app.stop().await;
}

/// The limit is counted in the database: a second server process (`sinergi serve`) on the same
/// database sees the attempts made through the first, so N replicas do not give N limits.
#[tokio::test]
async fn the_login_limit_holds_across_two_server_processes_on_one_database() {
    let app = TestApp::spawn().await;
    app.admin_token().await;
    let (_second, other) = crate::helpers::second_server(&app, &[]);
    let http = reqwest::Client::new();
    let wrong =
        json!({"query": LOGIN, "variables": {"e": "admin@test.example", "p": "wrong-password"}});
    // Ten attempts, alternating between the two processes: each saw only five.
    for i in 0..10 {
        let r: Value = if i % 2 == 0 {
            app.gql(None, LOGIN, wrong["variables"].clone()).await
        } else {
            http.post(&other)
                .json(&wrong)
                .send()
                .await
                .expect("send")
                .json()
                .await
                .expect("json")
        };
        assert_eq!(code(&r), "UNAUTHENTICATED", "attempt {i}: {r}");
    }
    for (name, r) in [
        ("second", {
            http.post(&other)
                .json(&wrong)
                .send()
                .await
                .expect("send")
                .json::<Value>()
                .await
                .expect("json")
        }),
        (
            "first",
            app.gql(None, LOGIN, wrong["variables"].clone()).await,
        ),
    ] {
        assert_eq!(code(&r), "RATE_LIMITED", "the {name} process: {r}");
        assert!(ext(&r)["retryAfterSeconds"].as_u64().expect("retry") > 0);
    }
    app.stop().await;
}

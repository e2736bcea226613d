//! GraphQL over HTTP, as the GraphQL Foundation's spec lays it out: POST with a JSON body, GET
//! for queries only, the response's media type negotiated from `Accept`
//! (`application/graphql-response+json` or `application/json`), and request errors answered
//! without `data` (400 when the client accepts `application/graphql-response+json`). GraphiQL is
//! served only to a browser asking for HTML without a query.

use std::collections::HashMap;
use std::net::SocketAddr;

use async_graphql::{BatchRequest, BatchResponse};
use axum::{
    body::Bytes,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value};
use sinergi_api::{
    ApiError, Caller,
    document::{Method, NotOverGet},
    error::Code,
};

use crate::app::App;

/// The media type of a GraphQL response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::Json => "application/json; charset=utf-8",
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// The response type the client prefers by its `Accept` (RFC 9110, 12.5.1): the highest
/// quality wins; at equal quality `application/graphql-response+json` before
/// `application/json` before a wildcard. No `Accept` means `application/json`; `None` when the
/// client accepts neither.
pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let accept: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .collect();
    if accept.is_empty() {
        return Some(Media::Json);
    }
    let mut best: Option<(u16, u8, Media)> = None;
    for range in accept.iter().flat_map(|v| v.split(',')) {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, v)| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // Qualities have at most three decimals: compared as thousandths.
        let q = (q.clamp(0.0, 1.0) * 1000.0).round() as u16;
        if q == 0 {
            continue;
        }
        let (rank, m) = match media.as_str() {
            "application/graphql-response+json" => (2, Media::GraphqlResponse),
            "application/json" => (1, Media::Json),
            "application/*" | "*/*" => (0, Media::Json),
            _ => continue,
        };
        if best.is_none_or(|(bq, br, _)| (q, rank) > (bq, br)) {
            best = Some((q, rank, m));
        }
    }
    best.map(|(_, _, m)| m)
}

/// Whether a browser is asking for a page.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"))
}

/// A request refused before GraphQL runs it, in the API's one error vocabulary.
pub fn error_body(status: StatusCode, e: ApiError) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, Media::Json.content_type())],
        e.body(),
    )
        .into_response()
}

fn not_acceptable() -> Response {
    error_body(
        StatusCode::NOT_ACCEPTABLE,
        ApiError::validation(
            "Accept",
            "responses are application/graphql-response+json or application/json",
        ),
    )
}

/// Decodes the bearer token once, at the edge.
fn caller(app: &App, headers: &HeaderMap, addr: SocketAddr) -> Caller {
    let mut c = Caller {
        actor: None,
        address: addr.ip().to_string(),
        bad_token: false,
    };
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        // "Bearer" in any case: auth schemes are case-insensitive (RFC 9110, 11.1).
        let token = v
            .to_str()
            .ok()
            .and_then(|s| s.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token);
        match token {
            Some(token) => match app.state.keys.verify(token.trim()) {
                Ok(a) => c.actor = Some(a),
                Err(_) => c.bad_token = true,
            },
            None => c.bad_token = true,
        }
    }
    c
}

/// POST /graphql. Written against axum directly rather than async-graphql-axum's
/// `GraphQLBatchRequest` extractor, for what the extractor cannot do: its rejections are
/// plain-text 400s without a contract code (ours are GraphQL JSON through `ApiError::body`), and
/// the caller must be decoded and a batch over the limit refused before the schema runs.
pub async fn post(
    State(app): State<App>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    // Only JSON bodies: a browser on any origin may send text/plain (or no type) without a
    // preflight, which would let any page drive logins and their rate limit cross-site.
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return error_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::validation("Content-Type", "a GraphQL POST must be application/json"),
        );
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::TooComplex("request body over 1 MiB".into()),
            );
        }
        Err(_) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                ApiError::validation("body", "unreadable request body"),
            );
        }
    };
    let req: BatchRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                ApiError::validation("body", "must be a GraphQL request in JSON"),
            );
        }
    };
    if let Some(refused) = missing_query(&req) {
        return refused;
    }
    run(&app, caller(&app, &headers, addr), req, media, Method::Post).await
}

/// A request without a document (`query`) that is not a persisted query's hash: 400.
fn missing_query(req: &BatchRequest) -> Option<Response> {
    req.iter()
        .any(|r| r.query.is_empty() && !r.extensions.contains_key("persistedQuery"))
        .then(|| {
            error_body(
                StatusCode::BAD_REQUEST,
                ApiError::validation("query", "a GraphQL request carries its document in `query`"),
            )
        })
}

/// GET /graphql: a query in the URL (`query`, `operationName`, and `variables` and
/// `extensions` as JSON), which a CDN may cache; never a mutation. A browser asking for HTML
/// without a query gets GraphiQL, when it is on.
pub async fn get(
    State(app): State<App>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_body(
            StatusCode::BAD_REQUEST,
            ApiError::validation("query string", "must be URL-encoded parameters"),
        );
    };
    let asks_graphql = params.contains_key("query") || params.contains_key("extensions");
    if !asks_graphql && wants_html(&headers) {
        if !app.config.graphiql {
            return (StatusCode::NOT_FOUND, "GraphiQL is switched off").into_response();
        }
        return app.graphiql.page();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let mut fields = Map::new();
    fields.insert(
        "query".into(),
        Value::String(params.get("query").cloned().unwrap_or_default()),
    );
    if let Some(name) = params.get("operationName") {
        fields.insert("operationName".into(), Value::String(name.clone()));
    }
    for key in ["variables", "extensions"] {
        if let Some(text) = params.get(key) {
            match serde_json::from_str::<Value>(text) {
                Ok(v @ (Value::Object(_) | Value::Null)) => {
                    fields.insert(key.into(), v);
                }
                _ => {
                    return error_body(
                        StatusCode::BAD_REQUEST,
                        ApiError::validation(key, "must be a JSON object"),
                    );
                }
            }
        }
    }
    let req: async_graphql::Request = match serde_json::from_value(Value::Object(fields)) {
        Ok(r) => r,
        Err(_) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                ApiError::validation("query string", "not a GraphQL request"),
            );
        }
    };
    let req = BatchRequest::Single(req);
    if let Some(refused) = missing_query(&req) {
        return refused;
    }
    let mut r = run(&app, caller(&app, &headers, addr), req, media, Method::Get).await;
    r.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    r
}

/// Whether a response is a request error: refused before execution began, so it has no data
/// (GraphQL spec 7.1.2) — a parse, validation, limit or variable error, or a refused token.
fn request_error(resp: &async_graphql::Response) -> bool {
    resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty())
}

async fn run(app: &App, who: Caller, req: BatchRequest, media: Media, method: Method) -> Response {
    let resp =
        match sinergi_api::execute(&app.schema, &app.state, who, req, app.limits.batch, method)
            .await
        {
            Ok(r) => r,
            Err(NotOverGet) => {
                let mut r = error_body(
                    StatusCode::METHOD_NOT_ALLOWED,
                    ApiError::validation("query", "a mutation must be sent with POST"),
                );
                r.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                return r;
            }
        };
    respond(resp, media)
}

fn respond(resp: BatchResponse, media: Media) -> Response {
    let refused = match &resp {
        BatchResponse::Single(r) if request_error(r) => Some(
            r.errors
                .first()
                .and_then(|e| e.extensions.as_ref())
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from(Code::Unauthenticated.as_str())),
        ),
        _ => None,
    };
    // Written straight to text; only a request error goes through a JSON tree, to drop `data`.
    let body = match refused {
        None => serde_json::to_string(&resp),
        Some(_) => serde_json::to_value(&resp).and_then(|mut v| {
            if let Some(m) = v.as_object_mut() {
                m.remove("data");
            }
            serde_json::to_string(&v)
        }),
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not serialise a response");
            return error_body(StatusCode::INTERNAL_SERVER_ERROR, ApiError::Internal);
        }
    };
    // With application/json a request error is still 200 (the spec, for older clients); with
    // application/graphql-response+json its status says what it is.
    let status = match (media, refused) {
        (Media::GraphqlResponse, Some(true)) => StatusCode::UNAUTHORIZED,
        (Media::GraphqlResponse, Some(false)) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let mut r = (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response();
    // Headers the resolvers set (the search engine's time, as Server-Timing).
    for (name, value) in resp.http_headers_iter() {
        r.headers_mut().append(name, value);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> Option<Media> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).expect("header"));
        negotiate(&h)
    }

    #[test]
    fn accept_is_negotiated_by_quality_then_specificity() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(
            accept("application/graphql-response+json, application/json"),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(Media::Json)
        );
        assert_eq!(
            accept("text/html, application/graphql-response+json;q=0.9"),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(accept("application/json;q=0"), None);
        assert_eq!(accept("text/html"), None);
    }
}

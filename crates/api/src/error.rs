//! Every error a client can see, mapped in one place to one stable code of the contract, and
//! the one place that writes an error as GraphQL JSON: resolvers return [`ApiError`], errors
//! async-graphql raises itself get a [`Code`] through [`coded`], and the server's HTTP-level
//! refusals (an unreadable body, say) use [`ApiError::body`].

use async_graphql::{ErrorExtensions, Pos, ServerError};
use sinergi_domain::{ConflictReason, Error as Rule};

/// The contract's error codes (`extensions.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    RateLimited,
    Unavailable,
    QueryTooComplex,
    Internal,
}

impl Code {
    /// Every code, in the contract's order.
    pub const ALL: &'static [Code] = &[
        Code::Unauthenticated,
        Code::Forbidden,
        Code::NotFound,
        Code::Validation,
        Code::Conflict,
        Code::RateLimited,
        Code::Unavailable,
        Code::QueryTooComplex,
        Code::Internal,
    ];

    /// The stable name clients match on.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::Validation => "VALIDATION",
            Code::Conflict => "CONFLICT",
            Code::RateLimited => "RATE_LIMITED",
            Code::Unavailable => "UNAVAILABLE",
            Code::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Code::Internal => "INTERNAL",
        }
    }
}

/// Gives an error async-graphql raised itself (parsing, validation, input coercion) a contract
/// code, unless it has one already; its message and position stay.
pub fn coded(mut e: ServerError, code: Code) -> ServerError {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code.as_str());
    }
    e
}

/// An error as the API reports it. Deliberately not `Display`: it reaches clients only through
/// [`From<ApiError> for async_graphql::Error`], which sets `extensions.code`.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Unauthenticated,
    /// A sign-in with a wrong e-mail or password (which of the two is never said).
    BadCredentials,
    Forbidden,
    NotFound,
    Validation {
        field: String,
        message: String,
    },
    Conflict {
        reason: ConflictReason,
        message: String,
    },
    RateLimited {
        retry_after_seconds: u64,
    },
    TooComplex(String),
    /// A backing service (the search engine) is unreachable: retry after a while.
    Unavailable {
        what: &'static str,
        retry_after_seconds: u64,
    },
    /// Details are logged where the error is made and never sent.
    Internal,
}

/// The API's result.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

impl ApiError {
    /// The contract's code.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => Code::Unauthenticated,
            ApiError::Forbidden => Code::Forbidden,
            ApiError::NotFound => Code::NotFound,
            ApiError::Validation { .. } => Code::Validation,
            ApiError::Conflict { .. } => Code::Conflict,
            ApiError::RateLimited { .. } => Code::RateLimited,
            ApiError::TooComplex(_) => Code::QueryTooComplex,
            ApiError::Unavailable { .. } => Code::Unavailable,
            ApiError::Internal => Code::Internal,
        }
    }

    /// As a GraphQL error at `pos`.
    pub fn into_server_error(self, pos: Option<Pos>) -> ServerError {
        let e = async_graphql::Error::from(self);
        let mut se = ServerError::new(e.message, pos);
        se.extensions = e.extensions;
        se
    }

    /// A response of this one error, for a request refused before it runs.
    pub fn into_response(self) -> async_graphql::Response {
        async_graphql::Response::from_errors(vec![self.into_server_error(None)])
    }

    /// The JSON body of a request refused before GraphQL sees it: `{"errors":[…]}`, no `data`.
    pub fn body(self) -> String {
        serde_json::json!({ "errors": [self.into_server_error(None)] }).to_string()
    }

    /// A validation error on an input field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "authentication required: no valid token".into(),
            ApiError::BadCredentials => "wrong e-mail or password".into(),
            ApiError::Forbidden => "you may not do this".into(),
            ApiError::NotFound => "not found".into(),
            ApiError::Validation { field, message } => format!("{field}: {message}"),
            ApiError::Conflict { message, .. } => message.clone(),
            ApiError::RateLimited {
                retry_after_seconds,
            } => {
                format!("too many requests; retry in {retry_after_seconds} s")
            }
            ApiError::TooComplex(why) => why.clone(),
            ApiError::Unavailable {
                what,
                retry_after_seconds,
            } => format!("{what} is unreachable; retry in {retry_after_seconds} s"),
            ApiError::Internal => "internal error".into(),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", e.code().as_str());
            match &e {
                ApiError::Validation { field, .. } => ext.set("field", field.as_str()),
                ApiError::Conflict { reason, .. } => ext.set("reason", reason.as_str()),
                ApiError::RateLimited {
                    retry_after_seconds,
                }
                | ApiError::Unavailable {
                    retry_after_seconds,
                    ..
                } => ext.set("retryAfterSeconds", *retry_after_seconds),
                _ => {}
            }
        })
    }
}

impl From<Rule> for ApiError {
    fn from(e: Rule) -> Self {
        match e {
            Rule::Validation { field, message } => ApiError::Validation { field, message },
            Rule::Conflict { reason, message } => ApiError::Conflict { reason, message },
            Rule::Forbidden => ApiError::Forbidden,
            Rule::NotFound => ApiError::NotFound,
        }
    }
}

impl From<sinergi_services::Error> for ApiError {
    fn from(e: sinergi_services::Error) -> Self {
        match e {
            sinergi_services::Error::Domain(r) => r.into(),
            sinergi_services::Error::Unauthenticated => ApiError::Unauthenticated,
            other => {
                tracing::error!(error = %other, "storage failed");
                ApiError::Internal
            }
        }
    }
}

impl From<std::sync::Arc<sinergi_services::Error>> for ApiError {
    fn from(e: std::sync::Arc<sinergi_services::Error>) -> Self {
        match &*e {
            sinergi_services::Error::Domain(r) => r.clone().into(),
            sinergi_services::Error::Unauthenticated => ApiError::Unauthenticated,
            other => {
                tracing::error!(error = %other, "storage failed");
                ApiError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn wire(e: ApiError) -> Value {
        serde_json::to_value(e.into_server_error(None)).expect("json")
    }

    /// Every code and every conflict reason as a client receives it, pinned: renaming one is a
    /// breaking change of the contract and must fail here first.
    #[test]
    fn every_code_and_reason_has_its_pinned_json() {
        for code in Code::ALL {
            // A match without a wildcard: a new code does not compile until it is pinned here.
            let (e, expected) = match code {
                Code::Unauthenticated => (
                    ApiError::Unauthenticated,
                    json!({"message": "authentication required: no valid token", "extensions": {"code": "UNAUTHENTICATED"}}),
                ),
                Code::Forbidden => (
                    ApiError::Forbidden,
                    json!({"message": "you may not do this", "extensions": {"code": "FORBIDDEN"}}),
                ),
                Code::NotFound => (
                    ApiError::NotFound,
                    json!({"message": "not found", "extensions": {"code": "NOT_FOUND"}}),
                ),
                Code::Validation => (
                    ApiError::validation("input.title", "must not be empty"),
                    json!({"message": "input.title: must not be empty", "extensions": {"code": "VALIDATION", "field": "input.title"}}),
                ),
                Code::Conflict => (
                    ApiError::Conflict {
                        reason: ConflictReason::HasProposals,
                        message: "terms are frozen".into(),
                    },
                    json!({"message": "terms are frozen", "extensions": {"code": "CONFLICT", "reason": "HAS_PROPOSALS"}}),
                ),
                Code::RateLimited => (
                    ApiError::RateLimited {
                        retry_after_seconds: 30,
                    },
                    json!({"message": "too many requests; retry in 30 s", "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": 30}}),
                ),
                Code::Unavailable => (
                    ApiError::Unavailable {
                        what: "the search engine",
                        retry_after_seconds: 5,
                    },
                    json!({"message": "the search engine is unreachable; retry in 5 s", "extensions": {"code": "UNAVAILABLE", "retryAfterSeconds": 5}}),
                ),
                Code::QueryTooComplex => (
                    ApiError::TooComplex("at most 10 operations per batch".into()),
                    json!({"message": "at most 10 operations per batch", "extensions": {"code": "QUERY_TOO_COMPLEX"}}),
                ),
                Code::Internal => (
                    ApiError::Internal,
                    json!({"message": "internal error", "extensions": {"code": "INTERNAL"}}),
                ),
            };
            assert_eq!(e.code(), *code);
            assert_eq!(wire(e), expected, "{code:?}");
        }
        assert_eq!(
            wire(ApiError::BadCredentials),
            json!({"message": "wrong e-mail or password", "extensions": {"code": "UNAUTHENTICATED"}})
        );

        let names: Vec<&str> = ConflictReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "ALREADY_SUBMITTED",
                "DEADLINE_NOT_PASSED",
                "DEADLINE_PASSED",
                "DUPLICATE",
                "HAS_PROPOSALS",
                "INVALID_TRANSITION",
                "NO_MASTERPLAN",
                "ORGANIZATION_SUSPENDED",
                "PROJECT_NOT_OPEN",
                "SEALED_UNTIL_DEADLINE",
                "NOT_VERIFIED",
                "REGISTRATION_CLOSED",
                "EVENT_NOT_OVER",
                "PARTICIPANT_BUSY",
                "TABLE_TAKEN",
                "OUTSIDE_SESSIONS",
                "MEETING_NOT_STARTED",
                "EVENT_NOT_OPEN",
                "SESSIONS_STARTED",
            ]
        );
        for reason in ConflictReason::ALL {
            let from_rule: ApiError = Rule::conflict(*reason, "state forbids it").into();
            assert_eq!(
                wire(from_rule),
                json!({"message": "state forbids it", "extensions": {"code": "CONFLICT", "reason": reason.as_str()}})
            );
            assert_eq!(ConflictReason::parse(reason.as_str()), Some(*reason));
        }
    }

    #[test]
    fn a_refused_request_has_errors_and_no_data() {
        let body: Value = serde_json::from_str(&ApiError::Unauthenticated.body()).expect("json");
        assert_eq!(
            body,
            json!({"errors": [{"message": "authentication required: no valid token", "extensions": {"code": "UNAUTHENTICATED"}}]})
        );
    }
}

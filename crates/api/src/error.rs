//! Every error a client can see, mapped in one place to one stable code of the contract.

use async_graphql::ErrorExtensions;
use sinergi_domain::Error as Rule;

/// An error as the API reports it. Deliberately not `Display`: it reaches clients only through
/// [`From<ApiError> for async_graphql::Error`], which sets `extensions.code`.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation {
        field: String,
        message: String,
    },
    Conflict {
        reason: &'static str,
        message: String,
    },
    RateLimited {
        retry_after_seconds: u64,
    },
    TooComplex(String),
    /// A contract field whose feature has not been built yet; the message says which.
    Unavailable(&'static str),
    /// Details are logged where the error is made and never sent.
    Internal,
}

/// The API's result.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

impl ApiError {
    /// The contract's code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden => "FORBIDDEN",
            ApiError::NotFound => "NOT_FOUND",
            ApiError::Validation { .. } => "VALIDATION",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::TooComplex(_) => "QUERY_TOO_COMPLEX",
            ApiError::Unavailable(_) | ApiError::Internal => "INTERNAL",
        }
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
            ApiError::Unavailable(what) => (*what).to_owned(),
            ApiError::Internal => "internal error".into(),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", e.code());
            match &e {
                ApiError::Validation { field, .. } => ext.set("field", field.as_str()),
                ApiError::Conflict { reason, .. } => ext.set("reason", *reason),
                ApiError::RateLimited {
                    retry_after_seconds,
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

impl From<sinergi_db::Error> for ApiError {
    fn from(e: sinergi_db::Error) -> Self {
        match e {
            sinergi_db::Error::Domain(r) => r.into(),
            sinergi_db::Error::Unauthenticated => ApiError::Unauthenticated,
            other => {
                tracing::error!(error = %other, "storage failed");
                ApiError::Internal
            }
        }
    }
}

impl From<std::sync::Arc<sinergi_db::Error>> for ApiError {
    fn from(e: std::sync::Arc<sinergi_db::Error>) -> Self {
        match &*e {
            sinergi_db::Error::Domain(r) => r.clone().into(),
            sinergi_db::Error::Unauthenticated => ApiError::Unauthenticated,
            other => {
                tracing::error!(error = %other, "storage failed");
                ApiError::Internal
            }
        }
    }
}
